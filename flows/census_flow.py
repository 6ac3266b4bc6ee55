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
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

import config
from flows.tasks import process_workbook, reject_cross_district_duplicates
from schemas.rules import RULES
from warehouse import writer
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


@task(name="process-workbook", cache_policy=NO_CACHE, task_run_name="process {path.name}")
def process_workbook_task(path: Path, year: int, province: config.Province) -> writer.DistrictLoad:
    return process_workbook(path, year, province)


@task(name="load-district", cache_policy=NO_CACHE, task_run_name="load {batch.district}")
def load_district_task(
    con: duckdb.DuckDBPyConnection, run_id: str, batch: writer.DistrictLoad
) -> None:
    writer.load_district(con, run_id, batch)


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


@flow(name="annual-census", log_prints=True)
def annual_census(
    year: int,
    raw_dir: Path = Path("raw"),
    warehouse_path: Path = writer.DEFAULT_WAREHOUSE,
    province_code: str = config.DEFAULT_PROVINCE,
    force: bool = False,
) -> RunSummary:
    """Load every changed district workbook of `raw_dir/<year>/` into the warehouse.

    A workbook whose content hash matches the version already loaded is skipped unless
    `force` is set."""
    logger = get_run_logger()
    province = config.load_province(province_code)
    run_id = f"{year}-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    summary = RunSummary(run_id=run_id, year=year, status="completed")
    con = writer.connect(warehouse_path)
    try:
        writer.load_reference(con, province)
        writer.start_run(con, run_id, year, province.name, str(raw_dir))
        loaded_before = writer.loaded_hashes(con, year)

        pending: dict[Path, str] = {}
        for path in find_workbooks(raw_dir, year):
            file_hash = file_sha256(path)
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
    finally:
        con.close()
    return summary
