"""Tests for transforms.classify: expected values are read off the legal text, not the code.

Sources (poverty-standards.md):
- D59 = Decision 59/2015/QĐ-TTg: art. 1 cl. 1 income criteria (rural 700,000 / 1,000,000, urban
  900,000 / 1,300,000); art. 2 cl. 1 poor ("từ đủ 700.000 đồng trở xuống; hoặc trên 700.000 đồng
  đến 1.000.000 đồng và thiếu hụt từ 03 chỉ số ... trở lên"), cl. 2 near-poor ("trên ... đến ...
  và thiếu hụt dưới 03 chỉ số"), cl. 3 average living standard (rural above 1,000,000 up to
  1,500,000; urban above 1,300,000 up to 1,950,000).
- C14 = Circular 14/2018/TT-BLĐTBXH art. 1 cl. 5 (amending Circular 17/2016): scores B1/B2,
  rural poor B1 <= 120, or 120 < B1 <= 150 and B2 >= 30; near-poor 120 < B1 <= 150 and B2 < 30;
  urban 140 / 175.
- D07 = Decree 07/2021/NĐ-CP art. 3 cl. 2: point a poor = income "từ 1.500.000 đồng trở xuống"
  (urban 2,000,000) "và thiếu hụt từ 03 chỉ số ... trở lên"; point b near-poor = the same income
  and "thiếu hụt dưới 03 chỉ số"; point c average = above 1,500,000 up to 2,250,000 (urban above
  2,000,000 up to 3,000,000).
- C07 = Circular 07/2021/TT-BLĐTBXH: score A <= 140 (urban 175) and B >= 30 poor; A <= line
  and B < 30 near-poor.
"""

from __future__ import annotations

import ast
import dataclasses
import math
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import config
from config import Indicator, Standard
from transforms import classify as classify_module
from transforms.classify import (
    OUTPUT_COLUMNS,
    STATUSES,
    classify,
    status_labels_vi,
    vn_number,
)

NAN = math.nan
RANK = {s: i for i, s in enumerate(STATUSES)}  # 0 = poor ... 3 = not_poor, 4 = not reviewed


def households(year: int, rows: list[dict], indicator_keys: list[str] | None = None):
    """A typed households frame. A row's `deprived` is a count (the first n indicators of the
    year's standard) or a list of indicator keys."""
    if indicator_keys is None:
        indicator_keys = config.standard_for_year(year).indicator_keys
    keys = indicator_keys
    records = []
    for i, row in enumerate(rows):
        deprived = row.get("deprived", 0)
        chosen = set(keys[:deprived] if isinstance(deprived, int) else deprived)
        records.append(
            {
                "household_id": row.get("household_id", f"H{i:05d}"),
                "area": row["area"],
                "income_per_capita": float(row.get("income", NAN)),
                "income_score": float(row.get("score", NAN)),
                "deprivation_score": float(row.get("points", NAN)),
                **{k: k in chosen for k in keys},
            }
        )
    columns = ["household_id", "area", "income_per_capita", "income_score", "deprivation_score"]
    return pd.DataFrame.from_records(records, columns=[*columns, *keys])


class Case(NamedTuple):
    year: int
    area: str
    income: float
    score: float
    points: float  # deprivation score
    deprived: int  # indicator columns marked deprived (the first n of the standard)
    status: str
    kind: str | None
    count: int
    basis: str


def inc(year, area, income, deprived, status, kind, case_id):
    count = deprived
    return pytest.param(
        Case(year, area, income, NAN, NAN, deprived, status, kind, count, "income"), id=case_id
    )


