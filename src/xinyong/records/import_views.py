"""Bulk import over HTTP (批量导入, 122号 Art.8 人工录入 by file) and its downloadable per-row error report.

The upload runs the same import as `xinyong import` (records/importer.py `import_records`: chunked, idempotent
per subject + source_ref, business departments bound to their own department and industries row by row). The
error report is kept as one JSON file per import under `<evidence dir>/import_reports/` for REPORT_TTL (7 days,
removed at the next import after that), readable only by the department that uploaded it (or a non-business
role); no table, so no migration. Errors in the answer and in the report are capped (limits.yaml error_rows).
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, File, Response, UploadFile
from pydantic import BaseModel

from ..auth.actors import Actor
from ..core import xlsx
from ..core.settings import settings
from ..core.uow import UnitOfWork
from ..deps import get_uow, require
from ..errors import ForbiddenError, InputError, NotFoundError
from ..errors_http import error_responses
from .importer import FileFormatError, import_records

router = APIRouter(prefix="/api/v1", tags=["records 信用记录"])

REPORT_TTL = 7 * 24 * 3600  # seconds an error report stays downloadable
MAX_UPLOAD = 20 * 1024 * 1024  # bytes; BodyLimit refuses a larger upload body before it is parsed (21 MiB)
ANSWER_ERRORS = 200  # errors listed in the JSON answer; the report holds up to limits.yaml error_rows
_ID = re.compile(r"^[0-9a-f]{32}$")


class ImportErrorOut(BaseModel):
    row: int
    field: str
    reason_zh: str
    reason_en: str


class ImportOut(BaseModel):
    total: int
    accepted: int  # new records taken
    same: int  # rows already stored with the same content (re-sent file), not counted twice
    refused: int  # rows rejected with their reasons
    error_count: int
    errors: list[ImportErrorOut]
    errors_left_out: int
    report_id: str


def _reports_dir() -> Path:
    path = settings().evidence_dir / "import_reports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _expire(folder: Path) -> None:
    cutoff = time.time() - REPORT_TTL
    for old in folder.glob("*.json"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:  # removed by a concurrent import
            pass


@router.post("/records/import", response_model=ImportOut, summary="批量导入信用记录（CSV/XLSX），逐行错误报告可下载",
             responses=error_responses(401, 403, 422))
async def import_file(file: UploadFile | None = File(default=None), uow: UnitOfWork = Depends(get_uow),
                      actor: Actor = Depends(require("records.create"))) -> dict[str, Any]:
    """Header: subject,item,act_date,department,source_ref (+ note, decision_no, …) as for `xinyong import`.
    Good rows are kept, bad rows are reported with their row number (the header is row 1)."""
    if file is None:
        raise InputError("file", "缺少上传文件（multipart 字段 file）", "missing the upload (multipart field `file`)")
    suffix = Path(file.filename or "").suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InputError("file", "文件类型应为 .csv 或 .xlsx", "the file must be a .csv or an .xlsx")
    data = await file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise InputError("file", f"文件超过 {MAX_UPLOAD // 1024 // 1024} MB", f"the file exceeds {MAX_UPLOAD} bytes")
    folder = _reports_dir()
    _expire(folder)
    report_id = uuid.uuid4().hex
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{report_id}{suffix}"
        path.write_bytes(data)
        try:
            # 122号 Art.8: a file upload is its own channel (lateness is assessed as for manual entry)
            report = import_records(uow, path, replace(actor, channel="import",
                                                       origin=f"upload:{(file.filename or '')[:80]}"))
        except FileFormatError as exc:
            raise InputError("file", str(exc), str(exc)) from None
    errors = [{"row": e.row, "field": e.field, "reason_zh": e.reason_zh, "reason_en": e.reason_en}
              for e in report.errors]
    stored = {"department": actor.department, "role": actor.role, "file": (file.filename or "")[:120],
              "error_count": report.error_count, "refused": report.rejected, "errors": errors}
    (folder / f"{report_id}.json").write_text(json.dumps(stored, ensure_ascii=False), encoding="utf-8")
    return {"total": report.total, "accepted": report.created, "same": report.existing, "refused": report.rejected,
            "error_count": report.error_count, "errors": errors[:ANSWER_ERRORS],
            "errors_left_out": report.error_count - min(len(errors), ANSWER_ERRORS), "report_id": report_id}


def _load(report_id: str, actor: Actor) -> dict[str, Any]:
    path = _reports_dir() / f"{report_id}.json"
    if not _ID.match(report_id) or not path.exists() or path.stat().st_mtime < time.time() - REPORT_TTL:
        raise NotFoundError("report_id", "导入错误报告不存在或已过期（保留 7 天）",
                            "no such import report (reports are kept for 7 days)")
    stored: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if actor.role == "business" and stored.get("department") != actor.department:
        raise ForbiddenError("report_id", "只能下载本部门的导入错误报告", "only the uploading department reads this report")
    return stored


_HEAD = ("行号 row", "字段 field", "原因", "reason")


def _rows(stored: dict[str, Any]) -> list[list[Any]]:
    rows: list[list[Any]] = [[e["row"], e["field"], e["reason_zh"], e["reason_en"]] for e in stored["errors"]]
    left = stored["error_count"] - len(stored["errors"])
    if left:
        rows.append(["", "", f"另有 {left} 条错误未列出（共 {stored['error_count']} 条，{stored['refused']} 行被拒绝）",
                     f"{left} more errors not listed ({stored['error_count']} in all, {stored['refused']} rows "
                     f"refused)"])
    return rows


@router.get("/records/import/{report_id}/errors.csv", response_class=Response,
            summary="导入错误报告（CSV，UTF-8 带 BOM，Excel 可直接打开）",
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "CSV"},
                       **error_responses(401, 403, 404)})
def errors_csv(report_id: str, actor: Actor = Depends(require("records.create"))) -> Response:
    stored = _load(report_id, actor)
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(_HEAD)
    for row in _rows(stored):
        # a reason quotes the cell the user typed: keep it inert in Excel (formula injection)
        w.writerow(["'" + c if isinstance(c, str) and c[:1] in ("=", "+", "-", "@") else c for c in row])
    return Response(content="\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="import-errors-{report_id[:8]}.csv"'})


@router.get("/records/import/{report_id}/errors.xlsx", response_class=Response, summary="导入错误报告（Excel）",
            responses={**xlsx.OPENAPI_200, **error_responses(401, 403, 404)})
def errors_xlsx(report_id: str, actor: Actor = Depends(require("records.create"))) -> Response:
    stored = _load(report_id, actor)
    columns = [xlsx.Column(_HEAD[0], 10, "int"), xlsx.Column(_HEAD[1], 16), xlsx.Column(_HEAD[2], 60),
               xlsx.Column(_HEAD[3], 60)]
    data = xlsx.workbook_bytes([xlsx.Sheet("导入错误", columns, _rows(stored))])
    return Response(content=data, media_type=xlsx.MEDIA_TYPE,
                    headers=xlsx.attachment(f"import-errors-{report_id[:8]}.xlsx"))
