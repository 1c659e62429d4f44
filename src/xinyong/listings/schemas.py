"""Request and response bodies of the list-status API (spec X-02)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from ..errors_http import Day


class ListingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject: str = Field(min_length=1, max_length=40, description="USCC or resident ID number")
    list: str = Field(min_length=1, max_length=40, description="list code, see GET /api/v1/lists")
    listed_on: Day
    source_ref: str = Field(min_length=1, max_length=200, description="the listing decision or batch reference")
    department: str | None = Field(None, max_length=40)
    ends_on: Day | None = Field(None, description="last day of the listing's effect; default: the list's fixed "
                                                   "period (GET /api/v1/lists), none: until removed (spec G3-01)")


class RemovalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    removed_on: Day
    reason: str = Field(min_length=1, max_length=2000)


class ListingOut(BaseModel):
    id: int
    subject: str
    list: str
    list_name: str
    listed_on: date
    removed_on: date | None
    active: bool
    source: str
    department: str | None
    source_ref: str
    removal_reason: str | None
    fuse: str | None
    ends_on: date | None = Field(description="last day of the listing's effect (spec G3-01(a)); null: until removed")
    removal_automatic: bool = Field(description="removed by the system without any application (44号 Task 14)")
    removal_rule: str | None = Field(description="the rule of an automatic removal, e.g. listing_period_ended")


class ListOut(BaseModel):
    code: str
    name: str
    reference: str
    fuse: str | None
    period_months: int | None = Field(description="fixed listing period in months; null: until removed (G3-01(a))")
    period_reference: str | None
