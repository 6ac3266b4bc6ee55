"""raw.households holds each indicator cell in a column named by its key (one per indicator of
every standard in config/); a warehouse written with the earlier MAP column is unpacked once.
Columns added since (audit.ingest_files.rows_heading) are added to an older file once."""

from __future__ import annotations

import duckdb

import config
from warehouse import queries, writer


def columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [row[0] for row in con.execute("DESCRIBE raw.households").fetchall()]


def test_every_indicator_of_every_standard_has_a_column(tmp_path):
    con = writer.connect(tmp_path / "w.duckdb")
    keys = config.all_indicator_keys()
    # 10 of 2016-2021, 12 of 2022-2026 (8 shared), 12 of 2027-2030 (1 new: waste collection)
    assert len(keys) == 15
    assert columns(con)[-len(keys) :] == keys
    con.close()


def test_a_warehouse_with_the_map_column_is_unpacked(tmp_path):
    path = tmp_path / "old.duckdb"
    con = writer.connect(path)
    # The layout before December 2026: the indicator cells in one MAP column, unit-years
    # keyed by district.
    for key in config.all_indicator_keys():
        con.execute(f'ALTER TABLE raw.households DROP COLUMN "{key}"')
    con.execute("ALTER TABLE raw.households ADD COLUMN indicators MAP(VARCHAR, VARCHAR)")
    con.execute("ALTER TABLE raw.households RENAME COLUMN reporting_unit TO workbook_district")
    con.execute(
        "INSERT INTO raw.households (run_id, year, workbook_district, source_file, file_hash, "
        "sheet, excel_row, household_id, indicators) VALUES ('r', 2019, 'Mường Nhé', 'a.xlsx', "
        "'h', 'Sheet1', 7, 'MN-1', MAP {'telecom': 'x', 'latrine': '0', 'living_area': NULL})"
    )
    con.close()

    con = writer.connect(path)
    assert "indicators" not in columns(con)
    row = con.execute(
        "SELECT household_id, telecom, latrine, living_area, employment FROM raw.households"
    ).fetchall()
    assert row == [("MN-1", "x", "0", None, None)]
    assert con.execute("SELECT reporting_unit FROM raw.households").fetchall() == [("Mường Nhé",)]
    con.close()
    writer.connect(path).close()  # a second connect finds nothing left to migrate


def test_a_warehouse_keyed_by_district_gets_its_reporting_units(tmp_path):
    """Files written before the 2025 reform keyed every unit-year by district; the unit is
    now the reporting unit of the year, and a district may be missing (from 2025)."""
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA core; CREATE SCHEMA private; CREATE SCHEMA audit")
    con.execute(
        "CREATE TABLE core.households (year INTEGER NOT NULL, household_id VARCHAR NOT NULL, "
        "district VARCHAR NOT NULL, commune VARCHAR NOT NULL)"
    )
    con.execute("INSERT INTO core.households VALUES (2019, 'MN-1', 'Mường Nhé', 'Sín Thầu')")
    con.execute(
        "CREATE TABLE core.classifications (year INTEGER, household_id VARCHAR, "
        "district VARCHAR NOT NULL, status VARCHAR)"
    )
    con.close()

    con = writer.connect(path)
    assert con.execute("SELECT reporting_unit, district FROM core.households").fetchall() == [
        ("Mường Nhé", "Mường Nhé")
    ]
    con.execute("INSERT INTO core.households (year, household_id, reporting_unit, commune) "
                "VALUES (2025, 'MN-1', 'Sín Thầu', 'Sín Thầu')")  # fmt: skip
    assert "reporting_unit" in [
        r[0] for r in con.execute("DESCRIBE core.classifications").fetchall()
    ]
    con.close()


def test_an_audit_table_without_heading_rows_gains_the_column(tmp_path):
    """audit.ingest_files before December 2026 had no rows_heading: added once, null in the
    old records, which a run's outcome counts as none."""
    path = tmp_path / "old.duckdb"
    con = writer.connect(path)
    con.execute("ALTER TABLE audit.ingest_files DROP COLUMN rows_heading")
    con.execute(
        "INSERT INTO audit.ingest_files (run_id, year, source_file, file_hash, status, rows_read, "
        "rows_loaded, rows_rejected, rows_blank, rows_totals, rows_signature, recorded_at) "
        "VALUES ('r', 2019, 'a.xlsx', 'h', 'loaded', 10, 6, 1, 1, 1, 1, now())"
    )
    con.close()
    con = writer.connect(path)
    outcome = queries.run_files(con, "r")
    assert outcome[
        ["rows_read", "rows_loaded", "rows_rejected", "rows_skipped"]
    ].values.tolist() == [[10, 6, 1, 3]]
    con.close()
