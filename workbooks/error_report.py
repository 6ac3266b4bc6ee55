"""The unit's error workbook: its own rows with each problem highlighted and explained.

`reports/<year>/<unit-slug>-loi.xlsx` ("lỗi" = errors) goes back to the officer of the unit
(the district up to 2024, the commune from 2025), who fixes the original workbook and sends it
again; a workbook with warnings only is `<unit-slug>-canh-bao.xlsx` ("cảnh báo" = warnings), so
its name says nothing was rejected. A workbook not named after its unit adds its own name
(`muong-lay-phan-2-loi.xlsx` for Mường Lay's `Phần 2.xlsx`): each file keeps its own list.
Everything in it is Vietnamese (the English of each rule stays in schemas/rules.py and the
audit, for analysts). It holds:
- sheet `Lỗi` (errors): every row that was not loaded (a row with an error), sorted by sheet
  and Excel row. The problems come first: sheet, Excel row, rule codes, the messages, the
  column's header as the officer's file names it and the value as typed, one line per problem;
  then the row's cells (all the columns of the officer's file, as read), the problem cells
  filled red (error) or yellow (warning). Numbers typed as numbers are numbers again;
- sheet `Cảnh báo` (warnings): the same for the rows that loaded but should be checked;
- sheet `Tổng hợp` (summary): the file, unit, year and hash; one line per rule with the rows
  it affects on each sheet and its cells; then the findings about the workbook and its sheets
  (unknown columns, totals rows, hidden sheets, structural faults, ...). When the run did not
  load the workbook (WB017) it says so first, in bold, and is the first sheet.
Each sheet prints on A4 landscape, one page wide, the header row on every page: the problems
are on the first page, not after the officer's thirty columns.

The workbook holds personal data (names, ID numbers) exactly as the officer sent it; the
reports folder is not committed and goes back to the unit only. Written with xlsxwriter.
"""

from __future__ import annotations

import html
import itertools
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format

import config
from reporting.vietnamese import SEVERITY_VI, number, slug
from schemas.headers import vietnamese_label
from schemas.household import FLAG_KEYS
from schemas.rules import RULES
from transforms.text import vn_numbers
from workbooks.error_text import message_vi
from workbooks.reader import WorkbookRead

ERROR_SHEET = "Lỗi"
WARNING_SHEET = "Cảnh báo"
SUMMARY_SHEET = "Tổng hợp"
ERRORS_SUFFIX, WARNINGS_SUFFIX = "loi", "canh-bao"
PROBLEM_SEVERITIES = ("error", "warning")
FILL = {"error": "#FFC7CE", "warning": "#FFEB9C"}
RANK = {"error": 0, "warning": 1, "notice": 2}
MASK = "***"  # a personal value as the audit holds it (flows/workbook.py): not what was typed
REFUSED = "WB017"

# The problem columns that lead each row, and their widths (Excel character units).
PROBLEM_COLUMNS = (
    ("Trang tính", 9),
    ("Dòng Excel", 5.5),
    ("Mã lỗi", 6.5),
    ("Nội dung", 30),
    ("Cột", 15),
    ("Giá trị đã ghi", 11),
)
FIRST_CELL = len(PROBLEM_COLUMNS)  # the column of the officer's first cell
# Widths of the officer's columns, so that one row of thirty columns fits on a page width
# and stays legible: flags and indicators (x, 1, có) are narrow with their header turned.
CELL_WIDTH = {
    "household_id": 11.5,
    "head_name": 14,
    "head_id_number": 12,
    "district": 8.5,
    "commune": 8.5,
    "village": 9.5,
    "area": 8,
    "ethnicity": 7,
    "household_size": 5.5,
    "income_per_capita": 9.5,
    "income_score": 5.5,
    "deprivation_score": 5.5,
    "poverty_cause": 10,
    "head_sex": 4.5,
    "commune_classification": 9,
    "note": 10,
}
NARROW_WIDTH, DEFAULT_WIDTH = 3.2, 9
SUMMARY_WIDTHS = (9, 14, 45, 55, 7)  # code, severity, message, rows by sheet, cells
# Columns whose cells the officer types as numbers: written back as numbers when their text is
# a number as the reader renders a number cell (digits, an optional decimal point: `850000`,
# `12.5`). The reader keeps text only, so a text cell of plain digits in these columns becomes
# a number too (the same value); text such as `1.200.000` or `045` stays text, as do IDs
# (leading zeros) and every other column.
NUMERIC_KEYS = frozenset(
    {"household_size", "income_per_capita", "income_score", "deprivation_score"}
)
_NUMBER = re.compile(r"-?(?:0|[1-9]\d{0,14})(?:\.\d{1,10})?")
INTEGER_FORMAT, DECIMAL_FORMAT = "#,##0", "#,##0.0##"
LINE_HEIGHT = 12.75  # points, a line of 10-point text
NUMBER_CHAR_WIDTH = 1.1  # width units a digit or separator of 10-point text takes
# The turned headers of the mark columns: 8-point bold, ~4.8 points a character, two lines in
# a narrow column; the header row is at most MAX_HEADER_POINTS high.
TURNED_POINTS, TURNED_CHAR_POINTS, MAX_HEADER_POINTS = 8, 4.8, 200.0


