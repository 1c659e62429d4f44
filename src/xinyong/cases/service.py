"""异议处理及信用修复 — objection and credit-repair cases (122号 Art.18; spec D1-36, G1-05, G1-07).

The subject applies (its own account, channel "portal") or staff file on its behalf (信用中国(北京) / 市规划自然资源委);
the 政务服务大厅 routes the case to the responsible business department or branch within 2 working days; that unit
accepts it and issues a written review opinion (审核意见) within 10 working days of routing (one extension of 10
with a reason); the hall reports the opinion to the municipal credit authority and resolves the case, applying
its effects, within 2 working days of the opinion; then closes it. Time limits: cases.yaml (G1-07 defaults).

Effects of an upheld case (resolve): an objection to a record corrects it (信息纠错, records.corrections) or withdraws
it (kind "objection"); a repair withdraws it (kind "repair": hidden from public views and rankings, kept in the
archive); a listing is removed (listings.remove_listing). Each re-evaluates the subject at once (122号 Art.13),
which lifts a fuse the record or listing fired (G1-05). The withdrawal or correction acts with the authority of
the department whose opinion it applies: an Actor of role "business" bound to the routed department, named after
the case and the hall member who resolved it (records check that actor as for the department's own write).

Every step is a row of `case_steps`, an archived fact (messages/cases.py, 122号 Art.19) and a notice to the
subject, the routed department and the hall (notifications.notify).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from ..auth.actors import Actor
from ..calendar.service import default_calendar
from ..core.uow import UnitOfWork
from ..db.session import insert_once
from ..errors import ConflictError, ForbiddenError, InputError, NotFoundError, Problem
from ..evidence.service import checked_and_stored, verified_bytes
from ..evidence.storage import EvidenceStore
from ..listings import repository as listings_repo
from ..listings.schemas import RemovalIn
from ..listings.service import remove_listing
from ..messages.cases import (
    KIND_ZH,
    CaseAccepted,
    CaseClosed,
    CaseEvidenceAttached,
    CaseExtended,
    CaseFact,
    CaseFiled,
    CaseOpinionIssued,
    CaseReported,
    CaseResolved,
    CaseRouted,
)
from ..messages.evaluation import GENERAL_SCOPE
from ..notifications.service import Recipient, notify
from ..records import repository as records_repo
from ..records.corrections import correct_record
from ..records.schemas import CorrectIn
from ..records.service import close_dispute, department_may_act_on, open_dispute, withdraw_record
from ..reference.service import department_names
from ..rules.identifiers import normalize_code
from ..standards.loader import ParameterHistory, load_parameters
from ..subjects import repository as subjects_repo
from ..subjects.models import Subject
from ..subjects.service import public_code, subject_for_input
from . import repository
from .models import STATES, TIMED, Case, CaseEvidence, CaseStep, OverdueNotice
from .schemas import CaseIn, OpinionIn

PARAMETERS_FILE = Path(__file__).with_name("cases.yaml")

STATE_ZH = {
    "received": "已受理", "routed": "已转办", "under_verification": "核实中", "opinion_issued": "已出具审核意见",
    "reported_to_credit_authority": "已反馈市信用主管部门", "repaired": "已修复", "rejected": "不予支持",
    "closed": "已结案",
}

# transition → (states it may start from, zh, en) — spec D1-36, exactly
TRANSITIONS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "route": (("received",), "转办", "routed"),
    "accept": (("routed",), "接收核实", "accepted"),
    "extend": (("routed", "under_verification"), "延长核实期限", "extended"),
    "opinion": (("under_verification",), "出具审核意见", "given an opinion"),
    "report": (("opinion_issued",), "反馈市信用主管部门", "reported"),
    "resolve": (("reported_to_credit_authority",), "办结", "resolved"),
    "close": (("repaired", "rejected"), "结案", "closed"),
    "evidence": (TIMED, "补充证明材料", "given evidence"),
}


# --- deadlines (G1-07, working days) ------------------------------------------------------------------------------

def parameters() -> ParameterHistory:
    return load_parameters(PARAMETERS_FILE)


@dataclass(frozen=True)
class Deadlines:
    route: int  # from receipt
    opinion: int  # from routing
    extension: int  # added once to the opinion deadline
    notify: int  # from the opinion: report to the credit authority and tell the subject


def deadlines(on: date) -> Deadlines:
    """The working-day limits in force on `on` (cases.yaml; spec G1-07 defaults 2 / 10 / +10 / 2)."""
    p = parameters()
    return Deadlines(int(p.value("case_route_workdays", on)), int(p.value("case_opinion_workdays", on)),
                     int(p.value("case_extension_workdays", on)), int(p.value("case_notify_workdays", on)))


def add_workdays(start: date, n: int) -> tuple[date, bool]:
    """The n-th working day after `start` (not counted) on the shared calendar; provisional (weekends only) where
    the calendar lacks the year's holidays."""
    return default_calendar().add_workdays_provisional(start, n)