def sc(year, area, score, points, status, kind, case_id, income=NAN, deprived=None):
    # A score household: its indicator columns agree with its points unless given.
    deprived = int(points // 10) if deprived is None else deprived
    count = int(points // 10)
    return pytest.param(
        Case(year, area, income, score, points, deprived, status, kind, count, "score"),
        id=case_id,
    )


P, N, A, X = "poor", "near_poor", "average", "not_poor"
KI, KD = "income", "deprivation"  # poverty_kind

CASES = [
    # --- 2016–2021 by income, rural: D59 art. 1 cl. 1, art. 2 cl. 1a, 2a, 3a -------------
    inc(2018, "rural", 0, 0, P, KI, "D59-a2c1a rural income 0 -> poor on income"),
    inc(2018, "rural", 699_999, 0, P, KI, "D59-a2c1a rural floor-1 D0 -> poor on income"),
    inc(2018, "rural", 700_000, 0, P, KI, "D59-a2c1a rural at floor 'từ đủ 700.000 trở xuống'"),
    inc(2018, "rural", 700_000, 3, P, KI, "D59-a2c1a rural at floor D3 still income kind"),
    inc(2018, "rural", 700_001, 2, N, None, "D59-a2c2a rural floor+1 D2 -> near-poor"),
    inc(2018, "rural", 700_001, 3, P, KD, "D59-a2c1a rural floor+1 D3 -> poor by deprivation"),
    inc(2018, "rural", 999_999, 2, N, None, "D59-a2c2a rural line-1 D2 -> near-poor"),
    inc(2018, "rural", 999_999, 3, P, KD, "D59-a2c1a rural line-1 D3 -> poor by deprivation"),
    inc(2018, "rural", 1_000_000, 2, N, None, "D59-a2c2a rural at line D2 'đến 1.000.000'"),
    inc(2018, "rural", 1_000_000, 3, P, KD, "D59-a2c1a rural at line D3 -> poor"),
    inc(2018, "rural", 1_000_001, 3, A, None, "D59-a2c3a rural line+1 D3 -> average"),
    inc(2018, "rural", 1_000_001, 0, A, None, "D59-a2c3a rural line+1 D0 -> average"),
    inc(2018, "rural", 1_499_999, 10, A, None, "D59-a2c3a rural avg-1 D10 -> average"),
    inc(2018, "rural", 1_500_000, 0, A, None, "D59-a2c3a rural at average line 'đến 1.500.000'"),
    inc(2018, "rural", 1_500_001, 0, X, None, "D59-a2c3a rural avg+1 -> not poor"),
    # --- which standard a review applies: the following year's lists (the review of year Y
    # decides the lists of Y + 1; poverty-standards.md, "Which standard applies") -------------
    inc(2015, "rural", 700_000, 0, P, KI, "D59 first review 2015 (2016 lists)"),
    inc(2015, "rural", 1_000_000, 3, P, KD, "D59 review 2015 at line D3 -> poor"),
    inc(2016, "rural", 700_000, 0, P, KI, "D59 review 2016"),
    inc(2020, "rural", 700_000, 0, P, KI, "D59 last review 2020 (2021 lists, D07-a2)"),
    inc(2020, "urban", 1_300_001, 0, A, None, "D59 review 2020 urban line+1 -> average"),
    inc(2021, "rural", 700_000, 0, N, None, "D07 first review 2021: 700.000 D0 near-poor"),
    inc(2021, "rural", 1_500_000, 3, P, KD, "D07 first review 2021 at line D3 -> poor"),
    inc(2021, "rural", 1_500_001, 3, A, None, "D07 review 2021 line+1 -> average"),
    inc(2025, "rural", 1_500_000, 3, P, KD, "D07 last review 2025 (2026 lists, D351)"),
    inc(2025, "rural", 1_500_001, 3, A, None, "D07 review 2025 line+1 -> average"),
    inc(2026, "rural", 2_200_000, 3, P, KD, "D351 first review 2026 rural at line D3 -> poor"),
    inc(2026, "rural", 2_200_000, 2, N, None, "D351 review 2026 rural at line D2 -> near-poor"),
    inc(2026, "rural", 2_200_001, 3, A, None, "D351 review 2026 rural line+1 -> average"),
    inc(2026, "rural", 0, 2, N, None, "D351 review 2026 income 0 D2 -> near-poor, no floor"),
    inc(2026, "urban", 2_800_000, 3, P, KD, "D351 review 2026 urban at line D3 -> poor"),
    inc(2026, "urban", 2_800_000, 2, N, None, "D351 review 2026 urban at line D2 -> near-poor"),
    inc(2026, "urban", 2_800_001, 0, A, None, "D351 review 2026 urban line+1 -> average (prov.)"),
    # --- 2016–2021 by income, urban: D59 art. 1 cl. 1, art. 2 cl. 1b, 2b, 3b -------------
    inc(2019, "urban", 899_999, 0, P, KI, "D59-a2c1b urban floor-1 -> poor on income"),
    inc(2019, "urban", 900_000, 0, P, KI, "D59-a2c1b urban at floor 900.000 -> poor"),
    inc(2019, "urban", 900_001, 2, N, None, "D59-a2c2b urban floor+1 D2 -> near-poor"),
    inc(2019, "urban", 900_001, 3, P, KD, "D59-a2c1b urban floor+1 D3 -> poor by deprivation"),
    inc(2019, "urban", 1_299_999, 3, P, KD, "D59-a2c1b urban line-1 D3 -> poor"),
    inc(2019, "urban", 1_300_000, 2, N, None, "D59-a2c2b urban at line D2 -> near-poor"),
    inc(2019, "urban", 1_300_000, 3, P, KD, "D59-a2c1b urban at line D3 -> poor"),
    inc(2019, "urban", 1_300_001, 3, A, None, "D59-a2c3b urban line+1 D3 -> average"),
    inc(2019, "urban", 1_949_999, 0, A, None, "D59-a2c3b urban avg-1 -> average"),
    inc(2019, "urban", 1_950_000, 0, A, None, "D59-a2c3b urban at average line 1.950.000"),
    inc(2019, "urban", 1_950_001, 0, X, None, "D59-a2c3b urban avg+1 -> not poor"),
    inc(2019, "urban", 1_000_000, 0, N, None, "D59 urban 1.000.000 is near-poor, not rural poor"),
    # --- 2016–2021 by score: C14 art. 1 cl. 5 (B2 = 10 points per indicator) -------------
    sc(2018, "rural", 119, 0, P, KI, "C14 rural B1 119 -> poor (B1 <= 120)"),
    sc(2018, "rural", 120, 0, P, KI, "C14 rural B1 120 at score floor -> poor"),
    sc(2018, "rural", 121, 20, N, None, "C14 rural B1 121 B2 20 -> near-poor"),
    sc(2018, "rural", 121, 30, P, KD, "C14 rural B1 121 B2 30 -> poor"),
    sc(2018, "rural", 150, 20, N, None, "C14 rural B1 150 at score line B2 20 -> near-poor"),
    sc(2018, "rural", 150, 30, P, KD, "C14 rural B1 150 at score line B2 30 -> poor"),
    sc(2018, "rural", 151, 30, X, None, "C14 rural B1 151 no income -> not poor"),
    sc(2018, "rural", 151, 30, A, None, "C14+D59 B1 151 income 1.200.000 -> avg", 1_200_000),
    sc(2018, "rural", 151, 0, A, None, "C14+D59 B1 151 income at avg line -> avg", 1_500_000),
    sc(2018, "rural", 151, 0, X, None, "C14+D59 B1 151 income avg+1 -> not poor", 1_500_001),
    sc(2018, "rural", 151, 0, X, None, "C14 B1 151 wins over income 500.000", 500_000),
    sc(2018, "rural", 130, 30, P, KD, "C14 score wins over income 2.000.000", 2_000_000),
    sc(2018, "rural", 130, 25, N, None, "C14 B2 25 < 30 -> near-poor (count 2)"),
    sc(2018, "urban", 139, 0, P, KI, "C14 urban B1 139 -> poor"),
    sc(2018, "urban", 140, 0, P, KI, "C14 urban B1 140 at score floor -> poor"),
    sc(2018, "urban", 141, 20, N, None, "C14 urban B1 141 B2 20 -> near-poor"),
    sc(2018, "urban", 141, 30, P, KD, "C14 urban B1 141 B2 30 -> poor"),
    sc(2018, "urban", 175, 20, N, None, "C14 urban B1 175 at line B2 20 -> near-poor"),
    sc(2018, "urban", 175, 30, P, KD, "C14 urban B1 175 at line B2 30 -> poor"),
    sc(2018, "urban", 176, 30, X, None, "C14 urban B1 176 -> not poor"),
    sc(2018, "urban", 176, 30, A, None, "C14+D59 urban B1 176 income 1.950.000", 1_950_000),
    # Score rule counts the points, not the columns (C14 art. 1 cl. 5): B2 30, columns say 0.
    sc(2018, "rural", 130, 30, P, KD, "C14 points decide D, columns blank", deprived=0),
    # --- 2022–2025 by income: D07 art. 3 cl. 2 ------------------------------------------
    inc(2023, "rural", 0, 2, N, None, "D07-a3c2b income 0 D2 -> near-poor, no income floor"),
    inc(2023, "rural", 0, 3, P, KD, "D07-a3c2a income 0 D3 -> poor"),
    inc(2023, "rural", 700_000, 0, N, None, "D07-a3c2b 700.000 D0 -> near-poor (poor in D59)"),
    inc(2023, "rural", 1_499_999, 2, N, None, "D07-a3c2b rural line-1 D2 -> near-poor"),
    inc(2023, "rural", 1_499_999, 3, P, KD, "D07-a3c2a rural line-1 D3 -> poor"),
    inc(2023, "rural", 1_500_000, 2, N, None, "D07-a3c2b rural at line D2 -> near-poor"),
    inc(2023, "rural", 1_500_000, 3, P, KD, "D07-a3c2a rural at line 'từ 1.500.000 trở xuống'"),
    inc(2023, "rural", 1_500_001, 3, A, None, "D07-a3c2c rural line+1 D3 -> average"),
    inc(2023, "rural", 1_500_001, 12, A, None, "D07-a3c2c rural line+1 D12 -> average"),
    inc(2023, "rural", 2_249_999, 0, A, None, "D07-a3c2c rural avg-1 -> average"),
    inc(2023, "rural", 2_250_000, 0, A, None, "D07-a3c2c rural at average line 2.250.000"),
    inc(2023, "rural", 2_250_001, 0, X, None, "D07-a3c2c rural avg+1 -> not poor"),
    inc(2022, "urban", 0, 2, N, None, "D07-a3c2b urban income 0 D2 -> near-poor"),
    inc(2022, "urban", 1_999_999, 3, P, KD, "D07-a3c2a urban line-1 D3 -> poor"),
    inc(2022, "urban", 2_000_000, 2, N, None, "D07-a3c2b urban at line D2 -> near-poor"),
    inc(2022, "urban", 2_000_000, 3, P, KD, "D07-a3c2a urban at line 2.000.000 D3 -> poor"),
    inc(2022, "urban", 2_000_001, 3, A, None, "D07-a3c2c urban line+1 -> average"),
    inc(2025, "urban", 2_999_999, 0, A, None, "D07-a3c2c urban avg-1 -> average"),
    inc(2025, "urban", 3_000_000, 0, A, None, "D07-a3c2c urban at average line 3.000.000"),
    inc(2025, "urban", 3_000_001, 0, X, None, "D07-a3c2c urban avg+1 -> not poor"),
    # --- 2022–2025 by score: C07 (A <= line and B >= 30) --------------------------------
    sc(2023, "rural", 0, 20, N, None, "C07 rural A 0 B 20 -> near-poor, no score floor"),
    sc(2023, "rural", 139, 30, P, KD, "C07 rural A 139 B 30 -> poor"),
    sc(2023, "rural", 140, 30, P, KD, "C07 rural A 140 at line B 30 -> poor"),
    sc(2023, "rural", 140, 20, N, None, "C07 rural A 140 at line B 20 -> near-poor"),
    sc(2023, "rural", 141, 30, X, None, "C07 rural A 141 -> not poor (no income)"),
    sc(2023, "rural", 141, 30, A, None, "C07+D07 rural A 141 income 2.250.000", 2_250_000),
    sc(2023, "urban", 175, 30, P, KD, "C07 urban A 175 at line B 30 -> poor"),
    sc(2023, "urban", 175, 20, N, None, "C07 urban A 175 at line B 20 -> near-poor"),
    sc(2023, "urban", 176, 30, X, None, "C07 urban A 176 -> not poor"),
    sc(2023, "urban", 176, 0, A, None, "C07+D07 urban A 176 income 2.500.000", 2_500_000),
]


@pytest.mark.parametrize("case", CASES)
def test_law_table(case: Case):
    df = households(
        case.year,
        [
            {
                "area": case.area,
                "income": case.income,
                "score": case.score,
                "points": case.points,
                "deprived": case.deprived,
            }
        ],
    )
    row = classify(df, case.year).iloc[0]
    assert row["status"] == case.status
    assert row["poverty_kind"] == case.kind
    assert row["deprivation_count"] == case.count
    assert row["basis"] == case.basis
    assert row["standard"] == config.standard_for_year(case.year).period
    standard = config.standard_for_year(case.year)
    provisional = (
        f" (chuẩn {standard.period} tạm tính, chờ xác nhận)" if standard.provisional else ""
    )
    assert row["reason"].endswith("→ " + status_labels_vi[case.status] + provisional)
    assert bool(provisional) == (case.year >= 2026)  # the 2027-2030 standard is the draft's


def test_all_cases_in_one_frame_match_one_by_one():
    """Vectorised over mixed rows (areas, bases) gives the same as each row alone."""
    for year in (2018, 2023):
        cases = [p.values[0] for p in CASES if p.values[0].year == year]
        df = households(
            year,
            [
                {
                    "area": c.area,
                    "income": c.income,
                    "score": c.score,
                    "points": c.points,
                    "deprived": c.deprived,
                }
                for c in cases
            ],
        )
        out = classify(df, year)
        assert out["status"].tolist() == [c.status for c in cases]
        assert out["poverty_kind"].tolist() == [c.kind for c in cases]
        assert out["deprivation_count"].tolist() == [c.count for c in cases]


# --- output shape ---------------------------------------------------------------------------


def test_output_columns_types_and_index():
    df = households(
        2018,
        [
            {"area": "rural", "income": 650_000},
            {"area": "urban", "income": 2_000_000},
            {"area": "rural", "income": 850_000, "deprived": 3},
        ],
    )
    df.index = pd.Index(["z", "a", "z"], name="row")  # any index, even repeated labels
    out = classify(df, 2018)
    assert list(out.columns) == list(OUTPUT_COLUMNS)
    assert out.index.equals(df.index)
    assert out["deprivation_count"].dtype == np.int64
    assert out["status"].tolist() == ["poor", "not_poor", "poor"]
    assert out["poverty_kind"].tolist() == ["income", None, "deprivation"]
    assert out["poverty_kind"].iloc[1] is None
    lists = out["deprived_indicators"].tolist()
    assert all(isinstance(v, list) for v in lists)
    assert lists[2] == ["adult_education", "child_school_attendance", "health_access"]


def test_empty_frame():
    df = households(2023, [])
    out = classify(df, 2023)
    assert list(out.columns) == list(OUTPUT_COLUMNS)
    assert len(out) == 0


def test_deprived_indicators_in_standard_order_and_missing_columns_not_deprived():
    keys = config.standard_for_year(2018).indicator_keys
    df = households(
        2018, [{"area": "rural", "income": 800_000, "deprived": ["latrine", "health_insurance"]}]
    )
    df = df[list(reversed(df.columns))]  # column order does not matter
    out = classify(df, 2018).iloc[0]
    assert out["deprived_indicators"] == ["health_insurance", "latrine"]
    assert out["status"] == "near_poor"

    # Dropping every indicator column: nobody is deprived (2022: income alone is never poor).
    bare = households(2023, [{"area": "rural", "income": 0, "deprived": 12}]).drop(
        columns=config.standard_for_year(2023).indicator_keys
    )
    row = classify(bare, 2023).iloc[0]
    assert (row["status"], row["deprivation_count"], row["deprived_indicators"]) == (
        "near_poor",
        0,
        [],
    )
    # A missing value in an indicator column counts as not deprived.
    df = households(2018, [{"area": "rural", "income": 800_000, "deprived": 3}])
    df[keys[0]] = pd.array([pd.NA], dtype="boolean")
    assert classify(df, 2018).iloc[0]["status"] == "near_poor"


def test_score_household_without_points_counts_columns():
    # Score given, deprivation score blank: the indicator columns give D (module docstring).
    df = households(2018, [{"area": "rural", "score": 130, "deprived": 3}])
    row = classify(df, 2018).iloc[0]
    assert (row["basis"], row["status"], row["deprivation_count"]) == ("score", "poor", 3)


def test_score_count_reported_and_columns_listed():
    # B2 = 30 but only one column marked: the rule uses the points (C14 art. 1 cl. 5).
    df = households(2018, [{"area": "rural", "score": 130, "points": 30, "deprived": 1}])
    row = classify(df, 2018).iloc[0]
    assert row["deprivation_count"] == 3
    assert row["deprived_indicators"] == ["adult_education"]
    assert row["status"] == "poor"


def test_a_row_without_income_or_score_was_not_reviewed_and_an_unknown_area_raises():
    df = households(2018, [{"area": "rural"}, {"area": "rural", "income": 1}])
    out = classify(df, 2018)
    assert list(out["status"]) == ["not_reviewed", "poor"]
    assert list(out["basis"]) == ["none", "income"]
    assert out["poverty_kind"].iloc[0] is None and out["deprivation_count"].iloc[0] == 0
    assert out["reason"].iloc[0].endswith("→ hộ không rà soát năm nay")
    df = households(2018, [{"area": "mountain", "income": 1}])
    with pytest.raises(ValueError, match="mountain"):
        classify(df, 2018)


def test_year_without_standard_raises():
    # The end-2015 review was the first under Decision 59/2015: nothing covers 2014's.
    with pytest.raises(LookupError):
        classify(households(2014, [], indicator_keys=[]), 2014)


# --- reasons ------------------------------------------------------------------------------------


def test_reason_example_from_brief():
    df = households(
        2018,
        [
            {
                "area": "rural",
                "income": 850_000,
                "deprived": ["health_insurance", "drinking_water", "latrine"],
            }
        ],
    )
    assert classify(df, 2018).iloc[0]["reason"] == (
        "nông thôn, thu nhập 850.000 đ ≤ 1.000.000 đ và thiếu hụt 3 chỉ số: bảo hiểm y tế, "
        "nguồn nước sinh hoạt, hố xí/nhà tiêu hợp vệ sinh → hộ nghèo"
    )


@pytest.mark.parametrize(
    ("year", "row", "reason"),
    [
        (
            2018,
            {"area": "urban", "income": 900_000},
            "thành thị, thu nhập 900.000 đ ≤ 900.000 đ → hộ nghèo",
        ),
        (
            2023,
            {"area": "rural", "income": 1_500_000, "deprived": ["nutrition", "telecom"]},
            "nông thôn, thu nhập 1.500.000 đ ≤ 1.500.000 đ và thiếu hụt 2 chỉ số (dưới 3): "
            "dinh dưỡng, sử dụng dịch vụ viễn thông → hộ cận nghèo",
        ),
        (
            2023,
            {"area": "rural", "income": 1_500_000.5},
            "nông thôn, thu nhập 1.500.000,5 đ > 1.500.000 đ và ≤ 2.250.000 đ "
            "→ hộ có mức sống trung bình",
        ),
        (
            2023,
            {"area": "urban", "income": 3_000_001},
            "thành thị, thu nhập 3.000.001 đ > 3.000.000 đ → hộ không nghèo",
        ),
        (
            2018,
            {"area": "rural", "score": 150, "points": 30, "deprived": ["latrine"]},
            "nông thôn, điểm B1 150 ≤ 150 và điểm B2 30 ≥ 30 "
            "(thiếu hụt 3 chỉ số: hố xí/nhà tiêu hợp vệ sinh) → hộ nghèo",
        ),
        (
            2023,
            {"area": "urban", "score": 175, "points": 0},
            "thành thị, điểm A 175 ≤ 175 và điểm B 0 < 30 (thiếu hụt 0 chỉ số) → hộ cận nghèo",
        ),
        (
            2023,
            {"area": "urban", "score": 176, "points": 40, "income": 2_500_000},
            "thành thị, điểm A 176 > 175, thu nhập 2.500.000 đ > 2.000.000 đ và ≤ 3.000.000 đ "
            "→ hộ có mức sống trung bình",
        ),
        (
            2023,
            {"area": "urban", "score": 176, "points": 40},
            "thành thị, điểm A 176 > 175, không có thu nhập để xét mức sống trung bình "
            "→ hộ không nghèo",
        ),
        (
            2018,
            {"area": "rural", "score": 151, "points": 0, "income": 500_000},
            "nông thôn, điểm B1 151 > 150, thu nhập 500.000 đ ≤ 1.000.000 đ "
            "(ngoài khoảng mức sống trung bình) → hộ không nghèo",
        ),
    ],
)
def test_reasons(year, row, reason):
    assert classify(households(year, [row]), year).iloc[0]["reason"] == reason


def test_vn_number():
    got = vn_number([0, 7, 999, 1_000, 850_000, 1_234_567, 1_500_000.5, 12.25, NAN, -5])
    assert got.tolist() == [
        "0",
        "7",
        "999",
        "1.000",
        "850.000",
        "1.234.567",
        "1.500.000,5",
        "12,25",
        "",
        "-5",
    ]


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**15))
def test_vn_number_matches_python_grouping(value):
    assert vn_number([value]).iloc[0] == f"{value:,}".replace(",", ".")


