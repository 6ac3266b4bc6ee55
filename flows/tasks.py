"""The flow's Prefect tasks: thin wrappers that give each step a name, a state and retries in
the UI. The work is in plain functions (flows/workbook.py, warehouse/)."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pandas as pd
from prefect import Task, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import TaskRun
from prefect.states import Completed, State

import config
from flows import workers
from flows.workbook import process_workbook
from reporting.vietnamese import slug
from warehouse import staging, writer
from warehouse.run import CensusRun
from workbooks.reader import file_sha256


def file_busy(task: Task, task_run: TaskRun, state: State) -> bool:
    """Retry only when the file could not be opened (still being copied, locked by Excel or
    a sync client): that can clear in seconds. A data error (WorkbookError, validation) gives
    the same answer on every try, so it fails at once."""
    try:
        state.result()
    except OSError:
        return True
    except Exception as exc:
        return isinstance(exc.__cause__, OSError)  # e.g. the reader's wrapper of an open error
    return False


RETRY_DELAYS = [5, 15, 30]  # seconds: a copy or a sync finishing, an Excel window closed
FILE_RETRIES = {"retries": 3, "retry_delay_seconds": RETRY_DELAYS, "retry_condition_fn": file_busy}


# Task run names in the ASCII form of the unit's or file's name, the same slug as the artifact
# keys and the error workbooks (`load muong-ang`, key `dien-bien-2019-muong-ang`, file
# `muong-ang-loi.xlsx`). The API keeps Vietnamese names, but the UI's run graph draws names
# with a bitmap font of ASCII characters only (PixiJS BitmapFont, chars: ASCII, in Prefect
# 3.9's UI bundle), so it showed `load Mng ng` for Mường Ảng.
def _file_name(path: Path) -> str:
    return slug(path.stem, default="file") + path.suffix.lower()


def _process_run_name(parameters: dict) -> str:
    return f"process {_file_name(Path(parameters['path']))}"


# One task for every file's hash, not one each: a task run costs the run and its API server
# ~60 ms of CPU (events, logs, states), more than hashing a district workbook (~2 ms), and a
# correction of one unit hashed all the year's files (bench/results.md). A file that cannot
# be opened is tried again after RETRY_DELAYS, as the per-workbook tasks are, then reported.
@task(name="hash-workbooks", cache_policy=NO_CACHE)
def hash_workbooks(paths: list[Path]) -> dict[Path, str | OSError]:
    return hash_files(paths, warn=get_run_logger().warning)


def hash_files(
    paths: list[Path], delays: list[float] = RETRY_DELAYS, warn=None
) -> dict[Path, str | OSError]:
    """Each file's SHA-256, or the error that kept it from being opened after `delays`."""
    hashes: dict[Path, str | OSError] = {}
    pending = list(paths)
    for delay in [*delays, None]:
        for path in pending:
            try:
                hashes[path] = file_sha256(path)
            except OSError as exc:
                hashes[path] = exc
        pending = [p for p in pending if isinstance(hashes[p], OSError)]
        if not pending or delay is None:
            break
        if warn is not None:
            names = ", ".join(p.name for p in pending)
            warn("cannot open %s yet; trying again in %s s", names, delay)
        time.sleep(delay)
    return hashes


@task(
    name="process-workbook",
    cache_policy=NO_CACHE,
    task_run_name=_process_run_name,
    **FILE_RETRIES,
)
def process_workbook_task(
    path: Path,
    year: int,
    province: config.Province,
    reports_dir: Path,
    spool: Path,
    held: pd.DataFrame | None = None,
    refusal: tuple[str, str] | None = None,
) -> tuple[writer.UnitLoad, dict[str, float]]:
    """The workbook's load (its error workbook written, its rows staged in `spool`) and the
    seconds each stage took."""
    return workers.call(processed, path, year, province, reports_dir, spool, held, refusal)


def processed(
    path: Path,
    year: int,
    province: config.Province,
    reports_dir: Path,
    spool: Path,
    held: pd.DataFrame | None,
    refusal: tuple[str, str] | None,
) -> tuple[writer.UnitLoad, dict[str, float]]:
    """process_workbook's load with its rows staged in `spool` (warehouse/staging.py), and
    its stage timings; in a worker process when there are."""
    timings: dict[str, float] = {}
    load = process_workbook(
        path, year, province, reports_dir=reports_dir, held=held, refusal=refusal, timings=timings
    )
    started = time.perf_counter()
    load = staging.spooled(load, spool)
    timings["stage"] = time.perf_counter() - started
    return load, timings


@task(name="load-units", cache_policy=NO_CACHE, task_run_name="load {label}")
def load_batch(run: CensusRun, files: list[str], label: str) -> State:
    """Replace the units of the staged workbooks `files` in one transaction; the state says
    what was loaded and, unit by unit, where rows were rejected."""
    records = [run.staged[name].file_record for name in files]
    units = run.promote(files)
    loaded = sum(int(r["rows_loaded"]) for r in records)
    rejected = sum(int(r["rows_rejected"]) for r in records)
    message = f"{', '.join(units)}: {loaded} households loaded, {rejected} rows rejected"
    if rejected:  # loaded, but units have rows to correct: say which in the task's state
        where = "; ".join(
            f"{r['reporting_unit']}: {r['rows_rejected']}" for r in records if r["rows_rejected"]
        )
        return Completed(
            name="Loaded with rejections", message=f"{message} ({where}; audit.rejections)"
        )
    return Completed(message=message)


@task(name="build-marts", cache_policy=NO_CACHE)
def build_marts(con: duckdb.DuckDBPyConnection) -> State:
    """The marts brought up to date: the state says which years were rebuilt."""
    return Completed(message=f"marts {writer.build_marts(con)}")
