"""A district officer's correction loop through the real flow, the real files and the real
warehouse: load, read the error workbook, correct the original, rerun `census run --district`."""

from __future__ import annotations

import hashlib

import duckdb
import openpyxl

from flows.census_flow import annual_census
from flows.cli import main as census
from tests.factory import household, write_workbook


def dbp(i: int, **kw: object) -> dict[str, object]:
    """A poor urban household of Điện Biên Phủ (income below the urban floor)."""
    return (
        household(
            i,
            household_id=f"DBP-{i:04d}",
            district="Điện Biên Phủ",
            commune="Him Lam",
            area="Thành thị",
            ethnicity="Kinh",
            income_per_capita=600_000,
        )
        | kw
    )


def muong_nhe(corrected: bool) -> list[dict[str, object]]:
    """Rows 4-6 valid and near-poor; rows 7-8 wrong, row 9 implausible (title, blank, header
    on rows 1-3). The corrected version fixes 7 and 8 (both poor) and 9 (not poor)."""
    rows = [household(i) for i in range(1, 4)]
    if corrected:
        rows += [
            household(4, income_per_capita=600_000),
            household(5, income_per_capita=600_000),
            household(6, income_per_capita=2_000_000),
        ]
    else:
        rows += [
            household(4, household_size=45, income_per_capita=600_000),
            household(5, commune="Him Lam", income_per_capita=600_000),
            household(6, income_per_capita=20_000),
        ]
    return rows


def q(warehouse, sql, params=None):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def province_rate(warehouse):
    [row] = q(
        warehouse,
        "SELECT households, poor FROM marts.poverty_rates WHERE scope = 'province' AND year = 2019",
    )
    return row


def raw_state(raw):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in raw.rglob("*.xls*")}


def counts_close(warehouse):
    rows = q(
        warehouse,
        "SELECT source_file, rows_read, rows_loaded, rows_rejected, rows_blank, rows_totals, "
        "rows_signature, rows_heading FROM audit.ingest_files "
        "WHERE status IN ('loaded', 'no_valid_rows')",
    )
    assert rows
    for name, read, loaded, rejected, blank, totals, signature, heading in rows:
        assert read == loaded + rejected + blank + totals + signature + heading, name


