"""Collect credit records (信息归集, 122号 Art.8) and withdraw them; every write re-evaluates in real time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from ..auth.actors import SYSTEM, Actor
from ..calendar.service import default_calendar
from ..core.uow import UnitOfWork
from ..errors import ConflictError, ForbiddenError, InputError, NotFoundError, Problem, future_problem
from ..governance.rulebook import item_in_force
from ..messages.evaluation import GENERAL_SCOPE, ReevaluateSubject
from ..messages.records import RecordDuplicateLinked, RecordEntered, RecordWithdrawn
from ..reference.models import CatalogueItem, Department
from ..reference.service import admin_categories, catalogue_item, info_classes, items_firing
from ..standards.loader import accident_grade_problem, load_parameters
from ..standards.model import Item
from ..subjects.models import Subject
from ..subjects.service import subject_for_input
from . import repository
from .models import WITHDRAWAL_KINDS, Dispute, Duplicate, Record, Withdrawal
from .schemas import RecordIn
from .scope import check_business_item, may_report_item


@dataclass
class Submitted:
    """What a write did to a record; `scope` is the evaluation it shows (the item's industry, or general)."""

    record: Record
    created: bool
    scope: str
    status: str = "active"
    subject_code: str = ""


def due_date_for(act_date: date) -> tuple[date, bool]:
    """122号 Art.8(1): 相关行政行为作出后5个工作日内填报. The act day itself is not counted (G0-1). Where the
    holiday calendar does not yet cover the year, the date counts weekends only and is marked provisional."""
    n = load_parameters().at(act_date).entry_deadline_workdays
    return default_calendar().add_workdays_provisional(act_date, n)


def _content(data: RecordIn, subject_code: str, item: CatalogueItem) -> tuple[Any, ...]:
    return (subject_code, data.item, data.act_date, data.department, data.note or None, data.decision_no,
            data.info_class or item.source_category, data.admin_category or item.admin_category, data.accident_grade,
            data.closes, data.effect_ends_on)


def _stored_content(record: Record, subject_code: str) -> tuple[Any, ...]:
    return (subject_code, record.item, record.act_date, record.department, record.note or None, record.decision_no,
            record.info_class, record.admin_category, record.accident_grade, record.closes_id, record.effect_ends_on)


def _class_problems(data: RecordIn, item: CatalogueItem, standard_item: Item | None, today: date) -> list[Problem]:
    """122号 Art.6 (信息类别) and 122号 Art.7 (良好/不良信用信息的类别): enumerated, and the category fits the item."""
    problems = []
    classes = info_classes()
    if data.info_class is not None and data.info_class not in classes:
        problems.append(Problem("info_class", f"信息类别应为 {'、'.join(classes)}",
                                f"info_class must be one of {', '.join(classes)} (122号 Art.6)"))
    if data.admin_category is not None:
        fitting = admin_categories(item.polarity if item.polarity in ("good", "bad") else "bad")
        if data.admin_category not in fitting:
            kind_zh = "良好" if item.polarity == "good" else "不良"
            problems.append(Problem("admin_category", f"指标 {item.code} 为{kind_zh}信用信息，类别应为 {'、'.join(fitting)}",
                                    f"item {item.code} is {item.polarity} information: admin_category must be one of "
                                    f"{', '.join(fitting)} (122号 Art.7)"))
    grades = load_parameters().at(today).accident_grades  # 国务院令第493号 第三条, parameters.yaml
    if data.accident_grade is not None and data.accident_grade not in grades:
        problems.append(Problem("accident_grade", f"事故等级应为 {'、'.join(grades)}（国务院令第493号 第三条）",
                                f"accident_grade must be one of {', '.join(grades)} (State Council Decree 493 122号 Art.3)"))
    elif standard_item is not None:  # the grade fits the item: only 重大 and above fire 122号 Art.16(1) (G1-06(c))
        reason = accident_grade_problem(standard_item, data.accident_grade)
        if reason is not None:
            problems.append(Problem("accident_grade", *reason))
    return problems


def _closes_problems(session: Session, closes: int, subject: Subject) -> list[Problem]:
    """122号 Art.16(2) 拒不履行: a record that says the decision was performed names the refusal it closes: a
    counting refusal of the same subject."""
    target = session.get(Record, closes)
    refusal_items = items_firing(session, REFUSAL_FUSE_KEY)
    if (target is None or target.subject_id != subject.id or target.item not in refusal_items
            or repository.status_of(session, target) != "active"):
        return [Problem("closes", f"记录 {closes} 不是该对象有效的拒不履行记录（122号 第十六条(二)）",
                        f"record {closes} is not an active refusal to perform of this subject (122号 Art.16(2))")]
    return []


REFUSAL_FUSE_KEY = "122号 Art.16(2)"


def field_problems(data: RecordIn, item: CatalogueItem | None, department_known: bool, today: date) -> list[Problem]:
    """The checks of one row that need no further query, in the order the answer names them (D8: a 4xx names the
    field and the reason). Shared by the single path and the bulk path (records/bulk.py)."""
    problems: list[Problem] = []
    if item is None:
        problems.append(Problem("item", f"归集目录中没有指标 {data.item}", f"unknown catalogue item {data.item}"))
    if not department_known:
        problems.append(Problem("department", f"未知部门代码 {data.department}", f"unknown department {data.department}"))
    if (late_fact := future_problem("act_date", "行为日期", data.act_date, today)) is not None:
        problems.append(late_fact)
    if not data.source_ref.strip():
        problems.append(Problem("source_ref", "来源编号不能为空", "source_ref must not be blank"))
    if data.effect_ends_on is not None and data.effect_ends_on < data.act_date:
        problems.append(Problem("effect_ends_on", f"效力截止日 {data.effect_ends_on} 早于行为日期 {data.act_date}",
                                f"effect_ends_on {data.effect_ends_on} is before act_date {data.act_date}"))
    return problems


def validate_record(session: Session, data: RecordIn, actor: Actor, today: date, *, lock: bool = False
                    ) -> tuple[Subject, CatalogueItem]:
    """`lock`: the caller writes the record: the subject is locked with its look-up (one statement, not two)."""
    problems: list[Problem] = []
    subject, problem = subject_for_input(session, data.subject, lock=lock)
    if problem is not None:
        problems.append(problem)
    item = catalogue_item(session, data.item)
    problems += field_problems(data, item, session.get(Department, data.department) is not None, today)
    if item is not None:
        problems += _class_problems(data, item, item_in_force(session, item.code, data.act_date), today)
    if data.closes is not None and subject is not None:
        problems += _closes_problems(session, data.closes, subject)
    if problems:
        raise InputError(problems[0].field, problems[0].reason_zh, problems[0].reason_en, *problems[1:])
    # 谁生成、谁录入、谁负责 (122号 Art.8): a business department reports its own records only.
    if actor.role == "business" and actor.department != data.department:
        raise ForbiddenError("department", f"业务部门令牌只能以本部门({actor.department})名义录入",
                             f"a business token may only enter records of its own department ({actor.department})")
    assert subject is not None and item is not None
    check_business_item(session, actor, item)  # 122号 Art.4(2): industry items only of its own industries
    return subject, item


def submit_record(uow: UnitOfWork, data: RecordIn, actor: Actor, today: date | None = None) -> Submitted:
    """One event, one record (122号 Art.19). The same subject and source_ref with the same content is the same record
    (200); with other content it is a conflict (409), never a silent overwrite (122号 Art.8(2) 不得擅自修改). One
    decision naming several parties is one record per subject (the key is subject + source_ref, G1-16)."""
    session = uow.session
    today = today or uow.clock.today()
    subject, item = validate_record(session, data, actor, today, lock=True)
    scope = item.industry or GENERAL_SCOPE
    due, provisional = due_date_for(data.act_date)
    now = uow.clock.now()
    columns = dict(
        subject_id=subject.id, item=item.code, act_date=data.act_date, department=data.department,
        source_ref=data.source_ref, source_system=actor.name, channel=actor.channel, note=data.note or None,
        entered_by=actor.name, entered_at=now, due_date=due, due_provisional=provisional,
        late=is_late(actor.channel, now.date(), due), supersedes_id=None, decision_no=data.decision_no,
        info_class=data.info_class or item.source_category, admin_category=data.admin_category or item.admin_category,
        accident_grade=data.accident_grade, closes_id=data.closes, effect_ends_on=data.effect_ends_on,
    )
    # The key (subject, source_ref) is checked by its unique index, not by a read before the insert: a new record
    # costs one statement, and a record sent again (or by a concurrent writer) inserts nothing.
    record = repository.insert_unless_keyed(session, columns)
    if record is None:
        existing = repository.by_source_ref(session, subject.id, data.source_ref)
        if existing is None:
            raise RuntimeError(f"record key ({subject.id}, {data.source_ref}) taken and not found")
        if _stored_content(existing, subject.code) != _content(data, subject.code, item):
            raise ConflictError("source_ref", f"来源编号 {data.source_ref} 已用于内容不同的记录 #{existing.id}",
                                f"source_ref {data.source_ref} already names record #{existing.id} with other "
                                f"content") from None
        uow.publish(ReevaluateSubject(subject.id))  # the answer shows the subject's current evaluation
        uow.handle()
        return Submitted(existing, False, scope, repository.status_of(session, existing), subject.code)
    uow.publish(RecordEntered(subject.id, subject.code, record_id=record.id, item=item.code, item_name=item.name,
                              industry=item.industry, facts=record_facts(record)))
    _link_duplicate(uow, record, subject)
    uow.handle()  # archived, enrolled and re-evaluated now, in this transaction (122号 Art.13, 122号 Art.19)
    return Submitted(record, True, scope, subject_code=subject.code)


def is_late(channel: str, reported_on: date, due: date) -> bool:
    """122号 Art.8(1): the five-working-day limit binds manual entry (人工录入, file import included); docked
    systems deliver 尽量实时 and are never late. The channel comes from the credential, not the caller's word."""
    return channel != "interface" and reported_on > due


def _link_duplicate(uow: UnitOfWork, record: Record, subject: Subject) -> None:
    """Spec G1-16: the same (subject, issuing department, decision_no, item) under another source_ref is the same
    decision: the record is kept and linked to the one that counts, so it never counts twice. The interface
    record wins over a manual one (122号 Art.8 系统对接为主): a manual record that came first yields to it."""
    if record.decision_no is None:
        return
    first = repository.same_decision(uow.session, record)
    if first is None:
        return
    if record.channel == "interface" and first.channel != "interface":
        loser, winner = first, record
    else:
        loser, winner = record, first
    reason = f"同一决定 {record.decision_no} 已由记录 #{winner.id} 报送（{winner.channel}）"
    uow.session.add(Duplicate(record_id=loser.id, duplicate_of_id=winner.id, reason=reason,
                              marked_at=uow.clock.now()))
    uow.session.flush()
    uow.publish(RecordDuplicateLinked(subject.id, subject.code, record_id=loser.id, duplicate_of=winner.id,
                                      decision_no=record.decision_no, reason=reason))


def record_for_write(session: Session, record_id: int, actor: Actor, doing_zh: str, doing_en: str) -> Record:
    """The record a write acts on: 404 when it does not exist; 403 when a business department acts on another
    department's record (122号 Art.8 谁生成、谁录入、谁负责)."""
    # ids are 32-bit integers: a larger number names no record (and must not reach the driver: a 500)
    record = session.get(Record, record_id) if 0 < record_id < 2**31 else None
    if record is None:
        raise NotFoundError("id", f"没有编号为 {record_id} 的记录", f"no record {record_id}")
    if actor.role == "business" and actor.department != record.department:
        raise ForbiddenError("id", f"业务部门只能{doing_zh}本部门的记录",
                             f"a business token may only {doing_en} its own department's records")
    return record


def withdraw_record(uow: UnitOfWork, record_id: int, reason: str, actor: Actor, kind: str = "error",
                    rule: str | None = None) -> Submitted:
    """撤销. kind: error (122号 Art.10 信息纠错) | objection (异议核实, 122号 Art.18) | repair (信用修复, 122号 Art.18); objection and
    repair withdrawals are hidden from public views (repository.public_records), never from the archive.
    `rule`: an automatic repair's rule (44号 Task 14), archived as automatic: true with the rule."""
    session = uow.session
    record = record_for_write(session, record_id, actor, "撤销", "withdraw")
    withdrawn_item = session.get(CatalogueItem, record.item)
    if withdrawn_item is not None:
        check_business_item(session, actor, withdrawn_item, "id")  # 122号 Art.4(2)
    if not reason.strip():
        raise InputError("reason", "撤销原因不能为空", "reason must not be blank")
    if kind not in WITHDRAWAL_KINDS:
        raise InputError("kind", f"撤销类型应为 {'/'.join(WITHDRAWAL_KINDS)}", f"kind must be one of {', '.join(WITHDRAWAL_KINDS)}")
    if repository.withdrawal_of(session, record_id) is not None:
        raise ConflictError("id", f"记录 {record_id} 已撤销", f"record {record_id} is already withdrawn")
    newer = repository.superseded_by(session, record_id)
    if newer is not None:  # 122号 Art.10: only the current version of a record is acted on
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
                                by=actor.name, at=withdrawal.withdrawn_at.isoformat(timespec="milliseconds"),
                                rule=rule))
    uow.handle()
    return Submitted(record, False, item.industry or GENERAL_SCOPE, "withdrawn", subject.code)


