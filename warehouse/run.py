"""A run of the annual flow as the warehouse records it: start, load a unit, record what was
not loaded, finish (audit.ingest_runs, audit.ingest_files, audit.rejections).

The flow names these few operations and nothing more; what each writes is here. The run's
summary (what `census run` prints and the flow returns) is derived from the same records, so
the two always agree.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

import config
from schemas.rules import RULES, findings
from warehouse import queries, staging, writer
from workbooks.error_text import said_vi_en


@dataclass
class RunSummary:
    run_id: str
    year: int
    status: str = "completed"  # completed | partial | failed
    loaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # file -> reason
    other_unit: list[str] = field(default_factory=list)  # left alone by `--unit`
    reports: list[str] = field(default_factory=list)  # error workbooks written
    rows_loaded: int = 0
    rows_rejected: int = 0
    # Seconds per stage: read/validate/classify/assemble summed over workbooks (they overlap),
    # load, marts and reports in the flow, process = wall time of the streaming loop.
    timings: dict[str, float] = field(default_factory=dict)


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class _Staged:
    """What the run keeps of a staged workbook: its units, audit rows and staged files, not
    its rows."""

    def __init__(self, batch: writer.UnitLoad) -> None:
        self.units = batch.units
        self.rejections = batch.rejections
        self.file_record = batch.file_record
        self.report = batch.report
        self.files = batch.files


class CensusRun:
    """One run of one census year on an open warehouse connection."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, province: config.Province, year: int, spool: Path
    ):
        self.con, self.year = con, year
        self.spool = spool  # the staging folder (warehouse/staging.py)
        self.run_id = f"{year}-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
        self.summary = RunSummary(run_id=self.run_id, year=year)
        # Per workbook, the outcome recorded last (a unit reloaded after HH031 is recorded
        # twice: the second record is the one that holds).
        self.outcomes: dict[str, dict[str, object]] = {}
        self.staged: dict[str, _Staged] = {}  # source_file -> what a staged workbook brings
        self.province = province

    def start(self, raw_dir: Path, warehouse_path: Path) -> None:
        """Refuse a warehouse holding another province, load ref.* from config, and record
        the run as running (a run still 'running' died without finishing: DuckDB's lock lets
        one process write, so it is marked interrupted; its open transaction rolled back)."""
        others = [p for p in queries.provinces(self.con) if p != self.province.name]
        if others:
            raise ValueError(
                f"{warehouse_path} holds the census of {', '.join(others)}; "
                f"use a separate warehouse file for {self.province.name}"
            )
        writer.load_reference(self.con, self.province)
        self.con.execute(
            "UPDATE audit.ingest_runs SET status = 'interrupted', message = 'the run stopped "
            "before finishing (killed or crashed); its unfinished unit was rolled back' "
            "WHERE status = 'running'"
        )
        self.con.execute(
            "INSERT INTO audit.ingest_runs (run_id, year, province, raw_dir, started_at, status) "
            "VALUES (?, ?, ?, ?, now(), 'running')",
            [self.run_id, self.year, self.province.name, str(raw_dir)],
        )

    # --- what is loaded already ---------------------------------------------------------------
    def loaded_hashes(self) -> dict[str, str]:
        return loaded_hashes(self.con, self.year)

    def recorded_units(self) -> dict[str, set[str]]:
        return recorded_units(self.con, self.year)

    def loaded_units(self) -> dict[str, set[str]]:
        """source_file -> its units, for the workbooks whose rows are loaded for the year."""
        rows = self.con.execute(
            "SELECT source_file, list(DISTINCT reporting_unit) FROM core.households "
            "WHERE year = ? GROUP BY source_file",
            [self.year],
        ).fetchall()
        return {name: set(units) for name, units in rows}

    # --- the operations -----------------------------------------------------------------------
    def stage(self, batch: writer.UnitLoad) -> None:
        """Put a workbook's rows aside until the run decides whether it replaces its units:
        in the files its worker wrote, or written here when it could not."""
        if batch.households is not None:
            batch = staging.spooled(batch, self.spool)
        self.staged[batch.source_file] = _Staged(batch)

    def unstage(self, source_file: str) -> None:
        staging.discard(self.staged.pop(source_file).files.values())

    def staged_households(self) -> list[str]:
        """The staged households' files (writer.duplicate_ids, writer.repeated_files)."""
        return [s.files["core.households"] for s in self.staged.values()]

    def promote(self, files: list[str]) -> list[str]:
        """Replace the units of the staged `files` (whole units: a workbook, or the declared
        parts of one unit, or a batch of them) with their rows, in one transaction; returns
        the units replaced."""
        staged = [self.staged.pop(name) for name in files]
        units = sorted({u for s in staged for u in s.units})
        audit = [(s.rejections, s.file_record) for s in staged]
        tables = {t: [s.files[t] for s in staged if t in s.files] for t in writer.UNIT_TABLES}
        writer.promote(self.con, self.run_id, self.year, units, tables, audit)
        for s in staged:
            staging.discard(s.files.values())
            self._outcome(s.file_record, s.report)
        return units

    def discard(self, source_file: str, reason: str) -> None:
        """A staged workbook the run will not load after all: its units stay as loaded."""
        staged = self.staged[source_file]
        self.unstage(source_file)
        kept = findings("WB017", reason, source_file=source_file).assign(
            year=self.year,
            reporting_unit=staged.units[0],
            file_hash=staged.file_record["file_hash"],
        )
        record = staged.file_record | {"status": "refused", "message": kept["rule"].iloc[0]}
        writer.insert_audit(
            self.con, self.run_id, pd.concat([staged.rejections, kept], ignore_index=True), record
        )
        self._outcome(record, staged.report)

    def keep(self, batch: writer.UnitLoad, reason: str) -> None:
        """Record the workbook's findings but leave the unit's loaded version as it is: a
        refused workbook is `refused`, one with no valid household keeps `no_valid_rows`."""
        status = "refused" if batch.refused else batch.file_record["status"]
        record = batch.file_record | {"status": status, "message": reason}
        writer.insert_audit(self.con, self.run_id, batch.rejections, record)
        self._outcome(record, batch.report)

    def record_failure(self, source_file: str, file_hash: str, reason: str, code: str) -> None:
        """A workbook that could not be read at all: one finding and its outcome, its message
        the file's name, then the rule and the reader's detail in Vietnamese, then both in
        English (what `census run` prints for it, as `census check` does)."""
        detail = reason.removeprefix(f"{source_file}: ")
        record = {
            "year": self.year,
            "source_file": source_file,
            "file_hash": file_hash,
            "status": "failed",
            "message": f"{source_file}: {said_vi_en(code, detail)}",
            "recorded_at": now(),
        }
        rejection = findings(code, reason, source_file=source_file)
        writer.insert_audit(
            self.con, self.run_id, rejection.assign(year=self.year, file_hash=file_hash), record
        )
        self._outcome(record)

    def record_other_unit(self, record: dict[str, object]) -> None:
        """A new file version read by `--unit` that turned out to be another unit's."""
        writer.insert_audit(self.con, self.run_id, None, record)
        self.summary.other_unit.append(str(record["source_file"]))

    def skip(self, source_file: str, why: str) -> None:
        """A workbook not read: unchanged since loaded, or another unit's (`--unit`)."""
        getattr(self.summary, why).append(source_file)

    def _outcome(self, record: dict[str, object], report: str | None = None) -> None:
        self.outcomes[str(record["source_file"])] = record
        if report is not None and report not in self.summary.reports:
            self.summary.reports.append(report)

    def no_workbooks(self, folder: Path) -> None:
        """Nothing to load: the run fails, naming the folder it looked in."""
        self.summary.failed[str(folder)] = f"không có tệp Excel nào trong {folder}"

    def check_unit_found(self, unit: str, folder: Path) -> None:
        """With `--unit`: a run that found no workbook of the unit (read, unchanged or failed)
        says so, never "completed" (the corrected file left in another folder)."""
        if not (self.staged or self.outcomes or self.summary.unchanged):
            self.summary.failed[str(folder)] = f"không có tệp nào của {unit} trong {folder}"

    def finish(self) -> RunSummary:
        """The summary from the outcomes, and the run recorded as finished."""
        s = self.summary
        nothing = dict(s.failed)
        s.loaded, s.failed = [], nothing
        s.rows_loaded = s.rows_rejected = 0
        for name, record in self.outcomes.items():
            if record["status"] == "loaded":  # a refused workbook's rows are neither
                s.loaded.append(name)
                s.rows_loaded += int(record["rows_loaded"])
                s.rows_rejected += int(record["rows_rejected"])
            else:
                s.failed[name] = str(record.get("message") or RULES["WB006"].message)
        if s.failed:
            # Partial: some units are loaded for the year (now or kept from before, the
            # refused workbooks' earlier versions); Failed: the year has nothing loaded.
            [(held,)] = self.con.execute(
                "SELECT count(*) FROM core.households WHERE year = ?", [self.year]
            ).fetchall()
            s.status = "partial" if held else "failed"
        self.con.execute(
            "UPDATE audit.ingest_runs SET finished_at = now(), status = ?, files_seen = ?, "
            "files_loaded = ?, files_unchanged = ?, files_failed = ?, message = ? "
            "WHERE run_id = ?",
            [
                s.status,
                len(self.outcomes) + len(s.unchanged),
                len(s.loaded),
                len(s.unchanged),
                len(s.failed),
                "; ".join(f"{k}: {v}" for k, v in s.failed.items()) or None,
                self.run_id,
            ],
        )
        return s

    def abort(self, error: BaseException) -> None:
        """Mark a run that stopped on an exception as failed (never left 'running'). The cause
        is stored for errors of the machine (a full disk, a lost folder: their text names no
        cell); for any other only the exception's type, as its text may quote a cell
        (details: the flow run's log)."""
        cause = type(error).__name__
        if isinstance(error, OSError | duckdb.IOException | duckdb.OutOfMemoryException):
            cause += f": {error}"
        self.con.execute(
            "UPDATE audit.ingest_runs SET finished_at = now(), status = 'failed', message = ? "
            "WHERE run_id = ? AND status = 'running'",
            [f"stopped by {cause} (details in the flow run's log)", self.run_id],
        )


