"""Request and response bodies of the commitments API (信用承诺, 122号 Art.8 last paragraph, 122号 Art.16(3))."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..errors_http import Day

State = Literal["open", "overdue", "fulfilled", "breached"]


class CommitmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject: str = Field(min_length=1, max_length=40, description="USCC or resident ID number of the applicant")
    content: str = Field(min_length=1, max_length=2000, description="承诺事项: what the applicant committed to")
    due_on: Day = Field(description="the last day to fulfil it (履行期限)")
    licence_ref: str = Field(min_length=1, max_length=200, description="the licence (行政许可) it was made for")
    department: str = Field(min_length=1, max_length=40, description="the business department entering it")
    made_on: Day | None = Field(None, description="the day it was made (default: today)")


class FulfilIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    evidence: str = Field(min_length=1, max_length=2000, description="how it was fulfilled: documents, references")


class BreachIn(BaseModel):
    """未履行承诺或做出虚假承诺 (122号 Art.7(2)) found by the department: also a commitment found false later."""

    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000)
    found_on: Day = Field(description="the day the breach or the falsehood was established (the record's act date)")


class CommitmentOut(BaseModel):
    id: int
    subject: str = Field(description="subject code, masked for an individual unless the reader may see it")
    subject_name: str
    content: str
    made_on: date
    due_on: date
    licence_ref: str
    department: str
    state: State
    notice_on: date | None = Field(description="the overdue notice; the grace runs from it")
    grace_ends_on: date = Field(description="last day to fulfil after the notice (planned until the notice is sent)")
    fulfilled_on: date | None
    evidence: str | None
    breached_on: date | None
    breach_reason: str | None
    breach_automatic: bool = Field(description="entered by the daily job when the grace ended")
    breach_record_id: int | None = Field(description="the credit record that fires 122号 Art.16(3)")
