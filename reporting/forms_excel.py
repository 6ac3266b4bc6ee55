"""The official forms of a review year as one Excel workbook, a sheet per form, ready to print
and sign (shared/report-forms.md), and the data-quality note as its last sheet.

Every sheet: the issuing body top left and the national motto top right, the form's number
and title, the review year; the table with its header rows repeated on every printed page;
the form's note and the data-quality marks; "Điện Biên, ngày … tháng … năm …", the signer's
title and room to sign (right), "Người lập biểu" (left). Numbers are written as numbers in
Vietnamese notation (`[$-42A]`: 42.938 and 33,07, in Excel and LibreOffice alike), A4
landscape fitted to the page width. Text cells never become formulas.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import xlsxwriter

import config
from reporting import vietnamese as vi
from reporting.forms import NOT_COLLECTED, FormTable, form_table, form_units, forms, year_counts
from reporting.quality import MARK, MARK_NOTE, Quality, quality_rows, unit_quality

VIETNAMESE = "[$-42A]"  # Vietnamese locale: "." between thousands, "," before decimals
FONT = {"font_name": "Times New Roman", "font_size": 11}
FIRST_TABLE_ROW = 6
QUALITY_SHEET = "Chất lượng số liệu"


def write_forms(warehouse: Path, year: int, out_dir: Path) -> tuple[Path, list[str]]:
    """Write `out_dir/bieu-mau-<year>.xlsx`; returns its path and the forms written."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        code = con.execute("SELECT code FROM ref.province").fetchone()[0]
        province = config.load_province(code)
        counts = year_counts(con, year)
        if counts.empty:
            raise LookupError(f"no census year {year} in {warehouse}")
        quality = unit_quality(con, year, province)
        tables = [
            form_table(form, year, form_units(con, year, form.rows), counts)
            for form in forms()
            if form.applies_to(year)
        ]
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"bieu-mau-{year}.xlsx"
    book = xlsxwriter.Workbook(
        str(path),
        {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False},
    )
    book.set_properties({"title": f"Biểu mẫu rà soát hộ nghèo, hộ cận nghèo năm {year}"})
    fmt = _formats(book)
    for table in tables:
        _form_sheet(book, fmt, table, year, province, quality)
    _quality_sheet(book, fmt, year, province, quality)
    book.close()
    return path, [t.form.number for t in tables]


def _formats(book: xlsxwriter.Workbook) -> dict[str, object]:
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
        ),  # fmt: skip
        "subtitle": book.add_format(FONT | {"italic": True, "align": "center"}),
        "head": book.add_format(
            cell | {"bold": True, "align": "center", "text_wrap": True, "bg_color": "#E7E6E6"}
        ),  # fmt: skip
        "number_row": book.add_format(
            cell | {"italic": True, "align": "center", "font_size": 9}
        ),  # fmt: skip
        "text": book.add_format(cell | {"text_wrap": True}),
        "text_bold": book.add_format(cell | {"bold": True, "text_wrap": True}),
        "count": book.add_format(cell | {"num_format": f"{VIETNAMESE}#,##0"}),
        "count_bold": book.add_format(cell | {"bold": True, "num_format": f"{VIETNAMESE}#,##0"}),
        "rate": book.add_format(cell | {"num_format": f"{VIETNAMESE}0.00"}),
        "rate_bold": book.add_format(cell | {"bold": True, "num_format": f"{VIETNAMESE}0.00"}),
        "missing": book.add_format(cell | {"italic": True, "align": "center", "font_size": 9}),
        "note": book.add_format(
            FONT | {"italic": True, "font_size": 10, "text_wrap": True, "valign": "top"}
        ),  # fmt: skip
        "sign": book.add_format(FONT | {"align": "center", "italic": True}),
        "sign_bold": book.add_format(FONT | {"align": "center", "bold": True}),
    }