def _set_due(case: Case, due: tuple[date, bool] | None) -> None:
    case.due_on, case.due_provisional = (None, False) if due is None else due


def is_overdue(case: Case, today: date) -> bool:
    """The current step is open and today is past its deadline (the due day itself is in time)."""
    return case.state in TIMED and case.due_on is not None and today > case.due_on


# --- reading -------------------------------------------------------------------------------------------------------

def case_for_read(session: Session, case_id: int, actor: Actor) -> Case:
    """404 when there is no such case; 403 for a subject account on another subject's case, or a business
    department on a case not routed to it."""
    case = repository.by_id(session, case_id)
    if case is None:
        raise NotFoundError("case_id", f"没有编号为 {case_id} 的案件", f"no case {case_id}")
    if actor.role == "subject":
        subject = subjects_repo.by_id(session, case.subject_id)
        if subject is None or subject.code != actor.subject:
            raise ForbiddenError("case_id", "评价对象账号只能查看本对象的案件", "a subject account may only see its own cases")
    if actor.role == "business" and case.department != actor.department:
        raise ForbiddenError("case_id", f"业务部门只能查看转办本部门（{actor.department}）的案件",
                             f"a business department sees only the cases routed to it ({actor.department})")
    return case


def list_cases(session: Session, actor: Actor, today: date, *, state: str | None = None,
               department: str | None = None, overdue: bool | None = None, subject: str | None = None,
               limit: int = 200) -> list[Case]:
    """A department's queue ordered by due date; a business department sees its own, a subject account its own."""
    if state is not None and state not in STATES:
        raise InputError("state", f"状态应为 {'、'.join(STATES)}", f"state must be one of {', '.join(STATES)}")
    if actor.role == "business":
        if department is not None and department != actor.department:
            raise ForbiddenError("department", f"业务部门只能查看本部门（{actor.department}）的案件",
                                 f"a business department sees only its own queue ({actor.department})")
        department = actor.department
    subject_id = None
    if actor.role == "subject":
        if subject is not None and normalize_code(subject) != actor.subject:
            raise ForbiddenError("subject", "评价对象账号只能查看本对象的案件", "a subject account may only see its own cases")
        subject = actor.subject or ""
    if subject is not None:
        found = subjects_repo.by_code(session, normalize_code(subject))
        if found is None:
            if actor.role == "subject":
                return []
            raise InputError("subject", f"未登记的评价对象 {subject}", f"unknown subject {subject}")
        subject_id = found.id
    return repository.queue(session, today=today, state=state, department=department, subject_id=subject_id,
                            overdue=overdue, limit=limit)


Loaded = tuple[dict[int, Subject], dict[int, list[CaseStep]], dict[int, list[CaseEvidence]]]


def preload(session: Session, cases: Sequence[Case]) -> Loaded:
    """The subjects (into the session), steps and evidence of many cases in a few statements: a queue of 1,000
    cases costs the same handful of queries as one of ten (issue 11: the dashboard lists the open cases)."""
    subjects = subjects_repo.by_ids(session, {c.subject_id for c in cases})
    return (subjects, *repository.steps_and_evidence_of(session, [c.id for c in cases]))


