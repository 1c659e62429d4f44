"""Fixtures of the jobs tests: the CLI on the test database, with its own signing key."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from xinyong.archive import signing
from xinyong.cli import main
from xinyong.core.clock import DayClock, clock_at


@pytest.fixture
def cli_db(clean: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Engine]:
    """The CLI reads XINYONG_DATABASE_URL (the test database) and signs checkpoints with a key of its own."""
    monkeypatch.setenv("XINYONG_DATABASE_URL", clean.url.render_as_string(hide_password=False))
    key = tmp_path / "signing_key.pem"
    signing.generate(key)
    monkeypatch.setenv("XINYONG_SIGNING_KEY", str(key))
    yield clean


def run(capsys: pytest.CaptureFixture[str], day: date, *args: str) -> tuple[int, str]:
    with clock_at(DayClock(day)):
        status = main(["jobs", "run", *args])
    return status, capsys.readouterr().out
