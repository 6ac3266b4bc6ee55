"""Read a district workbook into a text frame: every data row, every cell as text.

I/O lives here and nowhere else on the ingest path. Reading uses fastexcel (Rust, calamine):
about 100,000 rows a second on this machine against about 7,000 for openpyxl, and it reads
legacy `.xls` too. Each sheet is loaded whole as text (`header_row=None, skip_rows=0`, so
frame row i is Excel row i + 1), the header row is found by its labels, and every row below it
is sorted into data, blank, totals or signature rows; none is dropped without being counted.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import fastexcel
import numpy as np
import pandas as pd

from schemas.headers import BASE_LABELS, REQUIRED_COLUMNS, fold, is_thousand_dong, key_for_label
from workbooks import tcvn3
from workbooks.guard import check_workbook, clean_grid

# How far down a sheet the header row may sit (title rows above it).
HEADER_SEARCH_ROWS = 40
# A header row must name at least this many known columns, household id among them.
MIN_HEADER_MATCHES = 3

_TOTALS = re.compile(r"^(tong cong|cong|tong so|tong)\b")
_SIGNATURE = re.compile(
    r"ngay .*thang|nguoi lap|thu truong|xac nhan|ky ten|ky ghi ro|chu tich|truong ban"
)

META_COLUMNS = ("source_file", "sheet", "excel_row")


class WorkbookError(Exception):
    """A workbook that cannot be read at all; the message names the file and the reason."""


@dataclass
class SheetLayout:
    """Where a sheet's table sits and what its columns mean."""

    sheet: str
    header_rows: tuple[int, ...]  # Excel row numbers of the header (one or two rows)
    columns: dict[str, str]  # key -> header label as written in the workbook
    column_letters: dict[str, str]  # key -> Excel column letter
    unknown_columns: list[str]
    thousand_dong: bool


@dataclass
class WorkbookRead:
    """A workbook as read: its data rows as text, plus every row that was not data, counted."""

    path: Path
    file_hash: str
    rows: pd.DataFrame  # META_COLUMNS + column keys, text; extra unknown columns as `extra:<label>`
    layouts: list[SheetLayout]
    skipped: pd.DataFrame  # sheet, excel_row, kind (blank | totals | signature)
    notices: list[dict[str, object]] = field(default_factory=list)  # workbook-level findings

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


def read_workbook(path: Path) -> WorkbookRead:
    """Read every sheet of a district workbook whose name does not start with `_`."""
    path = Path(path)
    notices = check_workbook(path)  # hostile or broken files never reach calamine
    try:
        reader = fastexcel.read_excel(path)
        sheet_names = list(reader.sheet_names)
    except Exception as exc:  # calamine raises a family of errors; all mean "unreadable"
        raise WorkbookError(f"{path.name}: not a readable Excel workbook ({exc})") from exc

    frames, layouts, skipped = [], [], []
    for name in sheet_names:
        if name.startswith("_"):
            continue
        try:
            sheet = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
            grid = sheet.to_pandas()
        except Exception as exc:
            raise WorkbookError(f"{path.name}, sheet '{name}': cannot be read ({exc})") from exc
        grid = clean_grid(grid, path, name, notices)  # control characters, huge cells
        if tcvn3.detect(pd.Series(grid.to_numpy().ravel())):
            grid, changed = tcvn3.convert_frame(grid)
            notices.append(
                {
                    "sheet": name,
                    "code": "WB008",
                    "detail": f"{changed} cells converted from TCVN3 (ABC, .VnTime) to Unicode",
                }
            )
        found = _read_sheet(grid, name)
        if found is None:
            if grid.notna().any().any():
                notices.append(
                    {"sheet": name, "code": "WB002", "detail": "no header row found; sheet ignored"}
                )
            continue
        rows, layout, sheet_skipped, sheet_notices = found
        frames.append(rows)
        layouts.append(layout)
        skipped.append(sheet_skipped)
        notices.extend(sheet_notices)

    if not layouts:
        raise WorkbookError(
            f"{path.name}: no sheet has a recognisable header row (expected labels such as "
            "'Mã hộ', 'Họ và tên chủ hộ', 'Số nhân khẩu')"
        )
    unknown = list(dict.fromkeys(c for layout in layouts for c in layout.unknown_columns))
    if unknown:  # reported once per workbook, not once per commune sheet (variant 3)
        notices.append({"code": "WB003", "detail": "kept in the raw layer: " + ", ".join(unknown)})
    rows = pd.concat(frames, ignore_index=True)
    # Every base column exists (blank where the workbook lacks it), so callers never meet a
    # missing key; the missing required ones are reported above (WB005).
    missing = [key for key in BASE_LABELS if key not in rows.columns]
    rows = rows.assign(**dict.fromkeys(missing, None)).astype(dict.fromkeys(missing, "str"))
    rows.insert(0, "source_file", path.name)
    return WorkbookRead(
        path=path,
        file_hash=file_sha256(path),
        rows=rows,
        layouts=layouts,
        skipped=pd.concat(skipped, ignore_index=True),
        notices=notices,
    )


