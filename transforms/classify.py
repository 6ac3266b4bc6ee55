"""Classify households as poor, near-poor, average living standard or not poor.

`classify(households, year)` applies the poverty standard that covers the census year. Every
threshold comes from `config.Standard` (config/standards/*.csv): this module holds no income,
score or count that belongs to the law, so a new period is new rows in the standards table.

The rule, in the shape shared by every period (poverty-standards.md; `config.Standard`):

    poor       x <= floor                                (only where the period has a floor)
               or (x <= line and D >= threshold)
    near_poor  x <= line and not poor
    average    income line < income <= average line
    not_poor   everything else

where x is the income per person per month ("thu nhập bình quân đầu người/tháng") or, when the
household carries a proxy-income score, that score with the score floor and line. The law's
wording is read as: "từ đủ X trở xuống" / "từ X trở xuống" = x <= X; "trên X đến Y" =
X < x <= Y; "thiếu hụt từ 03 chỉ số trở lên" = D >= 3; "thiếu hụt dưới 03 chỉ số" = D < 3.

Sources of the rule for the periods in the table:
- 2016–2021: Decision 59/2015/QĐ-TTg art. 1 cl. 1 (income criteria: chuẩn nghèo 700,000 rural /
  900,000 urban, chuẩn cận nghèo 1,000,000 / 1,300,000) and art. 2 (the household standards:
  poor by either of two criteria, near-poor, average living standard); kept for 2021 by Decree
  07/2021/NĐ-CP art. 2. Scores: Circular 17/2016/TT-BLĐTBXH as amended by Circular
  14/2018/TT-BLĐTBXH art. 1 cl. 5 (điểm B1 / điểm B2, 10 points per deprived indicator).
- 2022–2026: Decree 07/2021/NĐ-CP art. 3 (cl. 1 criteria, cl. 2 household standards), kept for
  the 2026 lists by Decree 351/2025/NĐ-CP. Scores: Circular 07/2021/TT-BLĐTBXH (điểm A / điểm B).
- 2027–2030: the new decree's lines with the same shape of rule; its indicators, average band
  and score lines are provisional data (config/standards/periods.csv says which).

Decisions where the law leaves a choice (each is tested in tests/transforms/test_classify.py):

`poverty_kind`. Decision 59/2015 art. 2 cl. 1 makes a household poor by either of two criteria,
and the 2016–2021 reports split the poor the same way: "income" = the first criterion, income at
or below the floor whatever the deprivations ("hộ nghèo về thu nhập"); "deprivation" = the second,
income above the floor up to the line together with 3+ deprivations ("hộ nghèo thiếu hụt dịch vụ
xã hội cơ bản"). From 2022, Decree 07/2021 art. 3 cl. 2 point a has a single criterion,
income at or below the line AND 3+ deprivations, and no income-alone criterion: a household with
no income at all and 2 deprivations is near-poor (point b). "income" (poor on income alone) would
therefore name a criterion that no longer exists. The single criterion has the shape of the
2016–2021 second criterion (the income screen passes, the deprivation count decides between poor
and near-poor), so every poor household from 2022 is "deprivation". Stated from the data alone:
"income" when the floor clause fires, "deprivation" when the line-and-count clause fires, None
when not poor; a period with no floor (empty floor in periods.csv) has only "deprivation".
Caution for analysts: kinds are not comparable across 2021/2022, since the 2022 "deprivation"
group includes very low incomes that 2016–2021 counted as "income". The other splits of the poor
in the report forms from 2022 (households with a meritorious member, social-protection
households, ethnic minority) come from household flags, not from this rule, and are not made here.

`basis` and `deprivation_count`. A household carrying a proxy-income score (`income_score` not
NaN) is classified by scores (poverty-standards.md; Circular 14/2018 art. 1 cl. 5; Circular
07/2021), its income kept for analysis; otherwise by income. The score rule compares the
deprivation score with threshold x points (B2 >= 30). The count used and reported is
floor(deprivation_score / points_per_indicator), which gives the same decision as the points for
an integer threshold (s >= t  <=>  floor(s) >= t). A score household without a deprivation score
has its indicator columns counted. `deprived_indicators` always lists the indicator columns marked
deprived, in the standard's order (validation checks that score and columns agree). On the income
basis, D is the number of indicator columns marked deprived; a missing indicator column, or a
missing value in one, counts as "not deprived".

`average` on the score basis. The law defines the average living standard on income only; the
score rule has no such band. A score household that is neither poor nor near-poor is "average"
when its income is present and income line < income <= average line, otherwise "not_poor" (also
when the income is missing or, in conflict with the score, at or below the income line; the
`reason` then shows both numbers so an officer can see the conflict).

`not_reviewed`. A household listed with neither an income nor a score was not reviewed this
year (only households on last year's lists or that asked to be reviewed are surveyed:
poverty-standards.md, "Rates and changes"): it counts as a resident household, neither poor nor
near-poor, basis "none". Validation sends here only rows with no deprivation marked either
(HH009 rejects the others).

A provisional standard (config/standards/periods.csv `provisional`: the 2027–2030 standard,
whose indicators and average band are the draft's) says so at the end of every reason.

Households with an area the standard does not know raise `ValueError` (validation rejects them
first: HH016).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

import config
from config import Standard
from transforms.text import vn_numbers

# Status values, poorest first, then households listed but not reviewed this year; and the
# status in the officer's reason ("... → hộ nghèo"): config/statuses.csv.
STATUSES: tuple[str, ...] = tuple(config.status_labels())
status_labels_vi: dict[str, str] = {s: v.label_vi for s, v in config.status_labels().items()}

poverty_kind_labels_vi: dict[str, str] = {
    "income": "hộ nghèo về thu nhập",
    "deprivation": "hộ nghèo thiếu hụt dịch vụ xã hội cơ bản",
}

area_labels_vi: dict[str, str] = {"rural": "nông thôn", "urban": "thành thị"}

OUTPUT_COLUMNS: tuple[str, ...] = (
    "status",
    "poverty_kind",
    "deprivation_count",
    "deprived_indicators",
    "basis",
    "standard",
    "reason",
)


def classify(households: pd.DataFrame, year: int) -> pd.DataFrame:
    """Classify each household under the standard covering census `year`.

    `households`: one row per household (any index) with `household_id`, `area`
    ("rural"/"urban"), `income_per_capita` (VND/person/month, may be NaN when scores are given),
    `income_score`, `deprivation_score` (NaN when absent) and one boolean column per indicator
    key of the year's standard (a missing column = not deprived).

    Returns a frame with the same index and the columns `OUTPUT_COLUMNS`:
    - `status` (str): "poor" | "near_poor" | "average" | "not_poor" | "not_reviewed"
    - `poverty_kind` (object): "income" | "deprivation" | None (not poor)
    - `deprivation_count` (int64): the D the rule used
    - `deprived_indicators` (list<string>[pyarrow]): each value reads as a Python list of
      indicator keys in the standard's order; goes to DuckDB as VARCHAR[]
    - `basis` (str): "score" | "income" | "none" (not reviewed)
    - `standard` (str): the list period, e.g. "2016-2021"
    - `reason` (str): the decision in Vietnamese for the officer
    See the module docstring for the rule and the choices made where the law is silent.
    """
    return classify_with_standard(households, config.standard_for_year(year))


def classify_with_standard(households: pd.DataFrame, standard: Standard) -> pd.DataFrame:
    """`classify` with the standard given explicitly."""
    areas = _areas(households, standard)
    measures = _measures(households, standard)
    limits = _limits(standard, areas.masks, measures.by_score)
    decision = _decision(measures, limits, standard)
    patterns = _patterns(measures.pattern_code, standard)
    reason = _reasons(standard, areas, patterns, measures, limits, decision)
    return _classifications(households.index, standard, measures, decision, patterns, reason)


# --- the rule -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Areas:
    """The areas the standard has lines for, and the area of each household."""

    masks: dict[str, np.ndarray]  # area key -> whether each household is in it
    index: np.ndarray  # each household's area as a position in `masks`
    labels: list[str]  # each area's Vietnamese name, in the order of `masks`


@dataclass(frozen=True)
class _Measures:
    """What the rule compares, one value a household (numpy arrays)."""

    income: np.ndarray  # income per person per month; NaN when absent
    dep_score: np.ndarray  # deprivation score; NaN when absent
    pattern_code: np.ndarray  # bit j set: deprived in the standard's indicator j (columns)
    by_score: np.ndarray  # classified by scores: the household carries a proxy-income score
    score_dep: np.ndarray  # by scores with a deprivation score: D counted from its points
    count: np.ndarray  # D, the deprivations the rule counts (int64)
    x: np.ndarray  # the compared figure: the score by scores, else the income
    reviewed: np.ndarray  # x present: the household was reviewed this year


@dataclass(frozen=True)
class _Limits:
    """The standard's lines for each household (its area's; NaN where the period has none)."""

    floor: np.ndarray  # the floor x is compared with (score floor by scores)
    line: np.ndarray  # the line x is compared with (score line by scores)
    income_line: np.ndarray
    average_line: np.ndarray


@dataclass(frozen=True)
class _Decision:
    """Which clause of the rule each household meets."""

    poor_floor: np.ndarray  # x <= floor
    poor_count: np.ndarray  # x <= line and D >= threshold
    near: np.ndarray  # x <= line, not poor
    average: np.ndarray  # above the line, income within the average band
    status_code: np.ndarray  # position in STATUSES


@dataclass(frozen=True)
class _Patterns:
    """The distinct deprivation patterns: one lookup entry each, not one per row."""

    index: np.ndarray  # each household's pattern
    keys: list[list[str]]  # each pattern's deprived indicator keys, in the standard's order
    names: list[str]  # each pattern's Vietnamese indicator names, joined


def _areas(households: pd.DataFrame, standard: Standard) -> _Areas:
    """The households' areas; raises ValueError for an area the standard has no lines for."""
    areas = list(standard.income_line)
    area = households["area"].to_numpy(dtype=object, na_value=None)
    masks = {key: area == key for key in areas}
    index = np.full(len(households), -1, dtype=np.int64)
    for i, mask in enumerate(masks.values()):
        index[mask] = i
    if (index < 0).any():
        ids = np.asarray(households.get("household_id", households.index), dtype=object)
        bad = _sample(ids, index < 0, households["area"])
        raise ValueError(f"area not in standard {standard.period}: {bad}")
    return _Areas(masks, index, [area_labels_vi.get(a, a) for a in areas])