def test_officer_corrects_a_workbook_and_only_that_district_changes(tmp_path, prefect_harness):
    raw, reports, warehouse = tmp_path / "raw", tmp_path / "reports", tmp_path / "w.duckdb"
    mn = write_workbook(raw / "2019" / "muong-nhe.xlsx", muong_nhe(corrected=False))
    dbp_path = write_workbook(raw / "2019" / "dien-bien-phu.xlsx", [dbp(i) for i in range(1, 5)])
    before_raw = raw_state(raw)

    summary = annual_census(year=2019, raw_dir=raw, warehouse_path=warehouse, reports_dir=reports)
    assert sorted(summary.loaded) == ["dien-bien-phu.xlsx", "muong-nhe.xlsx"]
    # 4 + 4 households; poor: the 4 of Điện Biên Phủ and Mường Nhé's row 9 (income 20,000).
    assert province_rate(warehouse) == (8, 5)
    counts_close(warehouse)

    # The error workbook names the right rows, highlights the right cells, counts each rule.
    report = reports / "2019" / "muong-nhe-loi.xlsx"
    assert summary.reports == [str(report)] and report.exists()
    assert not (reports / "2019" / "dien-bien-phu-loi.xlsx").exists()
    wb = openpyxl.load_workbook(report)
    # Rows not loaded on `Lỗi` (the problems first, then the officer's cells), the row that
    # loaded with a warning on `Cảnh báo`.
    listed, fills = [], {}
    for ws in (wb["Lỗi"], wb["Cảnh báo"]):
        header = [c.value for c in ws[1]]
        assert header[:6] == ["Trang tính", "Dòng Excel", "Mã lỗi", "Nội dung", "Cột",
                              "Giá trị đã ghi"]  # fmt: skip
        for cells in ws.iter_rows(min_row=2):
            r = [c.value for c in cells]
            listed.append((ws.title, r[0], r[1], r[header.index("Mã hộ")], r[2]))
            fills |= {
                (r[1], header[c.column - 1]): c.fill.fgColor.rgb
                for c in cells
                if c.fill.fill_type == "solid"
            }
    assert listed == [
        ("Lỗi", "Danh sách", 7, "MN-000004", "HH023"),
        ("Lỗi", "Danh sách", 8, "MN-000005", "HH021"),
        ("Cảnh báo", "Danh sách", 9, "MN-000006", "HW001"),
    ]
    income = "Thu nhập bình quân đầu người/tháng (đồng)"
    assert fills == {
        (7, "Số nhân khẩu"): "FFFFC7CE",
        (8, "Xã"): "FFFFC7CE",
        (9, income): "FFFFEB9C",
    }
    ws = wb["Lỗi"]
    header = [c.value for c in ws[1]]
    assert ws.cell(2, header.index("Số nhân khẩu") + 1).value == 45  # the officer's number
    assert ws.cell(2, header.index("Nội dung") + 1).value == "Số nhân khẩu phải từ 1 đến 30"
    summary_rows = {r[0]: r[4] for r in wb["Tổng hợp"].iter_rows(values_only=True) if r[0]}
    assert {k: summary_rows[k] for k in ("HH021", "HH023", "HW001")} == {
        "HH021": 1,
        "HH023": 1,
        "HW001": 1,
    }

    # The officer corrects the original; meanwhile Điện Biên Phủ's file changes too, but the
    # rerun is for Mường Nhé only and must leave Điện Biên Phủ as loaded.
    [(dbp_run,)] = q(
        warehouse, "SELECT DISTINCT run_id FROM core.households WHERE district = 'Điện Biên Phủ'"
    )
    write_workbook(mn, muong_nhe(corrected=True))
    write_workbook(dbp_path, [dbp(i) for i in range(1, 7)])
    code = census(
        ["run", "--year", "2019", "--district", "muong nhe", "--raw", str(raw),
         "--warehouse", str(warehouse), "--reports", str(reports)]
    )  # fmt: skip
    assert code == 0
    # Province: 6 + 4 households; poor: 4 + rows 7 and 8 (now valid, income 600,000).
    assert province_rate(warehouse) == (10, 6)
    assert q(
        warehouse,
        "SELECT district, count(*), any_value(run_id) = ? FROM core.households "
        "WHERE district = 'Điện Biên Phủ' GROUP BY ALL",
        [dbp_run],
    ) == [("Điện Biên Phủ", 4, True)]
    assert not report.exists()  # nothing left to fix: the stale list is gone
    [last_run] = q(
        warehouse, "SELECT run_id FROM audit.ingest_runs ORDER BY started_at DESC LIMIT 1"
    )
    files = q(
        warehouse,
        "SELECT source_file, status, reporting_unit FROM audit.ingest_files WHERE run_id = ? "
        "ORDER BY 1",
        [last_run[0]],
    )
    assert files == [
        ("dien-bien-phu.xlsx", "other_unit", "Điện Biên Phủ"),
        ("muong-nhe.xlsx", "loaded", "Mường Nhé"),
    ]
    counts_close(warehouse)
    assert len(q(warehouse, "SELECT * FROM audit.ingest_runs")) == 2

    # A third run for the district: nothing changed, nothing is opened or reloaded.
    again = annual_census(
        year=2019, raw_dir=raw, warehouse_path=warehouse, reports_dir=reports,
        district="Mường Nhé",
    )  # fmt: skip
    assert again.loaded == [] and again.unchanged == ["muong-nhe.xlsx"]
    assert again.other_unit == ["dien-bien-phu.xlsx"]  # known from its audit record

    # raw/ was only read: the files there are the officer's, byte for byte.
    assert set(raw_state(raw)) == set(before_raw)
