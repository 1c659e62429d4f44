"""Set-based intake of many records (系统对接 bulk POST and file import, 122号 Art.8; issue 10 item 1, issue 12 items
6-7): a chunk of rows is validated at once (one query per look-up kind), inserted with executemany, and its facts
are published and handled exactly as the single-record path (`service.submit_record`) publishes them — so the
archive (122号 Art.19), the real-time evaluations (122号 Art.13), the whitelist and the outbox see the same facts,
the same per-subject order and the same causes, and the answers are the same row by row.

Why "waves": a subject's evaluation after its k-th record of the chunk must not see its (k+1)-th, and every fact
that follows from a record (duplicate link, industry enrolment, evaluation change, whitelist removal) concerns
that record's subject only. So the chunk's rows are inserted and handled in waves — wave k holds each subject's
k-th row — and each subject is re-evaluated once per wave, with the record of that wave as the cause, as it is
once per record on the single path. Subjects do not affect each other, so only the interleaving of different
subjects' entries differs (and the surrogate ids, given in wave order).

Each chunk is one unit of work opened by the caller (`run_chunks`): it commits on its own, so a crash loses at
most the chunk in flight (never a row reported accepted), a re-run finds the committed rows "existing", and a
concurrent writer waits at most about one chunk (chunks are sized to `chunk_seconds`; on SQLite a short pause
after each commit lets a waiting writer in first).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..auth.actors import Actor
from ..core.clock import Clock
from ..core.uow import UnitOfWork, start
from ..errors import ConflictError, DomainError, ForbiddenError, InputError, Problem, future_problem
from ..errors_http import validation_problems
from ..governance.rulebook import item_in_force
from ..messages.evaluation import GENERAL_SCOPE, ReevaluateSubject
from ..messages.records import RecordDuplicateLinked, RecordEntered
from ..reference import repository as reference_repo
from ..reference.models import CatalogueItem
from ..reference.service import items_firing
from ..rules.identifiers import check_subject_code, normalize_code
from ..subjects.models import Subject
from . import repository
from .models import Record
from .schemas import RecordIn
from .scope import check_business_item
from .service import (
    REFUSAL_FUSE_KEY,
    Submitted,
    _class_problems,
    _content,
    _stored_content,
    due_date_for,
    is_late,
    record_facts,
    submit_record,
)

LIMITS_FILE = Path(__file__).with_name("limits.yaml")


@lru_cache(maxsize=1)
def limits() -> dict[str, Any]:
    """name → value of records/limits.yaml (each documented there with its reason)."""
    raw = yaml.safe_load(LIMITS_FILE.read_text(encoding="utf-8"))
    return {name: entry["value"] for name, entry in raw.items()}


@dataclass
class Outcome:
    """What became of one row: 201 created, 200 the same record already there, 403/409/422 refused (`errors`)."""

    index: int  # the caller's position of the row (bulk index, or spreadsheet row number)
    status: int
    errors: list[dict[str, str]] = field(default_factory=list)
    record: Record | None = None
    subject: Subject | None = None
    scope: str = GENERAL_SCOPE
    record_status: str = "active"
    body: dict[str, Any] | None = None

    @property
    def created(self) -> bool:
        return self.status == 201

    @property
    def taken(self) -> bool:
        return self.status in (200, 201)


# The answer of a taken row, computed right after its wave was handled (the evaluation after that row).
BodyMaker = Callable[[UnitOfWork, Submitted], dict[str, Any]]


@dataclass
class _Row:
    out: Outcome
    data: RecordIn
    subject: Subject
    item: CatalogueItem
    same_as: _Row | None = None  # an earlier row of the chunk with the same subject and source_ref
    existing: Record | None = None  # the stored record of the same subject and source_ref
    wave: int = 0


def run_chunks(engine: Engine, actor: Actor, rows: Iterable[tuple[int, Mapping[str, Any]]],
               on_chunk: Callable[[list[Outcome]], None], *, clock: Clock | None = None,
               chunk_rows: int | None = None, **options: Any) -> None:
    """Take `rows` chunk by chunk, each chunk in its own unit of work that commits before `on_chunk` hears of it
    (what it reports is durable). The first chunk is small; later ones are sized so that one holds the write
    lock about `chunk_seconds` (issue 12 item 6), never more than `chunk_rows` (limits.yaml, or the argument).
    On SQLite a short pause after each commit lets a writer waiting on the busy timeout in first."""
    lim = limits()
    most = max(1, chunk_rows or int(lim["chunk_rows"]))
    size = min(most, int(lim["first_chunk_rows"]))
    pause = float(lim["pause_seconds"]) if engine.dialect.name == "sqlite" else 0.0
    source = iter(rows)
    first = True
    while batch := list(islice(source, size)):
        if not first and pause:
            time.sleep(pause)
        first = False
        began = time.monotonic()
        with start(engine, actor, clock) as uow:
            outcomes = ingest_chunk(uow, batch, actor, **options)
        rate = len(batch) / max(time.monotonic() - began, 1e-3)
        on_chunk(outcomes)
        size = max(1, min(most, int(rate * float(lim["chunk_seconds"]))))


def ingest_chunk(uow: UnitOfWork, rows: Sequence[tuple[int, Mapping[str, Any]]], actor: Actor, *,
                 body: BodyMaker | None = None, reevaluate_existing: bool = True,
                 audit: tuple[str, str] = ("record.create", "bulk")) -> list[Outcome]:
    """Take one chunk of raw rows (index, mapping) in `uow`; return one Outcome per row, in order.

    `body`: make each taken row's answer (the bulk API's record with its evaluation); `reevaluate_existing`: an
    unchanged repeat re-evaluates its subject as the single path does (its answer shows the current evaluation;
    an import, which shows none, leaves it). `audit`: (action, detail) of the one audit event of the chunk,
    naming the records it created."""
    session = uow.session
    today = uow.clock.today()
    outcomes: list[Outcome] = []
    parsed: list[tuple[Outcome, RecordIn]] = []
    for index, raw in rows:
        try:
            data = RecordIn.model_validate(dict(raw))
        except ValidationError as exc:
            outcomes.append(Outcome(index, 422, validation_problems(list(exc.errors()))))
            continue
        out = Outcome(index, 0)
        outcomes.append(out)
        parsed.append((out, data))
    if not parsed:
        return outcomes

    # -- look-ups: one query per kind for the whole chunk ------------------------------------------------------
    subjects = repository.subjects_by_codes(session, {normalize_code(d.subject) for _, d in parsed})
    catalogue = reference_repo.catalogue(session)
    departments = {d.code for d in reference_repo.departments(session)}
    closes_ids = {d.closes for _, d in parsed if d.closes is not None}
    targets = repository.by_ids(session, closes_ids) if closes_ids else {}
    target_status = repository.statuses(session, targets) if targets else {}
    refusal_items = set(items_firing(session, REFUSAL_FUSE_KEY)) if closes_ids else set()
    keys = {(subjects[normalize_code(d.subject)].id, d.source_ref) for _, d in parsed
            if normalize_code(d.subject) in subjects}
    stored = repository.by_source_refs(session, keys)
    standard_items: dict[tuple[str, date], Any] = {}

    # -- validation, row by row in memory (the checks and messages of service.validate_record) -------------------
    taken: list[_Row] = []
    later: list[tuple[Outcome, _Row]] = []  # repeats and conflicts of an earlier row: its record id comes later
    pending: dict[tuple[int, str], _Row] = {}
    position: dict[int, int] = {}  # subject id → rows of it so far (its next wave)
    for out, data in parsed:
        try:
            subject, item = _validate(session, data, actor, today, subjects, catalogue, departments, targets,
                                      target_status, refusal_items, standard_items)
        except DomainError as exc:
            out.status, out.errors = exc.status_code, exc.as_detail()
            continue
        row = _Row(out, data, subject, item)
        out.subject, out.scope = subject, item.industry or GENERAL_SCOPE
        key = (subject.id, data.source_ref)
        earlier = pending.get(key)
        existing = stored.get(key)
        if existing is not None:
            if _stored_content(existing, subject.code) != _content(data, subject.code, item):
                out.status, out.errors = 409, _conflict(data.source_ref, existing.id)
                continue
            out.status, out.record = 200, existing
        elif earlier is not None:
            same = _content(earlier.data, subject.code, earlier.item) == _content(data, subject.code, item)
            out.status = 200 if same else 409
            later.append((out, earlier))
            if not same:
                continue
            row.same_as = earlier
        else:
            out.status = 201
            pending[key] = row
        if out.status == 201 or reevaluate_existing:
            row.wave = position.get(subject.id, 0)
            position[subject.id] = row.wave + 1
            taken.append(row)

    # -- waves: insert, link duplicates, publish, handle --------------------------------------------------------
    waves: dict[int, list[_Row]] = {}
    for row in taken:
        waves.setdefault(row.wave, []).append(row)
    decisions = repository.counting_decisions(session, {
        (r.subject.id, r.data.department, r.data.decision_no, r.item.code) for r in taken
        if r.out.status == 201 and r.data.decision_no is not None})
    created_ids: list[int] = []
    for k in sorted(waves):
        wave = waves[k]
        _insert_wave(uow, [r for r in wave if r.out.status == 201], actor, decisions)
        for r in wave:
            if r.out.status == 201:
                assert r.out.record is not None
                created_ids.append(r.out.record.id)
            elif r.out.record is None and r.same_as is not None:
                r.out.record = r.same_as.out.record
            if r.out.status == 200:  # an unchanged repeat shows the current evaluation (as submit_record does)
                uow.publish(ReevaluateSubject(r.subject.id))
        uow.handle()  # archived, enrolled, re-evaluated now: each subject once per wave (122号 Art.13, Art.19)
        for r in wave:  # a new enrolment: the next wave reads the industries in stored order, as a new request does
            if r.item.industry is not None:
                session.expire(r.subject, ["industries"])
        repeats = [r.out.record.id for r in wave if r.out.status == 200 and r.out.record is not None]
        now_status = repository.statuses(session, repeats) if repeats else {}
        for r in wave:
            assert r.out.record is not None
            if r.out.status == 200:
                r.out.record_status = now_status.get(r.out.record.id, "active")
            if body is not None:
                r.out.body = body(uow, Submitted(r.out.record, r.out.created, r.out.scope, r.out.record_status,
                                                 r.subject.code))
    for out, earlier in later:  # the earlier row's record exists now
        assert earlier.out.record is not None
        if out.status == 409:
            out.errors = _conflict(earlier.data.source_ref, earlier.out.record.id)
        elif out.record is None:
            out.record = earlier.out.record
    if created_ids:
        uow.audit(audit[0], _id_ranges(created_ids)[:200], f"{len(created_ids)} records; {audit[1]}"[:2000])
    return outcomes


def _insert_wave(uow: UnitOfWork, rows: list[_Row], actor: Actor,
                 decisions: dict[repository.DecisionKey, list[tuple[int, str]]]) -> None:
    """Insert the wave's new records in one statement, link the duplicates among them (G1-16) and publish what
    submit_record publishes for each: RecordEntered, then RecordDuplicateLinked when it is one."""
    if not rows:
        return
    session = uow.session
    now = uow.clock.now()
    values = []
    for r in rows:
        data, item = r.data, r.item
        due, provisional = due_date_for(data.act_date)
        values.append(dict(
            subject_id=r.subject.id, item=item.code, act_date=data.act_date, department=data.department,
            source_ref=data.source_ref, source_system=actor.name, channel=actor.channel, note=data.note or None,
            entered_by=actor.name, entered_at=now, due_date=due, due_provisional=provisional,
            late=is_late(actor.channel, now.date(), due), decision_no=data.decision_no,
            info_class=data.info_class or item.source_category,
            admin_category=data.admin_category or item.admin_category, accident_grade=data.accident_grade,
            closes_id=data.closes, effect_ends_on=data.effect_ends_on, supersedes_id=None))
    try:
        with session.begin_nested():  # a concurrent writer of the same subject and source_ref wins the index
            records = repository.insert_records(session, values)
    except IntegrityError:
        _one_by_one(uow, rows, actor)
        return
    duplicates: list[dict[str, Any]] = []
    for r, record in zip(rows, records, strict=True):
        r.out.record = record
        uow.publish(RecordEntered(r.subject.id, r.subject.code, record_id=record.id, item=r.item.code,
                                  item_name=r.item.name, industry=r.item.industry, facts=record_facts(record)))
        if record.decision_no is None:
            continue
        # service._link_duplicate: the first counting record of the same decision; the interface record wins
        key = (record.subject_id, record.department, record.decision_no, record.item)
        counting = decisions.setdefault(key, [])
        if counting:
            first_id, first_channel = counting[0]
            if record.channel == "interface" and first_channel != "interface":
                loser, winner, winner_channel = first_id, record.id, record.channel
                counting.pop(0)
                counting.append((record.id, record.channel))
                counting.sort()
            else:
                loser, winner, winner_channel = record.id, first_id, first_channel
            reason = f"同一决定 {record.decision_no} 已由记录 #{winner} 报送（{winner_channel}）"
            duplicates.append({"record_id": loser, "duplicate_of_id": winner, "reason": reason, "marked_at": now})
            uow.publish(RecordDuplicateLinked(r.subject.id, r.subject.code, record_id=loser, duplicate_of=winner,
                                              decision_no=record.decision_no, reason=reason))
        else:
            counting.append((record.id, record.channel))
    repository.insert_duplicates(session, duplicates)


def _one_by_one(uow: UnitOfWork, rows: list[_Row], actor: Actor) -> None:
    """A concurrent writer took one of the wave's keys first (PostgreSQL): take the wave through the single path."""
    for r in rows:
        try:
            with uow.atomic():
                sub = submit_record(uow, r.data, actor)
        except DomainError as exc:
            r.out.status, r.out.errors = exc.status_code, exc.as_detail()
            continue
        r.out.record, r.out.status = sub.record, 201 if sub.created else 200
        r.out.record_status = sub.status


