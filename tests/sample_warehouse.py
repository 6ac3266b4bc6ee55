"""Small sample warehouses for the tests, each built once per session by the real flow: the
2017-2019 census (`build`), and the years `make run` loads (`build_reform`: the 2019 plan, the
last review by district, the 45 communes of 1 July 2025, the first review under the 2027-2030
standard).

Not a test module: imported as `tests.sample_warehouse` by tests/warehouse/test_*.py and
tests/reporting/test_report.py (one import name, so one module and one build per session).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

YEARS = [2017, 2018, 2019]
HOUSEHOLDS = 2000
SEED = 11

_built: dict[str, tuple[Path, Path]] = {}


def build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(raw folder, warehouse file) of a 3-year sample census of about 2,000 households."""
    if "sample" not in _built:
        from flows.census_flow import annual_census
        from sample.census import write_sample_census

        root = tmp_path_factory.mktemp("sample-warehouse")
        raw, warehouse = root / "raw", root / "census.duckdb"
        write_sample_census(raw, YEARS, households=HOUSEHOLDS, seed=SEED)
        for year in YEARS:
            summary = annual_census(year=year, raw_dir=raw, warehouse_path=warehouse)
            assert summary.loaded, summary
        _built["sample"] = (raw, warehouse)
    return _built["sample"]


REFORM_YEARS = [2018, 2019, 2024, 2025, 2026]


@dataclass(frozen=True)
class Census:
    raw: Path  # raw/<year>/ as the sample wrote it (read-only for the tests)
    reports: Path  # the run's error workbooks (none: the sample raises no finding)
    warehouse: Path
    summaries: dict  # year -> the flow's RunSummary


_reform: list[Census] = []


def build_reform(tmp_path_factory: pytest.TempPathFactory) -> Census:
    """A sample census of about 2,000 households over REFORM_YEARS, loaded year by year."""
    if not _reform:
        from flows.census_flow import annual_census
        from sample.census import write_sample_census

        root = tmp_path_factory.mktemp("reform-warehouse")
        raw, reports, warehouse = root / "raw", root / "reports", root / "census.duckdb"
        write_sample_census(raw, REFORM_YEARS, households=HOUSEHOLDS, seed=SEED)
        summaries = {
            year: annual_census(
                year=year, raw_dir=raw, warehouse_path=warehouse, reports_dir=reports
            )
            for year in REFORM_YEARS
        }
        _reform.append(Census(raw, reports, warehouse, summaries))
    return _reform[0]
