"""Standards governance: the lifecycle of an evaluation standard (122号 Art.12) and of the collection catalogue
(122号 Art.7), with the refusals of the measures.

Lifecycle: draft → consultation (公开征求意见) → approved (主管领导审定) → in_force (effective date reached) →
superseded (a later approved version of the same standard has taken effect). Stored statuses are draft,
consultation and approved (the seeded defaults carry in_force); in_force and superseded are derived from the
effective dates on the day asked about, so they can never go stale.

Counting (spec G0-1, G1-13):
- consultation length = end_date − start_date in calendar days: the publication day (start_date) is not counted
  (民法典 第二百零一条), the end date is. 122号 Art.12 不少于15日 → at least 15: 1 June → 16 June is 15 days
  (allowed), 1 June → 15 June is 14 (refused).
- the consultation is over once the end date has passed: on end_date itself it is still running, approval is
  possible from end_date + 1.
- 实施满一年 (122号 Art.12): a replacement may take effect on the same calendar date one year after the version it
  replaces took effect, or later (民法典 第二百零二条; 29 February → 28 February). Then the old version has
  been in force for 365 days (366 across a 29 February): 364 days is refused. Applies to industry standards,
  which is what 122号 Art.12 regulates; the general standard is set with the measures themselves (122号 Art.11(2)).

Public consultation (公开征求意见, 122号 Art.12; issue 7 item 6(a)):
- no back-dating: a consultation cannot start before the draft existed (start_date ≥ the draft's creation day);
- while it runs (start_date ≤ today ≤ end_date) anyone may comment, without a token; the same comment sent again
  (same name, contact, text) is the same comment (200, same id), so a retry never counts twice;
- the drafting department answers each comment (adopted | partly_adopted | not_adopted, with a reason) until the
  version is approved; the leader in charge cannot approve while a comment is unanswered (422 naming `comments`).

A leader credential bound to a scope ("general" and/or industry codes, users.tokens.check_scope) approves only the
standards in it (issue 7 item 6(d)); outside it → 403 naming `Authorization`. No scope: every standard.

Who may do what (roles × actions; `xinyong.auth.service.PERMISSIONS` + :func:`check_may_manage`):

| action                                   | admin | coordinator | business             | leader | hall/support/viewer | anonymous |
|------------------------------------------|-------|-------------|----------------------|--------|---------------------|-----------|
| list / read consultation & approved      | yes   | yes         | yes                  | yes    | yes                 | yes       |
| read drafts, impact of drafts            | yes   | yes         | yes                  | yes    | yes                 | no (401)  |
| create / edit draft: general standard    | yes   | yes         | no (403)             | no     | no                  | no (401)  |
| create / edit draft: industry standard   | yes   | no (403)    | own industry only¹   | no     | no                  | no (401)  |
| open the public consultation             | as create/edit                                                                          |
| approve (fixes the effective date)       | no    | no          | no                   | yes²   | no                  | no (401)  |
| comment on a version under consultation  | anyone, during the consultation window, no token                                        |
| answer a comment (disposition)           | as create/edit                                                                          |
| read comments (text, name, contact)      | staff (STAFF_ROLES); others get the counts only                                         |

¹ the industry whose regulator (industries.regulator, 122号 Art.4(2)) is the token's department.
² only the standards in the leader credential's scope.
Admin may do everything but approve: 122号 Art.12 and spec D1-08 require the leader in charge (主管领导) as approver.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from ..auth.actors import Actor
from ..auth.audit import audit_actor
from ..core.uow import UnitOfWork
from ..db.session import insert_once
from ..errors import ConflictError, ForbiddenError, InputError, NotFoundError, Problem, UnauthorizedError
from ..messages.evaluation import ReevaluateEveryone
from ..reference import repository as reference_repo
from ..reference.framework import first_day_in_force
from ..reference.service import extend_catalogue
from ..standards.loader import (
    StandardError,
    default_standard_files,
    earliest_replacement_date,
    load_parameters,
    load_standard_file,
    standard_from_dict,
    standard_min_years_in_force,
    standard_to_dict,
    validation_problems,
)
from ..standards.model import Parameters, Standard
from ..users.tokens import in_scope
from . import repository
from .models import DECISIONS, StandardComment, StandardVersion

STATUSES = ("draft", "consultation", "approved", "in_force", "superseded")
EDITABLE = ("draft", "consultation")


def parameter(name: str, on: date) -> Any:
    return load_parameters().value(name, on)


def consultation_days(start: date, end: date) -> int:
    """Length of a consultation in calendar days, the publication day not counted (G0-1, G1-13)."""
    return (end - start).days


# --- status -------------------------------------------------------------------------------------------------

def _key(row: StandardVersion) -> tuple[str, str | None]:
    return row.family, row.industry


def status_on(row: StandardVersion, rows: Sequence[StandardVersion], today: date) -> str:
    """The lifecycle status of `row` on `today`; `rows` are all versions (any order)."""
    if row.status not in repository.APPROVED_STATES:
        return row.status
    if row.effective_date is None or row.effective_date > today:
        return "approved"
    for other in rows:
        if (other is not row and _key(other) == _key(row) and other.status in repository.APPROVED_STATES
                and other.effective_date is not None and row.effective_date < other.effective_date <= today):
            return "superseded"
    return "in_force"


def superseded_by(row: StandardVersion, rows: Sequence[StandardVersion]) -> str | None:
    """The approved version of the same standard that takes effect next after `row`, if any."""
    if row.status not in repository.APPROVED_STATES or row.effective_date is None:
        return None
    later = sorted((o.effective_date, o.version) for o in rows
                   if o is not row and _key(o) == _key(row) and o.status in repository.APPROVED_STATES
                   and o.effective_date is not None and o.effective_date > row.effective_date)
    return later[0][1] if later else None


def summary(row: StandardVersion, rows: Sequence[StandardVersion], today: date) -> dict[str, Any]:
    return {
        "version": row.version,
        "family": row.family,
        "industry": row.industry,
        "name": (row.content or {}).get("name", ""),
        "status": status_on(row, rows, today),
        "consultation_start": _iso(row.consultation_start),
        "consultation_end": _iso(row.consultation_end),
        "approved_by": row.approved_by,
        "approved_at": row.approved_at.isoformat(timespec="seconds") if row.approved_at else None,
        "effective_date": _iso(row.effective_date),
    }


def lifecycle(row: StandardVersion, rows: Sequence[StandardVersion], today: date) -> dict[str, Any]:
    out = summary(row, rows, today)
    out.update({
        "created_by": row.created_by,
        "created_at": row.created_at.isoformat(timespec="seconds") if row.created_at else None,
        "based_on": row.based_on,
        "superseded_by": superseded_by(row, rows),
    })
    return out


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def list_standards(session: Session, today: date, include_drafts: bool) -> list[dict[str, Any]]:
    rows = repository.all_versions(session)
    return [summary(r, rows, today) for r in rows if include_drafts or r.status != "draft"]


def get_row(session: Session, version: str) -> StandardVersion:
    row = repository.get(session, version)
    if row is None:
        raise NotFoundError("version", f"没有评价标准版本 {version}", f"no standard version {version}")
    return row


def content_of(row: StandardVersion) -> dict[str, Any]:
    """The version's content in the shape POST /standards accepts."""
    content = dict(row.content)
    content["version"] = row.version
    content["effective_date"] = _iso(row.effective_date)
    return content


