"""Read a district workbook into a text frame: every data row, every cell as text.

I/O lives here and nowhere else on the ingest path. Reading uses fastexcel (Rust, calamine):
about 100,000 rows a second on this machine against about 7,000 for openpyxl, and it reads
legacy `.xls` too. Each sheet is loaded whole as text (`header_row=None, skip_rows=0`, so
frame row i is Excel row i + 1), the header row is found by its labels, and every row below it
is sorted into data, blank, totals, signature or heading rows (a header repeated, a row naming
a village: workbooks/headings.py); none is dropped without being counted.
The cells are worked on column-wise as Arrow arrays (pyarrow.compute: strip, compare, regex),
never one Python call per cell: per-cell code made reading 7x slower than calamine itself.

The file is read once: those bytes are hashed, checked by the guard and parsed (a file
replaced while it is read cannot be stored under another version's hash). No cell is lost
silently: hidden sheets are not read and say so (WB030); formula errors arrive as their text
(`#REF!`), never blank; a data cell under a merged cell is a finding (HH040), as are a formula
error in a data row (HH041) and a formula whose result the file does not hold (HH042):
`WorkbookRead.cell_findings`. The resident totals and members sheets are read into their own
frames, never into `rows`.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import fastexcel
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from schemas.headers import (
    ADVISORY_KEYS,
    BASE_LABELS,
    MEMBER_ONLY_KEYS,
    RESIDENT_TOTALS_LABELS,
    fold_label,
    income_unit,
    key_for_label,
    label_ranks,
    label_year,
    member_key,
    names_money_unit,
    resident_totals_key,
)
from transforms.frames import empty_frame
from transforms.text import fold
from workbooks import choices, headings, sheetxml, tcvn3
from workbooks.errors import WorkbookError
from workbooks.guard import (
    CFB_SIGNATURE,
    ZIP_SIGNATURE,
    Limits,
    SheetInfo,
    cells_clean,
    clean_grid,
    inspect_workbook,
    read_bounded,
    text_bytes,
)

# How far down a sheet the header row may sit (title rows above it).
HEADER_SEARCH_ROWS = 40
# A header row must name at least this many known columns, household id among them.
MIN_HEADER_MATCHES = 3
# How many rows above and below the row naming most columns a header may reach (the labels
# merged down over the group, dimension and indicator rows); the rows of unit notes and
# column numbers under it come on top.
HEADER_REACH = 2

_TOTALS = re.compile(r"^(tong cong|cong|tong so|tong)\b")
# A signature block's lines (folded): the place and date, who drew up, checked and approved
# the list; and, as typed, "for the committee" (TM.), "signing for" (KT.), "by order of" (TL.)
# with their dot (folded, "TM. UBND" and an id "TM-001" read alike).
_SIGNATURE = re.compile(
    r"ngay .*thang|nguoi lap|nguoi tong hop|nguoi duyet|thu truong|xac nhan|ky ten|ky ghi ro"
    r"|dong dau|chu tich|truong ban|truong thon|can bo|uy ban nhan dan|ubnd"
)
_ON_BEHALF = re.compile(r"(?:tm|kt|tl)\.\s*\w", re.IGNORECASE)
# A note under the list, which the signature block closes with it: "Ghi chú: ...", "Lưu ý",
# "* Số liệu tính đến ...", "(*) ...". Folded, or as typed for the star.
_NOTE_LINE = re.compile(r"^(?:ghi chu|luu y|chu thich|chu y)\b|^\(?\*")

# The kinds of the rows read that are not households (`WorkbookRead.skipped`), each counted
# in audit.ingest_files as rows_<kind>.
SKIPPED_KINDS = ("blank", "totals", "signature", "heading")

META_COLUMNS = ("source_file", "sheet", "excel_row")
# What the reader found in single cells of `rows` (a merged cell, a formula error): `row` is
# the position in `rows`, `column_key` a key of `rows`; validation rejects those rows.
CELL_FINDING_COLUMNS = ("row", "column_key", "value", "rule_code", "detail")
RESIDENT_TOTALS_COLUMNS = ("sheet", "excel_row", *RESIDENT_TOTALS_LABELS)
MEMBER_COLUMNS = (
    "sheet",
    "excel_row",
    "household_id",
    "member_name",
    "ethnicity",
    "relation",
    "birth_year",
    "sex",
)
# calamine's names of the formula errors (fastexcel's cell error details) -> Excel's text.
_ERROR_TEXT = {
    "Div0": "#DIV/0!",
    "NA": "#N/A",
    "Name": "#NAME?",
    "Null": "#NULL!",
    "Num": "#NUM!",
    "Ref": "#REF!",
    "Value": "#VALUE!",
    "GettingData": "#GETTING_DATA",
}
_ERROR_DETAIL = re.compile(r"Error\((\w+)\)")


def _text_columns(columns: tuple[str, ...], row_column: str) -> dict[str, str]:
    """The dtypes of a frame of text cells as read, with its row number."""
    return dict.fromkeys(columns, "str") | {row_column: "int64"}


@dataclass
class SheetLayout:
    """Where a sheet's table sits and what its columns mean."""

    sheet: str
    header_rows: tuple[int, ...]  # Excel rows of the header (one or two, and a column numbering)
    columns: dict[str, str]  # key -> header label as written in the workbook
    column_letters: dict[str, str]  # key -> Excel column letter
    unknown_columns: list[str]
    income_unit: float  # đồng a month in one unit of the income column (`income_unit`)
    title_years: tuple[int, ...] = ()  # years a title above the header names ("... NĂM 2019")
    # the district and commune a title names: key -> unit ("Huyện Mường Nhé", "Xã Na Son")
    title_units: dict[str, str] = field(default_factory=dict)


# The label of a column the sheet's title gives (WB038).
FROM_TITLE = "(tiêu đề)"
# "năm 2019" in a title row: the year the list is of (folded text, see transforms.text.fold);
# not a date's ("ngày 18 tháng 7 năm 2021": the circular the form cites, the day it is signed).
_TITLE_YEAR = re.compile(r"(?<!\bthang \d )(?<!\bthang \d\d )\bnam (\d{4})\b")


# A title naming the list's district or commune, as typed: "Huyện Mường Nhé, tỉnh Điện Biên",
# "UBND HUYỆN MƯỜNG NHÉ", "ỦY BAN NHÂN DÂN XÃ NA SON", "Xã Na Son" (what follows a comma is
# not part of it).
_TITLE_UNIT = {
    key: re.compile(
        rf"^(?:ubnd\s+|(?:ủy|uỷ) ban nhân dân\s+)?((?:{words})\s+[^,;:()\n]*[^,;:()\s])",
        re.IGNORECASE,
    )
    for key, words in (("district", "huyện|thị xã|thành phố"), ("commune", "xã|phường|thị trấn"))
}


def _title_units(top: list[list[object]], header_row: int) -> dict[str, str]:
    """The district and the commune the rows above the header name, each when they name one
    only ("UBND XÃ NA SON" and "Xã Na Son" name one): key -> the unit as typed, the first
    spelling not in capitals."""
    cells = [
        unicodedata.normalize("NFC", cell.strip())
        for row in top[:header_row]
        for cell in row
        if isinstance(cell, str)
    ]
    units = {}
    for key, pattern in _TITLE_UNIT.items():
        found = [m.group(1) for cell in cells if (m := pattern.match(cell))]
        if len({fold(name) for name in found}) == 1:
            units[key] = min(found, key=str.isupper)
    return units


