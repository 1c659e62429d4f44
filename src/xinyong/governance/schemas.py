"""Request bodies of the standards API (122号 第十一条, 第十二条). A standard travels in the shape of the YAML files
(:func:`xinyong.standards.loader.standard_to_dict`): what `GET /standards/{version}` returns, `POST /standards`
accepts (the server assigns the version; `version` and `lifecycle` in the body are ignored)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.\-]+$")
    name: str = Field(min_length=1, max_length=200)
    polarity: Literal["good", "bad"]
    points: int = Field(ge=1, le=450)
    cap: int | None = Field(default=None, ge=1, le=450)
    article: str = Field(min_length=1, max_length=500)
    admin_category: str = Field(default="other", min_length=1, max_length=40)
    source_category: str = Field(default="planning", min_length=1, max_length=20)
    fuse: str | None = Field(default=None, max_length=40)
    heavier: bool = False
    work_safety: bool = False
    default: bool = False


class StandardIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    family: Literal["general", "industry"]
    industry: str | None = Field(default=None, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    effective_date: date | None = None  # proposed; fixed by the approval
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
    """公开征求意见: the publication day and the last day (122号 第十二条 不少于15日)."""

    model_config = ConfigDict(extra="forbid")

    start_date: date
    end_date: date


class ApproveIn(BaseModel):
    """主管领导审定 (122号 第十二条, spec D1-08): the approver and date are taken from the token and the clock."""

    model_config = ConfigDict(extra="forbid")

    effective_date: date
