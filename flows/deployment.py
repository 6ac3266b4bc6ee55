"""The scheduled annual run: a Prefect deployment of `annual_census`, served by `census serve`.

Two cron schedules in Vietnam's time zone (flows/census_calendar.py): 20 December for the
census year just closed and 15 January for corrections. Neither fixes `year`: the flow
computes the census year whose review closed most recently when the run starts, so the
January run loads the previous calendar year and a run triggered by hand does the same.
One run at a time: the warehouse file has a single writer.
"""

from __future__ import annotations

from pathlib import Path

from prefect import serve
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron

import config
from flows.census_calendar import SCHEDULES, TIME_ZONE
from flows.census_flow import annual_census
from warehouse import writer

DEPLOYMENT_NAME = "annual"


def build_deployment(
    raw_dir: Path = Path("raw"),
    warehouse_path: Path = writer.DEFAULT_WAREHOUSE,
    province_code: str = config.DEFAULT_PROVINCE,
    reports_dir: Path = Path("reports"),
) -> RunnerDeployment:
    """The deployment `annual-census/annual`, with absolute paths (the served process may
    start anywhere: each is resolved against the working directory of `census serve`, as
    every default path of the command line is) and the province's config checked before
    anything is scheduled."""
    province = config.load_province(province_code)
    return annual_census.to_deployment(
        name=DEPLOYMENT_NAME,
        description=(
            f"Annual household poverty census of {province.name}: loads raw/<year>/ into the "
            "warehouse. Scheduled 20 December and 15 January (Asia/Ho_Chi_Minh) for the census "
            "year whose review closed most recently; pass `year` to run another year."
        ),
        schedules=[
            Cron(cron, timezone=TIME_ZONE, slug=slug) for slug, (cron, _why) in SCHEDULES.items()
        ],
        parameters={
            "raw_dir": str(Path(raw_dir).resolve()),
            "warehouse_path": str(Path(warehouse_path).resolve()),
            "province_code": province.code,
            "reports_dir": str(Path(reports_dir).resolve()),
        },
        tags=["census", province.code],
        concurrency_limit=1,
    )


def serve_annual(
    raw_dir: Path = Path("raw"),
    warehouse_path: Path = writer.DEFAULT_WAREHOUSE,
    province_code: str = config.DEFAULT_PROVINCE,
    reports_dir: Path = Path("reports"),
) -> None:
    """Register the deployment with the Prefect API (PREFECT_API_URL) and run its flow runs
    in this process until interrupted; schedules are paused on shutdown."""
    serve(build_deployment(raw_dir, warehouse_path, province_code, reports_dir), limit=1)
