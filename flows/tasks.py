"""The flow's Prefect tasks: thin wrappers that give each step a name, a state and retries in
the UI. The work is in plain functions (flows/workbook.py, warehouse/)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
from prefect import Task, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import TaskRun
from prefect.states import Completed, State

import config
from flows.workbook import process_workbook
from warehouse import writer
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


FILE_RETRIES = {"retries": 3, "retry_delay_seconds": [5, 15, 30], "retry_condition_fn": file_busy}


@task(name="hash-workbook", cache_policy=NO_CACHE, task_run_name="hash {path.name}", **FILE_RETRIES)
def hash_workbook(path: Path) -> str:
    return file_sha256(path)


@task(
    name="process-workbook",
    cache_policy=NO_CACHE,
    task_run_name="process {path.name}",
    **FILE_RETRIES,
)
def process_workbook_task(
    path: Path,
    year: int,
    province: config.Province,
    reports_dir: Path,
    held: pd.DataFrame | None = None,
    refusal: tuple[str, str] | None = None,
) -> tuple[writer.UnitLoad, dict[str, float]]:
    """The workbook's load (its error workbook written) and the seconds each stage took."""
    timings: dict[str, float] = {}
    load = process_workbook(
        path,
        year,
        province,
        reports_dir=reports_dir,
        held=held,
        refusal=refusal,
        timings=timings,
    )
    return load, timings


@task(name="load-unit", cache_policy=NO_CACHE, task_run_name="load {label}")
def load_unit(run: CensusRun, files: list[str], label: str) -> State:
    """Replace the units of the staged workbook `files` (one, or the declared parts of one
    unit) in one transaction; the state says what was loaded and what was rejected."""
    records = [run.staged[name].file_record for name in files]
    units = run.promote(files)
    loaded = sum(int(r["rows_loaded"]) for r in records)
    rejected = sum(int(r["rows_rejected"]) for r in records)
    message = f"{', '.join(units)}: {loaded} households loaded, {rejected} rows rejected"
    if rejected:  # loaded, but the unit has rows to correct: say so in the task's state
        return Completed(name="Loaded with rejections", message=message + " (audit.rejections)")
    return Completed(message=message)


@task(name="build-marts", cache_policy=NO_CACHE)
def build_marts(con: duckdb.DuckDBPyConnection) -> None:
    writer.build_marts(con)
