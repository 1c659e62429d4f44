"""Collect credit records (信息归集, 122号 第八条) and withdraw them; every write re-evaluates in real time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..auth.actors import Actor
from ..calendar.service import default_calendar
from ..core.uow import UnitOfWork
from ..errors import ConflictError, ForbiddenError, InputError, NotFoundError, Problem
from ..messages.evaluation import GENERAL_SCOPE, ReevaluateSubject
from ..messages.records import RecordEntered, RecordWithdrawn
from ..reference.models import CatalogueItem, Department
from ..rules.identifiers import check_subject_code, normalize_code
from ..standards.loader import load_parameters
from ..subjects import repository as subjects_repo
from ..subjects.models import Subject
from . import repository
from .models import WITHDRAWAL_KINDS, Record, Withdrawal
from .schemas import RecordIn
from .scope import check_business_item


@dataclass
class Submitted:
    """What a write did to a record; `scope` is the evaluation it shows (the item's industry, or general)."""

    record: Record
    created: bool
    scope: str
    status: str = "active"
    subject_code: str = ""


def due_date_for(act_date: date) -> tuple[date, bool]:
    """122号 第八条(一): 相关行政行为作出后5个工作日内填报. The act day itself is not counted (G0-1). Where the
    holiday calendar does not yet cover the year, the date counts weekends only and is marked provisional."""
    n = load_parameters().at(act_date).entry_deadline_workdays
    return default_calendar().add_workdays_provisional(act_date, n)


def _content(data: RecordIn, subject_code: str) -> tuple[Any, ...]:
    return (subject_code, data.item, data.act_date, data.department, data.note or None)


def _stored_content(record: Record, subject_code: str) -> tuple[Any, ...]:
    return (subject_code, record.item, record.act_date, record.department, record.note or None)


def validate_record(session: Session, data: RecordIn, actor: Actor, today: date) -> tuple[Subject, CatalogueItem]:
    problems: list[Problem] = []
    code = normalize_code(data.subject)
    subject = subjects_repo.by_code(session, code)
    if subject is None:
        # Name a malformed code as such (e.g. a wrong USCC check character), not merely as unknown.
        malformed = check_subject_code(code, "individual" if code[:17].isdigit() else "organization")
        if malformed:
            problems.append(Problem("subject", *malformed))
        else:
            problems.append(Problem("subject", f"未登记的评价对象 {data.subject}", f"unknown subject {data.subject}"))
    item = session.get(CatalogueItem, data.item)
    if item is None:
        problems.append(Problem("item", f"归集目录中没有指标 {data.item}", f"unknown catalogue item {data.item}"))
    if session.get(Department, data.department) is None:
        problems.append(Problem("department", f"未知部门代码 {data.department}", f"unknown department {data.department}"))
    if data.act_date > today:
        problems.append(Problem("act_date", f"行为日期 {data.act_date} 晚于今天 {today}",
                                f"act_date {data.act_date} is in the future (today is {today})"))
    if not data.source_ref.strip():
        problems.append(Problem("source_ref", "来源编号不能为空", "source_ref must not be blank"))
    if problems:
        raise InputError(problems[0].field, problems[0].reason_zh, problems[0].reason_en, *problems[1:])
    # 谁生成、谁录入、谁负责 (第八条): a business department reports its own records only.
    if actor.role == "business" and actor.department != data.department:
        raise ForbiddenError("department", f"业务部门令牌只能以本部门({actor.department})名义录入",
                             f"a business token may only enter records of its own department ({actor.department})")
    assert subject is not None and item is not None
    check_business_item(session, actor, item)  # 122号 第四条(二): industry items only of its own industries
    return subject, item


def submit_record(uow: UnitOfWork, data: RecordIn, actor: Actor, today: date | None = None) -> Submitted:
    """One event, one record (第十九条). The same source_ref with the same content is the same record (200);
    with other content it is a conflict (409), never a silent overwrite (第八条(二) 不得擅自修改)."""
    session = uow.session
    today = today or uow.clock.today()
    subject, item = validate_record(session, data, actor, today)
    scope = item.industry or GENERAL_SCOPE
    existing = repository.by_source_ref(session, data.source_ref)
    if existing is not None:
        owner = session.get(Subject, existing.subject_id)
        assert owner is not None
        if _stored_content(existing, owner.code) != _content(data, subject.code):
            raise ConflictError("source_ref", f"来源编号 {data.source_ref} 已用于内容不同的记录 #{existing.id}",
                                f"source_ref {data.source_ref} already names record #{existing.id} with other content")
        uow.publish(ReevaluateSubject(owner.id))  # the answer shows the subject's current evaluation
        uow.handle()
        return Submitted(existing, False, scope, repository.status_of(session, existing), owner.code)
    due, provisional = due_date_for(data.act_date)
    now = uow.clock.now()
    record = Record(
        subject_id=subject.id, item=item.code, act_date=data.act_date, department=data.department,
        source_ref=data.source_ref, source_system=actor.name, channel=actor.channel, note=data.note or None,
        entered_by=actor.name, entered_at=now, due_date=due, due_provisional=provisional,
        late=now.date() > due,
    )
    try:
        with session.begin_nested():  # a concurrent writer of the same source_ref wins the unique index
            session.add(record)
            session.flush()
    except IntegrityError:
        if repository.by_source_ref(session, data.source_ref) is None:
            raise
        return submit_record(uow, data, actor, today)
    uow.publish(RecordEntered(subject.id, subject.code, record_id=record.id, item=item.code, item_name=item.name,
                              industry=item.industry, facts=record_facts(record)))
    uow.handle()  # archived, enrolled and re-evaluated now, in this transaction (第十三条, 第十九条)
    return Submitted(record, True, scope, subject_code=subject.code)


def record_for_write(session: Session, record_id: int, actor: Actor, doing_zh: str, doing_en: str) -> Record:
    """The record a write acts on: 404 when it does not exist; 403 when a business department acts on another
    department's record (122号 第八条 谁生成、谁录入、谁负责)."""
    # ids are 32-bit integers: a larger number names no record (and must not reach the driver: a 500)
    record = session.get(Record, record_id) if 0 < record_id < 2**31 else None
    if record is None:
        raise NotFoundError("id", f"没有编号为 {record_id} 的记录", f"no record {record_id}")
    if actor.role == "business" and actor.department != record.department:
        raise ForbiddenError("id", f"业务部门只能{doing_zh}本部门的记录",
                             f"a business token may only {doing_en} its own department's records")
    return record


def withdraw_record(uow: UnitOfWork, record_id: int, reason: str, actor: Actor, kind: str = "error") -> Submitted:
    """撤销. kind: error (第十条 信息纠错) | objection (异议核实, 第十八条) | repair (信用修复, 第十八条); objection and
    repair withdrawals are hidden from public views (repository.public_records), never from the archive."""
    session = uow.session
    record = record_for_write(session, record_id, actor, "撤销", "withdraw")
    withdrawn_item = session.get(CatalogueItem, record.item)
    if withdrawn_item is not None:
        check_business_item(session, actor, withdrawn_item, "id")  # 122号 第四条(二)
    if not reason.strip():
        raise InputError("reason", "撤销原因不能为空", "reason must not be blank")
    if kind not in WITHDRAWAL_KINDS:
        raise InputError("kind", f"撤销类型应为 {'/'.join(WITHDRAWAL_KINDS)}", f"kind must be one of {', '.join(WITHDRAWAL_KINDS)}")
    if repository.withdrawal_of(session, record_id) is not None:
        raise ConflictError("id", f"记录 {record_id} 已撤销", f"record {record_id} is already withdrawn")
    newer = repository.superseded_by(session, record_id)
    if newer is not None:  # 第十条: only the current version of a record is acted on
        raise ConflictError("id", f"记录 {record_id} 已被更正为记录 {newer}，请对当前版本操作",
                            f"record {record_id} is superseded by record {newer}; act on the current version")
    withdrawal = Withdrawal(record_id=record_id, reason=reason.strip(), kind=kind, withdrawn_by=actor.name,
                            withdrawn_at=uow.clock.now())
    session.add(withdrawal)
    subject = session.get(Subject, record.subject_id)
    item = session.get(CatalogueItem, record.item)
    assert subject is not None and item is not None
    session.flush()
    uow.publish(RecordWithdrawn(subject.id, subject.code, record_id=record_id, reason=reason.strip(), kind=kind,
                                by=actor.name, at=withdrawal.withdrawn_at.isoformat(timespec="milliseconds")))
    uow.handle()
    return Submitted(record, False, item.industry or GENERAL_SCOPE, "withdrawn", subject.code)


def first_reported_at(session: Session, record: Record) -> datetime:
    """When the event was first reported: the entry time of the first version. A correction (第十条) does not
    restart the 第八条(一) five-working-day clock, nor make a timely report late."""
    first = record
    seen = {record.id}
    while first.supersedes_id is not None and first.supersedes_id not in seen:
        older = session.get(Record, first.supersedes_id)
        if older is None:
            break
        seen.add(older.id)
        first = older
    return first.entered_at


def record_facts(record: Record) -> dict[str, Any]:
    """The credit content of a record as archived: what `archive verify` compares with the live row."""
    return {
        "item": record.item, "act_date": record.act_date.isoformat(), "department": record.department,
        "source_ref": record.source_ref, "source_system": record.source_system, "channel": record.channel,
        "note": record.note, "entered_by": record.entered_by,
        "entered_at": record.entered_at.isoformat(timespec="milliseconds"),
        "supersedes_id": record.supersedes_id,
    }


def record_out(record: Record, subject_code: str, status: str) -> dict[str, Any]:
    return {
        "id": record.id,
        "subject": subject_code,
        "item": record.item,
        "act_date": record.act_date.isoformat(),
        "department": record.department,
        "source_ref": record.source_ref,
        "note": record.note,
        "due_date": record.due_date.isoformat(),
        "due_provisional": record.due_provisional,
        "late": record.late,
        "status": status,
        "entered_at": record.entered_at.isoformat(timespec="seconds"),
        "entered_by": record.entered_by,
        "channel": record.channel,
        "supersedes": record.supersedes_id,  # the earlier version this one corrects (122号 第十条)
    }


def finalise_provisional_due_dates(session: Session) -> tuple[int, int]:
    """Once the holiday calendar covers a year (a new holiday file), recompute the due dates that were
    provisional (weekends only) and their lateness. Returns (finalised, still provisional). Only these two
    derived fields change; the credit content of the record is untouched."""
    cal = default_calendar()
    done = left = 0
    for record in repository.provisional_due_dates(session):
        due, provisional = cal.add_workdays_provisional(
            record.act_date, load_parameters().at(record.act_date).entry_deadline_workdays)
        if provisional:
            left += 1
            continue
        record.due_date, record.due_provisional = due, False
        record.late = first_reported_at(session, record).date() > due
        done += 1
    session.flush()
    return done, left
