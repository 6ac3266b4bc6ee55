"""`census run` as a new user runs it: no Prefect API configured, so the run starts its own
temporary API server (flows/prefect_server.py), loads the year, and leaves no server behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import psutil

from tests.factory import household, write_workbook

REPO = Path(__file__).resolve().parents[2]


def _servers_of(prefect_home: str) -> list[psutil.Process]:
    """Running `prefect server start` processes that use this PREFECT_HOME."""
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = " ".join(proc.info["cmdline"] or [])
        if "prefect server start" not in cmdline:
            continue
        try:
            if proc.environ().get("PREFECT_HOME") == prefect_home:
                found.append(proc)
        except psutil.Error:
            continue
    return found


def test_census_run_without_a_prefect_api(tmp_path):
    raw, warehouse = tmp_path / "raw", tmp_path / "census.duckdb"
    write_workbook(raw / "2019" / "muong-nhe.xlsx", [household(i) for i in range(1, 4)])
    home = str(tmp_path / "prefect-home")
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"} | {"PREFECT_HOME": home}
    run = subprocess.run(
        [sys.executable, "-m", "flows.cli", "run", "--year", "2019", "--raw", str(raw)]
        + ["--warehouse", str(warehouse), "--reports", str(tmp_path / "reports")],
        cwd=REPO,
        env=env,
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