def fill_districts_from_titles(read: WorkbookRead) -> None:
    """Up to the 2024 review, when each district sent its workbook: a sheet without a
    district column, or with it blank in every row, takes the district its title names
    ("Huyện Mường Nhé, tỉnh Điện Biên"), with the notice WB038, as it does its commune
    (`_given_columns`). Sheets whose title names none keep the missing column (WB005)."""
    typed = read.rows["district"].notna().groupby(read.rows["sheet"]).any()
    for layout in read.layouts:
        district = layout.title_units.get("district")
        if district is None or typed.get(layout.sheet, False):
            continue
        rows = read.rows["sheet"] == layout.sheet
        read.rows.loc[rows, "district"] = district
        layout.columns["district"] = FROM_TITLE
        detail = f"district = '{district}'"
        read.notices.append({"sheet": layout.sheet, "code": "WB038", "detail": detail})


def _title_years(top: list[list[object]], header_row: int) -> tuple[int, ...]:
    """The years the rows above the header name as "năm YYYY" (a list's title), if any."""
    found = {
        int(m)
        for row in top[:header_row]
        for cell in row
        if isinstance(cell, str)
        for m in _TITLE_YEAR.findall(fold(cell))
    }
    return tuple(sorted(found))


@dataclass
class WorkbookRead:
    """A workbook as read: its data rows as text, plus every row that was not data, counted."""

    path: Path
    file_hash: str
    rows: pd.DataFrame  # META_COLUMNS + column keys, text; extra unknown columns as `extra:<label>`
    layouts: list[SheetLayout]
    skipped: pd.DataFrame  # sheet, excel_row, kind (one of SKIPPED_KINDS)
    notices: list[dict[str, object]] = field(default_factory=list)  # workbook-level findings
    # CELL_FINDING_COLUMNS: merged data cells (HH040), formula errors (HH041) and formulas
    # without a result (HH042) in `rows`
    cell_findings: pd.DataFrame = field(
        default_factory=lambda: empty_frame(_text_columns(CELL_FINDING_COLUMNS, "row"))
    )
    # RESIDENT_TOTALS_COLUMNS, text as read (the sheet `Tổng số hộ dân cư`); empty if absent
    resident_totals: pd.DataFrame = field(
        default_factory=lambda: empty_frame(_text_columns(RESIDENT_TOTALS_COLUMNS, "excel_row"))
    )
    # MEMBER_COLUMNS, text as read (the sheet `Thành viên hộ`): personal data, never in `rows`
    members: pd.DataFrame = field(
        default_factory=lambda: empty_frame(_text_columns(MEMBER_COLUMNS, "excel_row"))
    )

    @property
    def rows_read(self) -> int:
        return len(self.rows) + len(self.skipped)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# .xlsm: an .xlsx with macros (never run); .xltx, .xltm: one saved as a template.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xltx", ".xltm")
# Spreadsheets in formats the pipeline does not read. They are listed with the workbooks, so a
# run refuses each with its reason (WB020, workbooks/guard.py: save it as .xlsx) instead of
# passing over a unit's list unseen.
OTHER_SPREADSHEET_SUFFIXES = (".ods", ".fods", ".xlsb", ".csv", ".numbers")


def workbooks_in(folder: Path) -> list[Path]:
    """The workbooks in `folder` (none when it is no folder), by name: its Excel files and the
    spreadsheets of other formats (refused when read), without the lock files Excel leaves
    beside an open workbook (`~$...`) and the province's own files (`_parts.csv`: a name
    starting with `_` is not data). A folder inside it that holds any is listed too, to be
    refused as a whole (WB020), never passed over; so is a name that lost its extension, or
    has a space after it ("na-son.xlsx "), holding a spreadsheet's bytes."""
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if (p.is_file() and _is_listed(p)) or (p.is_dir() and _holds_workbooks(p))
    )


def _holds_workbooks(folder: Path) -> bool:
    if folder.name.startswith(("_", ".")):
        return False
    return any(p.is_file() and _is_listed(p) for p in folder.rglob("*"))


def _is_listed(path: Path) -> bool:
    name = path.name
    if name.startswith("~$"):
        return False
    suffix = Path(name.rstrip(" .")).suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        return True
    if name.startswith(("_", ".")):
        return False
    if suffix in OTHER_SPREADSHEET_SUFFIXES:
        return True
    return not suffix and _starts_like_a_spreadsheet(path)


def _starts_like_a_spreadsheet(path: Path) -> bool:
    with contextlib.suppress(OSError), path.open("rb") as f:
        return f.read(8).startswith((ZIP_SIGNATURE, CFB_SIGNATURE))  # .xlsx, .xls
    return False


# Sheets named as a template's example or instructions (folded), of a few rows: "Mẫu" with one
# made-up household was loaded as a household. Read when no other sheet holds the list (the
# officer filled in the template's own sheet), or when it holds more rows than an example (a
# list under that name); a form's name ("Mẫu số 01") is a list.
EXAMPLE_SHEETS = frozenset(
    {"mau", "mau nhap", "vi du", "mau vi du", "huong dan", "huong dan nhap", "example",
     "sample", "template", "instructions"}
)  # fmt: skip
EXAMPLE_MAX_ROWS = 12  # a title, the header, a few households, a note


def read_workbook(path: Path, year: int | None = None) -> WorkbookRead:
    """Read every visible sheet of a district workbook whose name does not start with `_`,
    nor names an example (EXAMPLE_SHEETS) beside a list (WB042).
    `year`: the review's. A column whose header names another year than it or the next (the
    year its lists are for: poverty-standards.md) is not the review's ("Thu nhập BQ năm 2025"
    beside "... năm 2026"): kept as an unknown column (WB040). Without it, any year is."""
    path = Path(path)
    years = None if year is None else frozenset({year, year + 1})
    limits = Limits.from_env()
    data = read_bounded(path, limits)  # read once: these bytes are hashed and parsed
    file_hash = hashlib.sha256(data).hexdigest()
    inspection = inspect_workbook(data, path, limits)  # hostile files never reach calamine
    reader, sheet_names = _open(inspection.data, path)
    sheets = _Sheets(inspection.notices)
    names = [name for name in sheet_names if not name.startswith("_")]
    examples = [name for name in names if _is_example(name, inspection.sheets.get(name))]
    for name in [n for n in names if n not in examples]:
        _add_sheet(sheets, reader, path, name, inspection.sheets.get(name), years)
    if sheets.layouts and examples:
        sheets.notices.append({"code": "WB042", "detail": ", ".join(f"'{n}'" for n in examples)})
    else:  # the template's own sheet, filled in: the list itself
        for name in examples:
            _add_sheet(sheets, reader, path, name, inspection.sheets.get(name), years)

    notices, hidden = sheets.notices, sheets.hidden
    if hidden:  # once per workbook, every hidden sheet named (WB030)
        notices.append({"code": "WB030", "detail": ", ".join(f"'{h}'" for h in hidden)})
    if not sheets.layouts:
        also = f"; hidden sheets are not read: {', '.join(hidden)}" if hidden else ""
        raise WorkbookError(
            f"{path.name}: no sheet has a recognisable header row (expected labels such as "
            f"'Mã hộ', 'Họ và tên chủ hộ', 'Số nhân khẩu'){also}"
        )
    unknown = list(dict.fromkeys(c for layout in sheets.layouts for c in layout.unknown_columns))
    if unknown:  # reported once per workbook, not once per commune sheet (variant 3)
        notices.append({"code": "WB003", "detail": "kept in the raw layer: " + ", ".join(unknown)})
    return WorkbookRead(
        path=path,
        file_hash=file_hash,
        rows=_rows(sheets.tables, path),
        layouts=sheets.layouts,
        skipped=_skipped_frame(sheets.skipped),
        notices=notices,
        cell_findings=_cell_findings_frame(sheets.cells),
        resident_totals=_joined(sheets.others["resident_totals"], RESIDENT_TOTALS_COLUMNS),
        members=_joined(sheets.others["members"], MEMBER_COLUMNS),
    )


