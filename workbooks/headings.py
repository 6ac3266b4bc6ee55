"""Rows inside a household table that head a part of it, not households.

Officers paste tables together and print a header on every page, so the sheet's header comes
back between households; and many lists group households by village under a row that names
the village alone ("I. Bản Huổi Lếch"), leaving the village cell of the households below it
blank. Both kinds were read as households and rejected on every column, and the households
under a village row were rejected for a missing village (HH005). They are skipped and counted
as `heading` rows; a household under a village row whose village cell is blank takes the
village the row names, and the sheet's notice (WB034) says which rows gave which village. A
village typed in the household's own cell is never changed. A province's export groups its
communes the same way, under a row naming the commune ("I. XÃ NA SON"): its households take
that commune (WB037), and a village row's reach ends at the next commune row.

Lists grouped by status head each group with a row of its own ("A. HỘ NGHÈO", "B. HỘ CẬN
NGHÈO"): a heading too, naming no place.

Templates also number their rows, or fill the commune and area, far below the last household:
a row holding nothing but its number and its place names no household. It is skipped as a
blank row, and the sheet's notice (WB036) says which rows were.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from transforms.text import fold

# A village row: an optional ordinal (I., 1., A/), then a word for a village-level unit with
# its diacritics (Bản, not the Dao surname Bàn), a colon or not ("Bản: Hô Cang"), then the
# name. Matched case-insensitively on the cell as typed; the place is the word and the name.
_VILLAGE_WORDS = (
    "bản|thôn|tổ dân phố|tdp|tổ|xóm|khối|khóm|đội|làng|bon|buôn|ấp|khu phố|khu dân cư|phum|sóc"
    "|thon|xom|to dan pho"
)
_VILLAGE_ROW = re.compile(
    rf"(?:(?:[ivxlc]+|\d{{1,3}}|[a-z])\s*[.):/-]\s*|(?:[ivxlc]+|\d{{1,3}})\s+)?"
    rf"({_VILLAGE_WORDS})\s*:?\s+(\S.*)",
    re.IGNORECASE | re.DOTALL,
)
# A commune row, likewise: "I. XÃ NA SON", "Phường Mường Thanh", "Thị trấn Tủa Chùa".
_COMMUNE_ROW = re.compile(
    r"(?:(?:[ivxlc]+|\d{1,3}|[a-z])\s*[.):/-]\s*|(?:[ivxlc]+|\d{1,3})\s+)?"
    r"(xã|phường|thị trấn|đặc khu)\s*:?\s+(\S.*)",
    re.IGNORECASE | re.DOTALL,
)
# A row heading a group of households by status, folded: "A. HỘ NGHÈO", "II. Hộ cận nghèo",
# "C. HỘ CÓ MỨC SỐNG TRUNG BÌNH VÀ HỘ KHÁC", "Danh sách hộ thoát nghèo".
_SECTION_ROW = re.compile(
    r"(?:(?:[ivxlc]+|\d{1,3}|[a-z]) )?(?:danh sach )?(?:cac )?ho (?:ngheo|can ngheo|"
    r"khong ngheo|co muc song|thoat ngheo|moi thoat|tai ngheo|ngheo moi|can ngheo moi|khac)"
    r"(?: .*)?"
)
# What else a village row may hold: its ordinal, or its number of households ("25", "25 hộ").
_BESIDE = re.compile(r"[ivxlc]+[.)]?|[a-z][.)]?|\d{1,4}(?:[.)]|\s*hộ)?", re.IGNORECASE)
# A village row holds at most this many cells (its ordinal, its name, its count).
_MOST_CELLS = 3
# The label of the column a sheet without one gets from its village or commune rows.
FROM_ROWS = {"village": "(dòng ghi tên thôn, bản)", "commune": "(dòng ghi tên xã, phường)"}
# The notice saying which households took their place from such rows.
_FROM_ROWS_CODE = {"village": "WB034", "commune": "WB037"}
FROM_SHEET_NAME = "(tên trang tính)"  # one sheet per village (WB035)
# How many rows a WB034 or WB037 notice names (then "…").
_NAMED = 10
# A row's number, as templates head the column (folded): "STT", "TT", "Số TT", "Số thứ tự".
SERIAL_LABELS = frozenset({"stt", "tt", "so tt", "so thu tu"})
# The columns a template fills in before any household is written.
PLACE_KEYS = frozenset({"district", "commune", "village", "area"})


def repeated_header_rows(
    kinds: np.ndarray, stripped: list[pa.Array], filled: np.ndarray, header: dict[int, set[str]]
) -> np.ndarray:
    """Data rows that repeat the sheet's heading: at least two cells equal a heading cell of
    their own column (`header`: position -> the texts of the heading rows there), and those are
    at least half the row's cells. A household never equals its header in two columns."""
    count = filled.sum(axis=0) if len(filled) else np.zeros(len(kinds), np.int64)
    matches = np.zeros(len(kinds), np.int64)
    for pos, texts in header.items():
        column = stripped[pos]
        hit = pc.is_in(column, value_set=pa.array(sorted(texts), type=column.type))
        matches += pc.fill_null(hit, False).to_numpy(zero_copy_only=False)
    return (kinds == "data") & (matches >= 2) & (2 * matches >= count)


