"""The writer's connection: the warehouse file attached with the writer's row-group size (DuckDB
does not keep it in the file), as the connection's default database."""

from __future__ import annotations

import duckdb

from warehouse import writer


def row_groups(path, table: str) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        [(groups,)] = con.execute(
            "SELECT count(DISTINCT row_group_id) FROM pragma_storage_info(?)", [table]
        ).fetchall()
    return groups


def test_what_the_writer_adds_is_in_row_groups_of_its_size(tmp_path):
    """At DuckDB's default (122,880 rows) a province's year of households was one row group
    and a bit, compressed on one core; the writer's groups are ROW_GROUP_SIZE rows, and the
    tables it creates are its file's, reopened by name."""
    rows = 3 * writer.ROW_GROUP_SIZE + 1
    path = tmp_path / "w.duckdb"
    with writer.connect(path) as con:
        con.execute("CREATE TABLE core.numbers AS SELECT range AS n FROM range(?)", [rows])
    assert row_groups(path, "core.numbers") == 4
    with writer.connect(path, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM core.numbers").fetchall() == [(rows,)]
    with duckdb.connect(str(path)) as plain:  # opened as DuckDB would: its default size
        plain.execute("CREATE TABLE core.more AS SELECT range AS n FROM range(?)", [rows])
    assert row_groups(path, "core.more") == 1
