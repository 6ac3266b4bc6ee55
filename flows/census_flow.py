"""The annual census flow: one task per district workbook, one writer, marts rebuilt at the end.

Runs in Prefect's local mode (no server to start). Orchestration only: what each step does
lives in flows/tasks.py (assembly), schemas/ (rules), transforms/ (maths), warehouse/ (SQL).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
from prefect import Task, flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import TaskRun
from prefect.states import Completed, Failed, State
from prefect.task_runners import ThreadPoolTaskRunner

import config
from flows.artifacts import publish_run_artifacts
from flows.census_calendar import closed_census_year, local_today
from flows.tasks import process_workbook, reject_cross_district_duplicates
from schemas.rules import RULES
from transforms.normalise import canonical_district
from warehouse import queries, writer
from workbooks.error_report import write_error_workbook
from workbooks.reader import file_sha256

WORKBOOK_SUFFIXES = (".xlsx", ".xls")
# Workbooks being processed at once. Each district is written as soon as it is ready, so memory
# holds a few districts whatever the number of workbooks (700 for the nation: bench/run.py).
# CENSUS_IN_FLIGHT overrides it (benchmarks compare settings).
IN_FLIGHT = int(os.environ.get("CENSUS_IN_FLIGHT") or 0) or (os.cpu_count() or 1) + 1


@dataclass
class RunSummary:
    run_id: str
    year: int
    status: str  # completed | partial | failed
    loaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # file -> reason
    other_district: list[str] = field(default_factory=list)  # left alone by `--district`
    reports: list[str] = field(default_factory=list)  # error workbooks written
    rows_loaded: int = 0
    rows_rejected: int = 0
    # Seconds per stage: read/validate/classify/assemble summed over workbooks (they overlap),
    # load, marts and reports in the flow, process = wall time of the streaming loop.
    timings: dict[str, float] = field(default_factory=dict)


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
def process_workbook_task(
    path: Path, year: int, province: config.Province
) -> tuple[writer.DistrictLoad, dict[str, float]]:
    """The district's load and the seconds each of its stages took."""
    timings: dict[str, float] = {}
    return process_workbook(path, year, province, timings), timings


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


def _record_failure(
    con, run_id: str, year: int, path: Path, file_hash: str, reason: str, code: str = "WB001"
) -> None:
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
                    "rule_code": code,
                    "severity": "error",
                    "rule": f"{RULES[code].message}: {reason}",
                }
            ]
        ),
    )


def _stream(
    paths: list[Path], year: int, province: config.Province
) -> Iterator[tuple[Path, tuple[writer.DistrictLoad, dict[str, float]] | Exception]]:
    """Each workbook's (load, stage seconds), or the exception it raised, in order, with at
    most IN_FLIGHT submitted at a time (the next is submitted before one is handed out)."""
    todo = iter(paths)
    queue = deque()
    for path in todo:
        queue.append((path, process_workbook_task.submit(path, year, province)))
        if len(queue) >= IN_FLIGHT:
            break
    while queue:
        path, future = queue.popleft()
        try:
            outcome = future.result()
        except Exception as exc:
            outcome = exc
        following = next(todo, None)
        if following is not None:
            queue.append((following, process_workbook_task.submit(following, year, province)))
        yield path, outcome


def _add(timings: dict[str, float], seconds: dict[str, float]) -> None:
    for stage, value in seconds.items():
        timings[stage] = timings.get(stage, 0.0) + value


def _write_batch(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    batch: writer.DistrictLoad,
    summary: RunSummary,
    reports_dir: Path,
    logger,
    rewrite: bool = False,
) -> None:
    """Load one district, or record why nothing of it loads, then write its error workbook.

    `rewrite`: the district was loaded earlier in this run and is replaced after HH031; its
    other rejections are already recorded, and it is replaced even when nothing is left (no
    id may stay loaded twice); audit.ingest_files gets a second row for the workbook."""
    started = time.perf_counter()
    summary.rows_rejected += batch.file_record["rows_rejected"]
    if rewrite:
        # The first write recorded every other finding; the error workbook below lists all.
        full = batch.rejections
        batch.rejections = full[full["rule_code"] == "HH031"]
    if batch.households.empty and not rewrite:
        # Never replace a district's data with nothing: keep what was loaded before.
        writer.record_rejections(con, run_id, batch.rejections)
        writer.record_file(con, run_id, batch.file_record)
        summary.failed[batch.source_file] = RULES["WB006"].message
    else:
        load_district_task(con, run_id, batch)
        if batch.households.empty:
            summary.failed[batch.source_file] = RULES["WB006"].message
        else:
            summary.loaded.append(batch.source_file)
        summary.rows_loaded += len(batch.households)
        logger.info(
            "%s: %s households loaded, %s rows rejected",
            batch.district,
            len(batch.households),
            batch.file_record["rows_rejected"],
        )
    if rewrite:
        batch.rejections = full
    summary.timings["load"] = summary.timings.get("load", 0.0) + time.perf_counter() - started
    started = time.perf_counter()
    try:  # after loading: a report failure never undoes a load
        report = write_error_workbook(
            batch.source, batch.rejections, summary.year, batch.district, reports_dir
        )
    except Exception as exc:
        logger.warning("%s: error workbook not written: %s", batch.source_file, exc)
        report = None
    if report is not None and str(report) not in summary.reports:
        summary.reports.append(str(report))
    summary.timings["reports"] = summary.timings.get("reports", 0.0) + time.perf_counter() - started


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


