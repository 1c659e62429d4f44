"""A chunk of a bulk intake re-evaluates each touched subject once with the batch kernel (docs/decisions.md,
issue 10 item 1): one evaluation_changed entry per subject and scope per chunk, naming the chunk's records of the
subject (122号 Art.19); a `closes` naming a record that did not exist when the chunk began is refused, to be sent
in a later chunk (122号 Art.16(2)); a handled chunk's facts are not kept in memory."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from tests.api._api_helpers import make_subject, record_body
from tests.conftest import auth
from xinyong.archive import repository as archive_repo
from xinyong.auth.actors import Actor
from xinyong.bootstrap import unit_of_work
from xinyong.core.clock import beijing_today
from xinyong.messages.evaluation import EvaluationsChanged
from xinyong.messages.records import RecordsEntered
from xinyong.records import bulk
from xinyong.records import repository as records_repo
from xinyong.subjects import repository as subjects_repo

ACTOR = Actor(name="cli-import", role="admin", channel="import", origin="cli:test")


def _changes(engine: Engine, code: str) -> list[dict[str, Any]]:
    with unit_of_work(engine, writing=False) as uow:
        subject = subjects_repo.by_code(uow.session, code)
        assert subject is not None
        return [e.payload for e in archive_repo.entries_of(uow.session, subject.id) if e.kind == "evaluation_changed"]


@pytest.mark.article("122号 Art.19")
def test_one_evaluation_change_per_subject_and_scope_per_chunk_naming_its_records(
        client: TestClient, tokens: dict[str, str], engine: Engine) -> None:
    code = make_subject(client, tokens["admin"], grade="B", industries=["survey_design"])["code"]
    before = _changes(engine, code)
    rows = [record_body(code, item, source_ref=f"C-{i}") for i, item in enumerate(
        ["GEN-D01", "GEN-D02", "SD-D01", "GEN-B01"])]
    r = client.post("/api/v1/records/bulk", json={"records": rows}, headers=auth(tokens["admin"]))
    assert r.status_code == 200, r.text
    ids = [x["record"]["id"] for x in r.json()["results"]]
    new = _changes(engine, code)[len(before):]
    assert sorted(e["scope"] for e in new) == ["general", "survey_design"]  # one per scope, not one per record
    for e in new:
        assert e["cause"] == {"kind": "bulk_import", "records": ids}
        assert e["old"] == next(b["new"] for b in reversed(before) if b["scope"] == e["scope"])
    stored = client.get(f"/api/v1/subjects/{code}/evaluation", headers=auth(tokens["admin"])).json()
    assert {e["scope"]: e["new"]["score"] for e in new}["general"] == stored["score"]
    # every row shows the evaluation after its chunk: here the same for all four
    shown = {x["record"]["evaluation"]["score"] for x in r.json()["results"] if x["record"]["item"].startswith("GEN")}
    assert shown == {stored["score"]}
    # the same rows again: nothing new, no change archived
    again = client.post("/api/v1/records/bulk", json={"records": rows}, headers=auth(tokens["admin"]))
    assert [x["status"] for x in again.json()["results"]] == [200] * 4
    assert len(_changes(engine, code)) == len(before) + 2


@pytest.mark.article("122号 Art.16(2)")
def test_closing_a_refusal_created_in_the_same_chunk_is_422_send_it_later(
        client: TestClient, tokens: dict[str, str]) -> None:
    code = make_subject(client, tokens["admin"], grade="A")["code"]
    first = client.post("/api/v1/records", headers=auth(tokens["admin"]),
                        json=record_body(code, "GEN-B01", source_ref="先-1"))
    assert first.status_code == 201
    guess = first.json()["id"] + 1  # the id the refusal below gets (or a later one): it is not there yet
    today = beijing_today().isoformat()
    refusal = {"subject": code, "item": "GEN-D04", "act_date": today, "department": "zhifa",
               "source_ref": "拒不履行-1"}
    closing = {"subject": code, "item": "COL-PERF", "act_date": today, "department": "zhifa",
               "source_ref": "履行-1", "closes": guess}
    r = client.post("/api/v1/records/bulk", json={"records": [refusal, closing]}, headers=auth(tokens["admin"]))
    assert r.status_code == 200, r.text
    got = r.json()["results"]
    assert got[0]["status"] == 201
    assert got[1]["status"] == 422
    problem = got[1]["errors"][0]
    assert problem["field"] == "closes"
    assert "later chunk" in problem["reason_en"] and "之后的批次" in problem["reason_zh"]
    # in a later request it closes the refusal
    closing["closes"] = got[0]["record"]["id"]
    later = client.post("/api/v1/records/bulk", json={"records": [closing]}, headers=auth(tokens["admin"]))
    assert later.json()["results"][0]["status"] == 201, later.text
    assert later.json()["results"][0]["record"]["closes"] == closing["closes"]
    # a record that exists but is no refusal of the subject keeps the single path's refusal
    closing.update(source_ref="履行-2", closes=first.json()["id"])
    wrong = client.post("/api/v1/records/bulk", json={"records": [closing]}, headers=auth(tokens["admin"]))
    assert wrong.json()["results"][0]["status"] == 422
    assert "not an active refusal" in wrong.json()["results"][0]["errors"][0]["reason_en"]


def test_a_handled_chunk_keeps_no_facts_in_memory(client: TestClient, tokens: dict[str, str], engine: Engine) -> None:
    codes = [make_subject(client, tokens["admin"])["code"] for _ in range(3)]
    rows = [(i, record_body(codes[i % 3], "GEN-D01", source_ref=f"M-{i}")) for i in range(30)]
    with unit_of_work(engine, ACTOR) as uow:  # several chunks in one unit of work (an import inside a caller's)
        for k in range(0, 30, 10):
            outcomes = bulk.ingest_chunk(uow, rows[k:k + 10], ACTOR, reevaluate_existing=False)
            assert [o.status for o in outcomes] == [201] * 10
        assert not [m for m in uow.handled if isinstance(m, RecordsEntered | EvaluationsChanged)]


def _analyses(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT relname, analyze_count FROM pg_stat_user_tables "
                                 "WHERE relname IN ('records', 'evaluations', 'archive_entries')")).all()
    return {name: int(n) for name, n in rows}


def test_a_growing_intake_renews_the_planner_statistics(client: TestClient, tokens: dict[str, str], engine: Engine,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL: each time a run has doubled the records the statistics know of (from ANALYZE_FLOOR), records
    evaluations and archive_entries are analysed anew (plans made for a near-empty table read every record, or
    every entry, per chunk); SQLite
    keeps none."""
    codes = [make_subject(client, tokens["admin"])["code"] for _ in range(3)]
    rows = [(i, record_body(codes[i % 3], "GEN-D01", source_ref=f"S-{i}")) for i in range(40)]
    if engine.dialect.name != "postgresql":
        assert records_repo.planned_rows(engine) is None
        bulk.run_chunks(engine, ACTOR, rows, lambda outcomes: None, reevaluate_existing=False)
        return
    monkeypatch.setattr(bulk, "ANALYZE_FLOOR", 5)
    assert records_repo.analyze_intake_tables(engine) == 0  # the cleaned store, as the statistics now know it
    before = _analyses(engine)
    taken: list[int] = []
    bulk.run_chunks(engine, ACTOR, rows, lambda outcomes: taken.extend(o.status for o in outcomes),
                    reevaluate_existing=False, chunk_rows=10)
    assert taken == [201] * 40
    after = _analyses(engine)
    # chunks of 10: analysed after the first (10 ≥ 5), the second (10 ≥ 10) and the fourth (20 ≥ 20)
    assert {t: after[t] - before[t] for t in after} == {"records": 3, "evaluations": 3, "archive_entries": 3}
    assert records_repo.planned_rows(engine) == 40


