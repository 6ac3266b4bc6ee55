"""Where a run keeps the workbooks it has read until it decides which may replace their units:
Parquet files, one per unit table of each workbook, in a folder beside the warehouse file
(`.<file name>.stage/<pid of the run>/`, readable by its owner only).

The process that reads a workbook writes them (a worker process: flows/workers.py), so the
run's own process never holds a workbook's rows: it checks the whole year against the staged
households (writer.duplicate_ids, writer.repeated_files) and promotes each unit straight
from its files into the warehouse (writer.promote). Staging in the run's DuckDB temporary
tables cost the run's process the insertion twice, 0.68 s to stage and 0.54 s to promote the
sample province; from Parquet it is inserted once, 0.61-0.68 s, and the workers write the
files in 0.23-0.26 s between them, without column statistics (nothing reads them: each file
is read whole), against 0.31-0.33 s with them (December 2026).

A file is deleted once its rows are loaded or dropped, the run's folder when the run ends,
and the folder of a run that was killed by the next run on the same warehouse.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import uuid
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from warehouse.writer import ROWS, UNIT_TABLES, UnitLoad

_TABLE_OF = {attr: table for table, (attr, _) in UNIT_TABLES.items()}


def folder(warehouse_path: Path) -> Path:
    """The staging folder of this process's runs on the warehouse at `warehouse_path`."""
    path = Path(warehouse_path).resolve()
    return path.parent / f".{path.name}.stage" / str(os.getpid())


def prepare(spool: Path) -> None:
    """Create the run's staging folder (its owner's only: staged rows hold names and ID
    numbers, as the warehouse does) and remove those of runs no longer running."""
    spool.mkdir(mode=0o700, parents=True, exist_ok=True)
    for other in spool.parent.iterdir():
        if other != spool and other.name.isdigit() and not _running(int(other.name)):
            shutil.rmtree(other, ignore_errors=True)


def remove(spool: Path) -> None:
    """The run's staging folder and whatever is left in it (answers read ahead and not used),
    and the folder of staging folders once empty."""
    shutil.rmtree(spool, ignore_errors=True)
    with contextlib.suppress(OSError):
        spool.parent.rmdir()


def discard(files: Iterable[str]) -> None:
    """Staged files no longer needed (loaded, or their workbook not loaded)."""
    for name in files:
        with contextlib.suppress(FileNotFoundError):
            os.remove(name)


def spooled(load: UnitLoad, spool: Path) -> UnitLoad:
    """The load with its unit tables' rows written to `spool` (`files`: table -> file; the
    frames dropped). Where this process does not see the folder (a Dask worker on another
    machine) the load is returned with Arrow tables, and the run stages them itself."""
    load = load.arrow()
    if not spool.is_dir():
        return load
    stem = uuid.uuid4().hex  # a workbook read again (HH031, WB015, WB016) gets files of its own
    files: dict[str, str] = {}
    for attr in ROWS:
        rows: pa.Table = getattr(load, attr)
        if rows.num_rows:
            name = str(spool / f"{stem}.{_TABLE_OF[attr]}.parquet")
            pq.write_table(rows, name, write_statistics=False)
            files[_TABLE_OF[attr]] = name
    return dataclasses.replace(load, files=files, **dict.fromkeys(ROWS))


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True
