"""The workbooks `census run` expects to read, handed to its workers before its flow starts.

A cold `census run` waits 3-6 s for Prefect's API to start (the local server's first run of
the day; bench/results.md) while both cores could be reading. So before the flow, `start`
decides which workbooks the flow will read, with the flow's own rule (census_flow.not_read,
against the loaded versions in the warehouse, opened read-only) and hands them to the workers
(flows/workers.py `early`). Each workbook's task then takes its answer instead of reading it
again: the task, its state and its retries are in the run history as before.

Only a guess, never a decision: a workbook the flow then reads otherwise (with another
workbook's ids, or refused) is read again by its task; one it does not read is dropped. The
guess is only made when it costs nothing to be wrong: no warehouse to read yet (every workbook
is read), or one that opens at once.
"""

from __future__ import annotations

from pathlib import Path

import config
from flows import workers
from flows.census_flow import file_size, find_workbooks, largest_first, not_read, only_unit
from flows.tasks import processed
from warehouse import staging, writer
from warehouse.run import loaded_hashes, recorded_units
from workbooks.reader import file_sha256

# Workbook bytes read ahead at most: the answers wait for their tasks as staged files, but a
# guess can be wrong (the workbook is then read again), and a nation's 700 workbooks are not
# all hashed and queued before its flow starts; a province (the sample: 10 workbooks, 8.8 MB)
# is read ahead whole.
BUDGET = 16 << 20


def start(
    raw_dir: Path,
    year: int,
    warehouse_path: Path,
    province_code: str,
    reports_dir: Path,
    force: bool,
    unit: str | None,
) -> list[Path]:
    """Hand the workbooks the flow is expected to read to the workers, largest first (the
    flow's order), within BUDGET; the workbooks handed."""
    try:
        province = config.load_province(province_code)
        only = only_unit(unit, province, year, raw_dir, reports_dir)
        loaded, known = _recorded(Path(warehouse_path), year, only)
    except Exception:  # the flow reports it (a wrong unit, a busy or foreign warehouse)
        return []
    workers.drop_early()  # an earlier year's workbooks its flow did not read
    spool = staging.folder(warehouse_path)  # the flow's (census_run): the same call
    staging.prepare(spool)
    handed, held = [], 0
    # Hashed one by one, largest first, up to the budget: a nation's 700 workbooks are not all
    # hashed here for the dozen handed (the flow hashes them all again: 2.4 s for the nation).
    for path in largest_first(find_workbooks(raw_dir, year)):
        try:
            file_hash = file_sha256(path)
        except OSError:  # still being copied or locked: its task retries it
            continue
        if not_read(path.name, file_hash, loaded, known, only, force):
            continue
        held += file_size(path)
        if handed and held > BUDGET:
            break
        if not workers.early(processed, path, year, province, reports_dir, spool, None, None):
            break
        handed.append(path)
    return handed


def _recorded(
    warehouse_path: Path, year: int, only: str | None
) -> tuple[dict[str, str], dict[str, set[str]]]:
    """The versions loaded for the year and the units of the versions recorded (for `--unit`),
    from the warehouse if it exists; it is not waited for."""
    if not warehouse_path.exists():
        return {}, {}
    with writer.connect(warehouse_path, read_only=True, lock_wait=0) as con:
        return loaded_hashes(con, year), (recorded_units(con, year) if only else {})
