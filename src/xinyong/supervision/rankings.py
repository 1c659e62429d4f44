"""排行榜 — industry rankings (122号 Art.17; spec D1-35, G1-11).

A business department sets up its industry's ranking (业务部门可以建立本行业排行榜机制); it is published in the
system only after the leader in charge approves it (报主管委领导审定后在信用评价管理系统发布). A snapshot is drafted
for an industry as of a day and, once published, never changes (409).

Order (G1-11, proposed default):
1. fused subjects (熔断, 122号 Art.16) last, whatever their score;
2. the industry composite score, descending;
3. ties: fewer counting bad records in the period (the evaluation period of `as_of`, up to `as_of`) first;
4. then the subject whose most recent bad record is older first (none at all counts as oldest);
5. then the code, ascending. Ranks are 1..n: equal keys share no rank.

Bad records are the counting (hence publicly visible: withdrawn after objection or repaired records count no more,
spec G1-17) records of bad items of the general family or of this industry, acts from the measures' first day
(122号 Art.28) on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ..auth.actors import Actor
from ..core.uow import UnitOfWork
from ..errors import ConflictError, InputError, NotFoundError, future_problem, refuse
from ..evaluation import repository as evaluation_repo
from ..evaluation.service import check_as_of, evaluate_subject
from ..governance.rulebook import rulebook
from ..messages.supervision import RankingDrafted, RankingPublished
from ..records import repository as records_repo
from ..reference import repository as reference_repo
from ..reference.framework import first_day_in_force
from ..rules.identifiers import mask_resident_id
from ..rules.period import period_bounds
from ..subjects.models import Subject
from . import repository
from .models import Ranking, RankingEntry
from .service import check_leader_in_charge, check_may_draft

PAGE = 5000


@dataclass(frozen=True)
class Candidate:
    subject: Subject
    score: int
    grade: str
    level: str
    fused: bool
    bad_records: int
    last_bad_on: date | None

    def key(self) -> tuple[Any, ...]:
        return (self.fused, -self.score, self.bad_records, self.last_bad_on or date.min, self.subject.code)


def _members(uow: UnitOfWork, industry: str) -> list[tuple[Subject, Any]]:
    """The industry's subjects with their stored evaluation in its scope (or None)."""
    out: list[tuple[Subject, Any]] = []
    while True:
        total, rows = evaluation_repo.search(uow.session, None, None, industry, PAGE, len(out))
        out += rows
        if not rows or len(out) >= total:
            return out


def candidates(uow: UnitOfWork, industry: str, as_of: date) -> tuple[date, list[Candidate]]:
    """(first day of the counted period, the industry's subjects in ranking order)."""
    session = uow.session
    rb = rulebook(session, as_of)
    start, _end = period_bounds(as_of, rb.params.period_months, rb.params.period_anchor)
    start = max(start, first_day_in_force())  # 122号 Art.28: earlier acts count for nothing
    catalogue = reference_repo.catalogue(session)
    bad_items = {code for code, it in catalogue.items()
                 if it.polarity == "bad" and (it.family == "general" or it.industry == industry)}
    found = []
    for subject, stored in _members(uow, industry):
        if stored is not None and stored.as_of == as_of:
            score, grade, level, fused = stored.score, stored.grade, stored.level, stored.fused
        else:
            result = evaluate_subject(session, subject, as_of).get(industry)
            if result is None:  # no standard of the industry in force that day
                continue
            score, grade, level, fused = result.score, result.grade, result.level, result.fused
        bad = [r.act_date for r in records_repo.counting_for_subject(session, subject.id, start, as_of)
               if r.item in bad_items]
        found.append(Candidate(subject, score, grade, level, bool(fused), len(bad), max(bad) if bad else None))
    return start, sorted(found, key=Candidate.key)


def get_ranking(uow: UnitOfWork, ranking_id: int) -> Ranking:
    row = repository.ranking_by_id(uow.session, ranking_id)
    if row is None:
        raise NotFoundError("ranking_id", f"未找到排行榜 {ranking_id}", f"no ranking {ranking_id}")
    return row