def case_out(session: Session, case: Case, today: date, sees_personal: bool, loaded: Loaded | None = None
             ) -> dict[str, Any]:
    subject = loaded[0][case.subject_id] if loaded is not None else subjects_repo.by_id(session, case.subject_id)
    assert subject is not None
    steps = loaded[1][case.id] if loaded is not None else repository.steps_of(session, case.id)
    files = loaded[2][case.id] if loaded is not None else repository.evidence_of(session, case.id)
    return {
        "id": case.id, "kind": case.kind, "subject": public_code(subject, sees_personal),
        "subject_name": subject.name, "record_id": case.record_id, "listing_id": case.listing_id,
        "industry": case.industry, "statement": case.statement, "channel": case.channel, "state": case.state,
        "state_zh": STATE_ZH[case.state], "department": case.department,
        "received_on": case.received_on.isoformat(),
        "due_on": case.due_on.isoformat() if case.due_on else None, "due_provisional": case.due_provisional,
        "overdue": is_overdue(case, today), "extended": case.extended, "extension_reason": case.extension_reason,
        "outcome": case.outcome, "opinion": case.opinion, "remedy": case.remedy,
        "correction": json.loads(case.correction) if case.correction else None,
        "result_record_id": case.result_record_id, "filed_by": case.filed_by,
        "filed_at": case.filed_at.isoformat(timespec="seconds"),
        "steps": [{"state": s.state, "at": s.at.isoformat(timespec="seconds"), "by": s.by, "note": s.note}
                  for s in steps],
        "evidence": [{"id": e.id, "sha256": e.sha256, "name": e.name, "size": e.size, "media_type": e.media_type,
                      "uploaded_by": e.uploaded_by, "uploaded_at": e.uploaded_at.isoformat(timespec="seconds")}
                     for e in files],
    }


def subject_of(session: Session, case: Case, loaded: Loaded | None = None) -> Subject:
    subject = loaded[0][case.subject_id] if loaded is not None else subjects_repo.by_id(session, case.subject_id)
    assert subject is not None
    return subject


# --- filing --------------------------------------------------------------------------------------------------------

def _target_problems(session: Session, data: CaseIn, subject: Subject) -> list[Problem]:
    """What the case is about: a record (D1-36(b)/(c)), a listing, or an evaluation result (D1-36(a))."""
    named = [f for f in ("record_id", "listing_id", "industry") if getattr(data, f) is not None]
    if len(named) > 1:
        return [Problem(named[1], "只能指明一项：record_id、listing_id 或 industry",
                        "name one of record_id, listing_id or industry")]
    if not named:
        if data.kind == "repair":
            return [Problem("record_id", "信用修复申请应指明记录（record_id）或名单记录（listing_id）",
                            "a repair names the record (record_id) or the listing (listing_id) to repair")]
        return [Problem("record_id", "异议应指明记录（record_id）、名单记录（listing_id）或评价结果（industry）",
                        "an objection names a record (record_id), a listing (listing_id) or an evaluation "
                        "result (industry)")]
    if data.record_id is not None:
        record = records_repo.by_id(session, data.record_id)
        if record is None:
            return [Problem("record_id", f"没有编号为 {data.record_id} 的记录", f"no record {data.record_id}")]
        if record.subject_id != subject.id:
            return [Problem("record_id", f"记录 {data.record_id} 不属于该评价对象",
                            f"record {data.record_id} is not a record of this subject")]
        status = records_repo.status_of(session, record)
        if status == "withdrawn":
            return [Problem("record_id", f"记录 {data.record_id} 已撤销", f"record {data.record_id} is withdrawn")]
        if status == "superseded":
            newer = records_repo.superseded_by(session, record.id)
            return [Problem("record_id", f"记录 {data.record_id} 已被更正为记录 {newer}，请对当前版本提出",
                            f"record {data.record_id} is superseded by record {newer}; name the current version")]
    elif data.listing_id is not None:
        listing = listings_repo.by_id(session, data.listing_id)
        if listing is None or listing.subject_id != subject.id:
            return [Problem("listing_id", f"名单记录 {data.listing_id} 不是该评价对象的",
                            f"listing {data.listing_id} is not a listing of this subject")]
        if listing.removed_on is not None:
            return [Problem("listing_id", f"名单记录 {data.listing_id} 已于 {listing.removed_on} 移出",
                            f"listing {data.listing_id} was removed on {listing.removed_on}")]
    else:
        if data.kind == "repair":
            return [Problem("industry", "信用修复针对记录或名单，不针对评价结果",
                            "a repair names a record or a listing, not an evaluation result")]
        scopes = [GENERAL_SCOPE, *subject.industry_codes]
        if data.industry not in scopes:
            return [Problem("industry", f"评价结果应为 {'、'.join(scopes)} 之一",
                            f"the evaluation objected to must be one of {', '.join(scopes)}")]
    return []