def first_reported_at(session: Session, record: Record) -> datetime:
    """When the event was first reported: the entry time of the first version. A correction (122号 Art.10) does not
    restart the 122号 Art.8(1) five-working-day clock, nor make a timely report late."""
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
    facts: dict[str, Any] = {
        "item": record.item, "act_date": record.act_date.isoformat(), "department": record.department,
        "source_ref": record.source_ref, "source_system": record.source_system, "channel": record.channel,
        "note": record.note, "entered_by": record.entered_by,
        "entered_at": record.entered_at.isoformat(timespec="milliseconds"),
        "supersedes_id": record.supersedes_id,
    }
    # Facts added later (issue 7) are archived when they say something, so entries archived before them still
    # match their records in `archive verify`.
    for name in ("decision_no", "admin_category", "accident_grade", "closes_id"):
        if getattr(record, name) is not None:
            facts[name] = getattr(record, name)
    if record.effect_ends_on is not None:
        facts["effect_ends_on"] = record.effect_ends_on.isoformat()
    if record.info_class != "planning":
        facts["info_class"] = record.info_class
    return facts


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
        "supersedes": record.supersedes_id,  # the earlier version this one corrects (122号 Art.10)
        "decision_no": record.decision_no,
        "info_class": record.info_class,
        "admin_category": record.admin_category,
        "accident_grade": record.accident_grade,
        "closes": record.closes_id,
        "effect_ends_on": record.effect_ends_on.isoformat() if record.effect_ends_on else None,
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
        record.late = is_late(record.channel, first_reported_at(session, record).date(), due)
        done += 1
    session.flush()
    if done:
        repository.drop_lateness_snapshot(session)  # it counted the old lateness of these records
    return done, left