def district_slug(district: str) -> str:
    """`Mường Nhé` -> `muong-nhe`: only a-z, 0-9 and `-`, so a name can never leave the
    reports folder (no `/`, `..` or drive letters survive `slug`)."""
    return slug(district, default="khong-ro-don-vi")


def report_path(
    reports_dir: Path, year: int, district: str, source_file: str = "", warnings_only: bool = False
) -> Path:
    """`<reports>/<year>/<unit>-loi.xlsx`, or `<unit>-canh-bao.xlsx` for warnings only, for the
    workbook named after its unit (`muong-lay.xlsx`, `Mường Lay 2026.xlsx`); else the file's
    name follows the unit's (`muong-lay-phan-2-loi.xlsx` for `Phần 2.xlsx`): two workbooks of
    one unit (declared parts, or two refused by WB015) each keep their own list, where one
    overwrote, or being clean removed, the other's."""
    suffix = WARNINGS_SUFFIX if warnings_only else ERRORS_SUFFIX
    name = report_name(district, source_file)
    path = Path(reports_dir) / str(int(year)) / f"{name}-{suffix}.xlsx"
    if Path(reports_dir).resolve() not in path.resolve().parents:
        raise ValueError(f"report path {path} escapes {reports_dir}")
    return path


def report_name(district: str, source_file: str = "") -> str:
    """The error workbook's name before its suffix: the unit's slug, then the file's when the
    file is not named after the unit."""
    unit = district_slug(district)
    stem = slug(Path(source_file).stem)
    return stem if stem == unit or stem.startswith(f"{unit}-") else f"{unit}-{stem}".strip("-")


def is_warnings_workbook(path: str | Path) -> bool:
    """Whether `path` (from `report_path`) is a warnings-only workbook: its rows were loaded."""
    return Path(path).stem.endswith(f"-{WARNINGS_SUFFIX}")


def stale_reports(reports_dir: Path, year: int, raw_folder: Path) -> list[Path]:
    """The error and warnings workbooks of `reports_dir/<year>/` written for a workbook of
    `raw_folder` that is no longer there (renamed or removed since): their rows are nobody's
    to fix. Lists written for files elsewhere (`census check ~/x.xlsx`) are not these."""
    folder, raw = Path(reports_dir) / str(int(year)), Path(raw_folder).resolve()
    suffixes = (f"-{ERRORS_SUFFIX}", f"-{WARNINGS_SUFFIX}")
    stale = []
    for path in sorted(folder.glob("*.xlsx")) if folder.is_dir() else []:
        source = _source_of(path) if path.stem.endswith(suffixes) else None
        if source is not None and source.parent == raw and not source.exists():
            stale.append(path)
    return stale


def _source_of(path: Path) -> Path | None:
    """The workbook an error workbook is about (its `subject` property), if it says."""
    try:
        with zipfile.ZipFile(path) as archive:
            core = archive.read("docProps/core.xml").decode("utf-8")
    except (OSError, KeyError, zipfile.BadZipFile, UnicodeDecodeError):
        return None
    found = re.search(r"<dc:subject>(.*?)</dc:subject>", core, re.DOTALL)
    return Path(html.unescape(found[1])) if found else None


def has_problems(rejections: pd.DataFrame) -> bool:
    return bool(rejections["severity"].isin(PROBLEM_SEVERITIES).any())


