"""信用承诺 — the closed loop of 122号 Art.8 (last paragraph): 事前信用预警、事中数据归集、事后结果运用.

- 事中数据归集: the business department enters each commitment item (承诺事项) it took at licensing
  (`make_commitment`; 谁生成、谁录入、谁负责: a business token only for its own department).
- 事前信用预警: every lookup of the subject shows its open and broken commitments (`commitment_notices`, registered
  with subjects.service by the composition root).
- 事后结果运用: a commitment not fulfilled by its due day gets a notice the day after (the daily job); the grace of
  commitments.yaml (default 5 working days, from the notice, the notice day not counted) runs from that notice; the
  day after the grace the job enters a credit record of the commitment-breach item (122号 Art.7(2)), which fires
  第十六条(三) and turns the grade to D through the normal real-time re-evaluation (122号 Art.13, Art.16(3)). A
  department that finds a breach — or a commitment found false later, even one marked fulfilled — records it the
  same way (`record_breach`).

The automatic breach is entered by the system itself (auth.actors.SYSTEM: channel "interface", 系统对接): the
platform observed the breach when it happened, so the five-working-day limit of 122号 Art.8(1) for manual entry
does not bind it, and its act date is the first day after the grace whenever the job runs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from ..auth.actors import SYSTEM, Actor
from ..calendar.service import default_calendar
from ..core.uow import UnitOfWork
from ..db.session import insert_once
from ..errors import ConflictError, ForbiddenError, InputError, NotFoundError, Problem, future_problem, refuse
from ..messages.commitments import CommitmentBreached, CommitmentFulfilled, CommitmentMade, CommitmentOverdue
from ..notifications.service import Recipient, notify
from ..records.schemas import RecordIn
from ..records.service import submit_record
from ..reference.service import department_names, items_firing
from ..standards.loader import load_parameters
from ..subjects.models import Subject
from ..subjects.schemas import LookupNotice
from ..subjects.service import public_code, subject_for_input
from . import repository
from .models import OUTSTANDING, STATES, Commitment
from .schemas import BreachIn, CommitmentIn, CommitmentOut, FulfilIn

RULES_FILE = Path(__file__).with_name("commitments.yaml")
BREACH_FUSE = "122号 Art.16(3)"
SHOWN_ON_LOOKUP = (*OUTSTANDING, "breached")  # open and broken commitments (事前信用预警)


# -- the rules (commitments.yaml, keyed by the date from which they apply) -------------------------------------------

def grace_workdays(due_on: date) -> int:
    """Working days of grace after the overdue notice, as in force on the due day (decided default 5)."""
    return int(load_parameters(RULES_FILE).value("commitment_grace_workdays", due_on))


def grace_end(notice_on: date, due_on: date) -> date:
    """The last day of grace: the n-th working day after the notice day (民法典 第二百零一条: the notice day is not
    counted), on the shared calendar (G1-13); weekends only where it lacks the year (provisional, decision 12)."""
    return default_calendar().add_workdays_provisional(notice_on, grace_workdays(due_on))[0]


def planned_grace_end(row: Commitment) -> date:
    """Stored once the notice is sent; before, as it will be with the notice sent the day after the due day."""
    return row.grace_ends_on or grace_end(row.due_on + timedelta(days=1), row.due_on)


def breach_item(session: Session, on: date) -> str:
    """The catalogue item a breach is recorded under (commitments.yaml); it must fire 第十六条(三)."""
    code = str(load_parameters(RULES_FILE).value("commitment_breach_item", on))
    if code not in items_firing(session, BREACH_FUSE):  # a deployment error, not the caller's: say what is wrong
        raise LookupError(f"commitments.yaml commitment_breach_item {code} does not fire {BREACH_FUSE}")
    return code


# -- commands -------------------------------------------------------------------------------------------------------

def _own_department(actor: Actor, department: str) -> None:
    """谁生成、谁录入、谁负责 (122号 Art.8): a business department acts on its own commitments only."""
    if actor.role == "business" and actor.department != department:
        raise ForbiddenError("department", f"业务部门令牌只能办理本部门({actor.department})的信用承诺",
                             f"a business token may only act on commitments of its own department "
                             f"({actor.department})")


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def make_commitment(uow: UnitOfWork, data: CommitmentIn, actor: Actor) -> tuple[Commitment, bool]:
    """录入承诺事项 (122号 Art.8). The same subject, department, licence and content again is the same commitment
    (created False); with another due or made day it is a conflict (409), never a silent overwrite."""
    session = uow.session
    today = uow.clock.today()
    made_on = data.made_on or today
    problems: list[Problem] = []
    subject, problem = subject_for_input(session, data.subject)
    if problem is not None:
        problems.append(problem)
    content, ref = data.content.strip(), data.licence_ref.strip()
    if not content:
        problems.append(Problem("content", "承诺内容不能为空", "content must not be blank"))
    if not ref:
        problems.append(Problem("licence_ref", "行政许可编号不能为空", "licence_ref must not be blank"))
    if data.department not in department_names(session):
        problems.append(Problem("department", f"未知部门代码 {data.department}", f"unknown department {data.department}"))
    if (future := future_problem("made_on", "承诺日期", made_on, today)) is not None:
        problems.append(future)
    if data.due_on < made_on:
        problems.append(Problem("due_on", f"履行期限 {data.due_on} 早于承诺日期 {made_on}",
                                f"due_on {data.due_on} is before made_on {made_on}"))
    if problems:
        raise InputError(problems[0].field, problems[0].reason_zh, problems[0].reason_en, *problems[1:])
    assert subject is not None
    _own_department(actor, data.department)
    digest = _sha256(content)

    def existing() -> Commitment | None:
        return repository.by_key(session, subject.id, data.department, ref, digest)

    found = existing()
    if found is None:
        uow.lock_subject(subject.id)
        row = Commitment(subject_id=subject.id, content=content, content_sha256=digest, made_on=made_on,
                         due_on=data.due_on, licence_ref=ref, department=data.department, state="open",
                         entered_by=actor.name, entered_at=uow.clock.now())
        found, created = insert_once(session, row, existing)  # a concurrent duplicate loses on the unique index
        if created:
            uow.publish(CommitmentMade(subject.id, subject.code, commitment_id=row.id, content=content,
                                       made_on=made_on.isoformat(), due_on=data.due_on.isoformat(),
                                       licence_ref=ref, department=data.department, by=actor.name))
            uow.handle()
            return row, True
    if found.due_on != data.due_on or found.made_on != made_on:
        raise ConflictError("due_on", f"该承诺事项已录入为 #{found.id}（履行期限 {found.due_on}），内容不同",
                            f"this commitment item is already #{found.id} (due {found.due_on}) with other dates")
    return found, False


def _for_write(uow: UnitOfWork, commitment_id: int, actor: Actor) -> tuple[Commitment, Subject]:
    row, subject = get_commitment(uow.session, commitment_id)
    _own_department(actor, row.department)
    uow.lock_subject(row.subject_id)
    uow.session.refresh(row)  # what an earlier writer of this subject committed (a concurrent fulfil or breach)
    return row, subject


def _closed(row: Commitment) -> None:
    if row.state == "breached":
        raise ConflictError("state", f"信用承诺 #{row.id} 已于 {row.breached_on} 认定违诺（记录 #{row.breach_record_id}）",
                            f"commitment {row.id} is already breached (since {row.breached_on}, record "
                            f"{row.breach_record_id})")


def fulfil(uow: UnitOfWork, commitment_id: int, data: FulfilIn, actor: Actor) -> Commitment:
    """履行承诺: until the last day of grace (after it the commitment is breached, whether or not the daily job has
    recorded it yet: 409)."""
    row, subject = _for_write(uow, commitment_id, actor)
    _closed(row)
    if row.state == "fulfilled":
        raise ConflictError("state", f"信用承诺 #{row.id} 已于 {row.fulfilled_on} 履行",
                            f"commitment {row.id} was already fulfilled on {row.fulfilled_on}")
    today = uow.clock.today()
    if row.grace_ends_on is not None and today > row.grace_ends_on:
        raise ConflictError("state", f"信用承诺 #{row.id} 的宽限期已于 {row.grace_ends_on} 届满，已构成违诺",
                            f"the grace of commitment {row.id} ended on {row.grace_ends_on}: it is breached")
    evidence = data.evidence.strip()
    if not evidence:
        raise InputError("evidence", "履行证明不能为空", "evidence must not be blank")
    row.state, row.fulfilled_on, row.evidence = "fulfilled", today, evidence
    row.closed_by, row.closed_at = actor.name, uow.clock.now()
    uow.session.flush()
    uow.publish(CommitmentFulfilled(subject.id, subject.code, commitment_id=row.id, fulfilled_on=today.isoformat(),
                                    evidence=evidence, by=actor.name))
    uow.handle()
    return row


def _enter_breach(uow: UnitOfWork, row: Commitment, subject: Subject, on: date, reason: str, actor: Actor,
                  automatic: bool) -> None:
    """The credit record of the breach (122号 Art.7(2)) through the records service: archived, and the subject
    re-evaluated in real time, the fuse of 第十六条(三) firing from `on` (122号 Art.13, Art.16(3))."""
    kind = "逾期未履行" if automatic else "违诺"
    note = f"信用承诺 #{row.id}（{row.licence_ref}）{kind}：{reason}"[:2000]
    submitted = submit_record(uow, RecordIn(subject=subject.code, item=breach_item(uow.session, on), act_date=on,
                                            department=row.department, source_ref=f"commitment:{row.id}",
                                            note=note), actor)
    row.state, row.breached_on, row.breach_reason = "breached", on, reason
    row.breach_automatic, row.breach_record_id = automatic, submitted.record.id
    row.closed_by, row.closed_at = actor.name, uow.clock.now()
    uow.session.flush()
    uow.publish(CommitmentBreached(subject.id, subject.code, commitment_id=row.id, breached_on=on.isoformat(),
                                   reason=reason, record_id=submitted.record.id, automatic=automatic, by=actor.name))
    notify(uow, [Recipient.subject(subject.code), Recipient.department(row.department)], kind="commitment_breached",
           title=f"信用承诺违诺：{row.licence_ref}",
           body=f"信用承诺 #{row.id}「{row.content[:100]}」{kind}，已记入信用记录 #{submitted.record.id}"
                f"（122号 第七条(二)），评价等级依第十六条(三)直接定为D级。",
           link=f"/api/v1/commitments/{row.id}")
    uow.handle()


def record_breach(uow: UnitOfWork, commitment_id: int, data: BreachIn, actor: Actor) -> Commitment:
    """违诺认定 by the department: not fulfilled, or a commitment found false later (做出虚假承诺) — also one
    marked fulfilled. Once per commitment (409 after)."""
    row, subject = _for_write(uow, commitment_id, actor)
    _closed(row)
    reason = data.reason.strip()
    if not reason:
        raise InputError("reason", "违诺原因不能为空", "reason must not be blank")
    refuse(future_problem("found_on", "认定日期", data.found_on, uow.clock.today()))
    if data.found_on < row.made_on:
        raise InputError("found_on", f"认定日期 {data.found_on} 早于承诺日期 {row.made_on}",
                         f"found_on {data.found_on} is before the commitment was made ({row.made_on})")
    _enter_breach(uow, row, subject, data.found_on, reason, actor, automatic=False)
    return row


@dataclass(frozen=True)
class DeadlineRun:
    notices: int  # overdue notices sent (the grace starts)
    breaches: int  # breaches recorded when the grace ended


def run_deadlines(uow: UnitOfWork, actor: Actor = SYSTEM) -> DeadlineRun:
    """The daily job (`xinyong jobs run`): the notice the day after the due day, the breach the day after the grace.
    Idempotent by state: a second run the same day finds nothing left to do."""
    session = uow.session
    today = uow.clock.today()
    notices = breaches = 0
    for row in repository.due_for_notice(session, today):
        uow.lock_subject(row.subject_id)
        session.refresh(row)
        if row.state != "open":
            continue
        subject = session.get(Subject, row.subject_id)
        assert subject is not None
        row.state, row.notice_on, row.grace_ends_on = "overdue", today, grace_end(today, row.due_on)
        session.flush()
        uow.publish(CommitmentOverdue(subject.id, subject.code, commitment_id=row.id, due_on=row.due_on.isoformat(),
                                      notice_on=today.isoformat(), grace_ends_on=row.grace_ends_on.isoformat()))
        notify(uow, [Recipient.subject(subject.code), Recipient.department(row.department)], kind="commitment_due",
               title=f"信用承诺到期未履行：{row.licence_ref}",
               body=f"信用承诺 #{row.id}「{row.content[:100]}」已于 {row.due_on} 到期。请于 {row.grace_ends_on}"
                    f"（含）前履行并提交证明；逾期将记为未履行承诺（122号 第七条(二)），评价等级直接定为D级（第十六条(三)）。",
               link=f"/api/v1/commitments/{row.id}")
        uow.handle()
        notices += 1
    for row in repository.grace_ended(session, today):
        uow.lock_subject(row.subject_id)
        session.refresh(row)
        if row.state != "overdue" or row.grace_ends_on is None or row.grace_ends_on >= today:
            continue
        subject = session.get(Subject, row.subject_id)
        assert subject is not None
        reason = (f"到期（{row.due_on}）未履行，提醒后宽限期至 {row.grace_ends_on} 届满仍未履行"
                  f"（{grace_workdays(row.due_on)}个工作日）")
        _enter_breach(uow, row, subject, row.grace_ends_on + timedelta(days=1), reason, actor, automatic=True)
        breaches += 1
    return DeadlineRun(notices, breaches)


# -- reads ----------------------------------------------------------------------------------------------------------

def check_state(state: str | None) -> None:
    if state is not None and state not in STATES:
        raise InputError("state", f"状态应为 {'、'.join(STATES)}", f"state must be one of {', '.join(STATES)}")


def get_commitment(session: Session, commitment_id: int) -> tuple[Commitment, Subject]:
    row = repository.by_id(session, commitment_id)
    if row is None:
        raise NotFoundError("commitment_id", f"没有编号为 {commitment_id} 的信用承诺",
                            f"no commitment {commitment_id}")
    subject = session.get(Subject, row.subject_id)
    assert subject is not None
    return row, subject


def commitments_of(session: Session, subject_id: int | None = None, state: str | None = None,
                   limit: int = 500) -> list[Commitment]:
    check_state(state)
    return list(repository.listed(session, subject_id, [state] if state else None, limit=limit))


def commitment_out(row: Commitment, subject: Subject, may_see_personal: bool) -> CommitmentOut:
    return CommitmentOut(
        id=row.id, subject=public_code(subject, may_see_personal), subject_name=subject.name, content=row.content,
        made_on=row.made_on, due_on=row.due_on, licence_ref=row.licence_ref, department=row.department,
        state=row.state, notice_on=row.notice_on, grace_ends_on=planned_grace_end(row),  # type: ignore[arg-type]
        fulfilled_on=row.fulfilled_on, evidence=row.evidence, breached_on=row.breached_on,
        breach_reason=row.breach_reason, breach_automatic=row.breach_automatic,
        breach_record_id=row.breach_record_id)


def commitment_notices(session: Session, subject: Subject, today: date) -> list[LookupNotice]:
    """事前信用预警 (122号 Art.8): the open and broken commitments every lookup of the subject shows."""
    out = []
    for row in repository.listed(session, subject.id, SHOWN_ON_LOOKUP):
        if row.state == "breached":
            title = f"违诺：{row.content[:80]}（{row.licence_ref}，{row.breached_on}，第十六条(三)）"
        elif row.state == "overdue":
            title = f"逾期未履行承诺：{row.content[:80]}（{row.licence_ref}，宽限至 {row.grace_ends_on}）"
        else:
            title = f"待履行承诺：{row.content[:80]}（{row.licence_ref}，{row.due_on}前）"
        out.append(LookupNotice(kind="commitment", id=row.id, state=row.state, title=title, due_on=row.due_on,
                                link=f"/api/v1/commitments/{row.id}"))
    return out