def to_standard(row: StandardVersion, fallback: date) -> Standard:
    """The version as a Standard; a draft without a proposed date takes `fallback` (it only matters for
    which parameters apply)."""
    raw = dict(row.content)
    raw["version"] = row.version
    raw["effective_date"] = (row.effective_date or fallback).isoformat()
    return standard_from_dict(raw)


# --- authorisation ------------------------------------------------------------------------------------------

def check_may_manage(session: Session, actor: Actor, family: str, industry: str | None) -> None:
    """122号 Art.11(1): 通用指标由统筹部门提出, 行业指标由相关行业监管部门提出; admin may draft either."""
    if actor.role == "admin":
        return
    if family == "general":
        if actor.role != "coordinator":
            raise ForbiddenError("family", "通用评价标准由统筹部门(法制处)提出 (122号 第十一条(一))",
                                 "the general standard is drafted by the coordinating department (122号 Art.11(1))")
        return
    if actor.role == "business":
        ind = reference_repo.industry(session, industry or "")
        if ind is not None and ind.regulator == actor.department:
            return
        raise ForbiddenError("industry", f"部门 {actor.department} 不是行业 {industry} 的监管部门 (122号 第四条(二), 第十一条(一))",
                             f"department {actor.department} does not regulate industry {industry} (122号 Art.4(2), 11(1))")
    raise ForbiddenError("industry", "行业评价标准由该行业的监管部门提出 (122号 第十一条(一))",
                         "an industry standard is drafted by the industry's regulator (122号 Art.11(1))")


