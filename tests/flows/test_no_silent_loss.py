"""No silent loss, the run's side: every household of every workbook put in is loaded, rejected
with a located reason, or still in its earlier version with the run saying Partial; nothing
else. Real workbooks, the real flow, the real DuckDB file (issue "No silent loss", cases 1, 2,
7, 8, 9, 10 and 11; the reader's cases are tests/ingest/)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import duckdb
import openpyxl
import pytest

import config
from flows.census_flow import annual_census
from flows.cli import main as census
from tests.factory import household, write_workbook
from warehouse import writer
from warehouse.publish import connect_published, publish

YEAR = 2019
CITY = {"district": "Mường Lay", "area": "Thành thị"}


def muong_lay(start: int, n: int, commune: str = "Na Lay", **kw: object) -> list[dict]:
    return [
        household(i, household_id=f"ML-{i:06d}", commune=commune, **CITY, **kw)
        for i in range(start, start + n)
    ]


def run(raw: Path, warehouse: Path, tmp: Path, year: int = YEAR, **kw: object):
    """The flow's summary, whatever its state (a run that loads nothing is Failed)."""
    state = annual_census(
        year=year,
        raw_dir=raw,
        warehouse_path=warehouse,
        reports_dir=tmp / "reports",
        return_state=True,
        **kw,
    )
    return state.result(raise_on_failure=False)


