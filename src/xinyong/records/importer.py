"""Import records and subjects from CSV or XLSX (人工录入 channel of 122号 Art.8), row by row.

Each row is atomic on its own (a savepoint): bad rows are rejected with their reasons, good rows are kept,
and re-running the same file adds nothing (rows are identified by source_ref / subject code).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..auth.actors import Actor
from ..core.uow import UnitOfWork
from ..errors import ConflictError, DomainError
from ..errors_http import validation_problems
from ..subjects import repository as subjects_repo
from ..subjects.schemas import SubjectIn
from ..subjects.service import create_subject, same_content, validate_subject
from .schemas import RecordIn
from .service import submit_record

RECORD_HEADER = ("subject", "item", "act_date", "department", "source_ref")
RECORD_OPTIONAL = ("note", "decision_no", "info_class", "admin_category", "accident_grade", "effect_ends_on")
SUBJECT_HEADER = ("code", "name", "kind", "national_grade", "industries")
SUBJECT_OPTIONAL = ("grade_effective_on", "grade_source")


@dataclass
class RowError:
    row: int  # 1-based data row number as a spreadsheet shows it (header = row 1)
    field: str
    reason_zh: str
    reason_en: str


@dataclass
class ImportReport:
    total: int = 0
    created: int = 0
    existing: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len({e.row for e in self.errors})

    @property
    def ok(self) -> bool:
        return not self.errors

    def write_errors(self, path: Path) -> None:
        with open(path, "w", newline="", encoding="utf-8-sig") as fh:
            w = csv.writer(fh)
            w.writerow(["row", "field", "reason_zh", "reason_en"])
            for e in self.errors:
                w.writerow([e.row, e.field, e.reason_zh, e.reason_en])


class FileFormatError(ValueError):
    pass


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = _read_csv(path)
    elif suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook  # heavy: loaded only when an Excel file is imported

        try:
            wb = load_workbook(path, read_only=True, data_only=True)
            ws = wb.worksheets[0]
            rows = [["" if v is None else _cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
            wb.close()
        except Exception as exc:  # openpyxl raises many types for a damaged workbook
            raise FileFormatError(f"无法读取 Excel 文件 / cannot read the workbook: {exc}") from exc
    else:
        raise FileFormatError(f"不支持的文件类型 {suffix}，应为 .csv 或 .xlsx / unsupported file type {suffix}")
    if not rows:
        raise FileFormatError("文件为空 / the file is empty")
    header = [h.strip() for h in rows[0]]
    data = []
    for raw in rows[1:]:
        if not any(str(v).strip() for v in raw):
            data.append({})
            continue
        data.append({h: str(raw[i]).strip() if i < len(raw) else "" for i, h in enumerate(header) if h})
    return header, data


def _read_csv(path: Path) -> list[list[str]]:
    """UTF-8 (with or without BOM) first; Excel in China often saves CSV as GB18030 (GBK)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            with open(path, newline="", encoding=encoding) as fh:
                return list(csv.reader(fh))
        except UnicodeDecodeError:
            continue
        except csv.Error as exc:
            raise FileFormatError(f"CSV 格式错误 / malformed CSV: {exc}") from exc
    raise FileFormatError("文件编码无法识别（应为 UTF-8 或 GBK）/ the file is neither UTF-8 nor GBK")


def _cell(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _check_header(header: list[str], required: tuple[str, ...], optional: tuple[str, ...]) -> None:
    missing = [h for h in required if h not in header]
    unknown = [h for h in header if h and h not in required + optional]
    if missing or unknown:
        raise FileFormatError(
            f"表头应为 {','.join(required)}（可选 {','.join(optional)}）；缺少 {missing or '无'}，多余 {unknown or '无'} / "
            f"header must be {','.join(required)} (optional {','.join(optional)}); missing {missing}, unknown {unknown}")


def _rows(data: list[dict[str, str]]) -> Iterator[tuple[int, dict[str, str]]]:
    for n, row in enumerate(data, start=2):
        if row:
            yield n, row


def _run(uow: UnitOfWork, data: list[dict[str, str]], handle: Callable[[dict[str, str]], bool],
         report: ImportReport, tick: Callable[[], None] | None) -> None:
    """Each row on its own (a savepoint with its events): a bad row is reported, the others are kept."""
    for n, row in _rows(data):
        report.total += 1
        try:
            with uow.atomic():
                created = handle(row)
            if created:
                report.created += 1
            else:
                report.existing += 1
        except ValidationError as exc:
            for p in validation_problems(list(exc.errors())):
                report.errors.append(RowError(n, p["field"], p["reason_zh"], p["reason_en"]))
        except DomainError as exc:
            for p in exc.problems:
                report.errors.append(RowError(n, p.field, p.reason_zh, p.reason_en))
        if tick:
            tick()


def import_records(uow: UnitOfWork, path: Path, actor: Actor, tick: Callable[[], None] | None = None,
                   on_total: Callable[[int], None] | None = None) -> ImportReport:
    header, data = read_rows(path)
    _check_header(header, RECORD_HEADER, RECORD_OPTIONAL)
    if on_total:
        on_total(sum(1 for row in data if row))
    report = ImportReport()

    def handle(row: dict[str, str]) -> bool:
        rec = RecordIn.model_validate({**row, **{k: row.get(k) or None for k in RECORD_OPTIONAL}})
        sub = submit_record(uow, rec, actor)
        if sub.created:
            uow.audit("record.import", f"record:{sub.record.id}", str(path))
        return sub.created

    _run(uow, data, handle, report, tick)
    return report


def import_subjects(uow: UnitOfWork, path: Path, actor: Actor, tick: Callable[[], None] | None = None,
                    on_total: Callable[[int], None] | None = None) -> ImportReport:
    header, data = read_rows(path)
    _check_header(header, SUBJECT_HEADER, SUBJECT_OPTIONAL)
    if on_total:
        on_total(sum(1 for row in data if row))
    report = ImportReport()

    def handle(row: dict[str, str]) -> bool:
        payload = {
            "code": row["code"], "name": row["name"], "kind": row["kind"],
            "national_grade": row["national_grade"] or None,
            "industries": [i.strip() for i in row["industries"].split(";") if i.strip()],
            # the day the national level applies from, and where it comes from (122号 Art.6, 122号 Art.13; G1-15)
            "grade_effective_on": row.get("grade_effective_on") or None,
            "grade_source": row.get("grade_source") or None,
        }
        data_in = SubjectIn.model_validate(payload)
        code = validate_subject(uow.session, data_in)
        existing = subjects_repo.by_code(uow.session, code)
        if existing is not None:
            if same_content(existing, data_in):
                return False
            raise ConflictError("code", f"评价对象 {code} 已存在且内容不同", f"subject {code} exists with other content")
        create_subject(uow, data_in, actor.name)
        uow.audit("subject.import", code, str(path))
        return True

    _run(uow, data, handle, report, tick)
    return report