# --- validation ---------------------------------------------------------------------------------------------

_ITEM_PROBLEM = re.compile(r"^([A-Za-z0-9_.\-]+): ")


def _problem(text: str, codes: list[str]) -> Problem:
    """A validation_problems() line as a bilingual Problem naming the field."""
    m = _ITEM_PROBLEM.match(text)
    if m and m.group(1) in codes:
        field = f"items[{codes.index(m.group(1))}]"
    elif text.startswith("standard:"):
        field = "reference"
    else:
        field = "items"
    if "add up to" in text:
        zh = "同类指标封顶分值之和超过该类分值上限 (122号 第十一条(二))"
    elif "work-safety" in text:
        zh = "行业评价标准缺少安全生产责任落实情况指标 (122号 第十一条(一))"
    elif "exceed the family budget" in text:
        zh = "单项分值超过该类分值上限 (122号 第十一条(二))"
    else:
        zh = "评价标准不符合办法要求"
    return Problem(field, f"{zh}：{text}", text)


def _raise(problems: list[Problem]) -> None:
    if problems:
        first, *rest = problems
        raise InputError(first.field, first.reason_zh, first.reason_en, *rest)


def check_content(session: Session, content: dict[str, Any], params: Parameters, on: date) -> Standard:
    """Refuse a standard that breaks the measures, with every problem named: the loader's checks (caps over a
    family budget 122号 Art.11(2), no work-safety item 122号 Art.11(1), citations), a known industry, and item codes that
    keep their meaning in the collection catalogue (122号 Art.7: records reference catalogue codes)."""
    raw = dict(content, version="draft", effective_date=content.get("effective_date") or on.isoformat())
    try:
        std = standard_from_dict(raw)
    except StandardError as exc:
        _raise([Problem("body", f"评价标准格式错误：{p}", p) for p in exc.problems])
        raise  # unreachable
    problems: list[Problem] = []
    if std.industry is not None and reference_repo.industry(session, std.industry) is None:
        problems.append(Problem("industry", f"未知行业代码 {std.industry}", f"unknown industry {std.industry}"))
    codes = [it.code for it in std.items]
    problems += [_problem(p, codes) for p in validation_problems(std, params)]
    catalogue = reference_repo.catalogue(session)
    for n, it in enumerate(std.items):
        c = catalogue.get(it.code)
        if c is not None and (c.family, c.industry, c.polarity) != (it.family, it.industry, it.polarity):
            problems.append(Problem(
                f"items[{n}].code",
                f"指标代码 {it.code} 在归集目录中已用于 {c.family}/{c.industry or '通用'}/{c.polarity} (122号 第七条)",
                f"item code {it.code} already means {c.family}/{c.industry or 'general'}/{c.polarity} in the "
                f"collection catalogue (122号 Art.7)"))
    _raise(problems)
    return std


# --- lifecycle ----------------------------------------------------------------------------------------------

