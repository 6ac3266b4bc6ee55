"""Every variant of workbook-layout.md ("Variants met in practice" 1-9), each a real workbook
written by the test, read and validated by the real reader and schemas."""

from __future__ import annotations

import datetime as dt
import random
import unicodedata

import openpyxl
import pandas as pd
import pytest

import config
from flows.workbook import process_workbook
from schemas.headers import BASE_LABELS, INDICATOR_SHORT_LABELS, fold_label, key_for_label
from tests.factory import BASE_ORDER, household, write_workbook
from tests.ingest.builders import (
    ALL_KEYS,
    INDICATOR_KEYS,
    LABELS,
    canonical_grid,
    closes,
    codes,
    grid_rows,
    process,
    to_tcvn3,
    write_grid,
    write_xls,
)
from workbooks.reader import read_workbook


def test_canonical_workbook_loads_every_row(tmp_path):
    load = process(write_workbook(tmp_path / "a.xlsx", [household(i) for i in range(1, 6)]))
    assert load.unit == "Mường Nhé"
    assert len(load.households) == 5 and load.file_record["rows_rejected"] == 0
    assert closes(load)


def test_1_title_and_signature_rows_are_found_and_counted(tmp_path):
    rows = [household(i) for i in range(1, 4)]
    grid = [
        ["UBND HUYỆN MƯỜNG NHÉ"],
        ["CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
        ["DANH SÁCH HỘ GIA ĐÌNH RÀ SOÁT NĂM 2019"],
        [],
        [LABELS[k] for k in ALL_KEYS],
        *grid_rows(rows, ALL_KEYS),
        [],
        [None, None, None, None, "Sín Thầu, ngày 20 tháng 12 năm 2019"],
        [None, "Người lập biểu", None, None, "Chủ tịch UBND xã"],
        [None, "(Ký, ghi rõ họ tên)"],
    ]
    path = write_grid(tmp_path / "t.xlsx", {"DS": grid})
    load = process(path)
    assert read_workbook(path).layouts[0].header_rows == (5,)
    assert list(load.households["excel_row"]) == [6, 7, 8]
    f = load.file_record
    assert (f["rows_loaded"], f["rows_blank"], f["rows_signature"]) == (3, 1, 3)
    assert closes(load)


def test_1_a_signature_block_with_its_signers_names_is_skipped(tmp_path):
    """The lines of a signature block ("TM. UBND XÃ", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH") and the
    signers' names typed under it were read as households and rejected: every commune's
    list got an error workbook. A short row with an id such as "TM-001" is still a row."""
    rows = [household(i) for i in range(1, 4)]
    grid = [
        [LABELS[k] for k in ALL_KEYS],
        *grid_rows(rows[:2], ALL_KEYS),
        ["TM-001", "Lò Văn Tám"],
        *grid_rows(rows[2:], ALL_KEYS),
        [],
        [None, None, None, None, "TM. ỦY BAN NHÂN DÂN"],
        [None, "Người tổng hợp", None, None, "KT. CHỦ TỊCH"],
        [None, None, None, None, "PHÓ CHỦ TỊCH"],
        [],
        [None, "Lò Thị Hoa", None, None, "Lò Văn Hùng"],
    ]
    load = process(write_grid(tmp_path / "s.xlsx", {"DS": grid}))
    f = load.file_record
    assert (f["rows_loaded"], f["rows_rejected"], f["rows_signature"]) == (3, 1, 4)
    assert set(load.rejections["excel_row"]) == {4} and closes(load)


def test_1_notes_under_the_list_close_it_with_the_signatures(tmp_path):
    """Notes typed under the list ("Ghi chú: ...", "Lưu ý ...", "* Số liệu tính đến ...") were
    read as households and rejected on every column. They close the list, as the signature
    block does; a short row between households that says nothing of the kind is still one."""
    rows = [household(i) for i in range(1, 4)]
    grid = [
        [LABELS[k] for k in ALL_KEYS],
        *grid_rows(rows[:2], ALL_KEYS),
        ["Lò Văn Tám"],
        *grid_rows(rows[2:], ALL_KEYS),
        [],
        ["Ghi chú: hộ ông Lò Văn A đã chuyển đi"],
        ["* Số liệu tính đến ngày 30/11/2026"],
        ["(*) Thu nhập bình quân một người một tháng"],
        [None, "LƯU Ý: không ghi tên người đã mất"],
    ]
    load = process(write_grid(tmp_path / "n.xlsx", {"DS": grid}))
    f = load.file_record
    assert (f["rows_loaded"], f["rows_rejected"], f["rows_signature"]) == (3, 1, 4)
    assert set(load.rejections["excel_row"]) == {4} and closes(load)


def test_1_a_row_numbering_the_columns_belongs_to_the_heading(tmp_path):
    """Official forms print a row of column numbers under the header ("(1) (2) (3)", or "A B
    1 2 ..."): it was read as a household, rejected on every column, and the totals row's
    count failed (WB004). It is part of the heading, on the members sheet too."""
    rows = [household(i) for i in range(1, 4)]
    numbers = [f"({i})" for i in range(1, len(ALL_KEYS) + 1)]
    grid = [["DANH SÁCH HỘ"], [LABELS[k] for k in ALL_KEYS], numbers, *grid_rows(rows, ALL_KEYS)]
    grid += [["Tổng cộng", 3]]
    members = [
        ["Mã hộ", "Họ và tên", "Dân tộc", "Quan hệ với chủ hộ", "Năm sinh", "Giới tính"],
        ["A", "B", 1, 2, 3, 4],
        [rows[0]["household_id"], "Lò Thị Mai", "Thái", "Vợ", 1990, "Nữ"],
    ]
    path = write_grid(tmp_path / "n.xlsx", {"DS": grid, "Thành viên hộ": members})
    load = process(path)
    assert read_workbook(path).layouts[0].header_rows == (2, 3)
    assert list(load.households["excel_row"]) == [4, 5, 6]
    assert load.rejections.empty, load.rejections
    assert load.members["member_name"].tolist() == ["Lò Thị Mai"]
    assert closes(load)
    # A household row is never taken for one: its id and name are no column numbers.
    grid[2] = [str(i) for i in range(1, len(ALL_KEYS) + 1)]
    grid[3][0] = "7"
    assert len(read_workbook(write_grid(tmp_path / "m.xlsx", {"DS": grid})).rows) == 3


def test_2_two_level_merged_headers(tmp_path):
    rows = [household(1, health_insurance="x"), household(2, drinking_water="x", latrine="x")]
    n_base = len(BASE_ORDER)
    top = [LABELS[k] for k in BASE_ORDER] + ["Các chỉ số thiếu hụt dịch vụ xã hội cơ bản"]
    top += [None] * (len(INDICATOR_KEYS) - 1)
    second = [None] * n_base + [LABELS[k] for k in INDICATOR_KEYS]
    grid = [["DANH SÁCH"], top, second, *grid_rows(rows, ALL_KEYS), ["Cộng", 2]]
    last = chr(ord("A") + len(ALL_KEYS) - 1)
    merges = [f"{chr(ord('A') + i)}2:{chr(ord('A') + i)}3" for i in range(n_base)]
    merges.append(f"{chr(ord('A') + n_base)}2:{last}2")
    path = write_grid(tmp_path / "m.xlsx", {"DS": grid}, {"DS": merges})
    load = process(path)
    layout = read_workbook(path).layouts[0]
    assert layout.header_rows == (2, 3)
    assert set(INDICATOR_KEYS) <= set(layout.columns)
    h = load.households
    deprived = dict(zip(h["household_id"], h["deprived_indicators"], strict=True))
    assert deprived == {
        "MN-000001": ["health_insurance"],
        "MN-000002": ["drinking_water", "latrine"],
    }
    assert closes(load) and load.file_record["rows_totals"] == 1


def test_2_three_level_headers_with_the_dimensions(tmp_path):
    """The labels merged down over three rows: the group "Các chỉ số thiếu hụt ...", the
    dimensions (Y tế, Giáo dục, ...), the indicators; then the column numbers. Only two rows
    were read as the header: the indicators' row was rejected as a household and every row
    after it for lacking the standard's indicators (HH034)."""
    rows = [household(1, health_insurance="x"), household(2, drinking_water="x")]
    n_base, n_ind = len(BASE_ORDER), len(INDICATOR_KEYS)
    top = [LABELS[k] for k in BASE_ORDER] + ["Các chỉ số thiếu hụt dịch vụ xã hội cơ bản"]
    top += [None] * (n_ind - 1)
    dimensions = [None] * n_base + ["Giáo dục", None, "Y tế", None, "Nhà ở", None]
    dimensions += ["Nước sạch và vệ sinh", None, "Thông tin", None]
    indicators = [None] * n_base + [LABELS[k] for k in INDICATOR_KEYS]
    numbers = [str(i) for i in range(1, len(ALL_KEYS) + 1)]
    grid = [["DANH SÁCH"], top, dimensions, indicators, numbers, *grid_rows(rows, ALL_KEYS)]
    letter = [chr(ord("A") + i) for i in range(len(ALL_KEYS))]
    merges = [f"{letter[i]}2:{letter[i]}4" for i in range(n_base)]
    merges.append(f"{letter[n_base]}2:{letter[-1]}2")
    merges += [f"{letter[n_base + i]}3:{letter[n_base + i + 1]}3" for i in range(0, n_ind, 2)]
    path = write_grid(tmp_path / "t.xlsx", {"DS": grid}, {"DS": merges})
    load = process(path)
    assert read_workbook(path).layouts[0].header_rows == (2, 3, 4, 5)
    assert load.rejections.empty, load.rejections
    assert load.households["deprived_indicators"].tolist() == [
        ["health_insurance"],
        ["drinking_water"],
    ]
    assert closes(load)


def test_3_columns_in_any_order_and_unknown_columns_kept_once(tmp_path):
    keys = ALL_KEYS[:]
    random.Random(4).shuffle(keys)
    keys = ["STT", *keys, "Số điện thoại"]
    labels = LABELS | {"STT": "STT", "Số điện thoại": "Số điện thoại"}
    sheets = {}
    for s, commune in enumerate(["Sín Thầu", "Chung Chải"]):
        rows = [
            household(10 * s + i, commune=commune, STT=i, **{"Số điện thoại": f"09{i:08d}"})
            for i in range(1, 4)
        ]
        sheets[commune] = [[labels[k] for k in keys], *grid_rows(rows, keys)]
    load = process(write_grid(tmp_path / "o.xlsx", sheets))
    assert len(load.households) == 6 and closes(load)
    assert set(load.households["commune"]) == {"Sín Thầu", "Chung Chải"}
    unknown = load.rejections[load.rejections["rule_code"] == "WB003"]
    assert len(unknown) == 1 and "STT" in unknown["rule"].iloc[0]
    assert "Số điện thoại" in unknown["rule"].iloc[0]
    extra = dict(load.raw["extra"].iloc[0])
    assert extra == {"STT": "1", "Số điện thoại": "0900000001"}


@pytest.mark.parametrize("form", ["plain", "upper", "NFD"])
def test_4_headers_without_diacritics_other_case_or_decomposed(tmp_path, form):
    if form == "plain":
        labels = {"household_id": "Ma ho", "head_name": "Ho va ten chu ho", "area": "Khu vuc"}
    elif form == "upper":
        labels = {"household_id": "MÃ  HỘ", "household_size": "SO NHAN KHAU", "commune": " xã "}
    else:
        labels = {k: unicodedata.normalize("NFD", v) for k, v in LABELS.items()}
    rows = [
        household(i, district=unicodedata.normalize("NFD", "Mường Nhé"), ethnicity="HÀ NHÌ")
        for i in range(1, 4)
    ]
    load = process(write_workbook(tmp_path / f"{form}.xlsx", rows, labels=labels))
    assert len(load.households) == 3, load.rejections
    assert set(load.households["district"]) == {"Mường Nhé"}  # canonical NFC
    assert set(load.households["ethnicity"]) == {"Hà Nhì"}


def test_ethnic_groups_written_by_a_local_group_or_another_name(tmp_path):
    """Điện Biên's households write Thái đen, Thái trắng, Mông Hoa, Dao đỏ, or "dân tộc
    Thái": each is its ethnic group (the cell as typed stays in the raw layer); they were
    rejected (HH022), and a commune writing them lost more than a fifth of its list."""
    written = ["Thái đen", "Thái Trắng", "Mông Hoa", "Dao đỏ", "dân tộc Thái", "Việt"]
    written += ["Tày Mười", "Cơ Ho", "Tày"]
    # Other names of Điện Biên's groups (Xá Cẩu: Khơ Mú; Xá Khao: Kháng; U Ni: Hà Nhì).
    written += ["Xá Cẩu", "Xá Khao", "U Ni", "Sinh Mun"]
    written += ["DT Thái", "Khơmú", "Xá Phó", "Mán"]
    rows = [household(i, ethnicity=e) for i, e in enumerate(written, 1)]
    load = process(write_workbook(tmp_path / "e.xlsx", rows))
    assert load.households["ethnicity"].tolist() == [
        *["Thái", "Thái", "Mông", "Dao", "Thái", "Kinh"],
        *["Thái", "Cơ Ho", "Tày"],
        *["Khơ Mú", "Kháng", "Hà Nhì", "Xinh Mun"],
        *["Thái", "Khơ Mú", "Phù Lá", "Dao"],
    ], load.rejections
    assert load.raw["ethnicity"].tolist()[:2] == ["Thái đen", "Thái Trắng"]
    load = process(write_workbook(tmp_path / "x.xlsx", [household(1, ethnicity="Xá")]))
    assert "HH022" in codes(load)  # a name of several groups: not guessed


def test_the_commune_classification_and_cause_in_their_usual_wordings(tmp_path):
    """The form's own wordings of a cause ("Không có vốn sản xuất, kinh doanh", "Có người ốm
    đau, bệnh nặng, tai nạn") and "Hộ trung bình" for the average-living class rejected the
    household (HH019, HH018); an unlisted cause is a warning: the household loads, counted
    under no cause."""
    said = [
        ("Không có vốn sản xuất, kinh doanh", "Hộ trung bình"),
        ("Có người ốm đau, bệnh nặng, tai nạn", "Mức sống TB"),
        ("Không có kỹ năng lao động, sản xuất", "Hộ nghèo"),
        ("Đông con", "Hộ nghèo"),
    ]
    rows = [
        household(i, poverty_cause=c, commune_classification=k) for i, (c, k) in enumerate(said, 1)
    ]
    load = process(write_workbook(tmp_path / "c.xlsx", rows))
    h = load.households
    assert h["poverty_cause"].tolist()[:3] == ["capital", "illness", "skills"]
    assert pd.isna(h["poverty_cause"].iloc[3])
    assert h["commune_classification"].tolist() == ["average", "average", "poor", "poor"]
    [(code, severity)] = load.rejections[["rule_code", "severity"]].drop_duplicates().values
    assert (code, severity) == ("HH019", "warning")
    assert load.raw["poverty_cause"].iloc[3] == "Đông con"


def test_a_members_sheet_with_dates_of_birth_keeps_their_years(tmp_path):
    """`Ngày sinh` holds dates (a date cell, 15/03/2010, 2014-05-01): the birth year is theirs;
    it was left blank with a warning (HW003) for each member."""
    rows = [household(1), household(2)]
    members = [
        ["Mã hộ", "Họ và tên", "Dân tộc", "Quan hệ với chủ hộ", "Ngày sinh", "Giới tính"],
        [rows[0]["household_id"], "Lò Thị Mai", "Thái", "Vợ", dt.datetime(1990, 3, 15), "Nữ"],
        [rows[0]["household_id"], "Lò Văn A", "Thái", "Con", "15/03/2010", "Nam"],
        [rows[1]["household_id"], "Lò Văn B", "Thái", "Con", "2014-05-01", "Nam"],
        [rows[1]["household_id"], "Lò Văn C", "Thái", "Con", 2013, "Nam"],
        [rows[1]["household_id"], "Lò Văn D", "Thái", "Con", "năm 90", "Nam"],
    ]
    load = process(
        write_workbook(tmp_path / "m.xlsx", rows, extra_sheets={"Thành viên hộ": members})
    )
    assert load.members["birth_year"].fillna(0).tolist() == [1990, 2010, 2014, 2013, 0]
    assert codes(load).count("HW003") == 1  # "năm 90" is no year: left blank, warned


@pytest.mark.parametrize("form", ["numbered", "short"])
def test_4_indicator_headers_numbered_or_short(tmp_path, form):
    """The forms number the indicators ("1. Trình độ giáo dục...", "(2) ...", "Chỉ số 3: ...")
    and offices shorten them (BHYT, Nước sạch, Hố xí): unknown, so every indicator column was
    missing and the workbook refused (WB012)."""
    if form == "numbered":
        styles = ["{n}. {label}", "({n}) {label}", "Chỉ số {n}: {label}", "{letter}) {label}"]
        labels = {
            k: styles[n % 4].format(n=n + 1, letter="abcdefghij"[n], label=LABELS[k])
            for n, k in enumerate(INDICATOR_KEYS)
        }
    else:
        labels = {
            "health_insurance": "BHYT",
            "drinking_water": "Nước sạch",
            "latrine": "Hố xí",
            "telecom": "Viễn thông",
            "living_area": "Diện tích nhà ở",
            "child_school_attendance": "Trẻ em đi học",
            "income_per_capita": "TNBQ",
        }
    rows = [household(1, health_insurance="x", latrine="x"), household(2, telecom="x")]
    load = process(write_workbook(tmp_path / "h.xlsx", rows, labels=labels))
    assert load.refused is None and "WB003" not in codes(load), load.rejections
    deprived = load.households["deprived_indicators"].tolist()
    assert deprived == [["health_insurance", "latrine"], ["telecom"]]


def test_4_headers_of_the_official_terms_in_use(tmp_path):
    """The identity number since the Law on Identification 2023, the village that is a tổ dân
    phố in a ward: a required column unrecognised refused the workbook (WB005)."""
    labels = {
        "head_id_number": "Số định danh cá nhân",
        "village": "Thôn, bản, tổ dân phố",
        "ethnicity": "Dân tộc của chủ hộ",
        "household_size": "Số người trong hộ",
        "area": "Thành thị/Nông thôn",
    }
    rows = [household(i, head_id_number=f"0112{i:08d}") for i in range(1, 4)]
    load = process(write_workbook(tmp_path / "terms.xlsx", rows, labels=labels))
    assert load.refused is None and len(load.households) == 3, load.rejections
    assert "WB003" not in codes(load)  # no column left unknown
    assert load.private["head_id_number"].tolist() == [f"0112{i:08d}" for i in range(1, 4)]


def test_4_the_heads_name_headed_as_on_a_members_sheet(tmp_path):
    """A household list heading its name column "Họ và tên" was refused for a missing head's
    name (WB005). It is the head's name; a members sheet with the same label, and as many
    household-like columns (Xã, Thôn, bản), is still read as members."""
    rows = [household(1), household(2)]
    path = write_workbook(tmp_path / "n.xlsx", rows, labels={"head_name": "Họ và tên"})
    load = process(path)
    assert load.refused is None and len(load.households) == 2, load.rejections
    members = [
        ["Mã hộ", "Họ và tên", "Dân tộc", "Quan hệ với chủ hộ", "Năm sinh", "Giới tính", "Xã",
         "Thôn, bản"],
        ["MN-000001", "Lò Thị Mai", "Hà Nhì", "Vợ", 1974, "Nữ", "Sín Thầu", "Bản Tá Miếu"],
    ]  # fmt: skip
    grid = [[LABELS[k] for k in ALL_KEYS], *grid_rows(rows, ALL_KEYS)]
    read = read_workbook(write_grid(tmp_path / "m.xlsx", {"DS": grid, "TV": members}))
    assert read.members["member_name"].tolist() == ["Lò Thị Mai"]
    assert set(read.rows["sheet"]) == {"DS"}


def test_2_a_column_split_into_its_choices_under_a_merged_header(tmp_path):
    """Forms print "Giới tính chủ hộ" over Nam | Nữ, "Khu vực" over Nông thôn | Thành thị,
    "Phân loại hộ" over Nghèo | Cận nghèo, and mark one: an x, or the head's birth year. The
    x under Nam was read as the sex and rejected (HH037); an area of x refused the workbook.
    The marked column's sub-header is the value now; a row marking both is still rejected,
    one marking none is blank."""
    keys = [k for k in ALL_KEYS if k not in ("area", "head_sex")]
    top = [LABELS[k] for k in keys] + ["Khu vực", None, "Giới tính chủ hộ", None]
    top += ["Phân loại hộ", None]
    second = [None] * len(keys) + ["Nông thôn", "Thành thị", "Nam", "Nữ", "Nghèo", "Cận nghèo"]
    rows = [household(i) for i in range(1, 6)]
    marks = [["x", None, 1970, None, "x", None], [None, "x", None, "1982", None, "x"]]
    marks += [["X", "0", "x", "x", None, None], ["x", None, None, None, None, None]]
    marks += [["x", "không", "x", "-", None, None]]
    body = [r + m for r, m in zip(grid_rows(rows, keys), marks, strict=True)]
    end = len(keys)
    letters = [openpyxl.utils.get_column_letter(end + i) for i in range(1, 7)]
    merges = {"DS": [f"{a}1:{b}1" for a, b in zip(letters[::2], letters[1::2], strict=True)]}
    load = process(write_grid(tmp_path / "c.xlsx", {"DS": [top, second, *body]}, merges))
    h = load.households.set_index("excel_row")
    assert h["area"].to_dict() == {3: "rural", 4: "urban", 6: "rural", 7: "rural"}
    assert h["head_sex"].fillna("blank").to_dict() == {
        3: "male",
        4: "female",
        6: "blank",
        7: "male",
    }
    [rejected] = load.rejections.loc[load.rejections["rule_code"] == "HH037", "excel_row"]
    assert rejected == 5 and "WB003" not in codes(load) and closes(load)
    assert load.raw.set_index("excel_row")["head_sex"].to_dict()[5] == "Nam; Nữ"


def test_3_an_unknown_column_headed_like_a_key_is_kept(tmp_path):
    """Found by the fuzz suite (800 random examples): an unknown column headed with a column
    key ("income_per_capita", "household_id", as an analyst's export names them) met that
    column when the raw layer's extras were built, and the workbook crashed (ArrowInvalid)."""
    grid = [[*(LABELS[k] for k in ALL_KEYS), "income_per_capita", "household_id"]]
    grid += [[*r, "850000", "x"] for r in grid_rows([household(1)], ALL_KEYS)]
    load = process(write_grid(tmp_path / "k.xlsx", {"DS": grid}))
    assert len(load.households) == 1
    assert dict(load.raw["extra"].iloc[0]) == {"income_per_capita": "850000", "household_id": "x"}


def test_4_no_header_names_two_columns():
    """Every label, short form and indicator name folds to one key only: a label shared by
    two keys would read one column as another without a word."""
    keys_of: dict[str, set[str]] = {}
    named = [(k, label) for k, labels in BASE_LABELS.items() for label in labels]
    named += [(k, label) for k, labels in INDICATOR_SHORT_LABELS.items() for label in labels]
    named += [(i.key, i.name_vi) for st in config.standards() for i in st.indicators]
    for key, label in named:
        keys_of.setdefault(fold_label(label), set()).add(key)
    assert {f: ks for f, ks in keys_of.items() if len(ks) > 1} == {}
    assert all(key_for_label(label) == key for key, label in named)


@pytest.mark.parametrize("label", ["Mã số", "Mã hộ nghèo"])
def test_4_the_household_code_headed_as_the_lists_only_code(tmp_path, label):
    """A list whose one code column is headed "Mã số" or "Mã hộ nghèo" was refused for a
    missing household id (WB005); beside a "Mã hộ" column, that one is the id."""
    rows = [household(1), household(2)]
    load = process(write_workbook(tmp_path / "c.xlsx", rows, labels={"household_id": label}))
    assert load.refused is None and len(load.households) == 2, load.rejections
    grid = [["Mã hộ", *(LABELS[k] for k in ALL_KEYS[1:]), label]]
    grid += [[*r, f"HN-{i}"] for i, r in enumerate(grid_rows(rows, ALL_KEYS))]
    load = process(write_grid(tmp_path / "b.xlsx", {"DS": grid}))
    assert load.households["household_id"].tolist() == ["MN-000001", "MN-000002"]


def test_4_more_wordings_of_the_optional_and_place_columns(tmp_path):
    """Wordings from communes' lists, each unknown before: the optional columns were left
    unread (WB003), so the forms said "không thu thập" for them; the id and village columns
    refused the workbook (WB005)."""
    labels = {
        "household_id": "Mã số HGĐ",
        "village": "Thôn/Bản/Tổ DP",
        "income_per_capita": "Mức thu nhập BQ/người/tháng (đồng)",
        "meritorious": "Người có công với CM",
        "no_working_capacity": "Hộ không có người có khả năng lao động",
        "poverty_cause": "Lý do nghèo",
        "head_sex": "Giới tính CH",
        "social_protection": "Hộ thuộc đối tượng BTXH",
        "commune_classification": "Kết quả phân loại hộ",
    }
    row = household(1, meritorious="x", poverty_cause="Thiếu vốn", head_sex="Nữ")
    load = process(write_workbook(tmp_path / "w.xlsx", [row], labels=labels))
    assert load.refused is None and "WB003" not in codes(load), load.rejections
    h = load.households.iloc[0]
    assert (h["meritorious"], h["poverty_cause"], h["head_sex"]) == (True, "capital", "female")


def test_4_headers_as_offices_shorten_or_lengthen_them(tmp_path):
    """Headers met in offices' lists, each unknown before: a required one refused the
    workbook (WB005), an optional one was left unread (WB003)."""
    labels = {
        "household_id": "Mã số hộ gia đình",
        "head_name": "Họ và tên chủ hộ gia đình",
        "head_id_number": "CCCD/CMND",
        "commune": "Xã/Thị trấn",
        "village": "Thôn/bản/TDP",
        "household_size": "Số người",
        "poverty_cause": "Nguyên nhân nghèo, cận nghèo",
        "head_sex": "Nam/Nữ",
        "social_protection": "Hộ BTXH",
        "commune_classification": "Phân loại hộ",
    }
    extra = {"poverty_cause": "Thiếu vốn", "head_sex": "Nữ", "social_protection": "x"}
    rows = [household(1, commune_classification="Hộ cận nghèo", **extra)]
    load = process(write_workbook(tmp_path / "h.xlsx", rows, labels=labels))
    assert load.refused is None and "WB003" not in codes(load), load.rejections
    h = load.households.iloc[0]
    assert (h["poverty_cause"], h["head_sex"], h["social_protection"]) == (
        "capital",
        "female",
        True,
    )
    assert h["commune_classification"] == "near_poor"


@pytest.mark.parametrize(
    "label",
    [
        "Thu nhập bình quân đầu người/tháng (nghìn đồng)",
        "Thu nhập BQ đầu người (1000đ)",
        "Thu nhập bình quân đầu người/tháng (1.000 VNĐ)",
        "Thu nhập BQ đầu người (ngàn đồng)",
    ],
)
def test_5_income_in_thousand_dong_is_scaled(tmp_path, label):
    rows = [household(1, income_per_capita=850), household(2, income_per_capita="1.250,5")]
    load = process(write_workbook(tmp_path / "k.xlsx", rows, labels={"income_per_capita": label}))
    assert list(load.households["income_per_capita"]) == [850_000, 1_250_500]
    assert "WB007" in codes(load)


@pytest.mark.parametrize("label", ["Thu nhập bình quân đầu người/tháng", "Thu nhập (nghìn đồng)"])
def test_5_an_income_cell_that_says_its_multiple_is_read_so(tmp_path, label):
    """`1,2 triệu`, `850 nghìn`, `1.5tr`, `900k` in the cell: rejected before (HH011). The
    cell's own multiple wins over its column's unit; a bare number keeps the column's."""
    written = ["1,2 triệu", "850 nghìn", "1.5tr", "900k", "2 triệu đồng/tháng", "1.300"]
    written += ["1,250 triệu", "1.250 nghìn"]  # millions with a decimal mark; thousands
    rows = [household(i, income_per_capita=w) for i, w in enumerate(written, 1)]
    load = process(write_workbook(tmp_path / "w.xlsx", rows, labels={"income_per_capita": label}))
    bare = 1_300_000 if "nghìn" in label else 1_300
    expected = [1_200_000, 850_000, 1_500_000, 900_000, 2_000_000, bare, 1_250_000, 1_250_000]
    assert load.households["income_per_capita"].tolist() == expected, load.rejections
    assert not {"HH011", "HH009"} & set(codes(load))
    assert load.raw["income_per_capita"].tolist() == written


@pytest.mark.parametrize(
    "label",
    ["Thu nhập bình quân đầu người/tháng (triệu đồng)", "Thu nhập BQ đầu người (1.000.000 đ)"],
)
def test_5_income_in_million_dong_is_scaled(tmp_path, label):
    """A per-person income of 1.2 million written 1,2 under `(triệu đồng)` was read as 1.2 đồng:
    every household poor, with a warning each (HW001)."""
    rows = [household(1, income_per_capita="1,2"), household(2, income_per_capita=2.5)]
    load = process(write_workbook(tmp_path / "m.xlsx", rows, labels={"income_per_capita": label}))
    assert list(load.households["income_per_capita"]) == [1_200_000, 2_500_000]
    [wb007] = load.rejections.loc[load.rejections["rule_code"] == "WB007", "rule"]
    assert wb007.endswith("income scaled x1000000")
    assert "HW001" not in codes(load)


def test_5_a_sheet_in_thousand_dong_under_a_header_in_dong_is_refused(tmp_path):
    """Incomes in thousand đồng whose header does not say so make every household poor: a
    fault of the workbook (WB029, structural), the unit's loaded version kept. A few low
    incomes are rows to check (HW001), and the sheet loads."""
    rows = [household(i, income_per_capita=850 + i) for i in range(1, 16)]
    rows += [household(i, income_per_capita=1_200_000) for i in range(16, 20)]
    load = process(write_workbook(tmp_path / "k.xlsx", rows))
    assert load.refused and "15 trên 19 hộ dưới 10% chuẩn nghèo" in load.refused
    assert {"WB029", "WB017"} <= set(codes(load))
    rows = [household(i, income_per_capita=850 + i) for i in range(1, 10)]
    rows += [household(i, income_per_capita=1_200_000) for i in range(10, 20)]
    load = process(write_workbook(tmp_path / "few.xlsx", rows))
    assert load.refused is None and len(load.households) == 19
    assert "WB029" not in codes(load) and "HW001" in codes(load)


def test_5_a_sheet_of_yearly_household_incomes_is_refused(tmp_path):
    """Incomes a year and for the whole household (90 million đồng) make nobody poor: a fault
    of the workbook (WB033, structural), the unit's loaded version kept."""
    rows = [household(i, income_per_capita=90_000_000 + i) for i in range(1, 13)]
    load = process(write_workbook(tmp_path / "y.xlsx", rows))
    assert load.refused and "12 trên 12 hộ trên 20 lần mức sống trung bình" in load.refused
    assert {"WB033", "WB017"} <= set(codes(load)) and "WB029" not in codes(load)


def test_5_a_households_total_income_beside_the_per_person_one_is_not_taken_for_it(tmp_path):
    """A column "Thu nhập" (the household's) before "Thu nhập bình quân đầu người/tháng": the
    first column naming a key was taken, so every household's total was read as its income
    per person, without a word. The canonical label's column is the key's; the other is kept
    as an unknown column."""
    keys = ["Thu nhập", *ALL_KEYS]
    rows = [household(1, **{"Thu nhập": 4_250_000})]
    load = process(write_grid(tmp_path / "t.xlsx", {"DS": canonical_grid(rows, keys)}))
    assert list(load.households["income_per_capita"]) == [850_000]
    assert dict(load.raw["extra"].iloc[0]) == {"Thu nhập": "4250000"}


def test_5_a_group_thu_nhap_over_the_households_total_and_the_per_person_income(tmp_path):
    """ "Thu nhập (đồng)" merged over "Tổng thu nhập của hộ/năm" | "Bình quân đầu người/tháng":
    the group's column, the household's yearly total, was read as the income per person
    (divided by 12: WB007) and the check said OK with most poor households gone. The better
    label below the group names the column; the total is kept as an unknown column."""
    keys = [k for k in ALL_KEYS if k != "income_per_capita"]
    n_base = len(BASE_ORDER) - 1  # the indicators under their group, as the forms print them
    top = [LABELS[k] for k in keys[:n_base]] + ["Các chỉ số thiếu hụt"]
    top += [None] * (len(INDICATOR_KEYS) - 1) + ["Thu nhập (đồng)", None]
    second = [None] * n_base + [LABELS[k] for k in INDICATOR_KEYS]
    second += ["Tổng thu nhập của hộ/năm", "Bình quân đầu người/tháng"]
    rows = [household(1, income_per_capita=850_000), household(2, income_per_capita=1_700_000)]
    body = [[*r, h["income_per_capita"] * 12 * 4, h["income_per_capita"]]
            for r, h in zip(grid_rows(rows, keys), rows, strict=True)]  # fmt: skip
    merges = {"DS": [f"{openpyxl.utils.get_column_letter(len(keys) + 1)}1:"
                     f"{openpyxl.utils.get_column_letter(len(keys) + 2)}1"]}  # fmt: skip
    load = process(write_grid(tmp_path / "g.xlsx", {"DS": [top, second, *body]}, merges))
    assert load.households["income_per_capita"].tolist() == [850_000, 1_700_000]
    assert "WB007" not in codes(load)
    assert dict(load.raw["extra"].iloc[0]) == {"Tổng thu nhập của hộ/năm": "40800000"}
    # Beside a per-person column not recognised, the total is never taken for it: refused.
    second[-1] = "Bình quân mỗi khẩu"
    load = process(write_grid(tmp_path / "u.xlsx", {"DS": [top, second, *body]}, merges))
    assert load.refused is not None and "WB005" in codes(load)


@pytest.mark.parametrize(
    ("last_year", "this_year"),
    [
        ("Thu nhập BQ đầu người/tháng năm 2018", "Thu nhập BQ đầu người/tháng năm 2019"),
        ("Thu nhập BQ đầu người/tháng (năm 2018)", "Thu nhập BQ đầu người/tháng (năm 2019)"),
    ],
)
def test_5_income_columns_of_two_years_the_reviews_is_read(tmp_path, last_year, this_year):
    """Last year's income kept beside this year's, each column naming its year. Named after
    the label ("năm 2018"), neither was recognised and the workbook was refused (WB005); named
    in brackets, both were, and the first, last year's, was read as the review's income
    without a word. The review's column is read; the other year's is kept in the raw layer,
    named by WB040. A review's lists are for the next year: "năm 2020" is this review's."""
    keys = [last_year, *ALL_KEYS]
    rows = [household(i, **{last_year: 400_000}) for i in (1, 2)]
    labels = LABELS | {"income_per_capita": this_year}
    grid = [[labels.get(k, k) for k in keys], *grid_rows(rows, keys)]
    load = process(write_grid(tmp_path / "y.xlsx", {"DS": grid}))
    assert load.refused is None and list(load.households["income_per_capita"]) == [850_000] * 2
    assert dict(load.raw["extra"].iloc[0]) == {last_year: "400000"}
    [wb040] = load.rejections.loc[load.rejections["rule_code"] == "WB040", "rule"]
    assert wb040.endswith(f"'{last_year}'")
    # Only last year's: the income per person is missing (WB005), never taken from it.
    alone = [[LABELS[k] if k != "income_per_capita" else last_year for k in ALL_KEYS]]
    alone += grid_rows(rows, ALL_KEYS)
    load = process(write_grid(tmp_path / "old.xlsx", {"DS": alone}))
    assert load.refused is not None and {"WB005", "WB040"} <= set(codes(load))
    # The year its lists are for, or no year: the review's.
    for label in ("Thu nhập BQ đầu người/tháng năm 2020", "Số nhân khẩu năm 2019"):
        key = "household_size" if label.startswith("Số") else "income_per_capita"
        named = [[label if k == key else LABELS[k] for k in ALL_KEYS], *grid_rows(rows, ALL_KEYS)]
        load = process(write_grid(tmp_path / "n.xlsx", {"DS": named}))
        assert load.refused is None and len(load.households) == 2 and "WB040" not in codes(load)


@pytest.mark.parametrize(
    ("key", "old", "new", "above"),
    [
        ("household_id", "Mã hộ (cũ)", "Mã hộ (mới)", None),
        ("village", "Thôn, bản (cũ)", "Thôn, bản", None),
        ("income_per_capita", "TNBQ đầu người/tháng (trước rà soát)",
         "TNBQ đầu người/tháng (sau rà soát)", None),
        ("income_per_capita", "Thu nhập BQ/người/tháng", "Thu nhập BQ/người/tháng",
         ("Năm 2018", "Năm 2019")),
    ],
)  # fmt: skip
def test_4_two_columns_of_one_name_the_reviews_is_read(tmp_path, key, old, new, above):
    """A column kept from last year beside the review's, both named alike: "Mã hộ (cũ)" |
    "Mã hộ (mới)", "(trước rà soát)" | "(sau rà soát)", or under "Năm 2018" | "Năm 2019".
    The bracket or the row above is no part of a label, so both named the key and the
    leftmost, last year's, was read without a word: every id, village or income. The column
    its heading marks as the review's is read; the other is kept as an unknown column."""
    keys = ["old", *ALL_KEYS]
    rows = [household(i, old={"household_id": f"X-{i}", "village": "Bản Cũ"}.get(key, 400_000))
            for i in (1, 2)]  # fmt: skip
    labels = LABELS | {"old": old, key: new}
    grid = [[labels[k] for k in keys], *grid_rows(rows, keys)]
    if above:  # a row of groups over the two columns
        grid.insert(0, [above[0] if k == "old" else above[1] if k == key else None for k in keys])
    load = process(write_grid(tmp_path / "c.xlsx", {"DS": grid}))
    assert load.refused is None and len(load.households) == 2
    assert list(load.households[key]) == [household(i)[key] for i in (1, 2)]
    assert list(dict(load.raw["extra"].iloc[0]).values()) == [str(rows[0]["old"])]


def test_4_two_columns_of_one_name_neither_marked_refuse_the_workbook(tmp_path):
    """ "Dân tộc (vợ/chồng)" before "Dân tộc (chủ hộ)": the spouse's was read as the head's
    without a word. Which is meant cannot be told from the headers: the workbook is refused
    (WB041, structural), naming both."""
    keys = ["spouse", *ALL_KEYS]
    rows = [household(i, spouse="Kinh") for i in (1, 2)]
    labels = LABELS | {"spouse": "Dân tộc (vợ/chồng)", "ethnicity": "Dân tộc (chủ hộ)"}
    grid = [[labels[k] for k in keys], *grid_rows(rows, keys)]
    load = process(write_grid(tmp_path / "e.xlsx", {"DS": grid}))
    assert load.refused is not None and "WB041" in codes(load)
    [wb041] = load.rejections.loc[load.rejections["rule_code"] == "WB041", "rule"]
    assert wb041.endswith("'Dân tộc (vợ/chồng)', 'Dân tộc (chủ hộ)'")


@pytest.mark.parametrize(
    ("label", "written"),
    [
        ("Thu nhập bình quân đầu người (đồng/năm)", 10_200_000),
        ("Thu nhập bình quân đầu người (nghìn đồng/năm)", "10.200"),
    ],
)
def test_5_income_for_a_year_is_divided_by_twelve(tmp_path, label, written):
    """A header saying the amount is a year's ("(đồng/năm)") was read as a month's: every
    household twelve times richer, none poor, without a word. The line is a month's."""
    rows = [household(1, income_per_capita=written)]
    load = process(write_workbook(tmp_path / "y.xlsx", rows, labels={"income_per_capita": label}))
    assert list(load.households["income_per_capita"]) == [850_000]
    [wb007] = load.rejections.loc[load.rejections["rule_code"] == "WB007", "rule"]
    assert "income per year, divided by 12" in wb007
    dated = {"income_per_capita": "Thu nhập BQ đầu người (đồng, năm 2019)"}
    load = process(write_workbook(tmp_path / "m.xlsx", [household(1)], labels=dated))
    assert list(load.households["income_per_capita"]) == [850_000] and "WB007" not in codes(load)


@pytest.mark.parametrize("layout", ["two-level", "notes row"])
def test_5_the_unit_written_under_the_income_label_is_read(tmp_path, layout):
    """A header typed on two rows puts "(nghìn đồng)" under the label, in a cell of its own:
    the unit was read from the label's cell only, so the sheet was refused as implausibly low
    (WB029), or (a row of unit notes under a flat header) that row was rejected as a
    household. The unit is read from every row of the heading; a notes row is heading."""
    rows = [household(i, income_per_capita=850 + i) for i in range(1, 4)]
    labels = LABELS | {"income_per_capita": "Thu nhập bình quân đầu người/tháng"}
    top = [labels[k] for k in ALL_KEYS]
    under = [None] * len(ALL_KEYS)
    under[ALL_KEYS.index("income_per_capita")] = "(nghìn đồng)"
    if layout == "two-level":
        top[len(BASE_ORDER) :] = ["Các chỉ số thiếu hụt"] + [None] * (len(INDICATOR_KEYS) - 1)
        for k in INDICATOR_KEYS:
            under[ALL_KEYS.index(k)] = LABELS[k]
    else:
        under[ALL_KEYS.index("household_size")] = "(người)"
    grid = [["DANH SÁCH HỘ"], top, under, *grid_rows(rows, ALL_KEYS), ["Tổng cộng", 3]]
    path = write_grid(tmp_path / "u.xlsx", {"DS": grid})
    load = process(path)
    assert read_workbook(path).layouts[0].header_rows == (2, 3)
    assert list(load.households["income_per_capita"]) == [851_000, 852_000, 853_000]
    assert load.refused is None and load.rejections["rule_code"].isin(["WB007"]).all()
    assert closes(load)


@pytest.mark.parametrize(
    ("line", "label", "scaled"),
    [
        ("ĐVT: nghìn đồng", "Thu nhập bình quân đầu người/tháng", True),
        ("(Đơn vị tính: 1.000 đ)", "Thu nhập BQ đầu người", True),
        ("ĐVT: nghìn đồng", "Thu nhập bình quân đầu người/tháng (đồng)", False),
        ("ĐVT: hộ, người", "Thu nhập bình quân đầu người/tháng", False),
    ],
)
def test_5_a_unit_line_above_the_table_gives_the_incomes_unit(tmp_path, line, label, scaled):
    """Official forms print the unit on a line above the table ("ĐVT: nghìn đồng"), not in
    the income's header: the sheet was refused as implausibly low (WB029). That line is the
    unit when the income's own heading names none; a heading that does ("(đồng)") wins, and a
    line naming no money unit is none."""
    rows = [household(i, income_per_capita=850 + i) for i in range(1, 4)]
    labels = LABELS | {"income_per_capita": label}
    grid = [["DANH SÁCH HỘ"], [None] * 8 + [line], [labels[k] for k in ALL_KEYS]]
    grid += [*grid_rows(rows, ALL_KEYS), ["Tổng cộng", 3]]
    load = process(write_grid(tmp_path / "dvt.xlsx", {"DS": grid}))
    if scaled:
        assert load.households["income_per_capita"].tolist() == [851_000, 852_000, 853_000]
        assert load.refused is None and "WB007" in codes(load), load.rejections
    else:  # as typed, each with its implausibly-low warning (a sheet this small is not WB029)
        assert load.households["income_per_capita"].tolist() == [851, 852, 853]
        assert "WB007" not in codes(load) and "HW001" in codes(load)


@pytest.mark.parametrize(
    "label", ["Thu nhập bình quân đầu người/tháng (đồng)", "Thu nhập (VNĐ/người/tháng)"]
)
def test_5_income_in_dong_is_not_scaled(tmp_path, label):
    rows = [household(1, income_per_capita=850_000)]
    load = process(write_workbook(tmp_path / "d.xlsx", rows, labels={"income_per_capita": label}))
    assert list(load.households["income_per_capita"]) == [850_000]
    assert "WB007" not in codes(load)


def test_6_a_header_repeated_inside_the_table_is_heading(tmp_path):
    """Two tables pasted together, or a header printed on each page: the header (two levels
    and its column numbers) came back between households and each of its rows was rejected
    as a household on every column. Those rows are skipped and counted as heading rows."""
    rows = [household(i, health_insurance="x" if i == 4 else None) for i in range(1, 6)]
    n_base = len(BASE_ORDER)
    top = [LABELS[k] for k in BASE_ORDER] + ["Các chỉ số thiếu hụt"]
    top += [None] * (len(INDICATOR_KEYS) - 1)
    second = [None] * n_base + [LABELS[k] for k in INDICATOR_KEYS]
    numbers = [f"({i})" for i in range(1, len(ALL_KEYS) + 1)]
    heading = [top, second, numbers]
    body = grid_rows(rows, ALL_KEYS)
    grid = [["DANH SÁCH"], *heading, *body[:3], *heading, *body[3:], ["Tổng cộng", 5]]
    load = process(write_grid(tmp_path / "r.xlsx", {"DS": grid}))
    assert load.rejections.empty, load.rejections
    assert list(load.households["excel_row"]) == [5, 6, 7, 11, 12]
    assert load.households["deprived_indicators"].map(len).tolist() == [0, 0, 0, 1, 0]
    f = load.file_record
    assert (f["rows_loaded"], f["rows_heading"], f["rows_totals"]) == (5, 3, 1)
    assert closes(load)


def test_6_rows_heading_groups_by_status_are_headings(tmp_path):
    """One sheet, the households grouped under "A. HỘ NGHÈO", "B. HỘ CẬN NGHÈO", "C. HỘ CÓ
    MỨC SỐNG TRUNG BÌNH VÀ HỘ KHÁC": each such row was read as a household and rejected on
    every column, and the totals row said the rows above held three more (WB004)."""
    rows = grid_rows([household(i) for i in range(1, 6)], ALL_KEYS)
    grid = [
        [LABELS[k] for k in ALL_KEYS],
        ["A. HỘ NGHÈO"], *rows[:2],
        ["B. HỘ CẬN NGHÈO", "2 hộ"], *rows[2:4],
        ["C. HỘ CÓ MỨC SỐNG TRUNG BÌNH VÀ HỘ KHÁC"], *rows[4:],
        ["Tổng cộng", 5],
    ]  # fmt: skip
    load = process(write_grid(tmp_path / "s.xlsx", {"DS": grid}))
    assert load.rejections.empty, load.rejections
    f = load.file_record
    assert (f["rows_loaded"], f["rows_heading"]) == (5, 3) and closes(load)


def test_6_rows_naming_a_village_give_it_to_the_households_below(tmp_path):
    """Lists grouped by village: a row names the village alone ("I. Bản Tá Miếu", or merged
    across the row) and its households leave the village blank. That row was rejected as a
    household and every household below it for a missing village (HH005). Now the row is a
    heading, a blank village takes the row's (WB034 says which rows), a typed one is kept."""
    rows = [household(i, village=None) for i in range(1, 6)]
    rows[2]["village"] = "Bản Nậm Pồ"
    body = grid_rows(rows, ALL_KEYS)
    grid = [
        ["DANH SÁCH"],
        [LABELS[k] for k in ALL_KEYS],
        ["I", "Bản Tá Miếu", None, "3"],
        *body[:3],
        ["II. BẢN HUỔI LẾCH"],
        *body[3:],
        ["Tổng cộng", 5],
    ]
    path = write_grid(tmp_path / "v.xlsx", {"DS": grid}, {"DS": ["A7:Z7"]})
    load = process(path)
    h = load.households
    assert (
        h["village"].tolist()
        == ["Bản Tá Miếu", "Bản Tá Miếu", "Bản Nậm Pồ"] + ["Bản Huổi Lếch"] * 2
    )  # a heading in capitals names the village as its cells write it, not a second one
    assert load.raw["village"].tolist() == h["village"].tolist()
    assert codes(load) == ["WB034"]
    [detail] = load.rejections["rule"]
    assert detail.endswith("4 households; dòng 3: Bản Tá Miếu; dòng 7: Bản Huổi Lếch")
    f = load.file_record
    assert (f["rows_loaded"], f["rows_heading"]) == (5, 2) and closes(load)

    # A sheet without a village column: the village rows give it, no column is missing.
    keys = [k for k in ALL_KEYS if k != "village"]
    grid = [[LABELS[k] for k in keys], ["Bản Tá Miếu"], *grid_rows(rows, keys)]
    load = process(write_grid(tmp_path / "n.xlsx", {"DS": grid}))
    assert load.refused is None and codes(load) == ["WB034"]
    assert set(load.households["village"]) == {"Bản Tá Miếu"}
    # ... and a row writing "Bản: Tá Miếu" names the village Bản Tá Miếu (it was a household's
    # row, rejected, and every household below it for a missing village: HH005).
    grid[1] = ["Bản: Tá Miếu"]
    load = process(write_grid(tmp_path / "c.xlsx", {"DS": grid}))
    assert load.refused is None and codes(load) == ["WB034"]
    assert set(load.households["village"]) == {"Bản Tá Miếu"}

    # A head's name alone on a row (the Dao surname Bàn) is no village: rejected as before.
    grid = [[LABELS[k] for k in ALL_KEYS], [None, "Bàn Văn Sinh"], *canonical_grid(rows[:2])[3:5]]
    grid[2][ALL_KEYS.index("village")] = grid[3][ALL_KEYS.index("village")] = "Bản Tá Miếu"
    load = process(write_grid(tmp_path / "d.xlsx", {"DS": grid}))
    assert load.file_record["rows_heading"] == 0 and len(load.households) == 2
    assert "HH001" in codes(load) and "WB034" not in codes(load)


def test_6_rows_naming_a_commune_give_it_to_the_households_below(tmp_path):
    """An export grouping households by commune ("I. XÃ SÍN THẦU") and village: the commune
    row was rejected as a household and every household under it for a missing commune
    (HH004). Its households take the commune (WB037); a village row reaches only to the next
    commune row, so a blank village there is still rejected (HH005)."""
    rows = [household(i, commune=None, village=None) for i in range(1, 6)]
    body = grid_rows(rows, ALL_KEYS)
    grid = [
        [LABELS[k] for k in ALL_KEYS],
        ["I", "XÃ SÍN THẦU"],
        ["1. Bản Tá Miếu"],
        *body[:3],
        ["II. Xã Chung Chải", "2 hộ"],
        *body[3:],
    ]
    load = process(write_grid(tmp_path / "c.xlsx", {"DS": grid}))
    h = load.households
    assert h["commune"].tolist() == ["Sín Thầu"] * 3, load.rejections
    assert h["village"].tolist() == ["Bản Tá Miếu"] * 3
    assert set(load.rejections.loc[load.rejections["excel_row"] == 8, "rule_code"]) == {"HH005"}
    [detail] = load.rejections.loc[load.rejections["rule_code"] == "WB037", "rule"]
    assert detail.endswith("5 households; dòng 2: Xã Sín Thầu; dòng 7: Xã Chung Chải")
    assert load.file_record["rows_heading"] == 3 and closes(load)


def test_6_a_totals_row_summing_every_column_is_a_totals_row(tmp_path):
    """A totals row that sums the columns (people, each indicator) holds more than three
    cells: it was read as a household and rejected on every column. Its count is the cell
    "N hộ" or the one after its label; a row of sums alone is not checked. A household whose
    id is blank and whose head is Công ... is still a row."""
    rows = [household(i, health_insurance="x") for i in range(1, 4)]
    sums = ["Tổng cộng", "3 hộ", None, None, None, None, None, None, 15, None, None, 3]
    only_sums = ["TỔNG CỘNG:", None, None, None, None, None, None, None, 15, None, None, 3]
    nameless = household(4, household_id=None, head_name="Công Văn Tư")
    grid = [
        [LABELS[k] for k in ALL_KEYS],
        *grid_rows(rows, ALL_KEYS),
        sums,
        *grid_rows([nameless], ALL_KEYS),
        only_sums,
    ]
    load = process(write_grid(tmp_path / "t.xlsx", {"DS": grid}))
    f = load.file_record
    assert (f["rows_loaded"], f["rows_rejected"], f["rows_totals"]) == (3, 1, 2)
    assert set(load.rejections["rule_code"]) == {"HH001"} and closes(load)
    sums[1] = "4 hộ"
    load = process(write_grid(tmp_path / "w.xlsx", {"DS": grid}))
    assert load.rejections.loc[load.rejections["rule_code"] == "WB004", "excel_row"].tolist() == [5]


def test_6_a_totals_row_after_the_count_in_the_stt_column(tmp_path):
    """A totals row whose STT cell holds the count (a SUBTOTAL formula) before "Tổng cộng":
    its first cell is a number, so it was read as a household and rejected."""
    rows = [household(i) for i in range(1, 4)]
    grid = [
        ["STT", *(LABELS[k] for k in ALL_KEYS)],
        *([i, *r] for i, r in enumerate(grid_rows(rows, ALL_KEYS), start=1)),
        [3, "Tổng cộng", None, None, None, None, None, None, None, 12, 2_550_000],
    ]
    load = process(write_grid(tmp_path / "s.xlsx", {"DS": grid}))
    f = load.file_record
    assert (f["rows_loaded"], f["rows_rejected"], f["rows_totals"]) == (3, 0, 1) and closes(load)


def test_6_a_totals_row_typed_above_the_households(tmp_path):
    """A totals row typed right under the header, above every household, counts them all: it
    was compared with the none above it (WB004 for a right count); a wrong count still is."""
    rows = [household(i) for i in range(1, 4)]
    for said, warned in ((3, False), (4, True)):
        grid = [[LABELS[k] for k in ALL_KEYS], ["Tổng cộng", said], *grid_rows(rows, ALL_KEYS)]
        load = process(write_grid(tmp_path / f"t{said}.xlsx", {"DS": grid}))
        assert ("WB004" in codes(load)) is warned and len(load.households) == 3


def test_6_totals_and_blank_rows_are_skipped_counted_and_checked(tmp_path):
    rows = [household(i) for i in range(1, 5)]
    grid = [
        [LABELS[k] for k in ALL_KEYS],
        *grid_rows(rows[:2], ALL_KEYS),
        [],
        [None] * 3,
        *grid_rows(rows[2:], ALL_KEYS),
        ["Cộng", 5, None, None, None, None, None, None, 20],  # says 5, there are 4
        [],
        ["Tổng cộng", 4],
    ]
    load = process(write_grid(tmp_path / "c.xlsx", {"DS": grid}))
    f = load.file_record
    assert (f["rows_loaded"], f["rows_blank"], f["rows_totals"]) == (4, 3, 2)
    assert closes(load)
    wb004 = load.rejections[load.rejections["rule_code"] == "WB004"]
    assert list(wb004["excel_row"]) == [8]  # only the wrong one; row 10 is a grand total
    assert "5" in wb004["rule"].iloc[0] and "4" in wb004["rule"].iloc[0]


def test_6_a_templates_numbered_or_prefilled_rows_are_blank(tmp_path):
    """A template numbers its rows, or fills the commune and area, far below the last
    household. Each such row was rejected as a household without an id or a name, and the
    workbook refused. They are blank rows now, and WB036 names them; a row holding anything
    else (a name, a note) is still a household's and still rejected."""
    rows = [household(i) for i in range(1, 4)]
    keys = ["serial", *ALL_KEYS]
    grid = [
        ["STT", *(LABELS[k] for k in ALL_KEYS)],
        *([i, *r] for i, r in enumerate(grid_rows(rows, ALL_KEYS), start=1)),
        *([i] for i in range(4, 9)),
        *[[None] * len(keys) for _ in range(2)],
    ]
    commune, area = keys.index("commune"), keys.index("area")
    for row in grid[-2:]:
        row[commune], row[area] = rows[0]["commune"], "Nông thôn"
    named = [9] + [None] * (len(keys) - 1)
    named[keys.index("head_name")] = "Lò Văn Pọm"
    load = process(write_grid(tmp_path / "t.xlsx", {"DS": [*grid, named]}))
    f = load.file_record
    assert (f["rows_loaded"], f["rows_blank"], f["rows_rejected"]) == (3, 7, 1)
    assert set(load.rejections.loc[load.rejections["excel_row"] == 12, "rule_code"]) >= {"HH001"}
    [detail] = load.rejections.loc[load.rejections["rule_code"] == "WB036", "rule"]
    assert detail.endswith("7 rows: 5-11")
    assert closes(load)


def test_7_values_with_a_note_in_brackets_and_other_usual_writings(tmp_path):
    """Values the officer annotated ("x (mới)", "4 (mới tách)", "647.000 (ước)"), ID numbers
    grouped or labelled ("011 069 687 016", "CCCD: 011069687016"), "Nữ giới", "Do ốm đau",
    "Thiếu vốn SX", "HCN", "3 NK", "Kh'mú", a "+" for a tick: each rejected the household
    before. The cell as
    typed stays in the raw layer."""
    rows = [
        household(1, health_insurance="x (mới)", household_size="4 (mới tách)"),
        household(2, income_per_capita="647.000 (ước)", head_id_number="011 069 687 016"),
        household(3, head_id_number="CCCD: 011069687016", head_sex="Nữ giới"),
        household(4, poverty_cause="Do ốm đau", commune_classification="HCN"),
        household(5, poverty_cause="Thiếu vốn SX", household_size="3 NK", ethnicity="Kh'mú"),
        household(6, health_insurance="x - chưa có thẻ", meritorious="Có: bố là thương binh"),
        household(7, health_insurance="+"),  # a plus for a tick
    ]
    load = process(write_workbook(tmp_path / "a.xlsx", rows))
    assert load.rejections["rule_code"].isin(["HW001"]).all(), load.rejections
    h = load.households.set_index("household_id")
    assert h["household_size"].tolist()[0] == 4 and h["household_size"].tolist()[4] == 3
    assert "health_insurance" in h["deprived_indicators"].iloc[0]
    assert h["income_per_capita"].iloc[1] == 647_000
    assert load.private["head_id_number"].tolist()[1:3] == ["011069687016"] * 2
    assert (h["head_sex"].iloc[2], h["poverty_cause"].iloc[3]) == ("female", "illness")
    assert (h["commune_classification"].iloc[3], h["poverty_cause"].iloc[4]) == (
        "near_poor",
        "capital",
    )
    assert h["ethnicity"].iloc[4] == "Khơ Mú"
    assert "health_insurance" in h["deprived_indicators"].iloc[5] and h["meritorious"].iloc[5]
    assert "health_insurance" in h["deprived_indicators"].iloc[6]
    assert load.raw["health_insurance"].iloc[0] == "x (mới)"


def test_7_causes_and_classes_in_the_officers_usual_words(tmp_path):
    """Causes written as officers and the older forms write them ("Thiếu đất canh tác",
    "Thiếu vốn làm ăn", "Bệnh tật, ốm đau", "Không có người lao động") and the commune's class
    "Hộ TB" rejected their households (HH019, HH018): a third of a probe commune's list, which
    refused the workbook. A class the form does not know is a warning that says which are
    known; its household loads."""
    rows = [
        household(1, poverty_cause="Thiếu đất canh tác", commune_classification="Hộ TB"),
        household(2, poverty_cause="Thiếu vốn làm ăn", commune_classification="MSTB"),
        household(3, poverty_cause="Bệnh tật, ốm đau"),
        household(4, poverty_cause="Không có người lao động"),
        household(5, commune_classification="Thoát nghèo"),
    ]
    load = process(write_workbook(tmp_path / "c.xlsx", rows))
    h = load.households.set_index("household_id")["poverty_cause"]
    assert h.tolist()[:4] == ["land", "capital", "illness", "labour"]
    classes = load.households["commune_classification"].tolist()
    assert classes[:2] == ["average", "average"] and pd.isna(classes[4])
    [(code, severity, message)] = load.rejections[["rule_code", "severity", "rule"]].values
    assert (code, severity) == ("HH018", "warning")
    assert message.startswith("Phân loại của xã phải là Hộ nghèo, Hộ cận nghèo hoặc Hộ có")
    assert load.raw["poverty_cause"].iloc[0] == "Thiếu đất canh tác"


def test_7_a_leading_apostrophe_kept_as_text_and_doubled_spaces(tmp_path):
    """A list that passed through another program keeps Excel's text mark as a character
    ("'MN-000001", "'3"): every such cell was rejected. A village typed with doubled spaces
    was another village in the posting lists."""
    rows = [
        household(1, household_id="'MN-000001", household_size="'3", village="Bản  Tá  Miếu"),
        household(2, household_id="' MN-000002", income_per_capita="'850000"),
    ]
    load = process(write_workbook(tmp_path / "q.xlsx", rows))
    assert load.rejections.empty, load.rejections
    h = load.households
    assert h["household_id"].tolist() == ["MN-000001", "MN-000002"]
    assert h["household_size"].iloc[0] == 3 and h["income_per_capita"].iloc[1] == 850_000
    assert h["village"].iloc[0] == "Bản Tá Miếu"


def test_7_an_id_with_a_space_for_its_hyphen_and_a_village_typed_otherwise(tmp_path):
    """ "DB-08 011771" and "DB 08 011771" among ids of two hyphens were stored as
    "DB-08011771" and "DB08011771": new households, not last year's, without a word. A space
    typed for the separator is a hyphen where the column's ids have that many ("ML-0000 02"
    among ids of one hyphen is still "ML-000002"). And a village typed decomposed (NFD) or
    with a zero-width space was another village in the posting lists and marts."""
    village = "Bản Tá Miếu"
    rows = [household(i, household_id=f"DB-04-{i:06d}", village=village) for i in (1, 2, 3)]
    rows += [
        household(4, household_id="DB-08 011771", village=unicodedata.normalize("NFD", village)),
        household(5, household_id="DB 08 011772", village=village + "\u200b"),
        household(6, household_id="DB - 08 - 011773", village=f" {village}\u00a0"),
    ]
    load = process(write_workbook(tmp_path / "s.xlsx", rows))
    assert load.rejections.empty, load.rejections
    ids = load.households["household_id"].tolist()
    assert ids[3:] == ["DB-08-011771", "DB-08-011772", "DB-08-011773"]
    assert set(load.households["village"]) == {village}
    ml = [household(1, household_id="ML-000001"), household(2, household_id="ML-0000 02")]
    load = process(write_workbook(tmp_path / "m.xlsx", ml))
    assert load.households["household_id"].tolist() == ["ML-000001", "ML-000002"]
    # Every id typed with spaces: they are its separators.
    spaced = [household(1, household_id="DB 04 000001"), household(2, household_id="DB 04-000002")]
    load = process(write_workbook(tmp_path / "a.xlsx", spaced))
    assert load.households["household_id"].tolist() == ["DB-04-000001", "DB-04-000002"]


def test_7_marks_c_and_k_are_co_and_khong_and_a_2_is_still_refused(tmp_path):
    """A list marked as paper forms abbreviate có and không ("C", "K") rejected every
    household (HH014, HH015): a probe commune's 1,352, the workbook refused. A "2" (the
    statistics office's code for không, but also a count) is still a question for the
    officer."""
    rows = [
        household(1, health_insurance="C", latrine="K", meritorious="C"),
        household(2, health_insurance="k", latrine="c", meritorious="K"),
        household(3, health_insurance="2"),
    ]
    load = process(write_workbook(tmp_path / "ck.xlsx", rows))
    h = load.households.set_index("household_id")
    assert h["meritorious"].tolist() == [True, False]
    assert "health_insurance" in h.loc["MN-000001", "deprived_indicators"]
    assert "latrine" not in h.loc["MN-000001", "deprived_indicators"]
    assert "latrine" in h.loc["MN-000002", "deprived_indicators"]
    assert "health_insurance" not in h.loc["MN-000002", "deprived_indicators"]
    [message] = load.rejections.loc[load.rejections["household_id"] == "MN-000003", "rule"]
    assert message.startswith("Chỉ số thiếu hụt phải là x, 1, có (C), √")


def test_7_an_id_number_in_excels_exponent_form_loads_with_a_warning(tmp_path):
    """A CCCD copied from a narrow column as Excel showed it ("1,10792E+11") has six digits
    of twelve: it rejected the household (HH017), though the column is optional. The
    household now loads, with a warning that says how to fix it (HW006), and the cell is kept
    as typed; a number of the wrong length is still rejected."""
    rows = [
        household(1, head_id_number="1,10792E+11"),
        household(2, head_id_number="1.10792e+11"),
        household(3, head_id_number="01106968701"),  # text, a digit short: not a lost 0
        household(4, head_id_number="011069687016"),
    ]
    load = process(write_workbook(tmp_path / "e.xlsx", rows))
    found = load.rejections.set_index("household_id")["rule_code"]
    assert found.to_dict() == {"MN-000001": "HW006", "MN-000002": "HW006", "MN-000003": "HH017"}
    [message] = set(load.rejections.loc[load.rejections["rule_code"] == "HW006", "rule"])
    assert message.startswith("Số CCCD bị Excel đổi sang dạng số mũ (như 1,10792E+11)")
    assert load.households["household_id"].tolist() == ["MN-000001", "MN-000002", "MN-000004"]
    ids = load.private.drop_duplicates("household_id")["head_id_number"].tolist()
    assert ids == ["1,10792E+11", "1.10792e+11", "01106968701", "011069687016"]


def test_7_values_typed_without_a_vietnamese_keyboard_or_with_excels_currency_sign(tmp_path):
    """Each of these rejected its household (HH010, HH011, HH014, HH017, HH021), and a
    workbook of them was refused: the đồng sign Excel's Vietnamese currency format shows
    ("850.000 ₫"), amounts and counts typed without diacritics ("850.000 d", "0,85 trieu",
    "5 nguoi"), "ko" and "×" as marks, a commune "X. Sín Thầu" or "Sín Thầu (mới)", and a
    CCCD of a province coded 001-009 stored as a number (two zeros lost: HW002, restored)."""
    typed = [
        {"income_per_capita": "850.000 ₫", "household_size": "5 nguoi"},
        {"income_per_capita": "850.000 d", "household_size": "5 khau", "commune": "X. Sín Thầu"},
        {"income_per_capita": "850000 dong", "health_insurance": "×", "latrine": "ko"},
        {"income_per_capita": "0,85 trieu", "commune": "Xã Sín Thầu (mới)"},
        {"income_per_capita": "850 nghin", "head_id_number": 1079202736},
        {"income_per_capita": "850.000 đ/khẩu/tháng"},
    ]
    rows = [household(i, **cells) for i, cells in enumerate(typed, 1)]
    load = process(write_workbook(tmp_path / "k.xlsx", rows))
    assert set(codes(load)) == {"HW002"}, load.rejections
    h = load.households
    assert h["income_per_capita"].tolist() == [850_000] * 6
    assert h["household_size"].tolist() == [5] * 6 and set(h["commune"]) == {"Sín Thầu"}
    assert "health_insurance" in h["deprived_indicators"].iloc[2]
    assert "latrine" not in h["deprived_indicators"].iloc[2]
    assert load.private["head_id_number"].iloc[4] == "001079202736"
    # Millions times a decimal are whole đồng, not 4,086,000.0000000005 (above a line of
    # 4,086,000 it would not be poor).
    load = process(
        write_workbook(tmp_path / "m.xlsx", [household(1, income_per_capita="4,086 tr")])
    )
    assert load.households["income_per_capita"].tolist() == [4_086_000]


@pytest.mark.parametrize(
    ("key", "label", "written"),
    [
        ("income_per_capita", "TN BQ/người/tháng (1000đ)", 850),
        ("income_per_capita", "Thu nhập bình quân đầu người/năm (đồng)", 10_200_000),
        ("ethnicity", "Thành phần dân tộc", None),
        ("village", "Tên thôn, bản", None),
        ("household_size", "Số NK", None),
        ("head_name", "Họ tên CH", None),
        ("meritorious", "Có người có công", "x"),
        ("health_insurance", "Thiếu hụt bảo hiểm y tế", "x"),  # WB012: no indicator column
    ],
)
def test_4_more_header_wordings(tmp_path, key, label, written):
    """Headers officers write that named no column: the workbook was refused (WB005), or an
    optional column was kept unread (meritorious: every household "not collected")."""
    rows = [household(i) | ({key: written} if written is not None else {}) for i in (1, 2)]
    load = process(write_workbook(tmp_path / "h.xlsx", rows, labels={key: label}))
    assert load.refused is None and "WB003" not in codes(load), load.rejections
    h = load.households
    if key == "health_insurance":
        assert "health_insurance" in h["deprived_indicators"].iloc[0]
        return
    expected = {"income_per_capita": 850_000, "meritorious": True}.get(key, household(1).get(key))
    column = load.private["head_name"] if key == "head_name" else h[key]
    assert column.iloc[0] == (expected if key != "head_name" else "Lò Văn 1")


def test_7_numbers_as_text_with_separators_and_boolean_spellings(tmp_path):
    rows = [
        household(1, income_per_capita="1.200.000", health_insurance="x"),
        household(2, income_per_capita="1,200,000", health_insurance="X"),
        household(3, income_per_capita="850 000", health_insurance="1", household_size="5"),
        household(4, income_per_capita="850000", health_insurance="có", latrine="không"),
        # Tick marks, and a dash for "no" (punctuation alone folds to nothing: kept as typed)
        household(5, health_insurance="√", latrine="-", meritorious="✓"),
        household(6, health_insurance="✔", latrine="–", meritorious="-"),
        # An income with its currency: the column's own unit
        # ... and areas written with their heading, or urban as đô thị
        household(7, income_per_capita="1.200.000đ", health_insurance="x", area="Đô thị"),
        household(
            8, income_per_capita="850.000 VNĐ", health_insurance="x", area="Khu vực nông thôn"
        ),
        household(9, income_per_capita="1.200.000 đồng", health_insurance="x", area="KV thành thị"),
        # ... or a month and a person, a size with its noun, the area abbreviated
        household(10, income_per_capita="850.000 đ/tháng", household_size="5 người", area="NT"),
        household(11, income_per_capita="900.000đồng/người/tháng", household_size="4 khẩu"),
        household(12, household_size="6 nhân khẩu", area="TT"),
    ]
    rows[9:] = [r | {"health_insurance": "x"} for r in rows[9:]]
    # ... and an indicator that says the deprivation itself
    rows += [household(13, health_insurance="Thiếu", latrine="không thiếu")]
    rows += [household(14, health_insurance="thiếu hụt", latrine="Không thiếu hụt")]
    load = process(write_workbook(tmp_path / "n.xlsx", rows))
    assert load.rejections.empty
    h = load.households.set_index("household_id")
    assert list(h["income_per_capita"])[:4] == [1_200_000, 1_200_000, 850_000, 850_000]
    assert list(h["income_per_capita"])[6:11] == [1_200_000, 850_000, 1_200_000, 850_000, 900_000]
    assert list(h["household_size"])[9:12] == [5, 4, 6]
    assert h["meritorious"].tolist()[4:6] == [True, False]
    assert h["area"].tolist()[6:12] == ["urban", "rural", "urban", "rural", "rural", "urban"]
    # A yearly amount is not the column's unit: still rejected.
    load = process(
        write_workbook(tmp_path / "y.xlsx", [household(1, income_per_capita="9 tr/năm")])
    )
    assert "HH011" in codes(load) and load.households.empty
    assert all("health_insurance" in d for d in h["deprived_indicators"])
    assert all("latrine" not in d for d in h["deprived_indicators"])


def test_7_areas_as_the_unit_kind_and_full_width_marks(tmp_path):
    """ "Phường", "Thị trấn", "Xã" in the area column, "N.thôn", "T.thị", and marks typed
    full-width ("ｘ", "１") or as a bullet ("•") rejected their households (HH014, HH016); so
    did "4 người/hộ" (HH010) and an income with a zero-width space after it (HH011)."""
    areas = ["Phường", "Thị trấn", "Xã", "N.thôn", "T.thị"]
    rows = [household(i, area=a, health_insurance="ｘ") for i, a in enumerate(areas, start=1)]
    rows.append(household(6, latrine="１", health_insurance="•"))
    # ... a size "người/hộ", an income with a zero-width space pasted after it, Wingdings' tick
    rows.append(household(7, household_size="4 người/hộ", income_per_capita="850000\u200b"))
    rows[-1] |= {"health_insurance": "ü"}
    load = process(write_workbook(tmp_path / "a.xlsx", rows))
    assert load.rejections.empty, load.rejections
    h = load.households
    assert h["area"].tolist() == ["urban", "urban", "rural", "rural", "urban", "rural", "rural"]
    assert (h["household_size"].iloc[6], h["income_per_capita"].iloc[6]) == (4, 850_000)
    deprived = h["deprived_indicators"].tolist()
    assert all("health_insurance" in d for d in deprived) and "latrine" in deprived[5]


def test_8_legacy_xls(tmp_path):
    rows = [household(i, household_size=i + 1) for i in range(1, 4)]
    path = write_xls(tmp_path / "muong-nhe.xls", {"DS": canonical_grid(rows)})
    load = process(path)
    assert load.unit == "Mường Nhé"
    assert list(load.households["household_size"]) == [2, 3, 4]
    assert load.file_record["rows_totals"] == 1 and closes(load)


def test_9_tcvn3_text_is_detected_converted_and_reported(tmp_path):
    rows = [
        household(i, head_name=to_tcvn3(f"Lò Văn Thắng {i}"), district=to_tcvn3("Mường Nhé"),
                  commune=to_tcvn3("Sín Thầu"), village=to_tcvn3("Bản Tá Miếu"),
                  area=to_tcvn3("Nông thôn"), ethnicity=to_tcvn3("Hà Nhì"))
        for i in range(1, 4)
    ]  # fmt: skip
    assert rows[0]["district"] == "M\xadêng NhÐ"  # what the officer's Excel shows
    grid = canonical_grid(rows)
    grid[2] = [to_tcvn3(label) for label in grid[2]]  # the header typed in VN3 too
    load = process(write_grid(tmp_path / "v.xlsx", {"DS": grid}))
    assert len(load.households) == 3, load.rejections
    assert set(load.households["commune"]) == {"Sín Thầu"}
    assert set(load.private["head_name"]) == {f"Lò Văn Thắng {i}" for i in range(1, 4)}
    assert "WB008" in codes(load)


def test_9_a_unicode_template_with_some_columns_typed_in_tcvn3(tmp_path):
    """The province's Unicode template, a column or all the households typed with the ABC
    keyboard: the whole sheet was converted, so the template's "Nguyên nhân nghèo" became
    "Nguyờn nhõn nghốo" (an unknown column: every cause lost, with only WB003) and a Unicode
    "Nông thôn", "Hà Nhì" beside a VN3 village "Nụng thụn", "Hà Nhỡ" (every household
    rejected). Only the columns holding VN3 are converted (a text with a VN3-only byte: a
    column of "ThiÕu vèn" alone could be either, stays as typed, with warning HH019), and
    not their Unicode labels."""
    causes = ["Thiếu vốn", "Thiếu đất sản xuất", "Thiếu vốn"]
    rows = [
        household(i, village=to_tcvn3("Bản Tá Miếu"), poverty_cause=to_tcvn3(causes[i - 1]),
                  head_name=to_tcvn3(f"Lò Văn Thắng {i}"))
        for i in range(1, 4)
    ]  # fmt: skip
    load = process(write_workbook(tmp_path / "t.xlsx", rows))
    assert load.refused is None and codes(load) == ["WB008"], load.rejections
    h = load.households
    assert set(h["village"]) == {"Bản Tá Miếu"}
    assert h["poverty_cause"].tolist() == ["capital", "land", "capital"]
    assert set(h["area"]) == {"rural"} and set(h["ethnicity"]) == {"Hà Nhì"}


def test_unicode_workbook_is_never_converted(tmp_path):
    # Latin-1-only Unicode Vietnamese (é, à, ô, ...) must not look like TCVN3.
    rows = [household(i, head_name="Lò Thị Hà", village="Bản Nà Hé") for i in range(1, 4)]
    load = process(write_workbook(tmp_path / "u.xlsx", rows))
    assert "WB008" not in codes(load)
    assert set(load.raw["village"]) == {"Bản Nà Hé"}


@pytest.mark.parametrize(
    ("year", "district", "written", "unit"),
    [
        (2026, None, "Xã Xa Dung", "Xa Dung"),
        (2026, None, "xã Xá Nhè", "Sáng Nhè"),  # an older commune: the unit it became
        (2019, "Mường Chà", "Xã Xá Tổng", "Xá Tổng"),
        (2019, "Huyện Mường Chà", "Xã Sá Tổng", "Xá Tổng"),
    ],
)
def test_a_unit_whose_name_starts_like_a_unit_type(tmp_path, year, district, written, unit):
    """Xa Dung, Xá Nhè and Xá Tổng fold to a name starting `xa`, the folded `Xã`: with the
    type written before them every household was rejected (HH021)."""
    row = household(1, commune=written, district=district, household_id="MC-000001")
    omit = ("district",) if district is None else ()
    path = write_workbook(tmp_path / "x.xlsx", [row], year, omit=omit)
    load = process_workbook(path, year, config.load_province())
    assert load.households["commune"].tolist() == [unit], load.rejections
    assert load.units == [unit if district is None else "Mường Chà"]


def test_one_sheet_per_commune_without_commune_column_and_underscore_sheets(tmp_path):
    keys = [k for k in ALL_KEYS if k != "commune"]
    sheets = {
        "Sín Thầu": [[LABELS[k] for k in keys], *grid_rows([household(1)], keys)],
        "Chung Chải": [[LABELS[k] for k in keys], *grid_rows([household(2)], keys)],
        "_Hướng dẫn": [["Mã hộ", "Họ và tên chủ hộ", "Số nhân khẩu"], ["ví dụ", "x", "1"]],
    }
    load = process(write_grid(tmp_path / "s.xlsx", sheets))
    assert dict(zip(load.households["household_id"], load.households["commune"], strict=True)) == {
        "MN-000001": "Sín Thầu",
        "MN-000002": "Chung Chải",
    }
    assert codes(load).count("WB010") == 2 and closes(load)


def test_a_list_without_a_commune_column_takes_the_commune_its_title_names(tmp_path):
    """A commune's own list names the commune in its title only ("UBND XÃ SÍN THẦU") on a sheet
    named "Danh sách": the sheet's name was taken for the commune and every household
    rejected (HH021). The title's commune is taken (WB038); without one, the sheet's name
    still is (WB010)."""
    keys = [k for k in ALL_KEYS if k != "commune"]
    body = [[LABELS[k] for k in keys], *grid_rows([household(1), household(2)], keys)]
    titled = [["UBND XÃ SÍN THẦU, HUYỆN MƯỜNG NHÉ"], ["DANH SÁCH HỘ GIA ĐÌNH"], *body]
    load = process(write_grid(tmp_path / "t.xlsx", {"Danh sách": titled}))
    assert load.refused is None and set(load.households["commune"]) == {"Sín Thầu"}
    [detail] = load.rejections.loc[load.rejections["rule_code"] == "WB038", "rule"]
    assert detail.endswith("commune = 'XÃ SÍN THẦU'") and "WB010" not in codes(load)
    load = process(write_grid(tmp_path / "s.xlsx", {"Chung Chải": body}))
    assert set(load.households["commune"]) == {"Chung Chải"} and "WB010" in codes(load)


@pytest.mark.parametrize(
    "title",
    [
        ["UBND XÃ SÍN THẦU", "Xã Sín Thầu"],  # one commune, two spellings
        ["ỦY BAN NHÂN DÂN XÃ SÍN THẦU"],
    ],
)
def test_a_title_naming_its_commune_twice_or_in_full_gives_it(tmp_path, title):
    """The official heading names the commune twice ("UBND XÃ SÍN THẦU", then "Xã Sín Thầu"
    above the list), or spells out "Ủy ban nhân dân": two spellings were taken for two
    communes, the second form for none, and the sheet's name ("Danh sách") for the commune:
    every household rejected (HH021) and the workbook refused."""
    keys = [k for k in ALL_KEYS if k != "commune"]
    body = [[LABELS[k] for k in keys], *grid_rows([household(1), household(2)], keys)]
    load = process(write_grid(tmp_path / "t.xlsx", {"Danh sách": [[t] for t in title] + body}))
    assert load.refused is None and set(load.households["commune"]) == {"Sín Thầu"}
    assert "WB038" in codes(load) and "WB010" not in codes(load)


def test_one_sheet_per_commune_with_its_commune_column_left_blank(tmp_path):
    """A sheet per commune whose commune column nobody filled: every household was rejected
    for a missing commune (HH004). The sheet's name gives it, as without the column (WB010);
    a sheet whose column is filled in one row keeps its rows' own values."""
    rows = [household(i, commune=None) for i in (1, 2)]
    partly = [household(3, commune="Chung Chải"), household(4, commune=None)]
    sheets = {
        "Sín Thầu": [[LABELS[k] for k in ALL_KEYS], *grid_rows(rows, ALL_KEYS)],
        "Chung Chải": [[LABELS[k] for k in ALL_KEYS], *grid_rows(partly, ALL_KEYS)],
    }
    load = process(write_grid(tmp_path / "b.xlsx", sheets))
    assert load.households["commune"].tolist() == ["Sín Thầu", "Sín Thầu", "Chung Chải"]
    assert codes(load).count("WB010") == 1
    assert load.rejections.loc[load.rejections["rule_code"] == "HH004", "excel_row"].tolist() == [3]


def test_one_sheet_per_village_without_village_column(tmp_path):
    """A commune's list kept one sheet per village ("Bản Tá Miếu", "Bản Nậm Pồ") without a
    village column: refused for the missing column (WB005). A sheet named for a village gives
    it (WB035); a sheet named otherwise still lacks the column."""
    keys = [k for k in ALL_KEYS if k != "village"]
    sheets = {
        "Bản Tá Miếu": [[LABELS[k] for k in keys], *grid_rows([household(1)], keys)],
        "Bản Nậm Pồ": [[LABELS[k] for k in keys], *grid_rows([household(2)], keys)],
    }
    load = process(write_grid(tmp_path / "v.xlsx", sheets))
    assert load.refused is None
    assert load.households["village"].tolist() == ["Bản Tá Miếu", "Bản Nậm Pồ"]
    assert codes(load) == ["WB035", "WB035"] and closes(load)
    sheets = {"DS": sheets["Bản Tá Miếu"]}
    load = process(write_grid(tmp_path / "d.xlsx", sheets))
    assert load.refused and "WB005" in codes(load)


def test_district_is_read_from_cells_and_a_misleading_file_name_is_reported(tmp_path):
    load = process(write_workbook(tmp_path / "dien-bien-phu.xlsx", [household(1)]))
    assert load.unit == "Mường Nhé"
    wb009 = load.rejections[load.rejections["rule_code"] == "WB009"]
    assert len(wb009) == 1 and "Điện Biên Phủ" in wb009["rule"].iloc[0]
    load = process(write_workbook(tmp_path / "muong-nhe-2019.xlsx", [household(1)]))
    assert "WB009" not in codes(load)


def test_a_districts_workbook_without_its_district_column_takes_the_titles(tmp_path):
    """Up to 2024 a district's own list often names the district in its title only ("Huyện
    Mường Nhé, tỉnh Điện Biên"): every sheet was refused for the missing column (WB005). The
    title gives it (WB038); a sheet whose title names no district is still refused."""
    keys = [k for k in ALL_KEYS if k != "district"]
    titled = [
        ["DANH SÁCH HỘ GIA ĐÌNH RÀ SOÁT NĂM 2019"],
        ["UBND HUYỆN MƯỜNG NHÉ, TỈNH ĐIỆN BIÊN"],
        [LABELS[k] for k in keys],
        *grid_rows([household(1), household(2)], keys),
    ]
    load = process(write_grid(tmp_path / "t.xlsx", {"DS": titled}))
    assert load.refused is None and set(load.households["district"]) == {"Mường Nhé"}
    assert codes(load) == ["WB038"] and load.raw["district"].tolist() == ["HUYỆN MƯỜNG NHÉ"] * 2
    untitled = [[LABELS[k] for k in keys], *grid_rows([household(3)], keys)]
    load = process(write_grid(tmp_path / "u.xlsx", {"DS": titled, "Sín Thầu": untitled}))
    assert load.refused is not None and "WB005" in codes(load)


def test_reader_counts_every_row_under_the_header(tmp_path):
    rows = [household(i) for i in range(1, 8)]
    read = read_workbook(write_workbook(tmp_path / "r.xlsx", rows))
    assert read.rows_read == 7 + 1 + 2  # data + totals + (blank, signature)


@pytest.mark.parametrize("example", ["Mẫu", "MAU", "Hướng dẫn", "Ví dụ"])
def test_an_example_sheet_beside_the_list_is_not_read(tmp_path, example):
    """A template's "Mẫu" sheet, one made-up household on it, was loaded as a household."""
    made_up = household(99, household_id="MN-999999", head_name="Nguyễn Văn A")
    sheets = {example: [[LABELS[k] for k in ALL_KEYS], *grid_rows([made_up], ALL_KEYS)]}
    sheets["DS"] = [
        [LABELS[k] for k in ALL_KEYS],
        *grid_rows(list(map(household, (1, 2))), ALL_KEYS),
    ]
    load = process(write_grid(tmp_path / "m.xlsx", sheets))
    assert sorted(load.households["household_id"]) == ["MN-000001", "MN-000002"]
    assert "WB042" in codes(load)
    alone = process(write_grid(tmp_path / "n.xlsx", {example: sheets["DS"]}))  # filled in
    assert len(alone.households) == 2 and "WB042" not in codes(alone)
    # A list under that name, beside another: more rows than an example, read.
    rows = [household(i, household_id=f"MN-{900 + i:06d}") for i in range(1, 15)]
    sheets[example] = [[LABELS[k] for k in ALL_KEYS], *grid_rows(rows, ALL_KEYS)]
    both = process(write_grid(tmp_path / "b.xlsx", sheets))
    assert len(both.households) == 16 and "WB042" not in codes(both)


def test_an_id_number_cell_saying_none_is_blank(tmp_path):
    """ "-", "chưa có", "Không có" in the optional CCCD column rejected the household (HH017)."""
    written = ["-", "chưa có", "Không có", "012345678901"]
    rows = [household(i, head_id_number=w) for i, w in enumerate(written, start=1)]
    rows.append(household(5, head_id_number="1,10792"))  # a number, not a "none": rejected
    load = process(write_workbook(tmp_path / "c.xlsx", rows))
    assert load.households["household_id"].tolist() == [f"MN-00000{i}" for i in range(1, 5)]
    assert load.private["head_id_number"].tolist() == [*written, "1,10792"]  # as typed
    assert codes(load) == ["HH017"]
