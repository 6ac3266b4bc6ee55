"""No cell is lost silently (issue "No silent loss"): hidden sheets, far stray cells, the bytes
hashed, formula errors, merged data cells, and the two other sheets a workbook may carry. Each
test builds the real file with openpyxl (xlwt for .xls); the flow tests run the real flow and
open the real DuckDB file."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pytest
import xlwt

from flows.census_flow import annual_census
from schemas.headers import BASE_LABELS
from tests.factory import BASE_ORDER, household, write_workbook
from tests.ingest.builders import ALL_KEYS, LABELS, closes, codes, grid_rows, process, write_grid
from workbooks import guard
from workbooks.errors import WorkbookError
from workbooks.reader import read_workbook

ROOT = Path(__file__).resolve().parents[2]


def q(warehouse: Path, sql: str, params=None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def with_cells(path: Path, cells: dict[str, object], sheet: str | None = None) -> Path:
    """The workbook with these cells set (openpyxl: as an officer's stray keystroke)."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet] if sheet else wb.worksheets[0]
    for ref, value in cells.items():
        ws[ref] = value
    wb.save(path)
    return path


# ----------------------------------------------------------------------------------------
# 1. Hidden sheets are not census data.


def last_years_list(path: Path, state: str = "hidden") -> Path:
    """This year's 76 households on a visible sheet, and last year's list (the same ids,
    other incomes) on a hidden sheet, as an officer keeps it."""
    rows = [household(i) for i in range(1, 77)]
    last_year = [household(i, income_per_capita=500_000) for i in range(1, 77)]
    write_workbook(path, rows, sheets={"Danh sách": rows, "Năm 2018": last_year})
    wb = openpyxl.load_workbook(path)
    wb["Năm 2018"].sheet_state = state
    wb.save(path)
    return path


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_hidden_sheets_are_skipped_and_named_once(tmp_path, state):
    read = read_workbook(last_years_list(tmp_path / "mn.xlsx", state))
    assert set(read.rows["sheet"]) == {"Danh sách"} and len(read.rows) == 76
    [notice] = [n for n in read.notices if n["code"] == "WB030"]
    assert "Năm 2018" in notice["detail"]


def test_a_workbook_with_only_hidden_household_sheets_is_refused_and_says_why(tmp_path):
    path = write_workbook(tmp_path / "h.xlsx", [household(1)])
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("Ghi chú")["A1"] = "ghi chép"
    wb["Danh sách"].sheet_state = "hidden"
    wb.save(path)
    with pytest.raises(WorkbookError, match="hidden sheets are not read: Danh sách"):
        read_workbook(path)


def test_hidden_sheets_in_a_legacy_xls(tmp_path):
    book = xlwt.Workbook(encoding="utf-8")
    for name, first in (("DS", 1), ("Cu", 1)):
        ws = book.add_sheet(name)
        for c, key in enumerate(BASE_ORDER):
            ws.write(0, c, BASE_LABELS[key][0])
            for r in range(1, 4):
                ws.write(r, c, household(first + r - 1)[key])
    book.get_sheet(1).visibility = 1  # hidden
    book.save(str(tmp_path / "old.xls"))
    read = read_workbook(tmp_path / "old.xls")
    assert set(read.rows["sheet"]) == {"DS"} and len(read.rows) == 3
    assert [n["detail"] for n in read.notices if n["code"] == "WB030"] == ["'Cu'"]


def test_hidden_last_years_list_through_the_flow(tmp_path, prefect_harness):
    raw, warehouse = tmp_path / "raw", tmp_path / "w.duckdb"
    last_years_list(raw / "2019" / "muong-nhe.xlsx")
    summary = annual_census(
        year=2019, raw_dir=raw, warehouse_path=warehouse, reports_dir=tmp_path / "reports"
    )
    assert summary.status == "completed" and summary.loaded == ["muong-nhe.xlsx"]
    assert q(warehouse, "SELECT count(*) FROM core.households") == [(76,)]
    rules = q(warehouse, "SELECT rule_code, severity, rule FROM audit.rejections")
    assert [(code, severity) for code, severity, _ in rules] == [("WB030", "notice")]
    assert "Năm 2018" in rules[0][2] and rules[0][2].startswith("Trang tính ẩn")
    assert q(warehouse, "SELECT rows_loaded, rows_rejected FROM audit.ingest_files") == [(76, 0)]


# ----------------------------------------------------------------------------------------
# 2. The used range is bounded before anything allocates it.

# The child's own peak: VmHWM belongs to its address space (ru_maxrss would carry over the
# forking test process's size across exec).
PEAK = """
import json, re, sys
from pathlib import Path
from workbooks.reader import read_workbook
from workbooks.errors import WorkbookError
try:
    read = read_workbook(Path(sys.argv[1]))
    out = {"rows": len(read.rows), "codes": [n["code"] for n in read.notices]}
except WorkbookError as exc:
    out = {"error": exc.code, "message": str(exc)}
status = Path("/proc/self/status").read_text()
out["peak_mb"] = int(re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1)) / 1024
print(json.dumps(out))
"""


def read_in_subprocess(path: Path) -> dict:
    """read_workbook in a fresh process: its peak memory, and whether it aborts."""
    done = subprocess.run(
        [sys.executable, "-c", PEAK, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def stray(path: Path, ref: str, value: object = " ") -> Path:
    write_workbook(path, [household(i) for i in range(1, 51)])
    return with_cells(path, {ref: value})


@pytest.mark.parametrize("ref", ["XFD1048576", "AZ1048576"])
def test_a_stray_space_far_out_is_read_within_the_table_with_a_notice(tmp_path, ref):
    """Before: XFD1048576 aborted the process (calamine asked for 512 GiB, exit 134) and
    AZ1048576 peaked at 1.9-2.5 GB for a 12 KB file."""
    path = stray(tmp_path / "stray.xlsx", ref)
    assert path.stat().st_size < 20_000
    out = read_in_subprocess(path)
    assert out["rows"] == 50 and "WB032" in out["codes"]
    assert out["peak_mb"] < 300, out
    read = read_workbook(path)
    [notice] = [n for n in read.notices if n["code"] == "WB032"]
    assert ref in notice["detail"] and f"declared range A1:{ref}" in notice["detail"]
    assert len(read.skipped) == 3  # totals, blank, signature: no million blank rows


def test_a_value_far_out_refuses_the_workbook_naming_the_cell(tmp_path):
    out = read_in_subprocess(stray(tmp_path / "far.xlsx", "AZ1048576", "x"))
    assert out["error"] == "WB031" and out["peak_mb"] < 300
    assert "cell AZ1048576 holds 'x'" in out["message"]


def test_far_columns_and_a_lowered_cell_limit(tmp_path, monkeypatch):
    path = stray(tmp_path / "wide.xlsx", "XFD10", "x")  # a value in the last column
    with pytest.raises(WorkbookError, match="XFD10 holds 'x'") as info:
        read_workbook(path)
    assert info.value.code == "WB031"
    # A real table over the cell limit is refused too (the limit is per sheet).
    monkeypatch.setenv("CENSUS_MAX_CELLS", "500")
    with pytest.raises(WorkbookError) as info:
        read_workbook(write_workbook(tmp_path / "big.xlsx", [household(i) for i in range(60)]))
    assert info.value.code == "WB031"


def test_a_stray_in_shared_strings_and_a_space_near_the_table_read_normally(tmp_path):
    """A shared-string space far out (as Excel writes it) is found blank through the shared
    strings; a space a few cells from the table is within the bound and reads as blank."""
    path = stray(tmp_path / "near.xlsx", "Z60")
    read = read_workbook(path)
    assert len(read.rows) == 50 and not [n for n in read.notices if n["code"] == "WB032"]
    far = stray(tmp_path / "shared.xlsx", "ZZ900000")
    data = far.read_bytes()
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for item in src.infolist():
            part = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                part = part.replace(
                    b'<c r="ZZ900000" t="inlineStr"><is><t> </t></is></c>',
                    b'<c r="ZZ900000" t="s"><v>0</v></c>',
                )
                assert b'<c r="ZZ900000" t="s">' in part
            copy.writestr(item.filename, part)
        copy.writestr(
            "xl/sharedStrings.xml",
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'count="1" uniqueCount="1"><si><t xml:space="preserve">  </t></si></sst>',
        )
    far.write_bytes(out.getvalue())
    notes = [n for n in read_workbook(far).notices if n["code"] == "WB032"]
    assert len(notes) == 1 and "ZZ900000" in notes[0]["detail"]


def test_far_stray_cells_through_the_flow(tmp_path, prefect_harness):
    raw, warehouse = tmp_path / "raw", tmp_path / "w.duckdb"
    folder = raw / "2019"
    stray(folder / "muong-nhe.xlsx", "XFD1048576")  # read, with a notice
    good = [household(i, **DBP, household_id=f"DBP-{i}") for i in range(1, 5)]
    write_workbook(folder / "dien-bien-phu.xlsx", good)
    far = [household(i, **TC, household_id=f"TC-{i}") for i in range(1, 4)]
    with_cells(write_workbook(folder / "tua-chua.xlsx", far), {"AZ1048576": "x"})  # refused
    summary = annual_census(
        year=2019, raw_dir=raw, warehouse_path=warehouse, reports_dir=tmp_path / "reports"
    )
    assert summary.status == "partial"
    assert sorted(summary.loaded) == ["dien-bien-phu.xlsx", "muong-nhe.xlsx"]
    assert q(warehouse, "SELECT district, count(*) FROM core.households GROUP BY 1 ORDER BY 1") == [
        ("Mường Nhé", 50),
        ("Điện Biên Phủ", 4),
    ]
    files = q(warehouse, "SELECT source_file, status FROM audit.ingest_files ORDER BY 1")
    assert files == [
        ("dien-bien-phu.xlsx", "loaded"),
        ("muong-nhe.xlsx", "loaded"),
        ("tua-chua.xlsx", "failed"),
    ]
    found = q(
        warehouse,
        "SELECT source_file, rule_code, rule FROM audit.rejections ORDER BY 1, 2",
    )
    assert [(f, c) for f, c, _ in found] == [
        ("muong-nhe.xlsx", "WB032"),
        ("tua-chua.xlsx", "WB031"),
    ]
    assert "XFD1048576" in found[0][2] and "AZ1048576 holds 'x'" in found[1][2]


DBP = {"district": "Điện Biên Phủ", "commune": "Him Lam", "area": "Thành thị"}
TC = {"district": "Tủa Chùa", "commune": "Tủa Chùa"}


# ----------------------------------------------------------------------------------------
# 3. The bytes hashed are the bytes parsed.


def test_the_hash_is_of_the_bytes_parsed_even_if_the_file_is_replaced(tmp_path, monkeypatch):
    path = write_workbook(tmp_path / "mn.xlsx", [household(1), household(2)])
    first = path.read_bytes()
    corrected = write_workbook(tmp_path / "fixed.xlsx", [household(i) for i in range(1, 6)])
    real_read = guard.read_bounded

    def read_then_replaced(p, limits=None):
        data = real_read(p, limits)
        path.write_bytes(corrected.read_bytes())  # the officer's corrected copy lands now
        return data

    monkeypatch.setattr("workbooks.reader.read_bounded", read_then_replaced)
    read = read_workbook(path)
    assert len(read.rows) == 2  # the version parsed
    assert read.file_hash == hashlib.sha256(first).hexdigest()
    assert read.file_hash != hashlib.sha256(path.read_bytes()).hexdigest()


# ----------------------------------------------------------------------------------------
# 4. Cells that are not values: formula errors, merged data cells.

ERRORS = ["#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!"]


def test_formula_errors_arrive_as_their_text(tmp_path):
    rows = [household(i, note=e) for i, e in enumerate(ERRORS, start=1)]
    path = write_workbook(tmp_path / "e.xlsx", rows)
    wb = openpyxl.load_workbook(path)
    assert {c.data_type for c in wb.active["U"][3:10]} == {"e"}  # real error cells
    read = read_workbook(path)
    assert read.rows["note"].tolist() == ERRORS
    found = read.cell_findings
    assert found["rule_code"].tolist() == ["HW007"] * 7  # the note: a warning (below)
    assert found["value"].tolist() == ERRORS and found["row"].tolist() == list(range(7))


def test_a_formula_error_in_an_advisory_column_is_a_warning(tmp_path):
    """#N/A in the note, the commune's class (typically a VLOOKUP) or the cause rejected the
    household (HH041), though the note carries no rule and an unknown class or cause is a
    warning: a probe commune lost 20 households for its notes. They load, with HW007 as the
    cell's one finding (not HH018 as well); the cell stays as typed in raw."""
    rows = [
        household(1, note="#N/A"),
        household(2, commune_classification="#N/A"),
        household(3, poverty_cause="#REF!"),
        household(4, village="#REF!"),  # a required column: still rejected
    ]
    load = process(write_workbook(tmp_path / "a.xlsx", rows), reports_dir=tmp_path / "r")
    assert load.households["household_id"].tolist() == ["MN-000001", "MN-000002", "MN-000003"]
    found = load.rejections.groupby("household_id")["rule_code"].apply(sorted).to_dict()
    assert found == {
        "MN-000001": ["HW007"],
        "MN-000002": ["HW007"],
        "MN-000003": ["HW007"],
        "MN-000004": ["HH041"],
    }
    h = load.households.set_index("household_id")
    assert h[["commune_classification", "poverty_cause"]].iloc[1:].isna().all().all()
    assert load.raw["commune_classification"].iloc[1] == "#N/A"
    assert closes(load)


def test_formula_errors_are_rejected_never_missing(tmp_path):
    rows = [
        household(1, health_insurance="#N/A"),  # an indicator: not "not deprived"
        household(2, head_name="#REF!"),  # a required column: not "missing"
        household(3, household_size="#VALUE!"),
        household(4, meritorious="#DIV/0!"),  # a flag: not "no"
        household(5),
    ]
    load = process(write_workbook(tmp_path / "e.xlsx", rows), reports_dir=tmp_path / "r")
    assert load.households["household_id"].tolist() == ["MN-000005"]
    errors = load.rejections[load.rejections["severity"] == "error"]
    by_row = errors.groupby("excel_row")["rule_code"].apply(sorted).to_dict()
    assert by_row == {
        4: ["HH014", "HH041"],
        5: ["HH041"],
        6: ["HH010", "HH041"],
        7: ["HH015", "HH041"],
    }
    assert not errors["rule_code"].isin(["HH002", "HH008"]).any()  # never "missing"
    values = errors.set_index(["excel_row", "rule_code"])["value"]
    assert values[4, "HH014"] == "#N/A" and values[6, "HH041"] == "#VALUE!"
    assert values[5, "HH041"] == "***"  # the head's name is personal: masked in the audit
    assert closes(load)
    # The officer's error workbook shows the error text in its cell.
    ws = openpyxl.load_workbook(load.report)["Lỗi"]
    header = [c.value for c in ws[1]]
    listed = {r[1]: r for r in ws.iter_rows(2, values_only=True)}
    assert listed[5][header.index("Họ và tên chủ hộ")] == "#REF!"
    assert listed[4][header.index("Bảo hiểm y tế")] == "#N/A"


def test_formula_errors_in_a_legacy_xls(tmp_path):
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("DS")
    for c, key in enumerate(BASE_ORDER):
        ws.write(0, c, BASE_LABELS[key][0])
        for r in range(1, 3):
            if (r, key) != (1, "village"):
                ws.write(r, c, household(r)[key])
    ws.row(1).set_cell_error(BASE_ORDER.index("village"), 0x17)  # #REF!
    book.save(str(tmp_path / "e.xls"))
    read = read_workbook(tmp_path / "e.xls")
    assert read.rows["village"].tolist() == ["#REF!", "Bản Tá Miếu"]
    assert read.cell_findings[["row", "column_key", "rule_code"]].values.tolist() == [
        [0, "village", "HH041"]
    ]


def test_merged_data_cells_are_findings_with_the_merged_value(tmp_path):
    """A merged cell's lower cells arrive blank: in a place column merged down from a
    household's row (a printed list's village or commune, once over its households) the
    merged value is each covered household's, said by WB043; in any other column each covered
    cell is a finding with the merged value (HH040), its row rejected."""
    rows = [household(i) for i in range(1, 6)]
    grid = [["DANH SÁCH"], [LABELS[k] for k in ALL_KEYS], *grid_rows(rows, ALL_KEYS)]
    commune = chr(ord("A") + ALL_KEYS.index("commune"))
    ethnicity = chr(ord("A") + ALL_KEYS.index("ethnicity"))
    merges = ["A1:H1", f"{commune}3:{commune}5", f"{ethnicity}5:{ethnicity}7"]
    path = write_grid(tmp_path / "m.xlsx", {"DS": grid}, {"DS": merges})
    read = read_workbook(path)
    assert read.rows["commune"].tolist() == ["Sín Thầu"] * 5
    assert read.rows["ethnicity"].fillna("-").tolist() == ["Hà Nhì"] * 3 + ["-", "-"]
    found = read.cell_findings
    assert found[["row", "column_key", "value", "rule_code"]].values.tolist() == [
        [3, "ethnicity", "Hà Nhì", "HH040"],
        [4, "ethnicity", "Hà Nhì", "HH040"],
    ]
    assert (found["detail"] == f"{ethnicity}5:{ethnicity}7 = 'Hà Nhì'").all()
    load = process(path)
    assert load.households["household_id"].tolist() == ["MN-000001", "MN-000002", "MN-000003"]
    assert load.households["commune"].tolist() == ["Sín Thầu"] * 3
    merged = load.rejections[load.rejections["rule_code"] == "HH040"]
    assert merged["excel_row"].tolist() == [6, 7]
    assert merged["value"].tolist() == ["Hà Nhì", "Hà Nhì"]
    assert merged["column_name"].tolist() == ["Dân tộc", "Dân tộc"]
    assert merged["rule"].str.startswith("Ô bị gộp").all()
    [given] = load.rejections.loc[load.rejections["rule_code"] == "WB043", "rule"]
    assert given.endswith(f"{commune}3:{commune}5 = 'Sín Thầu'")
    assert closes(load)


def test_a_sheet_starting_in_column_b_maps_merges_and_letters(tmp_path):
    rows = [household(i) for i in range(1, 4)]
    grid = [
        [None, *(LABELS[k] for k in ALL_KEYS)],
        *([None, *r] for r in grid_rows(rows, ALL_KEYS)),
    ]
    path = write_grid(tmp_path / "b.xlsx", {"DS": grid}, {"DS": ["C2:C3"]})  # head_name
    read = read_workbook(path)
    assert read.layouts[0].column_letters["household_id"] == "B"
    assert read.cell_findings[["row", "column_key"]].values.tolist() == [[1, "head_name"]]


# ----------------------------------------------------------------------------------------
# 5. The two other sheets a workbook may carry.

RESIDENT = [
    ["TỔNG SỐ HỘ DÂN CƯ NĂM 2019"],
    [],
    ["STT", "Xã/Phường", "Tổng số hộ dân cư", "Trong đó: hộ dân tộc thiểu số"],
    [1, "Sín Thầu", 412, "398"],
    [2, "Chung Chải", "1.205", 1190],
    ["Tổng cộng", None, 1617, 1588],
]
MEMBERS = [
    ["DANH SÁCH THÀNH VIÊN HỘ"],
    ["Mã hộ", "Họ và tên", "Dân tộc", "Quan hệ với chủ hộ", "Năm sinh", "Giới tính", "Xã",
     "Thôn, bản"],
    ["MN-000001", "Lò Văn 1", "Hà Nhì", "Chủ hộ", 1970, "Nam", "Sín Thầu", "Bản Tá Miếu"],
    ["MN-000001", "Lò Thị Mai", "Hà Nhì", "Vợ", 1974, "Nữ", "Sín Thầu", "Bản Tá Miếu"],
    ["MN-000002", "Lò Văn 2", "Hà Nhì", "Chủ hộ", "1981", "Nam", "Sín Thầu", "Bản Tá Miếu"],
]  # fmt: skip


def test_resident_totals_and_members_sheets_are_read_apart(tmp_path):
    rows = [household(1), household(2)]
    grid = [[LABELS[k] for k in ALL_KEYS], *grid_rows(rows, ALL_KEYS)]
    # Recognised by their labels, whatever their names.
    path = write_grid(tmp_path / "o.xlsx", {"DS": grid, "Tong ho": RESIDENT, "TV": MEMBERS})
    read = read_workbook(path)
    assert len(read.rows) == 2 and set(read.rows["sheet"]) == {"DS"}
    assert [layout.sheet for layout in read.layouts] == ["DS"]
    assert not [n for n in read.notices if n["code"] in {"WB002", "WB005"}]
    totals = read.resident_totals
    assert list(totals.columns) == [
        "sheet", "excel_row", "commune", "households", "ethnic_minority_households"
    ]  # fmt: skip
    assert totals.values.tolist() == [
        ["Tong ho", 4, "Sín Thầu", "412", "398"],
        ["Tong ho", 5, "Chung Chải", "1.205", "1190"],
    ]
    members = read.members
    assert list(members.columns) == [
        "sheet", "excel_row", "household_id", "member_name", "ethnicity", "relation",
        "birth_year", "sex",
    ]  # fmt: skip
    assert members["excel_row"].tolist() == [3, 4, 5]
    assert members["member_name"].tolist() == ["Lò Văn 1", "Lò Thị Mai", "Lò Văn 2"]
    assert members["birth_year"].tolist() == ["1970", "1974", "1981"]
    # Personal data of members never reaches the household rows.
    assert not read.rows.isin(["Lò Thị Mai", "Vợ"]).any().any()
    load = process(path)
    assert len(load.households) == 2 and closes(load)


def test_without_the_other_sheets_their_frames_are_empty_with_their_columns(tmp_path):
    read = read_workbook(write_workbook(tmp_path / "a.xlsx", [household(1)]))
    assert read.resident_totals.empty and read.members.empty
    assert "ethnic_minority_households" in read.resident_totals.columns
    assert "relation" in read.members.columns and read.cell_findings.empty


def test_a_household_sheet_with_a_birth_year_column_stays_a_household_sheet(tmp_path):
    rows = [household(1, **{"Năm sinh chủ hộ": 1970, "Giới tính": "Nam"})]
    read = read_workbook(write_workbook(tmp_path / "h.xlsx", rows))
    assert len(read.rows) == 1 and read.members.empty
    assert codes(process(tmp_path / "h.xlsx")).count("WB003") == 1


def test_a_value_beside_the_table_without_a_header_is_kept_and_reported(tmp_path):
    path = write_workbook(tmp_path / "side.xlsx", [household(1), household(2)])
    beyond = chr(ord("A") + len(ALL_KEYS) + 1)  # one empty column after the table
    read = read_workbook(with_cells(path, {f"{beyond}4": "hộ mới tách"}))
    label = f"extra:(cột {beyond})"
    assert read.rows[label].fillna("-").tolist() == ["hộ mới tách", "-"]  # Excel row 4: first
    assert read.layouts[0].column_letters[label] == beyond
    [notice] = [n for n in read.notices if n["code"] == "WB003"]
    assert f"(cột {beyond})" in notice["detail"]