def write_error_workbook(
    read: WorkbookRead,
    rejections: pd.DataFrame,
    year: int,
    district: str,
    reports_dir: Path,
) -> Path | None:
    """Write the unit's error workbook (`-loi.xlsx`), or its warnings workbook (`-canh-bao.xlsx`)
    when nothing is an error; None when there is neither an error nor a warning. The other
    name's file, left by an earlier run, is removed: a corrected workbook leaves no stale list.
    `rejections` are the audit rows of this workbook (sheet, excel_row, column_key, value,
    rule_code, severity, rule)."""
    severities = set(rejections["severity"])
    paths = {w: report_path(reports_dir, year, district, read.path.name, w) for w in (False, True)}
    if not severities & set(PROBLEM_SEVERITIES):
        for stale in paths.values():
            stale.unlink(missing_ok=True)
        return None
    warnings_only = "error" not in severities
    path = paths[warnings_only]
    paths[not warnings_only].unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)

    standard = config.standard_for_year(year)
    placed = rejections[
        rejections["severity"].isin(PROBLEM_SEVERITIES) & rejections["excel_row"].notna()
    ]
    placed = placed.assign(excel_row=placed["excel_row"].astype("int64"))
    # A row with an error was not loaded: it is listed once, on `Lỗi`, with its warnings too
    # (the officer fixes it in one go); `Cảnh báo` holds the rows that loaded.
    not_loaded = (
        placed["severity"]
        .eq("error")
        .groupby([placed["sheet"], placed["excel_row"]])
        .transform("any")
    )
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    # The workbook it is about, so a later run can tell a list whose workbook is gone.
    book.set_properties({"title": f"{district} {year}", "subject": str(read.path.resolve())})
    try:
        styles = _Styles(book)
        refused = rejections["rule_code"].eq(REFUSED).any()
        if refused:  # nothing was loaded: that comes first
            _summary_sheet(book, styles, read, rejections, placed, year, district)
        for name, rows in ((ERROR_SHEET, placed[not_loaded]), (WARNING_SHEET, placed[~not_loaded])):
            if not rows.empty:
                _problem_sheet(book, styles, name, read, rows, standard)
        if not refused:
            _summary_sheet(book, styles, read, rejections, placed, year, district)
    finally:
        book.close()
    return path


class _Styles:
    """The workbook's cell formats, each made once (xlsxwriter keeps every format it is given)."""

    # No cell borders: the sheets print their gridlines, so a blank cell needs no format and
    # is not written at all (a bordered blank for each empty cell made the file 30% slower).
    BASE = {"font_size": 10, "valign": "top"}
    BORDER = {"border": 1, "border_color": "#BFBFBF"}

    def __init__(self, book) -> None:
        self.book, self.made = book, {}

    def __call__(self, fill: str | None = None, kind: str = "text", **extra: object):
        key = (fill, kind, tuple(sorted(extra.items())))
        if key not in self.made:
            props = dict(self.BASE, text_wrap=True)
            if fill is not None:
                props["bg_color"] = FILL[fill]
            if kind != "text":
                props |= {"num_format": kind, "text_wrap": False}
            self.made[key] = self.book.add_format(props | extra)
        return self.made[key]


# The header of the summary's tables.
_TABLE_HEAD = {"bold": True, "bg_color": "#DDEBF7", "valign": "vcenter", **_Styles.BORDER}


def _columns(read: WorkbookRead) -> list[tuple[str, str]]:
    """(column key, header label) in the order of the officer's file; union over sheets."""
    out: dict[str, str] = {}
    for layout in read.layouts:
        letters = layout.column_letters
        for key in sorted(letters, key=lambda k: (len(letters[k]), letters[k])):
            out.setdefault(key, layout.columns.get(key, key.removeprefix("extra:")))
    return list(out.items())


def _lines(text: str, width: float) -> int:
    """How many lines `text` wraps to in a column `width` wide: about 1.25 characters of
    10-point text a width unit, measured on LibreOffice's rendering (a word pushed whole onto
    the next line is allowed for by rounding down)."""
    per_line = _per_line(width)
    return sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))


def _per_line(width: float) -> int:
    return max(1, int(width * 1.25))


def _number_format(text: str) -> str:
    return DECIMAL_FORMAT if "." in text else INTEGER_FORMAT


