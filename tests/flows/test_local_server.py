"""The local census server (flows/local_server.py) as an officer meets it: `census run` with no
Prefect API configured hands itself to one server per PREFECT_HOME, started on demand, reused
by the next run, keeping the run history (task runs included); and nothing is ever left
running without an owner: a SIGKILLed `census run` takes its run with it and the server
stops when idle; a SIGKILLed server takes its Prefect API server with it.

Real subprocesses, each test with its own PREFECT_HOME (and so its own server)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from flows.prefect_server import NICE
from tests.factory import household, write_workbook

REPO = Path(__file__).resolve().parents[2]
HOLDER = """
import sys, time
sys.path.insert(0, {repo!r})
from warehouse import writer
con = writer.connect({warehouse!r})
con.begin()
print("HOLDING", flush=True)
time.sleep(900)
"""


def processes_of(home: Path) -> list[psutil.Process]:
    """Every process started for this PREFECT_HOME (server, Prefect API server, runs)."""
    found = []
    for proc in psutil.process_iter():
        if proc.pid == os.getpid():
            continue
        try:
            if proc.environ().get("PREFECT_HOME") == str(home) and proc.status() != "zombie":
                found.append(proc)
        except psutil.Error:
            continue
    return found


def alive(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != "zombie"
    except psutil.NoSuchProcess:
        return False


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out: {what}"
        time.sleep(0.2)


@pytest.fixture
def home(tmp_path):
    """A PREFECT_HOME of this test; whatever runs for it is gone when the test ends."""
    home = tmp_path / "prefect-home"
    yield home
    for proc in processes_of(home):
        proc.kill()


def environment(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    return env | {"PREFECT_HOME": str(home), "CENSUS_LOCK_WAIT": "900"} | extra


def census(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flows.launch", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def state(home: Path) -> dict:
    return json.loads((home / "census-server" / "state.json").read_text())


@contextlib.contextmanager
def held_run(tmp_path: Path, env: dict[str, str]) -> Iterator[subprocess.Popen]:
    """`census run` of one workbook, started while another process holds the warehouse open
    for writing (HOLDER): the run waits for it, so a test can kill it in the middle."""
    write_workbook(tmp_path / "raw" / "2019" / "muong-nhe.xlsx", [household(1)])
    warehouse = tmp_path / "w.duckdb"
    script = textwrap.dedent(HOLDER.format(repo=str(REPO), warehouse=str(warehouse)))
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "HOLDING"
        yield subprocess.Popen(
            [sys.executable, "-m", "flows.launch", "run", "--year", "2019"]
            + ["--warehouse", str(warehouse)],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    finally:
        holder.kill()
        holder.wait(30)


def api_get(url: str, path: str, body: dict) -> list[dict]:
    request = urllib.request.Request(
        f"{url}{path}", json.dumps(body).encode(), {"content-type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


def test_runs_share_one_server_that_keeps_their_history(tmp_path, home):
    env = environment(home)
    raw = tmp_path / "raw" / "2019"
    write_workbook(raw / "muong-nhe.xlsx", [household(i) for i in range(1, 6)])
    dbp = {"district": "Điện Biên Phủ", "commune": "Him Lam", "area": "Thành thị"}
    write_workbook(raw / "dien-bien-phu.xlsx", [household(900 + i, **dbp) for i in range(3)])

    first = census(env, tmp_path, "run", "--year", "2019")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "8 households loaded" in first.stdout
    server = state(home)

    # The officer corrects one district and reruns it: the same server runs it.
    write_workbook(raw / "muong-nhe.xlsx", [household(i) for i in range(1, 7)])
    second = census(env, tmp_path, "run", "--year", "2019", "--district", "Mường Nhé")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "1 workbooks loaded" in second.stdout and "6 households loaded" in second.stdout
    assert state(home)["pid"] == server["pid"]
    log = (home / "census-server" / "server.log").read_text()
    assert log.count("run ") >= 2 and f"[{server['pid']}] run" in log

    # The run history: both flow runs and their task runs (the task run recorder runs).
    flows = api_get(server["api_url"], "/flow_runs/filter", {"limit": 10})
    assert sorted(f["state_name"] for f in flows) == ["Completed", "Completed"]
    names = [t["name"] for t in api_get(server["api_url"], "/task_runs/filter", {"limit": 100})]
    assert names.count("load 2 units (dien-bien-phu ... muong-nhe)") == 1
    assert names.count("load muong-nhe") == 1  # the correction: its unit alone

    # A run in its own process (not handed over) talks to the same server's API.
    own = subprocess.run(
        [sys.executable, "-m", "flows.cli", "run", "--year", "2019", "--force"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert own.returncode == 0, own.stdout + own.stderr
    assert state(home)["pid"] == server["pid"]
    assert len(api_get(server["api_url"], "/flow_runs/filter", {"limit": 10})) == 3

    status = census(env, tmp_path, "server")
    assert status.returncode == 0 and server["ui_url"] in status.stdout
    # The officer opens the run history there: the UI, pointed at this API.
    with urllib.request.urlopen(server["ui_url"], timeout=30) as page:
        assert "<html" in page.read().decode().lower()
    with urllib.request.urlopen(f"{server['ui_url']}/ui-settings", timeout=30) as settings:
        assert json.loads(settings.read())["api_url"] == server["api_url"]

    # Other settings read at import (here the idle time): the next run replaces the server.
    other = census(env | {"CENSUS_SERVER_IDLE_MINUTES": "29"}, tmp_path, "server", "start")
    assert other.returncode == 0, other.stdout + other.stderr
    assert state(home)["pid"] != server["pid"] and not psutil.pid_exists(server["pid"])

    stopped = census(env, tmp_path, "server", "stop")
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    wait_until(lambda: not processes_of(home), 60, "the server and its API stopped")


def test_a_killed_run_leaves_no_process_behind(tmp_path, home):
    """SIGKILL the officer's `census run` in the middle of its run (held here waiting for the
    warehouse, which another process holds): its run and its worker processes stop at once,
    and the server, now idle, stops after its idle time (a few seconds here)."""
    env = environment(home, CENSUS_SERVER_IDLE_MINUTES="0.1", CENSUS_WORKERS="2")
    with held_run(tmp_path, env) as run:
        log = home / "census-server" / "server.log"
        wait_until(lambda: log.exists() and "] run " in log.read_text(), 300, "run handed over")
        child = int(log.read_text().split("] run ")[1].split(":")[0])
        time.sleep(2)  # into the run: waiting for the warehouse
        assert psutil.pid_exists(child) and run.poll() is None
        workers = psutil.Process(child).children()  # flows/workers.py, forked before the flow
        assert len(workers) == 2, workers
        run.send_signal(signal.SIGKILL)
        run.wait(30)
        wait_until(lambda: not psutil.pid_exists(child), 20, "the run stopped with its caller")
        wait_until(lambda: not any(map(alive, workers)), 20, "its workers stopped with it")
        wait_until(lambda: not processes_of(home), 90, "the idle server stopped")


def test_a_killed_server_takes_its_prefect_api_server_with_it(tmp_path, home):
    env = environment(home)
    started = census(env, tmp_path, "server", "start")
    assert started.returncode == 0, started.stdout + started.stderr
    server = psutil.Process(state(home)["pid"])
    [api] = server.children()
    assert "flows.prefect_server" in " ".join(api.cmdline())
    # It yields the cores to the run and its workers, at their priority (flows/workers.py).
    wait_until(lambda: api.nice() == server.nice() + NICE, 30, "API server reniced")
    server.send_signal(signal.SIGKILL)
    wait_until(lambda: not api.is_running() or api.status() == "zombie", 30, "API server gone")
    wait_until(lambda: not processes_of(home), 30, "nothing left")
    # The next run starts a fresh server (the killed one's socket is not in the way).
    again = census(env, tmp_path, "server", "start")
    assert again.returncode == 0, again.stdout + again.stderr
    assert state(home)["pid"] != server.pid
    assert census(env, tmp_path, "server", "stop").returncode == 0
