"""The flow writes each district as it arrives (memory holds a few districts, not the nation),
yet an id in two workbooks of the year is still rejected in both (HH031), with the same
warehouse as if every district had been held until the end."""

from __future__ import annotations

import duckdb

from flows.census_flow import annual_census
from tests.factory import household, write_workbook


def test_a_duplicate_found_after_its_first_district_was_written_is_rejected_in_both(
    tmp_path, prefect_harness
):
    raw = tmp_path / "raw"
    # Written first (file order): Điện Biên Phủ holds MN-000002, which Mường Nhé also holds.
    city = {"district": "Điện Biên Phủ", "commune": "Him Lam", "area": "Thành thị"}
    write_workbook(
        raw / "2019" / "a-dien-bien-phu.xlsx", [household(2, **city), household(9, **city)]
    )
    write_workbook(raw / "2019" / "b-muong-nhe.xlsx", [household(i) for i in (1, 2, 3)])
    warehouse = tmp_path / "w.duckdb"

    summary = annual_census(
        year=2019, raw_dir=raw, warehouse_path=warehouse, reports_dir=tmp_path / "reports"
    )

    assert summary.rows_loaded == 3  # MN-000009, MN-000001, MN-000003
    assert summary.rows_rejected == 2
    assert sorted(summary.loaded) == ["a-dien-bien-phu.xlsx", "b-muong-nhe.xlsx"]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        loaded = con.execute(
            "SELECT district, household_id FROM core.households ORDER BY ALL"
        ).fetchall()
        assert loaded == [
            ("Mường Nhé", "MN-000001"),
            ("Mường Nhé", "MN-000003"),
            ("Điện Biên Phủ", "MN-000009"),
        ]
        assert con.execute("SELECT count(*) FROM core.classifications").fetchone() == (3,)
        hh031 = con.execute(
            "SELECT source_file, household_id, rule FROM audit.rejections "
            "WHERE rule_code = 'HH031' ORDER BY source_file"
        ).fetchall()
        assert [(f, i) for f, i, _ in hh031] == [
            ("a-dien-bien-phu.xlsx", "MN-000002"),
            ("b-muong-nhe.xlsx", "MN-000002"),
        ]
        assert all("a-dien-bien-phu.xlsx" in r and "b-muong-nhe.xlsx" in r for *_, r in hh031)
        # Every other finding is recorded once, although the first district was written twice.
        repeated = con.execute(
            "SELECT count(*) FROM (SELECT source_file, excel_row, rule_code, count(*) AS n "
            "FROM audit.rejections GROUP BY ALL HAVING n > 1)"
        ).fetchone()
        assert repeated == (0,)
