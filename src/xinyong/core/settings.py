"""One settings object for every environment variable of a deployment (no secrets in code).

`settings()` reads the environment at each call (microseconds), so a changed variable is seen at once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    database_url: str
    holiday_file: Path  # admin-maintained statutory holidays for years chinesecalendar lacks (G1-13)
    log_json: bool
    signing_key: Path  # Ed25519 key of the archive checkpoints (122号 Art.19)
    trusted_keys: tuple[Path, ...]  # public keys of earlier deployments still trusted by `archive verify`
    evidence_dir: Path  # content-addressed evidence store (证明材料)
    today: date | None  # fixes the clock's calendar day (training, replays, CI date runs); None: the real day


def _today(raw: str) -> date | None:
    if not raw.strip():
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise SystemExit(f"XINYONG_TODAY={raw!r}: 应为 YYYY-MM-DD / must be YYYY-MM-DD") from None


def read_settings(env: dict[str, str] | os._Environ[str] | None = None) -> Settings:
    env = os.environ if env is None else env
    return Settings(
        database_url=env.get("XINYONG_DATABASE_URL", "sqlite:///./xinyong.db"),
        holiday_file=Path(env.get("XINYONG_HOLIDAY_FILE", "./holidays.yaml")),
        log_json=env.get("XINYONG_LOG_JSON", "1") != "0",
        signing_key=Path(env.get("XINYONG_SIGNING_KEY", "./signing_key.pem")),
        trusted_keys=tuple(Path(p) for p in env.get("XINYONG_TRUSTED_KEYS", "").split(os.pathsep) if p),
        evidence_dir=Path(env.get("XINYONG_EVIDENCE_DIR", "./evidence")),
        today=_today(env.get("XINYONG_TODAY", "")),
    )


def settings() -> Settings:
    return read_settings()
