"""Writing the sample census: one workbook per district and year, in the canonical layout."""

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
    """Generate the sample census and write `out_dir/<year>/<district-slug>.xlsx` for every
    district and year; returns the paths written, by year then district (in config order, as
    the generator orders its households)."""
    frames = generate_census(years, households=households, seed=seed, province=province)
    written = []
    for year, df in frames.items():
        for district, pos in df.groupby("district", sort=False).indices.items():
            path = Path(out_dir) / str(year) / f"{slug(district)}.xlsx"
            write_unit_workbook(df.iloc[pos], path, year, province=province)
            written.append(path)
    return written
