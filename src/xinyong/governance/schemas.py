"""Request bodies of the standards API (122号 Art.11, 122号 Art.12). A standard travels in the shape of the YAML files
(:func:`xinyong.standards.loader.standard_to_dict`): what `GET /standards/{version}` returns, `POST /standards`
accepts (the server assigns the version; `version` and `lifecycle` in the body are ignored)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..errors_http import Day


class ItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.\-]+$")
    name: str = Field(min_length=1, max_length=200)
    polarity: Literal["good", "bad"]
    points: int = Field(ge=0, le=450)  # 0 only for a fuse-only item (checked by the loader, 122号 Art.16)
    cap: int | None = Field(default=None, ge=0, le=450)
    article: str = Field(min_length=1, max_length=500)
    admin_category: str = Field(default="other", min_length=1, max_length=40)
    source_category: str = Field(default="planning", min_length=1, max_length=20)
    fuse: str | None = Field(default=None, max_length=40)
    heavier: bool = False
    work_safety: bool = False
    default: bool = False
    source: str = Field(default="", max_length=500)  # the field's own regulation, e.g. 《测绘法》第三十四条
    accident_grades: list[str] = Field(default_factory=list, max_length=10)  # 国务院令第493号 第三条


class StandardIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    family: Literal["general", "industry"]
    industry: str | None = Field(default=None, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    effective_date: Day | None = None  # proposed; fixed by the approval
    reference: str = Field(min_length=1, max_length=1000)
    items: list[ItemIn] = Field(min_length=1, max_length=500)

    def as_content(self) -> dict[str, Any]:
        return {
            "family": self.family,
            "industry": self.industry,
            "name": self.name,
            "effective_date": self.effective_date.isoformat() if self.effective_date else None,
            "reference": self.reference,
            "items": [it.model_dump() for it in self.items],
        }


class ConsultationIn(BaseModel):
    """公开征求意见: the publication day and the last day (122号 Art.12 不少于15日)."""

    model_config = ConfigDict(extra="forbid")

    start_date: Day
    end_date: Day


class ApproveIn(BaseModel):
    """主管领导审定 (122号 Art.12, spec D1-08): the approver and date are taken from the token and the clock."""

    model_config = ConfigDict(extra="forbid")

    effective_date: Day


# --- public comments (公开征求意见, 122号 Art.12) -------------------------------------------------------------

class CommentIn(BaseModel):
    """A comment from the public on a version under consultation; name and contact are optional."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=100)
    contact: str | None = Field(default=None, max_length=200, description="phone or e-mail; shown to staff only")
    text: str = Field(min_length=1, max_length=5000)


class DispositionIn(BaseModel):
    """The drafting department's answer to one comment: 采纳 / 部分采纳 / 不予采纳, with the reason."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["adopted", "partly_adopted", "not_adopted"]
    reason: str = Field(min_length=1, max_length=2000)


# --- responses ---------------------------------------------------------------------------------------------

class StandardSummaryOut(BaseModel):
    """One version as listed (GET /standards)."""

    version: str
    family: str
    industry: str | None
    name: str
    status: Literal["draft", "consultation", "approved", "in_force", "superseded"]
    consultation_start: str | None
    consultation_end: str | None
    approved_by: str | None
    approved_at: str | None
    effective_date: str | None


class LifecycleOut(StandardSummaryOut):
    created_by: str | None
    created_at: str | None
    based_on: str | None
    superseded_by: str | None


class ItemOut(BaseModel):
    """An indicator in the YAML shape; optional keys (e.g. `source`, `accident_grades`) appear only when given."""

    model_config = ConfigDict(extra="allow")

    code: str
    name: str
    polarity: str
    points: int
    cap: int | None = None
    article: str = ""
    admin_category: str = "other"
    source_category: str = "planning"
    fuse: str | None = None
    heavier: bool = False
    work_safety: bool = False
    default: bool = False


class StandardOut(BaseModel):
    """GET /standards/{version}: the shape POST /standards accepts, plus the lifecycle."""

    model_config = ConfigDict(extra="allow")

    version: str
    family: str
    industry: str | None
    name: str
    effective_date: str | None
    reference: str
    items: list[ItemOut]
    lifecycle: LifecycleOut


class CommentReceiptOut(BaseModel):
    """What the commenter gets back: its own comment (201 new, 200 the same comment sent again)."""

    id: int
    version: str
    name: str | None
    contact: str | None
    text: str
    submitted_at: str


class CommentOut(CommentReceiptOut):
    """A comment as staff see it; name and contact are null for roles that may not see personal data."""

    decision: Literal["adopted", "partly_adopted", "not_adopted"] | None
    reason: str | None
    decided_by: str | None
    decided_at: str | None


class CommentsOut(BaseModel):
    """Counts for everyone; `comments` for staff only (null for the public), docs/decisions.md."""

    version: str
    total: int
    pending: int
    by_decision: dict[str, int]
    comments: list[CommentOut] | None


class CatalogueItemOut(BaseModel):
    """A catalogue item with the points and cap of the standard in force; keys added later pass through."""

    model_config = ConfigDict(extra="allow")

    code: str
    name: str
    polarity: str
    family: str
    industry: str | None
    points: int
    cap: int | None
    fuse: bool
    fuse_article: str | None
    heavier: bool
    work_safety: bool
    article: str
    standard_version: str
    admin_category: str
    source_category: str
