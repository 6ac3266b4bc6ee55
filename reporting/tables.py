"""Each table of the year's reports, defined once: its sheet, title, subtitle, columns (header,
key, kind, Excel width) and rows. `reporting.excel` writes every column of every table;
`reporting.html` shows the columns a table declares for the page, a subset of the same
definitions, so both reports say the same thing in the same words.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from reporting.data import ReportData
from reporting.quality import MARK, MARK_NOTE, QUALITY_SHEET, Quality, quality_rows
from reporting.vietnamese import INDICATOR_VI, SCOPE_VI, UNIT_VI, standard_change_note


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    # text | count | percent (a rate in %, two decimals) | points | flag (x when true) |
    # verdict (on track: Đạt / Chưa đạt) | amount (a count where the row's unit is households,
    # else points: a target's figures)
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


SUMMARY_NOTE = (
    "Cuối năm = đầu năm - thoát + tái + phát sinh + chuyển đến - chuyển đi (hộ nghèo và hộ cận "
    "nghèo). Tỷ lệ thoát nghèo, tái nghèo, phát sinh tính trên số hộ nghèo đầu năm. Khu vực theo "
    "nơi ở của hộ."
)


def summary_form(data: ReportData) -> Table:
    """The province's summary form (biểu tổng hợp): urban and rural areas (the households' own),
    the province; the poor block, then the near-poor block."""
    return Table(
        sheet="Biểu tổng hợp",
        title=(
            f"BIỂU TỔNG HỢP KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO NĂM {data.year} - "
            f"TỈNH {data.province.upper()}"
        ),
        subtitle=f"(So với danh sách năm {_previous(data)}; đơn vị: hộ, %)",
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
            Column("Hộ cận nghèo đầu năm", "near_poor_start", "count", 10),
            Column("Thoát cận nghèo", "near_poor_escaped", "count", 10),
            Column("Tái cận nghèo", "near_poor_relapsed", "count", 10),
            Column("Cận nghèo phát sinh", "near_poor_newly", "count", 10),
            Column("Hộ cận nghèo chuyển đến, tách hộ", "near_poor_arrived", "count", 10),
            Column("Hộ cận nghèo chuyển đi, nhập hộ", "near_poor_left", "count", 10),
            Column("Hộ cận nghèo cuối năm", "near_poor_end", "count", 10),
            Column("Tỷ lệ hộ cận nghèo cuối năm (%)", "near_poor_rate", "percent", 10),
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
            "near_poor_end",
            "near_poor_rate",
        ),
        total_last=True,
        note=" ".join((SUMMARY_NOTE, standard_change_note(data.year, data.previous_year))).strip(),
    )


def districts(data: ReportData) -> Table:
    """Each reporting unit of the year (its districts up to 2024, its communes from 2025)
    beside last year, with a poor district's target cut; a unit whose figures rest on a partial
    load or an earlier version is marked."""
    by_district = data.unit_scope == "district"
    marked = data.quality.marked
    rows = data.districts.assign(
        district=[d + (MARK if d in marked else "") for d in data.districts["district"]]
    )
    return Table(
        sheet="Theo huyện" if by_district else "Theo xã, phường",
        title=(
            f"TỶ LỆ HỘ NGHÈO, HỘ CẬN NGHÈO THEO {'HUYỆN' if by_district else 'XÃ, PHƯỜNG'} "
            f"NĂM {data.year}"
        ),
        subtitle=(
            f"(Mức giảm so với năm {_previous(data)}, điểm %"
            + ("; chỉ tiêu giảm áp dụng cho huyện nghèo)" if by_district else ")")
        ),
        columns=(
            Column(
                "Huyện, thị xã, thành phố" if by_district else "Xã, phường", "district", "text", 24
            ),
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
        rows=rows,
        note=MARK_NOTE if marked or data.quality.missing else "",
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
            Column("Gốc so sánh", "baseline", "amount", 10),
            Column("Kế hoạch", "target", "amount", 10),
            Column("Thực hiện", "actual", "amount", 10),
            Column("Chênh lệch", "gap", "amount", 10),
            Column("Đánh giá", "on_track", "verdict", 10),
            Column("Nguồn", "source_vi", "text", 50),
        ),
        rows=rows,
        html_keys=("name", "indicator", "target", "actual", "gap", "on_track"),
    )


def quality(quality: Quality, year: int) -> Table:
    """The data-quality note: per reporting unit, loaded and rejected rows and why, units
    missing, new workbooks not loaded, values still provisional (reporting/quality.py)."""
    provisional = " ".join(quality.provisional) or "Không có giá trị nào còn tạm tính."
    missing = ", ".join(quality.missing)
    return Table(
        sheet=QUALITY_SHEET,
        title=f"CHẤT LƯỢNG SỐ LIỆU RÀ SOÁT NĂM {year}",
        subtitle="(Theo từng đơn vị báo cáo: số dòng đã nạp, bị loại và lý do)",
        columns=tuple(Column(header, key, kind, width) for key, header, kind, width in QUALITY),
        rows=quality_rows(quality),
        html_keys=tuple(key for key, *_ in QUALITY),
        note=(f"Đơn vị chưa có số liệu: {missing}. " if missing else "") + provisional,
    )


QUALITY = (
    ("unit", "Đơn vị", "text", 22),
    ("state", "Tình trạng", "text", 26),
    ("source_file", "Tệp đang dùng", "text", 22),
    ("rows_read", "Số dòng đọc", "count", 10),
    ("rows_loaded", "Số hộ nạp", "count", 10),
    ("rows_rejected", "Số dòng bị loại", "count", 10),
    ("reasons", "Lý do loại (quy tắc: số dòng)", "text", 48),
    ("last", "Tệp mới không được nạp và lý do", "text", 48),
)
