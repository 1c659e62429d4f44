"""Set-based intake of many records (系统对接 bulk POST and file import, 122号 Art.8; issue 10 item 1, issue 12 items
6-7): a chunk of rows is validated at once (one query per look-up kind), inserted with one executemany, its facts
archived in one go and its subjects re-evaluated once with the batch kernel — the same records, duplicate links,
enrolments, stored evaluations, per-row answers, idempotency and record archive entries as the single-record path
(`service.submit_record`) one row at a time; only the evaluation_changed entries differ: one per subject and scope
per chunk (old → new, cause `{"kind": "bulk_import", "records": [ids…]}`) instead of one per record
(docs/decisions.md; tests/records/test_bulk_equality.py).

Order: each subject's rows keep their order (its records' ids grow as they would one by one, so the first of a
decision stays the one that counts, G1-16), and its facts are archived in the order the single path archives them
(record_entered, record_duplicate_linked, industry_enrolled). A whitelist removal follows the chunk's record
entries of that subject instead of its first bad record's (44号 Task 12, same reason and effect).

`closes` (122号 Art.16(2)) is checked against the state before the chunk: a row closing a record that did not exist
when the chunk began (e.g. created by an earlier row of the same chunk, whose id the sender could only guess) is
refused with a 422 saying to send it in a later chunk or request.

Each chunk is one unit of work opened by the caller (`run_chunks`): it commits on its own, so a crash loses at
most the chunk in flight (never a row reported accepted), a re-run finds the committed rows "existing", and a
concurrent writer waits at most about one chunk (chunks are sized to `chunk_seconds`; on SQLite, when a writer
waits for the write lock after a commit, a short pause lets it in first; on PostgreSQL the chunk locks its subjects
in id order first).
"""

from __future__ import annotations

import time
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import islice
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TypeVar, cast

import yaml
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..auth.actors import Actor
from ..core.clock import Clock
from ..core.events import SubjectFact
from ..core.uow import UnitOfWork, start
from ..db.session import writers_waiting
from ..errors import ConflictError, DomainError, ForbiddenError, InputError, Problem
from ..errors_http import validation_problems
from ..governance.rulebook import in_force_rows, item_in_force
from ..messages.evaluation import GENERAL_SCOPE, ReevaluateSubjects
from ..messages.records import RecordDuplicateLinked, RecordEntered, RecordsEntered
from ..messages.subjects import SubjectEnrolled
from ..reference import repository as reference_repo
from ..reference.models import CatalogueItem
from ..reference.service import items_firing
from ..rules.identifiers import check_subject_code, normalize_code
from ..subjects import repository as subjects_repo
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
    field_problems,
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


# The answer of a taken row, computed once its chunk was handled (the evaluation after the chunk).
BodyMaker = Callable[[UnitOfWork, Submitted], dict[str, Any]]


@dataclass
class _Row:
    out: Outcome
    data: RecordIn
    subject: Subject
    item: CatalogueItem
    same_as: _Row | None = None  # an earlier row of the chunk with the same subject and source_ref
    existing: Record | None = None  # the stored record of the same subject and source_ref


R = TypeVar("R")

# Records a run adds before their first ANALYZE (then at each doubling: about 8 for 200,000 into an empty store,
# none for 200,000 into a store of ten million, whose statistics already describe it).
ANALYZE_FLOOR = 1000


