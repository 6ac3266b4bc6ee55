"""The local census server: one Prefect API and one warm census process, shared by every
`census run` of a PREFECT_HOME, started on demand and stopped when idle.

Why: a correction (`census run --year Y --unit U`) does about a second of work, but a fresh
process paid ~1.5-2 s importing Python, pandas and Prefect and ~3 s starting its own Prefect
API server before it could begin (bench/results.md). This server pays both once:

- it starts a Prefect API server (flows/prefect_server.py; with its UI, so the officer can
  open the run history) and keeps it while it lives;
- it imports the pipeline once and then, for each `census run` handed to it, forks a child
  that already has everything imported. The child gets the caller's terminal (its standard
  input, output and error, passed over the socket), working directory and environment, runs
  the ordinary `flows.cli.main(argv)` and sends back the exit status. What the officer sees
  is the same command, output and exit status, in a fraction of the time.

Lifetime, so that nothing is ever left running without an owner:

- a run child belongs to the `census run` that asked for it: when that process ends, however
  it ends (SIGKILL included), its socket closes and the child is stopped (SIGTERM: Prefect
  marks the flow run crashed; the warehouse rolls back the open unit; a hard exit after
  GRACE seconds if that does not end it);
- the Prefect API server belongs to this server and stops when it ends, SIGKILL included
  (its standard input is a pipe from here: flows/prefect_server.py);
- this server belongs to nobody: it stops by itself after CENSUS_SERVER_IDLE_MINUTES (default
  30) without a run, on `census server stop`, or when its code or Prefect/census settings
  changed (a `census run` from another environment asks it to stop when idle, and starts a
  fresh one).

State lives in PREFECT_HOME/census-server/: `state.json` (pid, API and UI addresses), the
socket, a lock held for the server's life, and `server.log`. POSIX only (fork, passing file
descriptors over a Unix socket); elsewhere, or with CENSUS_LOCAL_SERVER=0, each `census run`
starts and stops its own temporary API server as before.

This module imports only the standard library until the server itself starts: the client
side runs inside `census run` before anything heavy is imported (flows/launch.py).
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import importlib
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from pathlib import Path

from flows.prefect_server import (
    TemporaryServer,
    api_url,
    free_port,
    healthy,
    own_server_settings,
    start_server,
)

IDLE_MINUTES = 30.0
START_TIMEOUT = 300.0  # seconds a client waits for a new server (a busy machine is slow)
GRACE = 10.0  # seconds a run child has to stop after its caller is gone
PROJECT = Path(__file__).resolve().parent.parent
# What a server's imported code and data come from: a change to any of these files makes a
# running server stale (it would run the old code), and the next run starts a fresh one.
CODE_DIRS = ("config", "flows", "reporting", "sample", "schemas", "transforms", "warehouse",
             "workbooks")  # fmt: skip
CODE_SUFFIXES = (".py", ".sql", ".csv", ".toml")
# Settings read when modules are imported (Prefect's, the pipeline's CENSUS_*): a server
# imported under other values cannot run for this caller.
ENV_PREFIXES = ("PREFECT_", "CENSUS_", "PYTHON")
ENV_NAMES = ("TZ", "LANG", "LC_ALL", "LC_CTYPE")
# Set by `census` itself (the server's API; flows/cli.py's start-up timeout default).
KEY_IGNORES = ("PREFECT_API_URL", "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS")
# A run's state is reported with these messages, one JSON object a line.
MAX_MESSAGE = 1 << 20


# ---------------------------------------------------------------------------------------------
# Where and whether
# ---------------------------------------------------------------------------------------------
def enabled() -> bool:
    """The local server is used unless switched off or impossible on this system."""
    off = os.environ.get("CENSUS_LOCAL_SERVER", "1").strip().lower() in ("0", "off", "no")
    possible = hasattr(os, "fork") and hasattr(socket, "AF_UNIX") and hasattr(socket, "send_fds")
    return possible and not off


def prefect_home(env: dict[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    return Path(env.get("PREFECT_HOME") or "~/.prefect").expanduser().resolve()


def state_dir(env: dict[str, str] | None = None) -> Path:
    return prefect_home(env) / "census-server"


def socket_path(env: dict[str, str] | None = None) -> str:
    path = str(state_dir(env) / "sock")
    if len(path.encode()) <= 100:  # sun_path holds 108 bytes
        return path
    digest = hashlib.sha256(path.encode()).hexdigest()[:16]
    return f"/tmp/census-server-{os.getuid()}-{digest}.sock"


def idle_seconds(env: dict[str, str] | None = None) -> float:
    env = os.environ if env is None else env
    return 60 * float(env.get("CENSUS_SERVER_IDLE_MINUTES") or IDLE_MINUTES)


def key(env: dict[str, str] | None = None) -> str:
    """What a server must share with its caller to run for it: the interpreter, the code and
    data files (names, sizes, times) and the settings read at import."""
    env = os.environ if env is None else env
    digest = hashlib.sha256(sys.executable.encode())
    for folder in CODE_DIRS:
        for root, dirs, files in os.walk(PROJECT / folder):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                if name.endswith(CODE_SUFFIXES):
                    stat = os.stat(os.path.join(root, name))
                    digest.update(f"{root}/{name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    for name in sorted(env):
        if name in KEY_IGNORES:
            continue
        if name.startswith(ENV_PREFIXES) or name in ENV_NAMES:
            digest.update(f"{name}={env[name]}\n".encode())
    return digest.hexdigest()[:20]


def api_configured() -> bool:
    """Whether Prefect may already have an API to talk to, judged without importing Prefect
    (the launcher's question, before anything heavy is imported). When in doubt: yes, and
    `census run` runs in its own process as before, where Prefect's settings decide."""
    if os.environ.get("PREFECT_API_URL"):
        return True
    profiles = Path(
        os.environ.get("PREFECT_PROFILES_PATH") or prefect_home() / "profiles.toml"
    ).expanduser()
    with contextlib.suppress(OSError):
        if "PREFECT_API_URL" in profiles.read_text(encoding="utf-8"):
            return True
    cwd = Path.cwd()
    if (cwd / "prefect.toml").exists():
        return True
    with contextlib.suppress(OSError):
        if "PREFECT_" in (cwd / ".env").read_text(encoding="utf-8", errors="replace"):
            return True
    with contextlib.suppress(OSError):
        if "[tool.prefect" in (cwd / "pyproject.toml").read_text(encoding="utf-8"):
            return True
    return False


# ---------------------------------------------------------------------------------------------
# Messages: one JSON object a line
# ---------------------------------------------------------------------------------------------
def send(sock: socket.socket, message: dict, fds: list[int] | None = None) -> None:
    data = (json.dumps(message) + "\n").encode()
    if fds:
        sent = socket.send_fds(sock, [data], fds)
        data = data[sent:]
    sock.sendall(data)


class Reader:
    """Messages from a socket, one JSON object a line (the first may carry descriptors)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock, self.buffer, self.fds = sock, b"", []

    def read(self, with_fds: bool = False) -> dict | None:
        while b"\n" not in self.buffer:
            if with_fds and not self.fds:
                data, fds, _flags, _addr = socket.recv_fds(self.sock, MAX_MESSAGE, 3)
                self.fds += fds
            else:
                data = self.sock.recv(MAX_MESSAGE)
            if not data:
                return None
            self.buffer += data
            if len(self.buffer) > MAX_MESSAGE:
                raise ValueError("message too long")
        line, _, self.buffer = self.buffer.partition(b"\n")
        return json.loads(line)


# ---------------------------------------------------------------------------------------------
# The client side: `census run` hands itself over, or leases the API
# ---------------------------------------------------------------------------------------------
def _connect() -> socket.socket | None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(socket_path())
    except OSError:
        sock.close()
        return None
    return sock


def spawn() -> subprocess.Popen:
    """Start a server in the background, detached from this terminal and process."""
    folder = state_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "server.log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "flows.local_server", "serve"],
            cwd=PROJECT,
            env={k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # not stopped by the terminal's Ctrl-C or hang-up
        )


def connect(start: bool = True, timeout: float = START_TIMEOUT) -> socket.socket | None:
    """A connection to the running server; started first when none runs (and `start`)."""
    sock = _connect()
    if sock is not None or not start:
        return sock
    started, spawned = spawn(), 1
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sock = _connect()
        if sock is not None:
            return sock
        if started.poll() is not None:  # it found another server, which has gone since
            if spawned == 3:
                return None
            started, spawned = spawn(), spawned + 1
        time.sleep(0.05)
    return None


def _ask(message: dict, fds: list[int] | None = None) -> tuple[socket.socket, Reader] | None:
    """Send a run or lease request; a stale server (other code or settings) is asked to
    stop when idle and replaced once."""
    for _ in range(2):
        sock = connect()
        if sock is None:
            return None
        send(sock, message | {"key": key()}, fds)
        reader = Reader(sock)
        reply = reader.read()
        if reply is not None and not reply.get("stale"):
            return sock, reader
        sock.close()
        if not wait_stopped(START_TIMEOUT):
            return None
    return None


def wait_stopped(timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sock = _connect()
        if sock is None:
            return True
        sock.close()
        time.sleep(0.1)
    return False


def run_remote(argv: list[str]) -> int | None:
    """Hand `census ARGV` to the local server; its exit status, or None when it could not
    be handed over (the caller then runs it itself)."""
    request = {
        "op": "run",
        "argv": argv,
        "cwd": os.getcwd(),
        "env": dict(os.environ),
        "encoding": sys.stdout.encoding,
    }
    try:
        asked = _ask(request, [0, 1, 2])
    except OSError:
        return None
    if asked is None:
        return None
    sock, reader = asked

    def forward(signum, _frame) -> None:  # Ctrl-C and friends reach the run
        with contextlib.suppress(OSError):
            send(sock, {"signal": signum})

    forwarded = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {s: signal.signal(s, forward) for s in forwarded}
    try:
        while True:
            try:
                message = reader.read()
            except InterruptedError:
                continue
            if message is None:
                print(
                    "census: máy chủ cục bộ ngắt kết nối giữa chừng / the local server "
                    f"dropped the run (log: {state_dir() / 'server.log'})",
                    file=sys.stderr,
                )
                return 2
            if "exit" in message:
                return int(message["exit"])
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        sock.close()


class Lease:
    """The local server's API, held from here to `close` (the server does not stop while a
    lease is open; a killed holder's lease ends with it). Asked for at once, so that a new
    server starts while the caller imports the pipeline; `url` waits for the API."""

    def __init__(self) -> None:
        asked = _ask({"op": "lease"})
        self.sock, self.reader = asked if asked is not None else (None, None)
        self._url: str | None = None

    def url(self) -> str | None:
        if self._url is None and self.reader is not None:
            reply = self.reader.read()  # sent once the API answers
            self._url = None if reply is None else reply.get("api_url")
        return self._url

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = self.reader = None

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class SharedServer:
    """`census run` in its own process (`python -m flows.cli run`, or a run that could not be
    handed over) without a configured API: the local server's API, leased for the run and
    released at exit, after Prefect's exit handlers have sent the run's last logs."""

    def __init__(self) -> None:
        self.lease = Lease()
        atexit.register(self.lease.close)

    @contextlib.contextmanager
    def connected(self) -> Iterator[None]:
        url = self.lease.url()
        if url is None:  # no local server could be had: the run's own, as before
            fallback = TemporaryServer()
            with fallback.connected():
                yield
            return
        with api_url(url):
            yield


class StartingApi:
    """In a run child forked before the local server's API answered: the flow waits for it
    (the workers already read the workbooks: flows/early.py)."""

    def __init__(self, url: str, pid: int) -> None:
        self.url, self.pid = url, pid

    @contextlib.contextmanager
    def connected(self) -> Iterator[None]:
        deadline = time.monotonic() + START_TIMEOUT
        while not healthy(self.url, timeout=0.5):
            try:
                os.kill(self.pid, 0)  # gone once the server has reaped it
            except ProcessLookupError:
                raise RuntimeError(
                    f"the Prefect API server stopped before it answered (log: {state_dir()}"
                    "/api.log)"
                ) from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"the Prefect API did not answer in {START_TIMEOUT:g} s")
            time.sleep(0.05)
        yield


starting_api: StartingApi | None = None  # set in a run child forked before the API answered


def run_server() -> TemporaryServer | SharedServer | StartingApi:
    """The API a `census run` in this process talks to: the local server's when this is its
    run child (waited for if still starting), the configured one (nothing to start), else the
    local server's, else a temporary one (flows/prefect_server.py)."""
    from prefect.settings import PREFECT_API_URL

    if starting_api is not None:
        return starting_api
    if PREFECT_API_URL.value() or not enabled():
        return TemporaryServer()
    return SharedServer()


def status() -> dict | None:
    sock = connect(start=False)
    if sock is None:
        return None
    with sock:
        send(sock, {"op": "status"})
        return Reader(sock).read()


def stop(timeout: float = 600.0) -> dict | None:
    """Ask the server to stop (after the runs under way) and wait until it has."""
    sock = connect(start=False)
    if sock is None:
        return None
    with sock:
        try:
            send(sock, {"op": "stop"})
            reply = Reader(sock).read()
        except OSError:  # it went away while answering
            reply = {"stopping": True}
    wait_stopped(timeout)
    return reply


# ---------------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------------
# Imported once by the server, so that a run child starts with them: the run's own modules,
# and those Prefect and the pipeline import only on first use.
# The module whose `main(argv)` runs a handed-over `census` command: named, not imported, as
# it imports this module (the run in its own process leases the API: `run_server`).
ENTRY = "flows.cli"
PRELOAD = (
    ENTRY,
    "flows.census_flow",
    "flows.progress",
    "flows.runners",
    "warehouse.run",
    "warehouse.queries",
    "prefect.flow_engine",
    "prefect.task_engine",
    "prefect.task_runners",
    "prefect.futures",
    "prefect.results",
    "prefect.artifacts",
    "prefect.events.clients",
    "prefect.events.worker",
    "prefect.logging.handlers",
    "prefect.client.orchestration",
    "prefect.runtime.task_run",
    "xlsxwriter",
    # What a run imported beyond the above (sys.modules before and after a correction):
    # Prefect's parameter encoding and flow visualisation, pandera's accessors and its
    # hypothesis strategies, pandas' reshaping and string formatting.
    "fastapi.encoders",
    "starlette.applications",
    "anyio._backends._asyncio",
    "graphviz",
    "prefect.utilities.visualization",
    "opentelemetry.metrics",
    "hypothesis.extra.pandas",
    "pandera.accessors.pandas_accessor",
    "pandera.backends.pandas.register",
    "pandera.backends.pandas.container",
    "pandera.strategies.pandas_strategies",
    "pandera.api.geopandas.container",
    "pandas.core.reshape.reshape",
    "pandas.io.formats.string",
    "pydantic.color",
    "http.cookies",
    "rich._emoji_codes",
    "encodings.idna",
)


class Server:
    def __init__(self) -> None:
        self.folder = state_dir()
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.key = key()
        self.idle = idle_seconds()
        self.children: dict[int, float] = {}  # pid -> started
        self.leases: list[socket.socket] = []
        self.waiting: list[tuple[socket.socket, Reader, dict]] = []  # until the API answers
        self.last_active = time.monotonic()
        self.stopping = False
        self.api: subprocess.Popen | None = None
        self.api_up = False
        self.selector = selectors.DefaultSelector()

    # --- life ---------------------------------------------------------------------------
    def serve(self) -> int:
        import fcntl

        self.lock = (self.folder / "lock").open("w")
        deadline = time.monotonic() + 30
        while True:
            try:
                fcntl.flock(self.lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                # Another server holds this PREFECT_HOME: clients connect to it. Unless it is
                # on its way out (it unlinks its socket first): then wait for its lock.
                sock = _connect()
                if sock is not None or time.monotonic() > deadline:
                    if sock is not None:
                        sock.close()
                    return 0
                time.sleep(0.1)
        path = socket_path()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)  # left by a server that was killed
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        umask = os.umask(0o177)  # runs carry the caller's environment: this user only
        try:
            self.listener.bind(path)
        finally:
            os.umask(umask)
        self.listener.listen(16)
        self.selector.register(self.listener, selectors.EVENT_READ)
        signal.signal(signal.SIGTERM, self._on_term)
        signal.signal(signal.SIGINT, self._on_term)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        self.pid = os.getpid()
        try:
            self._start_api()
            self._preload()
            self._loop()
        finally:
            if os.getpid() == self.pid:  # not in a run child leaving through SystemExit
                self._shutdown(path)
        return 0

    def _on_term(self, _signum, _frame) -> None:
        self.stopping = True

    def _start_api(self) -> None:

        port = int(os.environ.get("CENSUS_SERVER_PORT") or 0) or free_port()
        self.url = f"http://127.0.0.1:{port}/api"
        with (self.folder / "api.log").open("wb") as log:
            self.api = start_server(port, ui=True, output=log)
        # Prefect reads its settings when first imported: the runs this server forks talk
        # to its API.
        os.environ["PREFECT_API_URL"] = self.url
        self._write_state()
        _log(f"started; Prefect API {self.url} (pid {self.api.pid}); key {self.key}")

    def _write_state(self) -> None:
        state = {
            "pid": os.getpid(),
            "api_url": self.url,
            "ui_url": self.url.removesuffix("/api"),
            "socket": socket_path(),
            "key": self.key,
            "idle_minutes": self.idle / 60,
            "started": time.time(),
        }
        tmp = self.folder / "state.json.tmp"
        tmp.write_text(json.dumps(state, indent=1), encoding="utf-8")
        tmp.replace(self.folder / "state.json")

    def _preload(self) -> None:
        started = time.perf_counter()
        for name in PRELOAD:
            try:
                importlib.import_module(name)
            except Exception as exc:  # a missing optional module only costs its first run
                _log(f"preload {name}: {exc!r}")
        import config

        config.load_province(config.DEFAULT_PROVINCE)  # config CSVs are read once, cached
        _log(f"pipeline imported in {time.perf_counter() - started:.1f} s")

    def _loop(self) -> None:
        self.last_active = time.monotonic()  # idle from now: not from before the imports
        while True:
            for selected, _events in self.selector.select(timeout=0.2):
                if selected.fileobj is self.listener:
                    self._accept()
                else:  # a lease's holder closed it (or died)
                    self._end_lease(selected.fileobj)
            self._reap()
            if not self.api_up:
                self._check_api()
            active = len(self.children) + len(self.leases) + len(self.waiting)
            if active:
                self.last_active = time.monotonic()
            if self.stopping and not active:
                return
            if self.api is not None and self.api.poll() is not None:
                _log(f"the Prefect API server exited ({self.api.returncode}): stopping")
                self.api = None
                self.stopping = True
                for conn, _reader, _request in self.waiting:
                    conn.close()
                self.waiting.clear()
                continue
            if not active and time.monotonic() - self.last_active > self.idle:
                _log(f"idle for {self.idle / 60:g} min: stopping")
                return

    def _check_api(self) -> None:

        if self.api is not None and healthy(self.url, timeout=0.5):
            self.api_up = True
            _log("Prefect API answers")
            waiting, self.waiting = self.waiting, []
            for conn, reader, request in waiting:
                self._handle(conn, reader, request)

    def _shutdown(self, path: str) -> None:
        for conn in self.leases:
            conn.close()
        with contextlib.suppress(OSError):
            self.listener.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        with contextlib.suppress(FileNotFoundError):
            (self.folder / "state.json").unlink()
        if self.api is not None and self.api.poll() is None:
            self.api.terminate()
            try:
                self.api.wait(timeout=GRACE)
            except subprocess.TimeoutExpired:
                self.api.kill()
                self.api.wait()
        _log("stopped")
        self.lock.close()

    # --- requests -----------------------------------------------------------------------
    def _accept(self) -> None:
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return
        conn.settimeout(5)  # a request is one message sent at once
        reader = Reader(conn)
        try:
            request = reader.read(with_fds=True)
        except (OSError, ValueError):
            request = None
        if request is None:
            _close_fds(reader.fds)
            conn.close()
            return
        conn.settimeout(None)
        op = request.get("op")
        if op == "status":
            self._reply(conn, self._status())
        elif op == "stop":
            self.stopping = True
            _log("asked to stop")
            self._reply(conn, self._status())
        elif op in ("run", "lease"):
            if self.stopping or request.get("key") != self.key:
                # Other code or settings (or stopping): the caller starts a fresh server
                # once this one has stopped, which it does as soon as it is idle.
                if not self.stopping:
                    _log(f"a caller with key {request.get('key')}: stopping when idle")
                self.stopping = True
                _close_fds(reader.fds)
                self._reply(conn, {"stale": True})
                return
            try:
                send(conn, {"accepted": True})
            except OSError:  # the caller is gone already (Ctrl-C while this server started)
                _close_fds(reader.fds)
                conn.close()
                return
            self.last_active = time.monotonic()
            # A run starts at once, its workers reading while the API starts (flows/early.py);
            # its flow waits for the API (StartingApi). A lease waits here.
            if self.api_up or op == "run":
                self._handle(conn, reader, request)
            else:
                self.waiting.append((conn, reader, request))
        else:
            self._reply(conn, {"error": f"unknown op {op!r}"})

    def _reply(self, conn: socket.socket, message: dict) -> None:
        with contextlib.suppress(OSError):
            send(conn, message)
        conn.close()

    def _status(self) -> dict:
        return {
            "pid": os.getpid(),
            "api_url": self.url,
            "ui_url": self.url.removesuffix("/api"),
            "api_up": self.api_up,
            "runs": len(self.children),
            "leases": len(self.leases),
            "idle_minutes": self.idle / 60,
            "stopping": self.stopping,
        }

    def _handle(self, conn: socket.socket, reader: Reader, request: dict) -> None:
        if request["op"] == "lease":
            try:
                send(conn, {"api_url": self.url})
            except OSError:
                conn.close()
                return
            self.leases.append(conn)
            self.selector.register(conn, selectors.EVENT_READ)
            return
        fds, reader.fds = reader.fds, []
        if len(fds) != 3 or not _alive(conn):
            _close_fds(fds)
            self._reply(conn, {"exit": 2})
            return
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            self._child(conn, reader, request, fds)  # never returns
        _close_fds(fds)
        conn.close()
        self.children[pid] = time.monotonic()
        _log(f"run {pid}: census {' '.join(request['argv'])}")

    def _end_lease(self, conn: socket.socket) -> None:
        self.selector.unregister(conn)
        self.leases.remove(conn)
        conn.close()
        self.last_active = time.monotonic()

    def _reap(self) -> None:
        for pid in list(self.children):
            with contextlib.suppress(ChildProcessError):
                done, status = os.waitpid(pid, os.WNOHANG)
                if not done:
                    continue
                seconds = time.monotonic() - self.children[pid]
                _log(f"run {pid}: exit {os.waitstatus_to_exitcode(status)} after {seconds:.1f} s")
            self.children.pop(pid, None)
            self.last_active = time.monotonic()

    # --- a run, in the forked child -----------------------------------------------------
    def _child(self, conn: socket.socket, reader: Reader, request: dict, fds: list[int]) -> None:
        """Become the caller's `census` process; ends by raising SystemExit, which unwinds
        to `main` for a normal interpreter exit: Prefect's exit handlers then send the run's
        last logs and events, and `_report_exit` (registered first, so run last) sends the
        exit status."""
        outcome = {"code": 2}
        try:
            signal.signal(signal.SIGTERM, _terminated)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            signal.signal(signal.SIGHUP, signal.SIG_DFL)
            self.selector.close()
            self.listener.close()
            self.lock.close()  # the server's lock is the server's: a run never holds it
            for other in self.leases:
                other.close()
            for target, fd in enumerate(fds):
                os.dup2(fd, target)
            _close_fds(fds)
            os.chdir(request["cwd"])
            os.environ.clear()
            os.environ.update(request["env"])
            os.environ["PREFECT_API_URL"] = self.url
            if not self.api_up:  # the run's flow waits for it (run_server); the server runs
                # this file as __main__, the run's code imports it as flows.local_server
                module = importlib.import_module("flows.local_server")
                module.starting_api = StartingApi(self.url, self.api.pid)
            encoding = request.get("encoding") or "utf-8"
            sys.stdin = open(0, encoding=encoding, closefd=False)  # noqa: SIM115
            sys.stdout = open(1, "w", encoding=encoding, closefd=False, buffering=1)  # noqa: SIM115
            sys.argv = ["census", *request["argv"]]
            atexit.register(_report_exit, conn, outcome)
            _watch_caller(reader)
            send(conn, {"pid": os.getpid()})
            outcome["code"] = _run_cli(request["argv"])
        except BaseException:
            with contextlib.suppress(Exception):
                traceback.print_exc()
        raise SystemExit(outcome["code"])


def _run_cli(argv: list[str]) -> int:
    main = importlib.import_module(ENTRY).main

    try:
        with own_server_settings():
            return int(main(argv) or 0)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except KeyboardInterrupt:
        print("\ncensus: đã dừng / interrupted", file=sys.stderr)
        return 130


_finishing = threading.Event()


class Terminated(SystemExit):
    """The run was told to stop (its caller is gone, or forwarded a SIGTERM); the warehouse
    records the run as `stopped by Terminated`."""


def _terminated(_signum, _frame) -> None:
    """SIGTERM: unwind, so that Prefect marks the flow run crashed and the warehouse rolls
    back the open unit and records the run as stopped."""
    raise Terminated(143)


def _report_exit(conn: socket.socket, outcome: dict) -> None:
    _finishing.set()  # the caller closes its end once it has the status: not a hang-up
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    with contextlib.suppress(OSError):
        send(conn, {"exit": outcome["code"]})
    # The run is over and reported; what is left of an interpreter's exit (tearing down
    # modules and the run's frames) is no one's business and took seconds of a busy core.
    os._exit(outcome["code"])


def _watch_caller(reader: Reader) -> None:
    """Signals the caller forwards reach this run; the caller's end (SIGKILL included) stops
    it: SIGTERM first (Prefect marks the flow run crashed), then a hard exit."""

    def watch() -> None:
        while True:
            try:
                message = reader.read()
            except (OSError, ValueError):
                message = None
            if message is None:
                break
            if "signal" in message:
                os.kill(os.getpid(), int(message["signal"]))
        if _finishing.is_set():
            return
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(GRACE)
        os._exit(137)

    threading.Thread(target=watch, name="caller-watch", daemon=True).start()


def _alive(conn: socket.socket) -> bool:
    """Whether the caller is still there (a waiting caller may have been interrupted)."""
    try:
        conn.setblocking(False)
        try:
            return conn.recv(1, socket.MSG_PEEK) != b""
        except BlockingIOError:
            return True
        finally:
            conn.setblocking(True)
    except OSError:
        return False


def _close_fds(fds: list[int]) -> None:
    for fd in fds:
        with contextlib.suppress(OSError):
            os.close(fd)


def _log(message: str) -> None:
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} [{os.getpid()}] {message}", flush=True)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv != ["serve"]:
        print("usage: python -m flows.local_server serve", file=sys.stderr)
        return 2
    return Server().serve()


if __name__ == "__main__":
    sys.exit(main())
