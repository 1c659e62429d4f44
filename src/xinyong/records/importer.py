"""Import records and subjects from CSV or XLSX (人工录入 channel of 122号 Art.8), chunk by chunk.

Records and subjects go through the set-based paths (records/bulk.py, subjects/bulk.py): each chunk of rows is
validated at once, inserted in bulk and committed in its own unit of work, so other writers never wait long
behind an import (issue 12 item 6), a crash loses at most the chunk in flight (nothing counted in the report),
and re-running the same file completes it without a duplicate (rows are identified by subject + source_ref;
subjects by code). Bad rows are rejected with their reasons; good rows are kept. Files are read as a stream with
bounded memory, and refused before any row is read when they exceed a limit of records/limits.yaml (issue 12
item 7).
"""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..auth.actors import Actor
from ..core.uow import UnitOfWork
from ..errors_http import validation_problems
from ..subjects.bulk import register_chunk
from ..subjects.schemas import SubjectIn
from .bulk import Outcome, ingest_chunk, limits, run_chunks

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
    """Counts of every row; the errors themselves only up to `error_cap` (limits.yaml error_rows), with the
    number of all errors and rejected rows kept (issue 12 item 7: a report never grows with the file)."""

    total: int = 0
    created: int = 0
    existing: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    rejected_rows: int = 0
    error_cap: int = field(default_factory=lambda: int(limits()["error_rows"]))

    @property
    def rejected(self) -> int:
        return self.rejected_rows

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def errors_left_out(self) -> int:
        return self.error_count - len(self.errors)

    def reject(self, row: int, problems: list[tuple[str, str, str]]) -> None:
        self.rejected_rows += 1
        for f, zh, en in problems:
            self.error_count += 1
            if len(self.errors) < self.error_cap:
                self.errors.append(RowError(row, f, zh, en))

    def write_errors(self, path: Path) -> None:
        with open(path, "w", newline="", encoding="utf-8-sig") as fh:
            w = csv.writer(fh)
            w.writerow(["row", "field", "reason_zh", "reason_en"])
            for e in self.errors:
                w.writerow([e.row, e.field, e.reason_zh, e.reason_en])
            if self.errors_left_out:
                w.writerow(["", "", f"另有 {self.errors_left_out} 条错误未列出（共 {self.error_count} 条，"
                                   f"{self.rejected} 行被拒绝）",
                            f"{self.errors_left_out} more errors not listed ({self.error_count} in all, "
                            f"{self.rejected} rows rejected)"])


class FileFormatError(ValueError):
    pass


@dataclass
class Table:
    """A file opened for streaming: its header, the number of data rows (for the progress bar) and the rows."""

    header: list[str]
    count: int
    rows: Callable[[], Iterator[tuple[int, dict[str, str]]]]  # (spreadsheet row number, row); blank rows skipped


