"""The marts are brought up to date year by year (writer.build_marts): a run rebuilds the
years from the earliest it changed on, and that gives the same marts as rebuilding every year;
new mart SQL or a changed ref table rebuilds every year; nothing changed, nothing rebuilt."""

from __future__ import annotations

import shutil

import duckdb

from flows.census_flow import annual_census
from tests.factory import household, write_workbook
from warehouse import writer

CITY = {"district": "Điện Biên Phủ", "commune": "Him Lam", "area": "Thành thị"}


def write_year(raw, year: int, incomes: dict[int, int]) -> None:
    folder = raw / str(year)
    rows = [household(i, income_per_capita=v) for i, v in incomes.items()]
    write_workbook(folder / "muong-nhe.xlsx", rows, year)
    write_workbook(folder / "dien-bien-phu.xlsx", [household(900, **CITY)], year)


def run(raw, warehouse, year: int, tmp_path, **kw) -> None:
    annual_census(
        year=year, raw_dir=raw, warehouse_path=warehouse, reports_dir=tmp_path / "r", **kw
    )


def stale_years(warehouse) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("SELECT count(*) FROM meta.marts_stale").fetchone()[0]


def differences(a, b) -> dict[str, int]:
    """Per mart, the rows in one warehouse's and not the other's, both ways."""
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{a}' AS a (READ_ONLY)")
        con.execute(f"ATTACH '{b}' AS b (READ_ONLY)")
        tables = con.execute(
            "SELECT table_name FROM duckdb_tables() "
            "WHERE database_name = 'a' AND schema_name = 'marts'"
        ).fetchall()
        return {
            t: sum(
                con.execute(
                    f"SELECT count(*) FROM (FROM {x}.marts.{t} EXCEPT ALL FROM {y}.marts.{t})"
                ).fetchone()[0]
                for x, y in (("a", "b"), ("b", "a"))
            )
            for (t,) in tables
        }


def same_as_every_year_rebuilt(warehouse, tmp_path) -> None:
    full = tmp_path / "full.duckdb"
    shutil.copy(warehouse, full)
    with writer.connect(full) as con:
        con.execute("DELETE FROM meta.marts_built")  # as if the SQL had changed
        assert writer.build_marts(con) == "rebuilt, every year"
    diff = differences(warehouse, full)
    assert set(diff) >= {"household_status", "transitions", "form_counts", "poverty_rates"}
    assert diff == dict.fromkeys(diff, 0)


def test_year_by_year_marts_equal_marts_of_every_year(tmp_path, prefect_harness):
    raw, warehouse = tmp_path / "raw", tmp_path / "w.duckdb"
    # 2018 poor, 2019 some escape, some relapse or arrive; then 2019 corrected.
    write_year(raw, 2018, {1: 500_000, 2: 500_000, 3: 900_000, 4: 2_000_000})
    write_year(raw, 2019, {1: 500_000, 2: 2_000_000, 3: 600_000, 5: 500_000})
    run(raw, warehouse, 2018, tmp_path)
    run(raw, warehouse, 2019, tmp_path)  # 2019's marts added to 2018's
    write_year(raw, 2019, {1: 2_000_000, 2: 2_000_000, 3: 600_000, 5: 500_000, 6: 800_000})
    run(raw, warehouse, 2019, tmp_path)  # 2019's replaced, 2018's kept
    assert stale_years(warehouse) == 0
    same_as_every_year_rebuilt(warehouse, tmp_path)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        counts = con.execute(
            "SELECT year, count(*) FROM marts.household_status GROUP BY 1 ORDER BY 1"
        ).fetchall()
        assert counts == [(2018, 5), (2019, 6)]
        moved = con.execute(
            "SELECT household_id, poverty_movement FROM marts.transitions "
            "WHERE year = 2019 AND household_id IN ('MN-000001', 'MN-000005') ORDER BY 1"
        ).fetchall()
        assert moved == [("MN-000001", "above_near_poor"), ("MN-000005", "other_increase")]

    # 2018 corrected after 2019 was loaded: 2019's movements pair with it, so both are rebuilt.
    write_year(raw, 2018, {1: 500_000, 2: 700_000, 3: 900_000, 4: 2_000_000, 7: 500_000})
    run(raw, warehouse, 2018, tmp_path)
    same_as_every_year_rebuilt(warehouse, tmp_path)

    # One unit corrected, the other's workbook unchanged: household_status is replaced for
    # that unit only, in the first year and in a later one.
    for year, incomes in ((2018, {1: 900_000, 2: 700_000, 8: 500_000}), (2019, {1: 500_000})):
        rows = [household(i, income_per_capita=v) for i, v in incomes.items()]
        write_workbook(raw / str(year) / "muong-nhe.xlsx", rows, year)
        run(raw, warehouse, year, tmp_path, unit="Mường Nhé")
        same_as_every_year_rebuilt(warehouse, tmp_path)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        counts = con.execute(
            "SELECT year, reporting_unit, count(*) FROM marts.household_status "
            "GROUP BY ALL ORDER BY ALL"
        ).fetchall()
    assert counts == [
        (2018, "Mường Nhé", 3),
        (2018, "Điện Biên Phủ", 1),
        (2019, "Mường Nhé", 1),
        (2019, "Điện Biên Phủ", 1),
    ]


