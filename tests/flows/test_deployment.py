"""The scheduled deployment: built in the test (no server), its schedules fire on the right
local days and the flow derives the right census year on each of them."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from prefect.server.schemas.schedules import CronSchedule
from prefect.utilities.callables import parameter_schema

from flows.census_calendar import closed_census_year
from flows.census_flow import annual_census
from flows.deployment import build_deployment

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def fire_times(schedule, n: int = 2) -> list[datetime]:
    server = CronSchedule(cron=schedule.cron, timezone=schedule.timezone, day_or=schedule.day_or)
    start = datetime(2025, 6, 1, tzinfo=UTC)
    return [d.astimezone(HCM) for d in asyncio.run(server.get_dates(n=n, start=start))]


def test_deployment_has_two_schedules_in_vietnam_time(tmp_path):
    deployment = build_deployment(tmp_path / "raw", tmp_path / "w.duckdb", "dien-bien")
    assert deployment.flow_name == "annual-census" and deployment.name == "annual"
    schedules = {s.slug: s for s in deployment.schedules}
    assert set(schedules) == {"december-review", "january-corrections"}
    for s in schedules.values():
        assert s.active and s.schedule.timezone == "Asia/Ho_Chi_Minh"
        assert s.parameters == {}  # the year is derived when the run starts, never fixed

    december = fire_times(schedules["december-review"].schedule)
    january = fire_times(schedules["january-corrections"].schedule)
    assert [(d.year, d.month, d.day, d.hour) for d in december] == [
        (2025, 12, 20, 6),
        (2026, 12, 20, 6),
    ]
    assert [(d.year, d.month, d.day, d.hour) for d in january] == [
        (2026, 1, 15, 6),
        (2027, 1, 15, 6),
    ]
    # Both runs of a season load the same census year: December's, then its corrections.
    assert [closed_census_year(d.date()) for d in december] == [2025, 2026]
    assert [closed_census_year(d.date()) for d in january] == [2025, 2026]


def test_deployment_parameters_are_absolute_and_leave_year_to_the_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    deployment = build_deployment(Path("raw"), Path("w.duckdb"), "test-fixture")
    assert deployment.parameters == {
        "raw_dir": str(tmp_path / "raw"),
        "warehouse_path": str(tmp_path / "w.duckdb"),
        "province_code": "test-fixture",
        "reports_dir": str(tmp_path / "reports"),
    }
    assert "year" not in deployment.parameters
    year = parameter_schema(annual_census).model_dump()["properties"]["year"]
    assert year["default"] is None  # so the deployment's runs derive it
    assert deployment.concurrency_limit == 1  # one writer of the warehouse file at a time
    assert "test-fixture" in deployment.tags


def test_an_unknown_province_is_refused_before_anything_is_scheduled(tmp_path):
    with pytest.raises(LookupError, match="no-such-province"):
        build_deployment(tmp_path, tmp_path / "w.duckdb", "no-such-province")


@pytest.mark.parametrize(
    ("today", "year"),
    [
        (date(2025, 12, 20), 2025),
        (date(2026, 1, 15), 2025),
        (date(2025, 12, 14), 2024),  # the review closes that day: not yet closed
        (date(2025, 12, 15), 2025),
        (date(2025, 7, 1), 2024),
        (date(2025, 12, 31), 2025),
    ],
)
def test_closed_census_year(today, year):
    assert closed_census_year(today) == year


def test_serve_refuses_to_run_without_a_prefect_server(tmp_path, capsys):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows import cli

    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        assert cli.main(["serve", "--raw", str(tmp_path)]) == 2
    assert "prefect server start" in capsys.readouterr().out


def test_the_run_of_20_december_2026_loads_the_45_communes_of_the_2026_review(
    tmp_path, tmp_path_factory, monkeypatch, prefect_harness
):
    """The deployment's flow, with its own parameters, on the day its December schedule fires:
    it derives the 2026 review and loads its commune workbooks under the 2027-2030 standard."""
    import duckdb

    from flows import census_flow
    from tests.sample_warehouse import build_reform

    raw = build_reform(tmp_path_factory).raw  # its 2026 folder holds the 45 communes' workbooks
    deployment = build_deployment(raw, tmp_path / "w.duckdb", "dien-bien", tmp_path / "reports")
    monkeypatch.setattr(census_flow, "local_today", lambda: date(2026, 12, 20))
    summary = annual_census(**deployment.parameters)
    assert summary.year == 2026 and summary.status == "completed"
    assert len(summary.loaded) == 45
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        units, standards, districts = con.execute(
            "SELECT count(DISTINCT reporting_unit), list(DISTINCT standard), "
            "count(district) FROM marts.household_status WHERE year = 2026"
        ).fetchone()
    assert (units, standards, districts) == (45, ["2027-2030"], 0)
