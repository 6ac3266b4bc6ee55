"""Whether a workbook's new version may replace the units it reports for: the rule, in one place.

A unit (the district up to the 2024 review, the commune from 2025) is replaced by a workbook
only when that workbook's faults are faults of some of its rows (workbook-layout.md, "What bad
input gets"). A workbook is refused, and the unit's loaded version stays (the run ends Partial
naming it; the officer gets the error workbook saying why), when:

1. it has a structural fault (`STRUCTURAL`): a required column missing on a sheet (WB005), the
   indicator columns not those of the review year's standard (WB012, WB013), a title that
   names another year (WB018), a resident-totals row that cannot be used (WB019), most of a
   sheet's incomes implausibly low or high (WB029, WB033: the income in the wrong unit), two
   columns of one name where it is unclear which is the review's (WB041);
2. more than the province's `max_rejected_share` of its household rows are rejected, and
   at least `min_rejected_rows` of them (province.toml; a unit never silently loses a commune
   or a large part of its households, while a few bad rows of a small list load as rows);
3. another workbook of the same year reports for one of its units (WB015): both are refused
   together, unless the province declared the unit split into those files on purpose
   (`raw/<year>/_parts.csv`: columns unit, file);
4. its households are exactly last year's (WB016: a list copied, not reviewed), for a unit of
   at least `IDENTICAL_MIN_HOUSEHOLDS`.
Rows rejected within the share load as usual: the rest of the unit replaces it, and every
report marks the unit's figures as resting on a partial load.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

STRUCTURAL = frozenset({"WB005", "WB012", "WB013", "WB018", "WB019", "WB029", "WB033", "WB041"})
# When the province config does not set its own: a fifth of a unit missing makes its rate
# meaningless; fewer than ten rows are a correction, not a lost commune.
DEFAULT_MAX_REJECTED_SHARE = 0.20
DEFAULT_MIN_REJECTED_ROWS = 10
IDENTICAL_MIN_HOUSEHOLDS = 20  # smaller lists may well repeat last year's unchanged
PARTS_FILE = "_parts.csv"  # in raw/<year>/: sheets and files starting with _ are not data


def workbook_refusal(
    rejections: pd.DataFrame,
    rows_loaded: int,
    rows_rejected: int,
    max_share: float = DEFAULT_MAX_REJECTED_SHARE,
    min_rows: int = DEFAULT_MIN_REJECTED_ROWS,
) -> str | None:
    """Why a workbook may not replace its units on its own findings (rules 1 and 2), in
    Vietnamese for the officer, or None when it may."""
    structural = rejections[rejections["rule_code"].isin(STRUCTURAL)]
    if not structural.empty:
        faults = "; ".join(dict.fromkeys(structural["rule"]))
        return f"lỗi cấu trúc tệp ({faults})"
    rows = rows_loaded + rows_rejected
    if rows and rows_rejected / rows > max_share and rows_rejected >= min_rows:
        return (
            f"{rows_rejected} trên {rows} dòng hộ bị loại ({rows_rejected / rows:.0%}), "
            f"quá ngưỡng {max_share:.0%}"
        )
    return None


def unit_conflicts(
    claims: Mapping[str, set[str]],
    loaded: Mapping[str, set[str]],
    parts: Mapping[str, set[str]],
) -> dict[str, str]:
    """Rule 3: the workbooks of this run (`claims`: file -> its units) that report for a unit
    another workbook of the year also reports for: this run's (`claims`) or one already loaded
    and left unchanged (`loaded`: file -> units). Files a unit is declared split into
    (`parts`: unit -> files) are one workbook. Returns file -> the other files, named."""
    by_unit: dict[str, set[str]] = {}
    for files in (claims, loaded):
        for name, units in files.items():
            for unit in units:
                by_unit.setdefault(unit, set()).add(name)
    refused: dict[str, set[str]] = {}
    for unit, files in by_unit.items():
        if len(files) > 1 and not files <= parts.get(unit, set()):
            for name in files & set(claims):
                refused.setdefault(name, set()).update(files - {name})
    return {name: ", ".join(sorted(others)) for name, others in refused.items()}


def declared_parts(folder: Path) -> dict[str, set[str]]:
    """unit -> the files the province declared it split into (`raw/<year>/_parts.csv`, columns
    `unit` and `file`, also headed `Đơn vị` and `Tệp`); empty when there is no such file."""
    path = Path(folder) / PARTS_FILE
    if not path.is_file():
        return {}
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    table = table.rename(columns={"Đơn vị": "unit", "Tệp": "file"})
    parts: dict[str, set[str]] = {}
    for unit, name in zip(table["unit"].str.strip(), table["file"].str.strip(), strict=True):
        parts.setdefault(unit, set()).add(name)
    return parts
