"""分级分类监管应用措施清单 — measures lists (122号 Art.20, 21, 24; spec D1-37, D1-38, D1-41, D1-42; G1-09, G1-10).

Each industry (and the coordinating department, `industry` = "general") keeps a punishment list (失信惩戒,
122号 Art.20; grades C and D) and an incentive list (守信激励, 122号 Art.21; grades A and B). A version is

    draft (业务部门 of the industry's regulator, the coordinator or admin) → approved (the leader in charge of that
    industry, 行业主管委领导审核同意) → filed (报统筹部门备案, with the day it takes effect) → in force

Stored statuses are draft, approved and filed; in_force and superseded are derived from the effective days on the
day asked about. An approved version never changes: a change is a new version. The version in force is updated in
principle once a year (原则上每年更新一次, 122号 Art.24): from the day it has been in force 12 months (the
corresponding day, 民法典 Art.202; spec G0-1) it is `stale` and `stale_measures_lists` reports it.

Who may do what:

| action                     | admin | coordinator | business                      | leader                  |
|----------------------------|-------|-------------|-------------------------------|-------------------------|
| draft / edit a draft       | yes   | yes         | its regulated industries only | no                      |
| approve                    | no    | no          | no                            | in charge, signed in¹   |
| file (备案), effective day   | yes   | yes         | no                            | no                      |

¹ a leader credential whose scope holds the industry ("general" for the coordinating department's lists; no
scope: every list, docs/decisions.md 25), and a signed-in person (a sign-in session), not a docking token.
"""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..auth.actors import Actor
from ..core.uow import UnitOfWork
from ..errors import ConflictError, ForbiddenError, InputError, NotFoundError, Problem
from ..messages.supervision import MeasuresListApproved, MeasuresListDrafted, MeasuresListFiled
from ..reference import repository as reference_repo
from ..standards.loader import load_parameters
from ..users.tokens import GENERAL_SCOPE, in_scope
from . import repository
from .models import MeasuresEntry, MeasuresList
from .schemas import MeasuresEntryIn

DEFAULTS_FILE = Path(__file__).with_name("defaults.yaml")
GRADES = ("A", "B", "C", "D")
KINDS = ("punishment", "incentive")
INSPECTION = "inspection"


@lru_cache(maxsize=1)
def defaults() -> dict[str, Any]:
    return dict(yaml.safe_load(DEFAULTS_FILE.read_text(encoding="utf-8")))


def kind_grades(kind: str) -> tuple[str, ...]:
    return tuple(defaults()["kinds"][kind]["grades"])


def kind_name(kind: str) -> str:
    return str(defaults()["kinds"][kind]["name"])


def processes() -> dict[str, str]:
    return dict(defaults()["processes"]["values"])


def default_inspection_factors() -> dict[str, float]:
    """G1-09 proposed default: A 0.3, B 0.6, C 1.0, D 2.0 of C's routine ratio (122号 Art.22)."""
    return {g: float(v) for g, v in defaults()["inspection_factors"]["values"].items()}


def update_months() -> int:
    return int(defaults()["update_months"]["value"])


def social_roles() -> frozenset[str]:
    return frozenset(defaults()["social_roles"]["values"])


