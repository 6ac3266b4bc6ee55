"""Each table of the year's reports, defined once: its sheet, title, subtitle, columns (header,
key, kind, Excel width) and rows. `reporting.excel` writes every column of every table;
`reporting.html` shows the columns a table declares for the page, a subset of the same
definitions, so both reports say the same thing in the same words.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from reporting.data import ReportData
from reporting.vietnamese import INDICATOR_VI, SCOPE_VI, UNIT_VI


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    # text | count | percent (a rate in %; Excel shows 0.00%) | points | flag (x when true) |
    # verdict (on track: Đạt / Chưa đạt)
    kind: str
    width: float  # Excel column width


@dataclass(frozen=True)
class Table:
    sheet: str  # the Excel sheet
    title: str
    subtitle: str
    columns: tuple[Column, ...]
    rows: pd.DataFrame
    html_keys: tuple[str, ...] = ()  # the columns the HTML report shows; none: not shown there
    total_last: bool = False  # the last row is the total
    note: str = ""  # printed under the table in the workbook

    def html_columns(self) -> list[Column]:
        by_key = {c.key: c for c in self.columns}
        return [by_key[k] for k in self.html_keys]


def _previous(data: ReportData) -> int | str:
    return data.previous_year or "trước"


def summary_form(data: ReportData) -> Table:
    """The province's summary form (biểu tổng hợp): urban units, rural units, total."""
    return Table(
        sheet="Biểu tổng hợp",
        title=(
            f"BIỂU TỔNG HỢP KẾT QUẢ RÀ SOÁT HỘ NGHÈO NĂM {data.year} - TỈNH {data.province.upper()}"
        ),
        subtitle=f"(So với danh sách hộ nghèo năm {_previous(data)}; đơn vị: hộ, %)",
        columns=(
            Column("Đơn vị", "unit_group_vi", "text", 24),
            Column("Tổng số hộ dân cư", "households", "count", 11),
            Column("Hộ nghèo đầu năm", "poor_start", "count", 10),
            Column("Trong đó: hộ DTTS", "poor_start_ethnic_minority", "count", 10),
            Column("Thoát nghèo: số hộ", "poor_escaped", "count", 10),
            Column("Thoát nghèo: tỷ lệ (%)", "poor_escaped_pct", "percent", 10),
            Column("Tái nghèo: số hộ", "poor_relapsed", "count", 10),
            Column("Tái nghèo: tỷ lệ (%)", "poor_relapsed_pct", "percent", 10),
            Column("Nghèo phát sinh: số hộ", "poor_newly", "count", 10),
            Column("Nghèo phát sinh: tỷ lệ (%)", "poor_newly_pct", "percent", 10),
            Column("Hộ nghèo chuyển đến, tách hộ", "poor_arrived", "count", 10),
            Column("Hộ nghèo chuyển đi, nhập hộ", "poor_left", "count", 10),
            Column("Hộ nghèo cuối năm", "poor_end", "count", 10),
            Column("Tỷ lệ hộ nghèo cuối năm (%)", "poor_rate", "percent", 10),
            Column("Hộ nghèo DTTS cuối năm", "poor_end_ethnic_minority", "count", 10),
            Column(
                "Tỷ lệ hộ nghèo DTTS (% hộ DTTS)", "poor_end_ethnic_minority_rate", "percent", 11
            ),
        ),
        rows=data.summary,
        html_keys=(
            "unit_group_vi",
            "households",
            "poor_start",
            "poor_escaped",
            "poor_relapsed",
            "poor_newly",
            "poor_arrived",
            "poor_left",
            "poor_end",
            "poor_rate",
        ),
        total_last=True,
        note=(
            "Cuối năm = đầu năm - thoát nghèo + tái nghèo + phát sinh "
            "+ chuyển đến - chuyển đi. Tỷ lệ thoát nghèo, tái nghèo, phát sinh tính trên "
            "số hộ nghèo đầu năm."
        ),
    )


