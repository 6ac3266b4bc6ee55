"""Read a district workbook into a text frame: every data row, every cell as text.

I/O lives here and nowhere else on the ingest path. Reading uses fastexcel (Rust, calamine):
about 100,000 rows a second on this machine against about 7,000 for openpyxl, and it reads
legacy `.xls` too. Each sheet is loaded whole as text (`header_row=None, skip_rows=0`, so
frame row i is Excel row i + 1), the header row is found by its labels, and every row below it
is sorted into data, blank, totals or signature rows; none is dropped without being counted.
The cells are worked on column-wise as Arrow arrays (pyarrow.compute: strip, compare, regex),
never one Python call per cell: per-cell code made reading 7x slower than calamine itself.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import fastexcel
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from schemas.headers import BASE_LABELS, is_thousand_dong, key_for_label
from transforms.text import fold
from workbooks import tcvn3
from workbooks.errors import WorkbookError
from workbooks.guard import cells_clean, check_workbook, clean_grid

# How far down a sheet the header row may sit (title rows above it).
HEADER_SEARCH_ROWS = 40
# A header row must name at least this many known columns, household id among them.
MIN_HEADER_MATCHES = 3

_TOTALS = re.compile(r"^(tong cong|cong|tong so|tong)\b")
_SIGNATURE = re.compile(
    r"ngay .*thang|nguoi lap|thu truong|xac nhan|ky ten|ky ghi ro|chu tich|truong ban"
)

META_COLUMNS = ("source_file", "sheet", "excel_row")


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

    tables, layouts, skipped = [], [], []
    for name in sheet_names:
        if name.startswith("_"):
            continue
        try:
            sheet = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
            batch = sheet.to_arrow()
        except Exception as exc:
            raise WorkbookError(f"{path.name}, sheet '{name}': cannot be read ({exc})") from exc
        # The sheet is worked on column-wise as Arrow arrays (Arrow kernels, no per-cell
        # Python); a pandas grid (fastexcel's to_pandas()) is made only for a sheet to repair.
        columns = _texts(batch.columns)
        grid = None
        if not cells_clean(columns):
            grid = batch.to_pandas()
            grid = clean_grid(grid, path, name, notices)  # control characters, huge cells
            columns = _columns(grid)
        if tcvn3.detect(_distinct_texts(columns)):
            grid = batch.to_pandas() if grid is None else grid
            grid, changed = tcvn3.convert_frame(grid)
            columns = _columns(grid)
            notices.append(
                {
                    "sheet": name,
                    "code": "WB008",
                    "detail": f"{changed} cells converted from TCVN3 (ABC, .VnTime) to Unicode",
                }
            )
        found = _read_sheet(batch.num_rows, columns, name)
        if found is None:
            if any(c.null_count < len(c) for c in columns):
                notices.append(
                    {"sheet": name, "code": "WB002", "detail": "no header row found; sheet ignored"}
                )
            continue
        rows, layout, sheet_skipped, sheet_notices = found
        tables.append(rows)
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
    # The sheets are joined as Arrow (a column missing from a sheet is null there) and made a
    # pandas frame once: per-sheet frames cost more than the reading itself.
    table = pa.concat_tables(tables, promote_options="default")
    # Every base column exists (blank where the workbook lacks it), so callers never meet a
    # missing key; the missing required ones are reported above (WB005).
    for key in BASE_LABELS:
        if key not in table.column_names:
            table = table.append_column(key, pa.nulls(table.num_rows, pa.large_string()))
    rows = table.to_pandas()
    rows.insert(0, "source_file", path.name)
    return WorkbookRead(
        path=path,
        file_hash=file_sha256(path),
        rows=rows,
        layouts=layouts,
        skipped=pd.DataFrame(
            {
                "sheet": pd.Series(np.concatenate([s for s, _, _ in skipped]), dtype="str"),
                "excel_row": np.concatenate([r for _, r, _ in skipped]),
                "kind": pd.Series(np.concatenate([k for _, _, k in skipped]), dtype="str"),
            }
        ),
        notices=notices,
    )


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


def _header_keys(top: list[list[object]], row: int) -> dict[int, str]:
    """Column position -> key for the known labels in one row of the sheet's top block."""
    keys: dict[int, str] = {}
    for pos, value in enumerate(top[row]):
        if isinstance(value, str):
            key = key_for_label(value)
            if key is not None and key not in keys.values():
                keys[pos] = key
    return keys


def _top_rows(columns: list[pa.Array]) -> list[list[object]]:
    """The sheet's top rows as Python lists (row access on an Arrow-backed frame is slow)."""
    top = [c[: HEADER_SEARCH_ROWS + 1].to_pylist() for c in columns]
    return [list(row) for row in zip(*top, strict=True)]


def _find_header(n_rows: int, top: list[list[object]]) -> tuple[list[int], dict[int, str]] | None:
    """The header row(s) and their column keys; a second row under the first is merged in
    (two-level headers, workbook-layout.md variant 2)."""
    best_row, best = -1, {}
    for row in range(min(HEADER_SEARCH_ROWS, n_rows)):
        if len(best) >= MIN_HEADER_MATCHES and row > best_row + 2:
            break  # past a header and the row under it: the rest is data
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


