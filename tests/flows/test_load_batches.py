"""The year's units are replaced in few transactions (a province's in one), each unit whole
inside one: batches of about LOAD_BATCH households."""

from __future__ import annotations

import duckdb

from flows import census_flow
from flows.census_flow import annual_census, load_batches
from tests.factory import household, write_workbook
from tests.flows.test_states_and_artifacts import flow_run_details


def test_batches_keep_each_unit_whole_and_stay_under_the_bound():
    groups = [["a.xlsx"], ["b1.xlsx", "b2.xlsx"], ["c.xlsx"]]
    sizes = {"a.xlsx": 5, "b1.xlsx": 3, "b2.xlsx": 3, "c.xlsx": 5}
    assert load_batches(groups, sizes, 100) == [["a.xlsx", "b1.xlsx", "b2.xlsx", "c.xlsx"]]
    assert load_batches(groups, sizes, 11) == [["a.xlsx", "b1.xlsx", "b2.xlsx"], ["c.xlsx"]]
    assert load_batches(groups, sizes, 10) == [["a.xlsx"], ["b1.xlsx", "b2.xlsx"], ["c.xlsx"]]
    # A unit larger than the bound is a batch of its own, never split.
    assert load_batches(groups, sizes, 4) == [["a.xlsx"], ["b1.xlsx", "b2.xlsx"], ["c.xlsx"]]
    assert load_batches([], {}, 10) == []


def test_a_run_loads_its_units_in_batches_of_the_bound(tmp_path, prefect_harness, monkeypatch):
    raw = tmp_path / "raw" / "2019"
    city = {"district": "Điện Biên Phủ", "commune": "Him Lam", "area": "Thành thị"}
    write_workbook(raw / "dien-bien-phu.xlsx", [household(100 + i, **city) for i in range(3)])
    write_workbook(raw / "muong-nhe.xlsx", [household(i) for i in range(1, 4)])
    monkeypatch.setattr(census_flow, "LOAD_BATCH", 4)  # one unit a transaction

    state = annual_census(
        year=2019,
        raw_dir=tmp_path / "raw",
        warehouse_path=tmp_path / "w.duckdb",
        reports_dir=tmp_path / "reports",
        return_state=True,
    )

    tasks, _ = flow_run_details(state)
    loads = sorted(name for name in tasks if name.startswith("load "))
    assert loads == ["load dien-bien-phu", "load muong-nhe"]
    assert all(tasks[name].state.name == "Completed" for name in loads)
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        counts = con.execute(
            "SELECT district, count(*) FROM core.households GROUP BY ALL ORDER BY ALL"
        ).fetchall()
        assert counts == [("Mường Nhé", 3), ("Điện Biên Phủ", 3)]
        files = con.execute(
            "SELECT source_file, status FROM audit.ingest_files ORDER BY ALL"
        ).fetchall()
        assert files == [("dien-bien-phu.xlsx", "loaded"), ("muong-nhe.xlsx", "loaded")]
