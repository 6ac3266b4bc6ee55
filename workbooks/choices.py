"""Columns split into their choices, as Vietnamese forms print them: a header cell over one
column per value, the household's row marking one of them ("Giới tính chủ hộ" over "Nam" |
"Nữ", "Khu vực" over "Nông thôn" | "Thành thị"). The mark is an x, or what the form asks
there (the head's birth year under Nam or Nữ). The key's value is the marked column's
sub-header, as if typed; a row marking two is left for validation to reject (HH037, HH016),
one marking none is blank. Read otherwise, the x under the first choice was an invalid value
and the household rejected."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from transforms import normalise

# The keys whose columns a form may split, and the parser that knows their values.
CHOICE_PARSERS = {
    "head_sex": normalise.parse_sex,
    "area": normalise.parse_area,
    "commune_classification": normalise.parse_classification,  # Hộ nghèo | Hộ cận nghèo
}


def choice_groups(
    top: list[list[object]], header_rows: list[int], keys: dict[int, str]
) -> tuple[dict[int, list[tuple[int, str]]], set[int]]:
    """Key position -> its choices (position, sub-header) where the key's header cell sits
    over two or more cells of the row below it, each naming one of the key's values, the
    key's row blank above all but the first (a merged cell); and the rows of those cells."""
    groups: dict[int, list[tuple[int, str]]] = {}
    rows: set[int] = set()
    for pos, key in keys.items():
        parser = CHOICE_PARSERS.get(key)
        row = next((r for r in header_rows if isinstance(top[r][pos], str)), None)
        if parser is None or row is None or row + 1 >= len(top):
            continue
        below, cells, p = top[row + 1], [], pos
        while (
            p < len(below) and (p == pos or top[row][p] is None) and _names_value(below[p], parser)
        ):
            cells.append((p, str(below[p]).strip()))
            p += 1
        if len(cells) >= 2:
            groups[pos] = cells
            rows.add(row + 1)
    return groups, rows


def _names_value(cell: object, parser) -> bool:
    return isinstance(cell, str) and bool(parser(pd.Series([cell], dtype="str")).notna().all())


def chosen(columns: list[pa.Array], labels: list[str]) -> pa.Array:
    """Each row's choice: the label of the one column it marks (any text but a "no": 0,
    không, -), missing where it marks none, the labels joined where it marks several."""
    marks = np.column_stack([_marked(c) for c in columns])
    names = np.array(labels, dtype=object)
    values = ["; ".join(names[row]) if row.any() else None for row in marks]
    return pa.array(values, pa.large_string())


def _marked(column: pa.Array) -> np.ndarray:
    text = pd.Series(column.to_pandas(), dtype="str")
    said_no = normalise.parse_flag(text).eq(False).fillna(False)
    return (text.notna() & (text != "") & ~said_no).to_numpy(bool)