def file_case(uow: UnitOfWork, data: CaseIn, actor: Actor) -> Case:
    """受理: a subject account files for its own subject only (403), through the portal; staff on its behalf."""
    session = uow.session
    if actor.role == "subject" and normalize_code(data.subject) != actor.subject:
        raise ForbiddenError("subject", "评价对象账号只能为本对象提出申请", "a subject account may only file for its own subject")
    channel = "portal" if actor.role == "subject" else data.channel
    problems: list[Problem] = []
    subject, problem = subject_for_input(session, data.subject)
    if problem is not None:
        problems.append(problem)
    if not data.statement.strip():
        problems.append(Problem("statement", "申请内容不能为空", "statement must not be blank"))
    if channel is None:
        problems.append(Problem("channel", "请注明申请渠道：credit_china_beijing（信用中国(北京)）或 commission（市规划自然资源委）",
                                "channel is required: credit_china_beijing or commission"))
    if subject is not None:
        problems += _target_problems(session, data, subject)
    if problems:
        raise InputError(problems[0].field, problems[0].reason_zh, problems[0].reason_en, *problems[1:])
    assert subject is not None and channel is not None
    uow.lock_subject(subject.id)  # one open case per thing: concurrent filings queue here
    industry = data.industry if data.record_id is None and data.listing_id is None else None
    existing = repository.open_case_on(session, data.kind, subject.id, record_id=data.record_id,
                                       listing_id=data.listing_id, industry=industry)
    if existing is not None:
        field = "record_id" if data.record_id else "listing_id" if data.listing_id else "industry"
        raise ConflictError(field, f"已有未办结的{KIND_ZH[data.kind]}案件 #{existing.id}（{STATE_ZH[existing.state]}）",
                            f"case {existing.id} of the same kind on the same {field} is still open ({existing.state})")
    today, now = uow.clock.today(), uow.clock.now()
    case = Case(kind=data.kind, subject_id=subject.id, record_id=data.record_id, listing_id=data.listing_id,
                industry=industry, statement=data.statement.strip(), channel=channel, state="received",
                received_on=today, filed_by=actor.name, filed_at=now, extended=False)
    _set_due(case, add_workdays(today, deadlines(today).route))
    session.add(case)
    session.flush()
    if data.kind == "objection" and data.record_id is not None:
        open_dispute(uow, data.record_id, case.id)  # "under objection" while open; it still counts (G1-07)
    _step(uow, case, subject, actor, None, CaseFiled, kind=case.kind, record_id=case.record_id,
          listing_id=case.listing_id, industry=case.industry, channel=channel, statement=case.statement)
    return case


# --- transitions ---------------------------------------------------------------------------------------------------

def _case_for(uow: UnitOfWork, case_id: int, transition: str, actor: Actor, *, verifier: bool = False) -> Case:
    """The case a transition acts on, locked (its subject's row lock) and re-read: 404, then 403 for a business
    department other than the routed one (verification steps), then 409 naming the state when the transition is
    not allowed from it."""
    session = uow.session
    case = repository.by_id(session, case_id)
    if case is None:
        raise NotFoundError("case_id", f"没有编号为 {case_id} 的案件", f"no case {case_id}")
    if verifier and actor.role == "business" and case.department != actor.department:
        raise ForbiddenError("case_id", f"只有案件转办的部门（{case.department or '尚未转办'}）可以核实办理",
                             f"only the department the case was routed to ({case.department or 'not routed yet'}) "
                             "may verify it")
    uow.lock_subject(case.subject_id)
    session.refresh(case)
    allowed, zh, en = TRANSITIONS[transition]
    if case.state not in allowed:
        raise ConflictError("state", f"案件 #{case.id} 当前状态为 {case.state}（{STATE_ZH[case.state]}），不能{zh}",
                            f"case {case.id} is in state {case.state}: it cannot be {en} "
                            f"(allowed from {', '.join(allowed)})")
    return case


