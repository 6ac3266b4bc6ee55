"""Every example query of warehouse/README.md runs on the analysts' copy and returns rows."""

from __future__ import annotations

import re

import pytest

from tests.sample_warehouse import build
from warehouse.publish import connect_published, publish
from warehouse.writer import WAREHOUSE_DIR

README = WAREHOUSE_DIR / "README.md"
QUERIES = re.findall(r"```sql\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_the_readme_has_ten_example_queries_or_more():
    assert len(QUERIES) >= 10


@pytest.fixture(scope="module")
def analyst_copy(tmp_path_factory, prefect_harness):
    _, warehouse = build(tmp_path_factory)
    return publish(warehouse, tmp_path_factory.mktemp("published") / "analyst.duckdb")


@pytest.mark.parametrize("sql", QUERIES, ids=[f"query-{i + 1}" for i in range(len(QUERIES))])
def test_example_query_returns_rows(analyst_copy, sql):
    with connect_published(analyst_copy) as con:
        rows = con.execute(sql).fetchall()
    assert rows, f"no rows from:\n{sql}"