def test_a_key_taken_between_the_chunks_read_and_its_insert_sends_the_chunk_one_by_one(
        client: TestClient, tokens: dict[str, str], engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """A concurrent writer committed one of the chunk's (subject, source_ref) after the chunk looked them up: the
    chunk's insert fails on the unique index (COPY on PostgreSQL, executemany on SQLite), its savepoint is rolled
    back and its new rows go through the single path: the taken one answers 200 with the writer's record, the
    others are created once."""
    code = make_subject(client, tokens["admin"])["code"]
    first = client.post("/api/v1/records", json=record_body(code, "GEN-D01", source_ref="T-0"),
                        headers=auth(tokens["admin"]))
    assert first.status_code == 201, first.text
    monkeypatch.setattr(records_repo, "by_source_refs", lambda session, keys: {})  # the chunk's read came first
    rows = [(i, record_body(code, "GEN-D01", source_ref=f"T-{i}")) for i in range(3)]
    with unit_of_work(engine, ACTOR) as uow:
        outcomes = bulk.ingest_chunk(uow, rows, ACTOR, reevaluate_existing=False)
    assert [o.status for o in outcomes] == [200, 201, 201]
    assert outcomes[0].record is not None and outcomes[0].record.id == first.json()["id"]
    with engine.connect() as conn:
        refs = conn.execute(text("SELECT source_ref FROM records WHERE source_ref LIKE 'T-%' ORDER BY id")).all()
    assert [r[0] for r in refs] == ["T-0", "T-1", "T-2"]