def _problem_sheet(
    book,
    styles: _Styles,
    name: str,
    read: WorkbookRead,
    findings: pd.DataFrame,
    standard: config.Standard,
) -> None:
    """One row per place (sheet, Excel row): its problems, then its cells as read."""
    ws = book.add_worksheet(name)
    columns = _columns(read)
    keys = [key for key, _ in columns]
    marks = {*FLAG_KEYS, *config.all_indicator_keys()}  # one mark a cell: narrow, header turned
    widths = _column_widths(keys, marks)
    _write_header_row(ws, styles, columns, marks, widths)

    findings = _sorted_findings(findings, read, keys)
    at = _read_positions(read.rows, findings)
    places = _places(findings, _typed_values(read.rows, findings, at), at)
    cells = _place_cells(read.rows, keys, places)
    labels = _sheet_labels(read)
    fills = _cell_fills(findings)
    numeric = {j for j, key in enumerate(keys) if key in NUMERIC_KEYS}
    formats = _problem_formats(styles, widths)
    for out_row, ((sheet, excel_row), group) in enumerate(places, start=1):
        texts = _problem_texts(sheet, group, labels, standard)
        _write_problems(ws, out_row, excel_row, group, texts, formats)
        row_fills = [fills.get((sheet, excel_row, key)) for key in keys]
        cell_lines = _write_cells(ws, out_row, cells[out_row - 1], row_fills, numeric, formats)
        # Neither Excel nor LibreOffice grows a row to its wrapped text on opening a file:
        # the height is set from the lines each cell wraps to.
        lines = max(_problem_lines(texts, formats), cell_lines)
        ws.set_row(out_row, LINE_HEIGHT * lines + 2)
    for col, width in _number_widths(places, cells, numeric, widths).items():
        ws.set_column(col, col, width)
    ws.freeze_panes(1, 2)
    ws.autofilter(0, 0, len(places), FIRST_CELL + len(keys) - 1)
    ws.hide_gridlines(0)  # printed too: the table's grid on paper
    _print_setup(ws, read, name)


class _Finding(NamedTuple):
    """One problem of a place, as the problem sheet shows it."""

    sheet: str
    excel_row: int
    rule_code: str
    rule: str
    column_key: object  # a column key, or missing for a finding about the whole row
    typed: str  # the value as typed (`_typed_values`)
    at: int  # position among the rows read; -1: not a row read


@dataclass(frozen=True)
class _ProblemFormats:
    """The problem sheet's formats and line widths, looked up once, not per cell (writing the
    rows is the writer's cost)."""

    wrap: Format
    row_number: Format
    plain: dict[str | None, Format]  # fill -> text format
    numbers: dict[tuple[str | None, str], Format]  # (fill, number format) -> its format
    widths: list[float]
    per_line: list[int]  # characters a line, by column


def _number_widths(
    places: list[tuple[tuple[str, int], list[_Finding]]],
    cells: np.ndarray,
    numeric: set[int],
    widths: list[float],
) -> dict[int, float]:
    """The columns written as numbers that must widen to show their longest number in full
    (Excel and LibreOffice print `###` for a number wider than its cell): the value typed
    column and the officer's numeric columns."""
    typed = [g[0].typed for _, g in places if len(g) == 1 and g[0].column_key in NUMERIC_KEYS]
    by_column = {5: typed} | {FIRST_CELL + j: list(cells[:, j]) for j in numeric}
    wider = {}
    for col, values in by_column.items():
        shown = [_shown(v) for v in values if isinstance(v, str) and _NUMBER.fullmatch(v)]
        need = max(map(len, shown), default=0) * NUMBER_CHAR_WIDTH + 1
        if need > widths[col]:
            wider[col] = need
    return wider


def _shown(value: str) -> str:
    """A number as its cell format shows it (`#,##0` or `#,##0.0##`)."""
    return f"{float(value):,.3f}".rstrip("0") if "." in value else f"{int(value):,}"


def _column_widths(keys: list[str], marks: set[str]) -> list[float]:
    """The widths of the problem columns, then of the officer's columns."""
    return [width for _, width in PROBLEM_COLUMNS] + [
        NARROW_WIDTH if key in marks else CELL_WIDTH.get(key, DEFAULT_WIDTH) for key in keys
    ]


def _write_header_row(
    ws, styles: _Styles, columns: list[tuple[str, str]], marks: set[str], widths: list[float]
) -> None:
    """The header row: the problem columns' titles, then the officer's headers (a mark
    column's turned); and the columns' widths."""
    heading = {"bold": True, "align": "center", "valign": "vcenter", **_Styles.BORDER}
    header_style = styles(bg_color="#DDEBF7", **heading)
    cell_header = styles(bg_color="#EDEDED", **heading)
    turned = styles(bg_color="#EDEDED", rotation=90, **heading | {"font_size": TURNED_POINTS})
    for col, (title, _) in enumerate(PROBLEM_COLUMNS):
        ws.write_string(0, col, title, header_style)
    for col, (key, label) in enumerate(columns, start=FIRST_CELL):
        ws.write_string(0, col, label, turned if key in marks else cell_header)
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    ws.set_row(0, _header_height([label for key, label in columns if key in marks]))


