"""What a worksheet's XML says that the cells fastexcel returns do not: where its cells really
are, which cells are merged, which hold a formula error, which sheets are hidden.

The guard (workbooks/guard.py) inflates every part of an `.xlsx` itself; `SheetScan` rides on
that stream for each worksheet part, one numpy pass over the positions of `<` in each chunk
(the same positions the guard's text-length check needs), so no worksheet is parsed twice in
the usual case. It learns, per sheet:

- the `<row>` elements (the row limit), `<dimension ref>` (what the file declares);
- an upper bound of the area calamine will allocate: the columns of the cells that hold a
  value and the number of digits of their row numbers. calamine allocates a dense grid from
  the first to the last cell holding anything (a space included), 32 bytes a cell, before
  fastexcel can apply `n_rows` or `use_columns` (measured: a space in AZ1048576 costs 1.9 GB
  with or without them; XFD1048576 asks for 512 GiB and aborts the process);
- the candidates for formula errors (`<v>#...`) and the merged ranges (`<mergeCell ref>`);
- the formulas whose result the file does not hold (`<f>` with no `<v>` after it, as written by
  programs that leave the computing to Excel): calamine reads them blank, so
  `uncached_formulas` finds them for the reader to report (HH042);
- the cells struck through (`struck_styles` in styles.xml, then `struck_cells`): an officer
  crosses out a household that left the list; calamine reads it like any other (HW005).

Only when the bound is absurd for the sheet does `exact_cells` parse every cell (regex, with
the shared strings) to find the real extent: the last row and column holding a non-blank
value. Cells outside it hold only spaces or nothing; `without_cells` removes them from the
XML handed to calamine. Pure functions on bytes; the decisions (limits, codes) are the guard's.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

_LT, _SLASH, _QUOTE = 60, 47, 34
# Every gather below reads at most this many bytes past an element's `<`; elements closer
# to a chunk's end wait for the next chunk (carried over).
_REACH = 32


def column_number(letters: str) -> int:
    """A -> 1, Z -> 26, AA -> 27, XFD -> 16384."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def column_letters(number: int) -> str:
    """1 -> A, 27 -> AA (1-based, the inverse of `column_number`)."""
    letters = ""
    while number:
        number, rem = divmod(number - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d{1,7})$")


def parse_ref(ref: str) -> tuple[int, int] | None:
    """'B12' -> (row 12, column 2), 1-based; None for anything else."""
    found = _REF.match(ref.strip().upper())
    if found is None:
        return None
    return int(found.group(2)), column_number(found.group(1))


@lru_cache(maxsize=1 << 12)
def parse_range(ref: str) -> tuple[int, int, int, int] | None:
    """'B5:C7' -> (first row, first column, last row, last column), 1-based; 'B5' alone too."""
    first, _, last = ref.partition(":")
    a, b = parse_ref(first), parse_ref(last or first)
    if a is None or b is None:
        return None
    return min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])


@dataclass
class SheetFacts:
    """What the stream of one worksheet part showed (see the module's docstring)."""

    rows: int = 0  # <row> elements
    cells: int = 0  # <c> elements
    valued: int = 0  # <c> elements with content (a value, a formula, an inline string)
    min_col: int = 0  # columns of the cells with content, 1-based (0: none)
    max_col: int = 0
    row_digits: int = 0  # digits of the longest row number among the cells with content
    irregular: bool = False  # a cell whose first attribute is not its reference
    error_candidates: int = 0  # <v> texts starting with '#'
    uncached_formulas: int = 0  # cells ending right after their formula: no cached <v>
    merges: list[str] = field(default_factory=list)
    dimension: str | None = None

    def allocation_bound(self) -> int:
        """Cells calamine may allocate for the sheet, at most (rows below 10^digits)."""
        if not self.valued:
            return 0
        return (10**self.row_digits) * (self.max_col - self.min_col + 1)


