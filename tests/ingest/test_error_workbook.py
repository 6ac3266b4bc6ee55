"""The officer's error workbook as it is printed and read: Vietnamese only, the problems first,
the officer's own cells after them, warnings apart (workbooks/error_report.py)."""

from __future__ import annotations

import config
from schemas.headers import canonical_keys, vietnamese_label


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
