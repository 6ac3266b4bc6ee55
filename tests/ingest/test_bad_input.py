"""Every class of bad input: the row (or workbook) is rejected with its rule code, its place and
the header as written; everything else still loads, and the counts close."""

from __future__ import annotations

import openpyxl
import openpyxl.styles
import pytest

import config
from schemas.rules import RULES
from tests.factory import household, write_workbook
from tests.ingest.builders import (
    ALL_KEYS,
    LABELS,
    YEAR,
    closes,
    codes,
    grid_rows,
    process,
    write_grid,
)
from workbooks.errors import WorkbookError
from workbooks.reader import read_workbook

# (overrides of the bad row, rule code, header of the offending column or None for the row).
BAD_ROWS = [
    ({"household_id": None}, "HH001", "Mã hộ"),
    ({"head_name": None}, "HH002", "Họ và tên chủ hộ"),
    ({"district": None}, "HH003", "Huyện"),
    ({"commune": None}, "HH004", "Xã"),
    ({"village": None}, "HH005", "Thôn, bản"),
    ({"area": None}, "HH006", "Khu vực"),
    ({"ethnicity": None}, "HH007", "Dân tộc"),
    ({"household_size": None}, "HH008", "Số nhân khẩu"),
    # No income but a deprivation marked: a review without its income (a row with neither
    # income, score nor deprivation was not reviewed: loaded, tests/ingest/test_review_year.py).
    ({"income_per_capita": None, "health_insurance": "x"}, "HH009", LABELS["income_per_capita"]),
    ({"household_size": "5,5"}, "HH010", "Số nhân khẩu"),
    ({"income_per_capita": "tám trăm"}, "HH011", LABELS["income_per_capita"]),
    ({"health_insurance": "?"}, "HH014", "Bảo hiểm y tế"),
    ({"area": "Miền núi"}, "HH016", "Khu vực"),
    ({"head_id_number": "12345"}, "HH017", "Số CCCD chủ hộ"),
    ({"district": "Mường Tè"}, "HH020", "Huyện"),
    ({"commune": "Him Lam"}, "HH021", "Xã"),
    ({"ethnicity": "Klingon"}, "HH022", "Dân tộc"),
    ({"household_size": 0}, "HH023", "Số nhân khẩu"),
    ({"household_size": 31}, "HH023", "Số nhân khẩu"),
    ({"income_per_capita": -5}, "HH024", LABELS["income_per_capita"]),
    ({"income_per_capita": 2_000_000_000}, "HH025", LABELS["income_per_capita"]),
]


@pytest.mark.parametrize(("bad", "code", "header"), BAD_ROWS, ids=[b[1] for b in BAD_ROWS])
def test_a_bad_row_is_rejected_with_its_place_and_the_rest_loads(tmp_path, bad, code, header):
    rows = [household(1), household(2, **bad), household(3)]
    load = process(write_workbook(tmp_path / "muong-nhe.xlsx", rows))
    assert list(load.households["household_id"]) == ["MN-000001", "MN-000003"]
    errors = load.rejections[load.rejections["severity"] == "error"]
    assert set(errors["rule_code"]) == {code}
    assert set(errors["excel_row"]) == {5}  # title, blank, header on row 3: row 2 is Excel 5
    assert set(errors["column_name"]) == {header}
    assert set(errors["sheet"]) == {"Danh sách"}
    assert errors["rule"].str.startswith(RULES[code].vi).all()
    assert load.file_record["rows_rejected"] == 1 and closes(load)


def test_personal_values_are_masked_in_the_rejections(tmp_path):
    load = process(write_workbook(tmp_path / "p.xlsx", [household(1, head_id_number="12A")]))
    [value] = load.rejections.loc[load.rejections["rule_code"] == "HH017", "value"]
    assert value == "***"


