"""Worker processes for the per-workbook work, so that a run uses every core.

Reading, validating and classifying a workbook is Python and pandas work that holds the GIL:
the ten district workbooks of the sample province took 5.3 s one at a time, 3.9-4.9 s on the
flow's three threads, 3.1-3.9 s on two workers (2 cores, December 2026; two workbooks at once
each run ~1.4x slower than one alone on that machine). Here `census run` forks one worker per
core before its flow starts, and each workbook's task hands its work to a worker and waits for
the answer: the task, its state and its retries stay in Prefect's run history as before.

Forked, not spawned: a worker starts in milliseconds with the pipeline already imported (a
spawned one would import pandas, pandera and Prefect again, ~2 s each). They are forked
before the flow starts Prefect's threads, as a fork copies only the calling thread: locks
that another thread held at that moment would stay locked in the child for ever. A worker
dies with the process that forked it (Linux's parent-death signal), so a killed run leaves
none behind.

Outside `running()` (the flow called in-process, by tests or another runner), or where fork is
not available, `call` runs the function in the calling thread, as before.

`early` starts a call before anyone asks for it: `census run` hands its workers the workbooks
it expects to read while Prefect's API is still starting (flows/early.py). The flow's task that
then makes the same call (the same function and arguments) takes that answer instead of
starting the work again; a call nobody makes is dropped with the workers.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

_pool: ProcessPoolExecutor | None = None
_early: dict[bytes, Future] = {}  # a call's pickled (function, arguments) -> its answer
_early_lock = threading.Lock()
_early_since: float | None = None  # when the calls in _early were started (perf_counter)
PR_SET_PDEATHSIG = 1  # linux/prctl.h
# Workers yield the cores to the run's own process and to the Prefect API starting beside them
# (flows/early.py): what waits on a worker is one workbook, what waits on those is the run. A
# cold province run: 11.1-11.7 s at the same priority, 10.2-11.1 s at nice 5 to 15 (2 cores,
# December 2026).
NICE = 10


def wanted() -> int:
    """Workers to start: CENSUS_WORKERS, else one per core; none on one core or without a
    safe fork (Linux only)."""
    setting = os.environ.get("CENSUS_WORKERS")
    count = int(setting) if setting else (os.cpu_count() or 1)
    return count if count > 1 and sys.platform == "linux" else 0


@contextlib.contextmanager
def running(count: int | None = None) -> Iterator[None]:
    """Workers for the block: forked on entering it (before Prefect starts its threads),
    stopped on leaving it."""
    global _pool
    count = wanted() if count is None else count
    if _pool is not None or count < 2:
        yield
        return
    _pool = ProcessPoolExecutor(count, multiprocessing.get_context("fork"), _worker_setup)
    try:
        _pool.submit(int).result()  # with fork, the first submission starts every worker
        yield
    finally:
        _pool.shutdown(wait=True, cancel_futures=True)
        _pool = None
        drop_early()


def call(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """`fn(*args, **kwargs)` in a worker (or here, without workers). Its exception is raised
    here as it was raised there, with its cause (flows/tasks.file_busy retries on it)."""
    if _pool is None:
        return fn(*args, **kwargs)
    with _early_lock:
        future = _early.pop(_key(fn, args, kwargs), None)
    if future is None:
        future = _pool.submit(_guarded, fn, args, kwargs)
    ok, value = future.result()
    if ok:
        return value
    raise value


def early(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> bool:
    """Start `fn(*args, **kwargs)` in a worker now, for a `call` with the same arguments to
    take later; False without workers (nothing started)."""
    global _early_since
    if _pool is None:
        return False
    with _early_lock:
        if not _early:
            _early_since = time.perf_counter()
        _early[_key(fn, args, kwargs)] = _pool.submit(_guarded, fn, args, kwargs)
    return True


def drop_early() -> None:
    """Forget the calls started early that nobody took (their answers are dropped)."""
    with _early_lock:
        for future in _early.values():
            future.cancel()
        _early.clear()


def early_since() -> float | None:
    """When the calls started early and waiting to be taken were started (perf_counter), or
    None: the flow's timings count the work done before it started (bench/run.py)."""
    return _early_since if _early else None


def _key(fn: Callable[..., Any], args: tuple, kwargs: dict) -> bytes:
    return pickle.dumps((fn, args, sorted(kwargs.items())))


def _guarded(fn: Callable[..., Any], args: tuple, kwargs: dict) -> tuple[bool, Any]:
    """The result, or the exception as a value: concurrent.futures would replace its cause
    with the worker's traceback text."""
    try:
        return True, fn(*args, **kwargs)
    except Exception as exc:
        return False, _portable(exc)


def _portable(exc: Exception) -> Exception:
    """`exc` if it survives pickling, else a RuntimeError carrying its text and traceback."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        text = "".join(traceback.format_exception(exc))
        return RuntimeError(f"{type(exc).__name__}: {exc}\n(in a worker process)\n{text}")


def _worker_setup() -> None:
    # Ctrl-C reaches the whole process group: the run decides what stops, not each worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.nice(NICE)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() == 1:  # the parent died before the line above
        os._exit(1)