def months_after(day: date, months: int) -> date:
    """The corresponding day `months` later, or the last day of that month when it has none (民法典 Art.202;
    spec G0-1): 2025-03-10 + 12 → 2026-03-10, 2024-02-29 + 12 → 2025-02-28."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


# --- authorisation ------------------------------------------------------------------------------------------

def check_industry(session: Session, industry: str, field: str = "industry") -> None:
    known = reference_repo.industry_codes(session)
    if industry != GENERAL_SCOPE and industry not in known:
        raise InputError(field, f"未知行业 {industry}，可选: general, {', '.join(known)}",
                         f"unknown industry {industry}; one of general, {', '.join(known)}")


def check_may_draft(session: Session, actor: Actor, industry: str, what_zh: str = "措施清单",
                    what_en: str = "measures list") -> None:
    """业务部门 drafts the lists of the industries its department regulates (industries.regulator, 122号 Art.4(2),
    122号 Art.24 本行业); the coordinating department (统筹部门) any and its consolidated ("general") ones; admin any."""
    if actor.role in ("admin", "coordinator"):
        return
    if actor.role == "business" and industry != GENERAL_SCOPE:
        ind = reference_repo.industry(session, industry)
        if ind is not None and ind.regulator == actor.department:
            return
    raise ForbiddenError("industry", f"部门 {actor.department or actor.role} 不是行业 {industry} 的监管部门，不能编制其{what_zh}"
                                     f" (122号 第四条(二), 第二十四条)",
                         f"department {actor.department or actor.role} does not regulate industry {industry} and may "
                         f"not draft its {what_en} (122号 Art.4(2), 122号 Art.24)")


def check_leader_in_charge(actor: Actor, industry: str, what_zh: str, what_en: str, article: str) -> None:
    """The leader in charge of the industry approves (主管委领导审核/审定): a leader credential whose scope holds the
    industry ("general" for the coordinating department's lists), used by a signed-in person."""
    if actor.role != "leader":
        raise ForbiddenError("Authorization", f"{what_zh}须经主管领导审定 ({article})",
                             f"the {what_en} is approved by the leader in charge ({article})")
    scope = list(actor.scope) or None
    family = "general" if industry == GENERAL_SCOPE else "industry"
    if not in_scope(scope, family, None if family == "general" else industry):
        raise ForbiddenError("Authorization",
                             f"该主管领导分管 {', '.join(scope or [])}，不分管 {industry}，不能审定{what_zh} ({article})",
                             f"this leader is in charge of {', '.join(scope or [])}, not of {industry}, and may not "
                             f"approve the {what_en} ({article})")
    if actor.channel != "manual":
        raise ForbiddenError("Authorization", f"{what_zh}须由主管领导本人登录后审定，接口令牌不能审定 ({article})",
                             f"the {what_en} is approved by the leader signed in, not by a docking token ({article})")


# --- validation ---------------------------------------------------------------------------------------------

def _level_grades(on: date) -> dict[str, str]:
    return {band.level: band.grade for band in load_parameters().at(on).levels}


def entry_problems(kind: str, entries: list[MeasuresEntryIn], on: date) -> list[Problem]:
    """The lines' grades belong to the list's kind; a level lies within its grade (G1-10); a factor only on an
    inspection line, keeping 0 < A < B < C = 1 < D (G1-09: the order is mandatory, 122号 Art.22); no line twice."""
    problems: list[Problem] = []
    allowed = kind_grades(kind)
    levels = _level_grades(on)
    seen: set[tuple[str, str | None, str, str]] = set()
    factors: dict[str, float] = {}
    for i, e in enumerate(entries):
        at = f"entries[{i}]"
        if e.grade not in allowed:
            problems.append(Problem(f"{at}.grade", f"{kind_name(kind)}只列 {'、'.join(allowed)} 级的措施",
                                    f"a {kind} list holds grades {', '.join(allowed)} only"))
        if e.level is not None and levels.get(e.level) != e.grade:
            problems.append(Problem(f"{at}.level", f"等级 {e.level} 不属于 {e.grade} 级 (G1-10)",
                                    f"level {e.level} is not within grade {e.grade} (G1-10)"))
        if e.inspection_factor is not None:
            if e.process != INSPECTION:
                problems.append(Problem(f"{at}.inspection_factor", "只有监督检查类措施可以设定检查比例系数",
                                        "only an inspection line carries an inspection factor"))
            elif not _factor_fits(e.grade, e.inspection_factor):
                problems.append(Problem(
                    f"{at}.inspection_factor",
                    f"{e.grade} 级检查比例系数 {e.inspection_factor} 不符合 A、B 减少(小于1)、C 常规(等于1)、D 增加(大于1) "
                    f"(122号 第二十二条, G1-09)",
                    f"factor {e.inspection_factor} for grade {e.grade} breaks A, B < 1 (reduced), C = 1 (routine), "
                    f"D > 1 (increased) (122号 Art.22, G1-09)"))
            elif e.level is None:
                factors[e.grade] = e.inspection_factor
        key = (e.grade, e.level, e.process, e.item.strip())
        if key in seen:
            problems.append(Problem(f"{at}.item", "同一等级、流程的措施重复", "the same line appears twice"))
        seen.add(key)
    if kind == "incentive":
        merged = {**default_inspection_factors(), **factors}
        if merged["A"] >= merged["B"]:
            problems.append(Problem("entries", f"A 级检查比例系数 {merged['A']} 应小于 B 级 {merged['B']} "
                                               f"(大幅减少 < 适当减少, 122号 第二十二条, G1-09)",
                                    f"the A factor {merged['A']} must be below the B factor {merged['B']} "
                                    f"(122号 Art.22, G1-09)"))
    return problems


def _factor_fits(grade: str, factor: float) -> bool:
    if grade in ("A", "B"):
        return 0 < factor < 1
    if grade == "C":
        return factor == 1
    return factor > 1


def _raise(problems: list[Problem]) -> None:
    if problems:
        first, *rest = problems
        raise InputError(first.field, first.reason_zh, first.reason_en, *rest)


def _entries(data: list[MeasuresEntryIn]) -> list[MeasuresEntry]:
    return [MeasuresEntry(position=i, grade=e.grade, level=e.level, process=e.process, item=e.item.strip(),
                          basis=e.basis.strip(), category=e.category.strip(), department=e.department.strip(),
                          inspection_factor=e.inspection_factor) for i, e in enumerate(data)]


# --- lifecycle ----------------------------------------------------------------------------------------------

def get_list(session: Session, list_id: int) -> MeasuresList:
    row = repository.list_by_id(session, list_id)
    if row is None:
        raise NotFoundError("list_id", f"未找到措施清单 {list_id}", f"no measures list {list_id}")
    return row


def create_draft(uow: UnitOfWork, industry: str, kind: str, note: str | None, entries: list[MeasuresEntryIn],
                 actor: Actor) -> MeasuresList:
    session = uow.session
    check_industry(session, industry)
    check_may_draft(session, actor, industry)
    today = uow.clock.today()
    _raise(entry_problems(kind, entries, today))
    now = uow.clock.now()
    row = MeasuresList(industry=industry, kind=kind, version=repository.last_version(session, industry, kind) + 1,
                       status="draft", note=note, drafted_by=actor.name, drafted_department=actor.department,
                       created_at=now, updated_at=now, entries=_entries(entries))
    try:
        with session.begin_nested():  # two drafts of one list at once: the second retries (409), never a 500
            session.add(row)
            session.flush()
    except IntegrityError:
        raise ConflictError("version", "另一份草案刚刚编号，请重试", "another draft took this version number; retry"
                            ) from None
    uow.publish(MeasuresListDrafted(row.id, industry, kind, row.version, actor.name))
    uow.audit("measures.draft", f"measures:{row.id}", f"{industry} {kind} v{row.version}, {len(entries)} entries")
    return row


def update_draft(uow: UnitOfWork, list_id: int, note: str | None, entries: list[MeasuresEntryIn], actor: Actor
                 ) -> MeasuresList:
    row = get_list(uow.session, list_id)
    check_may_draft(uow.session, actor, row.industry)
    if row.status != "draft":
        raise ConflictError("status", f"措施清单 {list_id} 已审定，不能修改；请编制新版本",
                            f"measures list {list_id} is {row.status} and never changes; draft a new version")
    _raise(entry_problems(row.kind, entries, uow.clock.today()))
    row.note = note
    row.entries = _entries(entries)
    row.updated_at = uow.clock.now()
    uow.session.flush()
    uow.audit("measures.update", f"measures:{row.id}", f"{len(entries)} entries")
    return row


def approve(uow: UnitOfWork, list_id: int, actor: Actor) -> MeasuresList:
    """措施清单经行业主管委领导审核同意 (122号 Art.24)."""
    row = get_list(uow.session, list_id)
    check_leader_in_charge(actor, row.industry, "措施清单", "measures list", "122号 第二十四条")
    if row.status != "draft":
        raise ConflictError("status", f"措施清单 {list_id} 已审定", f"measures list {list_id} is already {row.status}")
    row.status, row.approved_by, row.approved_at = "approved", actor.name, uow.clock.now()
    uow.session.flush()
    uow.publish(MeasuresListApproved(row.id, row.industry, row.kind, row.version, actor.name))
    uow.audit("measures.approve", f"measures:{row.id}", f"{row.industry} {row.kind} v{row.version}")
    return row


def file_list(uow: UnitOfWork, list_id: int, effective_from: date | None, actor: Actor) -> MeasuresList:
    """报统筹部门备案 (122号 Art.24): in force from `effective_from` (default: the filing day), not before the filing
    day and after the day the previous filed version took effect (one version in force on any day)."""
    session = uow.session
    row = get_list(session, list_id)
    if row.status != "approved":
        raise ConflictError("status", f"措施清单 {list_id} 状态为 {row.status}，须经主管领导审核同意后备案 (122号 第二十四条)",
                            f"measures list {list_id} is {row.status}; only an approved list is filed (122号 Art.24)")
    today = uow.clock.today()
    effective = effective_from or today
    if effective < today:
        raise InputError("effective_from", f"施行日期 {effective} 早于备案日期 {today}",
                         f"effective_from {effective} is before the filing day {today}")
    previous = repository.latest_filed_effective(session, row.industry, row.kind)
    if previous is not None and effective <= previous:
        raise InputError("effective_from", f"施行日期 {effective} 应晚于上一版本的施行日期 {previous}",
                         f"effective_from {effective} must be after the previous version's {previous}")
    row.status, row.filed_by, row.filed_at, row.effective_from = "filed", actor.name, uow.clock.now(), effective
    session.flush()
    uow.publish(MeasuresListFiled(row.id, row.industry, row.kind, row.version, effective.isoformat(), actor.name))
    uow.audit("measures.file", f"measures:{row.id}", f"effective {effective.isoformat()}")
    return row


# --- versions in force --------------------------------------------------------------------------------------

def in_force(session: Session, industry: str, kind: str, day: date) -> MeasuresList | None:
    """The version in force on `day`: the filed one that took effect last on or before it."""
    current = None
    for row in repository.filed_lists(session, [industry], [kind]):
        if row.effective_from is not None and row.effective_from <= day:
            current = row
    return current


def status_on(session: Session, row: MeasuresList, day: date) -> str:
    if row.status != "filed" or row.effective_from is None or row.effective_from > day:
        return row.status
    current = in_force(session, row.industry, row.kind, day)
    return "in_force" if current is not None and current.id == row.id else "superseded"


def update_due(row: MeasuresList) -> date | None:
    return None if row.effective_from is None else months_after(row.effective_from, update_months())


def is_stale(session: Session, row: MeasuresList, day: date) -> bool:
    """In force on `day`, in force for 12 months (from the corresponding day, 122号 Art.24), and no newer version
    filed to take over."""
    due = update_due(row)
    if due is None or day < due or status_on(session, row, day) != "in_force":
        return False
    later = repository.latest_filed_effective(session, row.industry, row.kind)
    return later is None or later <= day


@dataclass(frozen=True)
class StaleList:
    id: int
    industry: str
    kind: str
    version: int
    effective_from: date
    update_due: date


def stale_measures_lists(session: Session, today: date) -> list[StaleList]:
    """The reminder of 122号 Art.24 (原则上每年更新一次; spec D1-42): every version in force today for 12 months or
    more with no newer version filed. For `xinyong jobs run`."""
    out: list[StaleList] = []
    for row in repository.filed_lists(session):
        if is_stale(session, row, today):
            assert row.effective_from is not None
            out.append(StaleList(row.id, row.industry, row.kind, row.version, row.effective_from,
                                 months_after(row.effective_from, update_months())))
    return out


def inspection_factors(session: Session, industry: str, department: str | None, day: date) -> dict[str, float]:
    """grade → factor of C's routine random-inspection ratio (G1-09; 122号 Art.22, 122号 Art.25) for an inspection plan of
    `industry` drawn by `department` on `day`: the inspection lines (without a level) of the lists in force that
    day — a line whose 实施部门 is `department` before any other — else the default A 0.3, B 0.6, C 1.0, D 2.0."""
    factors = default_inspection_factors()
    base = dict(factors)
    for kind in KINDS:
        row = in_force(session, industry, kind, day)
        if row is None:
            continue
        chosen: dict[str, tuple[float, bool]] = {}
        for e in row.entries:
            if e.process != INSPECTION or e.level is not None:
                continue
            factor = e.inspection_factor if e.inspection_factor is not None else base[e.grade]
            match = department is not None and e.department == department
            if e.grade not in chosen or (match and not chosen[e.grade][1]):
                chosen[e.grade] = (factor, match)
        factors.update({g: f for g, (f, _m) in chosen.items()})
    return factors


def list_out(session: Session, row: MeasuresList, day: date) -> dict[str, Any]:
    return {
        "id": row.id, "industry": row.industry, "kind": row.kind, "version": row.version,
        "status": status_on(session, row, day), "on": day, "note": row.note, "drafted_by": row.drafted_by,
        "drafted_department": row.drafted_department, "created_at": row.created_at, "approved_by": row.approved_by,
        "approved_at": row.approved_at, "filed_by": row.filed_by, "filed_at": row.filed_at,
        "effective_from": row.effective_from, "update_due": update_due(row), "stale": is_stale(session, row, day),
        "entries": [{"grade": e.grade, "level": e.level, "process": e.process, "item": e.item, "basis": e.basis,
                     "category": e.category, "department": e.department, "inspection_factor": e.inspection_factor}
                    for e in row.entries],
    }


def consolidated(session: Session, kind: str, day: date) -> dict[str, Any]:
    """统筹部门定期汇总并公布 (122号 Art.20, 122号 Art.21): every list of `kind` in force on `day`, one table."""
    industries = [GENERAL_SCOPE, *reference_repo.industry_codes(session)]
    lists_, entries = [], []
    for industry in industries:
        row = in_force(session, industry, kind, day)
        if row is None:
            continue
        lists_.append({"industry": industry, "list_id": row.id, "version": row.version,
                       "effective_from": row.effective_from.isoformat() if row.effective_from else None})
        entries += [{"industry": industry, "list_id": row.id, "version": row.version, "grade": e.grade,
                     "level": e.level, "process": e.process, "item": e.item, "basis": e.basis,
                     "category": e.category, "department": e.department} for e in row.entries]
    return {"kind": kind, "name": kind_name(kind), "on": day, "lists": lists_, "entries": entries}