def _step(uow: UnitOfWork, case: Case, subject: Subject, actor: Actor, note: str | None,
          event: type[CaseFact], **details: Any) -> None:
    """Record the step (timeline row), archive it (its event) and notify the subject, the department and the hall."""
    now = uow.clock.now()
    uow.session.add(CaseStep(case_id=case.id, state=case.state, at=now, by=actor.name, note=note))
    uow.session.flush()
    due = case.due_on.isoformat() if case.due_on else None
    uow.publish(event(subject.id, subject.code, case_id=case.id, by=actor.name,
                      at=now.isoformat(timespec="milliseconds"), due_on=due, **details))
    recipients = [Recipient.subject(subject.code), Recipient.role("hall")]
    if case.department:
        recipients.insert(1, Recipient.department(case.department))
    what = f"{KIND_ZH[case.kind]}案件 #{case.id}：{STATE_ZH[case.state]}"
    body = what + (f"；{note}" if note else "") + (f"；当前环节办理期限 {due}" if due else "")
    notify(uow, recipients, kind=f"case_{case.state}", title=what, body=body, link=f"/api/v1/cases/{case.id}")
    uow.handle()


def route_case(uow: UnitOfWork, case_id: int, department: str, actor: Actor) -> Case:
    """转办 (hall): to the department that verifies — for a record, the department that reported it (122号 Art.8
    谁生成、谁负责), which alone can then correct or withdraw it."""
    case = _case_for(uow, case_id, "route", actor)
    session = uow.session
    names = department_names(session)
    if department not in names:
        raise InputError("department", f"未知部门代码 {department}", f"unknown department {department}")
    if case.record_id is not None:
        record = records_repo.by_id(session, case.record_id)
        assert record is not None
        if not department_may_act_on(session, record, department):
            raise InputError("department", f"记录 #{record.id} 由 {record.department} 报送，应转办该部门核实",
                             f"record {record.id} was reported by {record.department}: route the case to it")
    today = uow.clock.today()
    case.state, case.department, case.routed_on = "routed", department, today
    _set_due(case, add_workdays(today, deadlines(today).opinion))
    _step(uow, case, subject_of(session, case), actor, f"转办 {names[department]}", CaseRouted,
          department=department)
    return case


def accept_case(uow: UnitOfWork, case_id: int, actor: Actor) -> Case:
    """接收核实 (the routed department): the opinion deadline runs from routing, unchanged."""
    case = _case_for(uow, case_id, "accept", actor, verifier=True)
    case.state = "under_verification"
    assert case.department is not None
    _step(uow, case, subject_of(uow.session, case), actor, None, CaseAccepted, department=case.department)
    return case


def extend_case(uow: UnitOfWork, case_id: int, reason: str, actor: Actor) -> Case:
    """One extension of the opinion deadline by 10 working days, with a reason (G1-07); a second → 409."""
    case = _case_for(uow, case_id, "extend", actor, verifier=True)
    if case.extended:
        raise ConflictError("extended", f"案件 #{case.id} 已延期一次，不能再次延期",
                            f"case {case.id} was already extended once; a second extension is not allowed")
    if not reason.strip():
        raise InputError("reason", "延期理由不能为空", "reason must not be blank")
    assert case.due_on is not None and case.routed_on is not None
    case.extended, case.extension_reason = True, reason.strip()
    _set_due(case, add_workdays(case.due_on, deadlines(case.routed_on).extension))
    _step(uow, case, subject_of(uow.session, case), actor, reason.strip(), CaseExtended, reason=reason.strip())
    return case


def _correction_problems(uow: UnitOfWork, case: Case, data: OpinionIn) -> list[Problem]:
    problems: list[Problem] = []
    applies = case.kind == "objection" and case.record_id is not None and data.outcome == "upheld"
    if not data.opinion.strip():
        problems.append(Problem("opinion", "审核意见不能为空", "opinion must not be blank"))
    if applies and data.remedy is None:
        problems.append(Problem("remedy", "异议成立时应说明处理方式：withdraw（撤销记录）或 correct（更正记录）",
                                "an upheld objection to a record says whether to withdraw or correct it"))
    if not applies and data.remedy is not None:
        problems.append(Problem("remedy", "处理方式仅适用于成立的记录异议", "remedy applies only to an upheld "
                                                                  "objection to a record"))
    if data.remedy == "correct":
        fields = data.correction.model_dump(exclude_none=True) if data.correction else {}
        if not fields:
            problems.append(Problem("correction", "更正记录时应给出更正内容（item、act_date 或 note）",
                                    "a correction names what changes (item, act_date or note)"))
        elif data.correction and data.correction.act_date and data.correction.act_date > uow.clock.today():
            problems.append(Problem("correction.act_date", "更正后的行为日期晚于今天", "correction.act_date is in the future"))
    elif data.correction is not None:
        problems.append(Problem("correction", "仅在 remedy 为 correct 时给出更正内容",
                                "correction is given only with remedy \"correct\""))
    return problems