@dataclass
class _Sheets:
    """What the sheets read so far hold, in the workbook's order."""

    notices: list[dict[str, object]]  # the workbook's, then each sheet's as it is read
    tables: list[pa.Table] = field(default_factory=list)  # data rows (`_read_sheet`)
    layouts: list[SheetLayout] = field(default_factory=list)
    skipped: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)
    cells: list[tuple[int, str, object, str, str]] = field(default_factory=list)  # findings
    others: dict[str, list[pd.DataFrame]] = field(
        default_factory=lambda: {"resident_totals": [], "members": []}
    )
    hidden: list[str] = field(default_factory=list)
    offset: int = 0  # rows of the tables so far (cell findings are positions in `rows`)


def _open(data: bytes, path: Path) -> tuple[fastexcel.ExcelReader, list[str]]:
    """The workbook opened by calamine, and its sheets' names."""
    try:
        reader = fastexcel.read_excel(data)
        return reader, list(reader.sheet_names)
    except Exception as exc:  # calamine raises a family of errors; all mean "unreadable"
        raise WorkbookError(f"{path.name}: not a readable Excel workbook ({exc})") from exc


def _is_example(name: str, info: SheetInfo | None) -> bool:
    """Whether a sheet is a template's example (EXAMPLE_SHEETS), by its name and its few rows
    (a legacy .xls, whose rows are not counted before reading, is no example)."""
    return fold(name) in EXAMPLE_SHEETS and info is not None and info.rows <= EXAMPLE_MAX_ROWS


def _add_sheet(
    sheets: _Sheets,
    reader,
    path: Path,
    name: str,
    info: SheetInfo | None,
    years: frozenset[int] | None,
) -> None:
    """Read one sheet into `sheets`: as a hidden sheet, another kind of sheet (members,
    resident totals), nothing (no header row: WB002 when it holds anything) or households.
    `years`: those whose columns are the review's (`read_workbook`)."""
    if info is not None and info.state != "visible":
        sheets.hidden.append(name)  # last year's list, a lookup table: not this census
        return
    sheet = _load(reader, path, name, info)
    if sheet is None:
        sheets.hidden.append(name)
        return
    batch, errors = sheet
    columns = _sheet_columns(batch, errors, path, name, sheets.notices)
    n_rows = batch.num_rows
    first_col = info.first_col if info is not None else 1
    top = _top_rows(columns)
    header, ambiguous = _one_column_per_key(top, _find_header(n_rows, top, years), years)
    other = _other_sheet(n_rows, columns, name, top, header)
    if other is not None:
        kind, frame = other
        sheets.others[kind].append(frame)
        return
    found = _read_sheet(n_rows, columns, name, first_col, top, header)
    if found is None:
        if any(c.null_count < len(c) for c in columns):
            sheets.notices.append(
                {"sheet": name, "code": "WB002", "detail": "no header row found; sheet ignored"}
            )
        return
    rows, layout, skipped, notices, data_rows = found
    notices += [{"sheet": name, "code": "WB041", "detail": detail} for detail in ambiguous]
    if other_years := _other_year_columns(top, layout.header_rows, years):
        notices.append({"sheet": name, "code": "WB040", "detail": ", ".join(other_years)})
    filled: dict[str, str] = {}
    if info is not None and info.merges:
        rows, filled = _merged_places(rows, data_rows, info.merges, first_col)
        if filled:
            notices.append(_merged_places_notice(name, filled))
    if errors or (info is not None and (info.merges or info.uncached or info.struck)):
        cells = _cell_findings(columns, data_rows, info, errors, first_col, filled)
        sheets.cells += [(sheets.offset + at, *rest) for at, *rest in cells]
    sheets.offset += rows.num_rows
    sheets.tables.append(rows)
    sheets.layouts.append(layout)
    sheets.skipped.append(skipped)
    sheets.notices.extend(notices)


def _sheet_columns(
    batch: pa.RecordBatch,
    errors: list[tuple[int, int, str]],
    path: Path,
    name: str,
    notices: list[dict[str, object]],
) -> list[pa.Array]:
    """The sheet's columns as text: formula errors as Excel's text for them, control
    characters removed (WB027) and TCVN3 converted to Unicode (WB008), each noted in
    `notices`; a cell too long raises (WB025)."""
    columns = _texts(batch.columns)
    if errors:
        columns = _with_errors(columns, errors)
    grid = None
    if not cells_clean(columns):
        grid = _grid(columns)
        grid = clean_grid(grid, path, name, notices)  # control characters, huge cells
        columns = _columns(grid)
    utf8 = text_bytes(columns)  # None when a column is not text: detect looks at the texts
    if (utf8 is None or tcvn3.holds_marker(utf8)) and tcvn3.detect(_distinct_texts(columns)):
        grid = _grid(columns) if grid is None else grid
        grid, changed = tcvn3.convert_frame(grid, _unicode_label)
        columns = _columns(grid)
        notices.append(
            {
                "sheet": name,
                "code": "WB008",
                "detail": f"{changed} cells converted from TCVN3 (ABC, .VnTime) to Unicode",
            }
        )
    return columns


def _unicode_label(text: str) -> bool:
    """Whether a cell of a VN3 sheet is a header label typed in Unicode (a template's), not
    VN3: it names a column as typed, and would name none converted."""
    return key_for_label(text) is not None and key_for_label(tcvn3.to_unicode(text)) is None


def _rows(tables: list[pa.Table], path: Path) -> pd.DataFrame:
    """The data rows of every sheet as one text frame (`WorkbookRead.rows`)."""
    # The sheets are joined as Arrow (a column missing from a sheet is null there) and made a
    # pandas frame once: per-sheet frames cost more than the reading itself.
    table = pa.concat_tables(tables, promote_options="default")
    # Every base column exists (blank where the workbook lacks it), so callers never meet a
    # missing key; a missing required one is a structural fault (schemas.household.sheet_findings).
    for key in BASE_LABELS:
        if key not in table.column_names:
            table = table.append_column(key, pa.nulls(table.num_rows, pa.large_string()))
    rows = table.to_pandas()
    rows.insert(0, "source_file", path.name)
    return rows


