"""名单状态服务 (spec X-02): enter a listing, record its removal, and answer "is this subject on list L on day d".

122号 Art.16(1): a subject on the national serious-dishonesty list is graded D; spec G1-05/G1-15: the fuse fires
at once and keeps firing in every period while the listing holds, and stops from the removal day on. Every
listing and removal is archived (122号 Art.19) and re-evaluates the subject in the same unit of work (122号 Art.13).

Automatic removal (44号 Task 14 无需申请即可自动移出; spec D3-04, G3-01(a)): a listing may carry the last day of
its effect (`ends_on`, by default the list's fixed period in lists.yaml); from the next day the subject is no longer
on the list, and the daily job (`remove_expired_listings`) records the removal with `automatic: true` and its rule.
Conditions that need human judgment (early removal after repair) stay on the application route (POST removal).
"""

from __future__ import annotations

import calendar
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy.orm import Session

from ..auth.actors import SYSTEM, Actor
from ..core.uow import UnitOfWork
from ..db.session import insert_once
from ..errors import ConflictError, InputError, NotFoundError, Problem, future_problem, refuse
from ..messages.listings import ListingRemoved, SubjectListed
from ..reference.service import department_names
from ..standards import citation
from ..subjects.models import Subject
from ..subjects.service import public_code, subject_for_input
from . import repository
from .models import Membership
from .schemas import ListingIn, ListingOut, RemovalIn

LISTS_FILE = Path(__file__).with_name("lists.yaml")


@dataclass(frozen=True)
class ListDef:
    code: str
    name: str
    reference: str
    fuse: str | None  # citation key of the 122号 Art.16 item it fires, e.g. "122号 Art.16(1)"
    period_months: int | None = None  # the fixed listing period (列入期限) in months; None: until removed
    period_reference: str | None = None

    def ends_on(self, listed_on: date) -> date | None:
        """The last day of the fixed period from `listed_on` (民法典 第二百零一条: the listing day is not counted;
        第二百零二条: the corresponding day, or the month's last day). 第二百零三条 (a last day on a holiday moves
        to the next working day) governs time limits for acting, not a term of effect (as reference/framework.py
        reads it for the measures' own term), so the day is not moved."""
        return None if self.period_months is None else add_months(listed_on, self.period_months)


def add_months(day: date, months: int) -> date:
    """The corresponding day `months` months later, or that month's last day when it has none (民法典 第二百零二条:
    2024-02-29 + 12 months → 2025-02-28; 2025-01-31 + 1 month → 2025-02-28)."""
    y, m = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(y, m + 1, min(day.day, calendar.monthrange(y, m + 1)[1]))


@lru_cache(maxsize=1)
def lists() -> Mapping[str, ListDef]:
    raw = yaml.safe_load(LISTS_FILE.read_text(encoding="utf-8"))
    out = {}
    for code, body in raw.items():
        fuse = body.get("fuse")
        if fuse is not None:
            citation.parse(fuse)  # a malformed key is a deployment error: refuse to start
        period = body.get("period")
        months = None
        if period is not None:
            months = int(period.get("years", 0)) * 12 + int(period.get("months", 0))
            if months <= 0 or not period.get("reference"):  # a deployment error: refuse to start
                raise ValueError(f"lists.yaml {code}: a period needs years and/or months > 0 and a reference")
        out[code] = ListDef(code=code, name=body["name"], reference=body["reference"], fuse=fuse,
                            period_months=months, period_reference=period.get("reference") if period else None)
    return out


def fuse_lists() -> dict[str, str]:
    """list code → the fuse key it fires (only lists that force grade D)."""
    return {code: d.fuse for code, d in lists().items() if d.fuse}


def _list_def(code: str) -> ListDef:
    found = lists().get(code)
    if found is None:
        known = "、".join(lists())
        raise InputError("list", f"未知名单 {code}，可选：{known}", f"unknown list {code}; one of {', '.join(lists())}")
    return found


