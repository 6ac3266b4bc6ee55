"""The single writer of the DuckDB warehouse.

Each district-year is replaced in one transaction (delete, then insert whole frames through
Arrow; never row by row), so a failure leaves the district as it was. The marts are rebuilt
from `core` by the SQL files in `warehouse/marts/`, also in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

import config
from schemas.rules import rules_table

WAREHOUSE_DIR = Path(__file__).resolve().parent
DDL = WAREHOUSE_DIR / "ddl.sql"
MARTS_DIR = WAREHOUSE_DIR / "marts"
DEFAULT_WAREHOUSE = WAREHOUSE_DIR / "census.duckdb"

# Tables holding one district-year's rows, replaced together.
DISTRICT_TABLES = (
    "raw.households",
    "core.households",
    "core.classifications",
    "private.households",
)


@dataclass
class DistrictLoad:
    """Everything one workbook contributes to the warehouse."""

    year: int
    district: str
    source_file: str
    file_hash: str
    raw: pd.DataFrame  # raw.households columns (text), `indicators`/`extra` as dicts or maps
    households: pd.DataFrame  # core.households columns
    classifications: pd.DataFrame  # core.classifications columns
    private: pd.DataFrame  # private.households columns
    rejections: pd.DataFrame  # audit.rejections columns, without run_id
    file_record: dict[str, object]  # audit.ingest_files columns, without run_id
    # The workbook as read (workbooks.reader.WorkbookRead), for the district's error workbook;
    # never written to the warehouse.
    source: object | None = None


def connect(
    path: Path | str = DEFAULT_WAREHOUSE, read_only: bool = False
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, creating the file and its tables if needed."""
    path = Path(path)
    if read_only:
        return duckdb.connect(str(path), read_only=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute(DDL.read_text(encoding="utf-8"))
    return con


def _arrow(frame: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(frame, preserve_index=False)


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame | pa.Table) -> None:
    if len(frame) == 0:
        return
    con.register("incoming", frame if isinstance(frame, pa.Table) else _arrow(frame))
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming")
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


def load_reference(con: duckdb.DuckDBPyConnection, province: config.Province) -> None:
    """Reference tables from config/: the law and the province, as the marts use them."""
    periods = pd.read_csv(config.CONFIG_DIR / "standards" / "periods.csv")
    indicators = pd.read_csv(config.CONFIG_DIR / "standards" / "indicators.csv")
    tables = {
        "ref.standards": periods,
        "ref.indicators": indicators,
        "ref.ethnic_groups": config.ethnic_groups(),
        "ref.districts": province.districts.assign(province=province.name),
        "ref.communes": province.communes,
        "ref.poor_districts": province.poor_districts,
        "ref.targets": province.targets.assign(province=province.name),
        "ref.rules": rules_table(),
    }
    con.begin()
    try:
        for name, frame in tables.items():
            con.register("incoming", _arrow(frame.reset_index(drop=True)))
            con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM incoming")
            con.unregister("incoming")
        con.commit()
    except BaseException:
        con.rollback()
        raise


def start_run(
    con: duckdb.DuckDBPyConnection, run_id: str, year: int, province: str, raw_dir: str
) -> None:
    con.execute(
        "INSERT INTO audit.ingest_runs (run_id, year, province, raw_dir, started_at, status) "
        "VALUES (?, ?, ?, ?, now(), 'running')",
        [run_id, year, province, raw_dir],
    )


def finish_run(
    con: duckdb.DuckDBPyConnection, run_id: str, status: str, counts: dict[str, int], message: str
) -> None:
    con.execute(
        "UPDATE audit.ingest_runs SET finished_at = now(), status = ?, files_seen = ?, "
        "files_loaded = ?, files_unchanged = ?, files_failed = ?, message = ? WHERE run_id = ?",
        [
            status,
            counts.get("seen", 0),
            counts.get("loaded", 0),
            counts.get("unchanged", 0),
            counts.get("failed", 0),
            message,
            run_id,
        ],
    )


def record_file(con: duckdb.DuckDBPyConnection, run_id: str, record: dict[str, object]) -> None:
    """One workbook's outcome in audit.ingest_files (used alone for unreadable files)."""
    _insert(con, "audit.ingest_files", pd.DataFrame([record | {"run_id": run_id}]))


def record_rejections(
    con: duckdb.DuckDBPyConnection, run_id: str, rejections: pd.DataFrame
) -> None:
    _insert(con, "audit.rejections", rejections.assign(run_id=run_id))


def loaded_hashes(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, str]:
    """source_file -> file hash of the version now loaded for each district of the year."""
    rows = con.execute(
        "SELECT DISTINCT source_file, file_hash FROM core.households WHERE year = ?", [year]
    ).fetchall()
    return dict(rows)


def recorded_districts(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, str]:
    """file hash -> district, for every file version of the year read before (any status):
    lets `census run --district` skip other districts' files without opening them."""
    rows = con.execute(
        "SELECT file_hash, any_value(district) FROM audit.ingest_files "
        "WHERE year = ? AND district IS NOT NULL AND district <> '(unknown)' GROUP BY file_hash",
        [year],
    ).fetchall()
    return dict(rows)


def load_district(con: duckdb.DuckDBPyConnection, run_id: str, batch: DistrictLoad) -> None:
    """Replace one district-year in a single transaction; on any error nothing changes."""
    key = [batch.year, batch.district]
    con.begin()
    try:
        for table in DISTRICT_TABLES:
            column = "workbook_district" if table == "raw.households" else "district"
            con.execute(f"DELETE FROM {table} WHERE year = ? AND {column} = ?", key)
        _insert(con, "raw.households", batch.raw.assign(run_id=run_id))
        _insert(con, "core.households", batch.households.assign(run_id=run_id))
        _insert(con, "core.classifications", batch.classifications)
        _insert(con, "private.households", batch.private)
        record_rejections(con, run_id, batch.rejections)
        record_file(con, run_id, batch.file_record)
        con.commit()
    except BaseException:
        con.rollback()
        raise


def build_marts(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild every mart from core, in file-name order, in one transaction."""
    con.begin()
    try:
        for sql in sorted(MARTS_DIR.glob("*.sql")):
            con.execute(sql.read_text(encoding="utf-8"))
        con.commit()
    except BaseException:
        con.rollback()
        raise
