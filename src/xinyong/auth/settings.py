"""Sign-in and token settings from auth/security.yaml (deployment defaults, not numbers of the measures)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

FILE = Path(__file__).with_name("security.yaml")


@dataclass(frozen=True)
class SecuritySettings:
    session_hours: int
    idle_minutes: int
    max_failures: int
    lock_minutes: int
    password_min_length: int
    token_default_days: int
    token_max_days: int
    industry_reporters: dict[str, tuple[str, ...]]


@lru_cache(maxsize=1)
def security_settings() -> SecuritySettings:
    data = yaml.safe_load(FILE.read_text(encoding="utf-8"))
    login, tokens = data["login"], data["tokens"]
    return SecuritySettings(
        session_hours=int(login["session_hours"]),
        idle_minutes=int(login.get("idle_minutes", 30)), max_failures=int(login["max_failures"]),
        lock_minutes=int(login["lock_minutes"]), password_min_length=int(login["password_min_length"]),
        token_default_days=int(tokens["default_days"]), token_max_days=int(tokens["max_days"]),
        industry_reporters={k: tuple(v or ()) for k, v in (data.get("industry_reporters") or {}).items()},
    )