def _measures(households: pd.DataFrame, standard: Standard) -> _Measures:
    """The incomes, scores and deprivations of the households as the rule reads them."""
    income = _floats(households, "income_per_capita")
    score = _floats(households, "income_score")
    dep_score = _floats(households, "deprivation_score")
    pattern_code, column_count = _deprived_columns(households, standard)
    by_score = ~np.isnan(score)
    score_dep = by_score & ~np.isnan(dep_score)
    with np.errstate(invalid="ignore"):
        score_count = np.floor(dep_score / standard.points_per_indicator)
    x = np.where(by_score, score, income)
    return _Measures(
        income=income,
        dep_score=dep_score,
        pattern_code=pattern_code,
        by_score=by_score,
        score_dep=score_dep,
        count=np.where(score_dep, score_count, column_count).astype(np.int64),
        x=x,
        reviewed=~np.isnan(x),
    )


def _deprived_columns(
    households: pd.DataFrame, standard: Standard
) -> tuple[np.ndarray, np.ndarray]:
    """The indicator columns marked deprived, per household: as a bit pattern (bit j: the
    standard's indicator j) and counted. A missing column or value is "not deprived"."""
    keys = standard.indicator_keys
    if len(keys) > 62:
        raise ValueError(f"standard {standard.period}: more indicators than a bit pattern holds")
    n = len(households)
    pattern_code = np.zeros(n, dtype=np.int64)
    column_count = np.zeros(n, dtype=np.int64)
    for j, key in enumerate(keys):
        if key in households:
            deprived = households[key].to_numpy(dtype=bool, na_value=False)
            pattern_code |= deprived.astype(np.int64) << j
            column_count += deprived
    return pattern_code, column_count


