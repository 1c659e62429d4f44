"""Records API: single and bulk intake (122号 第八条 系统对接为主), withdrawal."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..auth.service import audit
from ..deps import get_session, require
from ..errors import DomainError
from ..errors_http import validation_problems
from .corrections import correct_record
from .schemas import BulkIn, CorrectIn, RecordIn, WithdrawIn
from .service import Actor, Submitted, record_out, submit_record, withdraw_record

router = APIRouter(prefix="/api/v1", tags=["records 信用记录"])


def _body(sub: Submitted) -> dict[str, Any]:
    body = record_out(sub.record, sub.subject_code, sub.status)
    body["evaluation"] = sub.evaluation.to_api() if sub.evaluation else None
    return body


@router.post("/records", status_code=201, summary="报送一条信用记录",
             responses={200: {"description": "the same source_ref with the same content: the existing record"},
                        409: {"description": "the same source_ref with other content"}})
def post_record(data: RecordIn, db: Session = Depends(get_session),
                actor: Actor = Depends(require("records.create"))) -> JSONResponse:
    sub = submit_record(db, data, actor)
    if sub.created:
        audit(db, actor.name, actor.role, "record.create", f"record:{sub.record.id}", actor.origin, data.source_ref)
    body = _body(sub)
    db.commit()
    return JSONResponse(status_code=201 if sub.created else 200, content=body)


@router.post("/records/bulk", summary="批量报送；每条记录各自原子 / each record atomic on its own")
def post_bulk(data: BulkIn, db: Session = Depends(get_session),
              actor: Actor = Depends(require("records.create"))) -> dict[str, Any]:
    results: list[dict[str, Any]] = []
    counts = {"created": 0, "existing": 0, "rejected": 0}
    for index, raw in enumerate(data.records):
        try:
            rec = RecordIn.model_validate(raw)
        except ValidationError as exc:
            results.append({"index": index, "status": 422, "errors": validation_problems(list(exc.errors()))})
            counts["rejected"] += 1
            continue
        savepoint = db.begin_nested()
        try:
            sub = submit_record(db, rec, actor)
            if sub.created:
                audit(db, actor.name, actor.role, "record.create", f"record:{sub.record.id}", actor.origin,
                      rec.source_ref)
            body = _body(sub)
            savepoint.commit()
        except DomainError as exc:
            savepoint.rollback()
            results.append({"index": index, "status": exc.status_code, "errors": exc.as_detail()})
            counts["rejected"] += 1
            continue
        counts["created" if sub.created else "existing"] += 1
        results.append({"index": index, "status": 201 if sub.created else 200, "record": body})
    db.commit()
    return {"summary": counts, "results": results}


@router.post("/records/{record_id}/withdraw", summary="撤销记录：该记录不再计分，评价实时更新")
def withdraw(record_id: int, data: WithdrawIn, db: Session = Depends(get_session),
             actor: Actor = Depends(require("records.withdraw"))) -> dict[str, Any]:
    sub = withdraw_record(db, record_id, data.reason, actor, data.kind)
    audit(db, actor.name, actor.role, "record.withdraw", f"record:{record_id}", actor.origin,
          f"{data.kind}: {data.reason}")
    body = _body(sub)
    db.commit()
    return body


@router.post("/records/{record_id}/correct", status_code=201,
             summary="更正记录 (122号 第十条 信息纠错)：生成新版本，原记录不变且不再计分，评价实时更新",
             responses={409: {"description": "the record is withdrawn or already superseded"},
                        403: {"description": "a business token of another department"}})
def correct(record_id: int, data: CorrectIn, db: Session = Depends(get_session),
            actor: Actor = Depends(require("records.correct"))) -> JSONResponse:
    sub = correct_record(db, record_id, data, actor)
    audit(db, actor.name, actor.role, "record.correct", f"record:{record_id}->{sub.record.id}", actor.origin,
          data.reason)
    body = _body(sub)
    assert sub.correction is not None
    body["correction"] = {"reason": sub.correction.reason, "authority_ref": sub.correction.authority_ref,
                          "by": sub.correction.corrected_by,
                          "at": sub.correction.corrected_at.isoformat(timespec="seconds")}
    db.commit()
    return JSONResponse(status_code=201, content=body)


@router.get("/reports/lateness", summary="逾期填报统计 (122号 第八条(一) 5个工作日内填报), by department")
def lateness_report(year: int = Query(..., ge=2004, le=2100), db: Session = Depends(get_session)
                    ) -> dict[str, Any]:
    """Records of acts dated in `year`, first versions only (a correction keeps the original report's
    timeliness), split by the entering channel (系统对接 interface / 人工录入 manual)."""
    from datetime import date

    from ..reference.models import Department
    from . import repository

    names = {d.code: d.name for d in db.scalars(select(Department))}
    rows: dict[str, dict[str, Any]] = {}
    for dept, channel, n, late, provisional in repository.lateness_by_department(
            db, date(year, 1, 1), date(year, 12, 31)):
        row = rows.setdefault(dept, {"department": dept, "name": names.get(dept, dept), "records": 0, "late": 0,
                                     "provisional": 0, "by_channel": {}})
        row["records"] += n
        row["late"] += late
        row["provisional"] += provisional
        row["by_channel"][channel] = {"records": n, "late": late}
    out = sorted(rows.values(), key=lambda r: (-r["late"], r["department"]))
    for row in out:
        row["late_rate"] = round(row["late"] / row["records"], 4) if row["records"] else 0.0
    return {"year": year, "departments": out, "records": sum(r["records"] for r in out),
            "late": sum(r["late"] for r in out)}
