"""The year's Excel report in the province's reporting style (xlsxwriter).

Four sheets, each ready to print: the summary form (biểu tổng hợp), rates by district, rates by
ethnic group and the plan's target gaps. Vietnamese titles; A4 landscape, fitted to the page
width, header rows repeated and frozen. Counts use the number format `#,##0` and rates
`0.00%`: Excel stores format codes in its own neutral notation and shows them with the
reader's separators, so a Vietnamese-locale Excel shows 127.667 and 37,08% (writing `#.##0`
into the file would mean one decimal place, not a thousands separator).

Every text cell is written with `write_string`, and the workbook never turns strings into
formulas: a name such as `=HYPERLINK(...)` or `+84...` stays text (no formula injection).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import xlsxwriter

from reporting import tables
from reporting.data import ReportData
from reporting.vietnamese import ON_TRACK_VI


def _formats(wb: xlsxwriter.Workbook) -> dict[str, object]:
    base = {"font_name": "Times New Roman", "font_size": 11, "border": 1, "valign": "vcenter"}
    return {
        "title": wb.add_format(
            {"font_name": "Times New Roman", "bold": True, "font_size": 14, "align": "center"}
        ),
        "subtitle": wb.add_format(
            {"font_name": "Times New Roman", "italic": True, "align": "center"}
        ),
        "header": wb.add_format(
            base | {"bold": True, "text_wrap": True, "align": "center", "bg_color": "#DCE6F1"}
        ),
        "text": wb.add_format(base),
        "count": wb.add_format(base | {"num_format": "#,##0"}),
        "percent": wb.add_format(base | {"num_format": "0.00%"}),
        "points": wb.add_format(base | {"num_format": "0.00"}),
        "flag": wb.add_format(base | {"align": "center"}),
        "total_text": wb.add_format(base | {"bold": True}),
        "total_count": wb.add_format(base | {"bold": True, "num_format": "#,##0"}),
        "total_percent": wb.add_format(base | {"bold": True, "num_format": "0.00%"}),
        "note": wb.add_format({"font_name": "Times New Roman", "italic": True, "font_size": 10}),
    }


def _print_setup(ws, header_row: int, columns: int) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.repeat_rows(header_row)
    ws.freeze_panes(header_row + 1, 1)
    ws.center_horizontally()
    ws.set_footer("&CTrang &P/&N")
    ws.print_area(0, 0, ws.dim_rowmax or header_row, columns - 1)


def write_table(ws, fmt: dict[str, object], table: tables.Table) -> None:
    """Title, subtitle, header row, one row per table row (the last in bold when it is the
    total); the table's note under it, outside the print area."""
    columns = table.columns
    last = len(columns) - 1
    ws.merge_range(0, 0, 0, last, table.title, fmt["title"])
    ws.merge_range(1, 0, 1, last, table.subtitle, fmt["subtitle"])
    header = 3
    ws.set_row(header, 48)
    for j, col in enumerate(columns):
        ws.set_column(j, j, col.width)
        ws.write_string(header, j, col.header, fmt["header"])
    total = len(table.rows) - 1 if table.total_last else -1
    for i, record in enumerate(table.rows.to_dict("records")):
        row = header + 1 + i
        bold = i == total
        for j, col in enumerate(columns):
            value = record.get(col.key)
            missing = (
                value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value))
            )
            if col.kind == "text":
                ws.write_string(
                    row, j, "" if missing else str(value), fmt["total_text" if bold else "text"]
                )
            elif col.kind == "flag":
                ws.write_string(row, j, "" if missing else ("x" if value else ""), fmt["flag"])
            elif col.kind == "verdict":
                ws.write_string(row, j, "" if missing else ON_TRACK_VI[bool(value)], fmt["text"])
            elif missing:
                ws.write_blank(row, j, None, fmt["text"])
            elif col.kind == "percent":
                ws.write_number(
                    row, j, float(value) / 100, fmt["total_percent" if bold else "percent"]
                )
            elif col.kind == "count":
                ws.write_number(row, j, float(value), fmt["total_count" if bold else "count"])
            else:
                ws.write_number(row, j, float(value), fmt["points"])
    _print_setup(ws, header, len(columns))
    if table.note:
        ws.write_string(header + 2 + len(table.rows), 0, table.note, fmt["note"])


def write_excel(data: ReportData, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(
        str(path),
        {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False},
    )
    wb.set_properties({"title": f"Báo cáo rà soát hộ nghèo, hộ cận nghèo năm {data.year}"})
    fmt = _formats(wb)
    for table in (
        tables.summary_form(data),
        tables.districts(data),
        tables.ethnic_groups(data),
        tables.target_gap(data),
    ):
        write_table(wb.add_worksheet(table.sheet), fmt, table)
    wb.close()
    return path
