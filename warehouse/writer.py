"""The single writer of the DuckDB warehouse.

Each unit-year (the unit a workbook reports for) is replaced inside one transaction (delete,
then insert its staged Parquet files whole; never row by row), with the other units of its batch
(flows/census_flow.load_units), so a failure leaves the units as they were.
The marts are brought up to date from `core` by the SQL files in `warehouse/marts/`, the years
that changed and the later ones, also in one transaction (`build_marts`). A run's bookkeeping
(audit.ingest_runs, ingest_files) is `warehouse/run.py`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

import config
from schemas.headers import BASE_LABELS
from schemas.rules import rules_table

WAREHOUSE_DIR = Path(__file__).resolve().parent
DDL = WAREHOUSE_DIR / "ddl.sql"
MARTS_DIR = WAREHOUSE_DIR / "marts"
# Relative, so resolved against the working directory like every other default path of the
# `census` command (raw/, reports/; README: "Where files go"): a copy of the project, or a
# census folder elsewhere, writes its own warehouse, never the code's checkout.
DEFAULT_WAREHOUSE = Path("warehouse") / "census.duckdb"

# Tables holding one unit-year's rows, replaced together: the UnitLoad field holding each one's
# rows, and whether its rows carry the run's id.
UNIT_TABLES = {
    "raw.households": ("raw", True),
    "core.households": ("households", True),
    "core.classifications": ("classifications", False),
    "core.resident_totals": ("resident_totals", True),
    "private.households": ("private", False),
    "private.members": ("members", False),
}
ROWS = tuple(attr for attr, _ in UNIT_TABLES.values())


@dataclass
class UnitLoad:
    """Everything one workbook contributes to the warehouse: the unit-year it replaces. The
    unit tables' rows (`raw` ... `members`) are pandas frames, or Arrow tables once `arrow()`
    made them so, or None once staged: `files` then names the Parquet file holding each
    table's rows (warehouse/staging.py)."""

    year: int
    units: list[str]  # reporting units: the district up to the 2024 review, communes from 2025
    source_file: str
    file_hash: str
    raw: pd.DataFrame  # raw.households columns (text; indicators by key), `extra` as a map
    households: pd.DataFrame  # core.households columns
    classifications: pd.DataFrame  # core.classifications columns
    private: pd.DataFrame  # private.households columns
    rejections: pd.DataFrame  # audit.rejections columns, without run_id
    file_record: dict[str, object]  # audit.ingest_files columns, without run_id
    report: str | None = None  # the officer's error workbook written for it, if any
    refused: str | None = None  # why it may not replace its units (schemas/replacement.py)
    # core.resident_totals columns, without run_id (empty: the rows listed are all households)
    resident_totals: pd.DataFrame = field(default_factory=pd.DataFrame)
    members: pd.DataFrame = field(default_factory=pd.DataFrame)  # private.members columns
    files: dict[str, str] = field(default_factory=dict)  # unit table -> its staged rows

    @property
    def unit(self) -> str:
        return ", ".join(self.units)

    def arrow(self) -> UnitLoad:
        """The same load with its unit tables' rows as Arrow tables, as they are staged (those
        already Arrow, from a worker that could not stage them, as they are)."""
        return dataclasses.replace(self, **{name: _rows(getattr(self, name)) for name in ROWS})


# How long a second process waits for the warehouse file before giving up, in seconds
# (CENSUS_LOCK_WAIT). DuckDB lets one process at a time open a file for writing; a run takes
# about a minute for a province, so the default waits out one run's final steps, not a whole
# run (SECURITY.md).
DEFAULT_LOCK_WAIT = 60.0


_NO_EXTENSIONS = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


class WarehouseBusy(RuntimeError):
    """Another process holds the warehouse file; raised after the bounded wait."""


class NotAWarehouse(ValueError):
    """The file given as the warehouse is not a DuckDB database (a SQLite file, a workbook)."""


# Every DuckDB database file carries these bytes at offset 8 (its storage header).
_DUCKDB_MAGIC = b"DUCK"