def new_version(session: Session, family: str, industry: str | None, today: date) -> str:
    """`<industry|general>-<year>.<n>`, n one more than the highest of that year."""
    prefix = f"{industry or 'general'}-{today.year}."
    taken = [v[len(prefix):] for v in repository.versions_like(session, prefix)]
    n = max((int(s) for s in taken if s.isdigit()), default=0) + 1
    return f"{prefix}{n}"


def create_draft(uow: UnitOfWork, content: dict[str, Any], actor: Actor, today: date,
                 based_on: str | None = None) -> StandardVersion:
    """A new draft version (the caller audits `standard.create`)."""
    session = uow.session
    family, industry = content["family"], content.get("industry")
    check_may_manage(session, actor, family, industry)
    proposed = _proposed(content, today)
    std = check_content(session, content, load_parameters().at(proposed or today), proposed or today)
    version = new_version(session, family, industry, today)
    row = StandardVersion(version=version, family=family, industry=industry, status="draft",
                          effective_date=proposed, content=_store(std, content, version), created_by=actor.name,
                          created_department=actor.department, created_at=uow.clock.now(), based_on=based_on)
    session.add(row)
    session.flush()
    return row


def update_draft(uow: UnitOfWork, version: str, content: dict[str, Any], actor: Actor, today: date
                 ) -> StandardVersion:
    """Edit a draft. Editing a version under consultation takes it back to draft: the published text changed,
    so a new consultation of the full length is needed (122号 Art.12). The caller audits `standard.update`."""
    session = uow.session
    row = get_row(session, version)
    check_may_manage(session, actor, row.family, row.industry)
    if row.status not in EDITABLE:
        raise ConflictError("status", f"版本 {version} 已审定，不能修改；请另拟新版本",
                            f"version {version} is approved and cannot change; draft a new version")
    if (content["family"], content.get("industry")) != (row.family, row.industry):
        raise InputError("industry", "不能改变评价标准的类别或行业", "the family and industry of a version cannot change")
    proposed = _proposed(content, today)
    std = check_content(session, content, load_parameters().at(proposed or today), proposed or today)
    row.content = _store(std, content, version)
    row.effective_date = proposed
    if row.status == "consultation":
        row.status, row.consultation_start, row.consultation_end = "draft", None, None
    session.flush()
    return row


def _proposed(content: dict[str, Any], today: date) -> date | None:
    """The proposed effective date of a draft; a date already past (e.g. copied from the version in force by
    GET → POST) is dropped: the leader's approval fixes the date (122号 Art.12)."""
    value = content.get("effective_date")
    if value is None:
        return None
    day = value if isinstance(value, date) else date.fromisoformat(str(value))
    if day < today:
        content["effective_date"] = None
        return None
    return day


def _store(std: Standard, content: dict[str, Any], version: str) -> dict[str, Any]:
    """The content as stored: the YAML shape with the assigned version (the rulebook reads it as it is)."""
    stored = standard_to_dict(std)
    stored["version"] = version
    stored["effective_date"] = content.get("effective_date")
    return stored


def open_consultation(uow: UnitOfWork, version: str, start: date, end: date, actor: Actor, today: date
                      ) -> StandardVersion:
    """公开征求意见 (122号 Art.12): at least `consultation_min_days` (15) calendar days, publication day not
    counted. Re-scheduling is possible until approval. The caller audits `standard.consultation`."""
    session = uow.session
    row = get_row(session, version)
    check_may_manage(session, actor, row.family, row.industry)
    if row.status not in EDITABLE:
        raise ConflictError("status", f"版本 {version} 已审定", f"version {version} is already approved")
    created = row.created_at.date() if row.created_at is not None else None
    if created is not None and start < created:
        raise InputError(
            "start_date",
            f"公开征求意见不能早于草案拟定之日 {created} 开始 (122号 第十二条；不得倒签)",
            f"the public consultation cannot start before the draft existed ({created}; 122号 Art.12, no "
            f"back-dating)")
    if end < start:
        raise InputError("end_date", "征求意见截止日期早于开始日期", "end_date is before start_date")
    minimum = int(parameter("consultation_min_days", start))
    days = consultation_days(start, end)
    if days < minimum:
        raise InputError(
            "end_date",
            f"公开征求意见时间为 {days} 日，不少于 {minimum} 日 (122号 第十二条；发布当日不计入)",
            f"the public consultation lasts {days} days; it must last at least {minimum} "
            f"(122号 Art.12; the publication day is not counted)")
    check_content(session, row.content, load_parameters().at(row.effective_date or today),
                  row.effective_date or today)
    row.status, row.consultation_start, row.consultation_end = "consultation", start, end
    session.flush()
    return row


