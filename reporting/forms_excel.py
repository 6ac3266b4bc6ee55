"""The official forms of a review year as one Excel workbook, a sheet per form, ready to print
and sign (shared/report-forms.md), and the data-quality note as its last sheet.

Every sheet: the issuing body top left and the national motto top right, the form's number
and title, the review year; the table with its header rows repeated on every printed page;
the form's note and the data-quality marks; "Điện Biên, ngày … tháng … năm …", the signer's
title and room to sign (right), "Người lập biểu" (left). Numbers are written as numbers in
Vietnamese notation (`[$-42A]`: 42.938 and 33,07, in Excel and LibreOffice alike), A4
landscape or A3 at a fixed scale (official_sheet.layout). Text cells never become formulas.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import xlsxwriter

import config
from reporting import official_sheet as paper
from reporting import tables as report_tables
from reporting import vietnamese as vi
from reporting.forms import (
    NOT_COLLECTED,
    Form,
    FormTable,
    form_table,
    form_units,
    forms,
    uncounted_line,
    year_counts,
)
from reporting.quality import MARK, MARK_NOTE, Quality, unit_quality


def write_forms(warehouse: Path, year: int, out_dir: Path) -> tuple[Path, list[str]]:
    """Write `out_dir/bieu-mau-<year>.xlsx`; returns its path and the forms written."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        code = con.execute("SELECT code FROM ref.province").fetchone()[0]
        province = config.load_province(code)
        counts = year_counts(con, year)
        if counts.empty:
            raise LookupError(
                f"{warehouse} không có năm rà soát {year} / no census year {year} in {warehouse}"
            )
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
        {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
        | paper.DEFAULT_FONT,
    )
    book.set_properties({"title": f"Biểu mẫu rà soát hộ nghèo, hộ cận nghèo năm {year}"})
    fmt = paper.formats(book)
    for table in tables:
        _form_sheet(book, fmt, table, year, province, quality)
    paper.write_table(book, fmt, report_tables.quality(quality, year), province, "Phụ lục")
    book.close()
    return path, [t.form.number for t in tables]


SIGN_ROOM = 60.0  # points under the signer's title: room to sign and seal
KEPT_WITH_SIGNATURE = 2  # units whose rows print on the signature's page


def _form_sheet(
    book, fmt, table: FormTable, year: int, province: config.Province, quality: Quality
) -> None:
    form, rows, columns = table.form, table.rows, table.columns
    ws = book.add_worksheet(form.sheet[:31])
    lead = ["STT", "Đơn vị"] + (["Đơn vị tính"] if form.pairs else [])
    width = len(lead) + len(columns)
    paper.header(ws, fmt, width, province, form.number)
    ws.merge_range(3, 0, 3, width - 1, f"{form.title} NĂM {year}", fmt["title"])
    subtitle = f"(Kết quả rà soát năm {year}: danh sách hộ nghèo, hộ cận nghèo năm {year + 1})"
    ws.merge_range(4, 0, 4, width - 1, subtitle, fmt["subtitle"])
    head = paper.FIRST_TABLE_ROW
    names, numbers = head + 1, head + 2
    widths = _widths(rows, columns, len(lead))
    top, below = _head_heights(columns, widths[len(lead) :])
    heights = {3: 36.0, head: top, names: below}
    for j, text in enumerate(lead):
        ws.merge_range(head, j, names, j, text, fmt["head"])
    _column_heads(ws, fmt, columns, len(lead), head)
    for j in range(width):
        ws.write_string(numbers, j, f"({j + 1})", fmt["number_row"])
    marked, missing = quality.marked, set(quality.missing)
    r = numbers + 1
    for row in rows.to_dict("records"):
        _data_row(ws, fmt, r, row, columns, form.pairs, marked, missing, quality)
        r += 1
    sign = _notes(ws, fmt, r + 1, width, table, quality, year, (heights, sum(widths))) + 1
    paper.signature(ws, fmt, sign, width, province)
    last = sign + 4
    heights[last] = SIGN_ROOM
    for j, w in enumerate(widths):
        ws.set_column(j, j, w)
    tall = [heights.get(i, paper.DEFAULT_ROW) for i in range(last + 1)]
    for i, h in enumerate(tall):
        ws.set_row(i, h)  # every row's height fixed: the page breaks are computed from them
    keep = _kept_together(numbers + 1, len(rows), 2 if form.pairs else 1, last)
    groups = [c.group for c in columns]
    fit = paper.layout(widths, tall, len(lead), (head, numbers), keep, groups)
    paper.print_layout(ws, numbers, len(lead), (last, width - 1), fit)