def _skipped_frame(skipped: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> pd.DataFrame:
    """The rows of every sheet that were not data (`WorkbookRead.skipped`)."""
    return pd.DataFrame(
        {
            "sheet": pd.Series(np.concatenate([s for s, _, _ in skipped]), dtype="str"),
            "excel_row": np.concatenate([r for _, r, _ in skipped]),
            "kind": pd.Series(np.concatenate([k for _, _, k in skipped]), dtype="str"),
        }
    )


def _cell_findings_frame(cells: list[tuple[int, str, object, str, str]]) -> pd.DataFrame:
    """`WorkbookRead.cell_findings` (CELL_FINDING_COLUMNS)."""
    return pd.DataFrame(cells, columns=list(CELL_FINDING_COLUMNS)).astype(
        {"row": "int64"} | {c: "str" for c in CELL_FINDING_COLUMNS[1:]}
    )


def _load(reader, path: Path, name: str, info: SheetInfo | None):
    """The sheet's cells as an Arrow batch, with the formula errors fastexcel found (frame
    row, frame column, Excel's text); None for a hidden sheet. Errors are asked for only where
    the guard saw one (or in an .xls, which it cannot see into): that path costs 1.5x."""
    try:
        sheet = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
        if sheet.visible != "visible":
            return None
        if info is not None and not info.error_candidates:
            return sheet.to_arrow(), []
        batch, cell_errors = sheet.to_arrow_with_errors()
    except Exception as exc:
        raise WorkbookError(f"{path.name}, sheet '{name}': cannot be read ({exc})") from exc
    errors = []
    for error in cell_errors.errors if cell_errors is not None else []:
        kind = _ERROR_DETAIL.search(error.detail)
        text = _ERROR_TEXT.get(kind.group(1), f"#{kind.group(1)}") if kind else "#ERROR"
        row, col = error.position
        errors.append((int(row), int(col), text))
    return batch, errors


def _with_errors(columns: list[pa.Array], errors) -> list[pa.Array]:
    """The columns with each formula error cell holding Excel's text for it (`#REF!`)."""
    columns = list(columns)
    by_col: dict[int, list[tuple[int, str]]] = {}
    for row, col, text in errors:
        by_col.setdefault(col, []).append((row, text))
    for col, cells in by_col.items():
        if col >= len(columns):
            continue
        values = columns[col].to_pylist()
        for row, text in cells:
            if row < len(values):
                values[row] = text
        columns[col] = pa.array(values, columns[col].type)
    return columns


def _grid(columns: list[pa.Array]) -> pd.DataFrame:
    """A pandas grid of the sheet (for the rare sheets to repair), columns named by position."""
    return pa.table({str(i): c for i, c in enumerate(columns)}).to_pandas()


def _joined(frames: list[pd.DataFrame], columns: tuple[str, ...]) -> pd.DataFrame:
    if not frames:
        return empty_frame(_text_columns(columns, "excel_row"))
    return pd.concat(frames, ignore_index=True).reindex(columns=list(columns))


def _columns(grid: pd.DataFrame) -> list[pa.Array]:
    """The sheet's columns as Arrow arrays (zero-copy for Arrow-backed text columns)."""
    return _texts(pa.array(values) for _, values in grid.items())


def _texts(columns) -> list[pa.Array]:
    """Columns as text arrays: an all-empty column may come without a type."""
    return [c.cast(pa.string()) if pa.types.is_null(c.type) else c for c in columns]


def _distinct_texts(columns: list[pa.Array]) -> pd.Series:
    """The sheet's distinct non-empty cell texts (all TCVN3 detection looks at)."""
    uniques = [pc.unique(c).cast(pa.large_string()) for c in columns]
    if not uniques:
        return pd.Series([], dtype="str")
    texts = pc.drop_null(pc.unique(pa.chunked_array(uniques, type=pa.large_string())))
    return pd.Series(texts.to_pandas(), dtype="str")


def _other_sheet(n_rows: int, columns: list[pa.Array], sheet: str, top, header):
    """("resident_totals" | "members", its rows as text) when the sheet's header names the
    columns of one of the other sheets a workbook may carry (workbook-layout.md) better than
    a household header; None otherwise. Recognised by the labels, whatever the sheet's name;
    never read as households (a members sheet has `Mã hộ` and `Dân tộc` too). A sheet with a
    household header is checked on its header rows only (a household sheet costs nothing)."""
    search = header[0] if header is not None else range(min(HEADER_SEARCH_ROWS, n_rows))
    for kind, lookup in (("members", member_key), ("resident_totals", resident_totals_key)):
        for row in search:
            keys = _keys_in(top[row], lookup)
            if not _is_other_header(kind, set(keys.values())):
                continue
            if len(keys) < len(_header_keys(top, row)):
                continue  # a household header that happens to name some of these columns
            # (a tie is the other sheet's: a members sheet's "Họ và tên", "Giới tính", "Xã"
            # and "Thôn, bản" name as many household columns as its own)
            header_rows = [row]
            below = _keys_in(top[row + 1], lookup) if row + 1 < len(top) else {}
            extra = {p: k for p, k in below.items() if p not in keys and k not in keys.values()}
            if extra:  # a two-level header
                keys |= extra
                header_rows.append(row + 1)
            last = _last_heading_row(top, max(header_rows))
            return kind, _other_rows(n_rows, columns, sheet, last, keys, kind)
    return None


def _keys_in(cells: list[object], lookup) -> dict[int, str]:
    keys: dict[int, str] = {}
    for pos, value in enumerate(cells):
        if isinstance(value, str):
            key = lookup(value)
            if key is not None and key not in keys.values():
                keys[pos] = key
    return keys


def _is_other_header(kind: str, keys: set[str]) -> bool:
    if kind == "members":
        return "household_id" in keys and len(keys & set(MEMBER_ONLY_KEYS)) >= 2
    return {"commune", "households"} <= keys


def _other_rows(
    n_rows: int, columns: list[pa.Array], sheet: str, last_header: int, keys, kind: str
) -> pd.DataFrame:
    """The data rows under the header (blank, totals and signature rows left out), as text."""
    body = [pc.utf8_trim_whitespace(c[last_header + 1 :]) for c in columns]
    n_body = n_rows - (last_header + 1)
    kinds = _row_kinds(n_body, body, _filled(body, n_body))
    keep = np.flatnonzero(kinds == "data")
    take = pa.array(keep, type=pa.int64())
    frame = {
        "sheet": pd.Series([sheet] * len(keep), dtype="str"),
        "excel_row": pd.Series(keep + last_header + 2, dtype="int64"),
    }
    for pos, key in keys.items():
        values = body[pos].take(take).cast(pa.large_string())
        values = pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.large_string()), values)
        frame[key] = pd.Series(values.to_pandas(), dtype="str")
    columns_of = RESIDENT_TOTALS_COLUMNS if kind == "resident_totals" else MEMBER_COLUMNS
    return (
        pd.DataFrame(frame)
        .reindex(columns=list(columns_of))
        .astype({c: "str" for c in columns_of if c != "excel_row"})
    )


def _header_keys(
    top: list[list[object]], row: int, years: frozenset[int] | None = None
) -> dict[int, str]:
    """Column position -> key for the known labels in one row of the sheet's top block, those
    naming a year of `years` or none (`_of_review`). Where two columns name one key, it is the
    better-ranked label's (`label_ranks`), else the first's."""
    keys: dict[int, str] = {}
    held: dict[str, tuple[int, int]] = {}  # key -> (rank, position)
    for pos, value in enumerate(top[row]):
        key = key_for_label(value) if isinstance(value, str) else None
        if key is None or not _of_review(value, years):
            continue
        rank = _label_rank(value)
        if key in held and held[key][0] <= rank:
            continue
        if key in held:
            del keys[held[key][1]]
        keys[pos], held[key] = key, (rank, pos)
    return dict(sorted(keys.items()))


def _top_rows(columns: list[pa.Array]) -> list[list[object]]:
    """The sheet's top rows as Python lists (row access on an Arrow-backed frame is slow)."""
    top = [c[: HEADER_SEARCH_ROWS + 1].to_pylist() for c in columns]
    return [list(row) for row in zip(*top, strict=True)]


