"""Request and response bodies of the users domain (sign-in, tokens, audit trail)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=60)
    password: str = Field(min_length=1, max_length=1024)


class TokenIn(BaseModel):
    """An interface token for system docking (系统对接, 122号 Art.8): named, one role, one department, expiring.
    A leader token may name the standards it is in charge of (`scope`, 122号 Art.12)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    role: str = Field(min_length=1, max_length=20)
    department: str | None = Field(default=None, max_length=40)
    subject: str | None = Field(default=None, max_length=40)
    expires_days: int | None = Field(default=None, ge=1, le=100_000)
    scope: list[str] | None = Field(default=None, max_length=100,
                                    description='role leader: "general" and/or industry codes (122号 Art.12)')


class LoginOut(BaseModel):
    token: str | None  # null for a browser sign-in (?cookie=true): the token is only in the HttpOnly cookie
    username: str
    display_name: str
    role: str
    department: str | None
    subject: str | None
    scope: list[str] | None
    expires_at: str
    csrf_token: str | None = None  # browser sign-in: echo in the X-CSRF-Token header of every write


class LogoutOut(BaseModel):
    revoked: bool
    id: int


class MeOut(BaseModel):
    """Anonymous: `{"authenticated": false, "role": null}` only; signed in: every field."""

    authenticated: bool
    role: str | None
    name: str | None = None
    department: str | None = None
    subject: str | None = None
    channel: str | None = None


class TokenOut(BaseModel):
    id: int
    name: str
    kind: str
    role: str
    department: str | None
    subject: str | None
    scope: list[str] | None
    created_at: str
    expires_at: str | None
    revoked_at: str | None
    state: str


class TokenCreatedOut(TokenOut):
    token: str  # shown once


class AuditEventOut(BaseModel):
    seq: int | None
    at: str
    actor: str
    role: str
    action: str
    target: str
    origin: str | None
    detail: str | None
    hash: str | None