# --- the law is data: a new period needs no code change ------------------------------------


def test_future_period_is_data_only(monkeypatch):
    current = config.standards()
    base = config.standard_for_year(2023)
    digital = Indicator("digital_skills", "information", "Kỹ năng số", "digital skills")
    future = dataclasses.replace(
        base,
        period="2031-2035",
        first_list_year=2031,
        last_list_year=2035,
        legal_source="hypothetical",
        deprivation_threshold=2,
        income_floor={"rural": 1_000_000.0, "urban": 1_200_000.0},
        income_line={"rural": 2_000_000.0, "urban": 2_600_000.0},
        average_line={"rural": 3_000_000.0, "urban": 3_900_000.0},
        score_floor={"rural": None, "urban": None},
        score_line={"rural": 160.0, "urban": 200.0},
        points_per_indicator=5,
        income_score_label="Điểm X",
        deprivation_score_label="Điểm Y",
        indicators=(*base.indicators, digital),
    )
    monkeypatch.setattr(config, "standards", lambda: (*current, future))

    df = households(
        2030,  # the review deciding the 2031 lists
        [
            {"area": "rural", "income": 1_000_000},  # at the new floor: poor on income
            {"area": "rural", "income": 1_000_001, "deprived": ["digital_skills", "nutrition"]},
            {"area": "rural", "income": 1_000_001, "deprived": ["digital_skills"]},
            {"area": "urban", "income": 2_600_001},
            {"area": "urban", "income": 3_900_001},
            {"area": "urban", "score": 200, "points": 10},  # 10 / 5 = D 2 >= 2
            {"area": "urban", "score": 200, "points": 5},
        ],
        indicator_keys=future.indicator_keys,
    )
    out = classify(df, 2030)
    assert set(out["standard"]) == {"2031-2035"}
    assert out["status"].tolist() == [P, P, N, A, X, P, N]
    assert out["poverty_kind"].tolist() == [KI, KD, None, None, None, KD, None]
    assert out["deprivation_count"].tolist() == [0, 2, 1, 0, 0, 2, 1]
    assert out["deprived_indicators"].iloc[1] == ["nutrition", "digital_skills"]
    assert "kỹ năng số" in out["reason"].iloc[1]
    assert out["reason"].iloc[5].startswith("thành thị, điểm X 200 ≤ 200 và điểm Y 10 ≥ 10")
    # The existing periods are untouched.
    assert classify(households(2023, [{"area": "rural", "income": 0}]), 2023).iloc[0][
        "standard"
    ] == ("2022-2026")