def _find_header(
    n_rows: int, top: list[list[object]], years: frozenset[int] | None = None
) -> tuple[list[int], dict[int, str]] | None:
    """The header row(s) and their column keys: the row naming most columns, and the rows
    around it (up to HEADER_REACH each way) as far as one names further columns (two-level
    headers, workbook-layout.md variant 2; three levels where the indicators sit under their
    dimensions, "Việc làm", "Y tế", ..., under the group "Các chỉ số thiếu hụt ...")."""
    best_row, best = -1, {}
    for row in range(min(HEADER_SEARCH_ROWS, n_rows)):
        if len(best) >= MIN_HEADER_MATCHES and row > best_row + 2:
            break  # past a header and the row under it: the rest is data
        keys = _header_keys(top, row, years)
        if len(keys) > len(best):
            best_row, best = row, keys
    if len(best) < MIN_HEADER_MATCHES:
        return None
    keys, first, last = dict(best), best_row, best_row
    ranks = {key: _label_rank(top[best_row][pos]) for pos, key in keys.items()}
    for direction in (1, -1):
        for step in range(1, HEADER_REACH + 1):
            neighbour = best_row + direction * step
            if not 0 <= neighbour < len(top):
                break
            if _add_neighbour(top, neighbour, keys, ranks, years):
                first, last = min(first, neighbour), max(last, neighbour)
    # A household list names its households by id or by head: a sheet naming neither (a
    # summary by village) is none. One naming its heads without an id column is read, and
    # refused for the missing column (WB005), never passed over.
    if not {"household_id", "head_name"} & set(keys.values()):
        return None
    rows = range(first, last + 1)
    income = next((p for p, k in keys.items() if k == "income_per_capita"), None)
    if income is not None and _households_total(top[r][income] for r in rows):
        del keys[income]  # the income per person is missing (WB005), never taken from this
    return list(rows), dict(sorted(keys.items()))


# A household's total income, not a person's: "Tổng thu nhập của hộ/năm", "Thu nhập cả hộ".
_HOUSEHOLDS_TOTAL = re.compile(r"\btong thu nhap\b|\b(?:cua|ca) ho\b")
_PER_PERSON = re.compile(r"binh quan|\bbq\b|dau nguoi|\b(?:1|mot) nguoi\b|\bnguoi thang\b")


def _households_total(labels: Iterable[object]) -> bool:
    """Whether an income column's heading cells say it is the household's total (a generic
    "Thu nhập" group above it named the key): read as the income per person, every
    household would be several times richer, without a word."""
    text = " ".join(fold(label) for label in labels if isinstance(label, str))
    return bool(_HOUSEHOLDS_TOTAL.search(text)) and not _PER_PERSON.search(text)


# A column's heading marking it as not the review's ("Mã hộ (cũ)", "Thu nhập (trước rà
# soát)") or as the review's ("(mới)", "(sau rà soát)"), folded.
_EARLIER = re.compile(r"\b(?:cu|truoc ra soat|nam truoc|ky truoc)\b")
_CURRENT = re.compile(r"\b(?:moi|sau ra soat|hien tai|hien nay)\b")


def _one_column_per_key(
    top: list[list[object]],
    header: tuple[list[int], dict[int, str]] | None,
    years: frozenset[int] | None,
) -> tuple[tuple[list[int], dict[int, str]] | None, list[str]]:
    """`header` with, for a key that several columns name alike ("Mã hộ (cũ)" | "Mã hộ
    (mới)": labels of one rank), the column its heading marks as the review's (mới, sau rà
    soát; or the one not marked cũ, trước rà soát), the others kept as unknown columns; and
    each key it cannot tell, with those columns' labels (WB041: the workbook is refused,
    never read from the leftmost without a word)."""
    if header is None:
        return None, []
    rows, keys = header
    keys, ambiguous = dict(keys), []
    for pos, key in list(keys.items()):
        labelled = [top[r][pos] for r in rows if key_for_label(top[r][pos]) == key]
        rank = min((_label_rank(label) for label in labelled), default=0)
        alike = sorted(
            {
                p
                for r in rows
                for p, value in enumerate(top[r])
                if isinstance(value, str)
                and key_for_label(value) == key
                and _label_rank(value) == rank
                and _of_review(value, years)
            }
        )
        if len(alike) < 2:
            continue
        # The whole heading, and the row above it: "Năm 2025" | "Năm 2026" over two alike
        # labels (a row of groups naming no column).
        around = range(max(rows[0] - 1, 0), rows[-1] + 1)
        heading = {p: " ".join(str(top[r][p] or "") for r in around) for p in alike}
        current = [p for p in alike if _CURRENT.search(fold(heading[p]))]
        later = [
            p
            for p in alike
            if not _EARLIER.search(fold(heading[p])) and _of_review(heading[p], years)
        ]
        chosen = current if len(current) == 1 else later
        if len(chosen) == 1:
            del keys[pos]
            keys[chosen[0]] = key
            continue
        labels = [" ".join(str(top[r][p]).strip() for r in rows if top[r][p]) for p in alike]
        ambiguous.append(", ".join(f"'{label}'" for label in labels))
    return (rows, dict(sorted(keys.items()))), ambiguous


def _of_review(label: str, years: frozenset[int] | None) -> bool:
    """Whether a header cell heads a column of the review: it names no year, or one of
    `years` (None: any)."""
    if years is None:
        return True
    named = label_year(label)
    return named is None or named in years


def _other_year_columns(
    top: list[list[object]], header_rows: tuple[int, ...], years: frozenset[int] | None
) -> list[str]:
    """The header cells (Excel rows `header_rows`) naming a column, and another year than the
    review's (WB040): kept as unknown columns, not read as the review's."""
    cells = (top[r - 1] for r in header_rows if r - 1 < len(top))
    return [
        f"'{value.strip()}'"
        for row in cells
        for value in row
        if isinstance(value, str) and key_for_label(value) and not _of_review(value, years)
    ]


def _label_rank(label: object) -> int:
    return label_ranks().get(fold_label(label), 0)


def _add_neighbour(
    top: list[list[object]],
    row: int,
    keys: dict[int, str],
    ranks: dict[str, int],
    years: frozenset[int] | None,
) -> bool:
    """Add to `keys` (position -> key; `ranks`: key -> its label's rank) the columns a row of
    the header names further: a key not yet named, or one named better than before (the group
    "Thu nhập" over "Tổng thu nhập của hộ/năm" | "Bình quân đầu người/tháng": the second is
    the income per person). Returns whether the row named any."""
    named = False
    for pos, key in _header_keys(top, row, years).items():
        rank = _label_rank(top[row][pos])
        if pos in keys or ranks.get(key, rank + 1) <= rank:
            continue
        keys.pop(next((p for p, k in keys.items() if k == key), None), None)
        keys[pos], ranks[key], named = key, rank, True
    return named


_COLUMN_NUMBER = re.compile(r"[(\[]?\s*(?:(\d{1,3})(?:\.0+)?|[A-Za-z])\s*[)\]]?")
_NOTE = re.compile(r"\(.*\)|\[.*\]", re.DOTALL)


def _column_numbers_row(top: list[list[object]], row: int) -> bool:
    """Whether the sheet's `row` numbers its columns: every cell a number or a letter, alone
    or in brackets, the numbers rising from left to right (at least MIN_HEADER_MATCHES)."""
    if row >= len(top):
        return False
    cells = [str(v).strip() for v in top[row] if v is not None and str(v).strip()]
    found = [_COLUMN_NUMBER.fullmatch(c) for c in cells]
    if not all(found):
        return False
    numbers = [int(m.group(1)) for m in found if m.group(1)]
    rising = all(b > a for a, b in itertools.pairwise(numbers))
    return len(numbers) >= MIN_HEADER_MATCHES and rising


def _notes_row(top: list[list[object]], row: int) -> bool:
    """Whether the sheet's `row` only notes the columns' units: every cell in brackets
    ("(đồng)", "(nghìn đồng)", "(người)"), as a header typed on two rows leaves them."""
    if row >= len(top):
        return False
    cells = [str(v).strip() for v in top[row] if v is not None and str(v).strip()]
    return bool(cells) and all(_NOTE.fullmatch(c) for c in cells)


def _last_heading_row(top: list[list[object]], last_header: int) -> int:
    """The last row of the heading: the header, then a row of unit notes and a row numbering
    the columns ("(1) (2) (3)", "A B 1 2", as the official forms print it) where present;
    those rows belong to the heading, not to the households."""
    if _notes_row(top, last_header + 1):
        last_header += 1
    return last_header + _column_numbers_row(top, last_header + 1)


