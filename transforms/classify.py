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
    n = len(households)
    ids = np.asarray(households.get("household_id", households.index), dtype=object)

    # --- inputs as numpy arrays ---------------------------------------------------------------
    areas = list(standard.income_line)  # the areas the standard has lines for
    area = households["area"].to_numpy(dtype=object, na_value=None)
    area_masks = {key: area == key for key in areas}
    area_idx = np.full(n, -1, dtype=np.int64)
    for i, mask in enumerate(area_masks.values()):
        area_idx[mask] = i
    if (area_idx < 0).any():
        bad = _sample(ids, area_idx < 0, households["area"])
        raise ValueError(f"area not in standard {standard.period}: {bad}")

    income = _floats(households, "income_per_capita")
    score = _floats(households, "income_score")
    dep_score = _floats(households, "deprivation_score")

    keys = standard.indicator_keys
    if len(keys) > 62:
        raise ValueError(f"standard {standard.period}: more indicators than a bit pattern holds")
    pattern_code = np.zeros(n, dtype=np.int64)  # bit j set: deprived in indicator j
    column_count = np.zeros(n, dtype=np.int64)
    for j, key in enumerate(keys):
        if key in households:
            deprived = households[key].to_numpy(dtype=bool, na_value=False)
            pattern_code |= deprived.astype(np.int64) << j
            column_count += deprived

    by_score = ~np.isnan(score)
    score_dep = by_score & ~np.isnan(dep_score)
    with np.errstate(invalid="ignore"):
        score_count = np.floor(dep_score / standard.points_per_indicator)
    count = np.where(score_dep, score_count, column_count).astype(np.int64)

    x = np.where(by_score, score, income)
    reviewed = ~np.isnan(x)

    # --- thresholds per row, from the standard ------------------------------------------------
    income_floor = _by_area(standard.income_floor, area_masks, n)
    income_line = _by_area(standard.income_line, area_masks, n)
    average_line = _by_area(standard.average_line, area_masks, n)
    floor = np.where(by_score, _by_area(standard.score_floor, area_masks, n), income_floor)
    line = np.where(by_score, _by_area(standard.score_line, area_masks, n), income_line)

    # --- the rule -----------------------------------------------------------------------------
    with np.errstate(invalid="ignore"):
        poor_floor = x <= floor  # NaN floor (the period has none) -> False
        under_line = x <= line
        poor_count = under_line & ~poor_floor & (count >= standard.deprivation_threshold)
        near = under_line & ~poor_floor & ~poor_count
        in_average_band = (income > income_line) & (income <= average_line)  # NaN -> False
    average = ~under_line & ~poor_floor & in_average_band

    status_code = np.select([~reviewed, poor_floor | poor_count, near, average], [4, 0, 1, 2], 3)
    kind = np.full(n, None, dtype=object)
    kind[poor_count] = "deprivation"
    kind[poor_floor] = "income"

    # --- deprived indicators: one lookup entry per distinct pattern, not per row --------------
    patterns, pattern_idx = np.unique(pattern_code, return_inverse=True)
    pattern_idx = pattern_idx.reshape(-1)
    names_vi = [_lower_first(i.name_vi) for i in standard.indicators]
    key_lut: list[list[str]] = []
    name_lut: list[str] = []
    for code in patterns.tolist():
        chosen = [j for j in range(len(keys)) if (code >> j) & 1]
        key_lut.append([keys[j] for j in chosen])
        name_lut.append(", ".join(names_vi[j] for j in chosen))
    lists = pa.array(key_lut, type=pa.list_(pa.string())).take(pa.array(pattern_idx))

    reason = _reasons(
        standard=standard,
        area_labels=[area_labels_vi.get(a, a) for a in areas],
        area_idx=area_idx,
        name_lut=name_lut,
        pattern_idx=pattern_idx,
        by_score=by_score,
        score_dep=score_dep,
        x=x,
        income=income,
        dep_score=dep_score,
        count=count,
        floor=floor,
        line=line,
        income_line=income_line,
        average_line=average_line,
        poor_floor=poor_floor,
        poor_count=poor_count,
        near=near,
        average=average,
        status_code=status_code,
    )

    out = pd.DataFrame(
        {
            "status": pd.Series(_str(_take(STATUSES, status_code))),
            "poverty_kind": pd.Series(kind, dtype=object),
            "deprivation_count": pd.Series(count, dtype=np.int64),
            "deprived_indicators": pd.Series(pd.arrays.ArrowExtensionArray(lists)),
            "basis": pd.Series(
                _str(_take(["income", "score", "none"], np.where(reviewed, by_score, 2)))
            ),
            "standard": pd.Series(_str(_take([standard.period], np.zeros(n, dtype=np.int64)))),
            "reason": pd.Series(_str(reason)),
        }
    )
    out.index = households.index
    return out


# --- the officer's reason -------------------------------------------------------------------------


