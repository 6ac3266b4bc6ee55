"""Writing the sample census: each year's workbooks on that year's map, in the canonical layout
(one per district up to the 2024 review, one per commune from 2025)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import config
from reporting.vietnamese import slug
from sample.simulation import generate_census
from workbooks.layout import write_unit_workbook


def write_sample_census(
    out_dir: Path,
    years: range | Iterable[int],
    households: int | None = None,
    seed: int = 2019,
    *,
    province: str = config.DEFAULT_PROVINCE,
) -> list[Path]:
    """Generate the sample census and write one workbook per reporting unit of each year's map
    (`workbooks.layout.write_unit_workbook`): `out_dir/<year>/<district-slug>.xlsx` up to the
    2024 review, `out_dir/<year>/<commune-slug>.xlsx` from 2025 (e.g. `muong-cha.xlsx`).
    Returns the paths written, by year then unit, in the generator's order."""
    frames = generate_census(years, households=households, seed=seed, province=province)
    written = []
    for year, df in frames.items():
        unit = "district" if "district" in df.columns else "commune"  # none from 2025
        for name, pos in df.groupby(unit, sort=False).indices.items():
            path = Path(out_dir) / str(year) / f"{slug(name)}.xlsx"
            write_unit_workbook(df.iloc[pos], path, year, province=province)
            written.append(path)
    return written