def take_lateness_snapshot(uow: UnitOfWork) -> dict[str, int]:
    """The daily job `lateness_snapshot`: the lateness report's counts up to the records entered before yesterday
    (122号 Art.8(1)), so a dashboard view adds only the newer ones (issue 11: under 300 ms at a million records)."""
    today = uow.clock.today()
    entered_before = datetime.combine(today - timedelta(days=1), time())
    return {"upto": repository.take_lateness_snapshot(uow.session, entered_before, uow.clock.now())}


# --- 异议 (122号 Art.18): a record under objection ----------------------------------------------------------------

def open_dispute(uow: UnitOfWork, record_id: int, case_id: int) -> Dispute:
    """Mark the record "under objection" while case `case_id` is open (spec G1-07: it still counts)."""
    row = Dispute(record_id=record_id, case_id=case_id, opened_at=uow.clock.now())
    uow.session.add(row)
    uow.session.flush()
    return row


def close_dispute(uow: UnitOfWork, case_id: int) -> None:
    """The objection case is resolved: the record is no longer under objection (whatever the outcome)."""
    row = repository.dispute_of_case(uow.session, case_id)
    if row is not None and row.closed_at is None:
        row.closed_at = uow.clock.now()
        uow.session.flush()


def department_may_act_on(session: Session, record: Record, department: str) -> bool:
    """Whether a business department may withdraw or correct this record itself (122号 Art.8 谁生成、谁录入、谁负责,
    122号 Art.4(2)): its own department's record, of an item it may report."""
    item = session.get(CatalogueItem, record.item)
    return record.department == department and item is not None and may_report_item(session, department, item)


# --- 自动修复 (44号 Task 14; spec G3-01): the end of a record's effect ---------------------------------------------

AUTOMATIC_REPAIR_RULE = "44号 Task 14"


def expire_records(uow: UnitOfWork) -> int:
    """Withdraw, as an automatic repair (kind "repair": hidden from public views, kept in the archive), every
    current record whose effect ended before today (`effect_ends_on` < today; the end day itself still has
    effect), without any application. Idempotent: a withdrawn record is not found again. Each withdrawal says
    why (automatic: true, the rule, the end day and today) and re-evaluates the subject (a fuse it fired lifts,
    G1-05). Returns how many records were withdrawn."""
    today = uow.clock.today()
    done = 0
    for record in repository.effect_ended(uow.session, today):
        assert record.effect_ends_on is not None
        reason = (f"效力期限届满自动修复（automatic: true; rule: {AUTOMATIC_REPAIR_RULE}; "
                  f"effect_ends_on: {record.effect_ends_on.isoformat()}; date: {today.isoformat()}）")
        withdraw_record(uow, record.id, reason, SYSTEM, kind="repair", rule=AUTOMATIC_REPAIR_RULE)
        done += 1
    return done