def issue_opinion(uow: UnitOfWork, case_id: int, data: OpinionIn, actor: Actor) -> Case:
    """出具审核意见 (the routed department): upheld or rejected; the hall reports it within 2 working days."""
    case = _case_for(uow, case_id, "opinion", actor, verifier=True)
    problems = _correction_problems(uow, case, data)
    if problems:
        raise InputError(problems[0].field, problems[0].reason_zh, problems[0].reason_en, *problems[1:])
    today = uow.clock.today()
    case.state, case.outcome, case.opinion, case.remedy = "opinion_issued", data.outcome, data.opinion.strip(), data.remedy
    if data.remedy == "correct" and data.correction is not None:
        case.correction = json.dumps(data.correction.model_dump(mode="json", exclude_none=True), ensure_ascii=False)
    case.opinion_on = today
    _set_due(case, add_workdays(today, deadlines(today).notify))
    assert case.department is not None
    _step(uow, case, subject_of(uow.session, case), actor, case.opinion, CaseOpinionIssued,
          department=case.department, outcome=data.outcome, opinion=case.opinion, remedy=data.remedy)
    return case


def report_case(uow: UnitOfWork, case_id: int, actor: Actor) -> Case:
    """反馈市信用主管部门 (hall); the notify deadline of the opinion still runs (resolve tells the subject)."""
    case = _case_for(uow, case_id, "report", actor)
    case.state = "reported_to_credit_authority"
    _step(uow, case, subject_of(uow.session, case), actor, None, CaseReported)
    return case


def effect_actor(case: Case, actor: Actor) -> Actor:
    """Who corrects or withdraws: the routed department's authority (its opinion), as a business actor bound to
    it, named after the case and the hall member who applies the opinion (recorded as entered_by/withdrawn_by)."""
    return Actor(name=f"{case.department}（案件#{case.id}，{actor.name}办理）"[:100], role="business",
                 department=case.department, channel="manual", origin=actor.origin)


def _apply_effects(uow: UnitOfWork, case: Case, actor: Actor) -> str:
    """The effects of an upheld case; returns a note for the timeline."""
    session = uow.session
    by = effect_actor(case, actor)
    why = f"{KIND_ZH[case.kind]}成立（案件 #{case.id}，{case.department} 审核意见：{case.opinion}）"[:2000]
    if case.record_id is not None:
        if records_repo.withdrawal_of(session, case.record_id) is not None:
            return f"记录 #{case.record_id} 已撤销，无需处理"
        if case.kind == "repair" or case.remedy == "withdraw":
            kind = "repair" if case.kind == "repair" else "objection"
            withdraw_record(uow, case.record_id, why, by, kind=kind)
            return f"撤销记录 #{case.record_id}（{kind}）"
        fields = json.loads(case.correction or "{}")
        corrected = correct_record(uow, case.record_id, CorrectIn(
            reason=why, authority_ref=f"异议案件#{case.id} 审核意见", **fields), by)
        case.result_record_id = corrected.record.id
        return f"更正记录 #{case.record_id} → #{corrected.record.id}"
    if case.listing_id is not None:
        listing = listings_repo.by_id(session, case.listing_id)
        if listing is None or listing.removed_on is not None:
            return f"名单记录 #{case.listing_id} 已移出，无需处理"
        remove_listing(uow, case.listing_id, RemovalIn(removed_on=uow.clock.today(), reason=why), by)
        return f"移出名单记录 #{case.listing_id}"
    return f"{case.industry} 评价结果已重新计算"  # CaseResolved re-evaluates the subject (handlers.REACTIONS)


