"""`xinyong standards list | impact VERSION [--as-of]` (issue 3 item 1, 2)."""

from __future__ import annotations

import pytest
from _governance_helpers import governed  # noqa: F401  (fixture)
from sqlalchemy import Engine

from xinyong.cli import main

pytestmark = pytest.mark.usefixtures("governed")  # removes the versions a test adds


def _use(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XINYONG_DATABASE_URL", engine.url.render_as_string(hide_password=False))


def test_cli_lists_standards_with_status(clean: Engine, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    _use(clean, monkeypatch)
    assert main(["standards", "list"]) == 0
    out = capsys.readouterr().out
    assert "survey_design-2024.1" in out and "in_force" in out and "2024-05-11" in out


def test_cli_impact_prints_summary_and_transitions(clean: Engine, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    _use(clean, monkeypatch)
    assert main(["standards", "impact", "general-2024.1", "--as-of", "2026-06-01"]) == 0
    out = capsys.readouterr().out
    assert "general-2024.1" in out and "0 of 0 evaluations change" in out
    assert main(["standards", "impact", "no-such-version"]) == 2
    assert "no-such-version" in capsys.readouterr().err
