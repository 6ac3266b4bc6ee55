"""The annual census flow: one task per workbook, one writer, marts rebuilt at the end.

Orchestration only, a short list of named steps: what each step does lives in
flows/workbook.py (one workbook's way to a load), schemas/ (rules), transforms/ (maths) and
warehouse/ (the writer, the run's records, SQL).
"""

from __future__ import annotations

import json
import os
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from prefect import flow, get_run_logger
from prefect.states import Completed, Failed, State
from prefect.task_runners import ThreadPoolTaskRunner

import config
from flows import workers
from flows.artifacts import publish_run_artifacts
from flows.census_calendar import closed_census_year, local_today
from flows.tasks import build_marts, hash_workbooks, load_batch, process_workbook_task
from reporting.vietnamese import slug, sort_key
from schemas.replacement import IDENTICAL_MIN_HOUSEHOLDS, declared_parts, unit_conflicts
from schemas.rules import RULES
from transforms.units import reporting_unit_named, reporting_units
from warehouse import queries, writer
from warehouse.run import CensusRun, RunSummary, census_run
from workbooks.error_report import stale_reports
from workbooks.guard import FOLDER
from workbooks.reader import workbooks_in

# Workbooks being processed at once. Each unit is written as soon as it is ready, so memory
# holds a few units whatever the number of workbooks (700 for the nation: bench/run.py).
# CENSUS_IN_FLIGHT overrides it (benchmarks compare settings).
IN_FLIGHT = int(os.environ.get("CENSUS_IN_FLIGHT") or 0) or (os.cpu_count() or 1) + 1

# Households replaced in one transaction. One transaction per unit cost the sample province
# 2.4 s for its ten districts against 0.9 s for all of them at once (a DELETE and an INSERT per
# table and a commit each); a bound keeps a nation's (27 million households) from one giant
# transaction. CENSUS_LOAD_BATCH overrides it (tests, benchmarks).
LOAD_BATCH = int(os.environ.get("CENSUS_LOAD_BATCH") or 0) or 1_000_000


def find_workbooks(raw_dir: Path, year: int) -> list[Path]:
    return workbooks_in(Path(raw_dir) / str(year))