def _header_height(turned: list[str]) -> float:
    """The header row's height in points: room for the longest turned label on the two lines
    a narrow column holds (`Người phụ thuộc trong hộ gia đình` was cut at 105 points)."""
    longest = max(map(len, turned), default=0)
    return min(MAX_HEADER_POINTS, max(105.0, longest * TURNED_CHAR_POINTS * 0.6 + 12))


def _sorted_findings(findings: pd.DataFrame, read: WorkbookRead, keys: list[str]) -> pd.DataFrame:
    """The findings by sheet (in the file's order), Excel row, severity, column (in the
    file's order) and rule code; each finding once."""
    sheet_order = {layout.sheet: i for i, layout in enumerate(read.layouts)}
    key_order = {key: i for i, key in enumerate(keys)}
    findings = findings.assign(
        order=findings["sheet"].map(sheet_order).fillna(len(sheet_order)),
        rank=findings["severity"].map(RANK),
        key_order=findings["column_key"].map(key_order).fillna(len(keys)),
    ).sort_values(["order", "sheet", "excel_row", "rank", "key_order", "rule_code"], kind="stable")
    return findings.drop_duplicates(["sheet", "excel_row", "rule_code", "column_key", "rule"])


def _read_positions(rows: pd.DataFrame, findings: pd.DataFrame) -> np.ndarray:
    """Each finding's place among the rows read (-1: a row of another sheet, e.g. the members
    or a totals row: no household cells to show)."""
    read_at = pd.MultiIndex.from_arrays(
        [rows["sheet"].astype(object), rows["excel_row"].astype("int64")]
    )
    return read_at.get_indexer(
        pd.MultiIndex.from_arrays([findings["sheet"].astype(object), findings["excel_row"]])
    )


def _sheet_labels(read: WorkbookRead) -> dict[tuple[str, str], str]:
    """(sheet, column key) -> the header as that sheet wrote it."""
    return {
        (layout.sheet, key): label
        for layout in read.layouts
        for key, label in layout.columns.items()
    }


def _cell_fills(findings: pd.DataFrame) -> dict[tuple[str, int, str], str]:
    """(sheet, Excel row, column key) -> the worst severity found in that cell."""
    worst = findings.sort_values("rank", kind="stable").drop_duplicates(
        ["sheet", "excel_row", "column_key"]
    )
    return {
        (sheet, row, key): severity
        for sheet, row, key, severity in worst[
            ["sheet", "excel_row", "column_key", "severity"]
        ].itertuples(index=False)
        if isinstance(key, str)
    }


def _places(
    findings: pd.DataFrame, typed: list[str], at: np.ndarray
) -> list[tuple[tuple[str, int], list[_Finding]]]:
    """The sorted findings grouped by place (sheet, Excel row), in order."""
    per_finding = map(
        _Finding._make,
        zip(
            findings["sheet"],
            findings["excel_row"],
            findings["rule_code"],
            findings["rule"],
            findings["column_key"],
            typed,
            at,
            strict=True,
        ),
    )
    places = itertools.groupby(per_finding, key=lambda f: (f.sheet, f.excel_row))
    return [(place, list(group)) for place, group in places]


def _place_cells(
    rows: pd.DataFrame, keys: list[str], places: list[tuple[tuple[str, int], list[_Finding]]]
) -> np.ndarray:
    """The officer's cells of every place (a row per place, a column per key; None where the
    place is not a row read), taken once: a per-row pandas lookup is slow."""
    positions = np.asarray([group[0].at for _, group in places], dtype=np.int64)
    cells = np.full((len(places), len(keys)), None, dtype=object)
    found = positions >= 0
    if found.any():
        cells[found] = rows.reindex(columns=keys).iloc[positions[found]].to_numpy(object)
    return cells


def _problem_formats(styles: _Styles, widths: list[float]) -> _ProblemFormats:
    """The problem sheet's formats, each made once, and its columns' line widths."""
    fills = (None, *FILL)
    return _ProblemFormats(
        wrap=styles(),
        row_number=styles(kind="0", align="center"),
        plain={fill: styles(fill) for fill in fills},
        numbers={
            (fill, kind): styles(fill, kind)
            for fill in fills
            for kind in (INTEGER_FORMAT, DECIMAL_FORMAT)
        },
        widths=widths,
        per_line=[_per_line(width) for width in widths],
    )