def districts(data: ReportData) -> Table:
    """Each district this year beside last year, with a poor district's target cut."""
    return Table(
        sheet="Theo huyện",
        title=f"TỶ LỆ HỘ NGHÈO, HỘ CẬN NGHÈO THEO HUYỆN NĂM {data.year}",
        subtitle=(
            f"(Mức giảm so với năm {_previous(data)}, điểm %; chỉ tiêu giảm áp dụng cho huyện "
            "nghèo)"
        ),
        columns=(
            Column("Huyện, thị xã, thành phố", "district", "text", 24),
            Column("Huyện nghèo", "is_poor_district", "flag", 8),
            Column("Tổng số hộ dân cư", "households", "count", 11),
            Column("Số hộ nghèo", "poor", "count", 10),
            Column("Tỷ lệ hộ nghèo (%)", "poverty_rate", "percent", 10),
            Column(f"Tỷ lệ năm {_previous(data)} (%)", "previous_rate", "percent", 10),
            Column("Mức giảm (điểm %)", "cut", "points", 10),
            Column("Chỉ tiêu giảm (điểm %)", "target_cut", "points", 10),
            Column("Số hộ cận nghèo", "near_poor", "count", 10),
            Column("Tỷ lệ hộ cận nghèo (%)", "near_poor_rate", "percent", 10),
            Column("Tỷ lệ hộ nghèo DTTS (%)", "ethnic_minority_poverty_rate", "percent", 11),
        ),
        rows=data.districts,
        html_keys=(
            "district",
            "households",
            "poor",
            "poverty_rate",
            "previous_rate",
            "cut",
            "target_cut",
        ),
    )


def ethnic_groups(data: ReportData) -> Table:
    """Rates by the ethnic group of the household's head."""
    return Table(
        sheet="Theo dân tộc",
        title=f"TỶ LỆ HỘ NGHÈO THEO DÂN TỘC CỦA CHỦ HỘ NĂM {data.year}",
        subtitle="(Tỷ lệ trên tổng số hộ của từng dân tộc)",
        columns=(
            Column("Dân tộc", "ethnicity", "text", 18),
            Column("Dân tộc thiểu số", "is_ethnic_minority", "flag", 10),
            Column("Tổng số hộ dân cư", "households", "count", 11),
            Column("Số hộ nghèo", "poor", "count", 10),
            Column("Tỷ lệ hộ nghèo (%)", "poverty_rate", "percent", 10),
            Column("Mức giảm (điểm %)", "cut", "points", 10),
            Column("Số hộ cận nghèo", "near_poor", "count", 10),
            Column("Tỷ lệ hộ cận nghèo (%)", "near_poor_rate", "percent", 10),
        ),
        rows=data.ethnic_groups,
    )


def target_gap(data: ReportData) -> Table:
    """The plan's targets against this year's figures, scopes and indicators in Vietnamese."""
    g = data.target_gap
    rows = g.assign(
        name=g["name"].where(g["scope"] != "poor_districts", SCOPE_VI["poor_districts"]),
        scope=g["scope"].map(SCOPE_VI).fillna(g["scope"]),
        indicator=g["indicator"].map(INDICATOR_VI).fillna(g["indicator"]),
        unit=g["unit"].map(UNIT_VI).fillna(g["unit"]),
    )
    return Table(
        sheet="Chỉ tiêu",
        title=f"KẾT QUẢ THỰC HIỆN CHỈ TIÊU GIẢM NGHÈO NĂM {data.year}",
        subtitle="(Chênh lệch = thực hiện - kế hoạch; điểm %, hoặc số hộ)",
        columns=(
            Column("Phạm vi", "scope", "text", 16),
            Column("Đơn vị", "name", "text", 18),
            Column("Chỉ tiêu", "indicator", "text", 24),
            Column("Đơn vị tính", "unit", "text", 8),
            Column("Gốc so sánh", "baseline", "points", 10),
            Column("Kế hoạch", "target", "points", 10),
            Column("Thực hiện", "actual", "points", 10),
            Column("Chênh lệch", "gap", "points", 10),
            Column("Đánh giá", "on_track", "verdict", 10),
            Column("Nguồn", "source", "text", 50),
        ),
        rows=rows,
        html_keys=("name", "indicator", "target", "actual", "gap", "on_track"),
    )
