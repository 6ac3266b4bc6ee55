"""Empty frames of known columns: the "nothing here" answers every workbook gives several
times (no merged cells, no totals sheet, no members sheet, no findings)."""

from __future__ import annotations

from functools import cache

import pandas as pd


def empty_frame(dtypes: dict[str, str]) -> pd.DataFrame:
    """An empty frame of these columns and dtypes, in this order; a copy of one built once
    (building it column by column costs pandas ~1 ms a frame, several times a workbook)."""
    return _template(tuple(dtypes.items())).copy()


@cache
def _template(dtypes: tuple[tuple[str, str], ...]) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in dtypes})
