"""The per-workbook tasks on a local Dask cluster (2 worker processes x 1 thread) give the same
warehouse as Prefect's default runner; the writes stay in the flow, and no process is left."""

from __future__ import annotations

import psutil

from flows.census_flow import annual_census
from flows.runners import task_runner
from sample.census import write_sample_census
from tests.snapshot import warehouse_rows

# Columns that differ between two runs by nature: run ids and wall-clock times.
VOLATILE = {"run_id", "recorded_at", "started_at", "finished_at", "message"}


def test_dask_runner_builds_the_same_warehouse(tmp_path, prefect_harness):
    raw = tmp_path / "raw"
    write_sample_census(raw, [2019], households=1500, seed=11)
    threads, dask = tmp_path / "threads.duckdb", tmp_path / "dask.duckdb"

    plain = annual_census(year=2019, raw_dir=raw, warehouse_path=threads)
    children_before = {p.pid for p in psutil.Process().children(recursive=True)}
    on_dask = annual_census.with_options(task_runner=task_runner("dask", workers=2))
    state = on_dask(year=2019, raw_dir=raw, warehouse_path=dask, return_state=True)
    summary = state.result()

    assert summary.status == plain.status == "completed" and len(summary.loaded) == 10
    a, b = warehouse_rows(threads, skip=VOLATILE), warehouse_rows(dask, skip=VOLATILE)
    assert a.keys() == b.keys() and "core.households" in a and "marts.target_gap" in a
    assert sum(len(rows) for rows in a.values()) > 3000
    for table in a:
        assert a[table] == b[table], table
    # The local cluster was closed with the flow run: no worker process outlives it.
    leftover = {p.pid for p in psutil.Process().children(recursive=True)} - children_before
    # (multiprocessing's resource tracker is one per parent and ends with it: not a worker.)
    alive = [psutil.Process(p) for p in leftover if psutil.pid_exists(p)]
    workers = [p for p in alive if "resource_tracker" not in " ".join(p.cmdline())]
    assert not workers, [p.cmdline() for p in workers]
