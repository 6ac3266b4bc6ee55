"""reporting.vietnamese: the words and forms of the posted lists and certificates."""

from __future__ import annotations

from datetime import date

from reporting.vietnamese import (
    dated_at,
    day,
    in_sentence,
    legal_instrument,
    sort_key,
    standard_change_note,
    unit_name,
)


def test_names_sort_in_vietnamese_alphabetical_order():
    names = ["Đinh Văn An", "Dương Thị Lan", "Ân Văn Bình", "An Văn Bình", "Bùi Thị Ơn"]
    names += ["ăn", "Anh", "Ôn", "On", "Ồn", "Ơn", "Ưng", "Uông", "Xuân", "Yên"]
    assert sorted(names, key=sort_key) == [
        "An Văn Bình",
        "Anh",
        "ăn",
        "Ân Văn Bình",
        "Bùi Thị Ơn",
        "Dương Thị Lan",
        "Đinh Văn An",
        "On",
        "Ôn",
        "Ồn",
        "Ơn",
        "Uông",
        "Ưng",
        "Xuân",
        "Yên",
    ]
    # Tones decide only between words with the same letters: ngang, huyền, hỏi, ngã, sắc, nặng.
    assert sorted(["Má", "Mạ", "Ma", "Mà", "Mã", "Mả"], key=sort_key) == [
        "Ma",
        "Mà",
        "Mả",
        "Mã",
        "Má",
        "Mạ",
    ]


def test_numbers_in_names_sort_by_value():
    villages = ["Bản Nà Hỳ 10", "Bản Nà Hỳ 2", "Bản Nà Hỳ 1", "Bản Nà Hỳ", "Bản Na"]
    assert sorted(villages, key=sort_key) == [
        "Bản Na",
        "Bản Nà Hỳ",
        "Bản Nà Hỳ 1",
        "Bản Nà Hỳ 2",
        "Bản Nà Hỳ 10",
    ]


def test_legal_instruments_named_in_vietnamese_from_ref_standards_text():
    assert legal_instrument(
        "Decree 07/2021/NĐ-CP art. 3 (kept for the 2026 lists by Decree 351/2025/NĐ-CP)"
    ) == ("Nghị định số 07/2021/NĐ-CP của Chính phủ")
    assert legal_instrument("Decree 351/2025/NĐ-CP (30 Dec 2025) (as reported by ...)") == (
        "Nghị định số 351/2025/NĐ-CP của Chính phủ"
    )
    assert legal_instrument("Decision 24/2021/QĐ-TTg until replaced") == (
        "Quyết định số 24/2021/QĐ-TTg của Thủ tướng Chính phủ"
    )
    assert legal_instrument("Circular 17/2016/TT-BLĐTBXH amended by Circular 14/2018") == (
        "Thông tư số 17/2016/TT-BLĐTBXH của Bộ Lao động - Thương binh và Xã hội"
    )
    assert legal_instrument("a source without a number") == "a source without a number"


def test_units_dates_and_blanks():
    assert unit_name("Nà Hỳ", "commune") == "Xã Nà Hỳ"
    assert unit_name("Mường Lay", "ward") == "Phường Mường Lay"
    assert unit_name("Mường Chà", "town") == "Thị trấn Mường Chà"
    assert unit_name("Mường Lay", "town", "district") == "Thị xã Mường Lay"
    assert unit_name("Nậm Pồ", None) == "Nậm Pồ"
    assert in_sentence("Thị trấn Mường Chà") == "thị trấn Mường Chà"
    assert day(date(2026, 11, 5)) == "05/11/2026"
    assert day(None) == "...../...../.........."
    assert dated_at("Nà Hỳ", date(2026, 11, 5)) == "Nà Hỳ, ngày 05 tháng 11 năm 2026"
    assert dated_at("Nà Hỳ") == "Nà Hỳ, ngày ........ tháng ........ năm ........"


def test_a_change_of_standard_between_two_reviews_is_said_once_and_only_then():
    assert "2022-2026" in standard_change_note(2026, 2025)
    assert "giai đoạn 2027-2030" in standard_change_note(2026, 2025)
    assert "2016-2021" in standard_change_note(2021, 2020)  # Decision 59 -> Decree 07
    assert standard_change_note(2025, 2024) == ""
    assert standard_change_note(2026, None) == ""  # no earlier review in the warehouse
    assert standard_change_note(2015, 2014) == ""  # no standard before 2015's in config