def approve(uow: UnitOfWork, version: str, effective_date: date, actor: Actor, today: date,
            now: datetime | None = None, scope: list[str] | None = None) -> StandardVersion:
    """主管领导审定 (122号 Art.12, D1-08): record approver and date, fix the effective date, and add the new
    items to the collection catalogue (122号 Art.7) so records can reference them. `scope`: the standards the leader
    credential is in charge of (None: all). The caller audits `standard.approve`."""
    session = uow.session
    if actor.role != "leader":
        raise ForbiddenError("Authorization", "评价标准须经主管领导审定 (122号 第十二条)",
                             "a standard is approved by the leader in charge (122号 Art.12)")
    if actor.channel != "manual":  # issue 12 item 2: a person signed in, never a machine token
        raise ForbiddenError("Authorization", "审定须由主管领导本人登录后操作，接口令牌不能审定 (122号 第十二条)",
                             "approval needs the leader in charge signed in as a user, not an API token "
                             "(122号 Art.12)")
    row = get_row(session, version)
    if not in_scope(scope, row.family, row.industry):
        what = "通用评价标准" if row.family == "general" else f"行业 {row.industry} 的评价标准"
        what_en = "the general standard" if row.family == "general" else f"the standard of industry {row.industry}"
        raise ForbiddenError(
            "Authorization",
            f"该主管领导分管 {', '.join(scope or [])}，不分管{what}，不能审定 (122号 第十二条 报主管领导审定)",
            f"this leader is in charge of {', '.join(scope or [])}, not of {what_en}, and may not approve it "
            f"(122号 Art.12: approved by the leader in charge)")
    if row.status in repository.APPROVED_STATES:
        raise ConflictError("status", f"版本 {version} 已审定", f"version {version} is already approved")
    problems: list[Problem] = []
    if row.status != "consultation" or row.consultation_end is None:
        problems.append(Problem("status", "该版本尚未公开征求意见 (122号 第十二条)",
                                "the version has not been put to public consultation (122号 Art.12)"))
    elif row.consultation_end >= today:
        problems.append(Problem(
            "consultation_end", f"公开征求意见至 {row.consultation_end} 止，尚未结束 (122号 第十二条)",
            f"the public consultation runs until {row.consultation_end} and is not over (122号 Art.12)"))
    pending = repository.pending_comments(session, version)
    if pending:
        ids = ", ".join(str(c.id) for c in pending[:20]) + (" …" if len(pending) > 20 else "")
        problems.append(Problem(
            "comments", f"尚有 {len(pending)} 条公开征求意见未作处理 (编号 {ids})，须逐条说明采纳情况后方可审定 "
                        f"(122号 第十二条)",
            f"{len(pending)} public comment(s) have no disposition yet (ids {ids}); each must be answered before "
            f"approval (122号 Art.12)"))
    if effective_date < today:
        problems.append(Problem("effective_date", f"实施日期 {effective_date} 早于审定日期 {today}",
                                f"effective_date {effective_date} is before the approval date {today}"))
    problems += _replacement_problems(session, row, effective_date)
    _raise(problems)
    check_content(session, row.content, load_parameters().at(effective_date), effective_date)
    now = now or uow.clock.now()
    row.status = "approved"
    row.effective_date = effective_date
    row.content = dict(row.content, effective_date=effective_date.isoformat())
    row.approved_by, row.approved_at = actor.name, now
    row.loaded_at = now  # the rulebook cache keys on it
    extend_catalogue(session, to_standard(row, effective_date))
    session.flush()
    if effective_date <= today:
        # In force at once: re-evaluate everyone now (122号 Art.13 评价结果根据评价标准…实时更新); the batch archives
        # each changed evaluation. Later effective dates are picked up by the daily refresh on that day.
        uow.publish(ReevaluateEveryone(today))
        uow.handle()
    return row


