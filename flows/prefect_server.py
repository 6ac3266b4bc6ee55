"""A Prefect API server process for `census`: how it is started, and how it dies with its owner.

Two owners start one (flows/local_server.py chooses): the local server shared by every
`census run` of a PREFECT_HOME (the default), or, when that is switched off
(CENSUS_LOCAL_SERVER=0) or cannot run here, one `census run` for its own length
(`TemporaryServer`, started first so that it comes up while the run imports the pipeline).

Either way the server is Prefect's server app (`prefect.server.api.server.create_app`, the app
`prefect server start` runs) under uvicorn, run through this module's `main`, which first
watches its standard input: the owner holds the write end of that pipe and never writes, so
the read returns only when every owner is gone, SIGKILL included. The server then stops
itself, instead of living on reparented to PID 1 (~230 MB, as a killed run's temporary server
did before). `main` runs the app as the CLI does without importing the CLI: its API answered
after 3.4-3.7 s instead of 3.7-4.6 s (three starts each), and a cold province run took a median
of 9.05 s instead of 9.63 s (13 interleaved runs each; 2 cores, December 2026).

Services: the task run recorder and the event persister run (with `--no-services`, which the
temporary server used before, task runs were never recorded and the UI showed flow runs
without their tasks); the scheduler, late runs, foreman, cancellation cleanup, pause
expirations, repossessor and automations do not: nothing here is scheduled through this
server (the scheduled deployment has its own server: README, Operations).
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator

SERVICES_OFF = (
    "SCHEDULER",
    "LATE_RUNS",
    "FOREMAN",
    "CANCELLATION_CLEANUP",
    "PAUSE_EXPIRATIONS",
    "REPOSSESSOR",
    "TRIGGERS",
)
# Seconds the server has to stop by itself (uvicorn's graceful shutdown) once its owner is
# gone, before it is ended without ceremony.
GRACE = 10.0
# The API server runs at the workers' priority (flows/workers.py NICE; not imported: this module
# stays light for `census run`'s own process): until they are done, what waits for this server
# is only the flow's first call, while the census process's imports and the workers are the
# run's critical path. A cold province run (the bench's ten workbooks, 2 cores; 7, 10 and 4
# runs): median 7.09 s at nice 0, 6.90 s at 10, 7.39 s at 19; warm runs and corrections alike
# (4.5-4.7 s, 1.3 s) (December 2026).
NICE = 10


def free_port() -> int:
    with socket.socket() as probe:  # as Prefect's own temporary server finds one
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(base: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in base.items() if k != "PREFECT_API_URL"}
    env |= {f"PREFECT_SERVER_SERVICES_{name}_ENABLED": "false" for name in SERVICES_OFF}
    env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"  # no telemetry from an office machine
    return env


def start_server(port: int, ui: bool, output: int | object = subprocess.DEVNULL):
    """Prefect's API server (and UI) on 127.0.0.1:`port`, a child that dies with this process."""
    # The UI asks the server where its API is (/ui-settings): the port the server listens on
    # does not reach that setting, which answered Prefect's default port (4200), where the
    # officer's browser found no API.
    env = server_env(dict(os.environ)) | {"PREFECT_UI_API_URL": f"http://127.0.0.1:{port}/api"}
    return subprocess.Popen(
        [sys.executable, "-m", "flows.prefect_server", "--host", "127.0.0.1"]
        + ["--port", str(port)]
        + ([] if ui else ["--no-ui"]),
        env=env,
        stdin=subprocess.PIPE,  # the lifeline: never written, closed when the owner dies
        stdout=output,
        stderr=subprocess.STDOUT if output is not subprocess.DEVNULL else subprocess.DEVNULL,
    )


def healthy(url: str, timeout: float = 1.0) -> bool:
    with (
        contextlib.suppress(OSError),
        urllib.request.urlopen(f"{url}/health", timeout=timeout) as response,
    ):
        return response.status == 200
    return False


def _die_with_owner() -> None:
    """Stop this server when standard input reaches its end (the owner is gone)."""

    def watch() -> None:
        with contextlib.suppress(OSError):
            while os.read(0, 4096):
                pass
        os.kill(os.getpid(), signal.SIGTERM)  # uvicorn's graceful shutdown
        time.sleep(GRACE)
        os._exit(0)

    threading.Thread(target=watch, name="owner-watch", daemon=True).start()


def main(argv: list[str] | None = None) -> None:
    """`python -m flows.prefect_server --host H --port P [--no-ui]`: Prefect's server app
    under uvicorn, as `prefect server start` runs it (prefect/cli/_server_utils.py,
    `_run_in_foreground`), tied to its owner. Services, analytics and the UI's API address
    come from the environment (`start_server`)."""
    _die_with_owner()
    os.nice(NICE)
    parser = argparse.ArgumentParser(prog="python -m flows.prefect_server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--no-ui", dest="ui", action="store_false")
    args = parser.parse_args(argv)
    os.environ["PREFECT_SERVER_UI_ENABLED"] = str(args.ui)  # read when Prefect is imported
    import prefect
    import uvicorn
    from prefect.server.api.server import create_app
    from prefect.settings import get_current_settings

    server = get_current_settings().server
    uvicorn.run(
        app=create_app(final=True),
        app_dir=str(prefect.__module_path__.parent),
        host=args.host,
        port=args.port,
        timeout_keep_alive=server.api.keepalive_timeout,
        ws_ping_interval=server.api.websocket_ping_interval,
        ws_ping_timeout=server.api.websocket_ping_timeout,
        log_level=server.logging_level.lower(),
    )


class TemporaryServer:
    """A run's own API server (CENSUS_LOCAL_SERVER=0, or no local server on this system), or
    nothing when Prefect already has an API to talk to. It dies with the run."""

    def __init__(self) -> None:
        from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED

        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""
        if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
            return
        port = free_port()
        self.url = f"http://127.0.0.1:{port}/api"
        self.process = start_server(port, ui=False)
        # Stopped at exit, after Prefect's own exit handlers (registered later, run first)
        # have sent the run's last logs and events to it.
        atexit.register(self.stop)

    def _up(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self.process is not None and self.process.poll() is None:
            if healthy(self.url):
                return True
            if time.monotonic() > deadline:
                break
            time.sleep(0.1)
        return False

    @contextlib.contextmanager
    def connected(self) -> Iterator[None]:
        """Prefect talks to this server inside the block. If it did not come up, Prefect
        starts its own temporary server as usual (and reports what goes wrong there)."""
        from prefect.settings import PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS

        if not self._up(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value()):
            self.stop()
            yield
            return
        with api_url(self.url):
            yield

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=GRACE)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        self.process = None


@contextlib.contextmanager
def api_url(url: str) -> Iterator[None]:
    """Prefect talks to `url` inside the block (this process, and Dask workers it starts)."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: url}), own_server_settings():
        os.environ["PREFECT_API_URL"] = url  # Dask workers inherit the environment
        try:
            yield
        finally:
            del os.environ["PREFECT_API_URL"]


@contextlib.contextmanager
def own_server_settings() -> Iterator[None]:
    """Prefect's settings for a run against a server `census` started: no flow run
    heartbeats. Their thread sleeps in 1 s steps and is joined when the flow run ends, which
    added 0-1 s to every run (~0.9 s of a correction's profile); they serve automations
    that detect crashed runs, which these servers do not run (flows/prefect_server.py
    leaves the triggers off)."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


if __name__ == "__main__":
    main()
