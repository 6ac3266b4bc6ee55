"""Vietnamese presentation in one place: how numbers, labels and file names are written for the
people who read the reports, the workbooks and the run's artifacts.

The household statuses' labels are data (config/statuses.csv), shared with the reasons that
`transforms.classify` writes; the other labels here are the reports' own words.
"""

from __future__ import annotations

import pandas as pd

import config
from transforms.text import fold, vn_numbers

MISSING = "–"

AREA_VI: dict[str, str] = {"rural": "Nông thôn", "urban": "Thành thị"}

# A status standing alone (a list, a heading, an axis), then the households that arrived or
# left between two census years.
STATUS_VI: dict[str, str] = {s: v.list_label_vi for s, v in config.status_labels().items()} | {
    "arrived": "Hộ mới (chuyển đến, tách hộ)",
    "left": "Hộ không còn (chuyển đi, nhập hộ)",
}

SCOPE_VI: dict[str, str] = {
    "province": "Toàn tỉnh",
    "poor_districts": "Các huyện nghèo",
    "district": "Huyện",
}

# The plan's targets (marts.target_gap: indicator, unit, on_track).
INDICATOR_VI: dict[str, str] = {
    "poverty_rate": "Tỷ lệ hộ nghèo",
    "poverty_rate_cut": "Mức giảm tỷ lệ hộ nghèo",
    "near_poor_rate": "Tỷ lệ hộ cận nghèo",
    "ethnic_minority_poverty_rate": "Tỷ lệ hộ nghèo DTTS",
    "relapsed_households": "Số hộ tái nghèo",
    "newly_poor_households": "Số hộ nghèo phát sinh",
}
UNIT_VI: dict[str, str] = {"percent": "%", "points": "điểm %", "households": "hộ"}
ON_TRACK_VI: dict[bool, str] = {True: "Đạt", False: "Chưa đạt"}


def number(value: object, decimals: int = 0) -> str:
    """A number written the Vietnamese way with exactly `decimals` decimals: 127667 ->
    "127.667", 37.08 with 2 -> "37,08"; "–" when missing (`transforms.text.vn_numbers`)."""
    if value is None or pd.isna(value):
        return MISSING
    return vn_numbers([float(value)], decimals, fixed=True)[0].as_py()


def slug(name: object, default: str = "") -> str:
    """The ASCII form of a name for file names and keys: lowercase letters, digits and "-"
    only (`Điện Biên Phủ` -> `dien-bien-phu`); `default` when nothing is left."""
    return fold(name).replace(" ", "-") or default