def _limits(standard: Standard, masks: dict[str, np.ndarray], by_score: np.ndarray) -> _Limits:
    """The standard's floor and lines for each household, by its area and basis."""
    n = len(by_score)
    income_floor = _by_area(standard.income_floor, masks, n)
    income_line = _by_area(standard.income_line, masks, n)
    return _Limits(
        floor=np.where(by_score, _by_area(standard.score_floor, masks, n), income_floor),
        line=np.where(by_score, _by_area(standard.score_line, masks, n), income_line),
        income_line=income_line,
        average_line=_by_area(standard.average_line, masks, n),
    )


def _decision(measures: _Measures, limits: _Limits, standard: Standard) -> _Decision:
    """The rule of the module docstring, for every household at once."""
    x, income = measures.x, measures.income
    with np.errstate(invalid="ignore"):
        poor_floor = x <= limits.floor  # NaN floor (the period has none) -> False
        under_line = x <= limits.line
        poor_count = under_line & ~poor_floor & (measures.count >= standard.deprivation_threshold)
        near = under_line & ~poor_floor & ~poor_count
        # NaN -> False: a missing income is in no band
        in_average_band = (income > limits.income_line) & (income <= limits.average_line)
    average = ~under_line & ~poor_floor & in_average_band
    status_code = np.select(
        [~measures.reviewed, poor_floor | poor_count, near, average], [4, 0, 1, 2], 3
    )
    return _Decision(poor_floor, poor_count, near, average, status_code)


