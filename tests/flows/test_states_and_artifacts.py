"""What operators see in Prefect: task and flow states that tell the truth, and artifacts
that come from the warehouse and hold no personal data. Real workbooks, the real flow."""

from __future__ import annotations

import json

import duckdb
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    FlowRunFilter,
    FlowRunFilterId,
)
from prefect.states import Completed, Failed

from flows import cli
from flows.census_flow import annual_census
from flows.tasks import file_busy, hash_files
from tests.factory import household, write_workbook
from workbooks.errors import WorkbookError


def flow_run_details(state):
    flow_run_id = state.state_details.flow_run_id
    with get_client(sync_client=True) as client:
        tasks = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
        )
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
    return {t.name: t for t in tasks}, {a.key: a for a in artifacts}


@pytest.fixture
def partial_census(tmp_path):
    raw = tmp_path / "raw"
    # A file named in Vietnamese, as districts often send them.
    write_workbook(raw / "2019" / "Mường Nhé.xlsx", [household(i) for i in range(1, 6)])
    write_workbook(
        raw / "2019" / "dien-bien-phu.xlsx",
        [
            household(101, district="Điện Biên Phủ", commune="Him Lam", area="Thành thị"),
            household(102, district="Điện Biên Phủ", commune="Him Lam", household_size=45),
            household(103, district="Điện Biên Phủ", commune="Him Lam", household_size=46),
        ],
    )
    (raw / "2019" / "broken.xlsx").write_bytes(b"this is not a spreadsheet")
    return raw, tmp_path / "w.duckdb"


def test_partial_run_states_and_artifacts(partial_census, prefect_harness):
    raw, warehouse = partial_census
    state = annual_census(year=2019, raw_dir=raw, warehouse_path=warehouse, return_state=True)

    # The flow: Completed, named Partial, naming the workbook that failed.
    assert state.is_completed() and state.name == "Partial"
    assert "broken.xlsx" in state.message and "2 loaded" in state.message
    assert state.result().status == "partial"

    tasks, artifacts = flow_run_details(state)
    # Task runs are named by the ASCII slug of the unit or file, as the artifact keys and the
    # error workbooks are: the UI's run graph drops every non-ASCII letter.
    assert "process muong-nhe.xlsx" in tasks and "process dien-bien-phu.xlsx" in tasks
    assert sum(name.startswith("hash-workbooks") for name in tasks) == 1  # one for all files
    # The year's units are replaced in one transaction, one task: its state says which unit
    # had rows rejected.
    load = tasks["load 2 units (dien-bien-phu ... muong-nhe)"]
    assert any(name.startswith("build-marts") for name in tasks)
    assert all(name.isascii() for name in tasks), sorted(tasks)
    assert load.state.type.value == "COMPLETED" and load.state.name == "Loaded with rejections"
    assert "6 households loaded, 2 rows rejected" in load.state.message
    assert "Điện Biên Phủ: 2" in load.state.message and "Mường Nhé:" not in load.state.message
    # An unreadable workbook fails its task once: data errors are never retried.
    broken = tasks["process broken.xlsx"]
    assert broken.state.type.value == "FAILED" and broken.run_count == 1

    assert set(artifacts) == {
        "dien-bien-2019-muong-nhe",
        "dien-bien-2019-dien-bien-phu",
        "dien-bien-2019-file-broken",
        "dien-bien-2019-summary",
    }
    dbp = {
        (r["measure"], r["rule_code"]): r
        for r in json.loads(artifacts["dien-bien-2019-dien-bien-phu"].data)
    }
    assert dbp[("rows loaded", None)]["rows"] == 1
    counts = {measure: r["rows"] for (measure, code), r in dbp.items() if code is None}
    assert counts["rows read"] == (
        counts["rows loaded"]
        + counts["rows rejected"]
        + counts["rows skipped (blank, totals, signature, heading)"]
    )
    assert dbp[("rows rejected", None)]["rows"] == 2
    [hh023] = [r for r in dbp.values() if r["rule_code"] == "HH023"]
    assert (hh023["rows"], hh023["severity"]) == (2, "error")
    broken_rows = json.loads(artifacts["dien-bien-2019-file-broken"].data)
    # One workbook-level finding (the reader's code for an unreadable file), no rows loaded.
    [finding] = [r for r in broken_rows if r["rule_code"]]
    assert finding["rule_code"].startswith("WB") and finding["severity"] == "error"
    assert {r["measure"]: r["rows"] for r in broken_rows}["rows loaded"] is None

    # The summary's figures are the warehouse's.
    with duckdb.connect(str(warehouse), read_only=True) as con:
        [(rate,)] = con.execute(
            "SELECT round(poverty_rate, 2) FROM marts.poverty_rates "
            "WHERE year = 2019 AND scope = 'province'"
        ).fetchall()
        ids, names, numbers = zip(
            *con.execute(
                "SELECT household_id, head_name, head_id_number FROM private.households"
            ).fetchall(),
            strict=True,
        )
    summary = artifacts["dien-bien-2019-summary"].data
    assert "| province | Điện Biên |" in summary and f"| {rate} |" in summary
    assert "Partial" in summary and "broken.xlsx" in summary
    assert "<NA>" not in summary and "| nan |" not in summary  # unknowns are left blank

    # No personal data in any artifact.
    everything = "".join(a.data for a in artifacts.values())  # tables are stored as JSON
    for value in (*ids, *names, *numbers):
        assert value not in everything


