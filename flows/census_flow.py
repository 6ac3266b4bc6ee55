"""The annual census flow: one task per district workbook, one writer, marts rebuilt at the end.

Runs in Prefect's local mode (no server to start). Orchestration only: what each step does
lives in flows/tasks.py (assembly), schemas/ (rules), transforms/ (maths), warehouse/ (SQL).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
from prefect import Task, flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import TaskRun
from prefect.states import Completed, Failed, State

import config
from flows.artifacts import publish_run_artifacts
from flows.census_calendar import closed_census_year, local_today
from flows.tasks import process_workbook, reject_cross_district_duplicates
from schemas.rules import RULES
from warehouse import queries, writer
from workbooks.reader import file_sha256

WORKBOOK_SUFFIXES = (".xlsx", ".xls")


@dataclass
class RunSummary:
    run_id: str
    year: int
    status: str  # completed | partial | failed
    loaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # file -> reason
    rows_loaded: int = 0
    rows_rejected: int = 0


def find_workbooks(raw_dir: Path, year: int) -> list[Path]:
    folder = Path(raw_dir) / str(year)
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in WORKBOOK_SUFFIXES and not p.name.startswith("~$")
    )


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
def hash_workbook_task(path: Path) -> str:
    return file_sha256(path)


@task(
    name="process-workbook",
    cache_policy=NO_CACHE,
    task_run_name="process {path.name}",
    **FILE_RETRIES,
)
def process_workbook_task(path: Path, year: int, province: config.Province) -> writer.DistrictLoad:
    return process_workbook(path, year, province)


@task(name="load-district", cache_policy=NO_CACHE, task_run_name="load {batch.district}")
def load_district_task(
    con: duckdb.DuckDBPyConnection, run_id: str, batch: writer.DistrictLoad
) -> State:
    writer.load_district(con, run_id, batch)
    loaded, rejected = len(batch.households), batch.file_record["rows_rejected"]
    message = f"{batch.district}: {loaded} households loaded, {rejected} rows rejected"
    if rejected:  # loaded, but the district has rows to correct: say so in the task's state
        return Completed(name="Loaded with rejections", message=message + " (audit.rejections)")
    return Completed(message=message)


@task(name="build-marts", cache_policy=NO_CACHE)
def build_marts_task(con: duckdb.DuckDBPyConnection) -> None:
    writer.build_marts(con)


def _record_failure(con, run_id: str, year: int, path: Path, file_hash: str, reason: str) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    writer.record_file(
        con,
        run_id,
        {
            "year": year,
            "source_file": path.name,
            "file_hash": file_hash,
            "status": "failed",
            "message": reason,
            "recorded_at": now,
        },
    )
    writer.record_rejections(
        con,
        run_id,
        pd.DataFrame(
            [
                {
                    "year": year,
                    "source_file": path.name,
                    "file_hash": file_hash,
                    "rule_code": "WB001",
                    "severity": "error",
                    "rule": f"{RULES['WB001'].message}: {reason}",
                }
            ]
        ),
    )


def final_state(summary: RunSummary) -> State:
    """The flow run's state says what happened. A partial run is Completed named 'Partial':
    its good districts are committed and the marts rebuilt, and rerunning it cannot fix a bad
    workbook (the district must resend it); Failed is kept for a run that loaded nothing."""
    counts = (
        f"{len(summary.loaded)} loaded, {len(summary.unchanged)} unchanged, "
        f"{len(summary.failed)} failed"
    )
    failed = ", ".join(sorted(summary.failed))
    if summary.status == "completed":
        return Completed(message=f"{summary.year}: {counts}", data=summary)
    if summary.status == "partial":
        return Completed(
            name="Partial", message=f"{summary.year}: {counts}; failed: {failed}", data=summary
        )
    return Failed(message=f"{summary.year}: nothing loaded; failed: {failed}", data=summary)


@flow(name="annual-census", log_prints=True)
def annual_census(
    year: int | None = None,
    raw_dir: Path = Path("raw"),
    warehouse_path: Path = writer.DEFAULT_WAREHOUSE,
    province_code: str = config.DEFAULT_PROVINCE,
    force: bool = False,
) -> RunSummary:
    """Load every changed district workbook of `raw_dir/<year>/` into the warehouse.

    A workbook whose content hash matches the version already loaded is skipped unless
    `force` is set. Without `year`, the census year whose review closed most recently
    (the scheduled runs: flows/census_calendar.py)."""
    logger = get_run_logger()
    if year is None:
        year = closed_census_year(local_today())
    province = config.load_province(province_code)
    run_id = f"{year}-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    summary = RunSummary(run_id=run_id, year=year, status="completed")
    con = writer.connect(warehouse_path)
    try:
        # ref.* is replaced from this province's config each run: one province per file.
        others = [p for p in queries.provinces(con) if p != province.name]
        if others:
            raise ValueError(
                f"{warehouse_path} holds the census of {', '.join(others)}; "
                f"use a separate warehouse file for {province.name}"
            )
        writer.load_reference(con, province)
        writer.start_run(con, run_id, year, province.name, str(raw_dir))
        loaded_before = writer.loaded_hashes(con, year)

        pending: dict[Path, str] = {}
        hashes = {path: hash_workbook_task.submit(path) for path in find_workbooks(raw_dir, year)}
        for path, hashed in hashes.items():
            try:
                file_hash = hashed.result()
            except OSError as exc:  # still locked after the retries
                summary.failed[path.name] = f"cannot open: {exc}"
                _record_failure(con, run_id, year, path, "", summary.failed[path.name])
                continue
            if not force and loaded_before.get(path.name) == file_hash:
                summary.unchanged.append(path.name)
            else:
                pending[path] = file_hash
        futures = {path: process_workbook_task.submit(path, year, province) for path in pending}

        loads = []
        for path, future in futures.items():
            try:
                loads.append(future.result())
            except Exception as exc:  # one bad workbook never stops the others
                reason = str(exc)
                logger.error("%s: %s", path.name, reason)
                summary.failed[path.name] = reason
                _record_failure(con, run_id, year, path, pending[path], reason)

        reloaded = [b.district for b in loads]
        elsewhere = con.execute(
            "SELECT household_id, source_file FROM core.households "
            "WHERE year = ? AND NOT list_contains(?, district)",
            [year, reloaded],
        ).df()
        for batch in reject_cross_district_duplicates(loads, elsewhere):
            summary.rows_rejected += batch.file_record["rows_rejected"]
            if batch.households.empty:
                # Never replace a district's data with nothing: keep what was loaded before.
                writer.record_rejections(con, run_id, batch.rejections)
                writer.record_file(con, run_id, batch.file_record)
                summary.failed[batch.source_file] = RULES["WB006"].message
                continue
            load_district_task(con, run_id, batch)
            summary.loaded.append(batch.source_file)
            summary.rows_loaded += len(batch.households)
            logger.info(
                "%s: %s households loaded, %s rows rejected",
                batch.district,
                len(batch.households),
                batch.file_record["rows_rejected"],
            )
        build_marts_task(con)
        if summary.failed:
            summary.status = "partial" if summary.loaded or summary.unchanged else "failed"
        writer.finish_run(
            con,
            run_id,
            summary.status,
            {
                "seen": len(pending) + len(summary.unchanged),
                "loaded": len(summary.loaded),
                "unchanged": len(summary.unchanged),
                "failed": len(summary.failed),
            },
            "; ".join(f"{k}: {v}" for k, v in summary.failed.items()) or None,
        )
        state = final_state(summary)
        try:
            publish_run_artifacts(
                con,
                province.code,
                province.name,
                year,
                run_id,
                state.name,
                {
                    "loaded": summary.loaded,
                    "unchanged": summary.unchanged,
                    "failed": sorted(summary.failed),
                },
            )
        except Exception as exc:  # the warehouse is committed; a missing report must not undo it
            logger.warning("artifacts not published: %s", exc)
    finally:
        con.close()
    return state
