"""Records API: single and bulk intake (122号 第八条 系统对接为主), withdrawal, correction (第十条), a subject's
records, and the lateness report (第八条(一))."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from ..auth.actors import Actor
from ..auth.policy import STAFF_ROLES
from ..core.uow import UnitOfWork
from ..deps import Principal, audit_personal_read, get_uow, optional_principal, require
from ..errors_http import ErrorOut, error_responses
from ..messages.evaluation import SubjectReevaluated
from ..reference import repository as reference_repo
from ..reference.service import department_names
from ..rules.identifiers import free_text_for
from ..subjects.service import get_subject, public_code
from . import repository
from .bulk import Outcome, run_chunks
from .corrections import correct_record
from .disclosure import publicly_shown
from .schemas import (
    BulkIn,
    BulkOut,
    CorrectedOut,
    CorrectIn,
    LatenessOut,
    RecordEvaluatedOut,
    RecordIn,
    RecordRowOut,
    WithdrawIn,
)
from .service import Submitted, record_out, submit_record, withdraw_record

router = APIRouter(prefix="/api/v1", tags=["records 信用记录"])


def _body(uow: UnitOfWork, sub: Submitted) -> dict[str, Any]:
    """The record and the subject's evaluation in the record's scope, as re-evaluated in this unit of work."""
    uow.handle()
    body = record_out(sub.record, sub.subject_code, sub.status)
    done = uow.outcome(SubjectReevaluated, subject_id=sub.record.subject_id)
    body["evaluation"] = done.evaluations.get(sub.scope) if done else None
    return body


@router.post("/records", status_code=201, summary="报送一条信用记录", response_model=RecordEvaluatedOut,
             responses={201: {"model": RecordEvaluatedOut, "description": "recorded; the evaluation after it"},
                        200: {"model": RecordEvaluatedOut,
                              "description": "the same subject and source_ref with the same content: the existing record"},
                        **error_responses(401, 403, 422),
                        409: {"model": ErrorOut, "description": "the same subject and source_ref with other content"}})
def post_record(data: RecordIn, uow: UnitOfWork = Depends(get_uow),
                actor: Actor = Depends(require("records.create"))) -> JSONResponse:
    sub = submit_record(uow, data, actor)
    if sub.created:
        uow.audit("record.create", f"record:{sub.record.id}", data.source_ref)
    return JSONResponse(status_code=201 if sub.created else 200, content=_body(uow, sub))


@router.post("/records/bulk", summary="批量报送；每条记录各自原子，逐块提交 / each record atomic on its own, committed "
                                      "chunk by chunk",
             response_model=BulkOut, response_model_exclude_unset=True, responses=error_responses(401, 403, 422))
def post_bulk(data: BulkIn, uow: UnitOfWork = Depends(get_uow),
              actor: Actor = Depends(require("records.create"))) -> dict[str, Any]:
    """At most 10,000 records (records/limits.yaml bulk_records), taken set-based (records/bulk.py) with the same
    result per record as POST /records one by one. Chunks commit on their own (issue 12 item 6: other writers
    never wait long behind a bulk request); should the request fail part-way (e.g. 503 busy), the chunks before
    it are stored and sending the same body again answers them 200 (the same record, never a duplicate)."""
    if uow.session.in_transaction():
        uow.session.rollback()  # the request's own transaction only read the token: the chunks take the lock
    results: list[dict[str, Any]] = []
    counts = {"created": 0, "existing": 0, "rejected": 0}

    def answered(outcomes: list[Outcome]) -> None:
        for o in outcomes:
            if o.taken:
                counts["created" if o.created else "existing"] += 1
                results.append({"index": o.index, "status": o.status, "record": o.body})
            else:
                counts["rejected"] += 1
                results.append({"index": o.index, "status": o.status, "errors": o.errors})

    run_chunks(uow.engine, actor, enumerate(data.records), answered, clock=uow.clock, body=_body,
               audit=("record.create", "bulk"))
    return {"summary": counts, "results": results}


@router.post("/records/{record_id}/withdraw", summary="撤销记录：该记录不再计分，评价实时更新",
             response_model=RecordEvaluatedOut, responses=error_responses(401, 403, 404, 409, 422))
def withdraw(record_id: int, data: WithdrawIn, uow: UnitOfWork = Depends(get_uow),
             actor: Actor = Depends(require("records.withdraw"))) -> dict[str, Any]:
    sub = withdraw_record(uow, record_id, data.reason, actor, data.kind)
    uow.audit("record.withdraw", f"record:{record_id}", f"{data.kind}: {data.reason}")
    return _body(uow, sub)


@router.post("/records/{record_id}/correct", status_code=201,
             summary="更正记录 (122号 第十条 信息纠错)：生成新版本，原记录不变且不再计分，评价实时更新",
             response_model=CorrectedOut,
             responses={201: {"model": CorrectedOut, "description": "the new version; the evaluation after it"},
                        **error_responses(401, 404, 422),
                        403: {"model": ErrorOut, "description": "a business token of another department"},
                        409: {"model": ErrorOut, "description": "the record is withdrawn or already superseded"}})
def correct(record_id: int, data: CorrectIn, uow: UnitOfWork = Depends(get_uow),
            actor: Actor = Depends(require("records.correct"))) -> JSONResponse:
    sub = correct_record(uow, record_id, data, actor)
    uow.audit("record.correct", f"record:{record_id}->{sub.record.id}", data.reason)
    body = _body(uow, sub)
    assert sub.correction is not None
    body["correction"] = {"reason": sub.correction.reason, "authority_ref": sub.correction.authority_ref,
                          "by": sub.correction.corrected_by,
                          "at": sub.correction.corrected_at.isoformat(timespec="seconds")}
    return JSONResponse(status_code=201, content=body)


@router.get("/subjects/{code}/records", summary="评价对象的信用记录", response_model=list[RecordRowOut],
            response_model_exclude_unset=True, responses=error_responses(403, 404))
def subject_records(code: str, uow: UnitOfWork = Depends(get_uow), who: Principal = Depends(optional_principal)
                    ) -> list[dict[str, Any]]:
    """Every version of every record with its status (active / withdrawn / superseded) and links
    (supersedes / superseded_by, 122号 第十条); `under_objection` while an objection case to it is open (第十八条,
    spec G1-07: it still counts). Without a token or as viewer, records withdrawn after an objection or repaired
    are left out (spec G1-17); staff roles see them with their status. Without a token (the public), a bad record
    is also left out once its display period has ended (公示期限, records/disclosure.yaml, spec G1-17)."""
    subject = get_subject(uow.session, code)
    shown = public_code(subject, who.sees_personal_of(subject.code))
    if subject.kind == "individual" and who.may_see_personal:
        audit_personal_read(uow, who, subject.code, "records")
    staff = who.actor is not None and who.actor.role in STAFF_ROLES
    rows = repository.history_for_subject(uow.session, subject.id)
    # issue 12 item 5: notes, references and reasons are free text; ID numbers in them masked as the archive does
    free_text = free_text_for(who.may_see_personal, who.actor.subject if who.actor is not None else None)
    # 122号 Art.18, spec G1-07: a record with an open objection is shown "under objection" to everyone; it counts
    disputed = repository.disputed(uow.session, [row.record.id for row in rows])
    visible = rows if staff else repository.public_records(uow.session, subject.id, rows)
    if who.actor is None:
        catalogue = reference_repo.catalogue(uow.session)
        today = uow.clock.today()
        visible = [row for row in visible if publicly_shown(row.record, catalogue.get(row.record.item), today)]
    out = []
    for row in visible:
        body = record_out(row.record, shown, row.status)
        body["superseded_by"] = row.superseded_by
        body["duplicate_of"] = row.duplicate_of
        if row.record.id in disputed:
            body["under_objection"] = True
        if staff and row.withdrawal is not None:
            w = row.withdrawal
            body["withdrawal"] = {"kind": w.kind, "reason": w.reason, "by": w.withdrawn_by,
                                  "at": w.withdrawn_at.isoformat(timespec="seconds")}
        if staff and row.correction is not None:
            c = row.correction
            body["correction"] = {"reason": c.reason, "authority_ref": c.authority_ref, "by": c.corrected_by,
                                  "at": c.corrected_at.isoformat(timespec="seconds")}
        out.append(free_text(body))
    return out


@router.get("/reports/lateness", summary="逾期填报统计 (122号 第八条(一) 5个工作日内填报), by department",
            response_model=LatenessOut, responses=error_responses(422))
def lateness_report(year: int = Query(..., ge=2004, le=2100), uow: UnitOfWork = Depends(get_uow)
                    ) -> dict[str, Any]:
    """Records of acts dated in `year`, first versions only (a correction keeps the original report's
    timeliness), split by the entering channel (系统对接 interface / 人工录入 manual / import). Late rates are
    of manual and imported records only (`assessed`): the limit of Art.8(1) is for manual entry."""
    names = department_names(uow.session)
    rows: dict[str, dict[str, Any]] = {}
    for dept, channel, n, late, provisional in repository.lateness_by_department(
            uow.session, date(year, 1, 1), date(year, 12, 31)):
        row = rows.setdefault(dept, {"department": dept, "name": names.get(dept, dept), "records": 0, "late": 0,
                                     "assessed": 0, "provisional": 0, "by_channel": {}})
        row["records"] += n
        # 122号 Art.8(1): the five-working-day limit binds manual entry; docked systems (interface) are never late
        if channel != "interface":
            row["assessed"] += n
            row["late"] += late
            row["provisional"] += provisional
        row["by_channel"][channel] = {"records": n, "late": late if channel != "interface" else 0}
    out = sorted(rows.values(), key=lambda r: (-r["late"], r["department"]))
    for row in out:
        row["late_rate"] = round(row["late"] / row["assessed"], 4) if row["assessed"] else 0.0
    return {"year": year, "departments": out, "records": sum(r["records"] for r in out),
            "assessed": sum(r["assessed"] for r in out), "late": sum(r["late"] for r in out)}