def _build(uow: UnitOfWork, industry: str, as_of: date, by: str, month: str | None) -> Ranking:
    start, ordered = candidates(uow, industry, as_of)
    row = Ranking(industry=industry, as_of=as_of, period_start=start, status="draft", month=month, created_by=by,
                  created_at=uow.clock.now(), entries=[
                      RankingEntry(rank=i, subject_id=c.subject.id, subject_code=c.subject.code,
                                   subject_kind=c.subject.kind, name=c.subject.name, score=c.score, grade=c.grade,
                                   level=c.level, fused=c.fused, bad_records=c.bad_records, last_bad_on=c.last_bad_on)
                      for i, c in enumerate(ordered, start=1)])
    uow.session.add(row)
    uow.session.flush()
    uow.publish(RankingDrafted(row.id, industry, as_of.isoformat(), len(row.entries), by))
    uow.audit("ranking.draft", f"ranking:{row.id}", f"{industry} as of {as_of.isoformat()}, {len(row.entries)} entries")
    return row


def create_ranking(uow: UnitOfWork, industry: str, as_of: date, actor: Actor) -> Ranking:
    session = uow.session
    if reference_repo.industry(session, industry) is None:
        known = reference_repo.industry_codes(session)
        raise InputError("industry", f"未知行业 {industry}，可选: {', '.join(known)}",
                         f"unknown industry {industry}; one of {', '.join(known)}")
    check_may_draft(session, actor, industry, "排行榜", "ranking")
    refuse(future_problem("as_of", "排名日期", as_of, uow.clock.today()))
    check_as_of(as_of)
    return _build(uow, industry, as_of, actor.name, None)


def approve_ranking(uow: UnitOfWork, ranking_id: int, actor: Actor) -> Ranking:
    """报主管委领导审定后发布 (122号 Art.17): the leader in charge of the industry publishes the draft; a published
    snapshot never changes (409)."""
    row = get_ranking(uow, ranking_id)
    check_leader_in_charge(actor, row.industry, "排行榜", "ranking", "122号 第十七条")
    if row.status != "draft":
        raise ConflictError("status", f"排行榜 {ranking_id} 已发布，不能更改 (122号 第十七条)",
                            f"ranking {ranking_id} is published and never changes (122号 Art.17)")
    row.status, row.approved_by, row.approved_at = "published", actor.name, uow.clock.now()
    uow.session.flush()
    uow.publish(RankingPublished(row.id, row.industry, row.as_of.isoformat(), len(row.entries), actor.name))
    uow.audit("ranking.approve", f"ranking:{row.id}", f"{row.industry} as of {row.as_of.isoformat()}")
    return row


def monthly_ranking_drafts(uow: UnitOfWork, today: date) -> int:
    """The month's draft of every industry (G1-11: a snapshot monthly), made once: run again in the same month it
    makes none. Returns how many it made. For `xinyong jobs run`."""
    month = today.strftime("%Y-%m")
    by = uow.actor.name if uow.actor is not None else "system"
    made = 0
    for industry in reference_repo.industry_codes(uow.session):
        if repository.ranking_of_month(uow.session, industry, month) is not None:
            continue
        _build(uow, industry, today, by, month)
        made += 1
    return made


def ranking_out(row: Ranking, may_see_personal: bool, staff: bool) -> dict[str, Any]:
    entries = []
    for e in row.entries:
        # spec G1-17: individuals' resident ID numbers masked (as subjects.service.public_code does)
        shown = mask_resident_id(e.subject_code) if e.subject_kind == "individual" and not may_see_personal \
            else e.subject_code
        entry = {"rank": e.rank, "subject": shown, "name": e.name, "score": e.score, "grade": e.grade,
                 "level": e.level, "fused": e.fused}
        if staff:
            entry.update(bad_records=e.bad_records, last_bad_on=e.last_bad_on)
        entries.append(entry)
    body = {"id": row.id, "industry": row.industry, "as_of": row.as_of, "status": row.status,
            "approved_at": row.approved_at, "entries": entries}
    if staff:
        body.update(period_start=row.period_start, month=row.month, created_by=row.created_by,
                    approved_by=row.approved_by)
    return body


def list_rankings(uow: UnitOfWork, industry: str | None, status: str | None) -> list[Ranking]:
    return list(repository.rankings(uow.session, industry, status))
