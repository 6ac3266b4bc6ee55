"""warehouse/README.md, the analysts' contract, against an analysts' copy: every ```sql block
runs on it and returns rows, and every table of the copy is documented on the page.

The copy is published from the sample census of the years `make run` loads
(tests/sample_warehouse.build_reform: 2018, 2019, 2024-2026): the 2019 plan and its baseline,
the last review by district, the first on the 45 communes of 1 July 2025 and the first under
the provisional 2027-2030 standard, so the examples about the reform and the standards have
rows to return.
"""

from __future__ import annotations

import re

import pytest

from tests.sample_warehouse import build_reform
from warehouse.publish import connect_published, publish
from warehouse.writer import WAREHOUSE_DIR

README = WAREHOUSE_DIR / "README.md"
PAGE = README.read_text(encoding="utf-8")
QUERIES = re.findall(r"```sql\n(.*?)```", PAGE, flags=re.S)


def test_the_readme_has_ten_example_queries_or_more():
    assert len(QUERIES) >= 10


@pytest.fixture(scope="module")
def analyst_copy(tmp_path_factory, prefect_harness):
    census = build_reform(tmp_path_factory)
    for year, summary in census.summaries.items():
        assert summary.status == "completed", (year, summary)
    return publish(census.warehouse, tmp_path_factory.mktemp("readme") / "analyst.duckdb")


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