def q(warehouse: Path, sql: str, params=None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def loaded_ids(warehouse: Path, unit: str = "Mường Lay") -> set[str]:
    rows = q(warehouse, "SELECT household_id FROM core.households WHERE reporting_unit = ?", [unit])
    return {r[0] for r in rows}


@pytest.fixture
def first_load(tmp_path, prefect_harness):
    """Mường Lay loaded once from muong-lay.xlsx (Na Lay 30, Sông Đà 20 households)."""
    raw, warehouse = tmp_path / "raw", tmp_path / "w.duckdb"
    original = write_workbook(
        raw / str(YEAR) / "muong-lay.xlsx",
        [],
        sheets={"Na Lay": muong_lay(1, 30), "Sông Đà": muong_lay(31, 20, "Sông Đà")},
    )
    assert run(raw, warehouse, tmp_path).status == "completed"
    assert len(loaded_ids(warehouse)) == 50
    return raw, warehouse, original


def test_1_a_corrected_copy_beside_the_original_refuses_both_and_keeps_the_loaded(
    first_load, tmp_path
):
    raw, warehouse, original = first_load
    before = loaded_ids(warehouse)
    copy = raw / str(YEAR) / "muong-lay (ban sua).xlsx"
    write_workbook(copy, [], sheets={"Na Lay": muong_lay(1, 30, income_per_capita=600_000)})
    for force in (False, True):  # and a forced run never restores one over the other
        summary = run(raw, warehouse, tmp_path, force=force)
        assert summary.status == "partial" and summary.loaded == []
        assert set(summary.failed) == {"muong-lay.xlsx", "muong-lay (ban sua).xlsx"}
        assert loaded_ids(warehouse) == before
    found = q(
        warehouse,
        "SELECT source_file, rule FROM audit.rejections WHERE rule_code = 'WB015' "
        "AND run_id = (SELECT max(run_id) FROM audit.ingest_runs)",
    )
    assert {f for f, _ in found} == {"muong-lay.xlsx", "muong-lay (ban sua).xlsx"}
    assert all(("ban sua" in rule) != (f == copy.name) for f, rule in found)  # names the other
    assert census(["run", "--year", str(YEAR), "--raw", str(raw), "--warehouse",
                   str(warehouse), "--reports", str(tmp_path / "reports")]) == 1  # fmt: skip


def test_1_a_unit_split_into_two_files_loads_whole_only_when_declared(tmp_path, prefect_harness):
    raw, warehouse = tmp_path / "raw", tmp_path / "w.duckdb"
    folder = raw / str(YEAR)
    write_workbook(folder / "muong-lay-1.xlsx", muong_lay(1, 31))
    write_workbook(folder / "muong-lay-2.xlsx", muong_lay(32, 45, "Sông Đà"))
    summary = run(raw, warehouse, tmp_path)
    assert summary.status == "failed" and summary.rows_loaded == 0
    assert loaded_ids(warehouse) == set()  # nothing half loaded
    (folder / "_parts.csv").write_text(
        "Đơn vị,Tệp\nMường Lay,muong-lay-1.xlsx\nMường Lay,muong-lay-2.xlsx\n", encoding="utf-8"
    )
    summary = run(raw, warehouse, tmp_path)
    assert summary.status == "completed" and summary.rows_loaded == 76
    assert len(loaded_ids(warehouse)) == 76
    # A corrected part reloads the unit from both parts, never from one alone.
    write_workbook(folder / "muong-lay-2.xlsx", muong_lay(32, 44, "Sông Đà"))
    summary = run(raw, warehouse, tmp_path)
    assert summary.status == "completed" and sorted(summary.loaded) == [
        "muong-lay-1.xlsx",
        "muong-lay-2.xlsx",
    ]
    assert len(loaded_ids(warehouse)) == 75


def test_1_two_parts_of_one_unit_keep_their_own_error_workbooks(tmp_path, prefect_harness):
    """Both parts of Mường Lay have a rejected row: each part's list names its own row (both
    wrote muong-lay-loi.xlsx, the later replacing the other's)."""
    raw, warehouse, reports = tmp_path / "raw", tmp_path / "w.duckdb", tmp_path / "reports"
    folder = raw / str(YEAR)
    write_workbook(folder / "Phần 1.xlsx", muong_lay(1, 30) + muong_lay(31, 1, household_size=0))
    write_workbook(folder / "Phần 2.xlsx", muong_lay(40, 20, "Sông Đà", household_size=-3)[:1]
                   + muong_lay(41, 19, "Sông Đà"))  # fmt: skip
    (folder / "_parts.csv").write_text(
        "Đơn vị,Tệp\nMường Lay,Phần 1.xlsx\nMường Lay,Phần 2.xlsx\n", encoding="utf-8"
    )
    summary = run(raw, warehouse, tmp_path)
    assert summary.status == "completed" and summary.rows_loaded == 49
    listed = {}
    for name in ("muong-lay-phan-1-loi.xlsx", "muong-lay-phan-2-loi.xlsx"):
        book = openpyxl.load_workbook(reports / str(YEAR) / name, read_only=True)
        listed[name] = {row[1] for row in book["Lỗi"].iter_rows(min_row=2, values_only=True)}
    assert sorted(p.name for p in (reports / str(YEAR)).iterdir()) == sorted(listed)
    assert listed == {"muong-lay-phan-1-loi.xlsx": {34}, "muong-lay-phan-2-loi.xlsx": {4}}


def test_1_a_renamed_workbook_leaves_no_list_of_the_old_name(tmp_path, prefect_harness):
    """muong-lay.xlsx, renamed ML 2019.xlsx, kept its muong-lay-loi.xlsx beside the new list:
    an officer fixed rows of a file nobody sends. A list of a file checked elsewhere stays."""
    raw, warehouse, reports = tmp_path / "raw", tmp_path / "w.duckdb", tmp_path / "reports"
    rows = muong_lay(1, 30) + muong_lay(31, 1, household_size=0)
    old = write_workbook(raw / str(YEAR) / "muong-lay.xlsx", rows)
    outside = write_workbook(tmp_path / "elsewhere" / "ban-nhap.xlsx", rows)
    assert census(["check", str(outside), "--year", str(YEAR), "--reports", str(reports)]) == 1
    run(raw, warehouse, tmp_path)
    listed = lambda: sorted(p.name for p in (reports / str(YEAR)).iterdir())  # noqa: E731
    assert listed() == ["muong-lay-ban-nhap-loi.xlsx", "muong-lay-loi.xlsx"]
    old.rename(old.with_name("ML 2019.xlsx"))
    run(raw, warehouse, tmp_path)
    assert listed() == ["muong-lay-ban-nhap-loi.xlsx", "muong-lay-ml-2019-loi.xlsx"]


def test_2_a_required_column_missing_on_one_sheet_keeps_the_loaded_version(first_load, tmp_path):
    raw, warehouse, original = first_load
    before = loaded_ids(warehouse)
    sheets = {"Na Lay": muong_lay(1, 30), "Sông Đà": muong_lay(31, 20, "Sông Đà")}
    write_workbook(original, [], sheets=sheets, omit_on={"Na Lay": ("ethnicity",)})
    summary = run(raw, warehouse, tmp_path)
    assert summary.status == "partial" and "muong-lay.xlsx" in summary.failed
    assert "cấu trúc" in summary.failed["muong-lay.xlsx"]  # a structural fault: WB005
    assert loaded_ids(warehouse) == before
    [(status,)] = q(
        warehouse,
        "SELECT status FROM audit.ingest_files WHERE run_id = (SELECT max(run_id) FROM "
        "audit.ingest_runs)",
    )
    assert status == "refused"
    report = tmp_path / "reports" / str(YEAR) / "muong-lay-loi.xlsx"
    assert report.exists()  # the officer gets the error workbook


def test_7_look_alike_ids_are_one_household_rejected_in_both_places(tmp_path, prefect_harness):
    raw, warehouse = tmp_path / "raw", tmp_path / "w.duckdb"
    rows = muong_lay(1, 3) + [
        household(9, household_id="ml-000001", commune="Na Lay", **CITY),  # case
        household(10, household_id="ML-0000 02", commune="Na Lay", **CITY),  # inner space
        household(11, household_id="ML-000\u200b003", commune="Na Lay", **CITY),  # zero width
        household(12, household_id="ＭＬ-000004", commune="Na Lay", **CITY),  # full width
        household(13, household_id="ML–000001", commune="Na Lay", **CITY),  # an en dash
    ]
    write_workbook(raw / str(YEAR) / "muong-lay.xlsx", rows)
    summary = run(raw, warehouse, tmp_path)
    assert summary.rows_loaded == 1 and summary.rows_rejected == 7
    assert loaded_ids(warehouse) == {"ML-000004"}
    hh030 = q(warehouse, "SELECT count(*) FROM audit.rejections WHERE rule_code = 'HH030'")
    assert hh030 == [(7,)]


def test_8_the_other_standards_columns_or_a_missing_indicator_column_refuse_the_workbook(
    tmp_path, prefect_harness
):
    raw, warehouse = tmp_path / "raw", tmp_path / "w.duckdb"
    folder = raw / str(YEAR)
    # A 2019 workbook written with the 2022-2026 indicator columns (the next standard's).
    write_workbook(folder / "muong-lay.xlsx", muong_lay(1, 12), 2022)
    one_short = config.standard_for_year(YEAR).indicator_keys[:1]
    write_workbook(folder / "muong-nhe.xlsx", [household(i) for i in range(1, 12)],
                   omit=tuple(one_short))  # fmt: skip
    summary = run(raw, warehouse, tmp_path)
    assert summary.status == "failed" and set(summary.failed) == {
        "muong-lay.xlsx",
        "muong-nhe.xlsx",
    }
    codes = q(warehouse, "SELECT DISTINCT source_file, rule_code FROM audit.rejections "
                         "WHERE rule_code LIKE 'WB01%' ORDER BY ALL")  # fmt: skip
    assert ("muong-lay.xlsx", "WB013") in codes and ("muong-nhe.xlsx", "WB012") in codes
    assert q(warehouse, "SELECT count(*) FROM core.households") == [(0,)]


def test_8_last_years_workbook_in_this_years_folder_is_refused(tmp_path, prefect_harness):
    raw, warehouse = tmp_path / "raw", tmp_path / "w.duckdb"
    rows = muong_lay(1, 25)
    write_workbook(raw / "2018" / "muong-lay.xlsx", rows, 2018)
    assert run(raw, warehouse, tmp_path, year=2018).status == "completed"
    shutil.copytree(raw / "2018", raw / "2019")  # its title says NĂM 2018: WB018
    summary = run(raw, warehouse, tmp_path)
    assert summary.status == "failed" and "năm 2018" in summary.failed["muong-lay.xlsx"]
    assert q(warehouse, "SELECT count(*) FROM core.households WHERE year = 2019") == [(0,)]
    codes = q(warehouse, "SELECT DISTINCT rule_code FROM audit.rejections WHERE year = 2019")
    assert ("WB018",) in codes
    # The same households retitled for 2019: still last year's list exactly (WB016).
    write_workbook(raw / "2019" / "muong-lay.xlsx", rows, 2019)
    summary = run(raw, warehouse, tmp_path)
    assert summary.status == "failed" and "WB016" not in summary.failed["muong-lay.xlsx"]
    assert "giống hệt danh sách năm trước" in summary.failed["muong-lay.xlsx"]
    assert q(warehouse, "SELECT count(*) FROM core.households WHERE year = 2019") == [(0,)]


def test_9_nothing_to_load_fails_naming_the_folder(tmp_path, prefect_harness, capsys):
    missing = tmp_path / "nonexistent"
    code = census(["run", "--year", str(YEAR), "--raw", str(missing), "--warehouse",
                   str(tmp_path / "w.duckdb"), "--reports", str(tmp_path / "r")])  # fmt: skip
    assert code == 2
    assert str(missing / str(YEAR)) in capsys.readouterr().out


def test_10_a_sqlite_file_given_as_the_warehouse_is_refused_plainly(tmp_path):
    path = tmp_path / "census.sqlite"
    sqlite3.connect(path).execute("CREATE TABLE t (a)").connection.commit()
    with pytest.raises(writer.NotAWarehouse, match="SQLite"):
        writer.connect(path)


@pytest.mark.parametrize("name", ["raw.duckdb", "Core.duckdb", "marts.db"])
def test_10_a_warehouse_named_after_a_schema_is_refused_before_it_is_created(tmp_path, name):
    """DuckDB names the database after its file: `raw.duckdb` made every `raw.households`
    ambiguous, a Binder Error after the empty file was created."""
    path = tmp_path / name
    with pytest.raises(writer.NotAWarehouse, match="cannot be named after one of its schemas"):
        writer.connect(path)
    assert not path.exists()
    good = tmp_path / "census.duckdb"
    writer.connect(good).close()
    with pytest.raises(writer.NotAWarehouse, match="e.g. census.duckdb"):
        publish(good, tmp_path / "published" / name)
    assert not (tmp_path / "published").exists()


def test_10_a_failed_rollback_never_hides_the_cause(tmp_path):
    con = writer.connect(tmp_path / "w.duckdb")
    with pytest.raises(OSError, match="No space left on device"), writer.transaction(con):
        con.execute("CREATE TABLE core.scratch AS SELECT 1 AS x")
        con.rollback()  # what DuckDB does itself after a failed write, before the error
        raise OSError(28, "No space left on device")
    con.close()


def test_11_a_name_typed_as_the_id_is_rejected_and_published_nowhere(tmp_path, prefect_harness):
    raw, warehouse = tmp_path / "raw", tmp_path / "w.duckdb"
    rows = muong_lay(1, 3) + [
        household(4, household_id="Nguyễn Văn Tèo 040779075", commune="Na Lay", **CITY),
        household(5, household_id="040779075123", commune="Na Lay", **CITY),
        household(6, household_id="ML-000006", ethnicity="Lò Văn Pọm", commune="Na Lay", **CITY),
    ]
    write_workbook(raw / str(YEAR) / "muong-lay.xlsx", rows)
    summary = run(raw, warehouse, tmp_path)
    assert summary.rows_loaded == 3 and summary.rows_rejected == 3
    codes = {c for (c,) in q(warehouse, "SELECT rule_code FROM audit.rejections")}
    assert {"HH035", "HH036", "HH022"} <= codes
    out = publish(warehouse, tmp_path / "analyst.duckdb")
    with connect_published(out) as con:
        tables = con.execute("SELECT schema_name, table_name FROM duckdb_tables()").fetchall()
        text = " ".join(
            str(row)
            for schema, table in tables
            for row in con.execute(f'SELECT * FROM "{schema}"."{table}"').fetchall()
        )
    assert "Tèo" not in text and "040779075" not in text and "Pọm" not in text


def test_a_communes_workbook_naming_another_commune_never_replaces_it(tmp_path, prefect_harness):
    """From 2025 each commune sends its own workbook. A neighbour's name typed in one row of
    Sín Thầu's made Mường Nhé one of its units, and its rerun replaced Mường Nhé's households
    with that row, the run "completed". A commune a few rows name beside another is a slip:
    those rows are rejected (HH043), the unit left alone. Named in more rows, in a run of one
    unit (`--unit`, the other commune's workbook not read), the workbook is refused (WB015)."""
    raw, warehouse, year = tmp_path / "raw", tmp_path / "w.duckdb", 2026
    folder = raw / str(year)

    def commune(name: str, prefix: str, n: int, start: int = 1) -> list[dict]:
        return [household(i, household_id=f"{prefix}-{i:06d}", district=None, commune=name)
                for i in range(start, start + n)]  # fmt: skip

    write_workbook(folder / "muong-nhe.xlsx", commune("Mường Nhé", "MN", 40), year)
    write_workbook(folder / "sin-thau.xlsx", commune("Sín Thầu", "ST", 120), year)
    assert run(raw, warehouse, tmp_path, year).status == "completed"
    count = "SELECT count(*) FROM core.households WHERE reporting_unit = ?"
    assert q(warehouse, count, ["Mường Nhé"]) == [(40,)]
    # One row of Sín Thầu's list typed "Mường Nhé": that row is rejected, nothing replaced.
    rows = commune("Sín Thầu", "ST", 120)
    rows[5]["commune"] = "Mường Nhé"
    write_workbook(folder / "sin-thau.xlsx", rows, year)
    summary = run(raw, warehouse, tmp_path, year, unit="Sín Thầu")
    assert summary.rows_loaded == 119 and summary.rows_rejected == 1
    assert q(warehouse, count, ["Mường Nhé"]) == [(40,)]
    found = "SELECT rule_code FROM audit.rejections WHERE household_id = 'ST-000006'"
    assert q(warehouse, found) == [("HH043",)]
    # Twenty rows: a unit of the workbook, which Mường Nhé's own workbook reports: refused.
    for r in rows[:20]:
        r["commune"] = "Mường Nhé"
    write_workbook(folder / "sin-thau.xlsx", rows, year)
    summary = run(raw, warehouse, tmp_path, year, unit="Sín Thầu")
    assert summary.status == "partial" and "sin-thau.xlsx" in summary.failed
    assert q(warehouse, count, ["Mường Nhé"]) == [(40,)]
    assert q(warehouse, count, ["Sín Thầu"]) == [(119,)]


def test_a_run_of_one_unit_without_its_workbook_says_so(first_load, tmp_path):
    """`census run --unit "Mường Nhé"` with no workbook of Mường Nhé in the folder (the
    corrected file copied elsewhere) said "completed; 0 workbooks loaded", as if the
    correction were in. It says no workbook of the unit was found, and is not completed."""
    raw, warehouse, _ = first_load
    summary = run(raw, warehouse, tmp_path, unit="Mường Nhé")
    assert summary.status != "completed"
    assert any("không có tệp nào của Mường Nhé" in why for why in summary.failed.values())
    assert run(raw, warehouse, tmp_path, unit="Mường Lay").status == "completed"
