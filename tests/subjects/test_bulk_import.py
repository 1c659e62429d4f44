"""`xinyong import --subjects` through the set-based path (subjects/bulk.py; issue 10, set-based ingestion) ends
exactly as the rows registered one by one (subjects.service.register_or_match in a savepoint per row, with its
audit event: the import as it was before): the same subjects, national grades, industry memberships, archive
entries, stored evaluations, outbox rows and audit events, and the same report row by row — bad rows, repeats
and conflicts within the file and with subjects registered before included.

The same file is imported both ways into the same emptied database, one after the other. Not compared, because
they are surrogates or moments that legitimately differ between two runs: ids (subjects are named by code), the
timestamps (created_at, recorded_at, at, computed_at, occurred_at) and the hashes that cover them (archive
entries' and audit events' prev_hash/hash; both chains are verified instead), and the interleaving of different
subjects' archive entries in the table (each subject's chain is compared in seq order)."""

from __future__ import annotations

import csv
import random
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine, select, text

from tests.conftest import DATA_TABLES
from xinyong.archive.models import ArchiveEntry
from xinyong.archive.verify import verify_archive
from xinyong.auth.actors import Actor
from xinyong.auth.audit import verify_chain
from xinyong.auth.models import AuditEvent
from xinyong.bootstrap import unit_of_work
from xinyong.core.clock import beijing_today
from xinyong.demo import make_resident_id, make_uscc
from xinyong.errors import DomainError
from xinyong.errors_http import validation_problems
from xinyong.evaluation.models import Evaluation
from xinyong.outbox.models import OutboxEvent
from xinyong.records.importer import ImportReport, import_subjects, open_table, subject_in
from xinyong.subjects import repository as subjects_repo
from xinyong.subjects.models import NationalGrade, Subject, SubjectIndustry
from xinyong.subjects.schemas import SubjectIn
from xinyong.subjects.service import create_subject, register_or_match

HEADER = ["code", "name", "kind", "national_grade", "industries", "grade_effective_on", "grade_source"]
INDUSTRIES = ["survey_design", "land_development", "surveying_mapping", "verification", "fire_design_review"]
ACTOR = Actor(name="cli-import", role="admin", channel="import", origin="cli:subjects.csv")


def _fresh(rng: random.Random) -> list[str]:
    individual = rng.random() < 0.25
    code = make_resident_id(rng) if individual else make_uscc(rng)
    day = (beijing_today() - timedelta(days=rng.randint(0, 400))).isoformat() if rng.random() < 0.3 else ""
    return [code, f"对象{rng.randrange(10_000)}", "individual" if individual else "organization",
            rng.choice(["A", "B", "C", "D", ""]),
            ";".join(rng.sample(INDUSTRIES, rng.randint(0, 3))),  # in any order, as a file may list them
            day, rng.choice(["", "信用中国 2026年第1批"]) if day else ""]


BAD = ["check_char", "unknown_industry", "grade", "kind", "blank_name", "industry_twice", "future_day", "bad_day"]
REPEATS = ["same_row", "same_row_other_spelling", "other_content", "before_same", "before_other"]


def generate(seed: int, n: int) -> tuple[list[list[str]], list[SubjectIn]]:
    """n rows: good ones, bad ones of every kind, repeats and conflicts of earlier rows and of the subjects
    registered before (returned second); every kind at least once, in a random order."""
    rng = random.Random(seed)
    before = [SubjectIn.model_validate(dict(zip(HEADER[:4], row[:4], strict=True)) | {
        "national_grade": row[3] or None, "industries": [i for i in row[4].split(";") if i]})
        for row in (_fresh(rng) for _ in range(4))]
    registered = [[s.code, s.name, s.kind, s.national_grade or "", ";".join(s.industries), "", ""] for s in before]
    today = beijing_today()
    kinds = ["good"] * 3 + rng.sample(BAD + REPEATS, len(BAD + REPEATS))
    kinds += rng.choices(["good", *BAD, *REPEATS], weights=[40] + [2] * len(BAD) + [6] * len(REPEATS),
                         k=max(0, n - len(kinds)))
    rows: list[list[str]] = []
    for kind in kinds:
        row = _fresh(rng)
        if kind == "check_char":
            row[0] = row[0][:-1] + ("1" if row[0][-1] != "1" else "2")
        elif kind == "unknown_industry":
            row[4] = "survey_design;no_such_industry"
        elif kind == "grade":
            row[3] = "E"
        elif kind == "kind":
            row[2] = "company"
        elif kind == "blank_name":
            row[1] = "  "
        elif kind == "industry_twice":
            row[4] = "verification;verification"
        elif kind == "future_day":
            row[5] = (today + timedelta(days=3)).isoformat()  # a national level from a future day
        elif kind == "bad_day":
            row[5] = "2026-02-30"
        elif kind.startswith("same_row"):
            row = list(rng.choice(rows))  # the same row again (if the first was refused, so is this one)
            if kind == "same_row_other_spelling":
                row[0] = row[0].lower()  # the same code, written in lower case
                row[4] = ";".join(reversed(row[4].split(";")))  # the same industries, in another order
        elif kind == "other_content":
            row = list(rng.choice(rows))
            row[1] += "（改名）"  # the same code with other content
        elif kind == "before_same":
            row = list(rng.choice(registered))
        elif kind == "before_other":
            row = list(rng.choice(registered))
            row[3] = "D" if row[3] != "D" else "A"
        rows.append(row)
    return rows, before