def _only_district(
    district: str | None, province: config.Province, raw_dir: Path, reports_dir: Path
) -> str | None:
    """The `--district` argument as the province's canonical name (any case or diacritics);
    also refuses a reports folder inside raw/, which is never written to."""
    reports = Path(reports_dir).resolve()
    if Path(raw_dir).resolve() in [reports, *reports.parents]:
        raise ValueError(f"reports folder {reports_dir} is inside {raw_dir}, which is read-only")
    if district is None:
        return None
    name = canonical_district(pd.Series([district], dtype="str"), province).iloc[0]
    if pd.isna(name):
        known = ", ".join(province.districts["district"])
        raise ValueError(f"'{district}' is not a district of {province.name} (known: {known})")
    return str(name)


# The workbooks' tasks run on IN_FLIGHT threads. Prefect's default pool has no bound and
# started ~50 threads for a nation; each thread allocating big frames spread them over more of
# glibc's memory arenas: peak 3.4 GB -> 2.1 GB and 10% faster for 70 nation workbooks (issue 7).
@flow(
    name="annual-census",
    log_prints=True,
    task_runner=ThreadPoolTaskRunner(max_workers=IN_FLIGHT),
)
def annual_census(
    year: int | None = None,
    raw_dir: Path = Path("raw"),
    warehouse_path: Path = writer.DEFAULT_WAREHOUSE,
    province_code: str = config.DEFAULT_PROVINCE,
    force: bool = False,
    district: str | None = None,
    reports_dir: Path = Path("reports"),
) -> RunSummary:
    """Load every changed district workbook of `raw_dir/<year>/` into the warehouse.

    A workbook whose content hash matches the version already loaded is skipped unless
    `force` is set. With `district` (the correction loop) only that district's workbooks are
    (re)loaded: a file version recorded before for another district is not opened, a new
    version is read and left alone if its cells name another district. Each district with
    problems gets an error workbook under `reports_dir/<year>/`. Without `year`, the census
    year whose review closed most recently (the scheduled runs: flows/census_calendar.py)."""
    logger = get_run_logger()
    flow_started = time.perf_counter()
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
        only = _only_district(district, province, raw_dir, reports_dir)
        known_district = writer.recorded_districts(con, year) if only else {}

        pending: dict[Path, str] = {}
        started = time.perf_counter()
        hashes = {path: hash_workbook_task.submit(path) for path in find_workbooks(raw_dir, year)}
        for path, hashed in hashes.items():
            try:
                file_hash = hashed.result()
            except OSError as exc:  # still locked after the retries
                summary.failed[path.name] = f"cannot open: {exc}"
                _record_failure(con, run_id, year, path, "", summary.failed[path.name])
                continue
            if only and known_district.get(file_hash, only) != only:
                summary.other_district.append(path.name)
            elif not force and loaded_before.get(path.name) == file_hash:
                summary.unchanged.append(path.name)
            else:
                pending[path] = file_hash
        summary.timings["hash"] = time.perf_counter() - started
        started = time.perf_counter()
        reloaded: list[str] = []  # districts this run replaces
        for path, outcome in _stream(list(pending), year, province):
            if isinstance(outcome, Exception):  # one bad workbook never stops the others
                reason = str(outcome)
                logger.error("%s: %s", path.name, reason)
                summary.failed[path.name] = reason
                code = getattr(outcome, "code", "WB001")  # workbooks/guard.py's finer codes
                _record_failure(con, run_id, year, path, pending[path], reason, code)
                continue
            batch, seconds = outcome
            _add(summary.timings, seconds)
            if only and batch.district != only:  # a first-read version of another district
                summary.other_district.append(batch.source_file)
                writer.record_file(con, run_id, batch.file_record | {"status": "other_district"})
                continue
            reloaded.append(batch.district)
            _write_batch(con, run_id, batch, summary, reports_dir, logger)
        summary.timings["process"] = time.perf_counter() - started

        # HH031 needs every id of the year: those this run wrote and those of the districts it
        # does not reload, compared in the warehouse. A workbook holding a duplicate is read
        # again and rewritten with the duplicates rejected (rare: the price of never holding
        # every district at once).
        dupes = writer.duplicate_ids(con, year, run_id, reloaded)
        written = set(dupes.loc[dupes["this_run"], "source_file"])
        again = sorted(written & {p.name for p in pending})
        if again:
            names = {p.name: p for p in pending}
            loads = [outcome for _, outcome in _stream([names[n] for n in again], year, province)]
            held = dupes[~dupes["this_run"]]
            for batch in reject_cross_district_duplicates([b for b, _ in loads], held):
                # Undo the first write's counts: `hits` rows moved from loaded to rejected.
                hits = int((batch.rejections["rule_code"] == "HH031").sum())
                summary.loaded.remove(batch.source_file)
                summary.rows_loaded -= batch.file_record["rows_loaded"] + hits
                summary.rows_rejected -= batch.file_record["rows_rejected"] - hits
                _write_batch(con, run_id, batch, summary, reports_dir, logger, rewrite=True)
        started = time.perf_counter()
        build_marts_task(con)
        summary.timings["marts"] = time.perf_counter() - started
        summary.timings["flow"] = time.perf_counter() - flow_started
        logger.info("stage timings (s): %s", json.dumps(summary.timings))
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
    except BaseException as exc:  # never leave the run 'running' in audit.ingest_runs
        with contextlib.suppress(Exception):
            writer.abort_run(con, run_id, exc)
        raise
    finally:
        con.close()
    return state
