"""`census run` with its own temporary API server (CENSUS_LOCAL_SERVER=0, or where the local
server cannot run; flows/prefect_server.py): it loads the year and leaves no server behind,
even when it is SIGKILLed (the server watches its owner; before, it lived on, reparented to
PID 1)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import psutil

from tests.factory import household, write_workbook
from tests.flows.test_local_server import held_run, processes_of, wait_until

REPO = Path(__file__).resolve().parents[2]


def _servers_of(prefect_home: str) -> list[psutil.Process]:
    """Running Prefect API servers that use this PREFECT_HOME."""
    return [
        p
        for p in processes_of(Path(prefect_home))
        if "flows.prefect_server" in " ".join(p.cmdline())
        or "prefect server start" in " ".join(p.cmdline())
    ]


def environment(home: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    return env | {"PREFECT_HOME": home, "CENSUS_LOCAL_SERVER": "0", "CENSUS_LOCK_WAIT": "900"}


def test_census_run_without_a_prefect_api(tmp_path):
    raw, warehouse = tmp_path / "raw", tmp_path / "census.duckdb"
    write_workbook(raw / "2019" / "muong-nhe.xlsx", [household(i) for i in range(1, 4)])
    home = str(tmp_path / "prefect-home")
    run = subprocess.run(
        [sys.executable, "-m", "flows.launch", "run", "--year", "2019", "--raw", str(raw)]
        + ["--warehouse", str(warehouse), "--reports", str(tmp_path / "reports")],
        cwd=REPO,
        env=environment(home),
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "3 households loaded" in output, output
    assert "Error logging to API" not in output, output  # the server outlived the run's logs
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM core.households").fetchone() == (3,)
        assert con.execute("SELECT status FROM audit.ingest_runs").fetchall() == [("completed",)]
    assert _servers_of(home) == []
    assert not (Path(home) / "census-server").exists()  # no local server was involved


def test_a_killed_run_takes_its_temporary_server_with_it(tmp_path):
    home = str(tmp_path / "prefect-home")
    with held_run(tmp_path, environment(home)) as run:
        # The run waits for the warehouse once its server answers: kill it then.
        wait_until(lambda: _servers_of(home), 300, "the temporary server started")
        [server] = _servers_of(home)
        time.sleep(5)
        assert run.poll() is None
        run.send_signal(signal.SIGKILL)
        run.wait(30)
        wait_until(lambda: not server.is_running() or server.status() == "zombie", 30, "stopped")
        assert _servers_of(home) == []
