"""Register and read evaluated subjects (评价对象, 122号 Art.2, 122号 Art.9)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy.orm import Session

from ..core.uow import UnitOfWork
from ..errors import ConflictError, InputError, NotFoundError, Problem, future_problem, refuse
from ..messages.subjects import NationalGradeRecorded, SubjectEnrolled, SubjectRegistered
from ..reference.models import Industry
from ..rules.identifiers import check_subject_code, mask_resident_id, normalize_code
from . import repository
from .models import NationalGrade, Subject, SubjectIndustry
from .schemas import LookupNotice, NationalGradeIn, NationalGradeOut, SubjectIn


def subject_problems(data: SubjectIn, known_industry: Callable[[str], bool]) -> tuple[str, list[Problem]]:
    """The normalised code and every problem of a subject to register (122号 Art.9: the code checks; the
    industries must be known), with `known_industry` telling whether an industry code exists: the checks of one
    subject (validate_subject) and of a chunk of an import (subjects/bulk.py, industries read once)."""
    problems: list[Problem] = []
    code = normalize_code(data.code)
    reason = check_subject_code(code, data.kind)
    if reason:
        problems.append(Problem("code", *reason))
    if not data.name.strip():
        problems.append(Problem("name", "名称不能为空", "name must not be blank"))
    for n, industry in enumerate(data.industries):
        if not known_industry(industry):
            problems.append(Problem(f"industries[{n}]", f"未知行业代码 {industry}", f"unknown industry code {industry}"))
    if len(set(data.industries)) != len(data.industries):
        problems.append(Problem("industries", "行业代码重复", "an industry is listed twice"))
    return code, problems


def validate_subject(session: Session, data: SubjectIn) -> str:
    """Return the normalised code, or raise InputError naming every bad field."""
    code, problems = subject_problems(data, lambda industry: session.get(Industry, industry) is not None)
    if problems:
        raise InputError(problems[0].field, problems[0].reason_zh, problems[0].reason_en, *problems[1:])
    return code


def content(data: SubjectIn) -> tuple[object, ...]:
    """What an import compares of a subject (its grade's day and source are not part of it)."""
    return data.name.strip(), data.kind, data.national_grade, sorted(data.industries)


def same_content(subject: Subject, data: SubjectIn) -> bool:
    return (subject.name, subject.kind, subject.national_grade, sorted(subject.industry_codes)) == content(data)


def other_content(code: str) -> ConflictError:
    """An import row names a registered subject (or one an earlier row registers) with other content."""
    return ConflictError("code", f"评价对象 {code} 已存在且内容不同", f"subject {code} exists with other content")


def grade_effective_on(data: SubjectIn, today: date) -> date:
    """The day the national level applies from (default today; never a future day: 122号 Art.13, G1-15)."""
    effective = data.grade_effective_on or today
    refuse(future_problem("grade_effective_on", "生效日期", effective, today))
    return effective


def create_subject(uow: UnitOfWork, data: SubjectIn, actor: str, today: date | None = None) -> Subject:
    session = uow.session
    code = validate_subject(session, data)
    if repository.by_code(session, code) is not None:
        raise ConflictError("code", f"评价对象 {code} 已存在", f"subject {code} already exists")
    effective = grade_effective_on(data, today or uow.clock.today())
    subject = Subject(code=code, kind=data.kind, name=data.name.strip(), created_by=actor)
    subject.industries = [SubjectIndustry(industry=i) for i in data.industries]
    subject.grades = [NationalGrade(grade=data.national_grade, valid_from=effective, source=data.grade_source)]
    session.add(subject)
    session.flush()
    uow.publish(SubjectRegistered(subject.id, subject.code, kind=subject.kind, name=subject.name,
                                  national_grade=data.national_grade, industries=tuple(data.industries), by=actor))
    uow.handle()
    return subject


def register_or_match(uow: UnitOfWork, data: SubjectIn, actor: str) -> Subject | None:
    """One row of a subjects import on its own: the registered subject of the same content is that row (None),
    one of other content a conflict; else the subject is registered (create_subject). subjects/bulk.py takes a
    chunk of rows at once with the same outcome, and falls back to this when a concurrent writer took a code."""
    code = validate_subject(uow.session, data)
    existing = repository.by_code(uow.session, code)
    if existing is not None:
        if same_content(existing, data):
            return None
        raise other_content(code)
    return create_subject(uow, data, actor)


def get_subject(session: Session, code: str) -> Subject:
    subject = repository.by_code_loaded(session, normalize_code(code))
    if subject is None:
        shown = mask_resident_id(code) if code[:17].isdigit() else code  # no resident ID echoed (G1-17)
        raise NotFoundError("code", f"未找到评价对象 {shown}", f"no subject with code {shown}")
    return subject


def enrol_in_industry(uow: UnitOfWork, subject_id: int, industry: str) -> bool:
    """A record of an industry item puts the subject under that industry's evaluation (spec G1-04)."""
    subject = uow.session.get(Subject, subject_id)
    assert subject is not None  # the record that names it was just validated against it
    if industry in subject.industry_codes:
        return False
    subject.industries.append(SubjectIndustry(industry=industry))
    uow.session.flush()
    uow.publish(SubjectEnrolled(subject.id, subject.code, industry=industry))
    return True


def public_code(subject: Subject, may_see_personal: bool) -> str:
    """Resident ID numbers are masked where the full number is not needed (spec G1-17)."""
    if subject.kind == "individual" and not may_see_personal:
        return mask_resident_id(subject.code)
    return subject.code


def to_out(subject: Subject, may_see_personal: bool = False) -> dict[str, object]:
    return {
        "code": public_code(subject, may_see_personal),
        "name": subject.name,
        "kind": subject.kind,
        "national_grade": subject.national_grade,
        "industries": subject.industry_codes,
    }


# 事前信用预警 (122号 Art.8 last paragraph): every lookup of a subject shows what the domains above this one know
# of it (open and broken commitments). They sit above subjects in the layers, so they are not imported: the
# composition root (bootstrap) registers one provider per domain, called with (session, subject, today).
LookupNoticeProvider = Callable[[Session, Subject, date], list[LookupNotice]]
_lookup_notice_providers: list[LookupNoticeProvider] = []


def register_lookup_notices(provider: LookupNoticeProvider) -> None:
    if provider not in _lookup_notice_providers:
        _lookup_notice_providers.append(provider)


def lookup_notices(session: Session, subject: Subject, today: date) -> list[LookupNotice]:
    return [notice for provider in _lookup_notice_providers for notice in provider(session, subject, today)]


def subject_for_input(session: Session, raw: str, field: str = "subject", *, lock: bool = False
                      ) -> tuple[Subject | None, Problem | None]:
    """The registered subject a request names, or the problem to report: a malformed code is named as such
    (e.g. a wrong USCC check character, 122号 Art.9), not merely as unknown. `lock`: a writer of the subject
    takes its lock with the look-up (repository.lock_by_code)."""
    code = normalize_code(raw)
    subject = repository.lock_by_code(session, code) if lock else repository.by_code(session, code)
    if subject is not None:
        return subject, None
    malformed = check_subject_code(code, "individual" if code[:17].isdigit() else "organization")
    if malformed:
        return None, Problem(field, *malformed)
    return None, Problem(field, f"未登记的评价对象 {raw}", f"unknown subject {raw}")


def record_national_grade(uow: UnitOfWork, subject: Subject, data: NationalGradeIn, by: str
                          ) -> tuple[NationalGrade, bool]:
    """Add a dated national level (never overwrite, 122号 Art.6, 122号 Art.13). The same level, day and source again is
    the same entry (created False). Archived; re-evaluates the subject (a change inside the current period
    applies from the next period's re-seed, G1-15)."""
    refuse(future_problem("effective_on", "生效日期", data.effective_on, uow.clock.today()))
    source = data.source.strip()
    if not source:
        raise InputError("source", "来源不能为空", "source must not be blank")
    for g in subject.grades:
        if (g.grade, g.valid_from, g.source) == (data.grade, data.effective_on, source):
            return g, False
    uow.lock_subject(subject.id)
    row = NationalGrade(subject_id=subject.id, grade=data.grade, valid_from=data.effective_on, source=source,
                        recorded_at=uow.clock.now())
    subject.grades.append(row)
    uow.session.flush()
    uow.publish(NationalGradeRecorded(subject.id, subject.code, grade_id=row.id, grade=row.grade,
                                      effective_on=row.valid_from.isoformat(), source=source, by=by))
    uow.handle()
    return row, True


def national_grade_out(row: NationalGrade) -> NationalGradeOut:
    return NationalGradeOut(id=row.id, grade=row.grade, effective_on=row.valid_from, source=row.source,
                            recorded_at=row.recorded_at.isoformat(timespec="seconds"))
