"""Excel (.xlsx) in and out — the one writer and reader every domain's 台账 export and import uses.

Staff keep their ledgers in Excel: an export has Chinese headers, a frozen header row, set column widths and real
date cells (not text), so it sorts and filters as they expect. Every text cell is written as text, never as a
formula: a value such as "=HYPERLINK(…)" entered through the API stays inert (formula injection). Pure platform
code: no domain knowledge, no database.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal
from urllib.parse import quote

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .clock import BEIJING

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# an OpenAPI `responses` entry of a route that answers with a workbook
OPENAPI_200 = {200: {"content": {MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
                     "description": "Excel 工作簿 / an .xlsx workbook"}}
MAX_ROWS = 100_000  # a ledger bigger than this is not read (an upload is bounded before parsing too)

Kind = Literal["text", "date", "datetime", "int", "number", "bool", "auto"]  # auto: by the value's Python type
_FORMATS = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm:ss", "int": "0"}


@dataclass(frozen=True)
class Column:
    title: str  # Chinese header (staff read these), e.g. "办理期限"
    width: float = 14
    kind: Kind = "text"


@dataclass(frozen=True)
class Sheet:
    title: str  # ≤ 31 characters, no []:*?/\
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]


def _auto(value: Any) -> Kind:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, datetime):
        return "datetime"
    if isinstance(value, date):
        return "date"
    if isinstance(value, int | float | Decimal):
        return "number"
    return "text"


def _value(value: Any, kind: Kind) -> Any:
    if value is None or value == "":
        return None
    if kind == "date":
        if isinstance(value, str):
            value = date.fromisoformat(value[:10])
        return value.date() if isinstance(value, datetime) else value
    if kind == "datetime":
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if isinstance(value, datetime) and value.tzinfo is not None:  # Excel has no time zones: Beijing time
            value = value.astimezone(BEIJING).replace(tzinfo=None)
        return value
    if kind == "bool":
        return "是" if value else "否"
    if kind == "int":
        return int(value)
    if kind == "number":
        return float(value) if isinstance(value, Decimal) else value
    text = value if isinstance(value, str) else str(value)
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """The sheets as one .xlsx file."""
    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for sheet in sheets:
        ws = wb.create_sheet(sheet.title[:31])
        for n, col in enumerate(sheet.columns, start=1):
            cell = ws.cell(row=1, column=n, value=col.title)
            cell.font, cell.fill = bold, fill
            ws.column_dimensions[get_column_letter(n)].width = col.width
        ws.freeze_panes = "A2"  # the header stays in view
        for r, row in enumerate(sheet.rows, start=2):
            for n, (col, raw) in enumerate(zip(sheet.columns, row, strict=True), start=1):
                kind = _auto(raw) if col.kind == "auto" else col.kind
                value = _value(raw, kind)
                cell = ws.cell(row=r, column=n)
                cell.value = value
                if kind in ("text", "bool"):
                    if value is not None:
                        cell.data_type = "s"  # text, never a formula
                    if col.width >= 30:
                        cell.alignment = Alignment(wrap_text=True, vertical="top")
                elif kind in _FORMATS:
                    cell.number_format = _FORMATS[kind]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def attachment(filename: str) -> dict[str, str]:
    """Response headers of a workbook download (never cached: it may hold personal data)."""
    return {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
            "X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"}


class WorkbookError(ValueError):
    """The bytes are not a readable workbook."""


def read_first_sheet(data: bytes) -> list[list[Any]]:
    """The cells of the first sheet, row by row (values, not formulas: a formula cell gives its cached value).
    Trailing empty cells of a row are dropped; WorkbookError when the bytes are no workbook."""
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types (zipfile, KeyError, XML errors) for a damaged file
        raise WorkbookError(str(exc) or type(exc).__name__) from exc
    try:
        rows: list[list[Any]] = []
        for row in wb.worksheets[0].iter_rows(values_only=True):
            cells = list(row)
            while cells and (cells[-1] is None or (isinstance(cells[-1], str) and not cells[-1].strip())):
                cells.pop()
            rows.append(cells)
            if len(rows) > MAX_ROWS:
                raise WorkbookError(f"more than {MAX_ROWS} rows")
        return rows
    except WorkbookError:
        raise
    except Exception as exc:  # a damaged sheet part surfaces only while iterating
        raise WorkbookError(str(exc) or type(exc).__name__) from exc
    finally:
        wb.close()