def _replacement_problems(session: Session, row: StandardVersion, effective: date) -> list[Problem]:
    siblings = [s for s in repository.approved_of(session, row.family, row.industry) if s.version != row.version]
    later = [s for s in siblings if s.effective_date is not None and s.effective_date >= effective]
    if later:
        s = later[0]
        return [Problem("effective_date",
                        f"版本 {s.version} 已定于 {s.effective_date} 实施，新版本须晚于该日期实施",
                        f"version {s.version} already takes effect on {s.effective_date}; a new version must "
                        f"take effect after it")]
    earlier = [s for s in siblings if s.effective_date is not None]
    if not earlier:  # 122号 Art.12: the one-year rule binds every standard, the general one too
        return []
    current = earlier[-1]
    assert current.effective_date is not None
    years = standard_min_years_in_force(effective)
    first_allowed = earliest_replacement_date(current.effective_date, effective)
    if effective < first_allowed:
        days = (effective - current.effective_date).days
        return [Problem(
            "effective_date",
            f"评价标准 {current.version} 自 {current.effective_date} 起实施，至 {effective} 仅 {days} 日，"
            f"未满{years}年，最早可于 {first_allowed} 起更新 (122号 第十二条 实施满一年后可以更新)",
            f"standard {current.version} in force since {current.effective_date} would be replaced "
            f"after {days} days, less than {years} year(s); the earliest replacement date is {first_allowed} "
            f"(122号 Art.12)")]
    return []


# --- public comments (公开征求意见, 122号 Art.12) -------------------------------------------------------------

def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def comment_hash(name: str | None, contact: str | None, text: str) -> str:
    return hashlib.sha256("\x1f".join((name or "", contact or "", text)).encode()).hexdigest()


def check_window(row: StandardVersion, today: date) -> None:
    """Comments are taken while the version is under consultation, from its first to its last day (inclusive)."""
    start, end = row.consultation_start, row.consultation_end
    if row.status != "consultation" or start is None or end is None:
        raise ConflictError("consultation_start", f"版本 {row.version} 未在公开征求意见期间，不接受意见 (122号 第十二条)",
                            f"version {row.version} is not under public consultation; no comments are taken "
                            f"(122号 Art.12)")
    if today < start:
        raise ConflictError("consultation_start", f"公开征求意见自 {start} 开始，至 {end} 止，尚未开始 (122号 第十二条)",
                            f"the public consultation runs from {start} to {end} and has not started (122号 Art.12)")
    if today > end:
        raise ConflictError("consultation_end", f"公开征求意见已于 {end} 结束 ({start} 至 {end}) (122号 第十二条)",
                            f"the public consultation ran from {start} to {end} and is over (122号 Art.12)")


def submit_comment(uow: UnitOfWork, version: str, name: str | None, contact: str | None, text: str,
                   origin: str = "") -> tuple[StandardComment, bool]:
    """A comment from the public (no token). Returns (comment, created): the same comment again is the stored
    one. Audited as `standard.comment` by "public" (the contact details stay out of the audit trail)."""
    session = uow.session
    row = get_row(session, version)
    check_window(row, uow.clock.today())
    body = text.strip()
    if not body:
        raise InputError("text", "意见内容不能为空", "the comment text is empty")
    name, contact = _clean(name), _clean(contact)
    digest = comment_hash(name, contact, body)
    existing = repository.comment_by_hash(session, version, digest)
    if existing is not None:
        return existing, False
    comment = StandardComment(version=version, name=name, contact=contact, text=body, content_hash=digest,
                              submitted_at=uow.clock.now(), origin=(origin or "")[:100])
    # a concurrent identical submission: the unique key keeps one
    comment, created = insert_once(session, comment, lambda: repository.comment_by_hash(session, version, digest))
    if not created:
        return comment, False
    audit_actor(session, Actor(name="public", role="anonymous", origin=origin), "standard.comment",
                f"comment:{comment.id}", f"version={version} chars={len(body)}")
    return comment, True


