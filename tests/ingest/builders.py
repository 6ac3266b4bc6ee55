"""Builders for the workbook variants of workbook-layout.md, each a real file written by the test
(openpyxl for .xlsx, xlwt for legacy .xls), plus a TCVN3 encoder of our own for variant 9."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import openpyxl
import xlwt

import config
from flows.workbook import process_workbook
from schemas.headers import BASE_LABELS
from tests.factory import BASE_ORDER
from warehouse.writer import UnitLoad
from workbooks.reader import SKIPPED_KINDS

YEAR = 2019
INDICATORS = config.standard_for_year(YEAR).indicators
INDICATOR_KEYS = [i.key for i in INDICATORS]
ALL_KEYS = BASE_ORDER + INDICATOR_KEYS
LABELS = {k: BASE_LABELS[k][0] for k in BASE_ORDER} | {i.key: i.name_vi for i in INDICATORS}


def grid_rows(rows: list[dict[str, object]], keys: list[str]) -> list[list[object]]:
    return [[r.get(k) for k in keys] for r in rows]


def write_grid(path: Path, sheets: dict[str, list[list[object]]], merges=None) -> Path:
    """Any grid of cells, one list per Excel row; `merges` maps sheet -> ['A3:A4', ...]."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, grid in sheets.items():
        ws = wb.create_sheet(name)
        for row in grid:
            ws.append(row)
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_xls(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """A legacy Excel 97-2003 workbook (BIFF8), as older offices still send."""
    book = xlwt.Workbook(encoding="utf-8")
    for name, grid in sheets.items():
        ws = book.add_sheet(name)
        for r, row in enumerate(grid):
            for c, value in enumerate(row):
                if value is not None:
                    ws.write(r, c, value)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(str(path))
    return path


def canonical_grid(rows: list[dict[str, object]], keys: list[str] = ALL_KEYS) -> list[list]:
    """Title, blank, header, data, totals, blank, signature."""
    return [
        [f"DANH SÁCH HỘ GIA ĐÌNH RÀ SOÁT NĂM {YEAR}"],
        [],
        [LABELS.get(k, k) for k in keys],
        *grid_rows(rows, keys),
        ["Tổng cộng", len(rows)],
        [],
        ["", "", "Người lập biểu"],
    ]


def process(path: Path, **kwargs: object) -> UnitLoad:
    return process_workbook(path, YEAR, config.load_province(), **kwargs)


def closes(load: UnitLoad) -> bool:
    """rows read = loaded + rejected + blank + totals + signature + heading."""
    f = load.file_record
    parts = ("rows_loaded", "rows_rejected", *(f"rows_{kind}" for kind in SKIPPED_KINDS))
    return f["rows_read"] == sum(f[k] for k in parts)


def codes(load: UnitLoad) -> list[str]:
    return sorted(load.rejections["rule_code"])


# Our own Unicode -> TCVN3 (ABC) table, written from the VN3 code chart independently of
# workbooks/tcvn3.py: base letter + tone -> byte. Tones: "", grave, hook, tilde, acute, dot.
_VN3_ROWS = {
    "a": "a\xb5\xb6\xb7\xb8\xb9",
    "ă": "\xa8\xbb\xbc\xbd\xbe\xc6",
    "â": "\xa9\xc7\xc8\xc9\xca\xcb",
    "e": "e\xcc\xce\xcf\xd0\xd1",
    "ê": "\xaa\xd2\xd3\xd4\xd5\xd6",
    "i": "i\xd7\xd8\xdc\xdd\xde",
    "o": "o\xdf\xe1\xe2\xe3\xe4",
    "ô": "\xab\xe5\xe6\xe7\xe8\xe9",
    "ơ": "\xac\xea\xeb\xec\xed\xee",
    "u": "u\xef\xf1\xf2\xf3\xf4",
    "ư": "\xad\xf5\xf6\xf7\xf8\xf9",
    "y": "y\xfa\xfb\xfc\xfd\xfe",
}
_TONES = ["", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]
_UPPER = {"Ă": "\xa1", "Â": "\xa2", "Ê": "\xa3", "Ô": "\xa4", "Ơ": "\xa5", "Ư": "\xa6", "Đ": "\xa7"}


def _encode_table() -> dict[str, str]:
    table = {"đ": "\xae"} | _UPPER
    for base, row in _VN3_ROWS.items():
        for tone, byte in zip(_TONES, row, strict=True):
            table[unicodedata.normalize("NFC", base + tone)] = byte
    return table


ENCODE = _encode_table()


def to_tcvn3(text: str) -> str:
    """Unicode Vietnamese as a .VnTime user's cell holds it (no upper-case toned letters in
    VN3: callers use texts whose capitals are untoned)."""
    return "".join(ENCODE.get(ch, ch) for ch in unicodedata.normalize("NFC", text))
