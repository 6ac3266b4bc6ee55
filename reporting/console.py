"""The screen `census run` ends with: the province's rates by year, the districts' (the years
that had them), today's communes for the last year, the targets of the years run.

The officer reads it: headings and columns in Vietnamese first (the English after a " / " for
the analysts), units in Vietnamese dictionary order (`Chà Tở` before `Chiềng Sinh`, `Điện Biên
Phủ` after `Dương`), figures from warehouse/queries.py.
"""

from __future__ import annotations

import pandas as pd

from reporting.vietnamese import INDICATOR_VI, ON_TRACK_VI, SCOPE_VI, sort_key

PROVINCE_COLUMNS = {
    "year": "Năm",
    "name": "Đơn vị",
    "households": "Số hộ",
    "poor": "Hộ nghèo",
    "poverty_rate": "Tỷ lệ nghèo",
    "near_poor_rate": "Tỷ lệ cận nghèo",
    "multidimensional_poverty_rate": "Nghèo đa chiều",
    "poverty_rate_cut": "Mức giảm",
    "standard": "Chuẩn nghèo",
    "note": "Ghi chú",
}
TARGET_COLUMNS = {
    "name": "Đơn vị",
    "indicator": "Chỉ tiêu",
    "target": "Kế hoạch",
    "actual": "Thực hiện",
    "gap": "Chênh lệch",
    "on_track": "Đánh giá",
}


def rate_tables(
    province: pd.DataFrame, districts: pd.DataFrame, communes: pd.DataFrame, gaps: pd.DataFrame
) -> str:
    """The screen's text (queries.rates for the province and poor districts, the districts,
    today's communes; queries.target_gap), or "" when no year has rates."""
    if province.empty:
        return ""
    last = int(province["year"].max())
    parts = [_province_table(province)]
    if not districts.empty:
        parts.append(
            "Tỷ lệ hộ nghèo (%) theo huyện (các năm còn cấp huyện) / "
            "Poverty rate (%) by district (the years that had districts)\n"
            + _text(
                _by_name(districts.pivot_table(index="name", columns="year", values="poverty_rate"))
            )  # fmt: skip
        )
    if not communes.empty:
        parts.append(
            f"Tỷ lệ (%) năm {last} theo xã hiện nay (các năm trước tính trên cùng địa bàn) / "
            f"Rates {last} (%) by today's commune (earlier years on the same units)\n"
            + _text(_commune_table(communes, last))
        )
    parts += [_target_table(year, gap) for year, gap in gaps.groupby("year")]
    return "\n\n".join(parts)


def _province_table(province: pd.DataFrame) -> str:
    note = province["crosses_standard_change"].map({True: "chuẩn mới"}).fillna("") + province[
        "provisional_standard"
    ].map({True: " (tạm tính)"}).fillna("")
    shown = province.assign(name=_unit_names(province), note=note)
    return (
        "Toàn tỉnh: tỷ lệ (% số hộ dân cư) theo năm rà soát; mức giảm tính bằng điểm % so với "
        "năm trước / Province: rates (% of resident households) by census year; the cut in "
        "points on the year before\n"
        + shown[list(PROVINCE_COLUMNS)]
        .rename(columns=PROVINCE_COLUMNS)
        .to_string(index=False, na_rep="-", float_format="{:.2f}".format)
    )


def _commune_table(communes: pd.DataFrame, last: int) -> pd.DataFrame:
    table = communes.pivot_table(index="name", columns="year", values="poverty_rate")
    table = table.rename(columns=lambda y: f"Nghèo {y}")
    now = communes[communes["year"] == last].set_index("name")
    table[f"Cận nghèo {last}"] = now["near_poor_rate"]
    table[f"Đa chiều {last}"] = now["multidimensional_poverty_rate"]
    table[f"Số hộ {last}"] = now["households"].astype("Int64")
    return _by_name(table)


def _target_table(year: int, gap: pd.DataFrame) -> str:
    counts = gap["unit"] == "households"
    figures = {
        c: gap[c].map("{:.0f}".format).where(counts, gap[c].map("{:.2f}".format))
        for c in ("target", "actual", "gap")
    }
    shown = gap.assign(
        **figures,
        name=_unit_names(gap),
        indicator=gap["indicator"].map(INDICATOR_VI).fillna(gap["indicator"]),
        on_track=gap["on_track"].map(ON_TRACK_VI),
    ).mask(gap.isna())
    return (
        f"Chỉ tiêu năm {year} (chênh lệch = thực hiện - kế hoạch; điểm %, hoặc số hộ) / "
        f"Targets {year} (gap = actual - target; points, or households for counts)\n"
        + shown[list(TARGET_COLUMNS)]
        .rename(columns=TARGET_COLUMNS)
        .to_string(index=False, na_rep="-")
    )


def _unit_names(frame: pd.DataFrame) -> pd.Series:
    """A row's unit: the province's or a district's name; the poor districts together as
    `Các huyện nghèo` (the mart names them in English)."""
    return frame["name"].where(frame["scope"] != "poor_districts", SCOPE_VI["poor_districts"])


def _by_name(table: pd.DataFrame) -> pd.DataFrame:
    """Rows by unit name in Vietnamese dictionary order."""
    return table.loc[sorted(table.index, key=sort_key)]


def _text(table: pd.DataFrame) -> str:
    return table.rename_axis(index=None, columns=None).to_string(
        na_rep="-", float_format="{:.2f}".format
    )