def test_scores_must_agree_and_come_in_pairs(tmp_path):
    rows = [
        household(1, income_score=150, deprivation_score=20, health_insurance="x", latrine="x"),
        household(2, income_score=150, deprivation_score=30, health_insurance="x"),  # HH026
        household(3, income_score=150),  # HH027
        household(4, income_score=5000, deprivation_score=0),  # HH028
        household(5, income_score="abc", deprivation_score="n/a"),  # HH012, HH013
    ]
    labels = {"income_score": "Điểm B1", "deprivation_score": "Điểm B2"}
    load = process(write_workbook(tmp_path / "s.xlsx", rows, labels=labels))
    assert list(load.households["household_id"]) == ["MN-000001"]
    errors = load.rejections[load.rejections["severity"] == "error"]
    assert sorted(zip(errors["excel_row"], errors["rule_code"], strict=True)) == [
        (5, "HH026"),
        (6, "HH027"),
        (7, "HH028"),
        (8, "HH012"),
        (8, "HH013"),
    ]
    assert closes(load)


def test_a_duplicate_id_rejects_both_rows_and_names_the_other_place(tmp_path):
    header = [LABELS[k] for k in ALL_KEYS]
    sheets = {
        "Sín Thầu": [header, *grid_rows([household(1), household(2)], ALL_KEYS)],
        "Chung Chải": [
            [LABELS[k] for k in ALL_KEYS],
            *grid_rows([household(2, commune="Chung Chải")], ALL_KEYS),
        ],
    }  # fmt: skip
    load = process(write_grid(tmp_path / "d.xlsx", sheets))
    assert list(load.households["household_id"]) == ["MN-000001"]
    dupes = load.rejections[load.rejections["rule_code"] == "HH030"].sort_values("sheet")
    assert list(zip(dupes["sheet"], dupes["excel_row"], strict=True)) == [
        ("Chung Chải", 2),
        ("Sín Thầu", 3),
    ]
    assert "Sín Thầu dòng/row 3" in dupes["rule"].iloc[0]
    assert "Chung Chải dòng/row 2" in dupes["rule"].iloc[1]
    assert closes(load)


def test_a_duplicate_id_across_districts_is_rejected_in_both_and_names_both(tmp_path):
    path_a = write_workbook(tmp_path / "a.xlsx", [household(1), household(2)])
    other = household(2, district="Điện Biên Phủ", commune="Him Lam", area="Thành thị")
    path_b = write_workbook(tmp_path / "b.xlsx", [other, household(3, **{
        "district": "Điện Biên Phủ", "commune": "Him Lam", "area": "Thành thị"})])  # fmt: skip
    places = ["household_id", "source_file", "sheet", "excel_row"]
    first_a, first_b = process(path_a), process(path_b)
    a = process(path_a, held=first_b.households[places])
    b = process(path_b, held=first_a.households[places])
    assert list(a.households["household_id"]) == ["MN-000001"]
    assert list(b.households["household_id"]) == ["MN-000003"]
    for load in (a, b):
        [rule] = load.rejections.loc[load.rejections["rule_code"] == "HH031", "rule"]
        assert "a.xlsx / Danh sách dòng/row 5" in rule and "b.xlsx / Danh sách dòng/row 4" in rule
        assert closes(load)


def test_implausible_income_for_the_area_warns_but_loads(tmp_path):
    rows = [
        household(1, income_per_capita=20_000),  # rural: below a tenth of the line
        household(2, income_per_capita=120_000, area="Nông thôn"),  # plausible in the country
        household(3, income_per_capita=120_000, area="Thành thị"),  # implausible in a town
        household(4, income_per_capita=45_000_000),  # a yearly figure, probably
    ]
    load = process(write_workbook(tmp_path / "w.xlsx", rows))
    assert len(load.households) == 4
    warned = load.rejections[load.rejections["rule_code"] == "HW001"]
    assert sorted(warned["household_id"]) == ["MN-000001", "MN-000003", "MN-000004"]
    assert set(warned["severity"]) == {"warning"} and load.file_record["warnings"] == 3