def test_no_threshold_is_a_literal_in_classify():
    """Every line, floor and score of the standards table lives in config, not in the code."""
    values: set[float] = set()
    for s in config.standards():
        for table in (s.income_floor, s.income_line, s.average_line, s.score_floor, s.score_line):
            values |= {v for v in table.values() if v is not None}
        values |= {s.points_per_indicator, s.deprivation_threshold * s.points_per_indicator}
    tree = ast.parse(Path(classify_module.__file__).read_text(encoding="utf-8"))
    literals = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    }
    assert not literals & values, literals & values


# --- properties -------------------------------------------------------------------------------

AREAS = st.sampled_from(["rural", "urban"])
YEARS = st.sampled_from([2018, 2023])


def ranks(out: pd.DataFrame) -> list[int]:
    return [RANK[s] for s in out["status"]]


@settings(max_examples=60, deadline=None)
@given(
    year=YEARS,
    area=AREAS,
    deprived=st.integers(0, 10),
    incomes=st.lists(st.integers(0, 4_000_000), min_size=2, max_size=30),
)
def test_more_income_never_poorer(year, area, deprived, incomes):
    incomes = sorted(incomes)
    df = households(year, [{"area": area, "income": i, "deprived": deprived} for i in incomes])
    r = ranks(classify(df, year))
    assert r == sorted(r), list(zip(incomes, r, strict=True))


