"""Each table of the year's reports, defined once: its sheet, title, subtitle, columns (header,
key, kind, Excel width) and rows. `reporting.excel` writes every column of every table;
`reporting.html` shows the columns a table declares for the page, a subset of the same
definitions, so both reports say the same thing in the same words.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from reporting.data import ETHNIC_CHART_MIN_HOUSEHOLDS, ReportData
from reporting.quality import MARK, MARK_NOTE, QUALITY_SHEET, Quality, quality_rows
from reporting.vietnamese import INDICATOR_VI, SCOPE_VI, UNIT_VI, number, standard_change_note


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
    empty: str = ""  # said in place of the rows when there is none

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


# The districts table's columns about poor districts: shown only in the years with districts.
POOR_DISTRICT_KEYS = ("is_poor_district", "target_cut")


def districts(data: ReportData) -> Table:
    """Each reporting unit of the year (its districts up to 2024, its communes from 2025)
    beside last year, with a poor district's target cut; a unit whose figures rest on a partial
    load or an earlier version is marked."""
    by_district = data.unit_scope == "district"
    units = data.units
    marked = data.quality.marked
    rows = data.districts.assign(
        district=[d + (MARK if d in marked else "") for d in data.districts["district"]]
    )
    columns = (
        Column(units.header, "district", "text", 24),
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
    )
    html_keys = ("district", "households", "poor", "poverty_rate", "previous_rate", "cut")
    if by_district:
        html_keys += ("target_cut",)
    else:  # no district, so no poor district and no target of one
        columns = tuple(c for c in columns if c.key not in POOR_DISTRICT_KEYS)
    return Table(
        sheet=f"Theo {units.name}",
        title=f"TỶ LỆ HỘ NGHÈO, HỘ CẬN NGHÈO THEO {units.name.upper()} NĂM {data.year}",
        subtitle=(
            f"(Mức giảm so với năm {_previous(data)}, điểm %"
            + ("; chỉ tiêu giảm áp dụng cho huyện nghèo)" if by_district else ")")
        ),
        columns=columns,
        rows=rows,
        note=MARK_NOTE if marked or data.quality.missing else "",
        html_keys=html_keys,
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


def ethnic_chart_labels(data: ReportData) -> list[str]:
    """The bars of the ethnic-group chart (data.ethnic_chart), named: a group's own name, and
    "Khác" for the groups under the threshold together."""
    c = data.ethnic_chart
    return [
        name if isinstance(name, str) else _others(groups)
        for name, groups in zip(c["ethnicity"], c["groups"], strict=True)
    ]


def _others(groups: int) -> str:
    return f"Khác ({number(groups)} dân tộc)" if groups else "Khác"  # only unnamed households


def ethnic_chart_note(data: ReportData) -> str:
    """What the ethnic-group chart's bars cover: the threshold, and that the bars' households
    add up to the province's (or, when communes' resident totals add unlisted households to
    the province, by how many they fall short)."""
    least = number(ETHNIC_CHART_MIN_HOUSEHOLDS)
    shown = int(data.ethnic_chart["households"].sum())
    trend = data.trend
    province = trend[(trend["scope"] == "province") & (trend["year"] == data.year)]
    total = int(province["households"].iloc[0])
    note = (
        f"Mỗi dân tộc có từ {least} hộ trở lên một cột; các dân tộc dưới {least} hộ (và hộ "
        f'chưa ghi dân tộc) gộp vào cột "Khác". Các cột gồm {number(shown)} hộ'
    )
    if shown == total:
        return note + f", bằng tổng số hộ toàn tỉnh ({number(total)} hộ)."
    return (
        note + f"; tổng số hộ toàn tỉnh là {number(total)} hộ, trong đó {number(total - shown)} "
        "hộ chỉ có trong tổng số hộ dân cư của xã, không có trong danh sách nên không rõ dân tộc."
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
        empty=no_target(data),
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


def no_target(data: ReportData) -> str:
    """Why the year has no target to measure: which years the plans' targets cover."""
    if not data.target_years:
        return f"Kho dữ liệu chưa có chỉ tiêu kế hoạch nào của tỉnh để so sánh năm {data.year}."
    return (
        f"Không có chỉ tiêu nào của kế hoạch giảm nghèo của tỉnh áp dụng cho năm {data.year}: "
        f"các chỉ tiêu của kế hoạch chỉ áp dụng cho {_years(data.target_years)}."
    )


def _years(years: list[int]) -> str:
    """Sorted years as runs: "năm 2019", "các năm 2019-2020", joined by commas."""
    runs: list[list[int]] = []
    for y in years:
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return ", ".join(f"năm {r[0]}" if len(r) == 1 else f"các năm {r[0]}-{r[-1]}" for r in runs)


def quality(quality: Quality, year: int) -> Table:
    """The data-quality note: per reporting unit, loaded and rejected rows and why, units
    missing, new workbooks not loaded, values still provisional (reporting/quality.py)."""
    provisional = " ".join(quality.provisional) or "Không có giá trị nào còn tạm tính."
    return Table(
        sheet=QUALITY_SHEET,
        title=f"CHẤT LƯỢNG SỐ LIỆU RÀ SOÁT NĂM {year}",
        subtitle=(
            "(Theo từng đơn vị báo cáo: số dòng đọc = số hộ nạp + số dòng bị loại + số dòng bỏ "
            "qua; lý do loại)"
        ),
        columns=tuple(Column(header, key, kind, width) for key, header, kind, width in QUALITY),
        rows=quality_rows(quality),
        html_keys=tuple(key for key, *_ in QUALITY),
        note=" ".join(filter(None, [quality.missing_line, provisional])),
    )


QUALITY = (
    ("unit", "Đơn vị", "text", 22),
    ("state", "Tình trạng", "text", 26),
    ("source_file", "Tệp đang dùng", "text", 22),
    ("rows_read", "Số dòng đọc", "count", 10),
    ("rows_loaded", "Số hộ nạp", "count", 10),
    ("rows_rejected", "Số dòng bị loại", "count", 10),
    ("rows_skipped", "Số dòng bỏ qua (trống, tổng cộng, chữ ký, tiêu đề)", "count", 12),
    ("reasons", "Lý do loại (quy tắc: số dòng)", "text", 48),
    ("last", "Tệp mới không được nạp và lý do", "text", 48),
)
