"""Bad input through the real flow: reported with its place, and it never stops the others."""

from __future__ import annotations

import duckdb

from flows.census_flow import annual_census
from tests.factory import household, write_workbook


def test_bad_rows_and_unreadable_files_are_reported_and_the_rest_loads(tmp_path, prefect_harness):
    raw = tmp_path / "raw"
    good = [household(i) for i in range(1, 6)]
    write_workbook(raw / "2019" / "muong-nhe.xlsx", good)
    bad = [
        household(101, commune="Him Lam", district="Điện Biên Phủ", area="Thành thị"),
        household(102, district="Điện Biên Phủ", commune="Him Lam", household_size=45),
        household(103, district="Điện Biên Phủ", commune="Him Lam", income_per_capita="abc"),
    ]
    write_workbook(raw / "2019" / "dien-bien-phu.xlsx", bad)
    (raw / "2019" / "broken.xlsx").write_bytes(b"this is not a spreadsheet")
    warehouse = tmp_path / "w.duckdb"

    summary = annual_census(year=2019, raw_dir=raw, warehouse_path=warehouse)

    assert summary.status == "partial"
    assert set(summary.failed) == {"broken.xlsx"}
    # Named, then the rule in Vietnamese first, then the reader's detail (as census check says)
    assert summary.failed["broken.xlsx"].startswith(
        "broken.xlsx: WB020 Tệp không phải bảng tính Excel / the file is not a spreadsheet: "
    )
    assert sorted(summary.loaded) == ["dien-bien-phu.xlsx", "muong-nhe.xlsx"]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        loaded = con.execute(
            "SELECT district, count(*) FROM core.households GROUP BY ALL ORDER BY ALL"
        ).fetchall()
        assert loaded == [("Mường Nhé", 5), ("Điện Biên Phủ", 1)]
        rejections = con.execute(
            "SELECT source_file, sheet, excel_row, household_id, column_name, value, rule_code "
            "FROM audit.rejections WHERE severity = 'error' ORDER BY excel_row NULLS FIRST"
        ).fetchall()
        # Title row, blank row, header on Excel row 3: data rows are 4, 5, 6.
        assert rejections == [
            ("broken.xlsx", None, None, None, None, None, "WB020"),
            ("dien-bien-phu.xlsx", "Danh sách", 5, "MN-000102", "Số nhân khẩu", "45", "HH023"),
            (
                "dien-bien-phu.xlsx",
                "Danh sách",
                6,
                "MN-000103",
                "Thu nhập bình quân đầu người/tháng (đồng)",
                "abc",
                "HH011",
            ),
        ]
        [(status, failed)] = con.execute(
            "SELECT status, files_failed FROM audit.ingest_runs"
        ).fetchall()
        assert (status, failed) == ("partial", 1)
