"""Fuzzing the ingest: hypothesis builds real workbooks (random headers, title rows, values of
every type, merged cells, formulas, formula errors, SQL-looking text, hidden sheets, stray
cells far from the table, look-alike ids) and damaged bytes. The ingest
(read_workbook -> validate -> classify -> assembly: flows.workbook.process_workbook) never raises
anything but WorkbookError, and every row under the header is loaded, rejected with a code,
or counted as skipped, and no two loaded households share an id once compared on its canonical
form. Deterministic: derandomized, 60 examples each.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

import config
from flows.workbook import process_workbook
from schemas.headers import BASE_LABELS
from schemas.rules import RULES
from tests.factory import household, write_workbook
from tests.reliability.hostile import SQL_TEXT
from transforms.normalise import canonical_id
from workbooks.errors import WorkbookError
from workbooks.reader import read_workbook

# Hypothesis warns when the global `random` state changes while it draws an example. Ours do
# not touch it, but an earlier test's Prefect events client, left running in this worker
# process, keeps a websocket whose keep-alive ping calls random.getrandbits from its own thread
# (websockets/asyncio/connection.py): the warning came in about one full run of two, as the
# race fell. Only that message is ignored; any other warning or failure still shows.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Do not use the `random` module inside strategies"
    ":hypothesis.errors.HypothesisDeprecationWarning"
)
PROVINCE = config.load_province(config.DEFAULT_PROVINCE)
YEAR = 2019
FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

LABELS = [label for labels in BASE_LABELS.values() for label in labels] + [
    i.name_vi for i in config.standard_for_year(YEAR).indicators
]
GOOD = household(1)
text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40).map(
    lambda s: ILLEGAL_CHARACTERS_RE.sub("", s)
)
values = st.one_of(
    st.none(),
    st.none(),
    text,
    st.integers(-(10**12), 10**12),
    # Any finite float, including whole numbers beyond Int64 (test_whole_number_beyond_int64).
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(dt.date(1900, 3, 1), dt.date(2100, 1, 1)),
    st.sampled_from(
        [
            SQL_TEXT,
            "=1/0",
            "=SUM(A1:A3)",
            "Tổng cộng",
            "Người lập biểu",
            "x",
            "có",
            "0",
            " ",
            "Nông thôn",
            "Thành thị",
            *map(str, GOOD.values()),
        ]
    ),
    # Formula errors: openpyxl writes these texts as error cells (t="e").
    st.sampled_from(["#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!"]),
    # Look-alikes of one id: case, an inner space, a zero-width space, full-width letters, an
    # en dash.
    st.sampled_from(
        ["MN-000001", "mn-000001", "MN- 000001", "MN-\u200b000001", "ＭＮ-000001", "MN–000001"]
    ),
)
# A stray keystroke far from the table (Ctrl+End, then a key), or near it.
STRAYS = ["XFD1048576", "AZ1048576", "ZZ300000", "AAA7", "Z60", "B2000"]


@st.composite
def sheets(draw) -> dict:
    n_cols = draw(st.integers(1, 13))
    header = draw(
        st.lists(st.one_of(st.sampled_from(LABELS), text), min_size=n_cols, max_size=n_cols)
    )
    if draw(st.booleans()):  # most real files name the household id column
        header[draw(st.integers(0, n_cols - 1))] = "Mã hộ"
    if draw(st.booleans()):  # and the district (without it: the regression test below)
        header.append("Huyện")
    titles = draw(st.integers(0, 3))
    n_cols = len(header)
    rows = draw(st.lists(st.lists(values, min_size=n_cols, max_size=n_cols), max_size=12))
    merges = draw(
        st.lists(
            st.tuples(st.integers(1, titles + len(rows) + 2), st.integers(1, n_cols)),
            max_size=3,
        )
    )
    stray = draw(
        st.one_of(st.none(), st.tuples(st.sampled_from(STRAYS), st.sampled_from([" ", "x"])))
    )
    hidden = draw(st.sampled_from([None, "hidden", "veryHidden"]))
    return {
        "header": header,
        "titles": titles,
        "rows": rows,
        "merges": merges,
        "stray": stray,
        "hidden": hidden,
    }


def write(path: Path, sheet: dict) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Danh sách"
    for _ in range(sheet["titles"]):
        ws.append(["DANH SÁCH HỘ NGHÈO"])
    ws.append(sheet["header"])
    for row in sheet["rows"]:
        ws.append(row)
    for row, col in sheet["merges"]:
        ws.merge_cells(start_row=row, start_column=col, end_row=row + 1, end_column=col + 1)
    if sheet.get("stray"):
        ref, value = sheet["stray"]
        ws[ref] = value
    if sheet.get("hidden"):  # last year's list, same header and ids, hidden
        old = wb.create_sheet("Năm trước")
        old.append(sheet["header"])
        for row in sheet["rows"]:
            old.append(row)
        old.sheet_state = sheet["hidden"]
    wb.save(path)


def check_ingest(path: Path) -> None:
    """process_workbook raises only WorkbookError; when it reads, every row under the header
    is in exactly one of: loaded, rejected (error, with a known code), skipped."""
    try:
        load = process_workbook(path, YEAR, PROVINCE)
    except WorkbookError as exc:
        assert str(exc).startswith(path.name)
        return
    read = read_workbook(path)
    rejected = load.rejections[
        (load.rejections["severity"] == "error") & load.rejections["excel_row"].notna()
    ]
    assert set(load.rejections["rule_code"]) <= set(RULES)
    ids = canonical_id(load.households["household_id"]).dropna()
    assert not ids.duplicated().any(), "look-alike ids loaded as two households"
    for layout in read.layouts:

        def rows_of(frame, sheet=layout.sheet):
            return set(frame.loc[frame["sheet"] == sheet, "excel_row"].astype(int))

        loaded = rows_of(load.households)
        refused = rows_of(rejected)
        skipped = rows_of(read.skipped)
        data = rows_of(read.rows)
        assert not loaded & refused and not (loaded | refused) & skipped
        assert loaded | refused == data
        assert data | skipped == set(
            range(max(layout.header_rows) + 1, max(data | skipped, default=0) + 1)
        )
    record = load.file_record
    assert record["rows_read"] == (
        record["rows_loaded"]
        + record["rows_rejected"]
        + record["rows_blank"]
        + record["rows_totals"]
        + record["rows_signature"]
        + record["rows_heading"]
    )


@FUZZ
@given(sheet=sheets())
def test_random_workbooks_never_crash_and_lose_no_row(sheet):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.xlsx"
        write(path, sheet)
        check_ingest(path)


@st.composite
def damaged(draw) -> tuple[list[tuple[int, int]], int | None]:
    flips = draw(st.lists(st.tuples(st.integers(0, 10**6), st.integers(1, 255)), max_size=6))
    cut = draw(st.one_of(st.none(), st.integers(0, 10**6)))
    return flips, cut


_BASE: bytes | None = None


def base_bytes() -> bytes:
    global _BASE
    if _BASE is None:
        with tempfile.TemporaryDirectory() as tmp:
            rows = [household(i) for i in range(1, 8)]
            _BASE = write_workbook(Path(tmp) / "b.xlsx", rows).read_bytes()
    return _BASE


@FUZZ
@given(damage=damaged())
def test_damaged_bytes_are_refused_or_read_never_crash(damage):
    flips, cut = damage
    data = bytearray(base_bytes())
    for at, xor in flips:
        data[at % len(data)] ^= xor
    if cut is not None:
        data = data[: cut % len(data)]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "damaged.xlsx"
        path.write_bytes(bytes(data))
        check_ingest(path)


def test_workbook_without_a_district_column(tmp_path):
    """Found by the fuzzer: this crashed the assembly with KeyError('district')."""
    sheet = {"header": ["Mã hộ", "Họ và tên chủ hộ", "Số CCCD chủ hộ"], "titles": 0}
    write(tmp_path / "no-district.xlsx", sheet | {"rows": [["MN-1", "A", "1"]], "merges": []})
    check_ingest(tmp_path / "no-district.xlsx")


def test_whole_number_beyond_int64(tmp_path):
    sheet = {"header": ["Số nhân khẩu", "Mã hộ", "Huyện"], "titles": 0, "merges": []}
    # An ID number typed into the household-size column (text), as officers do.
    write(tmp_path / "big.xlsx", sheet | {"rows": [["012345678901234567890", "MN-1", "Mường Nhé"]]})
    check_ingest(tmp_path / "big.xlsx")