def test_exit_codes_follow_the_run(partial_census, prefect_harness, capsys):
    raw, warehouse = partial_census
    args = ["run", "--year", "2019", "--raw", str(raw), "--warehouse", str(warehouse)]
    assert cli.main(args) == 1  # partial
    # The status line in Vietnamese first, as the officer reads it (it was English only).
    out = capsys.readouterr().out
    assert "2019: nạp một phần / partial; " in out and " tệp đã nạp, " in out
    assert "  KHÔNG NẠP / FAILED broken.xlsx: " in out
    (raw / "2019" / "broken.xlsx").unlink()
    assert cli.main(args) == 0  # everything loaded (or unchanged)
    assert "2019: hoàn thành / completed; 0 tệp đã nạp, " in capsys.readouterr().out

    nothing = raw.parent / "nothing"
    (nothing / "2019").mkdir(parents=True)
    (nothing / "2019" / "broken.xlsx").write_bytes(b"not a spreadsheet either")
    other = raw.parent / "other.duckdb"
    state = annual_census(year=2019, raw_dir=nothing, warehouse_path=other, return_state=True)
    assert state.is_failed() and "broken.xlsx" in state.message
    assert (
        cli.main(["run", "--year", "2019", "--raw", str(nothing), "--warehouse", str(other)]) == 2
    )


def test_only_file_access_errors_are_retried():
    def failed_with(exc: BaseException):
        try:
            raise exc
        except BaseException as raised:
            return Failed(data=raised)  # as a task run that raised it ends

    def wrapped_open_error():
        try:
            raise PermissionError("locked by another process")
        except PermissionError as cause:
            raise WorkbookError("x.xlsx: not a readable Excel workbook") from cause

    assert file_busy(None, None, failed_with(PermissionError("locked")))
    assert file_busy(None, None, failed_with(FileNotFoundError("still being copied")))
    try:
        wrapped_open_error()
    except WorkbookError as exc:
        assert file_busy(None, None, failed_with(exc))
    assert not file_busy(None, None, failed_with(WorkbookError("no header row")))
    assert not file_busy(None, None, failed_with(ValueError("validation")))
    assert not file_busy(None, None, Completed())


def test_a_file_that_cannot_be_opened_is_hashed_again_then_reported(tmp_path, monkeypatch):
    good = tmp_path / "muong-nhe.xlsx"
    good.write_bytes(b"content")
    late, missing = tmp_path / "dien-bien.xlsx", tmp_path / "gone.xlsx"
    slept, warned = [], []

    def sleep(seconds):  # the late file arrives while the flow waits
        slept.append(seconds)
        late.write_bytes(b"copied at last")

    monkeypatch.setattr("flows.tasks.time.sleep", sleep)
    hashes = hash_files([good, late], warn=lambda *args: warned.append(args))
    assert all(isinstance(h, str) and len(h) == 64 for h in hashes.values())
    assert slept == [5] and "dien-bien.xlsx" in warned[0][1]

    slept.clear()
    hashes = hash_files([good, missing])
    assert isinstance(hashes[missing], FileNotFoundError) and isinstance(hashes[good], str)
    assert slept == [5, 15, 30]  # the retries of every file task (README: Operations)