def _check_is_duckdb(path: Path) -> None:
    if path.is_file() and path.stat().st_size:
        with path.open("rb") as fh:
            head = fh.read(16)
        if head[8:12] != _DUCKDB_MAGIC:
            sqlite = head.startswith(b"SQLite format 3")
            kind, kind_vi = ("a SQLite database", "SQLite") if sqlite else ("not DuckDB", "khác")
            raise NotAWarehouse(
                f"{path} không phải kho dữ liệu rà soát: tệp là cơ sở dữ liệu {kind_vi}. Hãy "
                "chỉ đường dẫn tệp .duckdb của kho (hoặc tên tệp mới để tạo kho) / "
                f"{path} is not a census warehouse: the file is {kind}. Give the path of the "
                "warehouse's .duckdb file (or a new file name to create one)."
            )


def check_file_name(path: Path) -> None:
    """DuckDB names a database after its file: `raw.duckdb` opens as catalog `raw`, and every
    `raw.households` is then ambiguous ("Binder Error: Ambiguous reference to catalog or
    schema") after the file was created. Refused before it is."""
    schemas = re.findall(r"CREATE SCHEMA IF NOT EXISTS (\w+)", DDL.read_text(encoding="utf-8"))
    if path.stem.lower() in schemas:
        raise NotAWarehouse(
            f"{path}: tệp kho dữ liệu không được trùng tên một lược đồ của kho "
            f"({', '.join(schemas)}); hãy đặt tên khác, ví dụ census.duckdb / "
            f"{path}: a warehouse file cannot be named after one of its schemas "
            f"({', '.join(schemas)}): DuckDB names the database after the file, and the "
            "two names then clash. Give it another name, e.g. census.duckdb."
        )


def _open(path: Path, read_only: bool, lock_wait: float | None) -> duckdb.DuckDBPyConnection:
    """duckdb.connect, retried while another process holds the file's lock."""
    check_file_name(path)
    _check_is_duckdb(path)
    if lock_wait is None:
        lock_wait = float(os.environ.get("CENSUS_LOCK_WAIT", DEFAULT_LOCK_WAIT))
    deadline, pause = time.monotonic() + lock_wait, 0.1
    while True:
        try:
            # Never install or load an extension behind the operator's back: a SQLite or
            # other file given as the warehouse is refused, not opened through a download.
            return duckdb.connect(str(path), read_only=read_only, config=_NO_EXTENSIONS)
        except duckdb.IOException as exc:
            if "Could not set lock" not in str(exc):
                raise
            if time.monotonic() >= deadline:
                holder = re.search(r"PID (\d+)", str(exc))
                raise WarehouseBusy(
                    f"kho dữ liệu {path} đang được một tiến trình khác dùng (có lẽ một lần "
                    "chạy census khác đang ghi): chờ nó xong rồi chạy lại / "
                    f"the warehouse {path} is in use by another process"
                    + (f" (PID {holder.group(1)})" if holder else "")
                    + f"; waited {lock_wait:g} s (CENSUS_LOCK_WAIT). Another census run is "
                    "probably writing it: let it finish, then run again. Analysts read the "
                    "published copy, which is never locked by a run."
                ) from exc
            time.sleep(min(pause, max(deadline - time.monotonic(), 0)))
            pause = min(pause * 2, 2.0)