def _read_sheet(n_rows: int, columns: list[pa.Array], sheet: str, first_col: int, top, header):
    """`columns` are the sheet's columns as Arrow arrays (row i is Excel row i + 1; column j
    is the Excel column `first_col` + j). Returns the data rows (an Arrow table: sheet,
    excel_row, then the column keys as text), the layout, the skipped rows as (sheet,
    excel_row, kind) arrays, the sheet's notices, and where the data rows came from (their
    Excel rows, and each named column's position in `columns`)."""
    if header is None:
        return None
    header_rows, keys = header
    groups, choice_rows = choices.choice_groups(top, header_rows, keys)
    if header_rows[-1] + 1 in choice_rows:  # "Nam | Nữ" alone under the header: its row
        header_rows = [*header_rows, header_rows[-1] + 1]
    grouped = {p for cells in groups.values() for p, _ in cells}
    labels, unknown = _header_labels(top, header_rows, keys, len(columns), grouped)
    heading_end = _last_heading_row(top, header_rows[-1])
    header_rows = [*header_rows, *range(header_rows[-1] + 1, heading_end + 1)]
    body_columns = [c[heading_end + 1 :] for c in columns]
    # Column-wise on Arrow: every cell stripped once (Unicode whitespace, as str.strip).
    stripped = [_without_quote_mark(pc.utf8_trim_whitespace(c)) for c in body_columns]
    filled = _filled(stripped, n_rows - (heading_end + 1))
    kinds, places, template = _body_kinds(top, header_rows, keys, unknown, stripped, filled)
    excel_row = np.arange(heading_end + 1, n_rows, dtype=np.int64) + 1

    is_data = kinds == "data"
    keep = np.flatnonzero(is_data)
    # A column without a header that holds values in data rows is kept too, named by its
    # letter (a value typed beside the table is never dropped unseen).
    for pos, column in enumerate(filled):
        named_already = pos in keys or pos in grouped or pos in unknown
        if not named_already and column[is_data].any():
            unknown[pos] = f"(cột {column_letter(pos + first_col - 1)})"
    named = {keys[p]: p for p in sorted(keys)} | {
        f"extra:{label}": p for p, label in sorted(unknown.items())
    }
    data = _data_columns(sheet, stripped, keep, excel_row, named)
    for pos, cells in groups.items():  # Nam | Nữ under "Giới tính chủ hộ": the one marked
        marks = [_rows_at(stripped[p], keep) for p, _ in cells]
        data[keys[pos]] = choices.chosen(marks, [label for _, label in cells])
    skipped = (np.full((~is_data).sum(), sheet, dtype=object), excel_row[~is_data], kinds[~is_data])
    notices = _totals_checks(body_columns, kinds, excel_row, sheet)
    if template.any():
        notices.append(headings.template_notice(sheet, excel_row[template]))
    title_units = _title_units(top, header_rows[0])
    given = _given_columns(data, sheet, places, title_units, (keep, excel_row), notices)
    layout = SheetLayout(
        sheet=sheet,
        header_rows=tuple(r + 1 for r in header_rows),
        columns=given | {keys[p]: labels[p] for p in keys},
        column_letters={keys[p]: column_letter(p + first_col - 1) for p in keys}
        | {f"extra:{label}": column_letter(p + first_col - 1) for p, label in unknown.items()},
        unknown_columns=list(unknown.values()),
        income_unit=_sheet_income_unit(top, header_rows, keys),
        title_years=_title_years(top, header_rows[0]),
        title_units=title_units,
    )
    return pa.table(data), layout, skipped, notices, (excel_row[keep], named)


def _without_quote_mark(column: pa.Array) -> pa.Array:
    """The cells without a leading apostrophe typed as text before one word or number
    ("'DB-04-000001", "'2"): Excel's mark for "text", kept as a character when the list
    passed through another program. Other text starting with one is kept as typed."""
    if not pc.any(pc.starts_with(column, "'")).as_py():
        return column
    return pc.replace_substring_regex(column, r"^'\s*([\p{L}\p{N}\-./,]+)$", r"\1")


def _header_labels(
    top: list[list[object]],
    header_rows: list[int],
    keys: dict[int, str],
    n_columns: int,
    grouped: set[int],
) -> tuple[dict[int, str], dict[int, str]]:
    """Each named column's label as its header row writes it, and the unknown columns
    (position -> label): a label in any header row but no key, kept as `extra:<label>`;
    not a key's choice (`grouped`: `choices.choice_groups`)."""
    labels = {
        pos: next(
            top[r][pos]
            for r in header_rows
            if isinstance(top[r][pos], str) and key_for_label(top[r][pos]) == key
        )
        for pos, key in keys.items()
    }
    unknown: dict[int, str] = {}
    for pos in range(n_columns):
        if pos in keys or pos in grouped:
            continue
        texts = [top[r][pos] for r in header_rows if isinstance(top[r][pos], str)]
        if texts:
            unknown[pos] = texts[-1].strip()
    return labels, unknown


def _body_kinds(
    top: list[list[object]],
    header_rows: list[int],
    keys: dict[int, str],
    unknown: dict[int, str],
    stripped: list[pa.Array],
    filled: np.ndarray,
) -> tuple[np.ndarray, dict[str, dict[int, str]], np.ndarray]:
    """Each body row's kind (`_row_kinds`, then the headings and a template's rows inside the
    table: `headings`), the commune and village rows (key -> position -> place) and the
    template rows."""
    kinds = _row_kinds(filled.shape[1], stripped, filled)
    repeated = headings.repeated_header_rows(
        kinds, stripped, filled, _heading_cells(top, header_rows)
    )
    kinds[repeated] = "heading"
    places = headings.place_rows(kinds, stripped, filled)
    kinds[[*places["commune"], *places["village"]]] = "heading"
    kinds[headings.section_rows(kinds, stripped, filled)] = "heading"
    template = headings.template_rows(kinds, filled, _template_columns(keys, unknown))
    kinds[template] = "blank"
    return kinds, places, template


def _data_columns(
    sheet: str,
    stripped: list[pa.Array],
    keep: np.ndarray,
    excel_row: np.ndarray,
    named: dict[str, int],
) -> dict[str, pa.Array]:
    """The data rows' columns as text (an empty cell missing), after their sheet and row."""
    data = {
        "sheet": pa.array(np.full(len(keep), sheet, dtype=object), pa.large_string()),
        "excel_row": pa.array(excel_row[keep], pa.int64()),
    }
    missing_text = pa.scalar(None, pa.large_string())
    for name, p in named.items():
        values = _rows_at(stripped[p], keep).cast(pa.large_string())  # pandas' Arrow strings
        data[name] = pc.if_else(pc.equal(values, ""), missing_text, values)
    return data


# "ĐVT: nghìn đồng", "(Đơn vị tính: 1.000 đ)": the unit line of a form, folded.
_UNIT_LINE = re.compile(r"^\(?\s*(?:dvt|don vi tinh)\b")


def _sheet_income_unit(
    top: list[list[object]], header_rows: list[int], keys: dict[int, str]
) -> float:
    """The income column's unit (`income_unit`), read from every row of the heading: the
    label "Thu nhập ... (nghìn đồng)", or the label on one row and "(nghìn đồng)" under it;
    else from a unit line above the table, as official forms print one ("ĐVT: nghìn đồng")."""
    cells = [
        [top[r][p] for r in header_rows if isinstance(top[r][p], str)]
        for p, k in keys.items()
        if k == "income_per_capita"
    ]
    if not cells or any(names_money_unit(c) for c in cells):
        return max((income_unit(c) for c in cells), default=1)
    above = top[: header_rows[0]]
    lines = [c for row in above for c in row if isinstance(c, str) and _UNIT_LINE.match(fold(c))]
    return income_unit(lines) if lines else 1