def _read_sheet(n_rows: int, columns: list[pa.Array], sheet: str):
    """`columns` are the sheet's columns as Arrow arrays (row i is Excel row i + 1). Returns
    the data rows (an Arrow table: sheet, excel_row, then the column keys as text), the
    layout, the skipped rows as (sheet, excel_row, kind) arrays, and the sheet's notices."""
    top = _top_rows(columns)
    header = _find_header(n_rows, top)
    if header is None:
        return None
    header_rows, keys = header
    last_header = header_rows[-1]
    labels = {
        pos: next(
            top[r][pos]
            for r in header_rows
            if isinstance(top[r][pos], str) and key_for_label(top[r][pos]) == key
        )
        for pos, key in keys.items()
    }
    # Unknown columns: a label in any header row but no key; kept as `extra:<label>`.
    unknown: dict[int, str] = {}
    for pos in range(len(columns)):
        if pos in keys:
            continue
        texts = [top[r][pos] for r in header_rows if isinstance(top[r][pos], str)]
        if texts:
            unknown[pos] = texts[-1].strip()

    body_columns = [c[last_header + 1 :] for c in columns]
    # Column-wise on Arrow: every cell stripped once (Unicode whitespace, as str.strip).
    stripped = [pc.utf8_trim_whitespace(c) for c in body_columns]
    filled = [
        pc.fill_null(pc.not_equal(c, ""), False).to_numpy(zero_copy_only=False) for c in stripped
    ]
    kinds = _row_kinds(n_rows - (last_header + 1), stripped, filled)
    excel_row = np.arange(last_header + 1, n_rows, dtype=np.int64) + 1

    is_data = kinds == "data"
    keep = np.flatnonzero(is_data)
    named = {keys[p]: p for p in sorted(keys)} | {
        f"extra:{label}": p for p, label in sorted(unknown.items())
    }
    take = pa.array(keep, type=pa.int64())
    data = {
        "sheet": pa.array(np.full(len(keep), sheet, dtype=object), pa.large_string()),
        "excel_row": pa.array(excel_row[keep], pa.int64()),
    }
    missing_text = pa.scalar(None, pa.large_string())
    for name, p in named.items():
        values = stripped[p].take(take).cast(pa.large_string())  # pandas' Arrow string type
        data[name] = pc.if_else(pc.equal(values, ""), missing_text, values)  # empty: missing
    skipped = (np.full((~is_data).sum(), sheet, dtype=object), excel_row[~is_data], kinds[~is_data])
    notices = _totals_checks(body_columns, kinds, excel_row, sheet)
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
    if "commune" not in data:
        # One sheet per commune without a commune column: the sheet's name is the commune
        # (validated like a typed commune, HH021).
        data["commune"] = pa.array(np.full(len(keep), sheet.strip(), object), pa.large_string())
        notices.append({"sheet": sheet, "code": "WB010", "detail": f"commune = '{sheet}'"})
    return pa.table(data), layout, skipped, notices


def _row_kinds(n_rows: int, stripped: list[pa.Array], filled: list[np.ndarray]) -> np.ndarray:
    """data | blank | totals | signature, for every row under the header (`stripped` are the
    body's columns stripped, `filled` whether each of their cells holds text)."""
    count = np.sum(filled, axis=0, dtype=np.int64) if filled else np.zeros(n_rows, np.int64)
    kinds = np.full(n_rows, "data", dtype=object)
    kinds[count == 0] = "blank"
    # Totals and signature rows hold at most three cells: only those rows' first filled cell
    # is folded and matched (a household row never is; this keeps the reader linear and fast).
    few = np.flatnonzero((count > 0) & (count <= 3))
    if len(few):
        first_pos = np.column_stack([f[few] for f in filled]).argmax(axis=1)
        take = pa.array(few, type=pa.int64())
        cells = [c.take(take).to_pylist() for c in stripped]
        for i, (row, pos) in enumerate(zip(few, first_pos, strict=True)):
            text = fold(cells[pos][i])
            if _TOTALS.match(text):
                kinds[row] = "totals"
            elif _SIGNATURE.search(text):
                kinds[row] = "signature"
    return kinds


def _totals_checks(
    body_columns: list[pa.Array], kinds: np.ndarray, excel_row: np.ndarray, sheet: str
) -> list[dict[str, object]]:
    """A totals row's household count must equal the data rows above it (variant 6): those
    since the previous totals row (a commune's subtotal) or all of them (a grand total)."""
    notices = []
    # Data rows counted up to each row; only the (few) totals rows are visited.
    data_upto = np.cumsum(kinds == "data")
    previous = 0
    for position in np.flatnonzero(kinds == "totals"):
        data_all = int(data_upto[position])
        data_since_last = data_all - previous
        cells = [c[int(position)].as_py() for c in body_columns]
        numbers = [
            int(float(v))
            for v in cells
            if v is not None and re.fullmatch(r"\d+(\.0+)?", str(v).strip())
        ]
        if numbers and data_since_last not in numbers and data_all not in numbers:
            notices.append(
                {
                    "sheet": sheet,
                    "excel_row": int(excel_row[position]),
                    "code": "WB004",
                    "detail": f"totals row says {numbers[0]} households; "
                    f"the rows above hold {data_since_last}",
                }
            )
        previous = data_all
    return notices
