"""The one shared workbook writer/reader (core/xlsx.py) that every 台账 export and import uses."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from xinyong.core.xlsx import Column, Sheet, WorkbookError, read_first_sheet, workbook_bytes


def test_typed_cells_inert_text_beijing_time_and_a_round_trip() -> None:
    utc_noon = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)
    data = workbook_bytes([Sheet("表一", [Column("文本", 30), Column("日期", 12, "date"), Column("时间", 20, "datetime"),
                                         Column("是否", 6, "bool"), Column("混合", 12, "auto")], [
        ["=1+1", "2026-03-10", utc_noon, True, date(2026, 1, 31)],
        ["控制\x07字符", None, None, False, 3],
    ])])
    ws = load_workbook(io.BytesIO(data))["表一"]
    assert ws.freeze_panes == "A2" and ws.column_dimensions["A"].width == 30 and ws["A1"].font.bold
    assert (ws["A2"].value, ws["A2"].data_type) == ("=1+1", "s")  # a formula stays text
    assert ws["B2"].is_date and ws["B2"].value == datetime(2026, 3, 10)
    assert ws["C2"].value == datetime(2026, 3, 10, 12, 0)  # Beijing time, naive (Excel has no zones)
    assert (ws["D2"].value, ws["D3"].value) == ("是", "否")
    assert ws["E2"].is_date and ws["E3"].value == 3
    assert ws["A3"].value == "控制字符" and ws["B3"].value is None
    rows = read_first_sheet(data)
    assert rows[0] == ["文本", "日期", "时间", "是否", "混合"] and rows[1][0] == "=1+1"
    assert rows[1][2] - datetime(2026, 3, 10, 12, 0) == timedelta(0)


def test_a_row_of_the_wrong_width_and_a_broken_file_are_refused() -> None:
    with pytest.raises(ValueError):
        workbook_bytes([Sheet("x", [Column("a")], [["1", "2"]])])
    with pytest.raises(WorkbookError):
        read_first_sheet(b"not a workbook")