def test_a_missing_required_column_is_reported_once_and_its_rows_rejected(tmp_path):
    keys = [k for k in ALL_KEYS if k != "ethnicity"]
    grid = [[LABELS[k] for k in keys], *grid_rows([household(1), household(2)], keys)]
    load = process(write_grid(tmp_path / "m.xlsx", {"DS": grid}))
    assert codes(load).count("WB005") == 1 and codes(load).count("HH007") == 2
    assert load.households.empty and closes(load)
    # The detail names the column by its Vietnamese header, never by its key.
    [rule] = load.rejections.loc[load.rejections["rule_code"] == "WB005", "rule"]
    assert rule.endswith(": Dân tộc")


def test_a_sheet_of_households_without_an_id_column_is_refused_never_passed_over(tmp_path):
    """A commune's sheet whose header names its heads but has no `Mã hộ` column was taken for
    no header at all: passed over with a notice (WB002) while its workbook loaded without that
    commune's households, or, alone in its workbook, "no recognisable header row". It is read
    and refused for the missing column (WB005), naming Mã hộ."""
    good = [[LABELS[k] for k in ALL_KEYS], *grid_rows([household(1), household(2)], ALL_KEYS)]
    keys = [k for k in ALL_KEYS if k != "household_id"]
    rows = [household(i, commune="Chung Chải") for i in (3, 4)]
    without_id = [[LABELS[k] for k in keys], *grid_rows(rows, keys)]
    load = process(write_grid(tmp_path / "i.xlsx", {"Sín Thầu": good, "Chung Chải": without_id}))
    assert load.refused is not None and "WB002" not in codes(load)
    [rule] = load.rejections.loc[load.rejections["rule_code"] == "WB005", "rule"]
    assert rule.endswith(": Mã hộ")
    assert load.file_record["rows_read"] == 4 and closes(load)
    load = process(write_grid(tmp_path / "o.xlsx", {"DS": without_id}))
    assert load.refused is not None and "WB005" in codes(load)
    # A summary by village names neither ids nor heads: no household sheet, as before.
    summary = [
        ["Thôn, bản", "Xã", "Số nhân khẩu", "Số hộ nghèo"],
        ["Bản Tá Miếu", "Sín Thầu", 40, 3],
    ]
    load = process(write_grid(tmp_path / "s.xlsx", {"DS": good, "Tổng hợp": summary}))
    assert load.refused is None and len(load.households) == 2


@pytest.mark.parametrize(("offset", "refused"), [(0, False), (1, False), (-1, True), (2, True)])
def test_a_title_naming_the_year_its_lists_are_for_is_this_reviews(tmp_path, offset, refused):
    """A review decides the next year's lists (poverty-standards.md): the 2019 review's list
    may be titled "năm 2020". It was refused as another year's list (WB018); a title naming
    an earlier year, or a later one, still is."""
    grid = [
        [f"DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO NĂM {YEAR + offset}"],
        [LABELS[k] for k in ALL_KEYS],
        *grid_rows([household(1), household(2)], ALL_KEYS),
    ]
    load = process(write_grid(tmp_path / "t.xlsx", {"DS": grid}))
    assert ("WB018" in codes(load)) is refused
    assert (load.refused is not None) is refused


def test_a_date_in_the_title_block_is_not_the_lists_year(tmp_path):
    """The form's heading cites its circular, "ngày 18 tháng 7 năm 2021", and the list is
    signed "ngày 10 tháng 12 năm 2019": those years were taken for the list's, and a title
    without its own year was refused as another year's list (WB018). A date is no title."""
    grid = [
        ["Ban hành kèm theo Thông tư số 07/2021/TT-BLĐTBXH ngày 18 tháng 7 năm 2021"],
        ["DANH SÁCH HỘ GIA ĐÌNH RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO"],
        [LABELS[k] for k in ALL_KEYS],
        *grid_rows([household(1), household(2)], ALL_KEYS),
    ]
    load = process(write_grid(tmp_path / "t.xlsx", {"DS": grid}))
    assert load.refused is None and "WB018" not in codes(load)
    grid[1][0] += f" NĂM {YEAR - 2}"  # the list's own year still counts
    load = process(write_grid(tmp_path / "old.xlsx", {"DS": grid}))
    assert load.refused is not None and "WB018" in codes(load)


