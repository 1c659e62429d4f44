"""The end of a record's effect (44号 Task 14 自动修复, spec G3-01): a record may carry `effect_ends_on` (e.g. the end
of its 公示期); the day after, `expire_records` withdraws it as an automatic repair without any application, says
why, re-evaluates, and does nothing more when run again."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.api._api_helpers import evaluation, make_subject, post_record, record_body, records_of
from tests.conftest import auth
from xinyong.auth.actors import SYSTEM
from xinyong.bootstrap import unit_of_work
from xinyong.core.clock import DayClock, clock_at
from xinyong.records.service import expire_records


def _expire(engine: Engine) -> int:
    with unit_of_work(engine, actor=SYSTEM) as uow:
        return expire_records(uow)


@pytest.mark.article("44号 Task 14", "122号 Art.18")
def test_a_record_whose_effect_ended_is_withdrawn_automatically_once(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    with clock_at(DayClock(date(2026, 3, 10))):
        code = make_subject(client, tokens["admin"], grade="B")["code"]
        ends = post_record(client, tokens["business"], code, "GEN-D06", act_date=date(2026, 3, 2),
                           effect_ends_on="2026-06-30")
        keeps = post_record(client, tokens["business"], code, "GEN-D01", act_date=date(2026, 3, 2))
        assert ends["effect_ends_on"] == "2026-06-30" and keeps["effect_ends_on"] is None
        r = client.post("/api/v1/records", headers=auth(tokens["business"]), json=record_body(
            code, "GEN-D01", act_date=date(2026, 3, 2), effect_ends_on="2026-03-01"))
        assert r.status_code == 422 and r.json()["detail"][0]["field"] == "effect_ends_on"
        r = client.post("/api/v1/records", headers=auth(tokens["business"]), json=record_body(
            code, "GEN-D06", act_date=date(2026, 3, 2), source_ref=ends["source_ref"], effect_ends_on="2026-07-31"))
        assert r.status_code == 409  # the end of effect is content: no silent overwrite
        assert evaluation(client, code)["fused"] is True
    with clock_at(DayClock(date(2026, 6, 30))):  # the last day of effect: it still counts
        assert _expire(clean) == 0
        assert evaluation(client, code)["fused"] is True
    with clock_at(DayClock(date(2026, 7, 1))):
        assert _expire(clean) == 1
        assert _expire(clean) == 0  # idempotent
        assert evaluation(client, code)["fused"] is False  # the fuse it fired lifts (G1-05)
        assert ends["id"] not in {r["id"] for r in records_of(client, code)}  # hidden like any repair
        staff = {r["id"]: r for r in records_of(client, code, tokens["admin"])}
        w = staff[ends["id"]]["withdrawal"]
        assert staff[ends["id"]]["status"] == "withdrawn" and w["kind"] == "repair" and w["by"] == "system"
        assert "automatic: true" in w["reason"] and "44号 Task 14" in w["reason"] and "2026-07-01" in w["reason"]
        assert "2026-06-30" in w["reason"] and staff[keeps["id"]]["status"] == "active"
        entries = client.get(f"/api/v1/subjects/{code}/archive", headers=auth(tokens["admin"])).json()["entries"]
        withdrawn = [e for e in entries if e["kind"] == "record_withdrawn"]
        assert len(withdrawn) == 1 and "automatic: true" in withdrawn[0]["payload"]["reason"]
        assert withdrawn[0]["payload"]["automatic"] is True and withdrawn[0]["payload"]["rule"] == "44号 Task 14"
        entered = next(e for e in entries if e["kind"] == "record_entered" and e["payload"]["record_id"] == ends["id"])
        assert entered["payload"]["effect_ends_on"] == "2026-06-30"
