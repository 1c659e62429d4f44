"""Register and read evaluated subjects (评价对象, 122号 第二条, 第九条)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from ..core.uow import UnitOfWork
from ..errors import ConflictError, InputError, NotFoundError, Problem
from ..messages.subjects import SubjectEnrolled, SubjectRegistered
from ..reference.models import Industry
from ..rules.identifiers import check_subject_code, mask_resident_id, normalize_code
from . import repository
from .models import NationalGrade, Subject, SubjectIndustry
from .schemas import SubjectIn


def validate_subject(session: Session, data: SubjectIn) -> str:
    """Return the normalised code, or raise InputError naming every bad field."""
    problems: list[Problem] = []
    code = normalize_code(data.code)
    reason = check_subject_code(code, data.kind)
    if reason:
        problems.append(Problem("code", *reason))
    if not data.name.strip():
        problems.append(Problem("name", "名称不能为空", "name must not be blank"))
    for n, industry in enumerate(data.industries):
        if session.get(Industry, industry) is None:
            problems.append(Problem(f"industries[{n}]", f"未知行业代码 {industry}", f"unknown industry code {industry}"))
    if len(set(data.industries)) != len(data.industries):
        problems.append(Problem("industries", "行业代码重复", "an industry is listed twice"))
    if problems:
        raise InputError(problems[0].field, problems[0].reason_zh, problems[0].reason_en, *problems[1:])
    return code


def same_content(subject: Subject, data: SubjectIn) -> bool:
    return (subject.name == data.name.strip() and subject.kind == data.kind
            and subject.national_grade == data.national_grade
            and sorted(subject.industry_codes) == sorted(data.industries))


def create_subject(uow: UnitOfWork, data: SubjectIn, actor: str, today: date | None = None) -> Subject:
    session = uow.session
    code = validate_subject(session, data)
    if repository.by_code(session, code) is not None:
        raise ConflictError("code", f"评价对象 {code} 已存在", f"subject {code} already exists")
    today = today or uow.clock.today()
    subject = Subject(code=code, kind=data.kind, name=data.name.strip(), created_by=actor)
    subject.industries = [SubjectIndustry(industry=i) for i in data.industries]
    subject.grades = [NationalGrade(grade=data.national_grade, valid_from=today)]
    session.add(subject)
    session.flush()
    uow.publish(SubjectRegistered(subject.id, subject.code, kind=subject.kind, name=subject.name,
                                  national_grade=data.national_grade, industries=tuple(data.industries), by=actor))
    uow.handle()
    return subject


def get_subject(session: Session, code: str) -> Subject:
    subject = repository.by_code(session, normalize_code(code))
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