def resolve_case(uow: UnitOfWork, case_id: int, actor: Actor) -> Case:
    """办结 (hall): repaired when the opinion upheld the application (its effects applied now, re-evaluating in
    real time), rejected otherwise; the record is no longer under objection either way; the subject is told."""
    case = _case_for(uow, case_id, "resolve", actor)
    note = _apply_effects(uow, case, actor) if case.outcome == "upheld" else "申请不予支持"
    close_dispute(uow, case.id)
    case.state = "repaired" if case.outcome == "upheld" else "rejected"
    _set_due(case, None)
    assert case.outcome is not None
    _step(uow, case, subject_of(uow.session, case), actor, note, CaseResolved, kind=case.kind, state=case.state,
          outcome=case.outcome, remedy=case.remedy, record_id=case.record_id, new_record_id=case.result_record_id,
          listing_id=case.listing_id, industry=case.industry)
    return case


def close_case(uow: UnitOfWork, case_id: int, actor: Actor) -> Case:
    """结案 (hall)."""
    case = _case_for(uow, case_id, "close", actor)
    case.state = "closed"
    _step(uow, case, subject_of(uow.session, case), actor, None, CaseClosed)
    return case


# --- evidence ------------------------------------------------------------------------------------------------------

def attach_case_evidence(uow: UnitOfWork, case_id: int, data: bytes, filename: str | None, declared: str | None,
                         actor: Actor, store: EvidenceStore | None = None) -> tuple[CaseEvidence, bool]:
    """证明材料 of an open case: the same checks and content-addressed store as record evidence (122号 Art.19); the
    same content again is the same attachment (created False)."""
    session = uow.session
    case = case_for_read(session, case_id, actor)
    case = _case_for(uow, case.id, "evidence", actor)
    name, media_type, sha = checked_and_stored(data, filename, declared, uow.clock.today(), store)
    existing = repository.evidence_attached(session, case.id, sha)
    if existing is not None:
        return existing, False
    row = CaseEvidence(case_id=case.id, sha256=sha, name=name, size=len(data), media_type=media_type,
                       uploaded_by=actor.name, uploaded_at=uow.clock.now())
    row, created = insert_once(session, row, lambda: repository.evidence_attached(session, case.id, sha))
    if created:
        subject = subject_of(session, case)
        uow.publish(CaseEvidenceAttached(subject.id, subject.code, case_id=case.id, by=actor.name,
                                         at=row.uploaded_at.isoformat(timespec="milliseconds"),
                                         due_on=case.due_on.isoformat() if case.due_on else None, sha256=sha,
                                         name=name, size=len(data), media_type=media_type))
        uow.handle()
    return row, created


# --- deadlines watched (xinyong jobs run) -------------------------------------------------------------------------

def flag_overdue_cases(uow: UnitOfWork) -> int:
    """Notify whoever holds an overdue step (today > due_on): the hall for intake, report and resolve, the routed
    department (and the hall) for verification. Once per step and deadline (case_overdue_notices): running again
    the same day, or any later day with the same deadline, notifies nothing more; an extension is a new deadline.
    Returns how many steps were flagged now."""
    session = uow.session
    today = uow.clock.today()
    flagged = 0
    for case in repository.overdue_cases(session, today):
        assert case.due_on is not None
        if repository.overdue_notice(session, case.id, case.state, case.due_on) is not None:
            continue
        row = OverdueNotice(case_id=case.id, state=case.state, due_on=case.due_on, notified_at=uow.clock.now())
        row, created = insert_once(session, row,
                                   lambda c=case: repository.overdue_notice(session, c.id, c.state, c.due_on))
        if not created:
            continue
        recipients = [Recipient.role("hall")]
        if case.state in ("routed", "under_verification") and case.department:
            recipients.insert(0, Recipient.department(case.department))
        title = f"{KIND_ZH[case.kind]}案件 #{case.id} 已逾期（{STATE_ZH[case.state]}，期限 {case.due_on}）"
        notify(uow, recipients, kind="case_overdue", title=title,
               body=f"{title}；请尽快办理（122号 第十八条，期限按工作日计算）", link=f"/api/v1/cases/{case.id}")
        flagged += 1
    return flagged


def read_case_evidence(session: Session, case: Case, sha: str, store: EvidenceStore | None = None
                       ) -> tuple[CaseEvidence, bytes]:
    """A file of the case, checked against its hash (a swapped or lost file is refused, never served)."""
    row = repository.evidence_attached(session, case.id, sha)
    if row is None:
        raise NotFoundError("sha256", f"案件 #{case.id} 没有摘要为 {sha} 的证明材料", f"case {case.id} has no evidence {sha}")
    return row, verified_bytes(sha, store)
