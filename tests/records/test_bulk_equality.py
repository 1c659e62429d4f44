"""The set-based path (records/bulk.py) equals the single-record path (issue 10 item 1; docs/decisions.md): the
same rows, sent in bulk or imported from a file, give the same records, the same stored evaluations, the same
record archive entries in each subject's chain (record_entered, record_duplicate_linked, industry_enrolled: kinds,
payloads and order, 122号 Art.19), the same outbox changes of records and the same answer row by row as the same
rows posted one at a time — repeats ("same", never a duplicate), conflicts, duplicates of one decision (G1-16),
refusals and industry enrolments included.

What differs by decision: a chunk re-evaluates each subject once with the batch kernel, so its evaluation_changed
entries are one per subject and scope per chunk (cause {"kind": "bulk_import", "records": [...]}) instead of one
per record; compared as a chain whose first old and last new are those of the single path (and so the grades
shared downstream). A bulk answer shows the evaluation after the row's chunk: the single path's for the subject's
last row.

Each subject has twins registered alike; one twin takes the rows one by one, the other in bulk. Subjects never
affect each other, so the twins must end equal: record ids and entry times are surrogates and are compared
through (twin, source_ref)."""

from __future__ import annotations

import csv
import random
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.api._api_helpers import make_subject
from tests.conftest import auth, new_uscc
from xinyong.archive import repository as archive_repo
from xinyong.auth.actors import Actor
from xinyong.bootstrap import unit_of_work
from xinyong.core.clock import beijing_today
from xinyong.errors import DomainError
from xinyong.evaluation import repository as evaluation_repo
from xinyong.evaluation.service import STORED_FIELDS
from xinyong.outbox.models import OutboxEvent
from xinyong.records import repository as records_repo
from xinyong.records.importer import import_records
from xinyong.records.schemas import RecordIn
from xinyong.records.service import submit_record
from xinyong.subjects import repository as subjects_repo

ITEMS = ["GEN-B01", "GEN-B02", "GEN-D01", "GEN-D02", "GEN-D08", "SD-B01", "SD-D01", "SD-D07", "LD-B01", "LD-D01",
         "FR-D01", "COL-LIC"]
IDS = ("id", "record_id", "duplicate_of", "supersedes", "closes", "closes_id", "supersedes_id")