def _header_keys(top: np.ndarray, row: int) -> dict[int, str]:
    """Column position -> key for the known labels in one row of the sheet's top block."""
    keys: dict[int, str] = {}
    for pos, value in enumerate(top[row]):
        if isinstance(value, str):
            key = key_for_label(value)
            if key is not None and key not in keys.values():
                keys[pos] = key
    return keys


def _find_header(grid: pd.DataFrame) -> tuple[list[int], dict[int, str]] | None:
    """The header row(s) and their column keys; a second row under the first is merged in
    (two-level headers, workbook-layout.md variant 2)."""
    # The top rows once as a plain array: row access on an Arrow-backed frame is slow.
    top = grid.iloc[: HEADER_SEARCH_ROWS + 1].to_numpy(dtype=object)
    best_row, best = -1, {}
    for row in range(min(HEADER_SEARCH_ROWS, len(grid))):
        keys = _header_keys(top, row)
        if len(keys) > len(best):
            best_row, best = row, keys
    if len(best) < MIN_HEADER_MATCHES:
        return None
    rows, keys = [best_row], dict(best)
    for neighbour in (best_row + 1, best_row - 1):
        if 0 <= neighbour < len(top):
            extra = {p: k for p, k in _header_keys(top, neighbour).items() if p not in keys}
            extra = {p: k for p, k in extra.items() if k not in keys.values()}
            if extra:
                rows.append(neighbour)
                keys.update(extra)
                break
    if "household_id" not in keys.values():
        return None
    return sorted(rows), keys