def _problem_texts(
    sheet: str,
    group: list[_Finding],
    labels: dict[tuple[str, str], str],
    standard: config.Standard,
) -> list[str]:
    """The texts of a place's problem columns but its Excel row: sheet, rule codes, messages,
    headers and values typed, one line per problem."""
    return [
        str(sheet),
        "\n".join(f.rule_code for f in group),
        "\n".join(message_vi(f.rule_code, f.rule) for f in group),
        "\n".join(_header(sheet, f.column_key, labels, standard) for f in group),
        "\n".join(f.typed for f in group),
    ]


def _problem_lines(texts: list[str], formats: _ProblemFormats) -> int:
    """The most lines a problem column's text wraps to."""
    return max(
        _lines(t, formats.widths[c]) if len(t) > formats.per_line[c] or "\n" in t else 1
        for c, t in zip((0, 2, 3, 4, 5), texts, strict=True)
    )


def _write_problems(
    ws,
    out_row: int,
    excel_row: int,
    group: list[_Finding],
    texts: list[str],
    formats: _ProblemFormats,
) -> None:
    """A place's problem columns; a single value typed as a number is a number again."""
    ws.write_string(out_row, 0, texts[0], formats.wrap)
    ws.write_number(out_row, 1, int(excel_row), formats.row_number)
    for col, text in zip((2, 3, 4), texts[1:4], strict=True):
        ws.write_string(out_row, col, text, formats.wrap)
    value = group[0].typed
    if len(group) == 1 and group[0].column_key in NUMERIC_KEYS and _NUMBER.fullmatch(value):
        number_format = formats.numbers[None, _number_format(value)]
        ws.write_number(out_row, 5, float(value), number_format)
    else:
        ws.write_string(out_row, 5, texts[4], formats.wrap)


def _write_cells(
    ws,
    out_row: int,
    values: np.ndarray,
    fills: list[str | None],
    numeric: set[int],
    formats: _ProblemFormats,
) -> int:
    """A place's cells as the officer typed them (`values`, by key), each problem cell filled
    with its severity's colour; returns the most lines one of them wraps to."""
    lines = 1
    for j, value in enumerate(values):
        fill = fills[j]
        col = FIRST_CELL + j
        if not isinstance(value, str):
            if fill is not None:  # a blank problem cell (a missing value) is filled too
                ws.write_blank(out_row, col, None, formats.plain[fill])
        elif j in numeric and _NUMBER.fullmatch(value):
            number_format = formats.numbers[fill, _number_format(value)]
            ws.write_number(out_row, col, float(value), number_format)
        else:
            ws.write_string(out_row, col, value, formats.plain[fill])
            if len(value) > formats.per_line[col] or "\n" in value:
                lines = max(lines, _lines(value, formats.widths[col]))
    return lines


def _typed_values(rows: pd.DataFrame, findings: pd.DataFrame, at: np.ndarray) -> list[str]:
    """The value of each finding's cell as typed: the officer's text as read (personal values
    too: the workbook goes back to the unit that sent them), else the finding's own value (a
    merged cell's, a member's) unless masked; `(trống)` for a blank cell of a column."""
    keys = findings["column_key"].to_numpy(object)
    out = np.array(
        [v if isinstance(v, str) and v != MASK else "" for v in findings["value"]], dtype=object
    )
    for key in {k for k in keys if isinstance(k, str) and k in rows.columns}:
        mine = (keys == key) & (at >= 0)
        if mine.any():
            texts = rows[key].iloc[at[mine]].to_numpy(object)
            out[mine] = [
                t if isinstance(t, str) else o for t, o in zip(texts, out[mine], strict=True)
            ]
    column = np.array([isinstance(k, str) for k in keys], dtype=bool)
    return [v or ("(trống)" if c else "") for v, c in zip(out.tolist(), column, strict=True)]


def _header(
    sheet: str, key: object, labels: dict[tuple[str, str], str], standard: config.Standard
) -> str:
    """The Vietnamese header of a finding's column: as that sheet wrote it, else canonical."""
    if not isinstance(key, str):
        return ""
    return labels.get((sheet, key)) or vietnamese_label(key, standard)


def _print_setup(ws, read: WorkbookRead, title: str, repeat: bool = True) -> None:
    """A4 landscape, one page wide, the header row on every page, numbered pages."""
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.3, right=0.3, top=0.4, bottom=0.5)
    if repeat:
        ws.repeat_rows(0)
    name = read.path.name.replace("&", "&&")
    ws.set_footer(f"&L&8{name}: {title.replace('&', '&&')}&R&8Trang &P/&N")