def test_a_copy_of_a_sheet_left_beside_it_is_named(tmp_path):
    """A sheet copied to be edited and left beside its original ("DS (2)"): every household
    is rejected twice (HH030), as before, and WB039 now names the copy and its original. Two
    communes' sheets sharing one id are no copy."""
    rows = [household(i) for i in (1, 2, 3)]
    grid = [[LABELS[k] for k in ALL_KEYS], *grid_rows(rows, ALL_KEYS)]
    load = process(write_grid(tmp_path / "c.xlsx", {"DS": grid, "DS (2)": grid}))
    assert codes(load).count("HH030") == 6
    [notice] = load.rejections[load.rejections["rule_code"] == "WB039"].to_dict("records")
    assert notice["sheet"] == "DS (2)"
    assert notice["rule"].endswith("'DS (2)' repeats 'DS': 3 of its 3 ids")
    other = [grid[0], *grid_rows([household(3), household(4), household(5)], ALL_KEYS)]
    load = process(write_grid(tmp_path / "o.xlsx", {"DS": grid, "Khác": other}))
    assert codes(load).count("HH030") == 2 and "WB039" not in codes(load)


def test_a_household_struck_through_is_loaded_with_a_warning(tmp_path):
    """An officer crosses out a household that left the list (strike-through) and keeps the
    row: it was loaded like any other without a word. It still loads (the row is written),
    with HW005 naming its struck cells; a struck cell outside the table says nothing."""
    rows = [household(i) for i in (1, 2, 3)]
    path = write_grid(
        tmp_path / "s.xlsx", {"DS": [[LABELS[k] for k in ALL_KEYS], *grid_rows(rows, ALL_KEYS)]}
    )
    wb = openpyxl.load_workbook(path)
    ws = wb["DS"]
    for cell in ws[3][:4]:  # the second household: id, name, CCCD, district
        cell.font = openpyxl.styles.Font(strike=True)
    ws["AZ40"] = "ghi chú"
    ws["AZ40"].font = openpyxl.styles.Font(strike=True)
    wb.save(path)
    load = process(path)
    assert len(load.households) == 3 and closes(load)
    [warning] = load.rejections[load.rejections["rule_code"] == "HW005"].to_dict("records")
    assert (warning["excel_row"], warning["severity"]) == (3, "warning")
    assert warning["value"] == "MN-000002" and warning["rule"].endswith("A3, B3, C3, D3")


def test_a_sheet_without_header_is_reported_and_the_others_load(tmp_path):
    good = [[LABELS[k] for k in ALL_KEYS], *grid_rows([household(1)], ALL_KEYS)]
    load = process(write_grid(tmp_path / "h.xlsx", {"DS": good, "Ghi chú": [["ghi chép"], [1]]}))
    assert len(load.households) == 1 and "WB002" in codes(load)


def test_no_recognisable_header_is_a_workbook_error(tmp_path):
    path = write_grid(tmp_path / "x.xlsx", {"DS": [["a", "b"], [1, 2]]})
    with pytest.raises(WorkbookError, match="no sheet has a recognisable header"):
        read_workbook(path)


def test_not_a_spreadsheet_is_a_workbook_error(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_text("Mã hộ,Họ và tên chủ hộ\n1,2\n", encoding="utf-8")
    with pytest.raises(WorkbookError):
        read_workbook(path)


def test_rules_have_codes_and_both_languages():
    for code, rule in RULES.items():
        assert rule.code == code and rule.vi and rule.en
        assert rule.severity in {"error", "warning", "notice"}
    assert config.load_province().name