@settings(max_examples=60, deadline=None)
@given(
    year=YEARS,
    area=AREAS,
    points=st.integers(0, 12).map(lambda d: 10 * d),
    income=st.one_of(st.just(NAN), st.integers(0, 4_000_000)),
    scores=st.lists(st.integers(0, 300), min_size=2, max_size=30),
)
def test_higher_income_score_never_poorer(year, area, points, income, scores):
    scores = sorted(scores)
    df = households(
        year, [{"area": area, "score": s, "points": points, "income": income} for s in scores]
    )
    r = ranks(classify(df, year))
    assert r == sorted(r), list(zip(scores, r, strict=True))


@settings(max_examples=60, deadline=None)
@given(
    year=YEARS,
    area=AREAS,
    income=st.integers(0, 4_000_000),
    data=st.data(),
)
def test_more_deprivations_never_less_poor(year, area, income, data):
    keys = config.standard_for_year(year).indicator_keys
    # A chain of growing deprivation sets: each adds indicators to the one before.
    order = data.draw(st.permutations(keys))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(keys)), min_size=2, max_size=8)))
    rows = [{"area": area, "income": income, "deprived": list(order[:c])} for c in cuts]
    r = ranks(classify(households(year, rows), year))
    assert r == sorted(r, reverse=True), list(zip(cuts, r, strict=True))