def write(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        w.writerows(rows)
    return path


def empty(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in DATA_TABLES:
            conn.execute(text(f"DELETE FROM {table}"))


def register_before(engine: Engine, before: list[SubjectIn]) -> None:
    with unit_of_work(engine, ACTOR) as uow:
        for data in before:
            create_subject(uow, data, "before")


def one_by_one(engine: Engine, path: Path) -> ImportReport:
    """The import as it was: every row in its own savepoint (register_or_match with its events, and its audit
    event), one transaction per 7 rows."""
    report = ImportReport()
    rows = list(open_table(path).rows())
    for k in range(0, len(rows), 7):
        with unit_of_work(engine, ACTOR) as uow:
            for n, row in rows[k:k + 7]:
                report.total += 1
                try:
                    with uow.atomic():
                        subject = register_or_match(uow, subject_in(row), ACTOR.name)
                        if subject is not None:
                            uow.audit("subject.import", subject.code, str(path))
                except ValidationError as exc:
                    report.reject(n, [(p["field"], p["reason_zh"], p["reason_en"])
                                      for p in validation_problems(list(exc.errors()))])
                    continue
                except DomainError as exc:
                    report.reject(n, [(p.field, p.reason_zh, p.reason_en) for p in exc.problems])
                    continue
                report.created += subject is not None
                report.existing += subject is None
    return report


def state(engine: Engine) -> dict[str, Any]:
    """Every table the import writes, without ids, timestamps and the hashes over timestamps; subjects by code.
    Both chains (each subject's archive, the audit trail) are verified."""
    with unit_of_work(engine, writing=False) as uow:
        s = uow.session
        code = dict(s.execute(select(Subject.id, Subject.code)).all())
        verified = verify_archive(s)
        assert verified.ok, verified.problems[:5]
        checked, problems = verify_chain(s)
        assert not problems, problems[:5]
        chains: dict[str, list[Any]] = {}
        for e in s.scalars(select(ArchiveEntry).order_by(ArchiveEntry.subject_id, ArchiveEntry.seq)):
            chains.setdefault(code[e.subject_id], []).append(
                (e.seq, e.kind, e.summary, e.payload, e.ev_scope, e.ev_move, e.ev_new_grade, e.ev_old_grade))
        out = {
            "subjects": sorted((x.code, x.kind, x.name, x.created_by) for x in s.scalars(select(Subject))),
            "national_grades": [(code[g.subject_id], g.grade, g.valid_from, g.source)
                                for g in s.scalars(select(NationalGrade).order_by(NationalGrade.id))],
            "memberships": sorted((code[m.subject_id], m.industry) for m in s.scalars(select(SubjectIndustry))),
            "archive": chains,
            "evaluations": sorted((code[e.subject_id], e.scope, e.as_of, e.standard_version, e.base_score, e.score,
                                   e.grade, e.level, e.fused, e.fuse_articles, sorted(e.components.items()))
                                  for e in s.scalars(select(Evaluation))),
            "outbox": [(o.type, o.subject_code, o.data)
                       for o in s.scalars(select(OutboxEvent).order_by(OutboxEvent.seq, OutboxEvent.id))],
            "audit": [(a.seq, a.actor, a.role, a.action, a.target, a.origin, a.detail)
                      for a in s.scalars(select(AuditEvent).order_by(AuditEvent.seq))],
            "counts": {t: s.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in DATA_TABLES},
        }
        assert checked == len(out["audit"])
        return out


def outcomes(report: ImportReport) -> tuple[Any, ...]:
    return (report.total, report.created, report.existing, report.rejected, report.error_count,
            [(e.row, e.field, e.reason_zh, e.reason_en) for e in report.errors])


@pytest.mark.article("122号 Art.19")
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_set_based_import_ends_as_registering_the_rows_one_by_one(clean: Engine, tmp_path: Path, seed: int) -> None:
    rows, before = generate(seed, 90)
    path = write(tmp_path / "subjects.csv", rows)

    register_before(clean, before)
    single = one_by_one(clean, path)
    want = state(clean)

    empty(clean)
    register_before(clean, before)
    with unit_of_work(clean, ACTOR) as uow:
        bulk = import_subjects(uow, path, ACTOR, chunk_rows=7)  # many chunks: repeats within and across them
    got = state(clean)

    assert outcomes(bulk) == outcomes(single)
    for table in want:
        assert got[table] == want[table], table
    # every kind of row was there
    fields = {e.field for e in single.errors}
    assert {"code", "kind", "name", "national_grade", "industries", "industries[1]", "grade_effective_on"} <= fields
    conflicts = {e.reason_en for e in single.errors if e.field == "code" and "other content" in e.reason_en}
    assert conflicts and single.created and single.existing
    assert any(len(c) > 2 for c in want["archive"].values())  # industry evaluations archived after subject_created

    # re-running the file adds nothing: every row taken before is "existing" now
    with unit_of_work(clean, ACTOR) as uow:
        again = import_subjects(uow, path, ACTOR)
    assert (again.created, again.existing, again.rejected) == (0, bulk.created + bulk.existing, bulk.rejected)
    assert state(clean) == got


def test_an_import_inside_the_callers_transaction_is_one_unit(clean: Engine, tmp_path: Path) -> None:
    """A caller that already holds a transaction keeps the whole import in it (records/importer._chunked): all
    chunks are written, and rolled back together with the caller's."""
    rows, _before = generate(9, 30)
    path = write(tmp_path / "subjects.csv", rows)
    with pytest.raises(RuntimeError), unit_of_work(clean, ACTOR) as uow:
        uow.session.execute(text("SELECT 1"))  # the caller's transaction is open
        report = import_subjects(uow, path, ACTOR, chunk_rows=4)
        assert report.created and uow.session.scalar(select(Subject.id).limit(1)) is not None
        raise RuntimeError("the caller fails after the import")
    with clean.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM subjects")).scalar_one() == 0
        assert conn.execute(text("SELECT count(*) FROM archive_entries")).scalar_one() == 0


def test_a_code_registered_by_another_writer_meanwhile_sends_the_chunk_one_by_one(
        clean: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The chunk read its codes before a concurrent writer committed one of them (PostgreSQL; here the read is
    made to miss it): the unique code refuses the chunk's insert, and its new rows go through the single path —
    the one registered meanwhile is "existing" (same content) or a conflict, the others are created."""
    rows, _before = generate(11, 12)
    good = [r for r in rows if not r[5] and r[2] != "company" and r[3] != "E" and r[1].strip()
            and "no_such" not in r[4] and "verification;verification" not in r[4]]
    taken, other, fresh = good[0], good[1], good[2]
    with unit_of_work(clean, ACTOR) as uow:
        for row in (taken, other):
            create_subject(uow, subject_in(dict(zip(HEADER, row, strict=True))), "meanwhile")
    path = write(tmp_path / "subjects.csv", [taken, [*other[:1], other[1] + "（改名）", *other[2:]], fresh])
    monkeypatch.setattr(subjects_repo, "subjects_by_codes", lambda *_a, **_k: {})  # the chunk's read misses them
    with unit_of_work(clean, ACTOR) as uow:
        report = import_subjects(uow, path, ACTOR)
    assert (report.created, report.existing, report.rejected) == (1, 1, 1)
    assert [(e.row, e.field) for e in report.errors] == [(3, "code")]
    assert "other content" in report.errors[0].reason_en
    got = state(clean)  # the archive and the audit trail verify
    assert [a[4] for a in got["audit"] if a[3] == "subject.import"] == [fresh[0].upper()]
    assert [e[1] for e in got["archive"][fresh[0].upper()]][:1] == ["subject_created"]