def generate(seed: int, n: int, twins: int) -> list[dict[str, Any]]:
    """n rows over `twins` subjects (by index), with repeats of earlier rows, reused references with other
    content (409), shared decision numbers (G1-16) and some bad rows (unknown item, future date, blank ref)."""
    rng = random.Random(seed)
    today = beijing_today()
    span = (today - date(today.year, 1, 1)).days
    rows: list[dict[str, Any]] = []
    refs = [f"R{seed}-{k}" for k in range(max(3, n // 3))]
    for _ in range(n):
        if rows and rng.random() < 0.15:
            rows.append(dict(rng.choice(rows)))  # the same row again
            continue
        row: dict[str, Any] = {"twin": rng.randrange(twins), "item": rng.choice(ITEMS),
                               "act_date": (today - timedelta(days=rng.randint(0, span))).isoformat(),
                               "department": "kanchasheji", "source_ref": rng.choice(refs)}
        if rng.random() < 0.3:
            row["decision_no"] = rng.choice(["京规罚〔2026〕1号", "京规罚〔2026〕2号"])
        if rng.random() < 0.2:
            row["note"] = rng.choice(["现场检查", "复核", "整改完成"])
        bad = rng.random()
        if bad < 0.04:
            row["item"] = "NO-SUCH-ITEM"
        elif bad < 0.07:
            row["act_date"] = (today + timedelta(days=2)).isoformat()
        elif bad < 0.09:
            row["twin"] = -1  # a subject nobody registered
        rows.append(row)
    return rows


def materialise(rows: list[dict[str, Any]], codes: list[str], stranger: str) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        body = {k: v for k, v in row.items() if k != "twin"}
        body["subject"] = codes[row["twin"]] if row["twin"] >= 0 else stranger
        out.append(body)
    return out


def register(client: TestClient, token: str, seed: int, twins: int, sides: int) -> list[list[str]]:
    """`sides` registrations of `twins` subjects alike (grade, industries): codes[side][twin]."""
    rng = random.Random(seed + 1)
    spec = [(rng.choice(["A", "B", "C", None]), sorted(rng.sample(["survey_design", "land_development"],
                                                                    rng.randint(0, 2)))) for _ in range(twins)]
    return [[make_subject(client, token, grade=g, industries=ind)["code"] for g, ind in spec] for _ in range(sides)]


class Side:
    """What one twin set ended with, with surrogates (ids, codes, times) replaced by stable names."""

    def __init__(self, engine: Engine, codes: list[str]) -> None:
        self.codes = {code: f"T{t}" for t, code in enumerate(codes)}
        self.ids: dict[int, str] = {}
        self.chains: dict[str, list[tuple[str, Any]]] = {}
        self.evaluations: dict[str, dict[str, Any]] = {}
        self.records: dict[str, Any] = {}
        self.outbox: dict[str, list[Any]] = {}
        with unit_of_work(engine, writing=False) as uow:
            s = uow.session
            subjects = [subjects_repo.by_code(s, c) for c in codes]
            for t, subject in enumerate(subjects):
                assert subject is not None
                for row in records_repo.history_for_subject(s, subject.id):
                    self.ids[row.record.id] = f"T{t}:{row.record.source_ref}"
            for t, subject in enumerate(subjects):
                assert subject is not None
                label = f"T{t}"
                self.chains[label] = [(e.kind, self.norm(e.payload)) for e in archive_repo.entries_of(s, subject.id)]
                self.evaluations[label] = {e.scope: {f: getattr(e, f) for f in STORED_FIELDS}
                                           for e in evaluation_repo.stored_for_subject(s, subject.id)}
                self.records[label] = sorted(
                    (self.ids[r.record.id], r.status, self.ids.get(r.duplicate_of or 0), r.record.item,
                     r.record.act_date, r.record.department, r.record.note, r.record.decision_no, r.record.channel,
                     r.record.late, r.record.due_date, r.record.info_class, r.record.admin_category)
                    for r in records_repo.history_for_subject(s, subject.id))
                self.outbox[label] = [(o.type, self.norm(o.data)) for o in s.query(OutboxEvent).filter(
                    OutboxEvent.subject_code == subject.code).order_by(OutboxEvent.id)]

    def norm(self, value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: self.norm(v, k) for k, v in value.items() if k not in ("entered_at", "at")}
        if isinstance(value, list):
            items = [self.norm(v, key) for v in value]
            return sorted(items, key=repr) if key == "record_ids" else items
        if key in IDS + ("record_ids",) and isinstance(value, int) and not isinstance(value, bool):
            return self.ids.get(value, f"?{value}")
        if isinstance(value, str):
            if value in self.codes:
                return self.codes[value]
            return re.sub(r"#(\d+)", lambda m: "#" + self.ids.get(int(m.group(1)), m.group(0)), value)
        return value


CHANGED, GRADE = "evaluation_changed", "grade_changed"


def _by_scope(entries: list[tuple[str, Any]], kind: str) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for k, payload in entries:
        if k == kind:
            out.setdefault(payload["scope"], []).append(payload)
    return out


def _assert_same_net_change(single: list[Any], bulk: list[Any], where: str) -> None:
    """The bulk entries chain (each old is the previous new) from the single path's first old to its last new;
    none at all when the single path came back where it started."""
    for before, after in zip(bulk[:-1], bulk[1:], strict=True):
        assert after["old"] == before["new"], where
    if not bulk:
        assert not single or single[0]["old"] == single[-1]["new"], where
        return
    assert single, where
    assert (bulk[0]["old"], bulk[-1]["new"]) == (single[0]["old"], single[-1]["new"]), where


def assert_sides_equal(one: Side, bulk: Side) -> None:
    """`one` took the rows one by one, `bulk` in bulk."""
    assert one.records == bulk.records
    assert one.evaluations == bulk.evaluations
    for label in one.chains:
        single_chain, bulk_chain = one.chains[label], bulk.chains[label]
        # every other entry the same, in the same order (record_entered, record_duplicate_linked, enrolments)
        assert [e for e in single_chain if e[0] != CHANGED] == [e for e in bulk_chain if e[0] != CHANGED], label
        single_changes, bulk_changes = _by_scope(single_chain, CHANGED), _by_scope(bulk_chain, CHANGED)
        assert set(bulk_changes) <= set(single_changes), label
        for scope, entries in single_changes.items():
            got = bulk_changes.get(scope, [])
            # the entries before the rows (registration) alike; then the rows' changes
            before = [e for e in got if e["cause"].get("kind") != "bulk_import"]
            assert entries[:len(before)] == before and got[:len(before)] == before
            entries, got = entries[len(before):], got[len(before):]
            _assert_same_net_change(entries, got, f"{label}/{scope}")
            for e in got:  # one per chunk, naming the chunk's records of this subject
                assert e["cause"]["kind"] == "bulk_import"
                assert all(bulk.ids[r].startswith(f"{label}:") for r in e["cause"]["records"]), e
        # the outbox: the same changes of records; the grades shared downstream end the same
        assert [o for o in one.outbox[label] if o[0] != GRADE] == [o for o in bulk.outbox[label] if o[0] != GRADE]
        single_grades, bulk_grades = _by_scope(one.outbox[label], GRADE), _by_scope(bulk.outbox[label], GRADE)
        for scope in set(single_grades) | set(bulk_grades):
            entries, got = single_grades.get(scope, []), bulk_grades.get(scope, [])
            before = [e for e in got if e["cause"] != "bulk_import"]
            assert entries[:len(before)] == before and got[:len(before)] == before
            assert all(e["cause"] == "bulk_import" for e in got[len(before):])

            def shared(e: dict[str, Any]) -> dict[str, Any]:  # what a grade change shares: no score-only change
                view = {k: {f: v[f] for f in ("grade", "level", "fused")} if v else v for k, v in e.items()
                        if k in ("old", "new")}
                return view

            _assert_same_net_change([shared(e) for e in entries[len(before):]],
                                    [shared(e) for e in got[len(before):]], f"{label}/{scope}")
    assert sum(len(c) for c in one.chains.values()) > 0
    assert any(e[0] == CHANGED for c in bulk.chains.values() for e in c)


@pytest.mark.article("122号 Art.19")
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_bulk_post_equals_posting_one_by_one(client: TestClient, tokens: dict[str, str], engine: Engine,
                                             seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from xinyong.records import bulk  # noqa: I001  # local: the chunk limits are patched for this test only
    limits = dict(bulk.limits())
    limits.update(chunk_rows=7, first_chunk_rows=3, pause_seconds=0)  # many chunks and waves in a small test
    monkeypatch.setattr(bulk, "limits", lambda: limits)
    twins = 6
    codes = register(client, tokens["admin"], seed, twins, 2)
    rows = generate(seed, 120, twins)
    stranger = new_uscc()
    one_by_one, in_bulk = materialise(rows, codes[0], stranger), materialise(rows, codes[1], stranger)
    singles = [client.post("/api/v1/records", json=body, headers=auth(tokens["admin"])) for body in one_by_one]
    r = client.post("/api/v1/records/bulk", json={"records": in_bulk}, headers=auth(tokens["admin"]))
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    a, b = Side(engine, codes[0]), Side(engine, codes[1])
    assert_sides_equal(a, b)
    assert [x["index"] for x in results] == list(range(len(rows)))
    statuses = [x["status"] for x in results]
    assert statuses == [s.status_code for s in singles]
    assert {201, 200, 409, 422} <= set(statuses)  # the generator made every kind of row
    last_of_subject: dict[str, int] = {}
    for n, (single, res) in enumerate(zip(singles, results, strict=True)):
        if single.status_code in (200, 201):
            want, got = a.norm(single.json()), b.norm(res["record"])
            assert {k: v for k, v in got.items() if k != "evaluation"} == {
                k: v for k, v in want.items() if k != "evaluation"}
            last_of_subject[got["subject"]] = n
        else:
            assert b.norm(res["errors"]) == a.norm(single.json()["detail"])
    for n in last_of_subject.values():  # the evaluation after the chunk: after the subject's last row
        assert b.norm(results[n]["record"])["evaluation"] == a.norm(singles[n].json())["evaluation"]
        assert results[n]["record"]["evaluation"] is not None
    summary = r.json()["summary"]
    assert summary == {"created": statuses.count(201), "existing": statuses.count(200),
                       "rejected": len(rows) - statuses.count(201) - statuses.count(200)}
    # re-sending the same rows: every taken row is "the same" now, nothing is added
    again = client.post("/api/v1/records/bulk", json={"records": in_bulk}, headers=auth(tokens["admin"]))
    assert [x["status"] for x in again.json()["results"]] == [200 if s in (200, 201) else s for s in statuses]
    assert Side(engine, codes[1]).records == b.records


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    header = ["subject", "item", "act_date", "department", "source_ref", "note", "decision_no"]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for row in rows:
            w.writerow([row.get(h) or "" for h in header])


@pytest.mark.article("122号 Art.19")
@pytest.mark.parametrize("seed", [4, 5])
def test_import_equals_the_single_record_path(client: TestClient, tokens: dict[str, str], engine: Engine,
                                              seed: int, tmp_path: Path) -> None:
    twins = 5
    codes = register(client, tokens["admin"], seed, twins, 2)
    rows = generate(seed, 150, twins)
    stranger = new_uscc()
    actor = Actor(name="cli-import", role="admin", channel="import", origin="cli:test.csv")
    single_outcomes: list[tuple[int, list[str]]] = []
    for body in materialise(rows, codes[0], stranger):
        try:
            with unit_of_work(engine, actor) as uow:
                sub = submit_record(uow, RecordIn.model_validate(body), actor)
            single_outcomes.append((201 if sub.created else 200, []))
        except DomainError as exc:
            single_outcomes.append((exc.status_code, [p.field for p in exc.problems]))
    path = tmp_path / "records.csv"
    _write_csv(path, materialise(rows, codes[1], stranger))
    with unit_of_work(engine, actor) as uow:
        report = import_records(uow, path, actor, chunk_rows=11)
    assert_sides_equal(Side(engine, codes[0]), Side(engine, codes[1]))
    assert report.total == len(rows)
    assert report.created == sum(s == 201 for s, _ in single_outcomes)
    assert report.existing == sum(s == 200 for s, _ in single_outcomes)
    assert report.rejected == sum(s not in (200, 201) for s, _ in single_outcomes)
    assert sorted((e.row, e.field) for e in report.errors) == sorted(
        (n + 2, f) for n, (_, fields) in enumerate(single_outcomes) for f in fields)
    with unit_of_work(engine, actor) as uow:
        rerun = import_records(uow, path, actor)
    assert (rerun.created, rerun.existing) == (0, report.created + report.existing)
