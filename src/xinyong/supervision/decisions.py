"""The decision service (122号 Art.22, 23, 25; spec D1-39, D1-40, D1-43): given a subject and the process that applies
its grade (approval, qualification review, procurement and bidding, award, standard drafting, land transaction,
inspection), the grade and level of its current evaluation and the measures of the lists in force for that grade —
with the warnings the official must see. Every answer is logged (who asked, in which process, about whom, what was
answered, when), so an audit shows which measures were applied to whom.

- The evaluation is the stored one of the industry asked about (the industry composite), else the general one; when
  it is not today's it is computed now (122号 Art.13 实时更新).
- Warnings: listings in force (X-02), open objections (122号 Art.18), open, overdue or broken commitments
  (122号 Art.8, 122号 Art.16(3)), and lists missing or due for their yearly update (122号 Art.24).
- The measures come from the lists in force today of that industry and of the coordinating department ("general"),
  for the process: incentive lists hold A and B, punishment lists C and D. Within a list, lines of the subject's
  nine-level level replace that grade's lines (G1-10: keyed by class, overrides per level).
- 122号 Art.26 社会化应用: a social body's credential (role viewer, named) states `purpose` and `legal_basis` of every
  query (422 otherwise); both are logged with its name as the recipient.
"""

from __future__ import annotations

from typing import Any

from ..auth.actors import Actor
from ..auth.policy import PERSONAL_DATA_ROLES
from ..cases import repository as cases_repo
from ..cases.models import UNRESOLVED
from ..commitments.service import commitment_notices
from ..core.uow import UnitOfWork
from ..errors import InputError, Problem
from ..evaluation import repository as evaluation_repo
from ..evaluation.service import evaluate_subject
from ..listings.service import listings_of, lists
from ..subjects.models import Subject
from ..subjects.service import get_subject, public_code
from ..users.tokens import GENERAL_SCOPE
from . import repository, service
from .models import DecisionLog, MeasuresList


def _problems_of_social_use(actor: Actor, purpose: str | None, legal_basis: str | None) -> list[Problem]:
    if actor.role not in service.social_roles():
        return []
    problems = []
    if not (purpose or "").strip():
        problems.append(Problem("purpose", "社会机构查询须说明用途 (122号 第二十六条)",
                                "a social body states the purpose of its query (122号 Art.26)"))
    if not (legal_basis or "").strip():
        problems.append(Problem("legal_basis", "社会机构查询须说明法律依据 (122号 第二十六条)",
                                "a social body states the legal basis of its query (122号 Art.26)"))
    return problems


def _evaluation(uow: UnitOfWork, subject: Subject, industry: str | None) -> tuple[dict[str, Any], str | None,
                                                                                  list[dict[str, Any]]]:
    """(grade, level, score, fused) of the scope asked about, the scope used, and warnings."""
    today = uow.clock.today()
    warnings: list[dict[str, Any]] = []
    scope = industry or GENERAL_SCOPE
    if industry is not None and industry not in subject.industry_codes:
        warnings.append({"code": "industry_not_evaluated",
                         "reason_zh": f"该对象未参加行业 {industry} 的评价，按通用评价结果",
                         "reason_en": f"the subject is not evaluated in industry {industry}; the general evaluation is used",
                         "ref": industry})
        scope = GENERAL_SCOPE
    stored = {e.scope: e for e in evaluation_repo.stored_for_subject(uow.session, subject.id)}
    row = stored.get(scope)
    if row is not None and row.as_of == today:
        outcome = {"score": row.score, "grade": row.grade, "level": row.level, "fused": row.fused}
    else:  # not yet refreshed today (a new period, a standard taking effect): compute now
        result = evaluate_subject(uow.session, subject, today)[scope]
        outcome = {"score": result.score, "grade": result.grade, "level": result.level, "fused": result.fused}
    return outcome, None if scope == GENERAL_SCOPE else scope, warnings


def measures_for(lists_: list[MeasuresList], process: str, grade: str, level: str) -> list[dict[str, Any]]:
    """The lines of each list for the process and grade; a list's lines of the level replace its grade lines."""
    out: list[dict[str, Any]] = []
    for row in lists_:
        lines = [e for e in row.entries if e.process == process and e.grade == grade]
        by_level = [e for e in lines if e.level == level]
        chosen = by_level or [e for e in lines if e.level is None]
        out += [{"kind": row.kind, "item": e.item, "basis": e.basis, "category": e.category,
                 "department": e.department, "grade": e.grade, "level": e.level, "industry": row.industry,
                 "list_id": row.id} for e in chosen]
    return out


def _lists_in_force(uow: UnitOfWork, industry: str | None, warnings: list[dict[str, Any]]) -> list[MeasuresList]:
    today = uow.clock.today()
    scopes = [industry, GENERAL_SCOPE] if industry else [GENERAL_SCOPE]
    found = []
    for scope in scopes:
        for kind in service.KINDS:
            row = service.in_force(uow.session, scope, kind, today)
            if row is None:
                continue
            found.append(row)
            if service.is_stale(uow.session, row, today):
                warnings.append({"code": "measures_list_stale",
                                 "reason_zh": f"{scope} {service.kind_name(kind)}第 {row.version} 版已施行满一年，"
                                              f"应当更新 (122号 第二十四条)",
                                 "reason_en": f"the {kind} list v{row.version} of {scope} has been in force for 12 "
                                              f"months and is due for its yearly update (122号 Art.24)",
                                 "ref": f"measures:{row.id}"})
    if industry and not any(r.industry == industry for r in found):
        warnings.append({"code": "no_measures_list",
                         "reason_zh": f"行业 {industry} 尚无施行中的措施清单 (122号 第二十四条)",
                         "reason_en": f"industry {industry} has no measures list in force (122号 Art.24)",
                         "ref": industry})
    return found


