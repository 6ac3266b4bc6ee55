"""Build real district workbooks with openpyxl for tests, independent of the sample writer."""

from __future__ import annotations

from pathlib import Path

import openpyxl

import config
from schemas.headers import BASE_LABELS, LEADING_KEYS

BASE_ORDER = list(LEADING_KEYS)


def household(i: int, **overrides: object) -> dict[str, object]:
    """A valid rural household of Mường Nhé (a poor district), not deprived, near-poor income."""
    row: dict[str, object] = {
        "household_id": f"MN-{i:06d}",
        "head_name": f"Lò Văn {i}",
        "head_id_number": f"0{i:011d}",
        "district": "Mường Nhé",
        "commune": "Sín Thầu",
        "village": "Bản Tá Miếu",
        "area": "Nông thôn",
        "ethnicity": "Hà Nhì",
        "household_size": 5,
        "income_per_capita": 850_000,
    }
    row.update(overrides)
    return row


def write_workbook(
    path: Path,
    rows: list[dict[str, object]],
    year: int = 2019,
    *,
    sheets: dict[str, list[dict[str, object]]] | None = None,
    labels: dict[str, str] | None = None,
    title_rows: bool = True,
    totals_row: bool = True,
    omit: tuple[str, ...] = (),
    omit_on: dict[str, tuple[str, ...]] | None = None,
    extra_sheets: dict[str, list[list[object]]] | None = None,
) -> Path:
    """One sheet (or one per entry of `sheets`) in the canonical layout: title rows, a header
    row of Vietnamese labels (overridable per key), data rows, a totals row and a signature.
    `omit`: columns left out (e.g. the district from 2025, the indicators of a scores-only
    workbook), `omit_on`: left out of one sheet only; `extra_sheets`: other sheets as rows of
    cells (e.g. `Tổng số hộ dân cư`)."""
    indicators = config.standard_for_year(year).indicators
    keys = [k for k in BASE_ORDER + [i.key for i in indicators] if k not in omit]
    # Optional keys (meritorious, commune_classification, scores...) get their canonical label too.
    header = {k: names[0] for k, names in BASE_LABELS.items()}
    header |= {i.key: i.name_vi for i in indicators}
    header |= labels or {}
    extra = [k for r in rows for k in r if k not in keys and k not in omit]
    keys += list(dict.fromkeys(extra))
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, sheet_rows in (sheets or {"Danh sách": rows}).items():
        ws = wb.create_sheet(name)
        if title_rows:
            ws.append(["DANH SÁCH HỘ GIA ĐÌNH RÀ SOÁT NĂM " + str(year)])
            ws.append([])
        here = [k for k in keys if k not in (omit_on or {}).get(name, ())]
        ws.append([header.get(k, k) for k in here])
        for r in sheet_rows:
            ws.append([r.get(k) for k in here])
        if totals_row:
            ws.append(["Tổng cộng", len(sheet_rows)])
        if title_rows:
            ws.append([])
            ws.append(["", "", "Người lập biểu"])
    for name, grid in (extra_sheets or {}).items():
        ws = wb.create_sheet(name)
        for cells in grid:
            ws.append(cells)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
