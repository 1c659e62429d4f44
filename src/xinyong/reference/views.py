"""Reference data API: industries, departments, the collection catalogue in force."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from ..auth.actors import Actor
from ..core.uow import UnitOfWork
from ..deps import get_session, get_uow, require
from ..errors import ConflictError, NotFoundError
from ..errors_http import Day, error_responses
from . import repository
from .framework import Framework, framework_on, parse_as_of
from .models import Department
from .schemas import (
    CollectionItemOut,
    CollectionOut,
    DepartmentIn,
    DepartmentOut,
    DepartmentUpdate,
    IndustryOut,
)
from .service import admin_categories, collection, info_classes

router = APIRouter(prefix="/api/v1", tags=["reference 基础数据"])


@router.get("/industries", summary="行业 (122号 第四条(二))", response_model=list[IndustryOut])
def industries(db: Session = Depends(get_session)) -> list[dict[str, str]]:
    return [{"code": i.code, "name": i.name, "regulator": i.regulator} for i in repository.industries(db)]


@router.get("/framework", response_model=Framework, responses=error_responses(422),
            summary="评价框架参数：分值范围、四等九级、初始分值、熔断条款、评价周期、填报时限、本办法有效期")
def framework(as_of: Day | None = Query(None, description="YYYY-MM-DD, not before the measures took effect; "
                                         "default today (Beijing)")) -> Framework:
    """The framework parameters in force on `as_of`, read from parameters.yaml (122号 Art.8, 122号 Art.11, 122号 Art.13,
    122号 Art.14, 122号 Art.16, 122号 Art.28): the one source the UI and CLI read instead of repeating them. `validity.warning` is
    null normally, a notice from six months before the last day in force, and a `lapsed` notice after it."""
    return framework_on(parse_as_of(as_of.isoformat() if as_of else None))


@router.get("/departments", summary="部门 (122号 第四条, 第二十七条)", response_model=list[DepartmentOut])
def departments(db: Session = Depends(get_session)) -> list[dict[str, str]]:
    return [{"code": d.code, "name": d.name, "role": d.role} for d in repository.departments(db)]


@router.post("/departments", status_code=201, summary="新增部门 (122号 第二十七条 …等: the list is open, D1-04)",
             response_model=DepartmentOut, responses=error_responses(401, 403, 409, 422))
def add_department(data: DepartmentIn, uow: UnitOfWork = Depends(get_uow),
                   actor: Actor = Depends(require("departments.manage"))) -> dict[str, str]:
    db = uow.session
    if db.get(Department, data.code) is not None:
        raise ConflictError("code", f"部门代码 {data.code} 已存在", f"department {data.code} already exists")
    row = Department(code=data.code, name=data.name.strip(), role=data.role,
                     reference=f"122号 第二十七条 (added by {actor.name})")
    db.add(row)
    db.flush()
    uow.audit("department.create", data.code, data.name)
    return {"code": row.code, "name": row.name, "role": row.role}


@router.put("/departments/{code}", summary="修改部门名称或类别 (机构调整)", response_model=DepartmentOut,
            responses=error_responses(401, 403, 404, 422))
def update_department(code: str, data: DepartmentUpdate, uow: UnitOfWork = Depends(get_uow),
                      actor: Actor = Depends(require("departments.manage"))) -> dict[str, str]:
    db = uow.session
    row = db.get(Department, code)
    if row is None:
        raise NotFoundError("code", f"未知部门代码 {code}", f"unknown department {code}")
    before = f"{row.name}/{row.role}"
    row.name = data.name.strip()
    row.role = data.role or row.role
    db.flush()
    uow.audit("department.update", code, f"{before} → {row.name}/{row.role}")
    return {"code": row.code, "name": row.name, "role": row.role}


@router.get("/collection", response_model=CollectionOut, summary="归集清单：信息类别 (122号 Art.6)、行政类别 (Art.7)、不计分的归集事项")
def collection_list() -> CollectionOut:
    """The vocabularies a record is classified by, and the information collected without points."""
    data = collection()
    return CollectionOut(info_classes=info_classes(), admin_categories={
        "good": admin_categories("good"), "bad": admin_categories("bad")},
        items=[CollectionItemOut(**it) for it in data["collection_items"]])