def run_chunks(engine: Engine, actor: Actor, rows: Iterable[tuple[int, Any]], on_chunk: Callable[[list[R]], None],
               *, clock: Clock | None = None, chunk_rows: int | None = None,
               ingest: Callable[..., list[R]] | None = None, **options: Any) -> None:
    """Take `rows` chunk by chunk, each chunk in its own unit of work that commits before `on_chunk` hears of it
    (what it reports is durable). The first chunk is small; later ones are sized so that one holds the write
    lock about `chunk_seconds` (issue 12 item 6), never more than `chunk_rows` (limits.yaml, or the argument).
    On SQLite, when another writer waits on the busy timeout after a commit, a short pause lets it in first (no
    pause when nobody waits: db.session.writers_waiting). `ingest(uow, chunk, actor, **options)` takes a chunk:
    records (ingest_chunk) unless another is given (a subjects import, records/importer.py)."""
    lim = limits()
    most = max(1, chunk_rows or int(lim["chunk_rows"]))
    size = min(most, int(lim["first_chunk_rows"]))
    pause = float(lim["pause_seconds"]) if engine.dialect.name == "sqlite" else 0.0
    source = iter(rows)
    first = True
    records = ingest is None  # the records' intake (the subjects' passes its own `ingest`)
    if ingest is None:
        ingest = cast(Callable[..., list[R]], ingest_chunk)
        options.setdefault("dues", {})  # act date → due date, kept across the chunks of one run
    planned = repository.planned_rows(engine) if records else None
    grown = 0
    while batch := list(islice(source, size)):
        if not first and pause and writers_waiting(engine):
            time.sleep(pause)
        first = False
        began = time.monotonic()
        with start(engine, actor, clock) as uow:
            outcomes = ingest(uow, batch, actor, **options)
        rate = len(batch) / max(time.monotonic() - began, 1e-3)
        on_chunk(outcomes)
        if planned is not None:
            # PostgreSQL: each time the run has doubled the records the planner knows of (from a floor), their
            # statistics anew. A plan made for a small or never-analysed table — kept as the generic plan of a
            # prepared statement — read every record of the period for each chunk, so a 200,000-record import on a
            # fresh store slowed down chunk by chunk (issue 10 item 1; bench/profiles.md).
            grown += sum(o.created for o in outcomes)  # type: ignore[attr-defined]
            if grown >= max(planned, ANALYZE_FLOOR):
                planned, grown = repository.analyze_intake_tables(engine), 0
        size = max(1, min(most, int(rate * float(lim["chunk_seconds"]))))


