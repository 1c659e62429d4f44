"""Request bodies of the users domain."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=60)
    password: str = Field(min_length=1, max_length=1024)


class TokenIn(BaseModel):
    """An interface token for system docking (系统对接, 122号 第八条): named, one role, one department, expiring."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    role: str = Field(min_length=1, max_length=20)
    department: str | None = Field(default=None, max_length=40)
    subject: str | None = Field(default=None, max_length=40)
    expires_days: int | None = Field(default=None, ge=1, le=100_000)
