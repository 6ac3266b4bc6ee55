"""warehouse/README.md, the analysts' contract, against an analysts' copy: every ```sql block
runs on it and returns rows, and every table of the copy is documented on the page.

The copy is published from a sample census loaded by the real flow over the years `make run`
loads (2018, 2019, 2024-2026): the 2019 plan and its baseline, the last review by district, the
first on the 45 communes of 1 July 2025 and the first under the provisional 2027-2030 standard,
so the examples about the reform and the standards have rows to return. (The shared sample of
tests/sample_warehouse.py covers 2017-2019 only.)
"""

from __future__ import annotations

import re

import pytest

from warehouse.publish import connect_published, publish
from warehouse.writer import WAREHOUSE_DIR

README = WAREHOUSE_DIR / "README.md"
PAGE = README.read_text(encoding="utf-8")
QUERIES = re.findall(r"```sql\n(.*?)```", PAGE, flags=re.S)
YEARS = [2018, 2019, 2024, 2025, 2026]


def test_the_readme_has_ten_example_queries_or_more():
    assert len(QUERIES) >= 10


@pytest.fixture(scope="module")
def analyst_copy(tmp_path_factory, prefect_harness):
    from flows.census_flow import annual_census
    from sample.census import write_sample_census

    root = tmp_path_factory.mktemp("readme-warehouse")
    raw, warehouse = root / "raw", root / "census.duckdb"
    write_sample_census(raw, YEARS, households=2000, seed=11)
    for year in YEARS:
        summary = annual_census(
            year=year, raw_dir=raw, warehouse_path=warehouse, reports_dir=root / "reports"
        )
        assert summary.status == "completed", summary
    return publish(warehouse, root / "published" / "analyst.duckdb")


@pytest.mark.parametrize("sql", QUERIES, ids=[f"query-{i + 1}" for i in range(len(QUERIES))])
def test_example_query_returns_rows(analyst_copy, sql):
    with connect_published(analyst_copy) as con:
        rows = con.execute(sql).fetchall()
    assert rows, f"no rows from:\n{sql}"


def test_every_table_of_the_copy_is_documented(analyst_copy):
    with connect_published(analyst_copy) as con:
        tables = con.execute(
            "SELECT schema_name || '.' || table_name FROM duckdb_tables() ORDER BY ALL"
        ).fetchall()
    missing = [name for (name,) in tables if name not in PAGE]
    assert not missing, f"tables of the analysts' copy not named on the page: {missing}"
