"""The annual flow end to end: real sample workbooks, the real flow, the real DuckDB file."""

from __future__ import annotations

from pathlib import Path

import duckdb
import openpyxl
import pytest

from flows.census_flow import annual_census
from sample.census import write_sample_census
from tests.snapshot import warehouse_rows

YEARS = [2017, 2018, 2019]


def count_households_with_openpyxl(path: Path) -> int:
    """Data rows counted independently of the pipeline's reader: rows under the 'Mã hộ'
    header whose id cell is filled and is not a totals label."""
    wb = openpyxl.load_workbook(path, read_only=True)
    total = 0
    for ws in wb.worksheets:
        if ws.title.startswith("_"):
            continue
        id_col = None
        for row in ws.iter_rows(values_only=True):
            if id_col is None:
                if "Mã hộ" in row:
                    id_col = row.index("Mã hộ")
                continue
            value = row[id_col] if id_col < len(row) else None
            if value not in (None, "") and not str(value).startswith(("Tổng", "Cộng")):
                total += 1
    wb.close()
    return total


@pytest.fixture(scope="module")
def census(tmp_path_factory, prefect_harness):
    root = tmp_path_factory.mktemp("census")
    raw = root / "raw"
    write_sample_census(raw, YEARS, households=3000, seed=7)
    warehouse = root / "census.duckdb"
    summaries = {y: annual_census(year=y, raw_dir=raw, warehouse_path=warehouse) for y in YEARS}
    return raw, warehouse, summaries


def query(warehouse: Path, sql: str, params=None):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_every_workbook_row_is_loaded(census):
    raw, warehouse, summaries = census
    for year in YEARS:
        assert summaries[year].status == "completed", summaries[year]
        expected = sum(
            count_households_with_openpyxl(p) for p in sorted((raw / str(year)).iterdir())
        )
        [(loaded,)] = query(
            warehouse, "SELECT count(*) FROM core.households WHERE year = ?", [year]
        )
        [(rejected,)] = query(
            warehouse,
            "SELECT count(DISTINCT (sheet, excel_row, source_file)) FROM audit.rejections "
            "WHERE year = ? AND severity = 'error'",
            [year],
        )
        assert expected > 2000
        assert loaded + rejected == expected
        [(districts,)] = query(
            warehouse, "SELECT count(DISTINCT district) FROM core.households WHERE year = ?", [year]
        )
        assert districts == 10


def test_rates_agree_with_household_counts(census):
    _, warehouse, _ = census
    rows = query(
        warehouse,
        """
        SELECT r.year, r.households, r.poor, r.poverty_rate,
               (SELECT count(*) FROM marts.household_status s WHERE s.year = r.year),
               (SELECT count(*) FROM marts.household_status s
                 WHERE s.year = r.year AND s.status = 'poor')
        FROM marts.poverty_rates r WHERE r.scope = 'province' ORDER BY r.year
        """,
    )
    assert [r[0] for r in rows] == YEARS
    for _, households, poor, rate, counted, counted_poor in rows:
        assert (households, poor) == (counted, counted_poor)
        assert rate == pytest.approx(100 * poor / households)
    [(district_sum,)] = query(
        warehouse,
        "SELECT sum(households) FROM marts.poverty_rates WHERE scope = 'district' AND year = 2019",
    )
    assert district_sum == rows[-1][1]


def test_poverty_identity_closes_for_every_district(census):
    _, warehouse, _ = census
    rows = query(
        warehouse,
        """
        SELECT year, district,
            count(*) FILTER (previous_status = 'poor') AS start_poor,
            count(*) FILTER (status = 'poor') AS end_poor,
            count(*) FILTER (poverty_transition = 'escaped') AS escaped,
            count(*) FILTER (poverty_transition = 'relapsed') AS relapsed,
            count(*) FILTER (poverty_transition = 'newly_poor') AS newly,
            count(*) FILTER (presence = 'arrived' AND status = 'poor') AS arrived,
            count(*) FILTER (presence = 'left' AND previous_status = 'poor') AS left_
        FROM marts.transitions WHERE previous_year IS NOT NULL GROUP BY ALL
        """,
    )
    assert len(rows) == 20  # two years with a previous year, ten districts
    movements = 0
    for _, _, start, end, escaped, relapsed, newly, arrived, left in rows:
        assert end == start - escaped + relapsed + newly + arrived - left
        movements += escaped + relapsed + newly
    assert movements > 0


def test_target_gap_covers_the_plan(census):
    _, warehouse, _ = census
    indicators = {
        r[0]
        for r in query(
            warehouse, "SELECT DISTINCT indicator FROM marts.target_gap WHERE year = 2019"
        )
    }
    assert indicators == {
        "poverty_rate",
        "poverty_rate_cut",
        "near_poor_rate",
        "ethnic_minority_poverty_rate",
        "relapsed_households",
        "newly_poor_households",
    }
    [(target, actual, gap)] = query(
        warehouse,
        "SELECT target, actual, gap FROM marts.target_gap "
        "WHERE year = 2019 AND scope = 'province' AND indicator = 'poverty_rate'",
    )
    [(rate,)] = query(
        warehouse,
        "SELECT poverty_rate FROM marts.poverty_rates WHERE year = 2019 AND scope = 'province'",
    )
    assert (target, actual) == (33.97, pytest.approx(rate))
    assert gap == pytest.approx(rate - 33.97)


TABLES = [
    "core.households",
    "core.classifications",
    "raw.households",
    "private.households",
    "marts.household_status",
    "marts.transitions",
    "marts.poverty_rates",
    "marts.target_gap",
]


def snapshot(warehouse: Path) -> dict[str, list]:
    return warehouse_rows(warehouse, TABLES)


def test_running_a_year_twice_leaves_identical_tables(census):
    raw, warehouse, _ = census
    before = snapshot(warehouse)
    again = annual_census(year=2019, raw_dir=raw, warehouse_path=warehouse, force=True)
    assert again.status == "completed" and len(again.loaded) == 10
    assert snapshot(warehouse) == before
    unchanged = annual_census(year=2019, raw_dir=raw, warehouse_path=warehouse)
    assert unchanged.loaded == [] and len(unchanged.unchanged) == 10
    assert snapshot(warehouse) == before