def ingest_chunk(uow: UnitOfWork, rows: Sequence[tuple[int, Mapping[str, Any]]], actor: Actor, *,
                 body: BodyMaker | None = None, reevaluate_existing: bool = True,
                 audit: tuple[str, str] = ("record.create", "bulk"),
                 dues: dict[date, tuple[date, bool]] | None = None) -> list[Outcome]:
    """Take one chunk of raw rows (index, mapping) in `uow`; return one Outcome per row, in order.

    `body`: make each taken row's answer (the bulk API's record with its evaluation); `reevaluate_existing`: an
    unchanged repeat re-evaluates its subject as the single path does (its answer shows the current evaluation;
    an import, which shows none, leaves it). `audit`: (action, detail) of the one audit event of the chunk,
    naming the records it created. `dues`: act date → due date (122号 Art.8(1)), shared by a run's chunks."""
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
    codes = {normalize_code(d.subject) for _, d in parsed}
    if body is None:  # a file import uses a subject's id and code only: no ORM object per subject
        subjects = {c: cast(Subject, SimpleNamespace(id=sid, code=code))
                    for c, (sid, code) in subjects_repo.subject_keys_by_codes(session, codes).items()}
    else:  # the bulk API answers each row with its subject's evaluation, read through these objects
        subjects = subjects_repo.subjects_by_codes(session, codes)
    catalogue = reference_repo.catalogue(session)
    departments = {d.code for d in reference_repo.departments(session)}
    closes_ids = {d.closes for _, d in parsed if d.closes is not None}
    targets = repository.by_ids(session, closes_ids) if closes_ids else {}
    target_status = repository.statuses(session, targets) if targets else {}
    refusal_items = set(items_firing(session, REFUSAL_FUSE_KEY)) if closes_ids else set()
    newest = repository.max_record_id(session) if closes_ids - targets.keys() else 0  # ids after it: not yet
    keys = {(subjects[normalize_code(d.subject)].id, d.source_ref) for _, d in parsed
            if normalize_code(d.subject) in subjects}
    stored = repository.by_source_refs(session, keys)
    standard_items = _standard_items(session)

    # -- validation, row by row in memory (the checks and messages of service.validate_record) -------------------
    taken: list[_Row] = []
    later: list[tuple[Outcome, _Row]] = []  # repeats and conflicts of an earlier row: its record id comes later
    pending: dict[tuple[int, str], _Row] = {}
    for out, data in parsed:
        try:
            subject, item = _validate(session, data, actor, today, subjects, catalogue, departments, targets,
                                      target_status, refusal_items, standard_items, newest)
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
            taken.append(row)

    # -- write: lock, insert in one statement, link duplicates, publish the chunk's facts at once, handle ----------
    touched = sorted({r.subject.id for r in taken})
    repository.lock_subjects(session, touched)  # PostgreSQL: a real-time writer of these subjects waits (Art.13)
    created = [r for r in taken if r.out.status == 201]
    facts = _insert(uow, created, actor, {} if dues is None else dues) if created else []
    for r in taken:
        if r.out.record is None and r.same_as is not None:
            r.out.record = r.same_as.out.record
    if facts:
        uow.publish(RecordsEntered(facts))  # archived in one go, enrolled in bulk, whitelists (122号 Art.19)
    created_ids = [r.out.record.id for r in created if r.out.record is not None and r.out.status == 201]
    causes: dict[int, list[int]] = {}
    for r in taken:
        if r.out.taken and r.out.record is not None:
            ids = causes.setdefault(r.subject.id, [])
            if r.out.status == 201:
                ids.append(r.out.record.id)
    if causes:  # each touched subject once, with the batch kernel (122号 Art.13; docs/decisions.md)
        uow.publish(ReevaluateSubjects(sorted(causes), causes={
            sid: {"kind": "bulk_import", "records": ids} for sid, ids in causes.items()}, explain=body is not None))
    uow.handle()
    repeats = [r.out.record.id for r in taken if r.out.status == 200 and r.out.record is not None]
    now_status = repository.statuses(session, repeats) if repeats else {}
    for r in taken:
        if r.out.record is None:
            continue
        if r.out.status == 200:
            r.out.record_status = now_status.get(r.out.record.id, "active")
        if body is not None and r.out.taken:
            r.out.body = body(uow, Submitted(r.out.record, r.out.created, r.out.scope, r.out.record_status,
                                             r.subject.code))
    for out, earlier in later:  # the earlier row's record exists now
        if earlier.out.record is None:
            continue
        if out.status == 409:
            out.errors = _conflict(earlier.data.source_ref, earlier.out.record.id)
        elif out.record is None:
            out.record = earlier.out.record
    if created_ids:
        uow.audit(audit[0], _id_ranges(created_ids)[:200], f"{len(created_ids)} records; {audit[1]}"[:2000])
    return outcomes


def _insert(uow: UnitOfWork, rows: list[_Row], actor: Actor, dues: dict[date, tuple[date, bool]]
            ) -> list[SubjectFact]:
    """Insert the chunk's new records in one statement (each subject's in row order, so its ids grow as they would
    one by one), link the duplicates among them (G1-16) and return, in order, the facts submit_record publishes
    for each: RecordEntered, then RecordDuplicateLinked when it is one, then SubjectEnrolled when its item's
    industry is new to the subject (G1-04; enrol_for_record's rule over the subjects' industries read at once)."""
    session = uow.session
    now = uow.clock.now()
    values = []
    for r in rows:
        data, item = r.data, r.item
        if data.act_date not in dues:
            dues[data.act_date] = due_date_for(data.act_date)
        due, provisional = dues[data.act_date]
        values.append(dict(
            subject_id=r.subject.id, item=item.code, act_date=data.act_date, department=data.department,
            source_ref=data.source_ref, source_system=actor.name, channel=actor.channel, note=data.note or None,
            entered_by=actor.name, entered_at=now, due_date=due, due_provisional=provisional,
            late=is_late(actor.channel, now.date(), due), decision_no=data.decision_no,
            info_class=data.info_class or item.source_category,
            admin_category=data.admin_category or item.admin_category, accident_grade=data.accident_grade,
            closes_id=data.closes, effect_ends_on=data.effect_ends_on, supersedes_id=None))
    decisions = repository.counting_decisions(session, {  # before the chunk's own records are in
        (r.subject.id, r.data.department, r.data.decision_no, r.item.code) for r in rows
        if r.data.decision_no is not None})
    try:
        with session.begin_nested():  # a concurrent writer of the same subject and source_ref wins the index
            ids = repository.insert_record_rows(session, values)
    except IntegrityError:
        _one_by_one(uow, rows, actor)
        return []
    enrolled = repository.industries_of(session, {r.subject.id for r in rows if r.item.industry is not None})
    facts: list[SubjectFact] = []
    duplicates: list[dict[str, Any]] = []
    for r, row, record_id in zip(rows, values, ids, strict=True):
        # the record as stored, read only (an ORM object per row would cost more than its insert)
        record = r.out.record = cast(Record, SimpleNamespace(id=record_id, **row))
        facts.append(RecordEntered(r.subject.id, r.subject.code, record_id=record.id, item=r.item.code,
                                   item_name=r.item.name, industry=r.item.industry, facts=record_facts(record)))
        if record.decision_no is not None:
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
                duplicates.append({"record_id": loser, "duplicate_of_id": winner, "reason": reason,
                                   "marked_at": now})
                facts.append(RecordDuplicateLinked(r.subject.id, r.subject.code, record_id=loser, duplicate_of=winner,
                                                   decision_no=record.decision_no, reason=reason))
            else:
                counting.append((record.id, record.channel))
        industry = r.item.industry
        if industry is not None and industry not in (held := enrolled.setdefault(r.subject.id, set())):
            held.add(industry)
            facts.append(SubjectEnrolled(r.subject.id, r.subject.code, industry=industry))
    repository.insert_duplicates(session, duplicates)
    return facts


