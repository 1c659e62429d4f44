"""Events of 分级分类监管: measures lists approved and filed (122号 Art.24), rankings drafted and published
(122号 Art.17). They concern a department's list or an industry, not one subject: plain events, not archived facts."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.events import Event


@dataclass(frozen=True)
class MeasuresListDrafted(Event):
    list_id: int
    industry: str
    kind: str
    version: int
    by: str


@dataclass(frozen=True)
class MeasuresListApproved(Event):
    """措施清单经行业主管委领导审核同意 (122号 Art.24)."""

    list_id: int
    industry: str
    kind: str
    version: int
    by: str


@dataclass(frozen=True)
class MeasuresListFiled(Event):
    """报统筹部门备案; in force from `effective_from` (ISO day) (122号 Art.24)."""

    list_id: int
    industry: str
    kind: str
    version: int
    effective_from: str
    by: str


@dataclass(frozen=True)
class RankingDrafted(Event):
    ranking_id: int
    industry: str
    as_of: str
    entries: int
    by: str


@dataclass(frozen=True)
class RankingPublished(Event):
    """报主管委领导审定后在信用评价管理系统发布 (122号 Art.17)."""

    ranking_id: int
    industry: str
    as_of: str
    entries: int
    by: str
