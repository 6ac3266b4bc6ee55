"""One small sample warehouse for the warehouse and reporting tests, built once per session by
the real flow.

Not a test module: imported as `tests.sample_warehouse` by tests/warehouse/test_*.py and
tests/reporting/test_report.py (one import name, so one module and one build per session).
"""

from __future__ import annotations

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