def _template_columns(keys: dict[int, str], unknown: dict[int, str]) -> set[int]:
    """Positions of the columns a template fills before any household: the row number and
    the place columns (`headings.template_rows`)."""
    places = {p for p, key in keys.items() if key in headings.PLACE_KEYS}
    return places | {p for p, label in unknown.items() if fold(label) in headings.SERIAL_LABELS}


def _given_columns(
    data: dict[str, pa.Array],
    sheet: str,
    places: dict[str, dict[int, str]],
    title_units: dict[str, str],
    rows: tuple[np.ndarray, np.ndarray],
    notices: list[dict[str, object]],
) -> dict[str, str]:
    """Columns the sheet gives otherwise than by a column, added to `data` with a notice each;
    returns them as key -> how they were given (the layout's label). A blank village under a
    row naming a village is that village (WB034), up to the next commune row; a blank commune
    under a row naming a commune is that commune (WB037); without a village column, a sheet
    named for a village ("Bản Na Son": one sheet per village) gives it (WB035); without a
    commune column, the commune its title names ("UBND XÃ NA SON": WB038), else the sheet's
    name (WB010; either validated like a typed one, HH021). A column blank in every row is no
    column for these. `rows`: the data rows' positions among the body's, and every body row's
    Excel row."""
    given: dict[str, str] = {}
    keep, excel_row = rows

    def whole_sheet(key: str, code: str, value: str = sheet) -> None:
        data[key] = pa.array(np.full(len(keep), value.strip(), object), pa.large_string())
        notices.append({"sheet": sheet, "code": code, "detail": f"{key} = '{value}'"})

    communes = places["commune"]
    reach = {"commune": communes, "village": {p: None for p in communes} | places["village"]}
    for key in ("commune", "village"):
        if places[key]:
            data[key], taken = headings.places_below(reach[key], keep, data.get(key))
            given[key] = headings.FROM_ROWS[key]
            if taken:
                notices.append(headings.place_notice(key, sheet, places[key], excel_row, taken))
    if _no_values(data, "village") and headings.names_a_village(sheet):
        whole_sheet("village", "WB035")
        given["village"] = headings.FROM_SHEET_NAME
    # The flow counts the commune as given (flows/workbook.py).
    if _no_values(data, "commune") and "commune" in title_units:
        whole_sheet("commune", "WB038", title_units["commune"])
        given["commune"] = FROM_TITLE
    elif _no_values(data, "commune"):
        whole_sheet("commune", "WB010")
    return given


def _no_values(data: dict[str, pa.Array], key: str) -> bool:
    """Whether the sheet gives no `key`: no such column, or one left blank in every data row
    (a sheet per commune whose commune column nobody filled)."""
    column = data.get(key)
    return column is None or (len(column) > 0 and column.null_count == len(column))


def _cell_findings(
    columns: list[pa.Array],
    data_rows: tuple[np.ndarray, dict[str, int]],
    info: SheetInfo | None,
    errors: list[tuple[int, int, str]],
    first_col: int,
    filled: dict[str, str],
) -> list[tuple[int, str, object, str, str]]:
    """Cells of the sheet's data rows that are not plain values: a cell under a merged cell
    (HH040: it arrives blank, the value it shows belongs to another row) and a formula error
    (HH041: its text, e.g. #REF!, is no value) and a formula whose result the file does not
    hold (HH042: it arrives blank, Excel would compute it); and a household's cells struck
    through (HW005, a warning: crossed out, yet written). `row` is the position among the
    sheet's data rows. Merges above the first data row (two-level headers, titles) are the
    layout's; those `filled` (`_merged_places`) are values."""
    excel_rows, named = data_rows
    by_position = {p: key for key, p in named.items()}
    first_data = int(excel_rows[0]) if len(excel_rows) else 0
    out: list[tuple[int, str, object, str, str]] = []

    def place(excel_row: int) -> int | None:
        at = int(np.searchsorted(excel_rows, excel_row))
        return at if at < len(excel_rows) and excel_rows[at] == excel_row else None

    for row, col, text in errors:
        key, at = by_position.get(col), place(row + 1)
        if key is not None and at is not None:
            code = "HW007" if key in ADVISORY_KEYS else "HH041"
            out.append((at, key, text, code, f"{column_letter(col + first_col - 1)}{row + 1}"))
    for ref, formula in info.uncached if info is not None else []:
        cell = sheetxml.parse_ref(ref)
        key = by_position.get(cell[1] - first_col) if cell else None
        at = place(cell[0]) if cell else None
        if key is not None and at is not None:
            out.append((at, key, f"={formula}" if formula else None, "HH042", ref))
    struck: dict[int, list[tuple[str, str]]] = {}  # data row -> its struck cells (key, ref)
    for ref in info.struck if info is not None else []:
        cell = sheetxml.parse_ref(ref)
        key = by_position.get(cell[1] - first_col) if cell else None
        at = place(cell[0]) if cell else None
        if key is not None and at is not None:
            struck.setdefault(at, []).append((key, ref))
    for at, cells in struck.items():  # one warning a household, at its first struck cell
        key, ref = cells[0]
        value = columns[named[key]][int(excel_rows[at]) - 1].as_py()
        out.append((at, key, value, "HW005", ", ".join(r for _, r in cells[:6])))
    for ref in info.merges if info is not None and len(excel_rows) else []:
        bounds = sheetxml.parse_range(ref)
        if bounds is None or bounds[2] < first_data or ref in filled:
            continue
        top, left, bottom, right = bounds
        anchor_col = left - first_col
        anchor = None
        if 0 <= anchor_col < len(columns) and top - 1 < len(columns[anchor_col]):
            anchor = columns[anchor_col][top - 1].as_py()
        shown = "" if anchor is None else str(anchor).strip()
        for excel_row in range(max(top, first_data), bottom + 1):
            at = place(excel_row)
            if at is None:
                continue
            for col in range(left, right + 1):
                key = by_position.get(col - first_col)
                if key is None or (excel_row, col) == (top, left):
                    continue
                out.append((at, key, shown or None, "HH040", f"{ref} = '{shown}'"))
    return out


# Place columns a printed list merges down over its households ("Bản Tá Miếu" once, over its
# village's rows): the merged value is each covered household's (WB043), as the sheet shows it.
MERGED_PLACES = ("district", "commune", "village", "area")


def _merged_places(
    rows: pa.Table, data_rows: tuple[np.ndarray, dict[str, int]], merges: list[str], first_col: int
) -> tuple[pa.Table, dict[str, str]]:
    """`rows` with each place cell merged down one column from a household's row given to the
    household rows under it; and the merged ranges so given, with their values. Any other
    merge over data rows stays a finding (HH040)."""
    excel_rows, named = data_rows
    by_position = {p: key for key, p in named.items()}
    at = {int(r): i for i, r in enumerate(excel_rows)}
    given: dict[str, list[tuple[list[int], str]]] = {}
    filled = {}
    for ref in merges:
        bounds = sheetxml.parse_range(ref)
        if bounds is None or bounds[1] != bounds[3] or bounds[0] not in at:
            continue  # not one column, or its value is not on a household's row
        top, col, bottom, _ = bounds
        key = by_position.get(col - first_col)
        value = rows[key][at[top]].as_py() if key in MERGED_PLACES else None
        below = [at[r] for r in range(top + 1, bottom + 1) if r in at]
        if value and below:
            given.setdefault(key, []).append((below, value))
            filled[ref] = value
    for key, ranges in given.items():
        values = rows[key].to_pylist()
        for positions, value in ranges:
            for i in positions:
                values[i] = value
        column = pa.array(values, pa.large_string())
        rows = rows.set_column(rows.column_names.index(key), key, column)
    return rows, filled


