"""Two processes on one warehouse: a second `census run` waits a bounded time for the file,
then stops with a clear message; the file is never corrupted, and analysts reading the
published copy are never blocked.

The process holding the file is a real subprocess that opened the warehouse with
writer.connect and is in the middle of a transaction (it has deleted every household and not
committed). DuckDB locks a file per process, so the holder must be another process.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from flows import cli
from flows.census_flow import annual_census
from tests.factory import household, write_workbook
from warehouse import writer
from warehouse.writer import WarehouseBusy

YEAR = 2019
REPO = Path(__file__).resolve().parents[2]
HOLDER = """
import sys, time
sys.path.insert(0, {repo!r})
from warehouse import writer
con = writer.connect({warehouse!r})
con.begin()
con.execute("DELETE FROM core.households")
print("HOLDING", flush=True)
time.sleep({seconds})
con.rollback()
con.close()
print("RELEASED", flush=True)
"""


@pytest.fixture
def census(tmp_path, prefect_harness):
    raw, warehouse = tmp_path / "raw", tmp_path / "w.duckdb"
    write_workbook(raw / str(YEAR) / "muong-nhe.xlsx", [household(i) for i in range(1, 6)])
    assert annual_census(year=YEAR, raw_dir=raw, warehouse_path=warehouse).status == "completed"
    return raw, warehouse, tmp_path


def hold(warehouse: Path, seconds: float) -> subprocess.Popen:
    script = HOLDER.format(repo=str(REPO), warehouse=str(warehouse), seconds=seconds)
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    line = child.stdout.readline()
    assert line.strip() == "HOLDING", line + child.stdout.read()
    return child


def households(warehouse: Path) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("SELECT count(*) FROM core.households").fetchone()[0]


def run_args(raw: Path, warehouse: Path, tmp: Path) -> list[str]:
    return [
        "run",
        "--year",
        str(YEAR),
        "--raw",
        str(raw),
        "--warehouse",
        str(warehouse),
        "--reports",
        str(tmp / "reports"),
        "--force",
    ]


def test_second_run_stops_with_a_clear_message(census, monkeypatch, capsys):
    raw, warehouse, tmp = census
    from warehouse.publish import publish

    published = publish(warehouse, tmp / "published" / "analyst.duckdb")
    holder = hold(warehouse, 600)
    try:
        monkeypatch.setenv("CENSUS_LOCK_WAIT", "1")
        capsys.readouterr()
        assert cli.main(run_args(raw, warehouse, tmp)) == 2
        message = capsys.readouterr().out
        assert "không chạy được / Failed: kho dữ liệu" in message  # Vietnamese first
        assert "đang được một tiến trình khác dùng" in message
        assert "in use by another process" in message
        assert str(warehouse) in message
        assert f"PID {holder.pid}" in message
        assert "waited 1 s" in message
        with pytest.raises(WarehouseBusy):  # the writer's own answer, for other callers
            writer.connect(warehouse, lock_wait=0.5)
        # Analysts on the published copy are not blocked while the run holds the file.
        with duckdb.connect(str(published), read_only=True) as con:
            assert con.execute("SELECT count(*) FROM core.households").fetchone() == (5,)
    finally:
        holder.send_signal(signal.SIGKILL)  # the holder dies mid-transaction
        holder.wait(60)
    # The file is intact: the holder's uncommitted DELETE is gone, and a run completes.
    assert households(warehouse) == 5
    monkeypatch.setenv("CENSUS_LOCK_WAIT", "60")
    assert cli.main(run_args(raw, warehouse, tmp)) == 0
    assert households(warehouse) == 5


def test_second_run_waits_for_the_first_to_finish(census, monkeypatch):
    raw, warehouse, tmp = census
    holder = hold(warehouse, 6)  # releases the file by itself after a few seconds
    try:
        monkeypatch.setenv("CENSUS_LOCK_WAIT", "300")
        assert cli.main(run_args(raw, warehouse, tmp)) == 0
    finally:
        out, _ = holder.communicate(timeout=120)
    assert out.strip() == "RELEASED" and holder.returncode == 0
    assert households(warehouse) == 5
