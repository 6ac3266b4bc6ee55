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
        "broken.xlsx: WB020 Tệp không phải bảng tính Excel: tệp không phải bảng tính .xlsx, "
        "cũng không phải .xls / the file is not a spreadsheet: not a spreadsheet: "
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


def test_a_list_in_another_format_or_a_folder_is_refused_never_passed_over(
    tmp_path, prefect_harness
):
    """A list saved as CSV, or workbooks put in a folder inside the year's, were passed over
    without a word: the run said completed without those units. Each is refused (WB020) with
    what to do, and the run says partial; a folder named `_...` is the province's own."""
    raw = tmp_path / "raw" / "2019"
    write_workbook(raw / "muong-nhe.xlsx", [household(i) for i in range(1, 4)])
    (raw / "muong-cha.csv").write_text("Mã hộ,Họ và tên chủ hộ\nMC-1,Lò Văn A\n", "utf-8")
    lay = {"district": "Mường Lay", "commune": "Sông Đà"}
    write_workbook(raw / "Mường Lay" / "ds.xlsx", [household(9, **lay)])
    write_workbook(raw / "_luu" / "muong-nhe-cu.xlsx", [household(1)])
    warehouse = tmp_path / "w.duckdb"

    summary = annual_census(year=2019, raw_dir=tmp_path / "raw", warehouse_path=warehouse)

    assert summary.status == "partial" and summary.loaded == ["muong-nhe.xlsx"]
    assert set(summary.failed) == {"muong-cha.csv", "Mường Lay"}
    assert "save it as .xlsx" in summary.failed["muong-cha.csv"]
    assert "a folder, not a workbook" in summary.failed["Mường Lay"]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        failed = con.execute(
            "SELECT f.source_file, r.rule_code FROM audit.ingest_files AS f "
            "JOIN audit.rejections AS r USING (run_id, source_file) "
            "WHERE f.status = 'failed' ORDER BY ALL"
        ).fetchall()
    assert failed == [("Mường Lay", "WB020"), ("muong-cha.csv", "WB020")]