def connect(
    path: Path | str = DEFAULT_WAREHOUSE, read_only: bool = False, lock_wait: float | None = None
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, creating the file and its tables if needed. While another process
    holds the file, wait up to `lock_wait` seconds, then raise WarehouseBusy."""
    path = Path(path)
    if read_only:
        return _open(path, True, lock_wait)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = _open(path, False, lock_wait)
    # Checkpoint (compress committed rows into the file) after 256 MB of log, not DuckDB's
    # 16 MB: a province's districts then cost one checkpoint, when the run closes the file,
    # instead of one each (16 -> 64 MB: load 2.2 s -> 1.8 s for the sample census; 64 ->
    # 256 MB: the writer's CPU for the province loaded twice 2.57-2.63 s -> 2.14-2.21 s, the
    # closing checkpoint unchanged at ~0.5 s; December 2026, load 3.7-5.5).
    con.execute("SET checkpoint_threshold = '256MB'")
    # DuckDB may take 80% of RAM by default; the marts over a national census (27 million
    # households) then spill to disk instead, keeping a run under 4 GiB (bench/, issue 7).
    con.execute("SET memory_limit = ?", [os.environ.get("CENSUS_DUCKDB_MEMORY", "2GB")])
    _migrate(con)
    con.execute(DDL.read_text(encoding="utf-8"))
    _add_columns(con)
    _indicator_columns(con)
    return con


# Columns added since files were first written (the optional columns of workbook-layout.md,
# December 2026): added to an older file once; its flags become nullable (not collected).
_ADDED = (
    ("raw.households", "no_working_capacity", "VARCHAR"),
    ("raw.households", "poverty_cause", "VARCHAR"),
    ("raw.households", "head_sex", "VARCHAR"),
    ("core.households", "no_working_capacity", "BOOLEAN"),
    ("core.households", "poverty_cause", "VARCHAR"),
    ("core.households", "head_sex", "VARCHAR"),
    ("meta.marts_stale", "reporting_unit", "VARCHAR"),  # null: every unit of the year
    ("audit.ingest_files", "rows_heading", "INTEGER"),  # null: before heading rows were told
)


def _add_columns(con: duckdb.DuckDBPyConnection) -> None:
    for table, column, kind in _ADDED:
        con.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {kind}")
    flags = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'core' AND "
        "table_name = 'households' AND NOT is_nullable AND column_name = ANY(?)",
        [["meritorious", "social_protection"]],
    ).fetchall()
    for (column,) in flags:
        con.execute(f"ALTER TABLE core.households ALTER COLUMN {column} DROP NOT NULL")


# Files written before the 2025 reform keyed unit-years by district; the unit is now the
# reporting unit of the year (district up to 2024, commune from 2025). Renamed in place once.
_RENAMED = (
    ("raw", "households", "workbook_district", "reporting_unit"),
    ("core", "classifications", "district", "reporting_unit"),
    ("private", "households", "district", "reporting_unit"),
    ("audit", "ingest_files", "district", "reporting_unit"),
    ("audit", "rejections", "district", "reporting_unit"),
)


def _migrate(con: duckdb.DuckDBPyConnection) -> None:
    columns = set(
        con.execute("SELECT schema_name, table_name, column_name FROM duckdb_columns()").fetchall()
    )
    if ("core", "households", "district") in columns and (
        "core",
        "households",
        "reporting_unit",
    ) not in columns:
        con.execute("ALTER TABLE core.households ADD COLUMN reporting_unit VARCHAR")
        con.execute("UPDATE core.households SET reporting_unit = district")
        con.execute("ALTER TABLE core.households ALTER COLUMN district DROP NOT NULL")
    for schema, table, old, new in _RENAMED:
        if (schema, table, old) in columns and (schema, table, new) not in columns:
            con.execute(f"ALTER TABLE {schema}.{table} RENAME COLUMN {old} TO {new}")
    # Files before December 2026 staged in the file (schema `stage`): now Parquet files beside
    # it (warehouse/staging.py).
    if any(schema == "stage" for schema, _, _ in columns):
        con.execute("DROP SCHEMA stage CASCADE")


def _indicator_columns(con: duckdb.DuckDBPyConnection) -> None:
    """raw.households holds each indicator cell as text in a column named by its key, one for
    every indicator of every standard in config/: a new period's indicators are added here, as
    data. Files written before December 2026 held them in one MAP column `indicators`, which
    cost the writer about 45% of its time (bench/results.md, issue 7): it is unpacked once."""
    existing = {
        name
        for (name,) in con.execute(
            "SELECT column_name FROM duckdb_columns() "
            "WHERE schema_name = 'raw' AND table_name = 'households'"
        ).fetchall()
    }
    keys = config.all_indicator_keys()
    for key in keys:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", key) or key in BASE_LABELS:
            raise ValueError(f"indicator key {key!r} cannot name a raw.households column")
        if key not in existing:
            con.execute(f'ALTER TABLE raw.households ADD COLUMN "{key}" VARCHAR')
    if "indicators" in existing:
        unpack = ", ".join(f'"{key}" = indicators[?]' for key in keys)
        con.execute(f"UPDATE raw.households SET {unpack}", keys)
        con.execute("ALTER TABLE raw.households DROP COLUMN indicators")


def _arrow(frame: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(frame, preserve_index=False)


def _rows(rows: pd.DataFrame | pa.Table) -> pa.Table:
    return rows if isinstance(rows, pa.Table) else _arrow(rows.reset_index(drop=True))


def _insert(
    con: duckdb.DuckDBPyConnection,
    table: str,
    frame: pd.DataFrame | pa.Table,
    constants: dict[str, object] | None = None,
) -> None:
    """The rows into `table`, each with the `constants` columns (name -> value) added."""
    if len(frame) == 0:
        return
    constants = constants or {}
    added = "".join(f", ? AS {name}" for name in constants)
    con.register("incoming", frame if isinstance(frame, pa.Table) else _arrow(frame))
    try:
        con.execute(
            f"INSERT INTO {table} BY NAME SELECT *{added} FROM incoming", list(constants.values())
        )
    finally:
        con.unregister("incoming")


def text_map(frame: pd.DataFrame, columns: list[str]) -> pa.MapArray:
    """Columns of text as one MAP(key -> text) per row, built vectorised."""
    n, k = len(frame), len(columns)
    values = frame[columns].astype("object").to_numpy().ravel() if k else np.array([], object)
    items = pa.array(values, pa.string(), from_pandas=True)
    offsets = pa.array(np.arange(0, n * k + 1, k) if k else np.zeros(n + 1), pa.int32())
    keys = pa.array(np.tile(np.array(columns, dtype=object), n), pa.string())
    return pa.MapArray.from_arrays(offsets, keys, items)


def communes_of_every_map(province: config.Province) -> pd.DataFrame:
    """Every commune the province has had (district: its district then, null from 2025), with
    the unit it is on today's map and the dates it was valid."""
    u = province.units[province.units["level"] == "commune"]
    return pd.DataFrame(
        {
            "district": [d or None for d in u["parent"]],
            "commune": u["name"].to_numpy(),
            "unit_type": u["unit_type"].to_numpy(),
            "current_commune": u["current_unit"].where(u["current_unit"] != "", u["name"]),
            "valid_from": pd.to_datetime(u["valid_from"].replace("", None)).dt.date,
            "valid_to": pd.to_datetime(u["valid_to"].replace("", None)).dt.date,
        }
    )


def load_reference(con: duckdb.DuckDBPyConnection, province: config.Province) -> None:
    """Reference tables from config/: the law and the province, as the marts use them."""
    tables = {
        "ref.province": pd.DataFrame([{"code": province.code, "name": province.name}]),
        "ref.standards": config.typed(config.periods_table()),
        "ref.indicators": config.indicators_table(),
        "ref.ethnic_groups": config.ethnic_groups(),
        "ref.units": province.units,
        "ref.unit_aliases": province.aliases,
        "ref.districts": province.districts.assign(province=province.name),
        "ref.communes": communes_of_every_map(province),
        "ref.poor_districts": province.poor_districts,
        "ref.targets": province.targets.assign(province=province.name),
        "ref.rules": rules_table(),
    }
    with transaction(con):
        for name, frame in tables.items():
            con.register("incoming", _arrow(frame.reset_index(drop=True)))
            con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM incoming")
            con.unregister("incoming")


# HH031 over the whole year, in the warehouse: each workbook is staged as it arrives, so the
# year's ids (27 million for the nation) are compared here, never held in Python. The same rule
# as schemas.duplicates.cross_workbook_duplicates: an id in more than one workbook.
DUPLICATE_IDS = """
WITH ids AS (
    SELECT household_id, reporting_unit, source_file, sheet, excel_row, true AS this_run
    FROM {staged}
    UNION ALL
    SELECT household_id, reporting_unit, source_file, sheet, excel_row, false
    FROM core.households
    WHERE year = $year AND NOT list_contains($staged_units, reporting_unit)
)
SELECT * FROM ids
WHERE household_id IN (
    SELECT household_id FROM ids GROUP BY household_id HAVING count(DISTINCT source_file) > 1
)
ORDER BY household_id, source_file, sheet, excel_row
"""


def _staged_households(files: list[str]) -> str:
    """The staged workbooks' households (their Parquet `files`), as a FROM clause."""
    if not files:
        return "(FROM core.households LIMIT 0)"
    return "read_parquet($files, union_by_name = true)"


def duplicate_ids(
    con: duckdb.DuckDBPyConnection, year: int, staged_units: list[str], files: list[str]
) -> pd.DataFrame:
    """Rows whose household id is in more than one workbook of the year, among the staged
    households (`files`, of the units `staged_units`) and those of the units the run does not
    replace (`this_run` tells them apart)."""
    sql = DUPLICATE_IDS.format(staged=_staged_households(files))
    params = {"year": year, "staged_units": staged_units} | ({"files": files} if files else {})
    return con.execute(sql, params).df()


# A workbook whose households are exactly those of the previous census year held (same ids, and
# the same place, size, income, scores and deprivations): a list copied forward, not a review.
# That year is a parameter: correlated with each staged row, it cost a correction of one 2026
# commune with five years held 0.107 s against 0.015 s (December 2026).
REPEATS = """
SELECT s.source_file, count(*) AS households, count(p.household_id) AS same
FROM {staged} AS s
LEFT JOIN core.households AS p
    ON p.year = $previous
    AND p.household_id = s.household_id AND p.commune = s.commune AND p.village = s.village
    AND p.household_size = s.household_size
    AND p.income_per_capita IS NOT DISTINCT FROM s.income_per_capita
    AND p.income_score IS NOT DISTINCT FROM s.income_score
    AND p.deprivation_score IS NOT DISTINCT FROM s.deprivation_score
    AND p.deprived_indicators = s.deprived_indicators
GROUP BY s.source_file
"""


def repeated_files(
    con: duckdb.DuckDBPyConnection, previous: int | None, files: list[str], min_households: int
) -> list[str]:
    """Staged workbooks (their households' Parquet `files`) of at least `min_households`
    whose every household is one of the census year `previous`'s."""
    if not files or previous is None:
        return []
    sql = REPEATS.format(staged=_staged_households(files))
    rows = con.execute(sql, {"files": files, "previous": previous}).fetchall()
    return sorted(f for f, n, same in rows if n >= min_households and same == n)


def insert_audit(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    rejections: pd.DataFrame | None,
    file_record: dict[str, object] | None = None,
) -> None:
    """Findings into audit.rejections and a workbook's outcome into audit.ingest_files."""
    if rejections is not None:
        _insert(con, "audit.rejections", rejections.assign(run_id=run_id))
    if file_record is not None:
        _insert(con, "audit.ingest_files", pd.DataFrame([file_record | {"run_id": run_id}]))


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One transaction: committed when the block ends, rolled back when it raises. A failed
    rollback (e.g. DuckDB already aborted the transaction after a full disk) never hides the
    error that caused it."""
    con.begin()
    try:
        yield
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.rollback()
        raise
    con.commit()


def promote(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    year: int,
    units: list[str],
    files: dict[str, list[str]],
    audit: list[tuple[pd.DataFrame, dict[str, object]]],
) -> None:
    """Replace the unit-years `units` of `year` with the staged rows (`files`: unit table ->
    its Parquet files, warehouse/staging.py) and record the files' findings and outcomes, in
    one transaction: on any error nothing changes. Each table's files are read at once, their
    columns matched by name (a column absent from a workbook is null)."""
    with transaction(con):
        for table, (_, with_run_id) in UNIT_TABLES.items():
            con.execute(
                f"DELETE FROM {table} WHERE year = ? AND list_contains(?, reporting_unit)",
                [year, units],
            )
            if files.get(table):
                run = ", ? AS run_id" if with_run_id else ""
                con.execute(
                    f"INSERT INTO {table} BY NAME SELECT *{run} "
                    "FROM read_parquet(?, union_by_name = true)",
                    [run_id, files[table]] if with_run_id else [files[table]],
                )
        for rejections, file_record in audit:
            insert_audit(con, run_id, rejections, file_record)
        con.execute("INSERT INTO meta.marts_stale SELECT ?, unnest(?)", [year, units])


# Marts whose rows of a unit-year are computed from that unit-year's households alone: an
# incremental build replaces only the rows of the units whose households changed. A correction
# of one district of the sample province rewrote all 130,000 rows of household_status, 0.26-0.35
# s of its 1.0 s of marts (December 2026).
PER_UNIT = ("household_status",)
# Marts whose rows of a household are computed from that household's rows of household_status
# alone, given the census years held (02_transitions.sql joins every step on household_id): a
# correction replaces the rows of the households of the units it changed, as they were and as
# they are. A correction of one district of the sample province rewrote all 130,000 rows.
# Their macros take the list of those households (`<mart>_rows(from_year, households := ...)`).
PER_HOUSEHOLD = ("transitions",)


def build_marts(con: duckdb.DuckDBPyConnection) -> str:
    """Bring the marts up to date with core, in one transaction: every year when their SQL or
    a ref table changed since they were built (meta.marts_built), else the census years from
    the earliest whose rows changed (meta.marts_stale) on, for the PER_UNIT marts only the
    units that changed and for the PER_HOUSEHOLD marts only their households, else nothing.
    Each mart file, in file-name order, defines `marts.<mart>_rows(from_year)` in the file,
    run only when every year is rebuilt. Returns what was rebuilt."""
    files = sorted(MARTS_DIR.glob("*.sql"))
    texts = [f.read_text(encoding="utf-8") for f in files]
    key = marts_key(con, texts)
    with transaction(con):
        built = con.execute("SELECT key FROM meta.marts_built").fetchall() == [(key,)]
        stale = con.execute("SELECT DISTINCT year, reporting_unit FROM meta.marts_stale").fetchall()
        if built and not stale:
            return "up to date (nothing changed)"
        since = min(year for year, _ in stale) if built else None
        [(first,)] = con.execute("SELECT min(year) FROM core.households").fetchall()
        if since is not None and first is not None and since <= first:
            since = None  # every year: written whole, faster than deleting every row
        units = _stale_units(con, stale) if built else None
        households = units is not None and _stage_changed_households(con)
        for path, text in zip(files, texts, strict=True):
            if not built:  # else the file holds these very macros (the key hashes their SQL)
                con.execute(text)
            name = MART_NAME.sub("", path.stem)
            if name in PER_UNIT and units is not None:
                _write_mart_units(con, name, units)
            elif name in PER_HOUSEHOLD and households:
                _write_mart_households(con, name, since or 0)
            else:
                _write_mart(con, name, since)
        con.execute("DROP TABLE IF EXISTS temp.changed_households")
        con.execute("DELETE FROM meta.marts_stale")
        con.execute("DELETE FROM meta.marts_built")
        con.execute("INSERT INTO meta.marts_built VALUES (?, now())", [key])
    rebuilt = "rebuilt, every year" if since is None else f"rebuilt from {since} on"
    if not units:
        return rebuilt
    count = sum(len(names) for names in units.values())
    per_unit = f"{', '.join(PER_UNIT)}: {count} unit-years"
    if households:
        per_unit += f"; {', '.join(PER_HOUSEHOLD)}: their households"
    return f"{rebuilt} ({per_unit})"


MART_NAME = re.compile(r"^\d+_")  # 08_form_counts.sql -> marts.form_counts


def _write_mart(con: duckdb.DuckDBPyConnection, name: str, since: int | None) -> None:
    if since is None:
        con.execute(f"CREATE OR REPLACE TABLE marts.{name} AS FROM marts.{name}_rows(0)")
        return
    con.execute(f"DELETE FROM marts.{name} WHERE year >= ?", [since])
    con.execute(
        f"INSERT INTO marts.{name} BY NAME SELECT * FROM marts.{name}_rows(?) WHERE year >= ?",
        [since, since],
    )


def _stale_units(
    con: duckdb.DuckDBPyConnection, stale: list[tuple[int, str | None]]
) -> dict[int, list[str]] | None:
    """The stale units by year, for the PER_UNIT marts; None when they are written by year
    instead: an older file's marks name no unit, and when most of a year's units changed (a
    full run) writing the years whole is faster."""
    if not stale or any(unit is None for _, unit in stale):
        return None
    units: dict[int, list[str]] = {}
    for year, unit in sorted(stale):
        units.setdefault(year, []).append(unit)
    held = dict(
        con.execute(
            "SELECT year, count(DISTINCT reporting_unit) FROM core.households "
            "WHERE list_contains(?, year) GROUP BY year",
            [list(units)],
        ).fetchall()
    )
    most = any(2 * len(names) > held.get(year, 0) for year, names in units.items())
    return None if most else units


def _write_mart_units(
    con: duckdb.DuckDBPyConnection, name: str, units: dict[int, list[str]]
) -> None:
    """Replace the mart's rows of the units `units` (year -> units of that year)."""
    for year, names in units.items():
        where = "year = $year AND list_contains($units, reporting_unit)"
        con.execute(f"DELETE FROM marts.{name} WHERE {where}", {"year": year, "units": names})
        con.execute(
            f"INSERT INTO marts.{name} BY NAME SELECT * FROM marts.{name}_rows($year) "
            f"WHERE {where}",
            {"year": year, "units": names},
        )


def _stage_changed_households(con: duckdb.DuckDBPyConnection) -> bool:
    """The ids of the stale units' households, as household_status holds them (before it is
    brought up to date) and as core holds them now, in `temp.changed_households`; False, and
    nothing staged, when the census years held changed too (each year's movements pair it
    with the previous year held: then every household's rows may change)."""
    [(same_years,)] = con.execute(
        "SELECT (SELECT list(DISTINCT year ORDER BY year) FROM core.households) IS NOT "
        "DISTINCT FROM (SELECT list(DISTINCT year ORDER BY year) FROM marts.household_status)"
    ).fetchall()
    if not same_years:
        return False
    con.execute(
        "CREATE OR REPLACE TEMP TABLE changed_households AS "
        "SELECT household_id FROM marts.household_status JOIN meta.marts_stale "
        "USING (year, reporting_unit) "
        "UNION SELECT household_id FROM core.households JOIN meta.marts_stale "
        "USING (year, reporting_unit)"
    )
    return True


def _write_mart_households(con: duckdb.DuckDBPyConnection, name: str, since: int) -> None:
    """Replace the mart's rows of the households in temp.changed_households, from `since` on."""
    where = "year >= $since AND household_id IN (FROM temp.changed_households)"
    con.execute(f"DELETE FROM marts.{name} WHERE {where}", {"since": since})
    households = "(SELECT list(household_id) FROM temp.changed_households)"
    con.execute(
        f"INSERT INTO marts.{name} BY NAME SELECT * FROM "
        f"marts.{name}_rows($since, households := {households}) WHERE year >= $since",
        {"since": since},
    )


def marts_key(con: duckdb.DuckDBPyConnection, texts: list[str]) -> str:
    """A hash of the marts' SQL and of every ref table's rows."""
    digest = hashlib.sha256("\n".join(texts).encode())
    tables = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'ref' ORDER BY table_name"
    ).fetchall()
    for (table,) in tables:
        [(rows,)] = con.execute(
            f"SELECT md5(string_agg(r::VARCHAR, chr(10) ORDER BY r::VARCHAR)) FROM ref.{table} AS r"
        ).fetchall()
        digest.update(f"{table}:{rows}".encode())
    return digest.hexdigest()
