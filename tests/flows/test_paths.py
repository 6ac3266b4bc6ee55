"""One rule for where `census` reads and writes: every default path is relative to the working
directory (raw/, reports/, warehouse/census.duckdb, warehouse/published/). Run from a copy or
from a census folder elsewhere, nothing lands in the code's checkout."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows import cli
from tests.factory import household, write_workbook

REPO = Path(__file__).resolve().parents[2]
# What the rule protects: the checkout's own output files.
CHECKOUT_OUTPUTS = (
    REPO / "warehouse" / "census.duckdb",
    REPO / "warehouse" / "published" / "census-analyst.duckdb",
    REPO / "reports" / "2019",
)


def stamps() -> dict[Path, float | None]:
    return {p: p.stat().st_mtime if p.exists() else None for p in CHECKOUT_OUTPUTS}


@pytest.fixture
def census_folder(tmp_path, monkeypatch):
    """A census folder outside the checkout, as an officer's: raw/2019/ with one workbook
    that has a rejected row (so an error workbook is written)."""
    rows = [household(i) for i in range(1, 4)] + [household(4, household_size=45)]
    write_workbook(tmp_path / "raw" / "2019" / "muong-nhe.xlsx", rows)
    monkeypatch.chdir(tmp_path)
    before = stamps()
    yield tmp_path
    assert stamps() == before  # the checkout's outputs are untouched


def test_run_publish_and_report_write_under_the_working_directory(census_folder, prefect_harness):
    assert cli.main(["run", "--year", "2019"]) == 0
    assert (census_folder / "warehouse" / "census.duckdb").is_file()
    assert (census_folder / "reports" / "2019" / "muong-nhe-loi.xlsx").is_file()

    assert cli.main(["publish"]) == 0
    assert (census_folder / "warehouse" / "published" / "census-analyst.duckdb").is_file()

    assert cli.main(["report", "--year", "2019"]) == 0
    assert (census_folder / "reports" / "2019" / "bao-cao-ho-ngheo-2019.xlsx").is_file()


def test_check_writes_its_error_workbook_under_the_working_directory(census_folder):
    assert cli.main(["check", "raw/2019/muong-nhe.xlsx"]) == 1
    assert (census_folder / "reports" / "2019" / "muong-nhe-loi.xlsx").is_file()
    assert not (census_folder / "warehouse").exists()  # a check never touches a warehouse


def test_serve_resolves_every_default_against_the_working_directory(
    census_folder, prefect_harness, monkeypatch
):
    import flows.deployment

    served = []
    monkeypatch.setattr(
        flows.deployment,
        "serve",
        lambda deployment, limit: served.append(deployment.parameters),
    )
    assert cli.main(["serve"]) == 0
    assert cli.main(["serve", "--reports", "elsewhere/reports"]) == 0
    assert served[0] == {
        "raw_dir": str(census_folder / "raw"),
        "warehouse_path": str(census_folder / "warehouse" / "census.duckdb"),
        "province_code": "dien-bien",
        "reports_dir": str(census_folder / "reports"),
    }
    assert served[1]["reports_dir"] == str(census_folder / "elsewhere" / "reports")