def _poverty_kinds(decision: _Decision) -> np.ndarray:
    """Each household's `poverty_kind`: "income" where the floor clause fires, "deprivation"
    where the line-and-count clause does, None when not poor."""
    kind = np.full(len(decision.status_code), None, dtype=object)
    kind[decision.poor_count] = "deprivation"
    kind[decision.poor_floor] = "income"
    return kind


def _patterns(pattern_code: np.ndarray, standard: Standard) -> _Patterns:
    """The households' deprivation patterns, each distinct one's keys and names listed once."""
    patterns, index = np.unique(pattern_code, return_inverse=True)
    keys = standard.indicator_keys
    names_vi = [_lower_first(i.name_vi) for i in standard.indicators]
    key_lut: list[list[str]] = []
    name_lut: list[str] = []
    for code in patterns.tolist():
        chosen = [j for j in range(len(keys)) if (code >> j) & 1]
        key_lut.append([keys[j] for j in chosen])
        name_lut.append(", ".join(names_vi[j] for j in chosen))
    return _Patterns(index.reshape(-1), key_lut, name_lut)


def _classifications(
    index: pd.Index,
    standard: Standard,
    measures: _Measures,
    decision: _Decision,
    patterns: _Patterns,
    reason: pa.Array,
) -> pd.DataFrame:
    """The frame `classify` returns (OUTPUT_COLUMNS), on the households' index."""
    n = len(index)
    lists = pa.array(patterns.keys, type=pa.list_(pa.string())).take(pa.array(patterns.index))
    basis = np.where(measures.reviewed, measures.by_score, 2)
    out = pd.DataFrame(
        {
            "status": pd.Series(_str(_take(STATUSES, decision.status_code))),
            "poverty_kind": pd.Series(_poverty_kinds(decision), dtype=object),
            "deprivation_count": pd.Series(measures.count, dtype=np.int64),
            "deprived_indicators": pd.Series(pd.arrays.ArrowExtensionArray(lists)),
            "basis": pd.Series(_str(_take(["income", "score", "none"], basis))),
            "standard": pd.Series(_str(_take([standard.period], np.zeros(n, dtype=np.int64)))),
            "reason": pd.Series(_str(reason)),
        }
    )
    out.index = index
    return out


# --- the officer's reason -------------------------------------------------------------------------


class _Group(NamedTuple):
    """What the fixed text of a group of reasons says (taken from its first household)."""

    case: int  # which text: `_reason_cases`
    scored: bool  # classified by scores
    area: str  # the area's Vietnamese name
    floor: str  # the lines compared with, as text
    line: str
    income_line: str
    average_line: str
    count: int  # D
    names: str  # the deprived indicators' names
    uses_points: bool  # D shown as the deprivation score against the threshold's points
    status: str  # the status in Vietnamese


@dataclass(frozen=True)
class _ReasonWords:
    """The words of a standard that every reason under it may use."""

    score_label: str  # the proxy-income score's name, e.g. "điểm A"
    deprivation_label: str  # the deprivation score's name, e.g. "điểm B"
    threshold: int  # the deprivations that make a household under the line poor
    threshold_points: str  # the same in points, as text
    provisional: str  # the end of every reason under a provisional standard, else ""


