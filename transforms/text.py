"""Folding text for comparison: the one normal form labels, names and values are matched in."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


def fold(text: object) -> str:
    """Case-, spacing-, punctuation- and diacritic-insensitive form of a label or value:
    `Mã hộ`, `MA HO` and `Ma  ho` all fold to `ma ho` (workbook-layout.md, variant 4)."""
    return _fold_text(str(text))


@lru_cache(maxsize=1 << 16)
def _fold_text(text: str) -> str:
    # Cached: the reader folds the same header labels and titles in every commune sheet.
    s = unicodedata.normalize("NFD", text).lower()
    s = "".join(ch for ch in s if unicodedata.category(ch) != "Mn")
    s = s.replace("đ", "d")
    s = re.sub(r"[^0-9a-z]+", " ", s)
    return s.strip()