def _one_by_one(uow: UnitOfWork, rows: list[_Row], actor: Actor) -> None:
    """A concurrent writer took one of the chunk's keys first (PostgreSQL): take its new rows through the single
    path."""
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


class _StandardItems:
    """item_in_force for many rows: the standards in force change only on their effective dates, so an item's
    definition is the same for every act date between two of them — looked up once per (item, such span), and
    kept while the counting standard versions stay as they are (their signature, as the rulebook cache keys)."""

    _kept: tuple[Any, _StandardItems] | None = None

    def __init__(self, dates: list[date]) -> None:
        self.dates = dates
        self.items: dict[tuple[str, int], Any] = {}

    def get(self, session: Session, code: str, on: date) -> Any:
        key = (code, bisect_right(self.dates, on))
        if key not in self.items:
            self.items[key] = item_in_force(session, code, on)
        return self.items[key]


def _standard_items(session: Session) -> _StandardItems:
    signature = tuple(tuple(r) for r in in_force_rows(session))  # read once: the chunk's rulebook asks too
    kept = _StandardItems._kept
    if kept is None or kept[0] != signature:
        dates = sorted({d if isinstance(d, date) else date.fromisoformat(str(d)[:10])
                        for _v, _s, d, _t in signature if d is not None})
        kept = _StandardItems._kept = (signature, _StandardItems(dates))
    return kept[1]


def _validate(session: Session, data: RecordIn, actor: Actor, today: date, subjects: dict[str, Subject],
              catalogue: dict[str, CatalogueItem], departments: set[str], targets: dict[int, Record],
              target_status: dict[int, str], refusal_items: set[str], standard_items: _StandardItems,
              newest: int = 0) -> tuple[Subject, CatalogueItem]:
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
    problems += field_problems(data, item, data.department in departments, today)
    if item is not None:
        standard_item = standard_items.get(session, item.code, data.act_date)
        if (data.info_class is not None or data.admin_category is not None or data.accident_grade is not None
                or (standard_item is not None and standard_item.accident_grades)):  # else it has nothing to say
            problems += _class_problems(data, item, standard_item, today)
    if data.closes is not None and subject is not None:
        target = targets.get(data.closes)
        if target is None and data.closes > newest:
            problems.append(Problem(
                "closes", f"记录 {data.closes} 在本批开始时尚不存在；关闭同一批中新建记录的行请在之后的批次或请求中报送"
                          "（122号 第十六条(二)）",
                f"record {data.closes} did not exist when this chunk began; a row closing a record created in the "
                f"same chunk must be sent in a later chunk or request (122号 Art.16(2))"))
        elif (target is None or target.subject_id != subject.id or target.item not in refusal_items
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