def _reasons(
    standard: Standard,
    areas: _Areas,
    patterns: _Patterns,
    measures: _Measures,
    limits: _Limits,
    decision: _Decision,
) -> pa.Array:
    """Each household's reason, e.g. "nông thôn, thu nhập 850.000 đ ≤ 1.000.000 đ và thiếu hụt
    3 chỉ số: bảo hiểm y tế, nguồn nước sinh hoạt, hố xí/nhà tiêu hợp vệ sinh → hộ nghèo".

    A reason is text fixed by the household's group (the clause that decided, area, basis,
    deprivation pattern) around up to three of its own numbers: the compared income or score,
    the deprivation score, the income. The fixed text is written once per group that occurs; the
    numbers are formatted column-wise and everything is joined by one Arrow kernel: no row loop.
    """
    if len(measures.x) == 0:
        return pa.array([], type=pa.string())
    case = _reason_cases(measures, limits, decision)
    uses_points = ((case == 1) | (case == 2)) & measures.score_dep
    first, group = _reason_groups(case, uses_points, areas, patterns, measures)
    groups = _groups(first, case, uses_points, areas, patterns, measures, limits, decision)
    words = _reason_words(standard)
    # The fixed text of each group in its four places: before the compared income or score,
    # after it, after the deprivation score, after the income.
    seg = [list(texts) for texts in zip(*(_segments(g, words) for g in groups), strict=True)]
    group = pa.array(group.reshape(-1))
    uses_income = (case == 5) | (case == 7) | (case == 8)
    return pc.binary_join_element_wise(
        pa.array(seg[0]).take(group),
        vn_numbers(measures.x),
        pa.array(seg[1]).take(group),
        vn_numbers(np.where(uses_points, measures.dep_score, np.nan)),
        pa.array(seg[2]).take(group),
        vn_numbers(np.where(uses_income, measures.income, np.nan)),
        pa.array(seg[3]).take(group),
        "",
    )


def _reason_cases(measures: _Measures, limits: _Limits, decision: _Decision) -> np.ndarray:
    """Which text each household's reason is: 0 poor by the floor; 1 poor by line and count;
    2 near-poor; by income above the line: 3 average, 4 not poor; by score above its line:
    5 average, 6 no income, 7 income above the average line, 8 income at or below the income
    line; 9 not reviewed."""
    no_income = np.isnan(measures.income)
    with np.errstate(invalid="ignore"):
        rich = measures.income > limits.average_line
    by_score = measures.by_score
    return np.select(
        [
            decision.status_code == 4,
            decision.poor_floor,
            decision.poor_count,
            decision.near,
            decision.average & ~by_score,
            ~by_score,
            decision.average,
            no_income,
            rich,
        ],
        [9, 0, 1, 2, 3, 4, 5, 6, 7],
        8,
    )


def _reason_groups(
    case: np.ndarray,
    uses_points: np.ndarray,
    areas: _Areas,
    patterns: _Patterns,
    measures: _Measures,
) -> tuple[np.ndarray, np.ndarray]:
    """The households grouped by the fixed text of their reason (case, area, basis, points,
    deprivation pattern and count): each group's first household, and each household's
    group."""
    with_deprivations = (case == 1) | (case == 2)
    count = measures.count
    shown_count = np.where(with_deprivations, count - count.min(), 0)
    key = case.astype(np.int64)
    for part, size in (
        (areas.index, len(areas.labels)),
        (measures.by_score, 2),
        (uses_points, 2),
        (np.where(with_deprivations, patterns.index, 0), len(patterns.names)),
        (shown_count, int(shown_count.max()) + 1),
    ):
        key = key * size + part
    _, first, group = np.unique(key, return_index=True, return_inverse=True)
    return first, group


def _groups(
    first: np.ndarray,
    case: np.ndarray,
    uses_points: np.ndarray,
    areas: _Areas,
    patterns: _Patterns,
    measures: _Measures,
    limits: _Limits,
    decision: _Decision,
) -> list[_Group]:
    """What the fixed text of each group of reasons says, read from its `first` household."""
    floor_t, line_t, iline_t, avg_t = (
        vn_numbers(values[first]).to_pylist()
        for values in (limits.floor, limits.line, limits.income_line, limits.average_line)
    )
    labels = [status_labels_vi[s] for s in STATUSES]
    return [
        _Group(
            case=int(case[r]),
            scored=bool(measures.by_score[r]),
            area=areas.labels[areas.index[r]],
            floor=floor_t[g],
            line=line_t[g],
            income_line=iline_t[g],
            average_line=avg_t[g],
            count=measures.count[r],
            names=patterns.names[patterns.index[r]],
            uses_points=bool(uses_points[r]),
            status=labels[decision.status_code[r]],
        )
        for g, r in enumerate(first.tolist())
    ]