def open_table(path: Path) -> Table:
    """Check the file against the limits (before reading its rows) and open it as a stream."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_table(path)
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_table(path)
    raise FileFormatError(f"不支持的文件类型 {suffix[:20]}，应为 .csv 或 .xlsx / unsupported file type {suffix[:20]}")


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """The whole file in memory (small files, tests); imports stream through open_table."""
    table = open_table(path)
    data: list[dict[str, str]] = []
    for n, row in table.rows():
        data.extend({} for _ in range(n - 2 - len(data)))
        data.append(row)
    return table.header, data


def _too_many_rows(n: int) -> FileFormatError:
    most = int(limits()["file_rows"])
    return FileFormatError(f"文件数据行数 {n} 超过上限 {most}，请拆分后导入 / the file has {n} data rows, more than "
                           f"the limit of {most}: split it")


def _check_columns(n: int) -> None:
    most = int(limits()["header_columns"])
    if n > most:
        raise FileFormatError(f"表头有 {n} 列，超过上限 {most} / the header has {n} columns, more than the limit "
                              f"of {most}")


def _dicts(header: list[str], raw_rows: Iterator[list[Any]], convert: Callable[[Any], str]
           ) -> Iterator[tuple[int, dict[str, str]]]:
    most = int(limits()["file_rows"])
    for n, raw in enumerate(raw_rows, start=2):
        if n - 1 > most:
            raise _too_many_rows(n - 1)
        values = ["" if v is None else convert(v) for v in raw[:len(header)]]
        if not any(v.strip() for v in values):
            continue
        yield n, {h: values[i].strip() if i < len(values) else "" for i, h in enumerate(header) if h}


def _csv_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) first; Excel in China often saves CSV as GB18030 (GBK)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            with open(path, encoding=encoding) as fh:
                while fh.read(1 << 20):
                    pass
            return encoding
        except UnicodeDecodeError:
            continue
    raise FileFormatError("文件编码无法识别（应为 UTF-8 或 GBK）/ the file is neither UTF-8 nor GBK")


def _csv_reader(fh: Any) -> Iterator[list[str]]:
    """csv.reader with the cell limit (limits.yaml cell_chars), restored afterwards (the limit is process-wide)."""
    before = csv.field_size_limit(int(limits()["cell_chars"]))
    try:
        yield from csv.reader(fh)
    except csv.Error as exc:
        raise FileFormatError(f"CSV 格式错误或单元格超过 {limits()['cell_chars']} 个字符 / malformed CSV or a cell "
                              f"longer than {limits()['cell_chars']} characters: {str(exc)[:200]}") from exc
    finally:
        csv.field_size_limit(before)


def _csv_table(path: Path) -> Table:
    encoding = _csv_encoding(path)
    with open(path, newline="", encoding=encoding) as fh:
        reader = _csv_reader(fh)
        header_row = next(reader, None)
        if header_row is None:
            raise FileFormatError("文件为空 / the file is empty")
        _check_columns(len(header_row))
        count = sum(1 for raw in reader if any(v.strip() for v in raw))
    if count > int(limits()["file_rows"]):
        raise _too_many_rows(count)
    header = [h.strip() for h in header_row]

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        with open(path, newline="", encoding=encoding) as fh:
            reader = _csv_reader(fh)
            next(reader, None)
            yield from _dicts(header, reader, str)

    return Table(header, count, rows)


def _xlsx_guard(path: Path) -> None:
    """Refuse a workbook whose worksheet XML would unpack past the limits, before openpyxl parses anything (a
    zip bomb: 1.6 GB from a few MB once took the importer past 2 GB; issue 12 item 7)."""
    size = max(path.stat().st_size, 1)
    most, ratio = int(limits()["xlsx_sheet_bytes"]), float(limits()["xlsx_expansion_ratio"])
    try:
        with zipfile.ZipFile(path) as zf:
            sheets = [i for i in zf.infolist() if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")]
            unpacked = sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileFormatError(f"无法读取 Excel 文件 / cannot read the workbook: {str(exc)[:200]}") from exc
    biggest = max((i.file_size for i in sheets), default=0)
    if biggest > most or unpacked / size > ratio:
        raise FileFormatError(
            f"工作簿解压后 {unpacked} 字节（文件 {size} 字节，{unpacked / size:.0f} 倍），超过上限（工作表 {most} 字节、"
            f"{ratio:.0f} 倍）/ the workbook unpacks to {unpacked} bytes from {size} ({unpacked / size:.0f}×), over the "
            f"limits ({most} bytes per sheet, {ratio:.0f}×)")


def _xlsx_table(path: Path) -> Table:
    _xlsx_guard(path)
    from openpyxl import load_workbook  # heavy: loaded only when an Excel file is imported

    def sheet_rows() -> Iterator[tuple[Any, ...]]:
        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a damaged workbook
            raise FileFormatError(f"无法读取 Excel 文件 / cannot read the workbook: {str(exc)[:200]}") from exc
        try:
            ws = wb.worksheets[0]
            if ws.max_column is not None and ws.max_column > int(limits()["header_columns"]):
                _check_columns(int(ws.max_column))
            if ws.max_row is not None and ws.max_row - 1 > int(limits()["file_rows"]):
                raise _too_many_rows(int(ws.max_row) - 1)
            # read_only: the sheet XML is parsed as a stream, one row at a time (bounded memory)
            yield from ws.iter_rows(values_only=True, max_col=int(limits()["header_columns"]) + 1)
        finally:
            wb.close()

    source = sheet_rows()
    first = next(source, None)
    if first is None:
        raise FileFormatError("文件为空 / the file is empty")
    header_cells = [c for c in first]
    while header_cells and header_cells[-1] is None:
        header_cells.pop()
    _check_columns(len(header_cells))
    header = ["" if v is None else _cell(v).strip() for v in header_cells]
    count = 0
    for raw in source:
        if any(v is not None and str(v).strip() for v in raw):
            count += 1
            if count > int(limits()["file_rows"]):
                raise _too_many_rows(count)

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        stream = sheet_rows()
        next(stream, None)
        yield from _dicts(header, (list(r) for r in stream), _cell)

    return Table(header, count, rows)


def _cell(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _names(names: list[str]) -> str:
    """A few header names for a message, each cut short: the message stays small whatever the header holds."""
    shown = [n[:40] for n in names[:5]]
    return ",".join(shown) + (f" …(+{len(names) - 5})" if len(names) > 5 else "") if names else "-"


def _check_header(header: list[str], required: tuple[str, ...], optional: tuple[str, ...]) -> None:
    missing = [h for h in required if h not in header]
    unknown = [h for h in header if h and h not in required + optional]
    if missing or unknown:
        raise FileFormatError(
            f"表头应为 {','.join(required)}（可选 {','.join(optional)}）；缺少 {_names(missing)}，多余 {_names(unknown)} / "
            f"header must be {','.join(required)} (optional {','.join(optional)}); missing {_names(missing)}, "
            f"unknown {_names(unknown)}")


def _opened(path: Path, required: tuple[str, ...], optional: tuple[str, ...],
            on_total: Callable[[int], None] | None) -> Table:
    table = open_table(path)
    _check_header(table.header, required, optional)
    if on_total:
        on_total(table.count)
    return table


def _chunked(uow: UnitOfWork) -> bool:
    """Commit chunk by chunk unless the caller's unit of work already holds a transaction (then everything stays
    in it, all or nothing, as the caller asked)."""
    return not uow.session.in_transaction()


def import_records(uow: UnitOfWork, path: Path, actor: Actor, tick: Callable[[], None] | None = None,
                   on_total: Callable[[int], None] | None = None, chunk_rows: int | None = None) -> ImportReport:
    """Every data row of the file through the set-based path (records/bulk.py), one committed unit of work per
    chunk (`uow` lends its engine, clock and actor). The report counts only committed rows."""
    table = _opened(path, RECORD_HEADER, RECORD_OPTIONAL, on_total)
    report = ImportReport()

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        for n, row in table.rows():
            yield n, {**row, **{k: row.get(k) or None for k in RECORD_OPTIONAL}}

    def counted(outcomes: list[Outcome]) -> None:
        for o in outcomes:
            report.total += 1
            if o.taken:
                report.created += o.created
                report.existing += not o.created
            else:
                report.reject(o.index, [(e["field"], e["reason_zh"], e["reason_en"]) for e in o.errors])
            if tick:
                tick()

    options: dict[str, Any] = {"reevaluate_existing": False, "audit": ("record.import", str(path))}
    if _chunked(uow):
        run_chunks(uow.engine, actor, rows(), counted, clock=uow.clock, chunk_rows=chunk_rows, **options)
    else:
        source = rows()
        most = chunk_rows or int(limits()["chunk_rows"])
        while batch := list(islice(source, most)):
            counted(ingest_chunk(uow, batch, actor, **options))
    return report


def import_subjects(uow: UnitOfWork, path: Path, actor: Actor, tick: Callable[[], None] | None = None,
                    on_total: Callable[[int], None] | None = None, chunk_rows: int | None = None) -> ImportReport:
    """Subjects through the set-based path (subjects/bulk.py), one committed unit of work per chunk as records
    are (`uow` lends its engine, clock and actor); the same end state as registering the rows one by one. The
    report counts only committed rows."""
    table = _opened(path, SUBJECT_HEADER, SUBJECT_OPTIONAL, on_total)
    report = ImportReport()

    def counted(outcomes: list[SubjectOutcome]) -> None:
        for n, created, problems in outcomes:
            report.total += 1
            if problems:
                report.reject(n, problems)
            elif created:
                report.created += 1
            else:
                report.existing += 1
            if tick:
                tick()

    detail = str(path)
    if _chunked(uow):
        run_chunks(uow.engine, actor, table.rows(), counted, clock=uow.clock, chunk_rows=chunk_rows,
                   ingest=ingest_subjects, detail=detail)
    else:
        source = table.rows()
        most = chunk_rows or int(limits()["chunk_rows"])
        while batch := list(islice(source, most)):
            counted(ingest_subjects(uow, batch, actor, detail=detail))
    return report


# (spreadsheet row number, created, problems as (field, reason_zh, reason_en)): neither created nor a problem is
# a row naming a subject already registered with the same content
SubjectOutcome = tuple[int, bool, list[tuple[str, str, str]]]


def subject_in(row: Mapping[str, str]) -> SubjectIn:
    """A row of a subjects file as the API's body (raises ValidationError naming the bad fields)."""
    return SubjectIn.model_validate({
        "code": row["code"], "name": row["name"], "kind": row["kind"],
        "national_grade": row["national_grade"] or None,
        "industries": [i.strip() for i in row["industries"].split(";") if i.strip()],
        # the day the national level applies from, and where it comes from (122号 Art.6, 122号 Art.13; G1-15)
        "grade_effective_on": row.get("grade_effective_on") or None,
        "grade_source": row.get("grade_source") or None,
    })


def ingest_subjects(uow: UnitOfWork, batch: Sequence[tuple[int, Mapping[str, str]]], actor: Actor, *,
                    detail: str) -> list[SubjectOutcome]:
    """One chunk of a subjects file in `uow`: parsed, registered at once (subjects/bulk.py) and each new subject
    audited ("subject.import", its code, `detail`; 122号 Art.19), in row order; one outcome per row."""
    outcomes: dict[int, SubjectOutcome] = {}
    parsed: list[tuple[int, SubjectIn]] = []
    for n, row in batch:
        try:
            parsed.append((n, subject_in(row)))
        except ValidationError as exc:
            outcomes[n] = (n, False, [(p["field"], p["reason_zh"], p["reason_en"])
                                      for p in validation_problems(list(exc.errors()))])
    registered = register_chunk(uow, parsed, actor.name)
    for r in registered:
        outcomes[r.index] = (r.index, r.created, [(p.field, p.reason_zh, p.reason_en) for p in r.problems])
    uow.audit_many("subject.import", [(r.code, detail) for r in registered if r.created])
    return [outcomes[n] for n, _ in batch]
