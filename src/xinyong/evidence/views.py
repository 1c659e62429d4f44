"""HTTP endpoints of the evidence domain: 证明材料 of the electronic credit archive (122号 Art.19)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, UploadFile
from fastapi.responses import JSONResponse, Response

from ..auth.actors import Actor
from ..auth.policy import PERSONAL_DATA_ROLES
from ..core.uow import UnitOfWork
from ..deps import get_uow, require
from ..errors import InputError
from ..errors_http import ErrorOut, error_responses
from ..rules.identifiers import free_text_for
from ..subjects.service import get_subject
from .models import EvidenceFile
from .schemas import EvidenceOut
from .service import (
    attach_evidence,
    evidence_for_subject,
    evidence_of_record,
    parse_sha,
    policy,
    read_evidence,
)

router = APIRouter(prefix="/api/v1", tags=["evidence 证明材料"])


def evidence_out(row: EvidenceFile) -> dict[str, Any]:
    return {"id": row.id, "sha256": row.sha256, "name": row.name, "size": row.size, "media_type": row.media_type,
            "record_id": row.record_id, "uploaded_by": row.uploaded_by,
            "uploaded_at": row.uploaded_at.isoformat(timespec="seconds"),
            "download": f"/api/v1/evidence/{row.sha256}"}


@router.post("/records/{record_id}/evidence", status_code=201,
             summary="上传证明材料 (multipart, field `file`; PDF / JPEG / PNG / OFD, checked by content)",
             responses={201: {"model": EvidenceOut, "description": "attached"},
                        200: {"model": EvidenceOut, "description": "the same content is already attached to this record"},
                        **error_responses(401, 403, 404),
                        422: {"model": ErrorOut,
                              "description": "empty, too large, not an accepted format, or type mismatch"}})
async def upload(record_id: int, file: UploadFile | None = File(default=None), uow: UnitOfWork = Depends(get_uow),
                 actor: Actor = Depends(require("evidence.attach"))) -> JSONResponse:
    if file is None:
        raise InputError("file", "缺少上传文件（multipart 字段 file）", "missing the upload (multipart field `file`)")
    limit = policy(uow.clock.today()).max_bytes
    data = await file.read(limit + 1)  # never more than one byte past the limit in memory
    attached = attach_evidence(uow, record_id, data, file.filename, file.content_type, actor)
    if attached.created:
        uow.audit("evidence.attach", f"record:{record_id}", attached.evidence.sha256)
    body = evidence_out(attached.evidence)
    return JSONResponse(status_code=201 if attached.created else 200, content=body)


@router.get("/records/{record_id}/evidence", summary="记录的证明材料列表", response_model=list[EvidenceOut],
            responses=error_responses(401, 403, 404, 422))
def list_for_record(record_id: int, uow: UnitOfWork = Depends(get_uow),
                    actor: Actor = Depends(require("evidence.read"))) -> list[dict[str, Any]]:
    # issue 12 item 5: a file name is free text (the leader reads it too): ID numbers in it masked
    free_text = free_text_for(actor.role in PERSONAL_DATA_ROLES, actor.subject)
    return [free_text(evidence_out(row)) for row in evidence_of_record(uow.session, record_id)]


@router.get("/subjects/{code}/evidence", summary="评价对象各条记录的证明材料（一次取回，供电子档案页）",
            response_model=list[EvidenceOut], responses=error_responses(401, 403, 404, 422))
def list_for_subject(code: str, uow: UnitOfWork = Depends(get_uow),
                     actor: Actor = Depends(require("evidence.read"))) -> list[dict[str, Any]]:
    """The files of every record of the subject, each naming its record: the subject page (122号 Art.19) asks
    once instead of once per record (issue 11: a page's server time stays bounded by dozens of records)."""
    subject = get_subject(uow.session, code)
    free_text = free_text_for(actor.role in PERSONAL_DATA_ROLES, actor.subject)
    return [free_text(evidence_out(row)) for row in evidence_for_subject(uow.session, subject.id)]


@router.get("/evidence/{sha256}", summary="下载证明材料（需令牌，记入审计）",
            response_class=Response,
            responses={200: {"content": {media: {"schema": {"type": "string", "format": "binary"}}
                                         for media in ("application/pdf", "image/png", "image/jpeg",
                                                       "application/ofd")},
                             "description": "the file, as uploaded"},
                       **error_responses(401, 403, 404, 422),
                       409: {"model": ErrorOut,
                             "description": "the stored file no longer matches its archived hash"}})
def download(sha256: str, uow: UnitOfWork = Depends(get_uow),
             actor: Actor = Depends(require("evidence.read"))) -> Response:
    sha = parse_sha(sha256)
    row, data = read_evidence(uow.session, sha)
    # 122号 Art.19 档案: reading archived material is recorded (who, when, what, from where)
    uow.audit("evidence.read", f"evidence:{sha}", row.name)
    return Response(content=data, media_type=row.media_type, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(row.name)}",
        "X-Content-Type-Options": "nosniff",
        "ETag": f'"{sha}"',
        "Cache-Control": "private, no-store",
    })