def _reason_words(standard: Standard) -> _ReasonWords:
    """The words of `standard` that its reasons use."""
    t = standard.deprivation_threshold
    return _ReasonWords(
        score_label=_lower_first(standard.income_score_label),
        deprivation_label=_lower_first(standard.deprivation_score_label),
        threshold=t,
        threshold_points=vn_numbers(np.array([t * standard.points_per_indicator]))[0].as_py(),
        provisional=(
            f" (chuẩn {standard.period} tạm tính, chờ xác nhận)" if standard.provisional else ""
        ),
    )


def _segments(g: _Group, words: _ReasonWords) -> tuple[str, str, str, str]:
    """A group's fixed text in its four places: before the compared income or score, after
    it, after the deprivation score, after the income (the status at its end)."""
    unit = "" if g.scored else " đ"
    before = f"{g.area}, " + (f"{words.score_label} " if g.scored else "thu nhập ")
    after_points = after_income = ""
    if g.case == 9:
        before = f"{g.area}, "
        after = "không có thu nhập, điểm, chỉ số thiếu hụt: tính vào tổng số hộ dân cư"
    elif g.case == 0:
        after = f"{unit} ≤ {g.floor}{unit}"
    elif g.case in (1, 2):
        after, after_points = _deprivation_segments(g, words, unit)
    elif g.case == 3:
        after = f" đ > {g.income_line} đ và ≤ {g.average_line} đ"
    elif g.case == 4:
        after = f" đ > {g.average_line} đ"
    elif g.case == 6:
        after = f" > {g.line}, không có thu nhập để xét mức sống trung bình"
    else:
        after = f" > {g.line}, thu nhập "
        after_income = {
            5: f" đ > {g.income_line} đ và ≤ {g.average_line} đ",
            7: f" đ > {g.average_line} đ",
            8: f" đ ≤ {g.income_line} đ (ngoài khoảng mức sống trung bình)",
        }[g.case]
    return before, after, after_points, f"{after_income} → {g.status}{words.provisional}"


def _deprivation_segments(g: _Group, words: _ReasonWords, unit: str) -> tuple[str, str]:
    """The text after the compared figure and after the deprivation score of a household
    under the line (case 1 poor, 2 near-poor): its deprivations against the threshold, counted
    or in points, and their names."""
    tail = f": {g.names}" if g.names else ""
    counted = f"thiếu hụt {g.count} chỉ số"
    after = f"{unit} ≤ {g.line}{unit} và "
    if g.uses_points:
        sign = "≥" if g.case == 1 else "<"
        return (
            f"{after}{words.deprivation_label} ",
            f" {sign} {words.threshold_points} ({counted}{tail})",
        )
    return after + counted + ("" if g.case == 1 else f" (dưới {words.threshold})") + tail, ""


def vn_number(values) -> pd.Series:
    """`transforms.text.vn_numbers` (the reasons' number format) as a string Series indexed
    0..n-1: 1234567 -> "1.234.567"; 850000.5 -> "850.000,5"; 120.0 -> "120"; NaN -> "".
    """
    return pd.Series(_str(vn_numbers(values)))


# --- small helpers ------------------------------------------------------------------------------


def _floats(df: pd.DataFrame, column: str) -> np.ndarray:
    if column not in df:
        return np.full(len(df), np.nan)
    return pd.to_numeric(df[column]).to_numpy(dtype=float, na_value=np.nan)


def _by_area(values: dict[str, float | None], masks: dict[str, np.ndarray], n: int) -> np.ndarray:
    out = np.full(n, np.nan)
    for key, mask in masks.items():
        value = values.get(key)
        if value is not None:
            out[mask] = value
    return out


def _take(lookup, positions: np.ndarray) -> pa.Array:
    return pa.array(list(lookup), type=pa.string()).take(pa.array(positions))


def _str(values: pa.Array) -> pd.api.extensions.ExtensionArray:
    """An Arrow string array as pandas' default `str` dtype (no round trip through Python)."""
    return pd.array(values, dtype="str")


def _sample(ids: np.ndarray, mask: np.ndarray, values: pd.Series | None = None) -> str:
    """A few offending household ids (and values) for an error message."""
    idx = np.flatnonzero(mask)
    shown = [str(ids[i]) + (f"={values.iloc[i]!r}" if values is not None else "") for i in idx[:5]]
    more = f" and {len(idx) - 5} more" if len(idx) > 5 else ""
    return ", ".join(shown) + more


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
