"""A run killed with SIGKILL in the middle of loading a district loses nothing.

The killed run is the real `census run` in a subprocess. The only test-side change is in
that subprocess: `warehouse.writer.insert_audit` is wrapped so that, inside the transaction
that replaces the unit (writer.promote: after the DELETE and the insert of the staged rows,
when the workbook's audit is written), it reports what the transaction sees and stalls; the
parent kills it then. Production code has no hook.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import prefect.settings

from flows.census_flow import annual_census
from tests.factory import household, write_workbook
from tests.snapshot import warehouse_rows

YEAR = 2019
REPO = Path(__file__).resolve().parents[2]
DATA_TABLES = [
    "raw.households",
    "core.households",
    "core.classifications",
    "private.households",
    "marts.household_status",
    "marts.poverty_rates",
]

CHILD = """
import os, sys, time
sys.path.insert(0, {repo!r})
from warehouse import writer

real_audit = writer.insert_audit

def stalling_audit(con, run_id, rejections, file_record=None):
    real_audit(con, run_id, rejections, file_record)
    if file_record and file_record["source_file"] == "muong-nhe.xlsx":
        [(n,)] = con.execute(
            "SELECT count(*) FROM core.households WHERE year = ? AND district = 'Mường Nhé'",
            [{year}],
        ).fetchall()
        # Straight to the pipe: the flow's log_prints turns print() into log records.
        os.write(1, f"IN TRANSACTION: Mường Nhé has {{n}} rows\\n".encode())
        time.sleep(600)

writer.insert_audit = stalling_audit
from flows.cli import main
sys.exit(main(["run", "--year", "{year}", "--raw", {raw!r}, "--warehouse", {warehouse!r},
               "--reports", {reports!r}]))
"""


def snapshot(warehouse: Path) -> dict[str, list]:
    """Every data table's rows, without the run id (it differs between runs)."""
    return warehouse_rows(warehouse, DATA_TABLES)


def write_census(raw: Path, muong_nhe_ids: range, other: bool = True) -> None:
    folder = raw / str(YEAR)
    write_workbook(folder / "muong-nhe.xlsx", [household(i) for i in muong_nhe_ids])
    if not other:
        return
    dbp = {"district": "Điện Biên Phủ", "commune": "Him Lam", "area": "Thành thị"}
    write_workbook(folder / "dien-bien-phu.xlsx", [household(900 + i, **dbp) for i in range(4)])


def kill_mid_load(raw: Path, warehouse: Path, reports: Path) -> str:
    """Run `census run` in a subprocess; SIGKILL it inside the transaction replacing the unit."""
    script = CHILD.format(
        repo=str(REPO), year=YEAR, raw=str(raw), warehouse=str(warehouse), reports=str(reports)
    )
    env = os.environ | {"PREFECT_API_URL": prefect.settings.PREFECT_API_URL.value()}
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=REPO,
    )
    seen = []
    try:
        deadline = time.monotonic() + 300
        for line in child.stdout:
            seen.append(line)
            if line.startswith("IN TRANSACTION"):
                child.send_signal(signal.SIGKILL)
                break
            assert time.monotonic() < deadline, "".join(seen)
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(60)
    assert child.returncode == -signal.SIGKILL, "".join(seen)
    return seen[-1]


def test_sigkill_mid_load_leaves_the_district_as_it_was(tmp_path, prefect_harness):
    raw, warehouse, reports = tmp_path / "raw", tmp_path / "w.duckdb", tmp_path / "reports"
    write_census(raw, range(1, 6))
    assert annual_census(year=YEAR, raw_dir=raw, warehouse_path=warehouse).status == "completed"
    before = snapshot(warehouse)
    assert len(before["core.households"]) == 9

    # A new version of Mường Nhé; the run that loads it is killed mid-transaction, after its
    # DELETE and its insert: the transaction saw the 8 new rows, none of the 5 old ones.
    write_census(raw, range(11, 19), other=False)
    last = kill_mid_load(raw, warehouse, reports)
    assert last.strip() == "IN TRANSACTION: Mường Nhé has 8 rows"

    assert snapshot(warehouse) == before  # the district as it was, nothing half-written
    with duckdb.connect(str(warehouse), read_only=True) as con:
        statuses = con.execute(
            "SELECT status FROM audit.ingest_runs ORDER BY started_at"
        ).fetchall()
    assert statuses == [("completed",), ("running",)]  # the killed run's row

    # The next run completes, marks the killed run, and the warehouse equals a clean run's.
    again = annual_census(year=YEAR, raw_dir=raw, warehouse_path=warehouse)
    assert again.status == "completed" and again.loaded == ["muong-nhe.xlsx"]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        statuses = con.execute(
            "SELECT status, finished_at IS NULL FROM audit.ingest_runs ORDER BY started_at"
        ).fetchall()
    assert statuses == [("completed", False), ("interrupted", True), ("completed", False)]
    clean = tmp_path / "clean.duckdb"
    assert annual_census(year=YEAR, raw_dir=raw, warehouse_path=clean).status == "completed"
    assert snapshot(warehouse) == snapshot(clean)
    assert len(snapshot(clean)["core.households"]) == 12


def test_a_run_stopped_by_an_exception_is_marked_failed(tmp_path, prefect_harness, monkeypatch):
    """The flow's own exceptions (here: marts that cannot be built) never leave the run
    'running', and the district loads already committed stay."""
    from warehouse import writer

    raw, warehouse = tmp_path / "raw", tmp_path / "w.duckdb"
    write_census(raw, range(1, 4))

    def broken_marts(con):
        raise RuntimeError("disk full while building the marts")

    monkeypatch.setattr(writer, "build_marts", broken_marts)
    try:
        annual_census(year=YEAR, raw_dir=raw, warehouse_path=warehouse)
    except RuntimeError as exc:
        assert "disk full" in str(exc)
    else:
        raise AssertionError("the run should have failed")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        [(status, message, finished)] = con.execute(
            "SELECT status, message, finished_at IS NOT NULL FROM audit.ingest_runs"
        ).fetchall()
        [(loaded,)] = con.execute("SELECT count(*) FROM core.households").fetchall()
    assert (status, finished) == ("failed", True)
    assert message.startswith("stopped by RuntimeError")
    assert loaded == 7

    # The next run, with every workbook unchanged, still builds the marts the failed run
    # owed: the load marked its year stale in the same transaction.
    monkeypatch.undo()
    summary = annual_census(year=YEAR, raw_dir=raw, warehouse_path=warehouse)
    assert summary.loaded == [] and len(summary.unchanged) == 2
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM marts.household_status").fetchone() == (7,)
        assert con.execute("SELECT count(*) FROM meta.marts_stale").fetchone() == (0,)
