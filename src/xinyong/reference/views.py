"""Reference data API: industries, departments, the collection catalogue in force."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..calendar.service import beijing_today
from ..deps import get_session
from .models import CatalogueItem, Department, Industry
from .service import rulebook

router = APIRouter(prefix="/api/v1", tags=["reference 基础数据"])


@router.get("/industries", summary="行业 (122号 第四条(二))")
def industries(db: Session = Depends(get_session)) -> list[dict[str, str]]:
    return [{"code": i.code, "name": i.name, "regulator": i.regulator}
            for i in db.scalars(select(Industry).order_by(Industry.code))]


@router.get("/departments", summary="部门 (122号 第四条, 第二十七条)")
def departments(db: Session = Depends(get_session)) -> list[dict[str, str]]:
    return [{"code": d.code, "name": d.name, "role": d.role}
            for d in db.scalars(select(Department).order_by(Department.code))]


@router.get("/catalogue", summary="归集目录及分值 (122号 第七条, 第十一条)")
def catalogue(db: Session = Depends(get_session)) -> list[dict[str, Any]]:
    """The catalogue items with points and caps of the standards in force today."""
    rb = rulebook(db, beijing_today())
    meta = {c.code: c for c in db.scalars(select(CatalogueItem))}
    out = []
    for std in rb.standards:
        for it in std.items:
            c = meta.get(it.code)
            out.append({
                "code": it.code, "name": it.name, "polarity": it.polarity, "family": it.family,
                "industry": it.industry, "points": it.points, "cap": it.cap, "fuse": it.fuse is not None,
                "fuse_article": f"122号 {it.fuse}" if it.fuse else None, "heavier": it.heavier,
                "work_safety": it.work_safety, "article": it.article, "standard_version": std.version,
                "admin_category": c.admin_category if c else it.admin_category,
                "source_category": c.source_category if c else it.source_category,
            })
    return out