def _merged_places_notice(sheet: str, filled: dict[str, str]) -> dict[str, object]:
    """WB043: the merged place cells given to the households under them (the first six)."""
    named = sorted(filled, key=sheetxml.parse_range)
    shown = "; ".join(f"{ref} = '{filled[ref]}'" for ref in named[:6])
    return {"sheet": sheet, "code": "WB043", "detail": shown + ("; …" if len(named) > 6 else "")}


def _heading_cells(top: list[list[object]], header_rows: list[int]) -> dict[int, set[str]]:
    """Position -> the texts of the heading rows in that column (what a repeated header
    holds there)."""
    cells: dict[int, set[str]] = {}
    for r in header_rows:
        for pos, value in enumerate(top[r]):
            if value is not None and str(value).strip():
                cells.setdefault(pos, set()).add(str(value).strip())
    return cells


def _filled(stripped: list[pa.Array], n_rows: int) -> np.ndarray:
    """Whether each cell of the body's stripped columns holds text, a row per column: one
    Arrow call for the sheet, not three a column (0.05 -> 0.02 s for the sample province)."""
    if not stripped:
        return np.zeros((0, n_rows), dtype=bool)
    if len({c.type for c in stripped}) > 1:  # a repaired sheet's columns may be large_string
        stripped = [c.cast(pa.large_string()) for c in stripped]
    cells = pa.chunked_array(stripped, type=stripped[0].type)
    filled = pc.fill_null(pc.not_equal(cells, ""), False).to_numpy()
    return filled.reshape(len(stripped), n_rows)


def _rows_at(column: pa.Array, keep: np.ndarray) -> pa.Array:
    """The cells of `column` at positions `keep` (ascending): a slice, no copy, when they are
    one run (the usual sheet: every row data but the totals and signature rows below)."""
    if len(keep) and keep[-1] - keep[0] + 1 == len(keep):
        return column.slice(int(keep[0]), len(keep))
    return column.take(pa.array(keep, type=pa.int64()))


def _row_kinds(n_rows: int, stripped: list[pa.Array], filled: np.ndarray) -> np.ndarray:
    """data | blank | totals | signature, for every row under the header (`stripped` are the
    body's columns stripped, `filled` whether each of their cells holds text)."""
    count = np.sum(filled, axis=0, dtype=np.int64) if len(filled) else np.zeros(n_rows, np.int64)
    kinds = np.full(n_rows, "data", dtype=object)
    kinds[count == 0] = "blank"
    # A totals row of column sums is found column-wise; the other totals rows and the
    # signature rows hold at most three cells: only those rows' first filled cell is folded
    # and matched (a household row never is; this keeps the reader linear and fast).
    kinds[(count > 3) & _long_totals_rows(stripped, filled, n_rows)] = "totals"
    few = np.flatnonzero((count > 0) & (count <= 3))
    if len(few):
        first_pos = np.column_stack([f[few] for f in filled]).argmax(axis=1)
        take = pa.array(few, type=pa.int64())
        cells = [c.take(take).to_pylist() for c in stripped]
        signed = False
        for i, (row, pos) in enumerate(zip(few, first_pos, strict=True)):
            typed = cells[pos][i]
            text = fold(typed)
            if _TOTALS.match(text):
                kinds[row] = "totals"
            elif signed or _SIGNATURE.search(text) or _closing_line(typed, text):
                # Below the first line of a signature block (or of the notes above it), its
                # other short lines (the signers' names) belong to it too.
                kinds[row] = "signature"
                signed = True
    return kinds


def _closing_line(typed: str, folded: str) -> bool:
    """Whether a short row opens the lines closing the list: a signer "on behalf of" (TM.,
    KT., TL.) or a note (`_NOTE_LINE`)."""
    return bool(_ON_BEHALF.match(typed) or _NOTE_LINE.match(folded) or _NOTE_LINE.match(typed))


# A totals row that sums every column, as typed (with its diacritics: a household whose id is
# blank and whose head is named Công is no totals row).
_TOTALS_TYPED = r"^(?:tổng cộng|tổng số|cộng|tổng|tong cong)(?:[^\p{L}\p{N}]|$)"


def _long_totals_rows(stripped: list[pa.Array], filled: np.ndarray, n_rows: int) -> np.ndarray:
    """Whether each row's first filled cell, in one of the sheet's first three columns, says
    "Tổng cộng" (or Cộng, Tổng số), a number before it aside (the STT column's count, as a
    SUBTOTAL formula leaves it): column-wise, as the rows of many cells are many."""
    hit, before = np.zeros(n_rows, bool), np.zeros(n_rows, bool)
    for column, is_filled in zip(stripped[:3], filled[:3], strict=False):
        # The Unicode match costs 7x an ASCII one: only on the cells starting like one.
        like = pc.fill_null(pc.match_substring_regex(column, "^[TtCc]"), False)
        rows = np.flatnonzero(like.to_numpy(zero_copy_only=False) & ~before)
        if len(rows):
            said = pc.match_substring_regex(
                column.take(pa.array(rows, pa.int64())), _TOTALS_TYPED, ignore_case=True
            )
            hit[rows[pc.fill_null(said, False).to_numpy(zero_copy_only=False)]] = True
        number = pc.fill_null(pc.match_substring_regex(column, r"^[\d.,]+$"), False)
        before |= is_filled & ~number.to_numpy(zero_copy_only=False)
    return hit


def _totals_checks(
    body_columns: list[pa.Array], kinds: np.ndarray, excel_row: np.ndarray, sheet: str
) -> list[dict[str, object]]:
    """A totals row's household count must equal the data rows above it (variant 6): those
    since the previous totals row (a commune's subtotal) or all of them (a grand total); or,
    for a totals row above every household (typed under the header), all of the sheet's."""
    notices = []
    # Data rows counted up to each row; only the (few) totals rows are visited.
    data_upto = np.cumsum(kinds == "data")
    previous = 0
    for position in np.flatnonzero(kinds == "totals"):
        data_all = int(data_upto[position])
        data_since_last = data_all - previous
        said = _household_count([c[int(position)].as_py() for c in body_columns])
        counted = (data_since_last, data_all) if data_all else (int(data_upto[-1]),)
        if said is not None and said not in counted:
            notices.append(
                {
                    "sheet": sheet,
                    "excel_row": int(excel_row[position]),
                    "code": "WB004",
                    "detail": f"totals row says {said} households; "
                    f"the rows above hold {data_since_last}",
                }
            )
        previous = data_all
    return notices


_COUNT = re.compile(r"(\d+)(?:\.0+)?\s*(hộ)?", re.IGNORECASE)


def _household_count(cells: list[object]) -> int | None:
    """The households a totals row says it counts: a cell "25 hộ", else the first filled cell
    after its label, at most two columns on (workbook-layout.md: the second column), when a
    whole number. None when it says none (a row of column sums only)."""
    texts = [None if v is None else str(v).strip() or None for v in cells]
    found = [m for t in texts if t and (m := _COUNT.fullmatch(t))]
    if any(m.group(2) for m in found):
        return int(next(m for m in found if m.group(2)).group(1))
    filled = [i for i, t in enumerate(texts) if t]
    after = [i for i in filled[1:] if i - filled[0] <= 2][:1]
    first = _COUNT.fullmatch(texts[after[0]]) if after else None
    return int(first.group(1)) if first else None
