"""The analysts' copy of the warehouse: no personal data, read-only, published atomically.

Analysts never open the file the flow writes to (their queries would block a run, and it holds
the `private` schema). `publish` copies `core`, `marts`, `ref` and `audit` into a separate
DuckDB file and leaves out:

- `private`: head's name, ID number and free-text notes (schemas.headers.PERSONAL_KEYS);
- `raw`: its `extra` map keeps every unknown column as written, and an unknown column can be
  personal (a second name column under a header nobody expected), so raw is never published;
- the officers' household ids: every `household_id` becomes `household_key`, a pseudonym
  (the first 16 hex digits of SHA-256 of a secret kept in `private.pseudonym` and the id):
  stable across years, so analysts follow a household, and not reversible without the
  private schema (an id an officer mistyped as a name or an ID number is not published);
- villages (`village` columns): with a household's income and deprivations, a village and a
  stable key single a family out;
- Excel rows (`excel_row` columns): with the file and sheet, a row points at the household's
  line in the commune's workbook, its head's name and ID number beside it, and the key would
  be reversible by anyone holding the workbook (a helper's review, December 2026);
- in `audit.rejections`, the `value` column: the cells as typed, free text (a name typed into
  Dân tộc would be published); the rule, the column, the file and the sheet of each finding
  remain.

The copy is built in a temporary file beside the target, closed, made read-only on disk
(0444) and renamed over the target, so an analyst sees either the old copy or the new one,
never a half-written one.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from warehouse.writer import DEFAULT_WAREHOUSE, check_file_name

# Beside the default warehouse, relative to the working directory (README: "Where files go").
DEFAULT_PUBLISHED = DEFAULT_WAREHOUSE.parent / "published" / "census-analyst.duckdb"
PUBLISHED_SCHEMAS = ("core", "marts", "ref", "audit")
READ_ONLY_MODE = 0o444


# Columns left out of the copy: (schema, table) -> columns; "*" for every table.
LEFT_OUT = {"*": {"village", "excel_row"}, ("audit", "rejections"): {"value"}}


def _select(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> str:
    """The SELECT that copies one table: household ids as pseudonymous keys, villages, Excel
    rows and free-text values left out."""
    columns = [
        c
        for (c,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = 'src' "
            "AND schema_name = ? AND table_name = ? ORDER BY column_index",
            [schema, table],
        ).fetchall()
    ]
    dropped = LEFT_OUT["*"] | LEFT_OUT.get((schema, table), set())
    picked = [
        "left(sha256($secret || household_id), 16) AS household_key"
        if c == "household_id"
        else f'"{c}"'
        for c in columns
        if c not in dropped
    ]
    return f'SELECT {", ".join(picked)} FROM src."{schema}"."{table}"'


def publish(warehouse: Path | str, out: Path | str = DEFAULT_PUBLISHED) -> Path:
    """Write the analysts' copy of `warehouse` to `out` atomically; returns `out`.

    Fails (and leaves any earlier copy in place) if the warehouse is being written, since
    DuckDB refuses a read-only attach while another process holds the file."""
    warehouse, out = Path(warehouse), Path(out)
    check_file_name(out)  # the analysts' queries name the same schemas
    if not warehouse.is_file():
        raise FileNotFoundError(f"no warehouse at {warehouse}")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        with duckdb.connect(str(tmp)) as con:
            con.execute("ATTACH ? AS src (READ_ONLY)", [str(warehouse)])
            tables = con.execute(
                "SELECT schema_name, table_name FROM duckdb_tables() "
                "WHERE database_name = 'src' AND schema_name = ANY(?) ORDER BY ALL",
                [list(PUBLISHED_SCHEMAS)],
            ).fetchall()
            con.begin()
            for schema in PUBLISHED_SCHEMAS:
                con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            [(secret,)] = con.execute("SELECT secret FROM src.private.pseudonym").fetchall()
            for schema, table in tables:
                sql = _select(con, schema, table)
                params = {"secret": secret} if "$secret" in sql else None
                con.execute(f'CREATE TABLE "{schema}"."{table}" AS {sql}', params)
            con.execute(
                "CREATE TABLE audit.publication AS SELECT now()::TIMESTAMP AS published_at, "
                "? AS source_warehouse, ? AS tables, "
                "(SELECT max(run_id) FROM src.audit.ingest_runs) AS last_run_id",
                [warehouse.name, len(tables)],
            )
            con.commit()
            con.execute("DETACH src")
            con.execute("CHECKPOINT")
        tmp.chmod(READ_ONLY_MODE)
        # Replacing a read-only file is allowed: rename needs write access to the folder only.
        os.replace(tmp, out)
    except BaseException:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)
        raise
    return out


def connect_published(path: Path | str = DEFAULT_PUBLISHED) -> duckdb.DuckDBPyConnection:
    """How analysts open the copy: read-only, so no query can change it or take a write lock."""
    return duckdb.connect(str(path), read_only=True)