def _what_to_do(rejections: pd.DataFrame, placed: pd.DataFrame) -> str:
    """The officer's next step, naming the sheets this workbook has."""
    errors = placed["severity"].eq("error").any()
    with_error = placed["severity"].eq("error").groupby([placed["sheet"], placed["excel_row"]])
    warned = ~with_error.any()  # places with warnings only
    yellow = f"các ô tô vàng (cảnh báo: dòng đã nạp, trang tính {WARNING_SHEET})"
    if not rejections["severity"].eq("error").any():
        return f"Tệp đã được nạp. Kiểm tra {yellow}; nếu có sai sót, sửa trong tệp gốc và gửi lại."
    steps = "Sửa trong tệp gốc các lỗi ghi dưới đây"
    if errors:
        steps = (
            f"Sửa trong tệp gốc các ô tô đỏ (lỗi: dòng không được nạp, trang tính {ERROR_SHEET})"
        )
    if warned.any():
        steps += f", kiểm tra {yellow}"
    return steps + ", rồi gửi lại tệp."


def _summary_sheet(
    book,
    styles: _Styles,
    read: WorkbookRead,
    rejections: pd.DataFrame,
    placed: pd.DataFrame,
    year: int,
    district: str,
) -> None:
    """The file, unit, year and hash; one line per rule with the rows it affects on each sheet
    and its cells; the findings about the workbook and its sheets. A refusal comes first."""
    ws = book.add_worksheet(SUMMARY_SHEET)
    sheet_order = {layout.sheet: i for i, layout in enumerate(read.layouts)}
    row = _write_refusal(ws, styles, rejections)
    row = _write_facts(ws, styles, _facts(read, placed, year, district), row)
    ws.merge_range(row, 0, row, 4, _what_to_do(rejections, placed), styles(italic=True))
    ws.set_row(row, 30)
    row = _write_rule_table(ws, styles, _by_rule(placed, sheet_order), row + 2)
    notes = _workbook_notes(rejections, sheet_order)
    if not notes.empty:
        _write_notes(ws, styles, notes, row + 1)
    for col, width in enumerate(SUMMARY_WIDTHS):
        ws.set_column(col, col, width)
    _print_setup(ws, read, SUMMARY_SHEET, repeat=False)


