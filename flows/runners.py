"""Task runners for the per-workbook tasks: Prefect's default threads, or a Dask cluster.

Only the read -> validate -> classify tasks go to the runner; the flow body stays the single
writer of the DuckDB file, whatever the runner.
"""

from __future__ import annotations

from prefect.task_runners import TaskRunner

TASK_RUNNERS = ("default", "dask")


def task_runner(name: str, dask_address: str | None = None, workers: int = 2) -> TaskRunner | None:
    """None keeps the flow's own runner. `dask` with an address joins that cluster (its
    workers must see the same raw/ paths); without one a local cluster of `workers`
    processes of one thread each is started and closed with the flow run."""
    if name == "default":
        return None
    if name != "dask":
        raise ValueError(f"unknown task runner {name!r} (known: {', '.join(TASK_RUNNERS)})")
    from prefect_dask import DaskTaskRunner

    if dask_address:
        return DaskTaskRunner(address=dask_address)
    return DaskTaskRunner(
        cluster_kwargs={
            "n_workers": workers,
            "threads_per_worker": 1,
            "processes": True,
            "dashboard_address": ":0",  # a free port: several runs may share the machine
        }
    )
