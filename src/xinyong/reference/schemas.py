"""Request and response bodies of the reference-data API: industries, departments, the catalogue in force."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class DepartmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$",
                      description="lower-case code, e.g. a district branch `fenju_haidian`")
    name: str = Field(min_length=1, max_length=100)
    role: Literal["coordinating", "hall", "support", "business"] = "business"


class DepartmentUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    role: Literal["coordinating", "hall", "support", "business"] | None = None


class IndustryOut(BaseModel):
    code: str
    name: str
    regulator: str


class DepartmentOut(BaseModel):
    code: str
    name: str
    role: str


class CollectionItemOut(BaseModel):
    code: str
    name: str
    polarity: str
    admin_category: str
    source_category: str
    article: str


class CollectionOut(BaseModel):
    """归集清单 vocabularies (122号 Art.6, Art.7) and the items collected without points."""

    info_classes: dict[str, str]
    admin_categories: dict[str, dict[str, str]]
    items: list[CollectionItemOut]