def enter_listing(uow: UnitOfWork, data: ListingIn, actor: Actor) -> tuple[Membership, bool]:
    """列入名单. The same (subject, list, source_ref) again is the same listing (created False); with another
    listed_on it is a conflict (409), never a silent overwrite."""
    session = uow.session
    problems: list[Problem] = []
    subject, problem = subject_for_input(session, data.subject)
    if problem is not None:
        problems.append(problem)
    if data.list not in lists():
        problems.append(Problem("list", f"未知名单 {data.list}", f"unknown list {data.list}; one of {', '.join(lists())}"))
    today = uow.clock.today()
    if (future := future_problem("listed_on", "列入日期", data.listed_on, today)) is not None:
        problems.append(future)
    if data.department is not None and data.department not in department_names(session):
        problems.append(Problem("department", f"未知部门代码 {data.department}", f"unknown department {data.department}"))
    if not data.source_ref.strip():
        problems.append(Problem("source_ref", "来源编号不能为空", "source_ref must not be blank"))
    if data.ends_on is not None and data.ends_on < data.listed_on:
        problems.append(Problem("ends_on", f"列入期限截止日 {data.ends_on} 早于列入日期 {data.listed_on}",
                                f"ends_on {data.ends_on} is before listed_on {data.listed_on}"))
    if problems:
        raise InputError(problems[0].field, problems[0].reason_zh, problems[0].reason_en, *problems[1:])
    assert subject is not None
    ref = data.source_ref.strip()
    # the stated end of effect, else the list's fixed period (spec G3-01(a)), else none (until removed)
    ends_on = data.ends_on if data.ends_on is not None else _list_def(data.list).ends_on(data.listed_on)
    existing = repository.by_ref(session, subject.id, data.list, ref)
    if existing is not None:
        if (existing.listed_on != data.listed_on or existing.department != data.department
                or existing.ends_on != ends_on):
            raise ConflictError("source_ref", f"来源编号 {ref} 已用于内容不同的名单记录 #{existing.id}",
                                f"source_ref {ref} already names listing #{existing.id} with other content")
        return existing, False
    # 系统对接 or 部门录入, by the credential (a docking token is a system), never by the caller's word
    source = "system" if actor.channel == "interface" else "department"
    row = Membership(subject_id=subject.id, list_code=data.list, listed_on=data.listed_on, source=source,
                     department=data.department, source_ref=ref, entered_by=actor.name, entered_at=uow.clock.now(),
                     ends_on=ends_on)
    # a concurrent duplicate loses on the unique index
    row, created = insert_once(session, row, lambda: repository.by_ref(session, subject.id, data.list, ref))
    if not created:
        return row, False
    definition = _list_def(data.list)
    uow.publish(SubjectListed(subject.id, subject.code, membership_id=row.id, list_code=row.list_code,
                              list_name=definition.name, listed_on=row.listed_on.isoformat(), source=source,
                              department=row.department, source_ref=ref, by=actor.name,
                              ends_on=ends_on.isoformat() if ends_on else None))
    uow.handle()
    return row, True


def remove_listing(uow: UnitOfWork, membership_id: int, data: RemovalIn, actor: Actor) -> Membership:
    """移出名单 from `removed_on` on (the subject is no longer on the list that day)."""
    session = uow.session
    row = repository.by_id(session, membership_id)
    if row is None:
        raise NotFoundError("id", f"没有编号为 {membership_id} 的名单记录", f"no listing {membership_id}")
    if row.removed_on is not None:
        raise ConflictError("id", f"名单记录 {membership_id} 已于 {row.removed_on} 移出",
                            f"listing {membership_id} was already removed on {row.removed_on}")
    if data.removed_on < row.listed_on:
        raise InputError("removed_on", f"移出日期 {data.removed_on} 早于列入日期 {row.listed_on}",
                         f"removed_on {data.removed_on} is before listed_on {row.listed_on}")
    refuse(future_problem("removed_on", "移出日期", data.removed_on, uow.clock.today()))
    reason = data.reason.strip()
    if not reason:
        raise InputError("reason", "移出原因不能为空", "reason must not be blank")
    uow.lock_subject(row.subject_id)
    row.removed_on, row.removal_reason = data.removed_on, reason
    row.removed_by, row.removed_at = actor.name, uow.clock.now()
    session.flush()
    subject = session.get(Subject, row.subject_id)
    assert subject is not None
    uow.publish(ListingRemoved(subject.id, subject.code, membership_id=row.id, list_code=row.list_code,
                               list_name=_list_def(row.list_code).name, removed_on=data.removed_on.isoformat(),
                               reason=reason, by=actor.name))
    uow.handle()
    return row


