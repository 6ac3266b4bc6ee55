"""A run's staged workbooks are temporary tables of its connection: never written to the
warehouse file, so a killed run leaves none behind, and the rows reach the file once."""

from __future__ import annotations

import duckdb

import config
from flows.workbook import process_workbook
from tests.factory import household, write_workbook
from warehouse import writer
from warehouse.run import CensusRun


def test_staged_rows_stay_out_of_the_file_until_promoted(tmp_path):
    path = write_workbook(tmp_path / "raw" / "2019" / "muong-nhe.xlsx", [household(1)])
    province = config.load_province()
    con = writer.connect(tmp_path / "w.duckdb")
    run = CensusRun(con, province, 2019)
    run.start(tmp_path / "raw", tmp_path / "w.duckdb")
    run.stage(process_workbook(path, 2019, province).arrow())

    tables = con.execute(
        "SELECT database_name, table_name, estimated_size FROM duckdb_tables() "
        "WHERE table_name LIKE 'stage%' OR schema_name = 'stage' ORDER BY ALL"
    ).fetchall()
    assert ("temp", "stage_core_households", 1) in tables
    assert {database for database, _, _ in tables} == {"temp"}
    con.close()  # a run that ends here (killed) staged nothing into the file

    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as check:
        assert check.execute("SELECT count(*) FROM core.households").fetchall() == [(0,)]
        assert check.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'stage%'"
        ).fetchall() == [(0,)]


def test_an_older_files_stage_schema_is_dropped(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as old:  # staging in the file, until 2026-12
        old.execute("CREATE SCHEMA stage")
        old.execute("CREATE TABLE stage.core_households AS SELECT 1 AS household_id")
    writer.connect(tmp_path / "w.duckdb").close()
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        rows = con.execute("SELECT schema_name FROM duckdb_schemas()").fetchall()
        schemas = {name for (name,) in rows}
        assert "stage" not in schemas
        assert "core" in schemas
