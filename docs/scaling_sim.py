"""Simulate a bigger warehouse from a real one and time the single writer's work at that size.

    .venv/bin/python docs/scaling_sim.py WAREHOUSE.duckdb --year 2019 --factors 1 10 50

For each factor k, a copy of WAREHOUSE whose year holds k copies of every unit (new household
ids and unit and district names, so each copy is a unit of its own) is timed on what the
flow's single writer does: replace one unit (DELETE + INSERT in one transaction, the size of
an average national workbook), rebuild every mart, and read the province's rates.
Wall and CPU seconds are printed (CPU is the fairer figure on a shared machine), with the
file size. The workbooks' reading and validation are not here: they scale with rows per
task and are measured by the flow itself (its "stage timings" log line). Used by
docs/scaling.md; kept out of bench/ (the benchmark of issue 7 measures the nation itself).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from warehouse import writer  # noqa: E402

# Tables holding one unit-year, each with the column naming its unit (the district up to the
# 2024 review, the commune from 2025).
UNIT_TABLES = list(writer.UNIT_TABLES)
UNIT = "reporting_unit"
RENAMED = (UNIT, "district", "household_id")  # where a table has them
NATIONAL_WORKBOOK_ROWS = 27_000_000 // 700  # an average district workbook of the nation


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    schema, name = table.split(".")
    return [
        c
        for (c,) in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
            [schema, name],
        ).fetchall()
    ]


def multiply(con: duckdb.DuckDBPyConnection, year: int, factor: int) -> None:
    """Add factor - 1 renamed copies of every unit of `year`."""
    for table in UNIT_TABLES:
        cols = _columns(con, table)
        renamed = {c: f"{c} || ' #' || k" for c in RENAMED if c in cols}
        select = ", ".join(renamed.get(c, f'"{c}"') for c in cols)
        con.execute(
            f"INSERT INTO {table} SELECT {select} FROM {table}, range(1, ?) AS r(k) WHERE year = ?",
            [factor, year],
        )


def timed(fn) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def replace_one_unit(con: duckdb.DuckDBPyConnection, year: int) -> Callable[[], None]:
    """The writer's unit of work at national size: one unit of ~38,600 households."""
    [(unit,)] = con.execute(
        f"SELECT {UNIT} FROM core.households WHERE year = ? GROUP BY {UNIT} "
        "ORDER BY abs(count(*) - ?) LIMIT 1",
        [year, NATIONAL_WORKBOOK_ROWS],
    ).fetchall()
    for table in UNIT_TABLES:
        name = table.replace(".", "_")
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {name} AS "
            f"SELECT * FROM {table} WHERE year = ? AND {UNIT} = ?",
            [year, unit],
        )

    def write() -> None:
        con.begin()
        for table in UNIT_TABLES:
            con.execute(f"DELETE FROM {table} WHERE year = ? AND {UNIT} = ?", [year, unit])
            con.execute(f"INSERT INTO {table} SELECT * FROM {table.replace('.', '_')}")
        con.commit()

    return write


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("warehouse", type=Path)
    p.add_argument("--year", type=int, default=2019)
    p.add_argument("--factors", type=int, nargs="+", default=[1, 10])
    args = p.parse_args()
    print("factor,households,file_mb,replace_unit_s,replace_cpu_s,marts_s,marts_cpu_s,read_s")
    for factor in args.factors:
        with tempfile.TemporaryDirectory(prefix="scaling-") as tmp:
            path = Path(tmp) / "w.duckdb"
            shutil.copy(args.warehouse, path)
            con = duckdb.connect(str(path))
            multiply(con, args.year, factor)
            con.execute("CHECKPOINT")
            [(households,)] = con.execute(
                "SELECT count(*) FROM core.households WHERE year = ?", [args.year]
            ).fetchall()
            replace_wall, replace_cpu = timed(replace_one_unit(con, args.year))
            con.execute("DELETE FROM meta.marts_built")  # every mart rebuilt, every year
            marts_wall, marts_cpu = timed(lambda con=con: writer.build_marts(con))
            read_wall, _ = timed(
                lambda con=con: con.execute(
                    "SELECT * FROM marts.poverty_rates WHERE scope = 'province'"
                ).fetchall()
            )
            con.execute("CHECKPOINT")
            con.close()
            size = os.path.getsize(path) / 1e6
            print(
                f"{factor},{households},{size:.0f},{replace_wall:.2f},{replace_cpu:.2f},"
                f"{marts_wall:.1f},{marts_cpu:.1f},{read_wall:.3f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