def _widths(rows: pd.DataFrame, columns: list, lead: int) -> list[float]:
    """Columns' widths in characters: the unit's name as wide as the longest, a count column
    as wide as a count needs (wider when its header is long, or it may say "không thu thập")."""
    longest = max(len(str(label)) + 4 * max(level - 1, 0) for label, level in
                  zip(rows["label"], rows["level"], strict=True))  # fmt: skip
    out = [5.0, max(16.0, longest + len(MARK) + 2)] + ([10.0] if lead == 3 else [])
    for column in columns:
        long = len(column.header) > 16  # wraps onto more lines than the header row holds
        out.append(12.0 if column.collected else 11.0 if long else 8.0)
    return out


def _head_heights(columns: list, widths: list[float]) -> tuple[float, float]:
    """The two header rows' heights (points), as tall as their longest label wraps in its
    cells: a group's label over its columns, a column's own in its column ("Nhân khẩu hộ có
    mức sống trung bình" over two count columns takes three lines; the row held two and a
    half). A label of a column without a group spans both rows."""
    spans: dict[str, float] = {}
    own, alone = [1], [1]
    for column, width in zip(columns, widths, strict=True):
        lines = paper.label_lines(column.header, width)
        if column.group:
            spans[column.group] = spans.get(column.group, 0.0) + width
            own.append(lines)
        else:
            alone.append(lines)
    group = max([1, *(paper.label_lines(g, w) for g, w in spans.items())])
    top = max(32.0, paper.HEAD_LINE * group + 4)
    below = max(64.0, paper.HEAD_LINE * max(own) + 4, paper.HEAD_LINE * max(alone) + 8 - top)
    return top, below


def _kept_together(first: int, count: int, per_unit: int, last: int) -> list[tuple[int, int]]:
    """Rows printed on one page: a unit's rows (its Hộ and Nhân khẩu rows), the title and
    header with the first unit, and the last units with the notes and the signature."""
    keep = [(u, u + per_unit - 1) for u in range(first, first + count, per_unit)]
    keep.append((0, first + per_unit - 1))
    keep.append((max(first, first + count - KEPT_WITH_SIGNATURE * per_unit), last))
    return keep


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


def _data_row(ws, fmt, r, row, columns, pairs, marked, missing, quality) -> None:
    """One row of a form: its number (none on a total) and unit on a unit's first row, then
    its cells; blank for a unit with no data this year (the note names it): a 0 would say
    it has no poor households."""
    bold = row["scope"] in ("province", "district")
    no_data = row["scope"] != "province" and row["reporting_unit"] in missing
    first_of_unit = not pairs or row["kind"] == "Hộ"
    label = row["label"] + (MARK if _is_marked(row, marked, quality) else "")
    indent = "    " * max(row["level"] - 1, 0)
    ws.write_string(r, 0, row["stt"] if first_of_unit else "", fmt["text"])
    ws.write_string(r, 1, indent + label if first_of_unit else "", fmt[
        "text_bold" if bold else "text"])  # fmt: skip
    lead = 2
    if pairs:
        ws.write_string(r, 2, row["kind"], fmt["text"])
        lead = 3
    for j, column in enumerate(columns):
        value = None if no_data else row.get(column.key)
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


def _notes(
    ws, fmt, r: int, width: int, table: FormTable, quality: Quality, year: int, rows: tuple
) -> int:
    """The lines under the table from row `r`, each as tall as its wrapped lines need
    (`rows`: the sheet's heights to set, the table's width in characters); returns the row
    after."""
    heights, across = rows
    form = table.form
    lines = [form.note] if form.note else []
    if uncounted := uncounted_line(table):
        lines.append(uncounted)
    if form.movements and (change := vi.standard_change_note(year, year - 1)):
        lines.append(change)  # the forms' start is the previous year's list
    if quality.marked or quality.missing:
        lines.append(MARK_NOTE)
    if quality.missing:
        lines.append(_missing_note(quality, form))
    lines += quality.provisional
    for line in lines:
        ws.merge_range(r, 0, r, width - 1, line, fmt["note"])
        heights[r] = paper.note_height(line, across)
        r += 1
    return r


def _missing_note(quality: Quality, form: Form) -> str:
    """The units without data, and what that does to the province's row: its households and
    rates leave them out, but a movement form's start is last year's list, theirs included,
    so their households of last year count as gone (form 02's "giảm khác": 356 of its 509
    with Mường Lay's 2026 workbook missing from the sample)."""
    note = quality.missing_line + " Số liệu toàn tỉnh chưa gồm các đơn vị này"
    if form.movements:
        note += "; riêng số đầu kỳ gồm cả hộ của các đơn vị này năm trước"
        gone = next((c.header for c in form.columns if c.category == "other_decrease"), None)
        if gone:
            note += f", được tính vào cột {gone}"
    return note + "."