AUTOMATIC_RULE = "listing_period_ended"  # 列入期限届满自动移出 (44号 Task 14; spec G3-01(a))


def remove_expired_listings(uow: UnitOfWork, actor: Actor = SYSTEM) -> int:
    """自动移出 (44号 Task 14 无需申请即可自动移出; spec D3-04, G3-01(a)): every listing whose effect ended before
    today (ends_on < today) and whose removal is not recorded is removed from the day after ends_on — the same day
    whenever the job runs — with `automatic` and the rule recorded on the row and in the archived event, which
    re-evaluates the subject and lifts a fuse (G1-05). Returns how many were removed; a second run finds none."""
    session = uow.session
    today = uow.clock.today()
    removed = 0
    for row in repository.ended_not_removed(session, today):
        uow.lock_subject(row.subject_id)
        session.refresh(row)  # a concurrent writer of this subject may have removed it meanwhile
        if row.removed_on is not None or row.ends_on is None:
            continue
        definition = _list_def(row.list_code)
        basis = f"（{definition.period_reference}）" if definition.period_reference else ""
        reason = f"列入期限于 {row.ends_on} 届满，无需申请自动移出{basis}"
        row.removed_on = row.ends_on + timedelta(days=1)
        row.removal_reason, row.removal_automatic, row.removal_rule = reason, True, AUTOMATIC_RULE
        row.removed_by, row.removed_at = actor.name, uow.clock.now()
        session.flush()
        subject = session.get(Subject, row.subject_id)
        assert subject is not None
        uow.publish(ListingRemoved(subject.id, subject.code, membership_id=row.id, list_code=row.list_code,
                                   list_name=definition.name, removed_on=row.removed_on.isoformat(), reason=reason,
                                   by=actor.name, automatic=True, rule=AUTOMATIC_RULE))
        uow.handle()
        removed += 1
    return removed


def on_list(session: Session, subject_id: int, list_code: str, day: date) -> list[Membership]:
    """The list-status question (X-02): the memberships that put the subject on `list_code` on `day`."""
    _list_def(list_code)
    return list(repository.active_on(session, [list_code], day, subject_id))


def fusing_listings(session: Session, day: date, subject_id: int | None = None,
                    subject_ids: Collection[int] | None = None) -> dict[int, list[tuple[int, str]]]:
    """subject id → [(membership id, fuse key)] of the listings that force grade D on `day` (122号 Art.16(1)), of
    one subject, of `subject_ids`, or of all."""
    keys = fuse_lists()
    out: dict[int, list[tuple[int, str]]] = {}
    if not keys:
        return out
    for m in repository.active_on(session, list(keys), day, subject_id, subject_ids):
        out.setdefault(m.subject_id, []).append((m.id, keys[m.list_code]))
    return out


def listings_of(session: Session, subject_id: int) -> list[Membership]:
    return list(repository.of_subject(session, subject_id))


def listing_out(row: Membership, subject: Subject, may_see_personal: bool, today: date) -> ListingOut:
    definition = lists().get(row.list_code)
    return ListingOut(
        id=row.id, subject=public_code(subject, may_see_personal), list=row.list_code,
        list_name=definition.name if definition else row.list_code, listed_on=row.listed_on,
        removed_on=row.removed_on, active=row.active_on(today), source=row.source, department=row.department,
        source_ref=row.source_ref, removal_reason=row.removal_reason, fuse=definition.fuse if definition else None,
        ends_on=row.ends_on, removal_automatic=row.removal_automatic, removal_rule=row.removal_rule)