@contextmanager
def stage(timings: dict[str, float], name: str) -> Iterator[None]:
    """Adds the block's seconds to `timings[name]` (make bench reads them from the log)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - started


def only_unit(
    unit: str | None, province: config.Province, year: int, raw_dir: Path, reports_dir: Path
) -> str | None:
    """The `--unit` argument as the year's reporting unit (a district up to 2024, a commune
    from 2025; any case or diacritics); also refuses a reports folder inside raw/, which is
    never written to."""
    reports = Path(reports_dir).resolve()
    if Path(raw_dir).resolve() in [reports, *reports.parents]:
        raise ValueError(
            f"thư mục báo cáo {reports_dir} nằm trong {raw_dir}, nơi chỉ được đọc / "
            f"reports folder {reports_dir} is inside {raw_dir}, which is read-only"
        )
    if unit is None:
        return None
    name = reporting_unit_named(unit, province, year)
    if name is None:
        districts = province.map(year).has_districts
        kind, kind_vi = ("district", "huyện") if districts else ("commune", "xã")
        known = ", ".join(sorted(reporting_units(province, year), key=sort_key))
        raise ValueError(
            f"'{unit}' không phải là {kind_vi} của tỉnh {province.name} năm {year} (các "
            f"{kind_vi}: {known}) / '{unit}' is not a {kind} of {province.name} in {year}"
        )
    return name


def triage(
    run: CensusRun,
    paths: list[Path],
    force: bool,
    only: str | None,
    parts: dict[str, set[str]],
) -> dict[Path, str]:
    """The workbooks to read, with their content hashes: not those unchanged since they were
    loaded (unless `force`, or a sibling part of their unit changed: `parts`), nor, with
    `--unit`, a file version known to be another unit's. A file still locked after its
    retries, and a folder among the workbooks (workbooks_in), are recorded as failed."""
    loaded_before = run.loaded_hashes()
    known_units = run.recorded_units() if only else {}
    pending: dict[Path, str] = {}
    for folder in [p for p in paths if p.is_dir()]:
        run.record_failure(folder.name, "", FOLDER, "WB020")
    hashes = hash_workbooks([p for p in paths if not p.is_dir()])
    for path, file_hash in hashes.items():
        if isinstance(file_hash, OSError):
            run.record_failure(path.name, "", f"cannot open: {file_hash}", "WB001")
            continue
        why = not_read(path.name, file_hash, loaded_before, known_units, only, force)
        if why:
            run.skip(path.name, why)
        else:
            pending[path] = file_hash
    # A unit split into parts is replaced by all of them at once: an unchanged part of a unit
    # with a changed one is read again.
    changed = {p.name for p in pending}
    for path, file_hash in hashes.items():
        siblings = [f for f in parts.values() if path.name in f and f & changed]
        if siblings and path.name in run.summary.unchanged:
            run.summary.unchanged.remove(path.name)
            pending[path] = file_hash
    return pending


def not_read(
    name: str,
    file_hash: str,
    loaded: dict[str, str],
    known_units: dict[str, set[str]],
    only: str | None,
    force: bool,
) -> str | None:
    """Why a workbook is not read (`other_unit`: a version recorded for another unit than
    `--unit`; `unchanged`: the version loaded, without `force`), or None: it is read."""
    if only and only not in known_units.get(file_hash, {only}):
        return "other_unit"
    if not force and loaded.get(name) == file_hash:
        return "unchanged"
    return None


def _stream(
    jobs: list[tuple[Path, dict]], run: CensusRun, province: config.Province, reports_dir: Path
) -> Iterator[tuple[Path, tuple[writer.UnitLoad, dict[str, float]] | Exception]]:
    """Each workbook's (load, stage seconds), or the exception it raised, in order, with at
    most IN_FLIGHT submitted at a time (the next is submitted before one is handed out)."""

    def submit(path: Path, extra: dict):
        return process_workbook_task.submit(
            path, run.year, province, reports_dir, run.spool, **extra
        )

    todo = iter(jobs)
    queue = deque((path, submit(path, extra)) for path, extra in _take(todo, IN_FLIGHT))
    while queue:
        path, future = queue.popleft()
        try:
            outcome = future.result()
        except Exception as exc:
            outcome = exc
        following = next(todo, None)
        if following is not None:
            queue.append((following[0], submit(*following)))
        yield path, outcome


# The largest workbooks first: the workers then finish together, not waiting on one big file
# started last (the sample province's ten districts sorted by name ended on Tuần Giáo alone).
def largest_first(paths: list[Path]) -> list[Path]:
    return sorted(paths, key=file_size, reverse=True)


def file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # gone since it was hashed: its task reports it
        return 0


def _take(items: Iterator, n: int) -> list:
    return [item for _, item in zip(range(n), items, strict=False)]


def stage_workbooks(
    run: CensusRun,
    pending: dict[Path, str],
    province: config.Province,
    reports_dir: Path,
    only: str | None,
) -> None:
    """Process every pending workbook on the task runner and stage each as it comes, or
    record why it may not replace its units. One bad workbook never stops the others."""
    logger = get_run_logger()
    timings = run.summary.timings
    with stage(timings, "process"):
        jobs = [(p, {}) for p in largest_first(list(pending))]
        for path, outcome in _stream(jobs, run, province, reports_dir):
            if isinstance(outcome, Exception):
                logger.error("%s: %s", path.name, outcome)
                code = getattr(outcome, "code", "WB001")  # workbooks/guard.py's finer codes
                run.record_failure(path.name, pending[path], str(outcome), code)
                continue
            batch, seconds = outcome
            _add(timings, seconds)
            if only and only not in batch.units:  # a first-read version of another unit
                run.record_other_unit(batch.file_record | {"status": "other_unit"})
                continue
            _stage_or_keep(run, batch, logger)


def _stage_or_keep(run: CensusRun, batch: writer.UnitLoad, logger) -> None:
    """Stage a workbook that may replace its units; keep the units' loaded version when it
    may not (schemas/replacement.py) or holds no valid household (never replace a unit's
    data with nothing)."""
    with stage(run.summary.timings, "load"):
        loaded = int(batch.file_record["rows_loaded"])
        reason = batch.refused or (RULES["WB006"].message if not loaded else None)
        if reason:
            run.keep(batch, reason)
            logger.error("%s: %s", batch.source_file, reason)
            return
        run.stage(batch)
    logger.info(
        "%s: %s households read, %s rows rejected",
        batch.unit,
        loaded,
        batch.file_record["rows_rejected"],
    )


def _redo(
    run: CensusRun,
    jobs: list[tuple[Path, dict]],
    province: config.Province,
    reports_dir: Path,
) -> None:
    """Read staged workbooks again with what only the whole year shows (the other places of
    their ids, or why they are refused), so their rows and error workbooks say it."""
    logger = get_run_logger()
    for path, outcome in _stream(jobs, run, province, reports_dir):
        if isinstance(outcome, Exception):  # changed under us since the first read
            raise outcome
        if path.name in run.staged:
            run.unstage(path.name)
        _stage_or_keep(run, outcome[0], logger)


def refuse_unit_conflicts(
    run: CensusRun, raw_dir: Path, province: config.Province, reports_dir: Path
) -> None:
    """WB015: two workbooks of the year reporting for one unit are refused together (this
    run's, or one of them loaded before and unchanged), unless the province declared the unit
    split into them (raw/<year>/_parts.csv); each is read again so its error workbook says so."""
    claims = {name: set(s.units) for name, s in run.staged.items()}
    loaded = run.loaded_units()
    # With --unit, the other units' workbooks are not read, and their loaded versions hold
    # their units still: a workbook of this run naming one of them is refused, never left to
    # replace it (cha-to.xlsx with three rows typed "Mường Tùng" replaced Mường Tùng's 1,215
    # households by those three, the run "completed").
    held = [*run.summary.unchanged, *run.summary.other_unit]
    unchanged = {name: loaded.get(name, set()) for name in held}
    conflicts = unit_conflicts(claims, unchanged, declared_units(raw_dir, run.year, province))
    folder = Path(raw_dir) / str(run.year)
    jobs = [(folder / name, {"refusal": ("WB015", others)}) for name, others in conflicts.items()]
    _redo(run, jobs, province, reports_dir)
    partners = {o for others in conflicts.values() for o in others.split(", ")}
    for name in sorted(partners & set(run.summary.unchanged)):  # loaded before: it stays
        run.summary.unchanged.remove(name)
        others = ", ".join(sorted(n for n, o in conflicts.items() if name in o.split(", ")))
        _redo(run, [(folder / name, {"refusal": ("WB015", others)})], province, reports_dir)


def declared_units(raw_dir: Path, year: int, province: config.Province) -> dict[str, set[str]]:
    """The units the province declared split into several files, by the year's unit names."""
    parts = declared_parts(Path(raw_dir) / str(year))
    named = {reporting_unit_named(unit, province, year): files for unit, files in parts.items()}
    return {unit: files for unit, files in named.items() if unit is not None}


def reload_cross_workbook_duplicates(
    run: CensusRun, raw_dir: Path, province: config.Province, reports_dir: Path
) -> None:
    """HH031 needs every id of the year: those this run staged and those of the units it does
    not replace, compared in the warehouse. A workbook holding a duplicate is read again with
    the other places of its ids and staged again with those rows rejected (rare: the price
    of never holding every unit at once)."""
    staged_units = sorted({u for s in run.staged.values() for u in s.units})
    dupes = writer.duplicate_ids(run.con, run.year, staged_units, run.staged_households())
    again = sorted(set(dupes.loc[dupes["this_run"], "source_file"]) & set(run.staged))
    folder = Path(raw_dir) / str(run.year)
    jobs = [(folder / n, {"held": dupes[dupes["source_file"] != n]}) for n in again]
    _redo(run, jobs, province, reports_dir)


def refuse_repeats(
    run: CensusRun, raw_dir: Path, province: config.Province, reports_dir: Path
) -> None:
    """WB016: a workbook whose households are exactly last year's is a list copied forward,
    not this year's review: refused, the unit's loaded version kept."""
    folder = Path(raw_dir) / str(run.year)
    previous = queries.previous_year(run.con, run.year)
    files = run.staged_households()
    repeated = writer.repeated_files(run.con, previous, files, IDENTICAL_MIN_HOUSEHOLDS)
    jobs = [(folder / n, {"refusal": ("WB016", f"năm {previous}")}) for n in repeated]
    _redo(run, jobs, province, reports_dir)


def remove_stale_reports(run: CensusRun, raw_dir: Path, reports_dir: Path) -> None:
    """Remove the error workbooks of workbooks gone from the year's folder (renamed or
    removed): an officer would fix rows of a file nobody sends any more."""
    logger = get_run_logger()
    for path in stale_reports(reports_dir, run.year, Path(raw_dir) / str(run.year)):
        path.unlink(missing_ok=True)
        logger.info("%s: đã xoá, tệp của nó không còn / removed: its workbook is gone", path.name)


def load_units(run: CensusRun, raw_dir: Path, province: config.Province) -> None:
    """Replace each unit with its staged workbook, or with all the files the province
    declared it split into: all of them or none (a unit is never half loaded). The units go
    in as few transactions as LOAD_BATCH allows (a province's in one)."""
    logger = get_run_logger()
    groups: list[list[str]] = []
    for declared in declared_units(raw_dir, run.year, province).values():
        staged = declared & set(run.staged)
        if staged == declared:
            groups.append(sorted(declared))
        for name in sorted(staged) if staged and staged != declared else ():
            reason = f"thiếu tệp {', '.join(sorted(declared - staged))} của cùng đơn vị"
            run.discard(name, reason)
            logger.error("%s: %s", name, reason)
    grouped = {name for files in groups for name in files}
    groups += [[name] for name in sorted(run.staged) if name not in grouped]
    with stage(run.summary.timings, "load"):
        households = {f: int(s.file_record["rows_loaded"]) for f, s in run.staged.items()}
        for batch in load_batches(groups, households, LOAD_BATCH):
            load_batch(run, batch, _label(run, batch))


def load_batches(
    groups: list[list[str]], households: dict[str, int], limit: int
) -> list[list[str]]:
    """The files of `groups` (each the files of one unit) in consecutive batches of at most
    `limit` households (`households` per file), each group inside one batch; a group larger
    than `limit` is a batch of its own."""
    batches: list[list[str]] = []
    held = 0
    for files in groups:
        size = sum(households[f] for f in files)
        if not batches or held + size > limit:
            batches.append([])
            held = 0
        batches[-1] += files
        held += size
    return batches


def _label(run: CensusRun, files: list[str]) -> str:
    units = sorted({slug(u) for f in files for u in run.staged[f].units})
    return units[0] if len(units) == 1 else f"{len(units)} units ({units[0]} ... {units[-1]})"


def _add(timings: dict[str, float], seconds: dict[str, float]) -> None:
    for name, value in seconds.items():
        timings[name] = timings.get(name, 0.0) + value


def final_state(summary: RunSummary) -> State:
    """The flow run's state says what happened. A partial run is Completed named 'Partial':
    its good units are committed and the marts rebuilt, and rerunning it cannot fix a bad
    workbook (the unit must resend it); Failed is kept for a run that loaded nothing."""
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


def publish_artifacts(run: CensusRun, province: config.Province, state: State) -> None:
    """The run's Prefect artifacts, read back from the warehouse; never fatal (the warehouse
    is committed: a missing report must not undo it)."""
    s = run.summary
    try:
        publish_run_artifacts(
            run.con,
            province.code,
            province.name,
            run.year,
            run.run_id,
            state.name,
            {"loaded": s.loaded, "unchanged": s.unchanged, "failed": sorted(s.failed)},
        )
    except Exception as exc:
        get_run_logger().warning("artifacts not published: %s", exc)


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
    unit: str | None = None,
    reports_dir: Path = Path("reports"),
    district: str | None = None,
) -> State:
    """Load every changed workbook of `raw_dir/<year>/` into the warehouse.

    A workbook whose content hash matches the version already loaded is skipped unless
    `force` is set. With `unit` (the correction loop: a district up to the 2024 review, a
    commune from 2025; `district` is the same for the years that have districts) only that
    unit's workbooks are (re)loaded: a file version recorded before for another unit is not
    opened, a new version is read and left alone if its cells name another unit. Each
    workbook with problems gets an error workbook under `reports_dir/<year>/`. Without
    `year`, the census year whose review closed most recently (the scheduled runs:
    flows/census_calendar.py)."""
    started = time.perf_counter()
    ahead = workers.early_since()  # its workbooks were handed to the workers before it began
    year = closed_census_year(local_today()) if year is None else year
    province = config.load_province(province_code)
    only = only_unit(unit or district, province, year, raw_dir, reports_dir)
    with census_run(Path(warehouse_path), province, year, Path(raw_dir)) as run:
        timings = run.summary.timings
        parts = declared_units(raw_dir, year, province)
        paths = find_workbooks(raw_dir, year)
        if not paths:
            run.no_workbooks(Path(raw_dir) / str(year))
        with stage(timings, "hash"):
            pending = triage(run, paths, force, only, parts)
        stage_workbooks(run, pending, province, reports_dir, only)
        if only:
            run.check_unit_found(only, Path(raw_dir) / str(year))
        refuse_unit_conflicts(run, raw_dir, province, reports_dir)
        reload_cross_workbook_duplicates(run, raw_dir, province, reports_dir)
        refuse_repeats(run, raw_dir, province, reports_dir)
        load_units(run, raw_dir, province)
        remove_stale_reports(run, raw_dir, reports_dir)
        with stage(timings, "marts"):
            build_marts(run.con)
        summary = run.finish()
        timings["flow"] = time.perf_counter() - started
        timings["ahead"] = started - ahead if ahead is not None else 0.0
        get_run_logger().info("stage timings (s): %s", json.dumps(timings))
        state = final_state(summary)
        publish_artifacts(run, province, state)
    return state
