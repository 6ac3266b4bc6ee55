"""A run's staged workbooks are Parquet files in a folder of its own beside the warehouse
(warehouse/staging.py): never in the warehouse file until promoted, deleted once loaded or
dropped, the folder gone when the run ends, and a killed run's removed by the next run."""

from __future__ import annotations

import os
import subprocess
import sys

import duckdb
import pyarrow.parquet as pq

import config
from flows.census_flow import annual_census
from flows.workbook import process_workbook
from tests.factory import household, write_workbook
from warehouse import staging, writer
from warehouse.run import CensusRun

_OUT = {"capture_output": True, "text": True, "check": True}


def _run_2019(tmp_path):
    """The flow on tmp_path/raw/2019 into tmp_path/w.duckdb; its final state."""
    return annual_census(
        year=2019,
        raw_dir=tmp_path / "raw",
        warehouse_path=tmp_path / "w.duckdb",
        reports_dir=tmp_path / "reports",
        return_state=True,
    )


def test_staged_rows_stay_out_of_the_file_until_promoted(tmp_path):
    path = write_workbook(tmp_path / "raw" / "2019" / "muong-nhe.xlsx", [household(1)])
    province = config.load_province()
    con = writer.connect(tmp_path / "w.duckdb")
    spool = staging.folder(tmp_path / "w.duckdb")
    staging.prepare(spool)
    run = CensusRun(con, province, 2019, spool)
    run.start(tmp_path / "raw", tmp_path / "w.duckdb")
    # As a Dask worker on another machine returns it: Arrow tables, the folder out of its sight.
    elsewhere = staging.spooled(process_workbook(path, 2019, province), tmp_path / "elsewhere")
    assert not elsewhere.files and elsewhere.households.num_rows == 1
    run.stage(elsewhere)

    files = run.staged["muong-nhe.xlsx"].files
    assert spool == tmp_path / ".w.duckdb.stage" / str(os.getpid())
    assert oct(spool.stat().st_mode & 0o777) == "0o700"
    assert {os.path.dirname(f) for f in files.values()} == {str(spool)}
    staged = pq.read_table(files["core.households"]).column("household_id").to_pylist()
    assert staged == ["MN-000001"]
    assert con.execute("SELECT count(*) FROM core.households").fetchall() == [(0,)]

    run.promote(["muong-nhe.xlsx"])
    assert con.execute("SELECT household_id FROM core.households").fetchall() == [("MN-000001",)]
    assert not any(os.path.exists(f) for f in files.values())  # loaded: deleted
    con.close()
    staging.remove(spool)
    assert not spool.parent.exists()


def test_a_runs_staging_folder_is_gone_after_it_and_a_killed_runs_after_the_next(
    tmp_path, prefect_harness
):
    write_workbook(tmp_path / "raw" / "2019" / "muong-nhe.xlsx", [household(1)])
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], **_OUT)
    killed = tmp_path / ".w.duckdb.stage" / dead.stdout.strip()  # a run killed mid-way
    killed.mkdir(parents=True)
    (killed / "x.core.households.parquet").write_bytes(b"staged rows")
    alive = tmp_path / ".w.duckdb.stage" / str(os.getppid())  # another run, still running
    alive.mkdir()

    state = _run_2019(tmp_path)

    assert state.result().loaded == ["muong-nhe.xlsx"]
    assert sorted(p.name for p in (tmp_path / ".w.duckdb.stage").iterdir()) == [alive.name]
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM core.households").fetchall() == [(1,)]


def test_rows_staged_before_the_flow_go_when_the_warehouse_cannot_be_opened(
    tmp_path, prefect_harness
):
    write_workbook(tmp_path / "raw" / "2019" / "muong-nhe.xlsx", [household(1)])
    (tmp_path / "w.duckdb").write_bytes(b"SQLite format 3\0" + bytes(100))
    early = staging.folder(tmp_path / "w.duckdb")  # as the workers read ahead (flows/early.py)
    staging.prepare(early)
    (early / "x.core.households.parquet").write_bytes(b"staged rows")

    state = _run_2019(tmp_path)

    assert state.is_failed()
    assert not early.parent.exists()


def test_workbooks_of_different_columns_are_promoted_together(tmp_path, prefect_harness):
    """Each table's staged files are inserted at once, columns matched by name and types: a
    workbook with an optional column, an unknown one, members and no poor household (its
    poverty_kind column has no type in Arrow) beside one with none of them and a poor one."""
    raw = tmp_path / "raw" / "2019"
    write_workbook(
        raw / "a-muong-nhe.xlsx",  # first in the files read: its types lead
        [household(1, meritorious="x", **{"Ghi chú riêng": "ở nhờ"}), household(2)],
        extra_sheets={
            "Thành viên hộ": [
                ["Mã hộ", "Họ và tên", "Dân tộc", "Quan hệ với chủ hộ", "Năm sinh", "Giới tính"],
                ["MN-000001", "Lò Thị Mai", "Thái", "Vợ", 1990, "Nữ"],
            ]
        },
    )
    lay = {"district": "Mường Lay", "commune": "Sông Đà", "household_id": "ML-000001"}
    lay |= {"income_per_capita": 500_000}  # poor
    write_workbook(raw / "b-muong-lay.xlsx", [household(3, **lay)])

    state = _run_2019(tmp_path)

    assert sorted(state.result().loaded) == ["a-muong-nhe.xlsx", "b-muong-lay.xlsx"]
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        rows = con.execute(
            "SELECT h.household_id, h.meritorious, r.extra['Ghi chú riêng'], c.status "
            "FROM core.households AS h JOIN raw.households AS r USING (year, household_id) "
            "JOIN core.classifications AS c USING (year, household_id) ORDER BY ALL"
        ).fetchall()
        members = con.execute("SELECT household_id, birth_year FROM private.members").fetchall()
    assert rows == [
        ("ML-000001", None, None, "poor"),  # no such column: not collected
        ("MN-000001", True, "ở nhờ", "near_poor"),
        ("MN-000002", False, None, "near_poor"),
    ]
    assert members == [("MN-000001", 1990)]


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