def dispose_comment(uow: UnitOfWork, version: str, comment_id: int, decision: str, reason: str, actor: Actor
                    ) -> StandardComment:
    """The drafting department's answer to one comment (采纳 / 部分采纳 / 不予采纳, with the reason); it can be
    revised until the version is approved. The caller audits `standard.comment_disposition`."""
    session = uow.session
    row = get_row(session, version)
    check_may_manage(session, actor, row.family, row.industry)
    comment = repository.comment(session, version, comment_id)
    if comment is None:
        raise NotFoundError("comment_id", f"版本 {version} 没有编号为 {comment_id} 的意见",
                            f"version {version} has no comment {comment_id}")
    if row.status not in EDITABLE:
        raise ConflictError("status", f"版本 {version} 已审定，意见处理情况不能再修改",
                            f"version {version} is approved; its comment dispositions are final")
    if decision not in DECISIONS:
        raise InputError("decision", f"处理结果应为 {', '.join(DECISIONS)}", f"decision must be one of {', '.join(DECISIONS)}")
    if not reason.strip():
        raise InputError("reason", "须说明采纳或不予采纳的理由", "the reason is empty")
    comment.decision, comment.reason = decision, reason.strip()
    comment.decided_by, comment.decided_at = actor.name, uow.clock.now()
    session.flush()
    return comment


def comment_out(c: StandardComment, with_identity: bool) -> dict[str, Any]:
    """A comment as staff see it; `with_identity` False hides the commenter's name and contact (G1-17)."""
    return {
        "id": c.id, "version": c.version, "name": c.name if with_identity else None,
        "contact": c.contact if with_identity else None, "text": c.text,
        "submitted_at": c.submitted_at.isoformat(timespec="seconds"),
        "decision": c.decision, "reason": c.reason, "decided_by": c.decided_by,
        "decided_at": c.decided_at.isoformat(timespec="seconds") if c.decided_at else None,
    }


def comments_summary(session: Session, version: str, staff: bool, with_identity: bool) -> dict[str, Any]:
    """Counts for everyone (公开透明, 122号 Art.3); the comments themselves for staff only."""
    rows = repository.comments_of(session, version)
    by_decision = {d: sum(1 for c in rows if c.decision == d) for d in DECISIONS}
    return {
        "version": version, "total": len(rows), "pending": sum(1 for c in rows if c.decision is None),
        "by_decision": by_decision,
        "comments": [comment_out(c, with_identity) for c in rows] if staff else None,
    }


def seed_standards(session: Session) -> dict[str, int]:
    """Load the default standards (in force from the measures' first day) and add their items to the collection
    catalogue (122号 Art.7, Art.11). Running it twice changes nothing."""
    added = {"standards": 0, "catalogue_items": 0}
    params = load_parameters().at(first_day_in_force())  # the measures' first day (measures_validity.from)
    for path in default_standard_files():
        std = load_standard_file(path, params)
        if repository.get(session, std.version) is None:
            session.add(StandardVersion(version=std.version, family=std.family, industry=std.industry,
                                        status="in_force", effective_date=std.effective_date,
                                        content=standard_to_dict(std)))
            added["standards"] += 1
        added["catalogue_items"] += extend_catalogue(session, std)
    session.flush()
    return added


def check_readable(row: StandardVersion, signed_in: bool) -> None:
    """Published drafts (consultation) and approved versions are public (122号 Art.12 向社会公开征求意见); a plain
    draft needs a token (401)."""
    if row.status == "draft" and not signed_in:
        raise UnauthorizedError("Authorization", "未公开的草案需要接口令牌", "an unpublished draft needs a bearer token")
