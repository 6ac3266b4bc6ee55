"""`census publish`: the analysts' copy holds no personal data and cannot be written."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import duckdb
import openpyxl
import pytest

from flows.cli import main as census
from schemas.headers import key_for_label
from tests.sample_warehouse import build
from warehouse import writer
from warehouse.publish import connect_published, publish


@pytest.fixture(scope="module")
def sample(tmp_path_factory, prefect_harness):
    raw, warehouse = build(tmp_path_factory)
    out = tmp_path_factory.mktemp("published") / "census-analyst.duckdb"
    assert census(["publish", "--warehouse", str(warehouse), "--out", str(out)]) == 0
    return raw, warehouse, out


def personal_values_in_input(raw: Path) -> tuple[set[str], set[str]]:
    """Every head's name and ID number written in the input workbooks, found by their headers
    with openpyxl (independently of the pipeline's reader)."""
    names: set[str] = set()
    ids: set[str] = set()
    for path in sorted(raw.glob("*/*.xlsx")):
        wb = openpyxl.load_workbook(path, read_only=True)
        for ws in wb.worksheets:
            columns: dict[int, str] = {}
            for row in ws.iter_rows(values_only=True):
                if not columns:
                    keys = {i: key_for_label(v) for i, v in enumerate(row) if v is not None}
                    if "household_id" in keys.values():
                        columns = {
                            i: k for i, k in keys.items() if k in ("head_name", "head_id_number")
                        }
                    continue
                for i, key in columns.items():
                    value = row[i] if i < len(row) else None
                    if value not in (None, ""):
                        (names if key == "head_name" else ids).add(str(value).strip())
        wb.close()
    return names, ids


def text_cells(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """Distinct text of every column that can hold text (VARCHAR, lists, maps, structs) of
    every table, by `schema.table.column`."""
    columns = con.execute(
        "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
        "WHERE NOT internal AND database_name = current_database() AND (data_type LIKE "
        "'%VARCHAR%' OR data_type LIKE 'MAP%' OR data_type LIKE 'STRUCT%')"
    ).fetchall()
    out = {}
    for schema, table, column in columns:
        rows = con.execute(
            f'SELECT DISTINCT "{column}"::VARCHAR FROM "{schema}"."{table}" '
            f'WHERE "{column}" IS NOT NULL'
        ).fetchall()
        out[f"{schema}.{table}.{column}"] = {r[0] for r in rows}
    return out


def leaks(cells: set[str], names: set[str], ids: set[str]) -> set[str]:
    """Input names found in a cell (as the cell or a run of its words) and ID numbers found
    in a cell (as the cell or a run of its digits)."""
    found = set()
    for text in cells:
        words = text.split()
        runs = {
            " ".join(words[i:j]) for i in range(len(words)) for j in range(i + 2, len(words) + 1)
        }
        found |= ({text} | runs) & names
        found |= ({text} | set(re.findall(r"\d+", text))) & ids
    return found


def test_copy_holds_no_name_or_id_number_from_the_input(sample):
    raw, warehouse, out = sample
    names, ids = personal_values_in_input(raw)
    # Malformed entries of the sample's bad-input variants ("5", a lone word) are not names or
    # ID numbers anyone could be found by, and would match any count or word: leave them out.
    names = {n for n in names if len(n.split()) >= 2}
    ids = {i for i in ids if len(i) >= 6}
    assert len(names) > 1000 and len(ids) > 1000  # the input does carry personal data
    # ... and the flow's own file holds it, in private.households: the scan below can find it.
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert leaks(text_cells(con)["private.households.head_name"], names, ids)
        assert leaks(text_cells(con)["private.households.head_id_number"], names, ids)
    with connect_published(out) as con:
        cells = text_cells(con)
    assert len(cells) > 50
    found = {column: leaks(values, names, ids) for column, values in cells.items()}
    assert {column: hits for column, hits in found.items() if hits} == {}


def test_copy_has_core_marts_ref_audit_and_no_private_or_raw(sample):
    _, warehouse, out = sample
    query = (
        "SELECT schema_name || '.' || table_name FROM duckdb_tables() "
        "WHERE schema_name IN ('core', 'marts', 'ref', 'audit')"
    )
    with duckdb.connect(str(warehouse), read_only=True) as con:
        source = {r[0] for r in con.execute(query).fetchall()}
    with connect_published(out) as con:
        schemas = {r[0] for r in con.execute("SELECT schema_name FROM duckdb_tables()").fetchall()}
        copied = {r[0] for r in con.execute(query).fetchall()}
        households = con.execute("SELECT count(*) FROM core.households").fetchone()[0]
        status = con.execute("SELECT count(*) FROM marts.household_status").fetchone()[0]
    assert schemas == {"core", "marts", "ref", "audit"}
    assert copied == source | {"audit.publication"}
    assert households == status > 1500


def test_copy_cannot_be_written(sample):
    _, _, out = sample
    assert stat.S_IMODE(out.stat().st_mode) == 0o444
    with connect_published(out) as con, pytest.raises(duckdb.Error, match="read-only"):
        con.execute("DELETE FROM core.households")
    with connect_published(out) as con, pytest.raises(duckdb.Error, match="read-only"):
        con.execute("CREATE TABLE marts.scratch AS SELECT 1 AS x")


def test_file_permissions_refuse_a_read_write_open(sample):
    _, _, out = sample
    if os.geteuid() == 0:
        pytest.skip(
            "running as root, which ignores file permissions: the 0444 mode cannot stop root"
        )
    with pytest.raises(duckdb.Error), duckdb.connect(str(out)) as con:
        con.execute("DELETE FROM core.households")
        con.execute("CHECKPOINT")


def test_republishing_replaces_the_copy_whole(sample, tmp_path):
    _, warehouse, _ = sample
    out = tmp_path / "analyst.duckdb"
    publish(warehouse, out)
    analyst = connect_published(out)  # an analyst holding the old copy open
    first = analyst.execute("SELECT published_at FROM audit.publication").fetchone()[0]
    publish(warehouse, out)
    # The old connection keeps reading the copy it opened; a new one sees the new copy.
    assert analyst.execute("SELECT count(*) FROM core.households").fetchone()[0] > 1500
    analyst.close()
    with connect_published(out) as con:
        assert con.execute("SELECT published_at FROM audit.publication").fetchone()[0] > first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["analyst.duckdb"]


def test_a_failed_publish_leaves_the_previous_copy(sample, tmp_path):
    _, warehouse, _ = sample
    out = tmp_path / "analyst.duckdb"
    publish(warehouse, out)
    before = out.read_bytes()
    broken = tmp_path / "broken.duckdb"
    broken.write_text("not a database")
    with pytest.raises(duckdb.Error):
        publish(broken, out)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["analyst.duckdb", "broken.duckdb"]


def test_no_cell_typed_in_a_rejection_and_no_officer_id_reaches_the_copy(tmp_path):
    """A name typed into Dân tộc, or into the id column, is published nowhere: the copy has
    no rejected value and no officer's id, only a pseudonymous key, stable across years."""
    warehouse = tmp_path / "census.duckdb"
    with writer.connect(warehouse) as con:
        con.execute(
            "INSERT INTO audit.rejections (run_id, year, source_file, file_hash, household_id, "
            "column_key, value, rule_code, severity, rule) VALUES "
            "('r', 2019, 'a.xlsx', 'h', 'Nguyễn Văn Tèo 040779075', 'household_id', "
            "'Nguyễn Văn Tèo 040779075', 'HH035', 'error', 'x'),"
            "('r', 2019, 'a.xlsx', 'h', 'DB-01-000001', 'ethnicity', 'Lò Văn Pọm', 'HH022', "
            "'error', 'y')"
        )
        con.execute(
            "INSERT INTO core.households (year, household_id, reporting_unit, commune, village, "
            "area, ethnicity, is_ethnic_minority, household_size, meritorious, "
            "social_protection, deprived_indicators, source_file, file_hash, sheet, excel_row, "
            "run_id) SELECT y, 'DB-01-000001', 'Mường Nhé', 'Sín Thầu', 'Bản Tá Miếu', 'rural', "
            "'Thái', true, 4, false, false, [], 'a.xlsx', 'h', 'S', 7, 'r' FROM range(2018, 2020) "
            "AS t(y)"
        )
        [(secret,)] = con.execute("SELECT secret FROM private.pseudonym").fetchall()
    out = publish(warehouse, tmp_path / "published" / "analyst.duckdb")
    with connect_published(out) as con:
        cells = text_cells(con)
        keys = con.execute("SELECT DISTINCT household_key FROM core.households").fetchall()
        columns = {r[0] for r in con.execute("SELECT column_name FROM duckdb_columns()").fetchall()}
    everything = {v for values in cells.values() for v in values}
    assert not {v for v in everything if "Tèo" in v or "Pọm" in v or "040779075" in v}
    assert not {v for v in everything if "DB-01-000001" in v}
    # No Excel row: with the file and sheet it points at the household's line in the workbook.
    assert "excel_row" not in columns
    assert not {"household_id", "village", "value"} & columns
    # One key for the household in both years; 16 hex digits; a secret of 64 hex digits.
    assert len(keys) == 1 and len(keys[0][0]) == 16 and len(secret) == 64