class SheetScan:
    """Fed the inflated chunks of a worksheet part in order; `facts` when finished.
    Also finds text nodes longer than `max_run` bytes (the guard's WB025)."""

    _ROOT = re.compile(rb"<(\w+:)?worksheet\b")
    _DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([^"]{1,40})"')
    _MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([^"]{1,40})"')

    def __init__(self, max_run: int) -> None:
        self.max_run = max_run
        self.facts = SheetFacts()
        self.carry = b""
        self.prefix = -1  # length of the elements' namespace prefix ("x:" -> 2), once known
        self.too_long = False
        self.after_formula = False  # the last element seen was `<f ...>` or `</f>`

    def feed(self, chunk: bytes) -> None:
        data = self.carry + chunk if self.carry else chunk
        if self.prefix < 0:
            root = self._ROOT.search(data)
            if root is None and len(data) < 4096:
                self.carry = data
                return
            self.prefix = len(root.group(1) or b"") if root else 0
            dimension = self._DIMENSION.search(data, 0, 65536)
            if dimension is not None:
                self.facts.dimension = dimension.group(1).decode("ascii", "replace")
        arr = np.frombuffer(data, np.uint8)
        lt = np.flatnonzero(arr == _LT)
        if len(lt) == 0:
            self.carry = data
            self.too_long = self.too_long or len(data) > self.max_run
            return
        # Text runs: the bytes between two '<' (the guard's bound on a cell's length).
        run = max(int(lt[0]), int(np.diff(lt).max()) if len(lt) > 1 else 0)
        self.too_long = self.too_long or run > self.max_run
        # Elements whose bytes may reach past the end wait for the next chunk.
        cut = int(np.searchsorted(lt, len(data) - _REACH))
        cut = max(min(cut, len(lt) - 1), 0)
        self._elements(arr, lt[: cut + 1], data)
        self.carry = data[lt[cut] :]
        self.too_long = self.too_long or len(self.carry) > self.max_run

    def finish(self) -> SheetFacts:
        if self.carry:
            data, self.carry = self.carry, b""
            if self.prefix < 0:
                root = self._ROOT.search(data)
                self.prefix = len(root.group(1) or b"") if root else 0
            padded = data + b"\0" * _REACH  # the last elements: nothing follows them
            arr = np.frombuffer(padded, np.uint8)
            lt = np.flatnonzero(arr == _LT)
            self._elements(arr, np.append(lt, len(data)), padded)
        return self.facts

    def _elements(self, arr: np.ndarray, lt: np.ndarray, data: bytes) -> None:
        """Every element starting at lt[:-1] (lt[i + 1] is where element i's bytes end).
        One gather over all elements (the byte after '<'); the rest on the few that match."""
        pos, ends = lt[:-1], lt[1:]
        if len(pos) == 0:
            return
        k, f = self.prefix, self.facts
        after = pos + (1 + k)  # the tag's first letter
        first = arr[after]
        # <row ...> (and the rare <rowBreaks>: an upper bound is all the row limit needs)
        at = after[first == 114]
        f.rows += int(np.count_nonzero(arr[at + 1] == 111))
        # <v>#...: a formula error's cached text (or a text formula result starting with '#');
        # '#' is rare in a sheet's XML, so it is looked for in the bytes, then its element.
        hashes = np.flatnonzero(arr[: int(lt[-1])] == 35)
        hashes = hashes[hashes >= 3 + k]
        if len(hashes):
            f.error_candidates += int(
                np.count_nonzero(
                    (arr[hashes - 1] == 62)
                    & (arr[hashes - 2] == 118)
                    & (arr[hashes - 3 - k] == _LT)
                )
            )
        self._uncached(arr, pos, ends, first)
        # <mergeCell ref="..."/>: few, parsed one by one
        for at in pos[first == 109]:
            found = self._MERGE.match(data, int(at), int(at) + 80)
            if found is not None:
                f.merges.append(found.group(1).decode("ascii", "replace"))
        # <c r="B12" ...>: the cells (`<col>`, `<cols>` start with 'c' too)
        is_c = first == 99
        c, c_end = pos[is_c], ends[is_c]
        cell = arr[c + 2 + k] == 32
        if not cell.all():
            c, c_end = c[cell], c_end[cell]
        if len(c) == 0:
            return
        f.cells += len(c)
        # The reference first (`<c r="`): no other attribute of a cell starts with 'r'.
        if not (arr[c + 3 + k] == 114).all():
            f.irregular = True  # positions unknown here: the exact parse decides
            return
        # A cell with content is not self-closing: '/>' does not end its start tag.
        valued = arr[c_end - 2] != _SLASH
        if not valued.all():
            c = c[valued]
        if len(c) == 0:
            return
        f.valued += len(c)
        p = c + (6 + k)
        l0 = arr[p].astype(np.int32) - 64
        l1 = arr[p + 1].astype(np.int32) - 64
        two = (l1 >= 1) & (l1 <= 26)
        if two.any():
            l2 = arr[p + 2].astype(np.int32) - 64
            three = two & (l2 >= 1) & (l2 <= 26)
            col = np.where(three, l0 * 676 + l1 * 26 + l2, np.where(two, l0 * 26 + l1, l0))
            digits = p + 1 + two + three
        else:
            col, digits = l0, p + 1
        lo, hi = int(col.min()), int(col.max())
        f.min_col = lo if not f.min_col else min(f.min_col, lo)
        f.max_col = max(f.max_col, hi)
        while f.row_digits < 8:
            d = arr[digits + f.row_digits]
            if not ((d >= 48) & (d <= 57)).any():
                break
            f.row_digits += 1

    def _uncached(
        self, arr: np.ndarray, pos: np.ndarray, ends: np.ndarray, first: np.ndarray
    ) -> None:
        """Count each `</c>` that follows `<f ...>` or `</f>`, an empty `<v/>` or `<v></v>`
        aside: a formula cell without its cached value (`<c><f>D9/E9</f></c>`, `<f
        t="shared" si="0"/>`, `<f>D9/E9</f><v />` as some writers leave a formula they did
        not compute). An upper bound: `uncached_formulas` decides (an empty `<v></v>` is a
        text formula's cached empty result)."""
        k = self.prefix
        closing = arr[pos + 1] == _SLASH
        letter = np.where(closing, arr[pos + 2 + k], first)
        follows = np.where(closing, arr[pos + 3 + k], arr[pos + 2 + k])
        formula = (letter == 102) & ((follows == 62) | (follows == 32) | (follows == _SLASH))
        cell_end = closing & (letter == 99) & (follows == 62)
        opening_v = ~closing & (letter == 118)
        after = arr[np.minimum(pos + 3 + k, len(arr) - 1)]
        empty = opening_v & ((follows == _SLASH) | ((follows == 32) & (after == _SLASH)))
        pair = opening_v & (follows == 62) & (ends == pos + 3 + k)  # <v> then </v> at once
        empty |= pair | (closing & (letter == 118) & np.concatenate(([False], pair[:-1])))
        if empty.any():
            formula, cell_end = formula[~empty], cell_end[~empty]
        if not len(formula):
            return
        before = np.concatenate(([self.after_formula], formula[:-1]))
        self.facts.uncached_formulas += int(np.count_nonzero(cell_end & before))
        self.after_formula = bool(formula[-1])


# ---------------------------------------------------------------------------------------
# The workbook's sheets: names, parts, visibility (xl/workbook.xml and its relationships).

_SHEET = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)/?>")
_ATTR = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)/?>")


@dataclass(frozen=True)
class SheetEntry:
    name: str
    part: str | None  # e.g. xl/worksheets/sheet2.xml (None: not found)
    state: str  # visible | hidden | veryHidden


def _attrs(text: bytes) -> dict[str, str]:
    return {
        k.decode("utf-8", "replace").split(":")[-1]: html.unescape(v.decode("utf-8", "replace"))
        for k, v in _ATTR.findall(text)
    }


def workbook_sheets(workbook_xml: bytes, rels_xml: bytes | None) -> list[SheetEntry]:
    """The sheets in workbook order with their part and state."""
    targets: dict[str, str] = {}
    for found in _RELATIONSHIP.finditer(rels_xml or b""):
        attrs = _attrs(found.group(1))
        target = attrs.get("Target", "")
        if target.startswith("/"):
            target = target[1:]
        elif target:
            target = "xl/" + target
        targets[attrs.get("Id", "")] = _normalise_part(target)
    sheets = []
    for found in _SHEET.finditer(workbook_xml):
        attrs = _attrs(found.group(1))
        sheets.append(
            SheetEntry(
                name=attrs.get("name", ""),
                part=targets.get(attrs.get("id", "")),
                state=attrs.get("state", "visible"),
            )
        )
    return sheets


def _normalise_part(path: str) -> str:
    parts: list[str] = []
    for piece in path.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts)


# ---------------------------------------------------------------------------------------
# The exact parse (rare: only a sheet whose bound is absurd).

_CELL = re.compile(
    rb"<(?:\w+:)?c\b([^>]*?)(/>|>(.*?)</(?:\w+:)?c>)",
    re.DOTALL,
)
_ROW_START = re.compile(rb"<(?:\w+:)?row\b([^>]*?)/?>")
_V = re.compile(rb"<(?:\w+:)?v(?:\s[^>/]*)?(?:/>|>(.*?)</(?:\w+:)?v>)", re.DOTALL)
_T = re.compile(rb"<(?:\w+:)?t(?:\s[^>/]*)?(?:/>|>(.*?)</(?:\w+:)?t>)", re.DOTALL)
_IS = re.compile(rb"<(?:\w+:)?is\b")
_SI = re.compile(rb"<(?:\w+:)?si\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?si>)", re.DOTALL)
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def cell_text(raw: bytes) -> str:
    """An XML text node as Excel means it: entities and _xHHHH_ escapes decoded."""
    text = html.unescape(raw.decode("utf-8", "replace"))
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def blank_shared_strings(sst_xml: bytes | None) -> set[int]:
    """Indices of the shared strings that are empty or whitespace only."""
    blank = set()
    for i, found in enumerate(_SI.finditer(sst_xml or b"")):
        inner = found.group(1) or b""
        if not "".join(cell_text(t or b"") for t in _T.findall(inner)).strip():
            blank.add(i)
    return blank


@dataclass
class Cell:
    row: int
    col: int
    start: int  # byte span of the <c> element in the sheet's XML
    end: int
    blank: bool  # holds only spaces or an empty text
    text: str  # what it holds (for the messages), shortened


@dataclass
class ExactCells:
    cells: list[Cell]  # every cell holding something (calamine allocates for each)
    last_row: int  # the real extent: the last row and column holding a non-blank value
    last_col: int
    first_col: int


_UNCACHED = re.compile(
    rb"<(?:\w+:)?c\b([^>]*?)(?<!/)>\s*<(?:\w+:)?f\b[^>]*?(?:/>|>([^<]*)</(?:\w+:)?f>)\s*"
    rb"(<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>"
)
# Cell types whose empty cached value is a result: a text formula's empty string.
_TEXT_TYPES = frozenset({"str", "inlineStr"})


def uncached_formulas(xml: bytes) -> list[tuple[str, str]]:
    """The cells holding a formula without its cached result: (reference, the formula's text;
    empty for a cell sharing another cell's formula). Cells without a reference are left out
    (their place is known only by counting, as `exact_cells` does)."""
    found = []
    for match in _UNCACHED.finditer(xml):
        attrs = _attrs(match.group(1))
        if match.group(3) and attrs.get("t") in _TEXT_TYPES:
            continue  # `<v></v>`: the formula's result is an empty text
        if attrs.get("r"):
            found.append((attrs["r"], cell_text(match.group(2) or b"")))
    return found


def exact_cells(xml: bytes, blank_shared: set[int]) -> ExactCells:
    """Every cell with content, with its place (from `r`, or counted as calamine does when
    a row or cell has none) and whether it is blank."""
    cells: list[Cell] = []
    row_starts = [(m.start(), m) for m in _ROW_START.finditer(xml)]
    row_at = 0
    row_i = 0
    current_row = 0
    col = 0
    for found in _CELL.finditer(xml):
        while row_i < len(row_starts) and row_starts[row_i][0] < found.start():
            attrs = _attrs(row_starts[row_i][1].group(1))
            number = attrs.get("r", "")
            current_row = int(number) if number.isdigit() else current_row + 1
            row_at, col = current_row, 0
            row_i += 1
        attrs = _attrs(found.group(1))
        place = parse_ref(attrs.get("r", "")) if "r" in attrs else None
        if place is None:
            place = (max(row_at, 1), col + 1)
        row, col = place
        body = found.group(3)
        if found.group(2) == b"/>" or body is None:
            continue
        kind = attrs.get("t", "n")
        value = _V.search(body)
        if kind == "inlineStr" or _IS.search(body):
            text = "".join(cell_text(t or b"") for t in _T.findall(body))
            blank = not text.strip()
        elif value is None:
            continue  # a formula without a cached value: calamine holds nothing
        else:
            raw = value.group(1) or b""
            if kind == "s":
                index = raw.strip()
                blank = index.isdigit() and int(index) in blank_shared
                text = "" if blank else f"(shared string {index.decode('ascii', 'replace')})"
            else:
                text = cell_text(raw)
                blank = kind not in ("b", "e") and not text.strip()
        cells.append(Cell(row, col, found.start(), found.end(), blank, text[:40]))
    real = [c for c in cells if not c.blank]
    return ExactCells(
        cells=cells,
        last_row=max((c.row for c in real), default=0),
        last_col=max((c.col for c in real), default=0),
        first_col=min((c.col for c in real), default=0),
    )


def cell_ref(row: int, col: int) -> str:
    return f"{column_letters(col)}{row}"


def extent_of(cells: list[Cell]) -> str:
    """'A1:T56': the smallest range holding these cells ('empty' for none)."""
    if not cells:
        return "empty"
    top, left = min(c.row for c in cells), min(c.col for c in cells)
    bottom, right = max(c.row for c in cells), max(c.col for c in cells)
    return f"{cell_ref(top, left)}:{cell_ref(bottom, right)}"


def without_cells(xml: bytes, cells: list[Cell]) -> bytes:
    """The sheet's XML with these cells' elements removed (nothing else changes)."""
    out, at = [], 0
    for cell in sorted(cells, key=lambda c: c.start):
        out.append(xml[at : cell.start])
        at = cell.end
    out.append(xml[at:])
    return b"".join(out)


_FONTS = re.compile(rb"<fonts\b[^>]*>(.*?)</fonts>", re.DOTALL)
_FONT = re.compile(rb"<font\b[^>]*?(?:/>|>(.*?)</font>)", re.DOTALL)
_STRIKE = re.compile(rb'<strike\b(?![^>]*\bval="(?:0|false)")')
_CELL_XFS = re.compile(rb"<cellXfs\b[^>]*>(.*?)</cellXfs>", re.DOTALL)
_XF = re.compile(rb"<xf\b([^>]*)")
_STYLED_CELL = re.compile(rb'<c\b([^>]*?\bs="(\d+)"[^>]*)')


def struck_styles(styles_xml: bytes | None) -> frozenset[int]:
    """The cell formats (positions in `<cellXfs>`) whose font is struck through; none in most
    workbooks, so their sheets are never scanned for them."""
    fonts = _FONTS.search(styles_xml or b"")
    formats = _CELL_XFS.search(styles_xml or b"")
    if fonts is None or formats is None:
        return frozenset()
    struck = {
        i for i, m in enumerate(_FONT.finditer(fonts.group(1))) if _STRIKE.search(m.group(1) or b"")
    }
    if not struck:
        return frozenset()
    return frozenset(
        i
        for i, m in enumerate(_XF.finditer(formats.group(1)))
        if int(_attrs(m.group(1)).get("fontId", "0") or 0) in struck
    )


def struck_cells(xml: bytes, styles: frozenset[int]) -> list[str]:
    """The references of the sheet's cells formatted with one of `styles` (struck through)."""
    refs = []
    for match in _STYLED_CELL.finditer(xml):
        if int(match.group(2)) in styles and (ref := _attrs(match.group(1)).get("r")):
            refs.append(ref)
    return refs
