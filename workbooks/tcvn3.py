"""Legacy TCVN3 (ABC, `.VnTime` font) text: detect it and convert it to Unicode.

Offices that still type with the ABC keyboard driver and `.VnTime` fonts store Vietnamese as
single-byte TCVN3 (TCVN 5712:1993, VN3). Excel keeps those bytes as Latin-1 characters, so
`Mường Nhé` arrives as `M\xadêng NhÐ` (workbook-layout.md, variant 9). The table below is the
VN3 byte -> Unicode mapping: lower-case letters with their tones, and the upper-case base
letters Ă Â Ê Ô Ơ Ư Đ (VN3 has no upper-case toned letters; `.VnTimeH` draws the lower-case
bytes as capitals, so they convert to lower case).

Pure functions: no I/O. The reader decides which sheets to convert (workbooks/reader.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# VN3 byte (as the Latin-1 character Excel stores) -> Unicode letter.
TCVN3_TO_UNICODE: dict[str, str] = {
    # a
    "\xb5": "à", "\xb8": "á", "\xb6": "ả", "\xb7": "ã", "\xb9": "ạ",
    "\xa8": "ă", "\xbb": "ằ", "\xbe": "ắ", "\xbc": "ẳ", "\xbd": "ẵ", "\xc6": "ặ",
    "\xa9": "â", "\xc7": "ầ", "\xca": "ấ", "\xc8": "ẩ", "\xc9": "ẫ", "\xcb": "ậ",
    # d
    "\xae": "đ",
    # e
    "\xcc": "è", "\xd0": "é", "\xce": "ẻ", "\xcf": "ẽ", "\xd1": "ẹ",
    "\xaa": "ê", "\xd2": "ề", "\xd5": "ế", "\xd3": "ể", "\xd4": "ễ", "\xd6": "ệ",
    # i
    "\xd7": "ì", "\xdd": "í", "\xd8": "ỉ", "\xdc": "ĩ", "\xde": "ị",
    # o
    "\xdf": "ò", "\xe3": "ó", "\xe1": "ỏ", "\xe2": "õ", "\xe4": "ọ",
    "\xab": "ô", "\xe5": "ồ", "\xe8": "ố", "\xe6": "ổ", "\xe7": "ỗ", "\xe9": "ộ",
    "\xac": "ơ", "\xea": "ờ", "\xed": "ớ", "\xeb": "ở", "\xec": "ỡ", "\xee": "ợ",
    # u
    "\xef": "ù", "\xf3": "ú", "\xf1": "ủ", "\xf2": "ũ", "\xf4": "ụ",
    "\xad": "ư", "\xf5": "ừ", "\xf8": "ứ", "\xf6": "ử", "\xf7": "ữ", "\xf9": "ự",
    # y
    "\xfa": "ỳ", "\xfd": "ý", "\xfb": "ỷ", "\xfc": "ỹ", "\xfe": "ỵ",
    # upper-case base letters
    "\xa1": "Ă", "\xa2": "Â", "\xa3": "Ê", "\xa4": "Ô", "\xa5": "Ơ", "\xa6": "Ư", "\xa7": "Đ",
}  # fmt: skip

_TABLE = str.maketrans(TCVN3_TO_UNICODE)

# Latin-1 letters that Unicode Vietnamese itself uses (à á â ã è é ê ì í ò ó ô õ ù ú ý and
# capitals): a VN3 byte among them is ambiguous. Every other VN3 byte (µ ¸ ¨ ­ ® ª « ¬ Ð ß ...)
# never occurs in Unicode Vietnamese and marks the text as VN3.
_UNICODE_VIETNAMESE_LATIN1 = frozenset("àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ")
MARKERS = frozenset(TCVN3_TO_UNICODE) - _UNICODE_VIETNAMESE_LATIN1
_VN3_CHARS = frozenset(TCVN3_TO_UNICODE)

# A sheet is VN3 when at least this many distinct cell texts carry a marker (one stray `®`
# or `×` in a note is not enough), or when every candidate text does.
MIN_MARKED_TEXTS = 3
# The markers by code point less 0x80 (every one is Latin-1, U+00A1-U+00FE): `holds_marker`.
_MARKER_CODES = np.zeros(0x80, dtype=bool)
_MARKER_CODES[[ord(ch) - 0x80 for ch in MARKERS]] = True


def to_unicode(text: str) -> str:
    """Convert one VN3 text to Unicode (characters outside the table are kept)."""
    return text.translate(_TABLE)


def _char_class(chars: frozenset[str]) -> str:
    return "[" + "".join(re.escape(ch) for ch in sorted(chars)) + "]"


_VN3_RE = _char_class(_VN3_CHARS)
_MARKER_RE = _char_class(MARKERS)
_BEYOND_LATIN1_RE = r"[^\x00-\xff]"


def _texts(values: pd.Series) -> pd.Series:
    """Distinct non-empty texts of a column or grid, as a string series."""
    return pd.Series(pd.unique(values.dropna()), dtype="str")


def candidates(texts: pd.Series) -> pd.Series:
    """Which texts could be VN3: only Latin-1 characters, at least one of them a VN3 byte.
    A text holding any character beyond Latin-1 (ư, ơ, đ, ạ ...) is Unicode already."""
    return texts.str.contains(_VN3_RE) & ~texts.str.contains(_BEYOND_LATIN1_RE)


def holds_marker(utf8: np.ndarray) -> bool:
    """Whether UTF-8 text (a sheet's cells end to end, `guard.text_bytes`) holds a marker
    anywhere. `detect` says VN3 only of texts holding one, so a sheet without any is not VN3
    and its distinct texts need not be gathered (the usual sheet: _distinct_texts and detect,
    0.21 s for the sample province's 140 sheets, become this scan, 0.01 s)."""
    # U+0080-U+00FF take two bytes in UTF-8: 0xC2 or 0xC3, then one of 0x80-0xBF. Never a
    # marker missed; a false hit (bytes of no character) only costs the distinct texts.
    lead = np.flatnonzero((utf8[:-1] & 0xFE) == 0xC2)
    code = ((utf8[lead] & 0x01).astype(np.intp) << 6) | (utf8[lead + 1] & 0x3F)
    return bool(_MARKER_CODES[code].any())


def detect(values: pd.Series) -> bool:
    """Whether a sheet's cell values are VN3 text."""
    # Distinct texts, tested with Arrow's regex kernels (what pandas' Arrow strings use too).
    try:
        texts = pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed objects: pandas makes them text
        texts = None
    if texts is None or not (
        pa.types.is_string(texts.type) or pa.types.is_large_string(texts.type)
    ):
        texts = pa.array(_texts(values), type=pa.large_string())
    texts = pc.unique(pc.drop_null(texts))
    candidate = pc.and_(
        pc.match_substring_regex(texts, _VN3_RE),
        pc.invert(pc.match_substring_regex(texts, _BEYOND_LATIN1_RE)),
    )
    marked_mask = pc.and_(candidate, pc.match_substring_regex(texts, _MARKER_RE))
    marked = int(pc.sum(marked_mask).as_py() or 0)
    return marked >= MIN_MARKED_TEXTS or (
        marked > 0 and marked == int(pc.sum(candidate).as_py() or 0)
    )


def convert_frame(
    grid: pd.DataFrame, typed_as_is: Callable[[str], bool]
) -> tuple[pd.DataFrame, int]:
    """The VN3 columns of a sheet converted (those holding a text with a marker; returns the
    grid and the cells changed): in each, every VN3 candidate cell but those `typed_as_is`
    says are Unicode already (a template's header labels: "Nguyên nhân nghèo" reads as VN3
    "Nguyờn nhõn nghốo"). Columns without a marker stay as they are: a template's Unicode
    "Nông thôn" beside a village column typed in VN3 is no VN3 ("Nụng thụn")."""
    converted, changed = grid.copy(), 0
    for column in grid.columns:
        texts = _texts(grid[column])
        chosen = texts[candidates(texts)]
        if chosen.empty or not chosen.str.contains(_MARKER_RE).any():
            continue
        chosen = chosen[~chosen.map(typed_as_is).astype(bool)]
        mapping = dict(zip(chosen, chosen.map(to_unicode), strict=True))
        changed += int(grid[column].isin(list(mapping)).sum())
        converted[column] = grid[column].replace(mapping)
    return converted, changed