def _listing_warnings(uow: UnitOfWork, subject: Subject) -> list[dict[str, Any]]:
    today = uow.clock.today()
    defs = lists()
    out = []
    for m in listings_of(uow.session, subject.id):
        if m.active_on(today):
            name = defs[m.list_code].name if m.list_code in defs else m.list_code
            out.append({"code": "listed", "reason_zh": f"列入{name}（{m.listed_on}起）",
                        "reason_en": f"on the list {m.list_code} since {m.listed_on}", "ref": f"listing:{m.id}"})
    return out


def _case_and_commitment_warnings(uow: UnitOfWork, subject: Subject) -> list[dict[str, Any]]:
    """Open objections (异议处理中, 122号 Art.18; the data under objection may change) and the open, overdue or
    broken commitments (122号 Art.8, 122号 Art.16(3)) of the subject."""
    today = uow.clock.today()
    out = []
    for case in cases_repo.queue(uow.session, today=today, subject_id=subject.id, limit=1000):
        if case.kind == "objection" and case.state in UNRESOLVED:
            out.append({"code": "open_objection",
                        "reason_zh": f"异议处理中（案件 {case.id}，{case.state}），相关信用数据可能变更 (122号 第十八条)",
                        "reason_en": f"objection case {case.id} is open ({case.state}); the data under objection may "
                                     f"change (122号 Art.18)",
                        "ref": f"case:{case.id}"})
    for notice in commitment_notices(uow.session, subject, today):
        out.append({"code": f"commitment_{notice.state}", "reason_zh": notice.title,
                    "reason_en": f"commitment {notice.id} is {notice.state}"
                                 + (f" (due {notice.due_on})" if notice.due_on else "") + " (122号 Art.8)",
                    "ref": f"commitment:{notice.id}"})
    return out


def decide(uow: UnitOfWork, actor: Actor, code: str, process: str, industry: str | None,
           purpose: str | None = None, legal_basis: str | None = None) -> dict[str, Any]:
    """Answer and log one query of the decision service (122号 Art.22, 23, 25, 26)."""
    session = uow.session
    problems = _problems_of_social_use(actor, purpose, legal_basis)
    if process not in service.processes():
        problems.append(Problem("process", f"未知流程 {process}", f"unknown process {process}"))
    if industry is not None:
        try:
            service.check_industry(session, industry)
        except InputError as exc:
            problems += exc.problems
        if industry == GENERAL_SCOPE:
            industry = None
    if problems:
        first, *rest = problems
        raise InputError(first.field, first.reason_zh, first.reason_en, *rest)
    subject = get_subject(session, code)
    outcome, scope, warnings = _evaluation(uow, subject, industry)
    found = _lists_in_force(uow, industry, warnings)
    measures = measures_for(found, process, outcome["grade"], outcome["level"])
    warnings = _listing_warnings(uow, subject) + _case_and_commitment_warnings(uow, subject) + warnings
    answer = {"measures": measures, "warnings": warnings, "score": outcome["score"],
              "lists": [r.id for r in found]}
    log = repository.add_log(session, DecisionLog(
        at=uow.clock.now(), day=uow.clock.today(), actor=actor.name, role=actor.role, department=actor.department,
        channel=actor.channel, origin=actor.origin[:100], subject_id=subject.id, process=process, industry=scope,
        grade=outcome["grade"], level=outcome["level"], fused=bool(outcome["fused"]), answer=answer,
        purpose=(purpose or "").strip() or None, legal_basis=(legal_basis or "").strip() or None))
    # the log row itself is in the hash-chained audit trail (122号 Art.19 可追溯), without the subject's number
    uow.audit("decision.query", f"decision_log:{log.id}", f"{process} {scope or GENERAL_SCOPE}")
    return {"subject": public_code(subject, actor.role in PERSONAL_DATA_ROLES), "name": subject.name,
            "process": process, "industry": scope, "as_of": uow.clock.today(), **outcome,
            "measures": measures, "warnings": warnings, "log_id": log.id}


def log_page(uow: UnitOfWork, actor: Actor, code: str | None, process: str | None, limit: int, offset: int
             ) -> dict[str, Any]:
    session = uow.session
    subject_id = None
    if code:
        subject_id = get_subject(session, code).id
    total, rows = repository.log_rows(session, subject_id, process, limit, offset)
    personal = actor.role in PERSONAL_DATA_ROLES
    subjects: dict[int, Subject] = {}
    items = []
    for r in rows:
        if r.subject_id not in subjects:
            s = session.get(Subject, r.subject_id)
            assert s is not None
            subjects[r.subject_id] = s
        items.append({"id": r.id, "at": r.at, "actor": r.actor, "role": r.role, "department": r.department,
                      "channel": r.channel, "subject": public_code(subjects[r.subject_id], personal),
                      "process": r.process, "industry": r.industry, "grade": r.grade, "level": r.level,
                      "fused": r.fused, "measures": list(r.answer.get("measures", [])),
                      "warnings": list(r.answer.get("warnings", [])), "purpose": r.purpose,
                      "legal_basis": r.legal_basis})
    return {"total": total, "items": items}
