"""122号 第八条(一): the lateness report counts the same with the daily snapshot as without it (issue 11: the
dashboard's lateness at a million records reads one day's records, not all of them)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.conftest import auth, new_uscc
from xinyong import jobs
from xinyong.auth.actors import SYSTEM
from xinyong.core.clock import DayClock, clock_at
from xinyong.core.uow import start
from xinyong.records import repository

DAY1 = date(2026, 6, 15)  # a Monday; an act of 2026-05-15 entered by hand that day is late (due 2026-05-22)
SNAPSHOT = next(j for j in jobs.JOBS if j.name == "lateness_snapshot")


def _post(client, token: str, code: str, ref: str, act: str, department: str = "kanchasheji",
          item: str = "SD-B02") -> dict[str, Any]:
    r = client.post("/api/v1/records", headers=auth(token), json={
        "subject": code, "item": item, "act_date": act, "department": department, "source_ref": ref})
    assert r.status_code == 201, r.text
    return dict(r.json())


def _report(client) -> dict[str, Any]:
    body = client.get("/api/v1/reports/lateness", params={"year": 2026}).json()
    return {"total": (body["records"], body["assessed"], body["late"]),
            "rows": {(r["department"], ch): v for r in body["departments"] for ch, v in r["by_channel"].items()}}


def _full_count(engine: Engine) -> list[tuple[str, str, int, int, int]]:
    """The report's rows recounted from every record (the snapshot dropped inside a transaction rolled back)."""
    with start(engine, SYSTEM) as uow:
        repository.drop_lateness_snapshot(uow.session)
        rows = repository.lateness_by_department(uow.session, date(2026, 1, 1), date(2026, 12, 31))
        uow.session.rollback()
    return rows


def _counted(engine: Engine) -> list[tuple[str, str, int, int, int]]:
    with start(engine, SYSTEM, writing=False) as uow:
        return repository.lateness_by_department(uow.session, date(2026, 1, 1), date(2026, 12, 31))


@pytest.mark.article("122号 Art.8(1)")
def test_lateness_report_with_the_daily_snapshot_counts_as_the_full_count_122_art8_1(
        client, tokens, manual_token, clean: Engine) -> None:
    """Day 1: four records by hand and by interface (one late) and a correction of the late one (a correction keeps
    the original's lateness and is not counted again). Day 3: the job snapshots what was entered before day 2;
    then three more records (one late) are entered. The report is the snapshot plus the newer records and equals
    the count over every record; the snapshot really holds day 1 and the later ones really come from the range."""
    with clock_at(DayClock(DAY1)):
        code = new_uscc()
        assert client.post("/api/v1/subjects", headers=auth(tokens["admin"]), json={
            "code": code, "name": "快照测试", "kind": "organization", "national_grade": "B",
            "industries": ["survey_design"]}).status_code == 201
        _post(client, manual_token, code, "S-1", DAY1.isoformat())
        late = _post(client, manual_token, code, "S-2", "2026-05-15")
        _post(client, manual_token, code, "S-3", DAY1.isoformat(), department="zhifa", item="GEN-B02")
        docked = _post(client, tokens["admin"], code, "S-4", "2026-05-15")  # a docked system: never late
        corrected = client.post(f"/api/v1/records/{late['id']}/correct", headers=auth(manual_token),
                                json={"reason": "更正行为日期", "act_date": "2026-05-18"})
        assert corrected.status_code == 201, corrected.text
    before = _report(client)
    assert before["total"] == (4, 3, 1)

    day3 = DAY1 + timedelta(days=2)
    with clock_at(DayClock(day3)):
        outcome = jobs.run_job(clean, SNAPSHOT, day3)
        assert outcome.status == "done" and outcome.counts["upto"] > 0
        assert _report(client) == before  # the snapshot alone counts as before
        newer = _post(client, manual_token, code, "S-5", day3.isoformat())
        _post(client, manual_token, code, "S-6", "2026-05-20")  # late
        _post(client, tokens["admin"], code, "S-7", "2026-05-20", department="zhifa", item="GEN-B02")
    after = _report(client)
    assert after["total"] == (7, 5, 2)
    assert after["rows"][("kanchasheji", "manual")] == {"records": 4, "late": 2}
    assert after["rows"][("zhifa", "interface")] == {"records": 1, "late": 0}
    assert _counted(clean) == _full_count(clean)
    with start(clean, SYSTEM, writing=False) as uow:
        upto = repository.lateness_snapshot_upto(uow.session)
    assert upto == outcome.counts["upto"] and docked["id"] <= upto < newer["id"]  # day 1's records, no later one


@pytest.mark.article("122号 Art.8(1)")
def test_records_entered_since_the_start_of_yesterday_stay_out_of_the_snapshot_122_art8_1(
        client, tokens, manual_token, clean: Engine) -> None:
    """The snapshot counts the records entered before the start of yesterday only (a day's margin: an id handed out
    earlier can no longer be in an open transaction). Run on day 2, it leaves day 1's records to the live range,
    and the report is still whole."""
    with clock_at(DayClock(DAY1)):
        code = new_uscc()
        assert client.post("/api/v1/subjects", headers=auth(tokens["admin"]), json={
            "code": code, "name": "快照边界", "kind": "organization", "national_grade": "B",
            "industries": ["survey_design"]}).status_code == 201
        _post(client, manual_token, code, "B-1", "2026-05-15")
    day2 = DAY1 + timedelta(days=1)
    with clock_at(DayClock(day2)):
        assert jobs.run_job(clean, SNAPSHOT, day2).counts == {"upto": 0}
        assert jobs.run_job(clean, SNAPSHOT, day2).status == "already"
    assert _report(client)["total"] == (1, 1, 1)
    day3 = DAY1 + timedelta(days=2)
    with clock_at(DayClock(day3)):
        assert jobs.run_job(clean, SNAPSHOT, day3).counts["upto"] > 0
    assert _report(client)["total"] == (1, 1, 1)
    assert _counted(clean) == _full_count(clean)
