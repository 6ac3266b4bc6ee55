"""A warehouse's tables as sorted rows, for asserting that two runs left the same outcome."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path

import duckdb

# Every table that holds data: the audit tables other than run bookkeeping included; not the
# marts' build bookkeeping (meta: when they were built), nor the secret behind the analysts'
# pseudonymous keys, which each warehouse file draws at random.
ALL_DATA_TABLES = (
    "SELECT table_schema || '.' || table_name FROM information_schema.tables "
    "WHERE (table_schema <> 'audit' OR table_name IN ('rejections', 'ingest_files')) "
    "AND table_schema <> 'meta' "
    "AND NOT (table_schema = 'private' AND table_name = 'pseudonym') ORDER BY 1"
)


def warehouse_rows(
    warehouse: Path, tables: Iterable[str] | None = None, skip: Collection[str] = ("run_id",)
) -> dict[str, list[tuple]]:
    """table -> its rows sorted, without the `skip` columns (run ids, clock times differ
    between two runs by nature). Without `tables`, every data table."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        if tables is None:
            tables = [t for (t,) in con.execute(ALL_DATA_TABLES).fetchall()]
        out = {}
        for table in tables:
            schema, name = table.split(".")
            columns = [
                c
                for (c,) in con.execute(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
                    [schema, name],
                ).fetchall()
                if c not in skip
            ]
            select = ", ".join(f'"{c}"' for c in columns)
            out[table] = con.execute(f"SELECT {select} FROM {table} ORDER BY ALL").fetchall()
    return out
