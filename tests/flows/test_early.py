"""flows/early.py: before its flow starts, `census run` hands its workers the workbooks the
flow will read, by the flow's own rule, and the flow's tasks take those answers."""

from __future__ import annotations

import duckdb

from flows import early, workers
from flows.census_flow import annual_census
from tests.factory import household, write_workbook

CITY = {"district": "Điện Biên Phủ", "commune": "Him Lam", "area": "Thành thị"}


def write_census(raw):
    write_workbook(raw / "2019" / "muong-nhe.xlsx", [household(i) for i in range(1, 4)])
    write_workbook(
        raw / "2019" / "dien-bien-phu.xlsx", [household(100 + i, **CITY) for i in (1, 2)]
    )


def handed(raw, warehouse, tmp_path, force=False, unit=None) -> list[str]:
    paths = early.start(raw, 2019, warehouse, "dien-bien", tmp_path / "reports", force, unit)
    workers.drop_early()
    return [p.name for p in paths]


def test_the_workbooks_handed_early_are_those_the_flow_reads(tmp_path, prefect_harness):
    raw, warehouse = tmp_path / "raw", tmp_path / "w.duckdb"
    write_census(raw)
    with workers.running(2):
        # No warehouse yet: every workbook, the largest first (the flow's order).
        assert handed(raw, warehouse, tmp_path) == ["muong-nhe.xlsx", "dien-bien-phu.xlsx"]
        annual_census(year=2019, raw_dir=raw, warehouse_path=warehouse, reports_dir=tmp_path)
        # Loaded and unchanged: none, unless forced.
        assert handed(raw, warehouse, tmp_path) == []
        assert handed(raw, warehouse, tmp_path, force=True) == [
            "muong-nhe.xlsx",
            "dien-bien-phu.xlsx",
        ]
        # With --unit, that unit's workbook (a version recorded for another is not opened).
        assert handed(raw, warehouse, tmp_path, force=True, unit="Điện Biên Phủ") == [
            "dien-bien-phu.xlsx"
        ]
        # A corrected workbook: that one; a new version is read whatever --unit says, as the
        # flow reads it to learn its unit.
        write_workbook(raw / "2019" / "muong-nhe.xlsx", [household(i) for i in range(1, 5)])
        assert handed(raw, warehouse, tmp_path) == ["muong-nhe.xlsx"]
        assert handed(raw, warehouse, tmp_path, unit="Điện Biên Phủ") == ["muong-nhe.xlsx"]
        # A unit that does not exist: nothing (the flow says why).
        assert handed(raw, warehouse, tmp_path, unit="Atlantis") == []

        # The flow takes the early answers: the corrected unit is loaded from them.
        assert handed(raw, warehouse, tmp_path) == ["muong-nhe.xlsx"]
        early.start(raw, 2019, warehouse, "dien-bien", tmp_path / "reports", False, None)
        summary = annual_census(
            year=2019, raw_dir=raw, warehouse_path=warehouse, reports_dir=tmp_path / "reports"
        )
        assert workers.early_since() is None  # taken by the flow's task
    assert summary.loaded == ["muong-nhe.xlsx"] and summary.unchanged == ["dien-bien-phu.xlsx"]
    assert summary.timings["ahead"] > 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM core.households").fetchone() == (6,)


def test_a_warehouse_another_process_writes_is_not_waited_for(tmp_path):
    raw, warehouse = tmp_path / "raw", tmp_path / "w.duckdb"
    write_census(raw)
    warehouse.write_bytes(b"SQLite format 3\x00" + bytes(100))  # not a warehouse: skipped
    with workers.running(2):
        assert handed(raw, warehouse, tmp_path) == []
