"""A Prefect API for one `census run`, started early so that it comes up while the run loads.

Without PREFECT_API_URL (the default: "no server to start") Prefect starts a temporary server
on the first flow run and waits for it, after importing the server's models into the run's own
process too (about 3 s here) just to launch it. `census run` instead launches the same server
(`prefect server start --no-services`, public CLI, no UI) as its very first step, imports the
pipeline while the server starts on the other core, and points Prefect at it for the run
(bench/results.md: about 2-3 s off every cold run). With an API configured (a profile or
PREFECT_API_URL: the scheduled deployment, the tests' harness) nothing is started here.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator


class TemporaryServer:
    """The run's own API server, or nothing when Prefect already has an API to talk to."""

    def __init__(self) -> None:
        from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED

        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""
        if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
            return
        with socket.socket() as probe:  # a free port, as Prefect's own temporary server does
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/api"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--no-services"]
            + ["--host", "127.0.0.1", "--port", str(port)],
            env=os.environ | {"PREFECT_UI_ENABLED": "false"},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # Stopped at exit, after Prefect's own exit handlers (registered later, run first)
        # have sent the run's last logs and events to it.
        atexit.register(self.stop)

    def _up(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self.process is not None and self.process.poll() is None:
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"{self.url}/health", timeout=1) as response,
            ):
                if response.status == 200:
                    return True
            if time.monotonic() > deadline:
                break
            time.sleep(0.1)
        return False

    @contextlib.contextmanager
    def connected(self) -> Iterator[None]:
        """Prefect talks to this server inside the block. If it did not come up, Prefect
        starts its own temporary server as usual (and reports what goes wrong there)."""
        from prefect.settings import (
            PREFECT_API_URL,
            PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS,
            temporary_settings,
        )

        if not self._up(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value()):
            self.stop()
            yield
            return
        with temporary_settings(updates={PREFECT_API_URL: self.url}):
            os.environ["PREFECT_API_URL"] = self.url  # Dask workers inherit the environment
            try:
                yield
            finally:
                del os.environ["PREFECT_API_URL"]

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