def _reasons(
    *,
    standard: Standard,
    area_labels: list[str],
    area_idx: np.ndarray,
    name_lut: list[str],
    pattern_idx: np.ndarray,
    by_score: np.ndarray,
    score_dep: np.ndarray,
    x: np.ndarray,
    income: np.ndarray,
    dep_score: np.ndarray,
    count: np.ndarray,
    floor: np.ndarray,
    line: np.ndarray,
    income_line: np.ndarray,
    average_line: np.ndarray,
    poor_floor: np.ndarray,
    poor_count: np.ndarray,
    near: np.ndarray,
    average: np.ndarray,
    status_code: np.ndarray,
) -> pa.Array:
    """Each household's reason, e.g. "nông thôn, thu nhập 850.000 đ ≤ 1.000.000 đ và thiếu hụt
    3 chỉ số: bảo hiểm y tế, nguồn nước sinh hoạt, hố xí/nhà tiêu hợp vệ sinh → hộ nghèo".

    A reason is text fixed by the household's group (the clause that decided, area, basis,
    deprivation pattern) around up to three of its own numbers: the compared income or score,
    the deprivation score, the income. The fixed text is written once per group that occurs; the
    numbers are formatted column-wise and everything is joined by one Arrow kernel: no row loop.
    """
    n = len(x)
    if n == 0:
        return pa.array([], type=pa.string())
    no_income = np.isnan(income)
    with np.errstate(invalid="ignore"):
        rich = income > average_line
    # Which text: 0 poor by the floor; 1 poor by line and count; 2 near-poor; by income above the
    # line: 3 average, 4 not poor; by score above its line: 5 average, 6 no income, 7 income above
    # the average line, 8 income at or below the income line; 9 not reviewed.
    case = np.select(
        [
            status_code == 4,
            poor_floor,
            poor_count,
            near,
            average & ~by_score,
            ~by_score,
            average,
            no_income,
            rich,
        ],
        [9, 0, 1, 2, 3, 4, 5, 6, 7],
        8,
    )
    with_deprivations = (case == 1) | (case == 2)
    uses_points = with_deprivations & score_dep
    shown_count = np.where(with_deprivations, count - count.min(), 0)
    key = case.astype(np.int64)
    for part, size in (
        (area_idx, len(area_labels)),
        (by_score, 2),
        (uses_points, 2),
        (np.where(with_deprivations, pattern_idx, 0), len(name_lut)),
        (shown_count, int(shown_count.max()) + 1),
    ):
        key = key * size + part
    _, first, group = np.unique(key, return_index=True, return_inverse=True)

    def texts(values: np.ndarray) -> list[str]:
        return vn_numbers(values[first]).to_pylist()

    floor_t, line_t, iline_t, avg_t = (texts(v) for v in (floor, line, income_line, average_line))
    t = standard.deprivation_threshold
    t_points = vn_numbers(np.array([t * standard.points_per_indicator]))[0].as_py()
    score_label = _lower_first(standard.income_score_label)
    dep_label = _lower_first(standard.deprivation_score_label)
    labels = [status_labels_vi[s] for s in STATUSES]
    provisional = (
        f" (chuẩn {standard.period} tạm tính, chờ xác nhận)" if standard.provisional else ""
    )

    seg: list[list[str]] = [[], [], [], []]  # before x, after x, after points, after income
    for g, r in enumerate(first.tolist()):
        c, scored = int(case[r]), bool(by_score[r])
        unit = "" if scored else " đ"
        s0 = f"{area_labels[area_idx[r]]}, " + (f"{score_label} " if scored else "thu nhập ")
        s2 = s3 = ""
        if c == 9:
            s0 = f"{area_labels[area_idx[r]]}, "
            s1 = "không có thu nhập, điểm, chỉ số thiếu hụt: tính vào tổng số hộ dân cư"
        elif c == 0:
            s1 = f"{unit} ≤ {floor_t[g]}{unit}"
        elif c in (1, 2):
            names = name_lut[pattern_idx[r]]
            tail = f": {names}" if names else ""
            counted = f"thiếu hụt {count[r]} chỉ số"
            s1 = f"{unit} ≤ {line_t[g]}{unit} và "
            if uses_points[r]:
                s1 += f"{dep_label} "
                s2 = f" {'≥' if c == 1 else '<'} {t_points} ({counted}{tail})"
            else:
                s1 += counted + ("" if c == 1 else f" (dưới {t})") + tail
        elif c == 3:
            s1 = f" đ > {iline_t[g]} đ và ≤ {avg_t[g]} đ"
        elif c == 4:
            s1 = f" đ > {avg_t[g]} đ"
        elif c == 6:
            s1 = f" > {line_t[g]}, không có thu nhập để xét mức sống trung bình"
        else:
            s1 = f" > {line_t[g]}, thu nhập "
            s3 = {
                5: f" đ > {iline_t[g]} đ và ≤ {avg_t[g]} đ",
                7: f" đ > {avg_t[g]} đ",
                8: f" đ ≤ {iline_t[g]} đ (ngoài khoảng mức sống trung bình)",
            }[c]
        end = f"{s3} → {labels[status_code[r]]}{provisional}"
        for i, text in enumerate((s0, s1, s2, end)):
            seg[i].append(text)

    group = pa.array(group.reshape(-1))
    uses_income = (case == 5) | (case == 7) | (case == 8)
    return pc.binary_join_element_wise(
        pa.array(seg[0]).take(group),
        vn_numbers(x),
        pa.array(seg[1]).take(group),
        vn_numbers(np.where(uses_points, dep_score, np.nan)),
        pa.array(seg[2]).take(group),
        vn_numbers(np.where(uses_income, income, np.nan)),
        pa.array(seg[3]).take(group),
        "",
    )


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
