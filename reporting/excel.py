"""The year's Excel report: the summary form, rates by reporting unit and by ethnic group, the
plan's target gaps and the data-quality note, each on an official sheet ready to print and
sign (reporting/official_sheet.py: issuing body and motto, Vietnamese number notation, A4
landscape with the header row repeated, place and date, signer, Người lập biểu).

Every text cell is written with `write_string`, and the workbook never turns strings into
formulas: a name such as `=HYPERLINK(...)` or `+84...` stays text (no formula injection).
"""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from reporting import official_sheet as paper
from reporting import tables
from reporting.data import ReportData


def write_excel(data: ReportData, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(
        str(path),
        {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False},
    )
    wb.set_properties({"title": f"Báo cáo rà soát hộ nghèo, hộ cận nghèo năm {data.year}"})
    fmt = paper.formats(wb)
    for table in (
        tables.summary_form(data),
        tables.districts(data),
        tables.ethnic_groups(data),
        tables.target_gap(data),
        tables.quality(data.quality, data.year),
    ):
        paper.write_table(wb, fmt, table, data.config)
        if table.rows.empty and table.empty:
            _say_empty(wb.get_worksheet_by_name(table.sheet[:31]), fmt, table)
    wb.close()
    return path


def _say_empty(ws, fmt: dict, table: tables.Table) -> None:
    """A table without rows says why on its first row, across every column (the official
    sheet leaves that row blank), so the sheet never prints as a bare header."""
    row = paper.FIRST_TABLE_ROW + 1
    ws.merge_range(row, 0, row, len(table.columns) - 1, table.empty, fmt["text"])
    ws.set_row(row, 30)
