"""Deployment settings, read from the environment (no secrets in code)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    database_url: str
    holiday_file: Path
    log_json: bool


def get_settings() -> Settings:
    return Settings(
        database_url=os.environ.get("XINYONG_DATABASE_URL", "sqlite:///./xinyong.db"),
        # Admin-maintained statutory-holiday file for years chinesecalendar does not cover (G1-13).
        holiday_file=Path(os.environ.get("XINYONG_HOLIDAY_FILE", "./holidays.yaml")),
        log_json=os.environ.get("XINYONG_LOG_JSON", "1") != "0",
    )