def _write_refusal(ws, styles: _Styles, rejections: pd.DataFrame) -> int:
    """The refusal (WB017) on the first rows, in bold: nothing was loaded. Returns the row
    after it (0 when the workbook was not refused)."""
    row = 0
    alert = styles(bold=True, font_size=12, font_color="#C00000")
    refused = rejections[rejections["rule_code"] == REFUSED]
    for rule in dict.fromkeys(refused["rule"]):
        text = message_vi(REFUSED, rule)
        ws.merge_range(row, 0, row, 4, text, alert)
        ws.set_row(row, 16 * (len(text) // 90 + 1) + 4)  # merged cells never grow to fit
        row += 2
    return row


def _facts(
    read: WorkbookRead, placed: pd.DataFrame, year: int, district: str
) -> list[tuple[str, str]]:
    """(label, value): the file, unit, year and hash, the rows not loaded and the rows with
    warnings only."""
    not_loaded = placed.loc[placed["severity"] == "error", ["sheet", "excel_row"]].drop_duplicates()
    warned = placed[["sheet", "excel_row"]].drop_duplicates()
    return [
        ("Tệp", read.path.name),
        ("Đơn vị", district),
        ("Năm rà soát", str(year)),
        ("Mã kiểm tra tệp (SHA-256)", read.file_hash),
        ("Dòng có lỗi (không nạp)", number(len(not_loaded))),
        ("Dòng chỉ có cảnh báo", number(len(warned) - len(not_loaded))),
    ]


def _write_facts(ws, styles: _Styles, facts: list[tuple[str, str]], row: int) -> int:
    """The title, then a line per fact, from `row`; returns the row after them."""
    title = styles(bold=True, font_size=12)
    ws.merge_range(row, 0, row, 4, "KẾT QUẢ KIỂM TRA TỆP DANH SÁCH HỘ", title)
    row += 1
    bold, plain = styles(bold=True), styles()
    for label, value in facts:
        ws.merge_range(row, 0, row, 1, label, bold)
        ws.merge_range(row, 2, row, 4, value, plain)
        row += 1
    return row


def _by_rule(placed: pd.DataFrame, sheet_order: dict[str, int]) -> pd.DataFrame:
    """The placed findings by severity, rule code and sheet (in the file's order)."""
    return placed.assign(
        rank=placed["severity"].map(RANK),
        order=placed["sheet"].map(sheet_order).fillna(len(sheet_order)),
    ).sort_values(["rank", "rule_code", "order", "sheet"], kind="stable")


def _rows_per_sheet(rules: pd.DataFrame) -> pd.Series:
    """(rule code, sheet) -> the rows the rule affects on that sheet, as Vietnamese text
    ("1.035"); counted once for all rules, in the order of `rules`."""
    per_sheet = rules.groupby(["rule_code", "sheet"], sort=False)["excel_row"].nunique()
    return pd.Series(
        vn_numbers(per_sheet.to_numpy(), 0).to_pylist(), index=per_sheet.index, dtype=object
    )


def _cells_per_rule(rules: pd.DataFrame) -> pd.Series:
    """Rule code -> the cells it affects, in the order of `rules`."""
    return (
        rules.drop_duplicates(["rule_code", "sheet", "excel_row", "column_key"])
        .groupby("rule_code", sort=False)
        .size()
    )


def _write_rule_table(ws, styles: _Styles, rules: pd.DataFrame, row: int) -> int:
    """From `row`: a header, then one line per rule with the rows it affects on each sheet
    and its cells. Returns the row after the table."""
    columns = ["Mã", "Mức độ", "Nội dung", "Số dòng theo trang tính", "Số ô"]
    ws.write_row(row, 0, columns, styles(**_TABLE_HEAD))
    row += 1
    cells_format = styles(kind=INTEGER_FORMAT, **_Styles.BORDER)
    wrap = styles(**_Styles.BORDER)
    counted = _rows_per_sheet(rules)
    cells = _cells_per_rule(rules)
    for code in cells.index:
        rule = RULES[code]
        ws.write_string(row, 0, code, wrap)
        ws.write_string(row, 1, SEVERITY_VI[rule.severity], wrap)
        ws.write_string(row, 2, rule.vi, wrap)
        # "Na Lay: 1.035 dòng; Sông Đà: 3 dòng": one wrapped line, a district has 20 sheets
        where = "; ".join(f"{sheet}: {n} dòng" for (_, sheet), n in counted[[code]].items())
        ws.write_string(row, 3, where, wrap)
        ws.write_number(row, 4, int(cells[code]), cells_format)
        lines = max(_lines(rule.vi, SUMMARY_WIDTHS[2]), _lines(where, SUMMARY_WIDTHS[3]))
        ws.set_row(row, LINE_HEIGHT * lines + 2)
        row += 1
    return row


def _workbook_notes(rejections: pd.DataFrame, sheet_order: dict[str, int]) -> pd.DataFrame:
    """The findings about the workbook and its sheets (WB codes) but the refusal, by
    severity, sheet (in the file's order) and Excel row, the workbook's own first."""
    notes = rejections[
        rejections["rule_code"].str.startswith("WB") & (rejections["rule_code"] != REFUSED)
    ]
    return notes.assign(
        rank=notes["severity"].map(RANK),
        order=notes["sheet"].map(sheet_order).fillna(len(sheet_order)),
    ).sort_values(["rank", "order", "excel_row"], kind="stable", na_position="first")


def _write_notes(ws, styles: _Styles, notes: pd.DataFrame, top: int) -> None:
    """From row `top`: a title, a header, then one line per finding about the file or a
    sheet."""
    ws.merge_range(top, 0, top, 4, "Ghi chú về tệp và các trang tính", styles(bold=True))
    columns = ["Mã", "Mức độ", "Nội dung", "Trang tính", "Dòng"]
    ws.write_row(top + 1, 0, columns, styles(**_TABLE_HEAD))
    wrap = styles(**_Styles.BORDER)
    for row, r in enumerate(notes.itertuples(index=False), start=top + 2):
        ws.write_string(row, 0, r.rule_code, wrap)
        ws.write_string(row, 1, SEVERITY_VI[r.severity], wrap)
        message = message_vi(r.rule_code, r.rule)
        sheet = r.sheet if isinstance(r.sheet, str) else ""
        ws.write_string(row, 2, message, wrap)
        ws.write_string(row, 3, sheet, wrap)
        lines = max(_lines(message, SUMMARY_WIDTHS[2]), _lines(sheet, SUMMARY_WIDTHS[3]))
        ws.set_row(row, LINE_HEIGHT * lines + 2)
        if pd.notna(r.excel_row):
            ws.write_number(row, 4, int(r.excel_row), styles(kind="0", **_Styles.BORDER))
        else:
            ws.write_blank(row, 4, None, wrap)