def _header(ws, fmt, width: int, province: config.Province, number: str) -> None:
    """Issuing body and form number top left, the motto top right."""
    left, right = max(2, width // 3), max(3, width // 2)
    ws.merge_range(0, 0, 0, left - 1, str(province.meta["issuing_body"]), fmt["body_bold"])
    ws.merge_range(1, 0, 1, left - 1, number, fmt["body"])
    ws.merge_range(0, width - right, 0, width - 1, vi.MOTTO[0], fmt["motto"])
    ws.merge_range(1, width - right, 1, width - 1, vi.MOTTO[1], fmt["motto_line"])


def _form_sheet(
    book, fmt, table: FormTable, year: int, province: config.Province, quality: Quality
) -> None:
    form, rows, columns = table.form, table.rows, table.columns
    ws = book.add_worksheet(form.sheet[:31])
    lead = ["STT", "Đơn vị"] + (["Đơn vị tính"] if form.pairs else [])
    width = len(lead) + len(columns)
    _header(ws, fmt, width, province, form.number)
    ws.merge_range(3, 0, 3, width - 1, f"{form.title} NĂM {year}", fmt["title"])
    ws.set_row(3, 36)
    subtitle = f"(Kết quả rà soát năm {year}: danh sách hộ nghèo, hộ cận nghèo năm {year + 1})"
    ws.merge_range(4, 0, 4, width - 1, subtitle, fmt["subtitle"])
    head, names, numbers = FIRST_TABLE_ROW, FIRST_TABLE_ROW + 1, FIRST_TABLE_ROW + 2
    for j, text in enumerate(lead):
        ws.merge_range(head, j, names, j, text, fmt["head"])
    _column_heads(ws, fmt, columns, len(lead), head)
    for j in range(width):
        ws.write_string(numbers, j, f"({j + 1})", fmt["number_row"])
    ws.set_row(head, 32)
    ws.set_row(names, 64)
    marked = quality.marked
    r = numbers + 1
    for i, row in enumerate(rows.to_dict("records")):
        _data_row(ws, fmt, r, i, row, columns, form.pairs, marked, quality)
        r += 1
    r = _notes(ws, fmt, r + 1, width, form.note, quality, rows, year)
    _signature(ws, fmt, r + 1, width, province)
    ws.set_column(0, 0, 5)
    ws.set_column(1, 1, 28)
    if form.pairs:
        ws.set_column(2, 2, 10)
    ws.set_column(len(lead), width - 1, 11)
    _print_setup(ws, numbers, width)


def _column_heads(ws, fmt, columns: list, first: int, head: int) -> None:
    """Group headers spanning their columns on the first header row, the columns' own on the
    second; a column with no group spans both rows."""
    j = 0
    while j < len(columns):
        group = columns[j].group
        end = j
        while end + 1 < len(columns) and group and columns[end + 1].group == group:
            end += 1
        if group:
            if end > j:
                ws.merge_range(head, first + j, head, first + end, group, fmt["head"])
            else:
                ws.write_string(head, first + j, group, fmt["head"])
            for k in range(j, end + 1):
                ws.write_string(head + 1, first + k, columns[k].header, fmt["head"])
        else:
            ws.merge_range(head, first + j, head + 1, first + j, columns[j].header, fmt["head"])
        j = end + 1


def _data_row(ws, fmt, r, i, row, columns, pairs, marked, quality) -> None:
    """One row of a form: its number and unit (on a unit's first row), then its cells."""
    bold = row["scope"] in ("province", "district")
    first_of_unit = not pairs or row["kind"] == "Hộ"
    label = row["label"] + (MARK if _is_marked(row, marked, quality) else "")
    indent = "    " * max(row["level"] - 1, 0)
    number = str(i // (2 if pairs else 1) + 1) if first_of_unit else ""
    ws.write_string(r, 0, number, fmt["text"])
    ws.write_string(r, 1, indent + label if first_of_unit else "", fmt[
        "text_bold" if bold else "text"])  # fmt: skip
    lead = 2
    if pairs:
        ws.write_string(r, 2, row["kind"], fmt["text"])
        lead = 3
    for j, column in enumerate(columns):
        value = row.get(column.key)
        if value == NOT_COLLECTED:
            ws.write_string(r, lead + j, NOT_COLLECTED, fmt["missing"])
        elif value is None or pd.isna(value):
            ws.write_blank(r, lead + j, None, fmt["text"])
        else:
            kind = "rate" if column.is_rate else "count"
            ws.write_number(r, lead + j, float(value), fmt[kind + ("_bold" if bold else "")])


def _is_marked(row: dict, marked: set[str], quality: Quality) -> bool:
    if row["scope"] == "province":
        return bool(marked) or bool(quality.missing)
    return row["reporting_unit"] in marked


def _notes(ws, fmt, r: int, width: int, note: str, quality: Quality, rows, year: int) -> int:
    lines = [note] if note else []
    if quality.marked or quality.missing:
        lines.append(MARK_NOTE)
    if quality.missing:
        lines.append("Đơn vị chưa có số liệu: " + ", ".join(quality.missing) + ".")
    lines += quality.provisional
    for line in lines:
        ws.merge_range(r, 0, r, width - 1, line, fmt["note"])
        ws.set_row(r, 15 * (1 + len(line) // 160))
        r += 1
    return r


def _signature(ws, fmt, r: int, width: int, province: config.Province) -> None:
    """Người lập biểu bottom left; place and date, the signer, room to sign bottom right."""
    right = max(3, width // 2)
    first = width - right
    ws.merge_range(r, first, r, width - 1, vi.dated_at(str(province.meta["place"])), fmt["sign"])
    ws.write_string(r + 1, 1, str(province.meta["preparer_title"]), fmt["sign_bold"])
    ws.write_string(r + 2, 1, vi.SIGN_NAME, fmt["sign"])
    ws.merge_range(r + 1, first, r + 1, width - 1, str(province.meta["signer_title"]),
                   fmt["sign_bold"])  # fmt: skip
    ws.merge_range(r + 2, first, r + 2, width - 1, str(province.meta["signer_subtitle"]),
                   fmt["sign_bold"])  # fmt: skip
    ws.merge_range(r + 3, first, r + 3, width - 1, vi.SIGN_HERE, fmt["sign"])


def _print_setup(ws, header_last: int, width: int) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.repeat_rows(FIRST_TABLE_ROW, header_last)
    ws.set_footer("&CTrang &P/&N")
    ws.freeze_panes(header_last + 1, 2)
    ws.print_area(0, 0, ws.dim_rowmax, width - 1)


QUALITY_HEADERS = [
    ("unit", "Đơn vị", 22),
    ("state", "Tình trạng", 26),
    ("source_file", "Tệp đang dùng", 22),
    ("rows_read", "Số dòng đọc", 10),
    ("rows_loaded", "Số hộ nạp", 10),
    ("rows_rejected", "Số dòng bị loại", 10),
    ("reasons", "Lý do loại (quy tắc: số dòng)", 48),
    ("last", "Tệp mới không được nạp và lý do", 48),
]


def _quality_sheet(book, fmt, year: int, province: config.Province, quality: Quality) -> None:
    ws = book.add_worksheet(QUALITY_SHEET)
    width = len(QUALITY_HEADERS)
    _header(ws, fmt, width, province, "Phụ lục")
    ws.merge_range(3, 0, 3, width - 1, f"CHẤT LƯỢNG SỐ LIỆU RÀ SOÁT NĂM {year}", fmt["title"])
    what = "(Theo từng đơn vị báo cáo: số dòng đã nạp, bị loại và lý do; đơn vị chưa có số liệu; "
    ws.merge_range(4, 0, 4, width - 1, what + "giá trị còn tạm tính)", fmt["subtitle"])
    head = FIRST_TABLE_ROW
    for j, (_, text, w) in enumerate(QUALITY_HEADERS):
        ws.write_string(head, j, text, fmt["head"])
        ws.set_column(j, j, w)
    rows = quality_rows(quality)
    for i, row in enumerate(rows.to_dict("records"), start=head + 1):
        for j, (key, _, _) in enumerate(QUALITY_HEADERS):
            value = row[key]
            if isinstance(value, str):
                ws.write_string(i, j, value, fmt["text"])
            elif value is None or pd.isna(value):
                ws.write_blank(i, j, None, fmt["text"])
            else:
                ws.write_number(i, j, float(value), fmt["count"])
    r = head + 2 + len(rows)
    for line in quality.provisional or ["Không có giá trị nào còn tạm tính."]:
        ws.merge_range(r, 0, r, width - 1, line, fmt["note"])
        ws.set_row(r, 30)
        r += 1
    _signature(ws, fmt, r + 1, width, province)
    _print_setup(ws, head, width)