def place_rows(
    kinds: np.ndarray, stripped: list[pa.Array], filled: np.ndarray
) -> dict[str, dict[int, str]]:
    """Data rows that name a commune or a village alone: "commune" and "village" -> row
    position -> the place as typed (without its ordinal). Only rows of at most three cells
    are looked at."""
    few, cells = _short_rows(kinds, stripped, filled, _MOST_CELLS)
    found: dict[str, dict[int, str]] = {"commune": {}, "village": {}}
    for i, row in enumerate(few):
        texts = [unicodedata.normalize("NFC", c[i]) for c in cells if c[i]]
        for key, pattern in (("commune", _COMMUNE_ROW), ("village", _VILLAGE_ROW)):
            names = [_cased(f"{m[1]} {m[2].strip()}") for t in texts if (m := pattern.fullmatch(t))]
            others = [t for t in texts if not pattern.fullmatch(t)]
            if len(names) == 1 and all(_BESIDE.fullmatch(t) for t in others):
                found[key][int(row)] = names[0]
                break
    return found


def _cased(place: str) -> str:
    """A place a heading row names in capitals ("BẢN HÔ CANG", a heading's style) as its
    households' cells write it ("Bản Hô Cang"): one village, not two, in the lists and marts."""
    return place.title() if place.isupper() else place


def section_rows(kinds: np.ndarray, stripped: list[pa.Array], filled: np.ndarray) -> np.ndarray:
    """Data rows that head a group of households by status ("A. HỘ NGHÈO"): one cell, or its
    number of households beside it."""
    few, cells = _short_rows(kinds, stripped, filled, 2)
    found = np.zeros(len(kinds), bool)
    for i, row in enumerate(few):
        texts = [c[i] for c in cells if c[i]]
        heads = [t for t in texts if _SECTION_ROW.fullmatch(fold(t))]
        found[row] = len(heads) == 1 and all(_BESIDE.fullmatch(t) for t in texts if t != heads[0])
    return found


def _short_rows(
    kinds: np.ndarray, stripped: list[pa.Array], filled: np.ndarray, most: int
) -> tuple[np.ndarray, list[list[str | None]]]:
    """The data rows of at most `most` filled cells, and their cells (a list per column):
    only those are matched one by one (a household's row never is)."""
    count = filled.sum(axis=0) if len(filled) else np.zeros(len(kinds), np.int64)
    few = np.flatnonzero((kinds == "data") & (count <= most))
    take = pa.array(few, type=pa.int64())
    return few, [c.take(take).to_pylist() for c in stripped]


def template_rows(kinds: np.ndarray, filled: np.ndarray, template: set[int]) -> np.ndarray:
    """Data rows whose filled cells all lie in the `template` columns (positions of the row
    number and the place columns): a template's numbered or pre-filled rows, no household."""
    outside = [p for p in range(len(filled)) if p not in template]
    holds_more = filled[outside].any(axis=0) if outside else np.zeros(len(kinds), bool)
    return (kinds == "data") & ~holds_more


def template_notice(sheet: str, excel_rows: np.ndarray) -> dict:
    """WB036: the template rows skipped, as Excel row ranges ("47-60")."""
    breaks = np.flatnonzero(np.diff(excel_rows) != 1) + 1
    runs = np.split(excel_rows, breaks)
    spans = [f"{r[0]}" if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs]
    more = ", …" if len(spans) > _NAMED else ""
    return {
        "sheet": sheet,
        "code": "WB036",
        "detail": f"{len(excel_rows)} rows: " + ", ".join(spans[:_NAMED]) + more,
    }


def names_a_village(text: str) -> bool:
    """Whether `text` (a sheet's name) names a village: "Bản Na Son", "Thôn 3"."""
    return _VILLAGE_ROW.fullmatch(unicodedata.normalize("NFC", text.strip())) is not None


def places_below(
    places: dict[int, str | None], positions: np.ndarray, typed: pa.Array | None
) -> tuple[pa.Array, int]:
    """The place of each household at `positions` (row positions, ascending): as typed
    (`typed`, None when the sheet has no such column), or else the place row's above it (a
    None place ends the reach of the rows above). Returns the places and how many came from
    a place row."""
    starts = np.array(sorted(places), dtype=np.int64)
    names = np.array([places[s] for s in starts] + [None], dtype=object)
    above = np.searchsorted(starts, positions, side="right") - 1  # -1: no place row above
    from_rows = pa.array(names[above], pa.large_string())
    if typed is None:
        return from_rows, int(pc.sum(pc.is_valid(from_rows)).as_py() or 0)
    blank = pc.is_null(typed)
    taken = int(pc.sum(pc.and_(blank, pc.is_valid(from_rows))).as_py() or 0)
    return pc.if_else(blank, from_rows, typed), taken


def place_notice(
    key: str, sheet: str, places: dict[int, str], excel_rows: np.ndarray, n: int
) -> dict:
    """WB034 (villages), WB037 (communes): how many households took their place from a row
    naming it, and which rows."""
    named = [f"dòng {int(excel_rows[p])}: {v}" for p, v in sorted(places.items())[:_NAMED]]
    more = "; …" if len(places) > _NAMED else ""
    return {
        "sheet": sheet,
        "code": _FROM_ROWS_CODE[key],
        "detail": f"{n} households; " + "; ".join(named) + more,
    }
