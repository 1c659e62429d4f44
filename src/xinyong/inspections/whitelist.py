""""无事不扰"白名单 (44号 Task 12; spec G3-02, D3-01, X-09).

Who qualifies by rule (defaults.yaml `whitelist`, spec G3-02): a subject of the industry with grade A in its
industry composite evaluation, no counting bad record and no listing in the past 24 months. The past 24 months
counted per 民法典 Art.201–203 (spec G0-1): the period that ends today starts after the corresponding day 24
months back (or that month's last day when it has none), so on 2026-03-10 a record dated 2024-03-10 is outside it
and one dated 2024-03-11 inside.

- `review_whitelist` (quarterly, wired into the scheduled jobs) adds the subjects that qualify and removes the
  entries made by rule whose subject no longer does; an entry removed by hand is not re-added by the review (the
  department's reasoned decision stands until it adds the subject again).
- Any new counting bad record or listing removes the subject from every whitelist at once (handlers.py).
- Manual additions and removals carry a reason; a grade D subject is never added (122号 Art.22(4)1 重点监管对象).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from sqlalchemy.orm import Session

from ..auth.actors import Actor
from ..core.uow import UnitOfWork
from ..db.session import insert_once
from ..errors import ConflictError, ForbiddenError, InputError, NotFoundError, Problem
from ..listings.service import listings_of
from ..messages.inspections import WhitelistEntered, WhitelistRemoved
from ..records import repository as records_repo
from ..reference import repository as reference_repo
from ..subjects.models import Subject
from ..subjects.service import public_code, subject_for_input
from . import repository
from .config import whitelist_rule
from .models import WhitelistEntry
from .schemas import ReviewOut, WhitelistIn, WhitelistOut
from .service import industry_grades, may_act_for_industry, subject_grade


def months_before(day: date, months: int) -> date:
    """The corresponding day `months` months before `day`, or that month's last day (民法典 Art.202)."""
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(y, m + 1, min(day.day, calendar.monthrange(y, m + 1)[1]))


def window(day: date, months: int) -> tuple[date, date]:
    """First and last day of the `months` months that end on `day` (the start day is not counted, 民法典 Art.201)."""
    return months_before(day, months) + timedelta(days=1), day


def disqualifications(session: Session, subject_id: int, day: date, months: int) -> list[str]:
    """Why the subject's record is not clean in the window ending on `day`: its counting bad records (122号 Art.7
    不良信用信息) and listings (spec X-02). Empty: clean."""
    first, last = window(day, months)
    items = reference_repo.catalogue(session)
    out = [f"不良记录 #{r.id} {r.item}（{r.act_date}）"
           for r in records_repo.counting_for_subject(session, subject_id, first, last)
           if (it := items.get(r.item)) is not None and it.polarity == "bad"]
    out += [f"名单 {m.list_code}（{m.listed_on}起）" for m in listings_of(session, subject_id)
            if m.listed_on <= last and (m.removed_on is None or m.removed_on > first)]
    return out


def _open_key(subject_id: int, industry: str) -> str:
    return f"{subject_id}:{industry}"


def _enter(uow: UnitOfWork, subject: Subject, industry: str, basis: str, reason: str, by: str) -> WhitelistEntry:
    session = uow.session
    uow.lock_subject(subject.id)
    row = WhitelistEntry(subject_id=subject.id, industry=industry, basis=basis, reason=reason,
                         added_on=uow.clock.today(), added_by=by, added_at=uow.clock.now(),
                         open_key=_open_key(subject.id, industry))
    row, created = insert_once(session, row, lambda: repository.open_entry(session, subject.id, industry))
    if not created:
        raise ConflictError("subject", f"该对象已在 {industry} 行业白名单内（#{row.id}）",
                            f"the subject is already on the {industry} whitelist (#{row.id})")
    uow.publish(WhitelistEntered(subject.id, subject.code, entry_id=row.id, industry=industry, basis=basis,
                                 reason=reason, added_on=row.added_on.isoformat(), by=by))
    return row


def _remove(uow: UnitOfWork, row: WhitelistEntry, subject: Subject, cause: str, reason: str, by: str) -> None:
    uow.lock_subject(subject.id)
    row.removed_on, row.removal_cause, row.removal_reason = uow.clock.today(), cause, reason
    row.removed_by, row.removed_at, row.open_key = by, uow.clock.now(), None
    uow.session.flush()
    uow.publish(WhitelistRemoved(subject.id, subject.code, entry_id=row.id, industry=row.industry, cause=cause,
                                 reason=reason, removed_on=row.removed_on.isoformat(), by=by))