def _id_ranges(ids: Iterable[int]) -> str:
    """records:1-5,9,12-14 — the records a chunk created, for its audit event."""
    parts: list[str] = []
    ordered = sorted(ids)
    lo = prev = ordered[0]
    for i in [*ordered[1:], None]:
        if i is not None and i == prev + 1:
            prev = i
            continue
        parts.append(str(lo) if lo == prev else f"{lo}-{prev}")
        if i is not None:
            lo = prev = i
    return "records:" + ",".join(parts)


def _conflict(source_ref: str, record_id: int) -> list[dict[str, str]]:
    """service.submit_record's 409: the same subject and source_ref with other content."""
    return ConflictError("source_ref", f"来源编号 {source_ref} 已用于内容不同的记录 #{record_id}",
                         f"source_ref {source_ref} already names record #{record_id} with other content").as_detail()


def _validate(session: Session, data: RecordIn, actor: Actor, today: date, subjects: dict[str, Subject],
              catalogue: dict[str, CatalogueItem], departments: set[str], targets: dict[int, Record],
              target_status: dict[int, str], refusal_items: set[str], standard_items: dict[tuple[str, date], Any]
              ) -> tuple[Subject, CatalogueItem]:
    """service.validate_record over looked-up maps: the same checks, in the same order, with the same messages
    (tests/records/test_bulk_equality.py compares the two row by row)."""
    problems: list[Problem] = []
    code = normalize_code(data.subject)
    subject = subjects.get(code)
    if subject is None:
        malformed = check_subject_code(code, "individual" if code[:17].isdigit() else "organization")
        problems.append(Problem("subject", *malformed) if malformed
                        else Problem("subject", f"未登记的评价对象 {data.subject}", f"unknown subject {data.subject}"))
    item = catalogue.get(data.item)
    if item is None:
        problems.append(Problem("item", f"归集目录中没有指标 {data.item}", f"unknown catalogue item {data.item}"))
    if data.department not in departments:
        problems.append(Problem("department", f"未知部门代码 {data.department}", f"unknown department {data.department}"))
    if (late_fact := future_problem("act_date", "行为日期", data.act_date, today)) is not None:
        problems.append(late_fact)
    if not data.source_ref.strip():
        problems.append(Problem("source_ref", "来源编号不能为空", "source_ref must not be blank"))
    if data.effect_ends_on is not None and data.effect_ends_on < data.act_date:
        problems.append(Problem("effect_ends_on", f"效力截止日 {data.effect_ends_on} 早于行为日期 {data.act_date}",
                                f"effect_ends_on {data.effect_ends_on} is before act_date {data.act_date}"))
    if item is not None:
        key = (item.code, data.act_date)
        if key not in standard_items:
            standard_items[key] = item_in_force(session, item.code, data.act_date)
        problems += _class_problems(data, item, standard_items[key], today)
    if data.closes is not None and subject is not None:
        target = targets.get(data.closes)
        if (target is None or target.subject_id != subject.id or target.item not in refusal_items
                or target_status.get(target.id) != "active"):
            problems.append(Problem("closes", f"记录 {data.closes} 不是该对象有效的拒不履行记录（122号 第十六条(二)）",
                                    f"record {data.closes} is not an active refusal to perform of this subject "
                                    f"(122号 Art.16(2))"))
    if problems:
        raise InputError(problems[0].field, problems[0].reason_zh, problems[0].reason_en, *problems[1:])
    if actor.role == "business" and actor.department != data.department:
        raise ForbiddenError("department", f"业务部门令牌只能以本部门({actor.department})名义录入",
                             f"a business token may only enter records of its own department ({actor.department})")
    assert subject is not None and item is not None
    check_business_item(session, actor, item)  # 122号 Art.4(2): industry items only of its own industries
    return subject, item