def _read_sheet(grid: pd.DataFrame, sheet: str):
    header = _find_header(grid)
    if header is None:
        return None
    header_rows, keys = header
    last_header = header_rows[-1]
    labels = {
        pos: next(
            grid.iat[r, pos]
            for r in header_rows
            if isinstance(grid.iat[r, pos], str) and key_for_label(grid.iat[r, pos]) == key
        )
        for pos, key in keys.items()
    }
    # Unknown columns: a label in any header row but no key; kept as `extra:<label>`.
    unknown: dict[int, str] = {}
    for pos in range(grid.shape[1]):
        if pos in keys:
            continue
        texts = [grid.iat[r, pos] for r in header_rows if isinstance(grid.iat[r, pos], str)]
        if texts:
            unknown[pos] = texts[-1].strip()

    body = grid.iloc[last_header + 1 :]
    data = pd.DataFrame(
        {keys[p]: body.iloc[:, p] for p in sorted(keys)}
        | {f"extra:{label}": body.iloc[:, p] for p, label in sorted(unknown.items())},
        index=body.index,
    )
    data = data.apply(lambda s: s.str.strip()).replace("", None)
    kinds = _row_kinds(body)
    excel_row = pd.Series(body.index + 1, index=body.index)

    is_data = kinds == "data"
    rows = data[is_data].copy()
    rows.insert(0, "excel_row", excel_row[is_data].astype("int64"))
    rows.insert(0, "sheet", sheet)
    skipped = pd.DataFrame(
        {"sheet": sheet, "excel_row": excel_row[~is_data], "kind": kinds[~is_data]}
    )
    notices = _totals_checks(body, kinds, excel_row, sheet)
    layout = SheetLayout(
        sheet=sheet,
        header_rows=tuple(r + 1 for r in header_rows),
        columns={keys[p]: labels[p] for p in keys},
        column_letters={keys[p]: column_letter(p) for p in keys}
        | {f"extra:{label}": column_letter(p) for p, label in unknown.items()},
        unknown_columns=list(unknown.values()),
        thousand_dong=any(
            k == "income_per_capita" and is_thousand_dong(labels[p]) for p, k in keys.items()
        ),
    )
    if "commune" not in rows.columns:
        # One sheet per commune without a commune column: the sheet's name is the commune
        # (validated like a typed commune, HH021).
        rows["commune"] = sheet.strip()
        notices.append({"sheet": sheet, "code": "WB010", "detail": f"commune = '{sheet}'"})
    missing = [k for k in REQUIRED_COLUMNS if k not in rows.columns]
    if "income_per_capita" not in rows.columns and not {
        "income_score",
        "deprivation_score",
    } <= set(rows.columns):
        missing.append("income_per_capita")
    if missing:
        notices.append({"sheet": sheet, "code": "WB005", "detail": ", ".join(missing)})
    return rows.reset_index(drop=True), layout, skipped.reset_index(drop=True), notices


def _row_kinds(body: pd.DataFrame) -> pd.Series:
    """data | blank | totals | signature, for every row under the header."""
    stripped = body.apply(lambda s: s.str.strip())
    filled = (stripped.notna() & stripped.ne("")).astype(bool)
    kinds = pd.Series("data", index=body.index, dtype="str")
    kinds[~filled.any(axis=1)] = "blank"
    # Totals and signature rows hold at most three cells: only those rows' first filled cell
    # is folded and matched (a household row never is; this keeps the reader linear and fast).
    few = (kinds == "data") & (filled.sum(axis=1) <= 3)
    if few.any():
        mask = filled[few].to_numpy()
        cells = body[few].to_numpy(dtype=object)
        first = cells[np.arange(len(cells)), mask.argmax(axis=1)]
        first_text = pd.Series([fold(v) for v in first], index=kinds.index[few], dtype="str")
        kinds[first_text[first_text.str.match(_TOTALS.pattern)].index] = "totals"
        signature = first_text.str.contains(_SIGNATURE.pattern) & (kinds[few] == "data")
        kinds[signature[signature].index] = "signature"
    return kinds


def _totals_checks(body, kinds, excel_row, sheet) -> list[dict[str, object]]:
    """A totals row's household count must equal the data rows above it (variant 6): those
    since the previous totals row (a commune's subtotal) or all of them (a grand total)."""
    notices = []
    data_since_last = data_all = 0
    for idx, kind in kinds.items():
        if kind == "data":
            data_since_last += 1
            data_all += 1
        elif kind == "totals":
            numbers = [
                int(float(v))
                for v in body.loc[idx].dropna().tolist()
                if re.fullmatch(r"\d+(\.0+)?", str(v).strip())
            ]
            if numbers and data_since_last not in numbers and data_all not in numbers:
                notices.append(
                    {
                        "sheet": sheet,
                        "excel_row": int(excel_row[idx]),
                        "code": "WB004",
                        "detail": f"totals row says {numbers[0]} households; "
                        f"the rows above hold {data_since_last}",
                    }
                )
            data_since_last = 0
    return notices
