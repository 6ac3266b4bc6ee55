"""The officer's error workbook as it is printed and read: Vietnamese only, the problems first,
the officer's own cells after them, warnings apart (workbooks/error_report.py)."""

from __future__ import annotations

import re

import pytest

import config
from schemas.headers import canonical_keys, vietnamese_label
from schemas.rules import RULES, findings
from workbooks.error_text import message_vi


def test_every_column_key_has_a_vietnamese_header():
    for year in (2019, 2024, 2027):
        standard = config.standard_for_year(year)
        for key in canonical_keys(standard):
            label = vietnamese_label(key, standard)
            assert label != key and "_" not in label, (year, key)
    s2019, s2024 = config.standard_for_year(2019), config.standard_for_year(2024)
    assert vietnamese_label("income_score", s2019) == "Điểm B1"
    assert vietnamese_label("income_score", s2024) == "Điểm A"
    assert vietnamese_label("ethnicity", s2019) == "Dân tộc"
    assert vietnamese_label("health_insurance", s2019) == "Bảo hiểm y tế"
    # Another period's indicator (WB013) still has its Vietnamese name.
    other = next(k for k in s2024.indicator_keys if k not in s2019.indicator_keys)
    assert vietnamese_label(other, s2019) != other
    # As the officer's file wrote it, when known; an unknown column by its label.
    assert vietnamese_label("commune", s2024, {"commune": "Xã/Phường"}) == "Xã/Phường"
    assert vietnamese_label("extra:STT", s2019) == "STT"


# Details as the reader, the guard and the flow write them (English where they are written for
# the audit), each with what the officer must read in its place.
DETAILS = [
    ("WB002", "no header row found; sheet ignored", "không đọc trang tính này"),
    ("WB003", "kept in the raw layer: STT, Điện thoại", "STT, Điện thoại (giữ lại"),
    ("WB004", "totals row says 5 households; the rows above hold 4", "ghi 5 hộ; các dòng"),
    ("WB007", "income scaled x1000", "đã nhân với 1.000"),
    ("WB008", "12 cells converted from TCVN3 (ABC, .VnTime) to Unicode", "12 ô đã chuyển"),
    ("WB009", "file name: Mường Nhé; cells: Mường Chà", "tên tệp: Mường Nhé; trong bảng:"),
    ("WB010", "commune = 'Sín Thầu'", "tên xã = 'Sín Thầu'"),
    (
        "WB026",
        "2 external link(s); never followed, the values Excel cached in this file are read",
        "2 liên kết ngoài",
    ),
    ("WB027", "control characters removed from 3 cell(s)", "3 ô"),
    (
        "WB032",
        "2 cell(s) holding only spaces outside the table (A1:Z40; declared range A1:Z9999) "
        "ignored: Z9999, Y9000",
        "2 ô ngoài bảng (A1:Z40; vùng khai báo A1:Z9999): Z9999, Y9000",
    ),
    (
        "WB032",
        "1 cell(s) holding only spaces outside the table (A1:Z40) ignored: Z9999",
        "1 ô ngoài bảng (A1:Z40): Z9999",
    ),
    ("HH030", "cũng ở/also at Danh sách dòng/row 7", "cũng ở Danh sách dòng 7"),
    ("HH031", "a.xlsx / DS dòng/row 4, b.xlsx / DS dòng/row 9", "a.xlsx / DS dòng 4, b.xlsx"),
    ("HH040", "A5:A7 = 'Sín Thầu'", "ô gộp A5:A7 = 'Sín Thầu'"),
    ("HH041", "F9", "ô F9"),
    ("WB016", "năm 2018", "năm 2018"),
    ("WB015", "muong-nhe-2.xlsx", "muong-nhe-2.xlsx"),
]
ENGLISH = re.compile(
    r"\b(row|rows|cells?|households?|file|sheet|ignored|kept|scaled|converted|also|links?|"
    r"never|removed|declared|outside|missing|column)\b"
)


@pytest.mark.parametrize(("code", "detail", "expected"), DETAILS)
def test_each_detail_is_said_in_vietnamese(code, detail, expected):
    [rule] = findings(code, detail)["rule"]
    text = message_vi(code, rule)
    assert text.startswith(RULES[code].vi + ": ") and expected in text
    assert RULES[code].en not in text and not ENGLISH.search(text), text


def test_a_refusal_quotes_the_faults_in_vietnamese():
    fault = findings("WB005", "Dân tộc")["rule"].iloc[0]
    given = findings("WB015", "muong-nhe-2.xlsx")["rule"].iloc[0]
    for reason in (f"lỗi cấu trúc tệp ({fault})", given):
        [rule] = findings("WB017", reason)["rule"]
        text = message_vi("WB017", rule)
        assert text.startswith(RULES["WB017"].vi)
        assert not any(r.en in text for r in RULES.values()), text
    assert message_vi("WB017", findings("WB017", f"lỗi cấu trúc tệp ({fault})")["rule"][0]) == (
        f"{RULES['WB017'].vi}: lỗi cấu trúc tệp (Thiếu cột bắt buộc: Dân tộc)"
    )
    assert message_vi("HH023", findings("HH023")["rule"][0]) == "Số nhân khẩu phải từ 1 đến 30"