def test_what_each_build_rebuilds(tmp_path, prefect_harness):
    raw, warehouse = tmp_path / "raw", tmp_path / "w.duckdb"
    write_year(raw, 2018, {1: 500_000, 2: 900_000})
    write_year(raw, 2019, {1: 500_000, 2: 500_000})
    run(raw, warehouse, 2018, tmp_path)
    run(raw, warehouse, 2019, tmp_path)
    with writer.connect(warehouse) as con:
        assert writer.build_marts(con) == "up to date (nothing changed)"
        con.execute("INSERT INTO meta.marts_stale VALUES (2019, 'Mường Nhé')")
        assert writer.build_marts(con) == (
            "rebuilt from 2019 on (household_status: 1 unit-years; transitions: their households)"
        )
        con.execute("INSERT INTO meta.marts_stale VALUES (2019, NULL)")  # an older file's mark
        assert writer.build_marts(con) == "rebuilt from 2019 on"
        # Most of the year's units changed (a full run): the year is written whole.
        con.execute(
            "INSERT INTO meta.marts_stale VALUES (2019, 'Mường Nhé'), (2019, 'Điện Biên Phủ')"
        )
        assert writer.build_marts(con) == "rebuilt from 2019 on"
        # The households a correction changed: those of its unit as the marts hold them and
        # as core holds them now; none when the years held changed (every household's
        # movements may change: transitions is rebuilt from that year).
        con.execute("UPDATE core.households SET household_id = 'MN-000009' WHERE year = 2019 "
                    "AND household_id = 'MN-000002'")  # fmt: skip
        con.execute("INSERT INTO meta.marts_stale VALUES (2019, 'Mường Nhé')")
        assert writer._stage_changed_households(con)
        changed = con.execute("FROM temp.changed_households ORDER BY 1").fetchall()
        assert changed == [("MN-000001",), ("MN-000002",), ("MN-000009",)]
        writer.build_marts(con)
        con.execute("DELETE FROM core.classifications WHERE year = 2019")
        con.execute("DELETE FROM core.households WHERE year = 2019")
        con.execute("INSERT INTO meta.marts_stale VALUES (2019, 'Mường Nhé')")
        assert not writer._stage_changed_households(con)
        assert writer.build_marts(con) == "rebuilt from 2019 on"
        assert con.execute("FROM marts.transitions WHERE year = 2019").fetchall() == []
        # A corrected ref table (here a target), as after editing config/: every year.
        con.execute("UPDATE ref.targets SET target = target + 1 WHERE true")
        assert writer.build_marts(con) == "rebuilt, every year"
        assert writer.build_marts(con) == "up to date (nothing changed)"


def test_the_files_mart_macros_work_in_any_connection(tmp_path, prefect_harness):
    # An incremental build reuses the macros stored in the file, and an analyst may call them:
    # none of them may depend on a connection's temporary macro.
    raw, warehouse = tmp_path / "raw", tmp_path / "w.duckdb"
    write_year(raw, 2018, {1: 500_000, 2: 900_000})
    run(raw, warehouse, 2018, tmp_path)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for mart in ("summary_form", "form_counts", "transitions"):
            rows = con.execute(f"FROM marts.{mart}_rows(0) EXCEPT ALL FROM marts.{mart}")
            assert rows.fetchall() == []
            assert con.execute(f"SELECT count(*) FROM marts.{mart}").fetchone()[0] > 0
