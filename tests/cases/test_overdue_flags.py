"""flag_overdue_cases: the responsible unit is told once per overdue step (spec G1-07; 122号 Art.18)."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.cases._case_helpers import act, file_case, subject_with_record
from tests.conftest import auth
from xinyong.auth.actors import SYSTEM
from xinyong.bootstrap import unit_of_work
from xinyong.cases.service import flag_overdue_cases
from xinyong.core.clock import DayClock, clock_at

FILED = date(2026, 9, 29)  # Tue; route due 2 working days later across National Day: 2026-10-08


def _flag(engine: Engine) -> int:
    with unit_of_work(engine, actor=SYSTEM) as uow:
        return flag_overdue_cases(uow)


def _overdue_notices(client: TestClient, token: str) -> list[dict]:
    r = client.get("/api/v1/notifications", headers=auth(token))
    assert r.status_code == 200, r.text
    return [n for n in r.json() if n["kind"] == "case_overdue"]


@pytest.mark.article("122号 Art.18")
def test_an_overdue_step_is_flagged_once_to_the_responsible_unit_122_art18(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    with clock_at(DayClock(FILED)):
        code, record = subject_with_record(client, tokens, act_date=date(2026, 9, 28))
        case = file_case(client, tokens["hall"], code, record_id=record["id"])
    assert case["due_on"] == "2026-10-08"
    with clock_at(DayClock(date(2026, 10, 8))):  # the due day itself is in time
        assert _flag(clean) == 0
        assert client.get(f"/api/v1/cases/{case['id']}", headers=auth(tokens["hall"])).json()["overdue"] is False
    with clock_at(DayClock(date(2026, 10, 9))):
        assert client.get(f"/api/v1/cases/{case['id']}", headers=auth(tokens["hall"])).json()["overdue"] is True
        assert _flag(clean) == 1
        assert _flag(clean) == 0  # idempotent: the same day again notifies nothing more
        hall = _overdue_notices(client, tokens["hall"])
        assert len(hall) == 1 and f"#{case['id']}" in hall[0]["title"] and hall[0]["link"] == f"/api/v1/cases/{case['id']}"
        assert _overdue_notices(client, tokens["business"]) == []  # intake is the hall's step
    with clock_at(DayClock(date(2026, 10, 12))):
        assert _flag(clean) == 0  # a later day, the same overdue step: still once
        act(client, tokens["hall"], case["id"], "route", department="kanchasheji")
    # the opinion step is due 10 working days after routing (2026-10-12 → 2026-10-26); overdue the day after
    with clock_at(DayClock(date(2026, 10, 27))):
        assert _flag(clean) == 1
        dept = _overdue_notices(client, tokens["business"])
        assert len(dept) == 1 and "核实中" not in dept[0]["title"] and "已转办" in dept[0]["title"]
        assert _flag(clean) == 0
