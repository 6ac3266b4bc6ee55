"""The year's Excel report in the province's reporting style (xlsxwriter).

Four sheets, each ready to print: the summary form (biểu tổng hợp), rates by district, rates by
ethnic group and the plan's target gaps. Vietnamese titles; A4 landscape, fitted to the page
width, header rows repeated and frozen. Counts use the number format `#,##0` and rates
`0.00%`: Excel stores format codes in its own neutral notation and shows them with the
reader's separators, so a Vietnamese-locale Excel shows 127.667 and 37,08% (writing `#.##0`
into the file would mean one decimal place, not a thousands separator).

Every text cell is written with `write_string`, and the workbook never turns strings into
formulas: a name such as `=HYPERLINK(...)` or `+84...` stays text (no formula injection).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import xlsxwriter

from reporting.data import ReportData
from reporting.vietnamese import INDICATOR_VI, ON_TRACK_VI, SCOPE_VI, UNIT_VI


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    kind: str  # text | count | percent (value in %, shown as 0.00%) | points | flag
    width: float


def _formats(wb: xlsxwriter.Workbook) -> dict[str, object]:
    base = {"font_name": "Times New Roman", "font_size": 11, "border": 1, "valign": "vcenter"}
    return {
        "title": wb.add_format(
            {"font_name": "Times New Roman", "bold": True, "font_size": 14, "align": "center"}
        ),
        "subtitle": wb.add_format(
            {"font_name": "Times New Roman", "italic": True, "align": "center"}
        ),
        "header": wb.add_format(
            base | {"bold": True, "text_wrap": True, "align": "center", "bg_color": "#DCE6F1"}
        ),
        "text": wb.add_format(base),
        "count": wb.add_format(base | {"num_format": "#,##0"}),
        "percent": wb.add_format(base | {"num_format": "0.00%"}),
        "points": wb.add_format(base | {"num_format": "0.00"}),
        "flag": wb.add_format(base | {"align": "center"}),
        "total_text": wb.add_format(base | {"bold": True}),
        "total_count": wb.add_format(base | {"bold": True, "num_format": "#,##0"}),
        "total_percent": wb.add_format(base | {"bold": True, "num_format": "0.00%"}),
        "note": wb.add_format({"font_name": "Times New Roman", "italic": True, "font_size": 10}),
    }


def _print_setup(ws, header_row: int, columns: int) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.repeat_rows(header_row)
    ws.freeze_panes(header_row + 1, 1)
    ws.center_horizontally()
    ws.set_footer("&CTrang &P/&N")
    ws.print_area(0, 0, ws.dim_rowmax or header_row, columns - 1)


def write_table(
    ws,
    fmt: dict[str, object],
    title: str,
    subtitle: str,
    columns: list[Column],
    frame: pd.DataFrame,
    bold_rows: frozenset[int] = frozenset(),
) -> int:
    """Title, subtitle, header row and one row per frame row; returns the next free row."""
    last = len(columns) - 1
    ws.merge_range(0, 0, 0, last, title, fmt["title"])
    ws.merge_range(1, 0, 1, last, subtitle, fmt["subtitle"])
    header = 3
    ws.set_row(header, 48)
    for j, col in enumerate(columns):
        ws.set_column(j, j, col.width)
        ws.write_string(header, j, col.header, fmt["header"])
    for i, record in enumerate(frame.to_dict("records")):
        row = header + 1 + i
        bold = i in bold_rows
        for j, col in enumerate(columns):
            value = record.get(col.key)
            missing = (
                value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value))
            )
            if col.kind == "text":
                ws.write_string(
                    row, j, "" if missing else str(value), fmt["total_text" if bold else "text"]
                )
            elif col.kind == "flag":
                ws.write_string(row, j, "" if missing else ("x" if value else ""), fmt["flag"])
            elif missing:
                ws.write_blank(row, j, None, fmt["text"])
            elif col.kind == "percent":
                ws.write_number(
                    row, j, float(value) / 100, fmt["total_percent" if bold else "percent"]
                )
            elif col.kind == "count":
                ws.write_number(row, j, float(value), fmt["total_count" if bold else "count"])
            else:
                ws.write_number(row, j, float(value), fmt["points"])
    _print_setup(ws, header, len(columns))
    return header + 1 + len(frame)


def write_excel(data: ReportData, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    year, prev = data.year, data.previous_year or "trước"
    province = data.province.upper()
    wb = xlsxwriter.Workbook(
        str(path),
        {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False},
    )
    wb.set_properties({"title": f"Báo cáo rà soát hộ nghèo, hộ cận nghèo năm {year}"})
    fmt = _formats(wb)

    summary = data.summary
    ws = wb.add_worksheet("Biểu tổng hợp")
    end = write_table(
        ws,
        fmt,
        f"BIỂU TỔNG HỢP KẾT QUẢ RÀ SOÁT HỘ NGHÈO NĂM {year} - TỈNH {province}",
        f"(So với danh sách hộ nghèo năm {prev}; đơn vị: hộ, %)",
        [
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
        ],
        summary,
        bold_rows=frozenset({len(summary) - 1}),
    )
    ws.write_string(
        end + 1,
        0,
        "Cuối năm = đầu năm - thoát nghèo + tái nghèo + phát sinh "
        "+ chuyển đến - chuyển đi. Tỷ lệ thoát nghèo, tái nghèo, phát sinh tính trên "
        "số hộ nghèo đầu năm.",
        fmt["note"],
    )

    ws = wb.add_worksheet("Theo huyện")
    write_table(
        ws,
        fmt,
        f"TỶ LỆ HỘ NGHÈO, HỘ CẬN NGHÈO THEO HUYỆN NĂM {year}",
        f"(Mức giảm so với năm {prev}, điểm %; chỉ tiêu giảm áp dụng cho huyện nghèo)",
        [
            Column("Huyện, thị xã, thành phố", "district", "text", 24),
            Column("Huyện nghèo", "is_poor_district", "flag", 8),
            Column("Tổng số hộ", "households", "count", 11),
            Column("Số hộ nghèo", "poor", "count", 10),
            Column("Tỷ lệ hộ nghèo (%)", "poverty_rate", "percent", 10),
            Column(f"Tỷ lệ năm {prev} (%)", "previous_rate", "percent", 10),
            Column("Mức giảm (điểm %)", "cut", "points", 10),
            Column("Chỉ tiêu giảm (điểm %)", "target_cut", "points", 10),
            Column("Số hộ cận nghèo", "near_poor", "count", 10),
            Column("Tỷ lệ hộ cận nghèo (%)", "near_poor_rate", "percent", 10),
            Column("Tỷ lệ hộ nghèo DTTS (%)", "ethnic_minority_poverty_rate", "percent", 11),
        ],
        data.districts,
    )

    ws = wb.add_worksheet("Theo dân tộc")
    write_table(
        ws,
        fmt,
        f"TỶ LỆ HỘ NGHÈO THEO DÂN TỘC CỦA CHỦ HỘ NĂM {year}",
        "(Tỷ lệ trên tổng số hộ của từng dân tộc)",
        [
            Column("Dân tộc", "ethnicity", "text", 18),
            Column("Dân tộc thiểu số", "is_ethnic_minority", "flag", 10),
            Column("Tổng số hộ", "households", "count", 11),
            Column("Số hộ nghèo", "poor", "count", 10),
            Column("Tỷ lệ hộ nghèo (%)", "poverty_rate", "percent", 10),
            Column("Mức giảm (điểm %)", "cut", "points", 10),
            Column("Số hộ cận nghèo", "near_poor", "count", 10),
            Column("Tỷ lệ hộ cận nghèo (%)", "near_poor_rate", "percent", 10),
        ],
        data.ethnic_groups,
    )

    gap = data.target_gap.assign(
        name=data.target_gap["name"].where(
            data.target_gap["scope"] != "poor_districts", SCOPE_VI["poor_districts"]
        ),
        scope=data.target_gap["scope"].map(SCOPE_VI).fillna(data.target_gap["scope"]),
        indicator=data.target_gap["indicator"]
        .map(INDICATOR_VI)
        .fillna(data.target_gap["indicator"]),
        unit=data.target_gap["unit"].map(UNIT_VI).fillna(data.target_gap["unit"]),
        on_track=data.target_gap["on_track"].map(ON_TRACK_VI),
    )
    ws = wb.add_worksheet("Chỉ tiêu")
    write_table(
        ws,
        fmt,
        f"KẾT QUẢ THỰC HIỆN CHỈ TIÊU GIẢM NGHÈO NĂM {year}",
        "(Chênh lệch = thực hiện - chỉ tiêu; điểm %, hoặc số hộ)",
        [
            Column("Phạm vi", "scope", "text", 16),
            Column("Đơn vị", "name", "text", 18),
            Column("Chỉ tiêu", "indicator", "text", 24),
            Column("Đơn vị tính", "unit", "text", 8),
            Column("Gốc so sánh", "baseline", "points", 10),
            Column("Chỉ tiêu", "target", "points", 10),
            Column("Thực hiện", "actual", "points", 10),
            Column("Chênh lệch", "gap", "points", 10),
            Column("Đánh giá", "on_track", "text", 10),
            Column("Nguồn", "source", "text", 50),
        ],
        gap,
    )
    wb.close()
    return path
