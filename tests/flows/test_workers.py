"""flows/workers.py: a workbook's work in a forked worker answers as it would in the calling
thread: the same result, the same exception with its rule and cause (the flow's retry rule
reads the cause: flows/tasks.file_busy)."""

from __future__ import annotations

import os
import pickle
import threading
from pathlib import Path

import pytest

import config
from flows import workers
from workbooks.errors import WorkbookError


def worker_pid() -> int:
    return os.getpid()


def locked_file() -> None:
    try:
        raise PermissionError(13, "Permission denied", "muong-nhe.xlsx")
    except OSError as exc:
        raise WorkbookError("muong-nhe.xlsx: cannot be read", "WB031") from exc


class Unpicklable(Exception):
    def __init__(self) -> None:
        super().__init__("held a lock")
        self.lock = threading.Lock()


def raises_unpicklable() -> None:
    raise Unpicklable()


@pytest.fixture
def pool():
    with workers.running(2):
        yield


def test_the_work_runs_in_another_process(pool):
    assert workers.call(worker_pid) != os.getpid()


def test_an_error_keeps_its_rule_and_its_cause(pool):
    with pytest.raises(WorkbookError) as raised:
        workers.call(locked_file)
    assert raised.value.code == "WB031"
    assert isinstance(raised.value.__cause__, PermissionError)
    assert raised.value.__cause__.filename == "muong-nhe.xlsx"


def test_an_error_that_cannot_travel_arrives_as_its_text(pool):
    with pytest.raises(RuntimeError, match="Unpicklable: held a lock"):
        workers.call(raises_unpicklable)


def test_without_workers_the_work_runs_here():
    assert workers.call(worker_pid) == os.getpid()


def test_a_province_travels_as_its_code():
    """The province's derived tables are cached by the object: a copy per workbook in a
    worker missed them all. Unpickled, it is the process's own loaded province."""
    province = config.load_province(config.DEFAULT_PROVINCE)
    assert pickle.loads(pickle.dumps(province)) is province


def mark(path: str) -> int:
    """Adds a line to `path` each time it runs: how often the work was done."""
    with open(path, "a") as fh:
        fh.write("ran\n")
    return os.getpid()


def test_a_call_started_early_is_taken_not_run_again(pool, tmp_path):
    log = str(tmp_path / "runs.log")
    assert workers.early_since() is None
    assert workers.early(mark, log)
    assert workers.early_since() is not None
    pid = workers.call(mark, log)  # the same call: the early answer
    assert Path(log).read_text() == "ran\n" and pid != os.getpid()
    assert workers.early_since() is None  # nothing left waiting
    workers.call(mark, log)  # taken once only: this one runs
    assert Path(log).read_text() == "ran\nran\n"


def test_a_call_with_other_arguments_does_not_take_an_early_answer(pool, tmp_path):
    early_log, other_log = str(tmp_path / "early.log"), str(tmp_path / "other.log")
    workers.early(mark, early_log)
    workers.call(mark, other_log)
    assert Path(other_log).read_text() == "ran\n"
    workers.drop_early()  # dropped: the same call then runs again
    assert workers.early_since() is None
    workers.call(mark, early_log)
    assert Path(early_log).read_text().count("ran") in (1, 2)  # the dropped one may have run


def test_without_workers_nothing_starts_early(tmp_path):
    assert not workers.early(mark, str(tmp_path / "runs.log"))
    assert not (tmp_path / "runs.log").exists()
