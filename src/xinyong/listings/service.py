"""名单状态服务 (spec X-02): enter a listing, record its removal, and answer "is this subject on list L on day d".

122号 Art.16(1): a subject on the national serious-dishonesty list is graded D; spec G1-05/G1-15: the fuse fires
at once and keeps firing in every period while the listing holds, and stops from the removal day on. Every
listing and removal is archived (122号 Art.19) and re-evaluates the subject in the same unit of work (122号 Art.13).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy.orm import Session

from ..auth.actors import Actor
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


@lru_cache(maxsize=1)
def lists() -> Mapping[str, ListDef]:
    raw = yaml.safe_load(LISTS_FILE.read_text(encoding="utf-8"))
    out = {}
    for code, body in raw.items():
        fuse = body.get("fuse")
        if fuse is not None:
            citation.parse(fuse)  # a malformed key is a deployment error: refuse to start
        out[code] = ListDef(code=code, name=body["name"], reference=body["reference"], fuse=fuse)
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
    if problems:
        raise InputError(problems[0].field, problems[0].reason_zh, problems[0].reason_en, *problems[1:])
    assert subject is not None
    ref = data.source_ref.strip()
    existing = repository.by_ref(session, subject.id, data.list, ref)
    if existing is not None:
        if existing.listed_on != data.listed_on or existing.department != data.department:
            raise ConflictError("source_ref", f"来源编号 {ref} 已用于内容不同的名单记录 #{existing.id}",
                                f"source_ref {ref} already names listing #{existing.id} with other content")
        return existing, False
    # 系统对接 or 部门录入, by the credential (a docking token is a system), never by the caller's word
    source = "system" if actor.channel == "interface" else "department"
    row = Membership(subject_id=subject.id, list_code=data.list, listed_on=data.listed_on, source=source,
                     department=data.department, source_ref=ref, entered_by=actor.name, entered_at=uow.clock.now())
    # a concurrent duplicate loses on the unique index
    row, created = insert_once(session, row, lambda: repository.by_ref(session, subject.id, data.list, ref))
    if not created:
        return row, False
    definition = _list_def(data.list)
    uow.publish(SubjectListed(subject.id, subject.code, membership_id=row.id, list_code=row.list_code,
                              list_name=definition.name, listed_on=row.listed_on.isoformat(), source=source,
                              department=row.department, source_ref=ref, by=actor.name))
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


def on_list(session: Session, subject_id: int, list_code: str, day: date) -> list[Membership]:
    """The list-status question (X-02): the memberships that put the subject on `list_code` on `day`."""
    _list_def(list_code)
    return list(repository.active_on(session, [list_code], day, subject_id))


def fusing_listings(session: Session, day: date, subject_id: int | None = None) -> dict[int, list[tuple[int, str]]]:
    """subject id → [(membership id, fuse key)] of the listings that force grade D on `day` (122号 Art.16(1))."""
    keys = fuse_lists()
    out: dict[int, list[tuple[int, str]]] = {}
    if not keys:
        return out
    for m in repository.active_on(session, list(keys), day, subject_id):
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
        source_ref=row.source_ref, removal_reason=row.removal_reason, fuse=definition.fuse if definition else None)