def loaded_hashes(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, str]:
    """source_file -> file hash of the version now loaded, for each unit of the year."""
    rows = con.execute(
        "SELECT DISTINCT source_file, file_hash FROM core.households WHERE year = ?", [year]
    ).fetchall()
    return dict(rows)


def recorded_units(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, set[str]]:
    """file hash -> its units, for every file version of the year read before (any status):
    lets `census run --unit` skip other units' files without opening them."""
    rows = con.execute(
        "SELECT file_hash, any_value(reporting_unit) FROM audit.ingest_files "
        "WHERE year = ? AND reporting_unit IS NOT NULL AND reporting_unit <> '(unknown)' "
        "GROUP BY file_hash",
        [year],
    ).fetchall()
    return {file_hash: set(units.split(", ")) for file_hash, units in rows}


@contextlib.contextmanager
def census_run(
    warehouse_path: Path, province: config.Province, year: int, raw_dir: Path
) -> Iterator[CensusRun]:
    """Open the warehouse and start a run; a run that stops on an exception is recorded as
    failed, and the connection is always closed. The staging folder is removed in any case,
    with what the workers staged before the flow began (flows/early.py) even when the
    warehouse could not be opened."""
    spool = staging.folder(warehouse_path)
    with contextlib.ExitStack() as cleanup:
        cleanup.callback(staging.remove, spool)
        con = writer.connect(warehouse_path)
        cleanup.callback(con.close)
        run = CensusRun(con, province, year, spool)
        try:
            staging.prepare(spool)
            run.start(raw_dir, warehouse_path)
            yield run
        except BaseException as exc:
            with contextlib.suppress(Exception):
                run.abort(exc)
            raise