@settings(max_examples=60, deadline=None)
@given(
    year=YEARS,
    area=AREAS,
    score=st.integers(0, 300),
    income=st.one_of(st.just(NAN), st.integers(0, 4_000_000)),
    points=st.lists(st.integers(0, 120), min_size=2, max_size=10),
)
def test_more_deprivation_points_never_less_poor(year, area, score, income, points):
    points = sorted(points)
    rows = [{"area": area, "score": score, "points": p, "income": income} for p in points]
    r = ranks(classify(households(year, rows), year))
    assert r == sorted(r, reverse=True), list(zip(points, r, strict=True))


def reference(standard: Standard, row: dict) -> str:
    """One household, written as the legal text reads (a slow oracle for the vectorised code)."""
    area, income, score, points = row["area"], row["income"], row["score"], row["points"]
    if not math.isnan(score):
        x, floor, line = score, standard.score_floor[area], standard.score_line[area]
        d = points // standard.points_per_indicator if not math.isnan(points) else row["d"]
    else:
        x, floor, line = income, standard.income_floor[area], standard.income_line[area]
        d = row["d"]
    if floor is not None and x <= floor:
        return "poor"
    if x <= line:
        return "poor" if d >= standard.deprivation_threshold else "near_poor"
    if standard.income_line[area] < income <= standard.average_line[area]:
        return "average"
    return "not_poor"


@settings(max_examples=40, deadline=None)
@given(
    year=st.sampled_from([2016, 2018, 2021, 2022, 2025]),
    rows=st.lists(
        st.fixed_dictionaries(
            {
                "area": AREAS,
                "income": st.one_of(st.just(NAN), st.integers(0, 4_000_000)),
                "score": st.one_of(st.just(NAN), st.integers(0, 300)),
                "points": st.one_of(st.just(NAN), st.integers(0, 12).map(lambda d: 10 * d)),
                "d": st.integers(0, 10),
            }
        ).filter(lambda r: not (math.isnan(r["income"]) and math.isnan(r["score"]))),
        min_size=1,
        max_size=40,
    ),
)
def test_matches_row_by_row_reading_of_the_law(year, rows):
    standard = config.standard_for_year(year)
    df = households(year, [{**r, "deprived": r["d"]} for r in rows])
    out = classify(df, year)
    assert out["status"].tolist() == [reference(standard, r) for r in rows]
