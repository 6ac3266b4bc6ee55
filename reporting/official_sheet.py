"""The paper every official sheet is printed on (xlsxwriter): the issuing body and the national
motto at the top, the signature block at the foot, Vietnamese number notation, A4 landscape
with the header rows repeated; and the data-quality note's sheet. Shared by the report forms
(reporting/forms_excel.py) and the year's report (reporting/excel.py).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import pandas as pd
import xlsxwriter

import config
from reporting import vietnamese as vi
from reporting.tables import Table

VIETNAMESE = "[$-42A]"  # Vietnamese locale: "." between thousands, "," before decimals
FONT = {"font_name": "Times New Roman", "font_size": 11}
# The workbook's own font: a column's width is counted in its digits, so Excel and LibreOffice
# (which, without Calibri, measured columns in a wider font) draw the same widths.
DEFAULT_FONT = {"default_format_properties": FONT}
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
        "number_row": book.add_format(cell | {"italic": True, "align": "center", "font_size": 10}),
        "text": book.add_format(cell | {"text_wrap": True}),
        "text_bold": book.add_format(cell | {"bold": True, "text_wrap": True}),
        "count": book.add_format(cell | {"num_format": f"{VIETNAMESE}#,##0"}),
        "count_bold": book.add_format(cell | {"bold": True, "num_format": f"{VIETNAMESE}#,##0"}),
        "rate": book.add_format(cell | {"num_format": f"{VIETNAMESE}0.00"}),
        "rate_bold": book.add_format(cell | {"bold": True, "num_format": f"{VIETNAMESE}0.00"}),
        "missing": book.add_format(cell | {"italic": True, "align": "center", "font_size": 10}),
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


def print_setup(ws, header_last: int, widths: list[float]) -> None:
    """Landscape fitted to the page width (a report table: a few columns): A4, or A3 where A4
    would print the text under MIN_SCALE (the summary form's 24 columns: 5.5 pt on A4)."""
    total = sum(column_points(w) for w in widths)
    paper = A4 if fitted_scale(A4, total) >= MIN_SCALE else A3
    _page(ws, paper, header_last, 2, (ws.dim_rowmax, len(widths) - 1))
    ws.fit_to_pages(1, 0)


def _page(ws, paper: Paper, header_last: int, lead: int, last: tuple[int, int]) -> None:
    """What every official sheet prints with: landscape on `paper`, the margins, the header
    rows on every page, the page number, the header and the first `lead` columns frozen, the
    print area to `last` (row, column)."""
    ws.set_landscape()
    ws.set_paper(paper.code)
    ws.set_margins(**MARGINS)
    ws.repeat_rows(FIRST_TABLE_ROW, header_last)
    ws.set_footer("&CTrang &P/&N")
    ws.freeze_panes(header_last + 1, lead)
    ws.print_area(0, 0, *last)


@dataclass(frozen=True)
class Paper:
    code: int  # xlsxwriter's set_paper
    name: str
    width: float  # landscape, in points
    height: float

    @property
    def printable(self) -> tuple[float, float]:
        """Width and height inside the margins, in points."""
        return (
            self.width - 72 * (MARGINS["left"] + MARGINS["right"]),
            self.height - 72 * (MARGINS["top"] + MARGINS["bottom"]),
        )


A4 = Paper(9, "A4", 842.0, 595.0)
A3 = Paper(8, "A3", 1191.0, 842.0)
MARGINS = {"left": 0.4, "right": 0.4, "top": 0.5, "bottom": 0.6}  # inches
# The smallest print scale: 11 pt body text prints at 6.6 pt, still read without a lens (fitted
# to the width, form 09 printed at 3 pt). A form is printed on A4 when it fits there at this
# scale, else on A3 (the provincial office's printer for wide forms: one sheet per page of
# units, read across without matching pages), and only wider than A3 split across pages.
MIN_SCALE = 60
DEFAULT_ROW = 15.0  # points
# Excel and LibreOffice lay rows and columns out a little differently: a page is filled to
# this share only, so neither adds a break of its own inside a unit's pair of rows.
SLACK = 0.96


@dataclass(frozen=True)
class Layout:
    """How a sheet prints: its paper, a fixed scale (fit-to-page would make Excel ignore the
    manual breaks), and the rows (columns) each printed page starts at."""

    paper: Paper
    scale: int  # percent
    row_breaks: tuple[int, ...] = ()
    column_breaks: tuple[int, ...] = ()


HEAD_LINE = 14.0  # points a line of the 11 pt bold header takes, with its spacing
HEAD_LETTER = 6.0  # points of a bold letter, on average (wider than a digit)
NOTE_LETTER = 5.0  # points of a letter of the notes' 10 pt italic, on average


def label_lines(text: str, width: float, letter: float = HEAD_LETTER) -> int:
    """The lines `text` takes in a cell `width` characters wide, wrapped at word ends as
    Excel wraps it (a long word moves whole to the next line)."""
    return max(1, len(textwrap.wrap(text, max(1, int(column_points(width) / letter)))))


def note_height(text: str, width: float) -> float:
    """A note's row height (points) under a table `width` characters wide: 15 a wrapped line
    of the notes' 10 pt italic."""
    return 15.0 * label_lines(text, width, NOTE_LETTER)


def head_height(labels: list[tuple[str, float]], least: float = 0.0) -> float:
    """A one-row table header's height (points): its longest label's lines (`labels`: text,
    column width), at least `least`."""
    return max(least, HEAD_LINE * max(label_lines(text, width) for text, width in labels) + 6)


def column_points(width: float) -> float:
    """A column `width` characters wide in points, as LibreOffice draws it with the workbook's
    default font (`DEFAULT_FONT`, Times New Roman 11: 5.5 pt a digit, 4 pt of padding, as
    measured); Excel's 7 px a digit is a little narrower, so the page holds it too."""
    return 5.5 * width + 4.0


def fitted_scale(paper: Paper, total: float) -> int:
    """The print scale (%, at most 100) at which columns `total` points wide fit the paper's
    width."""
    return min(100, int(100 * SLACK * paper.printable[0] / total))


def layout(
    widths: list[float],
    heights: list[float],
    lead: int,
    header: tuple[int, int],
    keep: list[tuple[int, int]],
    groups: list[str],
) -> Layout:
    """The paper, scale and breaks of a sheet whose columns are `widths` (characters; the
    first `lead` name the unit and repeat when the columns run across pages, `groups` the
    data columns' group headers) and rows `heights` (points; rows `header` repeat on every
    page): each range of rows in `keep` (first, last) printed on one page."""
    total = sum(column_points(w) for w in widths)
    for paper in (A4, A3):
        scale = fitted_scale(paper, total)
        if scale >= MIN_SCALE:
            return Layout(paper, scale, _row_breaks(heights, header, keep, paper, scale))
    room = SLACK * A3.printable[0] * 100 / MIN_SCALE
    across = _column_breaks(widths, lead, groups, room)
    return Layout(A3, MIN_SCALE, _row_breaks(heights, header, keep, A3, MIN_SCALE), across)


def _row_breaks(
    heights: list[float], header: tuple[int, int], keep: list[tuple[int, int]], paper: Paper,
    scale: int,
) -> tuple[int, ...]:  # fmt: skip
    """Rows each new page starts at: a block of `keep` moves whole to the next page, under
    the repeated header rows, when it does not fit under what the page already holds."""
    room = SLACK * paper.printable[1] * 100 / scale
    repeated = sum(heights[header[0] : header[1] + 1])
    breaks: list[int] = []
    used = 0.0
    for first, last in _blocks(len(heights), keep):
        tall = sum(heights[first : last + 1])
        if used + tall > room and used > repeated:
            breaks.append(first)
            used = repeated
        used += tall
    return tuple(breaks)


def _blocks(rows: int, keep: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Every row once, in order: the ranges of `keep` (merged where they overlap), each other
    row on its own."""
    out: list[tuple[int, int]] = []
    for first, last in sorted(keep):
        if out and first <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], last))
        else:
            out.append((first, last))
    singles = sorted(set(range(rows)) - {r for a, b in out for r in range(a, b + 1)})
    return sorted(out + [(r, r) for r in singles])


def _column_breaks(widths: list[float], lead: int, groups: list[str], room: float) -> tuple:
    """Columns each page across starts at, the unit's columns repeated on each: a group's
    columns stay on one page unless the group alone is wider than a page."""
    free = room - sum(column_points(w) for w in widths[:lead])
    breaks: list[int] = []
    used = 0.0
    for first, last in _runs(groups, lead):
        if used and used + sum(column_points(w) for w in widths[first : last + 1]) > free:
            breaks.append(first)
            used = 0.0
        for j in range(first, last + 1):
            if used and used + column_points(widths[j]) > free:
                breaks.append(j)
                used = 0.0
            used += column_points(widths[j])
    return tuple(breaks)


def _runs(groups: list[str], lead: int) -> list[tuple[int, int]]:
    """(first, last) sheet column of each run of data columns under one group header; a
    column without a group is a run of its own."""
    runs: list[tuple[int, int]] = []
    for j, group in enumerate(groups, start=lead):
        if runs and group and groups[runs[-1][0] - lead] == group:
            runs[-1] = (runs[-1][0], j)
        else:
            runs.append((j, j))
    return runs


def print_layout(ws, header_last: int, lead: int, last: tuple[int, int], fit: Layout) -> None:
    """Print `ws` to `last` (row, column) as `fit` says: landscape, its paper, its scale and
    breaks, the header rows (and the unit's columns when it runs across pages) on every page."""
    _page(ws, fit.paper, header_last, lead, last)
    ws.set_print_scale(fit.scale)
    if fit.column_breaks:
        ws.repeat_columns(0, lead - 1)
        ws.set_v_pagebreaks(list(fit.column_breaks))
        ws.print_across()
    ws.set_h_pagebreaks(list(fit.row_breaks))


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
    ws.set_row(head, head_height([(c.header, c.width) for c in columns], least=48.0))
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
        ws.set_row(r, note_height(table.note, sum(c.width for c in columns)))
        r += 1
    signature(ws, fmt, r + 1, width, province)
    print_setup(ws, head, [c.width for c in columns])


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
