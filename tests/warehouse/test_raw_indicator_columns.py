"""raw.households holds each indicator cell in a column named by its key (one per indicator of
every standard in config/); a warehouse written with the earlier MAP column is unpacked once."""

from __future__ import annotations

import duckdb

import config
from warehouse import writer


def columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [row[0] for row in con.execute("DESCRIBE raw.households").fetchall()]


def test_every_indicator_of_every_standard_has_a_column(tmp_path):
    con = writer.connect(tmp_path / "w.duckdb")
    keys = config.all_indicator_keys()
    assert len(keys) == 14  # 10 of 2016-2021 and 12 of 2022-2025, 8 of them shared
    assert columns(con)[-len(keys) :] == keys
    con.close()


def test_a_warehouse_with_the_map_column_is_unpacked(tmp_path):
    path = tmp_path / "old.duckdb"
    con = writer.connect(path)
    # The layout before December 2026: the indicator cells in one MAP column.
    for key in config.all_indicator_keys():
        con.execute(f'ALTER TABLE raw.households DROP COLUMN "{key}"')
    con.execute("ALTER TABLE raw.households ADD COLUMN indicators MAP(VARCHAR, VARCHAR)")
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
    con.close()
    writer.connect(path).close()  # a second connect finds nothing left to migrate
