"""The paper every official sheet is printed on (xlsxwriter): the issuing body and the national
motto at the top, the signature block at the foot, Vietnamese number notation, A4 landscape
with the header rows repeated; and the data-quality note's sheet. Shared by the report forms
(reporting/forms_excel.py) and the year's report (reporting/excel.py).
"""

from __future__ import annotations

import pandas as pd
import xlsxwriter

import config
from reporting import vietnamese as vi
from reporting.tables import Table

VIETNAMESE = "[$-42A]"  # Vietnamese locale: "." between thousands, "," before decimals
FONT = {"font_name": "Times New Roman", "font_size": 11}
FIRST_TABLE_ROW = 6


def formats(book: xlsxwriter.Workbook) -> dict[str, object]:
    cell = FONT | {"border": 1, "valign": "vcenter"}
    return {
        "body": book.add_format(FONT | {"align": "center", "text_wrap": True}),
        "body_bold": book.add_format(FONT | {"align": "center", "bold": True, "text_wrap": True}),
        "motto": book.add_format(FONT | {"align": "center", "bold": True}),
        "motto_line": book.add_format(FONT | {"align": "center", "bold": True, "underline": 1}),
        "title": book.add_format(
            FONT
            | {
                "font_size": 13,
                "bold": True,
                "align": "center",
                "text_wrap": True,
                "valign": "vcenter",
            }
        ),
        "subtitle": book.add_format(FONT | {"italic": True, "align": "center"}),
        "head": book.add_format(
            cell | {"bold": True, "align": "center", "text_wrap": True, "bg_color": "#E7E6E6"}
        ),
        "number_row": book.add_format(cell | {"italic": True, "align": "center", "font_size": 9}),
        "text": book.add_format(cell | {"text_wrap": True}),
        "text_bold": book.add_format(cell | {"bold": True, "text_wrap": True}),
        "count": book.add_format(cell | {"num_format": f"{VIETNAMESE}#,##0"}),
        "count_bold": book.add_format(cell | {"bold": True, "num_format": f"{VIETNAMESE}#,##0"}),
        "rate": book.add_format(cell | {"num_format": f"{VIETNAMESE}0.00"}),
        "rate_bold": book.add_format(cell | {"bold": True, "num_format": f"{VIETNAMESE}0.00"}),
        "missing": book.add_format(cell | {"italic": True, "align": "center", "font_size": 9}),
        "note": book.add_format(
            FONT | {"italic": True, "font_size": 10, "text_wrap": True, "valign": "top"}
        ),
        "sign": book.add_format(FONT | {"align": "center", "italic": True}),
        "sign_bold": book.add_format(FONT | {"align": "center", "bold": True}),
    }


def header(ws, fmt, width: int, province: config.Province, number: str) -> None:
    """Issuing body and form number top left, the motto top right."""
    left, right = max(2, width // 3), max(3, width // 2)
    ws.merge_range(0, 0, 0, left - 1, str(province.meta["issuing_body"]), fmt["body_bold"])
    ws.merge_range(1, 0, 1, left - 1, number, fmt["body"])
    ws.merge_range(0, width - right, 0, width - 1, vi.MOTTO[0], fmt["motto"])
    ws.merge_range(1, width - right, 1, width - 1, vi.MOTTO[1], fmt["motto_line"])


def signature(ws, fmt, r: int, width: int, province: config.Province) -> None:
    """Người lập biểu bottom left; place and date, the signer, room to sign bottom right."""
    right = max(3, width // 2)
    first = width - right
    ws.merge_range(r, first, r, width - 1, vi.dated_at(str(province.meta["place"])), fmt["sign"])
    ws.write_string(r + 1, 1, str(province.meta["preparer_title"]), fmt["sign_bold"])
    ws.write_string(r + 2, 1, vi.SIGN_NAME, fmt["sign"])
    ws.merge_range(
        r + 1, first, r + 1, width - 1, str(province.meta["signer_title"]), fmt["sign_bold"]
    )
    ws.merge_range(
        r + 2, first, r + 2, width - 1, str(province.meta["signer_subtitle"]), fmt["sign_bold"]
    )
    ws.merge_range(r + 3, first, r + 3, width - 1, vi.SIGN_HERE, fmt["sign"])


def print_setup(ws, header_last: int, width: int) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.repeat_rows(FIRST_TABLE_ROW, header_last)
    ws.set_footer("&CTrang &P/&N")
    ws.freeze_panes(header_last + 1, 2)
    ws.print_area(0, 0, ws.dim_rowmax, width - 1)


def write_table(book, fmt, table: Table, province: config.Province, number: str = "") -> None:
    """A report table (reporting/tables.py) on an official sheet: header, title, the table
    (the last row bold when it is the total), its note, the signature."""
    ws = book.add_worksheet(table.sheet[:31])
    columns = table.columns
    width = len(columns)
    header(ws, fmt, width, province, number)
    ws.merge_range(3, 0, 3, width - 1, table.title, fmt["title"])
    ws.set_row(3, 36)
    ws.merge_range(4, 0, 4, width - 1, table.subtitle, fmt["subtitle"])
    head = FIRST_TABLE_ROW
    ws.set_row(head, 48)
    for j, column in enumerate(columns):
        ws.set_column(j, j, column.width)
        ws.write_string(head, j, column.header, fmt["head"])
    total = len(table.rows) - 1 if table.total_last else -1
    for i, record in enumerate(table.rows.to_dict("records")):
        for j, column in enumerate(columns):
            _cell(ws, fmt, head + 1 + i, j, column, record, bold=i == total)
    r = head + 2 + len(table.rows)
    if table.note:
        ws.merge_range(r, 0, r, width - 1, table.note, fmt["note"])
        ws.set_row(r, 15 * (1 + len(table.note) // 150))
        r += 1
    signature(ws, fmt, r + 1, width, province)
    print_setup(ws, head, width)


def _cell(ws, fmt, row: int, col: int, column, record: dict, bold: bool) -> None:
    """One cell by its column's kind: text as text, numbers as numbers (never as text)."""
    value = record.get(column.key)
    missing = value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value))
    suffix = "_bold" if bold else ""
    kind = column.kind
    if kind == "amount":  # a target's figure: households, else points
        kind = "count" if record.get("unit") == vi.UNIT_VI["households"] else "points"
    if kind == "text":
        ws.write_string(row, col, "" if missing else str(value), fmt["text" + suffix])
    elif kind == "flag":
        ws.write_string(row, col, "" if missing else ("x" if value else ""), fmt["text"])
    elif kind == "verdict":
        ws.write_string(row, col, "" if missing else vi.ON_TRACK_VI[bool(value)], fmt["text"])
    elif missing:
        ws.write_blank(row, col, None, fmt["text"])
    elif kind == "count":
        ws.write_number(row, col, float(value), fmt["count" + suffix])
    else:  # percent (a rate in %) or points: two decimals
        ws.write_number(row, col, float(value), fmt["rate" + suffix])