def review_whitelist(uow: UnitOfWork, industry: str, today: date | None = None) -> ReviewOut:
    """The quarterly review of one industry's whitelist by rule (spec G3-02)."""
    session = uow.session
    if reference_repo.industry(session, industry) is None:
        raise InputError("industry", f"未知行业代码 {industry}", f"unknown industry {industry}")
    today = today or uow.clock.today()
    rule = whitelist_rule(today)
    open_by_subject = {e.subject_id: e for e in repository.open_entries(session, industry)}
    latest = {e.subject_id: e for e in repository.entries(session, industry)}  # in id order: the last wins
    manually_removed = {sid for sid, e in latest.items() if e.removal_cause == "manual"}
    added: list[str] = []
    removed: list[str] = []
    for subject, grade in industry_grades(session, industry, today):
        why_not = [] if grade == rule.grade else [f"等级 {grade}"]
        why_not += disqualifications(session, subject.id, today, rule.clean_months)
        entry = open_by_subject.get(subject.id)
        if not why_not and entry is None and subject.id not in manually_removed:
            _enter(uow, subject, industry, "rule",
                   f"季度复核：{rule.grade}级且近{rule.clean_months}个月无不良记录、无名单（{rule.reference}）", "system")
            added.append(subject.code)
        elif why_not and entry is not None and entry.basis == "rule":
            _remove(uow, entry, subject, "review", f"季度复核不再符合：{'；'.join(why_not)}", "system")
            removed.append(subject.code)
    uow.handle()
    on_list = len(repository.open_entries(session, industry))
    return ReviewOut(industry=industry, as_of=today, added=added, removed=removed, on_list=on_list)


def review_all(uow: UnitOfWork, today: date | None = None) -> list[ReviewOut]:
    """Review every industry's whitelist (the scheduled jobs call this once a quarter)."""
    return [review_whitelist(uow, code, today) for code in reference_repo.industry_codes(uow.session)]


def review_due(today: date) -> bool:
    """The quarterly review falls on the first day of January, April, July and October."""
    return today.day == 1 and today.month in (1, 4, 7, 10)


def _check_industry(session: Session, actor: Actor, industry: str) -> None:
    if not may_act_for_industry(actor, session, industry):
        raise ForbiddenError("industry", f"业务部门({actor.department})不是行业 {industry} 的监管部门",
                             f"department {actor.department} does not regulate industry {industry}")


def add_manually(uow: UnitOfWork, data: WhitelistIn, actor: Actor) -> WhitelistEntry:
    session = uow.session
    subject, problem = subject_for_input(session, data.subject)
    problems = [problem] if problem else []
    if reference_repo.industry(session, data.industry) is None:
        problems.append(Problem("industry", f"未知行业代码 {data.industry}", f"unknown industry {data.industry}"))
    reason = data.reason.strip()
    if not reason:
        problems.append(Problem("reason", "纳入原因不能为空", "reason must not be blank"))
    if problems:
        raise InputError(problems[0].field, problems[0].reason_zh, problems[0].reason_en, *problems[1:])
    assert subject is not None
    _check_industry(session, actor, data.industry)
    if data.industry not in subject.industry_codes:
        raise InputError("industry", f"该对象不在 {data.industry} 行业评价范围内",
                         f"the subject is not evaluated in industry {data.industry}")
    if subject_grade(session, subject, data.industry, uow.clock.today()) == "D":
        raise InputError("subject", "D级对象为重点监管对象，不能纳入无事不扰白名单（122号 第二十二条(四)1）",
                         "a grade D subject is a key supervision object and cannot be whitelisted (122号 Art.22(4)1)")
    row = _enter(uow, subject, data.industry, "manual", reason, actor.name)
    uow.handle()
    return row


def remove_manually(uow: UnitOfWork, entry_id: int, reason: str, actor: Actor) -> WhitelistEntry:
    session = uow.session
    row = repository.entry(session, entry_id)
    if row is None:
        raise NotFoundError("entry_id", f"没有编号为 {entry_id} 的白名单记录", f"no whitelist entry {entry_id}")
    _check_industry(session, actor, row.industry)
    if row.removed_on is not None:
        raise ConflictError("entry_id", f"白名单记录 {entry_id} 已于 {row.removed_on} 移出",
                            f"whitelist entry {entry_id} was already removed on {row.removed_on}")
    if not reason.strip():
        raise InputError("reason", "移出原因不能为空", "reason must not be blank")
    subject = session.get(Subject, row.subject_id)
    assert subject is not None
    _remove(uow, row, subject, "manual", reason.strip(), actor.name)
    uow.handle()
    return row


def remove_subject(uow: UnitOfWork, subject_id: int, subject_code: str, cause: str, reason: str) -> int:
    """Take the subject off every whitelist it is on (a new bad record or listing, spec G3-02). Returns how many."""
    rows = list(repository.open_entries_of_subject(uow.session, subject_id))
    if not rows:
        return 0
    subject = uow.session.get(Subject, subject_id)
    assert subject is not None and subject.code == subject_code
    for row in rows:
        _remove(uow, row, subject, cause, reason, "system")
    return len(rows)


def entries_out(session: Session, industry: str | None, may_see_personal: bool, today: date) -> list[WhitelistOut]:
    if industry and reference_repo.industry(session, industry) is None:
        raise InputError("industry", f"未知行业代码 {industry}", f"unknown industry {industry}")
    out = []
    codes: dict[int, Subject | None] = {}
    for e in repository.entries(session, industry):
        if e.subject_id not in codes:
            codes[e.subject_id] = session.get(Subject, e.subject_id)
        subject = codes[e.subject_id]
        assert subject is not None
        out.append(entry_out(e, subject, may_see_personal, today))
    return out


def entry_out(e: WhitelistEntry, subject: Subject, may_see_personal: bool, today: date) -> WhitelistOut:
    return WhitelistOut(id=e.id, subject=public_code(subject, may_see_personal), industry=e.industry, basis=e.basis,
                        reason=e.reason, added_on=e.added_on, active=e.active_on(today), removed_on=e.removed_on,
                        removal_cause=e.removal_cause, removal_reason=e.removal_reason)
