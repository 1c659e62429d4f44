"""监督检查 — credit-based inspection plans with auditable draws, inspectors and inspections.

122号 Art.25: business departments draw up inspection plans (监督检查计划) from the credit results; 122号 Art.22:
A and B inspected less (大幅减少 / 适当减少), C at the routine ratio, D a key supervision object with more on-site
inspection; spec G1-09 gives the factors; 44号 Task 12: no proactive on-site inspection of a whitelisted subject
except in four cases. A plan is drawn once, kept whole with its digest and never changed; `draw.RECIPE` says how
anyone re-computes it from the published population and seed.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from ..auth.actors import Actor
from ..auth.settings import security_settings
from ..core.uow import UnitOfWork
from ..db.session import insert_once
from ..errors import ConflictError, ForbiddenError, InputError, NotFoundError, Problem, future_problem
from ..evaluation import repository as evaluation_repo
from ..evaluation.models import GENERAL_SCOPE
from ..evaluation.service import evaluate_subject
from ..governance.rulebook import item_in_force
from ..messages.inspections import InspectionPlanDrawn, InspectionRecorded
from ..records.schemas import RecordIn
from ..records.scope import may_report_item
from ..records.service import submit_record
from ..reference import repository as reference_repo
from ..reference.models import CatalogueItem
from ..reference.service import department_names
from ..rules.identifiers import mask_resident_id
from ..subjects.models import Subject
from ..subjects.service import subject_for_input
from ..supervision.service import KINDS, in_force, inspection_factors
from . import repository
from .config import Factors, every_drawn, exception_codes
from .draw import RECIPE, SEED_PATTERN, decimal_text, draw, exact
from .models import Inspection, InspectionPlan, Inspector
from .schemas import InspectionIn, InspectionOut, InspectorIn, InspectorOut, PlanIn, PlanOut, PlanSummary

GRADES = ("A", "B", "C", "D")


def _refuse(problems: list[Problem]) -> None:
    if problems:
        raise InputError(problems[0].field, problems[0].reason_zh, problems[0].reason_en, *problems[1:])


def check_department(actor: Actor, department: str, field: str = "department") -> None:
    """A business department plans, reads and records only for itself (122号 Art.25 业务部门 … 制定监督检查计划)."""
    if actor.role == "business" and actor.department != department:
        raise ForbiddenError(field, f"业务部门令牌只能办理本部门({actor.department})的监督检查",
                             f"a business token may only act for its own department ({actor.department})")


def may_act_for_industry(actor: Actor, session: Session, industry: str) -> bool:
    """A business department keeps the whitelist of the industries it regulates (122号 Art.4(2) 行业监管部门) or
    reports for (auth/security.yaml industry_reporters); other roles of inspections.plan: every industry."""
    if actor.role != "business":
        return True
    row = reference_repo.industry(session, industry)
    return row is not None and (row.regulator == actor.department
                                or (actor.department or "") in security_settings().industry_reporters.get(industry, ()))


def _department_problem(session: Session, department: str) -> Problem | None:
    if department not in department_names(session):
        return Problem("department", f"未知部门代码 {department}", f"unknown department {department}")
    return None


def _industry_problem(session: Session, industry: str) -> Problem | None:
    if reference_repo.industry(session, industry) is None:
        return Problem("industry", f"未知行业代码 {industry}", f"unknown industry {industry}")
    return None


# -- inspectors (执法检查人员名录) ----------------------------------------------------------------------------------
def add_inspector(uow: UnitOfWork, data: InspectorIn, actor: Actor) -> tuple[Inspector, bool]:
    """The same department and code again with the same name is the same inspector (created False); with
    another name it is a conflict (409)."""
    session = uow.session
    _refuse([p for p in [_department_problem(session, data.department)] if p])
    check_department(actor, data.department)
    name = data.name.strip()
    if not name:
        raise InputError("name", "姓名不能为空", "name must not be blank")
    existing = repository.inspector(session, data.department, data.code)
    if existing is not None:
        if existing.name != name:
            raise ConflictError("code", f"检查人员代码 {data.code} 已登记为 {existing.name}",
                                f"inspector code {data.code} is already registered as {existing.name}")
        return existing, False
    row = Inspector(department=data.department, code=data.code, name=name, created_by=actor.name,
                    created_at=uow.clock.now())
    return insert_once(session, row, lambda: repository.inspector(session, data.department, data.code))


def inspectors(session: Session, department: str, actor: Actor) -> list[InspectorOut]:
    _refuse([p for p in [_department_problem(session, department)] if p])
    check_department(actor, department)
    return [InspectorOut(id=i.id, department=i.department, name=i.name, code=i.code)
            for i in repository.inspectors_of(session, department)]


# -- the population and the factors ------------------------------------------------------------------------------
def industry_grades(session: Session, industry: str, day: date) -> list[tuple[Subject, str]]:
    """The industry's subjects (enrolled in it, G1-04) with their current grade in its composite evaluation,
    computed from the records at `day` (122号 Art.13 实时: never a stale stored grade), in code order."""
    _total, rows = evaluation_repo.search(session, None, None, industry, 10_000_000, 0)
    return sorted(((s, subject_grade(session, s, industry, day)) for s, _stored in rows), key=lambda sg: sg[0].code)


def subject_grade(session: Session, subject: Subject, scope: str | None, day: date) -> str:
    """The subject's grade on `day` in the industry's composite evaluation (or the general one: scope None)."""
    results = evaluate_subject(session, subject, day)
    result = results.get(scope) if scope else None
    return (result or results[GENERAL_SCOPE]).grade


def factors_for(session: Session, industry: str, department: str, day: date) -> Factors:
    """The inspection factors of the measures lists in force (spec G1-09 "set per department in its measures
    list"; the supervision domain's defaults where no list sets one), in grade order, read exactly (0.3 is 3/10);
    the grades drawn whole come from defaults.yaml (D: at least one on-site inspection per period)."""
    raw = inspection_factors(session, industry, department, day)
    order = {g: k for k, g in enumerate(GRADES)}
    factors = {g: exact(raw[g]) for g in sorted(raw, key=lambda g: (order.get(g, len(order)), g))}
    lists = [f"{kind} v{row.version}" for kind in KINDS if (row := in_force(session, industry, kind, day)) is not None]
    whole, reference = every_drawn(day)
    source = (f"措施清单 / measures lists in force for {industry} on {day}: {', '.join(lists) if lists else 'none'}; "
              f"spec G1-09 defaults where no list sets a factor; every_drawn: {reference}")
    return Factors(factors, whole, source)


# -- plans --------------------------------------------------------------------------------------------------------
def canonical_digest(body: dict[str, Any]) -> str:
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _reason(grade: str, rank: int, quota: Any) -> str:
    if quota.every_drawn:
        return (f"{grade}级重点监管对象，全部抽取（122号 第二十二条(四)1，每周期至少一次现场检查）/ grade {grade}: key "
                f"supervision object, every subject drawn (122号 Art.22(4)1: at least one on-site inspection per period)")
    r = decimal_text(quota.ratio)
    return (f"{grade}级 比例 {r}：{quota.population} 个中抽取 {quota.count} 个，哈希序第 {rank} 位 / grade {grade} "
            f"ratio {r}: {quota.count} of {quota.population} drawn, rank {rank} in hash order")


def draw_plan(uow: UnitOfWork, data: PlanIn, actor: Actor) -> InspectionPlan:
    """Draw a plan (122号 Art.25) exactly as draw.RECIPE says, store it whole and never change it."""
    session = uow.session
    problems = [p for p in (_department_problem(session, data.department), _industry_problem(session, data.industry))
                if p]
    if data.period_end < data.period_start:
        problems.append(Problem("period_end", f"计划期末 {data.period_end} 早于期初 {data.period_start}",
                                f"period_end {data.period_end} is before period_start {data.period_start}"))
    if data.seed is not None and not SEED_PATTERN.match(data.seed):
        problems.append(Problem("seed", "随机种子应为 32 位小写十六进制字符", "seed must be 32 lowercase hex characters"))
    _refuse(problems)
    check_department(actor, data.department)
    team = [i.code for i in repository.inspectors_of(session, data.department)]
    if len(team) < 2:
        raise ConflictError("inspectors", f"部门 {data.department} 的执法检查人员名录不足 2 人（现有 {len(team)} 人），无法双随机抽取",
                            f"department {data.department} has {len(team)} inspector(s) on its list; the double "
                            f"random draw needs at least 2")
    seed = data.seed or secrets.token_hex(16)
    today = uow.clock.today()
    graded = industry_grades(session, data.industry, today)
    whitelisted_ids = {e.subject_id for e in repository.active_on(session, today, industry=data.industry)}
    population = [(s.code, g) for s, g in graded if s.id not in whitelisted_ids]
    whitelisted = [(s.code, g) for s, g in graded if s.id in whitelisted_ids]
    individuals = sorted(s.code for s, _g in graded if s.kind == "individual")
    factors = factors_for(session, data.industry, data.department, today)
    base_ratio = exact(data.base_ratio)
    try:
        result = draw(population, seed, factors.factors, base_ratio, factors.every_drawn, team)
    except KeyError as exc:
        raise ConflictError("factors", f"检查比例系数缺少等级：{exc}", f"inspection factors miss a grade: {exc}") from None
    quotas = {q.grade: q for q in result.quotas}
    body: dict[str, Any] = {
        "department": data.department, "industry": data.industry,
        "period_start": data.period_start.isoformat(), "period_end": data.period_end.isoformat(),
        "base_ratio": decimal_text(base_ratio), "seed": seed, "drawn_on": today.isoformat(), "drawn_by": actor.name,
        "population": [{"code": c, "grade": g} for c, g in population],
        "whitelisted": [{"code": c, "grade": g} for c, g in whitelisted],
        "draws": [{"code": d.code, "grade": d.grade, "reason": _reason(d.grade, d.rank, quotas[d.grade]),
                   "inspectors": list(d.inspectors)} for d in result.drawn],
        "factors": {g: decimal_text(f) for g, f in factors.factors.items()},
        "every_drawn": sorted(factors.every_drawn), "factors_source": factors.source,
        "quotas": [{"grade": q.grade, "factor": decimal_text(q.factor), "ratio": decimal_text(q.ratio),
                    "population": q.population, "count": q.count, "every_drawn": q.every_drawn}
                   for q in result.quotas],
        "inspectors": team, "recipe": RECIPE, "individuals": individuals,
    }
    digest = canonical_digest(body)
    row = InspectionPlan(department=data.department, industry=data.industry, period_start=data.period_start,
                         period_end=data.period_end, base_ratio=body["base_ratio"], seed=seed, drawn_on=today,
                         drawn_at=uow.clock.now(), drawn_by=actor.name, body=body, digest=digest)
    session.add(row)
    session.flush()
    uow.publish(InspectionPlanDrawn(plan_id=row.id, department=row.department, industry=row.industry, seed=seed,
                                    digest=digest, drawn=len(result.drawn)))
    uow.handle()
    return row


def get_plan(session: Session, plan_id: int) -> InspectionPlan:
    row = repository.plan(session, plan_id)
    if row is None:
        raise NotFoundError("plan_id", f"没有编号为 {plan_id} 的检查计划", f"no inspection plan {plan_id}")
    return row


def plan_out(row: InspectionPlan, may_see_personal: bool) -> PlanOut:
    """The plan as drawn (from its stored body, never recomputed); resident ID numbers masked for readers
    without a personal-data role (spec G1-17)."""
    body = row.body
    hidden = set() if may_see_personal else set(body.get("individuals", []))

    def shown(code: str) -> str:
        return mask_resident_id(code) if code in hidden else code

    return PlanOut(
        id=row.id, department=row.department, industry=row.industry, period_start=row.period_start,
        period_end=row.period_end, base_ratio=body["base_ratio"], seed=row.seed, drawn_on=row.drawn_on,
        drawn_by=body["drawn_by"],
        population=[{"code": shown(p["code"]), "grade": p["grade"]} for p in body["population"]],
        whitelisted=[{"code": shown(p["code"]), "grade": p["grade"]} for p in body["whitelisted"]],
        draws=[{**d, "code": shown(d["code"])} for d in body["draws"]],
        factors=body["factors"], every_drawn=body["every_drawn"], factors_source=body["factors_source"],
        quotas=body["quotas"], inspectors=body["inspectors"], recipe=body["recipe"], digest=row.digest)


def plan_summaries(session: Session, department: str | None, industry: str | None) -> list[PlanSummary]:
    return [PlanSummary(id=p.id, department=p.department, industry=p.industry, period_start=p.period_start,
                        period_end=p.period_end, seed=p.seed, drawn_on=p.drawn_on, drawn=len(p.body["draws"]),
                        digest=p.digest) for p in repository.plans(session, department, industry)]


# -- inspections --------------------------------------------------------------------------------------------------
def whitelisted_on(session: Session, subject_id: int, day: date, industry: str | None) -> bool:
    """On the whitelist that day: of the plan's industry when the inspection belongs to a plan, else of any."""
    return any(industry is None or e.industry == industry
               for e in repository.active_on(session, day, subject_id=subject_id))


def credit_item(session: Session, result: str, industry: str | None, department: str, day: date
                ) -> CatalogueItem | None:
    """The catalogue item an inspection result flows back as (122号 Art.7 良好/不良信用信息 行政检查合格/不合格):
    the industry's own item when the department may report it, else the general one; in force on the day; the
    plain inspection item, not a work-safety or heavier one. None when the catalogue has none."""
    category = "inspection_passed" if result == "pass" else "inspection_failed"
    candidates = [it for it in reference_repo.catalogue(session).values()
                  if it.admin_category == category and not it.work_safety and not it.heavier and not it.fuse_article]
    for wanted in ([industry] if industry else []) + [None]:
        for it in sorted(candidates, key=lambda c: c.code):
            if it.industry == wanted and may_report_item(session, department, it) \
                    and item_in_force(session, it.code, day) is not None:
                return it
    return None


def record_inspection(uow: UnitOfWork, data: InspectionIn, actor: Actor) -> tuple[Inspection, str | None]:
    """记录一次检查 and let its result flow back as a credit record. An on-site inspection of a whitelisted subject
    needs one of the four exception codes (44号 Task 12), else 422 naming exception_code."""
    session = uow.session
    today = uow.clock.today()
    subject, problem = subject_for_input(session, data.subject)
    problems = [p for p in (problem, _department_problem(session, data.department),
                            future_problem("date", "检查日期", data.date, today)) if p]
    findings = data.findings.strip()
    if data.result == "fail" and not findings:
        problems.append(Problem("findings", "检查不合格须写明发现的问题", "a failed inspection needs its findings"))
    plan = None
    if data.plan_id is not None:
        plan = repository.plan(session, data.plan_id)
        if plan is None:
            problems.append(Problem("plan_id", f"没有编号为 {data.plan_id} 的检查计划", f"no inspection plan {data.plan_id}"))
    _refuse(problems)
    assert subject is not None
    check_department(actor, data.department)
    grade = None
    if plan is not None:
        drawn = {d["code"]: d["grade"] for d in plan.body["draws"]}
        if plan.department != data.department:
            problems.append(Problem("plan_id", f"检查计划 {plan.id} 属于部门 {plan.department}",
                                    f"inspection plan {plan.id} belongs to department {plan.department}"))
        if subject.code not in drawn:
            problems.append(Problem("subject", f"该对象未被检查计划 {plan.id} 抽中", f"the subject was not drawn in plan {plan.id}"))
        if not plan.period_start <= data.date <= plan.period_end:
            problems.append(Problem("date", f"检查日期不在计划期间 {plan.period_start}～{plan.period_end} 内",
                                    f"date is outside the plan's period {plan.period_start}..{plan.period_end}"))
        _refuse(problems)
        grade = drawn[subject.code]
    industry = plan.industry if plan is not None else None
    whitelisted = whitelisted_on(session, subject.id, data.date, industry)
    if whitelisted and data.kind == "on_site" and data.exception_code is None:
        codes = exception_codes()
        names = "、".join(f"{c}（{v['name']}）" for c, v in codes.items())
        raise InputError("exception_code", f"该对象在“无事不扰”白名单内，现场检查须注明例外情形：{names}（44号 任务12）",
                         f"the subject is on the no-disturbance whitelist: an on-site inspection needs an "
                         f"exception_code, one of {', '.join(codes)} (44号 Task 12)")
    if grade is None:
        grade = subject_grade(session, subject, None, data.date)
    uow.lock_subject(subject.id)
    row = Inspection(plan_id=plan.id if plan else None, subject_id=subject.id, department=data.department,
                     kind=data.kind, inspected_on=data.date, grade=grade, whitelisted=whitelisted,
                     exception_code=data.exception_code, result=data.result, findings=findings,
                     entered_by=actor.name, entered_at=uow.clock.now())
    session.add(row)
    session.flush()
    item = credit_item(session, data.result, industry, data.department, data.date)
    if item is not None:  # 检查结果 flows back as a credit record (122号 Art.7 行政检查合格/不合格, 122号 Art.8)
        submitted = submit_record(uow, RecordIn(
            subject=subject.code, item=item.code, act_date=data.date, department=data.department,
            source_ref=f"INSPECTION-{row.id}", note=findings or None), actor, today)
        row.record_id = submitted.record.id
        session.flush()
    uow.publish(InspectionRecorded(subject.id, subject.code, inspection_id=row.id, plan_id=row.plan_id,
                                   department=row.department, kind=row.kind, date=row.inspected_on.isoformat(),
                                   result=row.result, whitelisted=whitelisted, exception_code=row.exception_code,
                                   record_id=row.record_id))
    uow.handle()
    return row, item.code if item else None


def inspection_out(row: Inspection, subject_code: str, record_item: str | None) -> InspectionOut:
    return InspectionOut(id=row.id, plan_id=row.plan_id, subject=subject_code, department=row.department,
                         kind=row.kind, date=row.inspected_on, grade=row.grade, whitelisted=row.whitelisted,
                         exception_code=row.exception_code, result=row.result, findings=row.findings,
                         record_id=row.record_id, record_item=record_item)


# -- reports ------------------------------------------------------------------------------------------------------
def _count(rows: Iterable[str | None]) -> dict[str, int]:
    out: dict[str, int] = {}
    for g in rows:
        out[g or "-"] = out.get(g or "-", 0) + 1
    return out


def report(session: Session, department: str, year: int, actor: Actor) -> dict[str, Any]:
    """Planned vs done by grade, and on-site inspections of whitelisted subjects by exception code (44号 Task 12,
    spec D3-01 "reports count such inspections by code")."""
    _refuse([p for p in [_department_problem(session, department)] if p])
    check_department(actor, department)
    first, last = date(year, 1, 1), date(year, 12, 31)
    plans = repository.plans_starting_in(session, department, first, last)
    planned = _count(d["grade"] for p in plans for d in p.body["draws"])
    drawn_grade = {(p.id, d["code"]): d["grade"] for p in plans for d in p.body["draws"]}
    subject_codes: dict[int, str] = {}
    done_pairs: dict[tuple[int, str], str] = {}
    for i in repository.inspections_of_plans(session, [p.id for p in plans]):
        code = subject_codes.get(i.subject_id)
        if code is None:
            subject = session.get(Subject, i.subject_id)
            code = subject_codes[i.subject_id] = subject.code if subject else ""
        key = (i.plan_id or 0, code)
        if key in drawn_grade:
            done_pairs[key] = drawn_grade[key]
    done = _count(done_pairs.values())
    in_year = repository.inspections_in(session, department, first, last)
    unplanned = _count(i.grade for i in in_year if i.plan_id is None)
    by_code = dict.fromkeys(exception_codes(), 0)
    off_site = 0
    for i in in_year:
        if not i.whitelisted:
            continue
        if i.kind == "off_site":
            off_site += 1
        elif i.exception_code is not None:
            by_code[i.exception_code] = by_code.get(i.exception_code, 0) + 1
    grades = list(GRADES) + sorted((set(planned) | set(done) | set(unplanned)) - set(GRADES))
    return {"department": department, "year": year, "whitelisted_on_site": by_code, "whitelisted_off_site": off_site,
            "by_grade": [{"grade": g, "planned": planned.get(g, 0), "done": done.get(g, 0),
                          "unplanned": unplanned.get(g, 0)} for g in grades]}
