"""The paper every official sheet is printed on (xlsxwriter): the issuing body and the national
motto at the top, the signature block at the foot, Vietnamese number notation, A4 landscape
with the header rows repeated; and the data-quality note's sheet. Shared by the report forms
(reporting/forms_excel.py) and the year's report (reporting/excel.py).
"""

from __future__ import annotations

import pandas as pd
import xlsxwriter

import config
from reporting import vietnamese as vi
from reporting.quality import Quality, quality_rows

VIETNAMESE = "[$-42A]"  # Vietnamese locale: "." between thousands, "," before decimals
FONT = {"font_name": "Times New Roman", "font_size": 11}
FIRST_TABLE_ROW = 6
QUALITY_SHEET = "Chất lượng số liệu"


def formats(book: xlsxwriter.Workbook) -> dict[str, object]:
    cell = FONT | {"border": 1, "valign": "vcenter"}
    return {
        "body": book.add_format(FONT | {"align": "center", "text_wrap": True}),
        "body_bold": book.add_format(FONT | {"align": "center", "bold": True, "text_wrap": True}),
        "motto": book.add_format(FONT | {"align": "center", "bold": True}),
        "motto_line": book.add_format(FONT | {"align": "center", "bold": True, "underline": 1}),
        "title": book.add_format(
            FONT
            | {
                "font_size": 13,
                "bold": True,
                "align": "center",
                "text_wrap": True,
                "valign": "vcenter",
            }
        ),  # fmt: skip
        "subtitle": book.add_format(FONT | {"italic": True, "align": "center"}),
        "head": book.add_format(
            cell | {"bold": True, "align": "center", "text_wrap": True, "bg_color": "#E7E6E6"}
        ),  # fmt: skip
        "number_row": book.add_format(
            cell | {"italic": True, "align": "center", "font_size": 9}
        ),  # fmt: skip
        "text": book.add_format(cell | {"text_wrap": True}),
        "text_bold": book.add_format(cell | {"bold": True, "text_wrap": True}),
        "count": book.add_format(cell | {"num_format": f"{VIETNAMESE}#,##0"}),
        "count_bold": book.add_format(cell | {"bold": True, "num_format": f"{VIETNAMESE}#,##0"}),
        "rate": book.add_format(cell | {"num_format": f"{VIETNAMESE}0.00"}),
        "rate_bold": book.add_format(cell | {"bold": True, "num_format": f"{VIETNAMESE}0.00"}),
        "missing": book.add_format(cell | {"italic": True, "align": "center", "font_size": 9}),
        "note": book.add_format(
            FONT | {"italic": True, "font_size": 10, "text_wrap": True, "valign": "top"}
        ),  # fmt: skip
        "sign": book.add_format(FONT | {"align": "center", "italic": True}),
        "sign_bold": book.add_format(FONT | {"align": "center", "bold": True}),
    }


def header(ws, fmt, width: int, province: config.Province, number: str) -> None:
    """Issuing body and form number top left, the motto top right."""
    left, right = max(2, width // 3), max(3, width // 2)
    ws.merge_range(0, 0, 0, left - 1, str(province.meta["issuing_body"]), fmt["body_bold"])
    ws.merge_range(1, 0, 1, left - 1, number, fmt["body"])
    ws.merge_range(0, width - right, 0, width - 1, vi.MOTTO[0], fmt["motto"])
    ws.merge_range(1, width - right, 1, width - 1, vi.MOTTO[1], fmt["motto_line"])


def signature(ws, fmt, r: int, width: int, province: config.Province) -> None:
    """Người lập biểu bottom left; place and date, the signer, room to sign bottom right."""
    right = max(3, width // 2)
    first = width - right
    ws.merge_range(r, first, r, width - 1, vi.dated_at(str(province.meta["place"])), fmt["sign"])
    ws.write_string(r + 1, 1, str(province.meta["preparer_title"]), fmt["sign_bold"])
    ws.write_string(r + 2, 1, vi.SIGN_NAME, fmt["sign"])
    ws.merge_range(r + 1, first, r + 1, width - 1, str(province.meta["signer_title"]),
                   fmt["sign_bold"])  # fmt: skip
    ws.merge_range(r + 2, first, r + 2, width - 1, str(province.meta["signer_subtitle"]),
                   fmt["sign_bold"])  # fmt: skip
    ws.merge_range(r + 3, first, r + 3, width - 1, vi.SIGN_HERE, fmt["sign"])


def print_setup(ws, header_last: int, width: int) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.repeat_rows(FIRST_TABLE_ROW, header_last)
    ws.set_footer("&CTrang &P/&N")
    ws.freeze_panes(header_last + 1, 2)
    ws.print_area(0, 0, ws.dim_rowmax, width - 1)


QUALITY_HEADERS = [
    ("unit", "Đơn vị", 22),
    ("state", "Tình trạng", 26),
    ("source_file", "Tệp đang dùng", 22),
    ("rows_read", "Số dòng đọc", 10),
    ("rows_loaded", "Số hộ nạp", 10),
    ("rows_rejected", "Số dòng bị loại", 10),
    ("reasons", "Lý do loại (quy tắc: số dòng)", 48),
    ("last", "Tệp mới không được nạp và lý do", 48),
]


def quality_sheet(book, fmt, year: int, province: config.Province, quality: Quality) -> None:
    ws = book.add_worksheet(QUALITY_SHEET)
    width = len(QUALITY_HEADERS)
    header(ws, fmt, width, province, "Phụ lục")
    ws.merge_range(3, 0, 3, width - 1, f"CHẤT LƯỢNG SỐ LIỆU RÀ SOÁT NĂM {year}", fmt["title"])
    what = "(Theo từng đơn vị báo cáo: số dòng đã nạp, bị loại và lý do; đơn vị chưa có số liệu; "
    ws.merge_range(4, 0, 4, width - 1, what + "giá trị còn tạm tính)", fmt["subtitle"])
    head = FIRST_TABLE_ROW
    for j, (_, text, w) in enumerate(QUALITY_HEADERS):
        ws.write_string(head, j, text, fmt["head"])
        ws.set_column(j, j, w)
    rows = quality_rows(quality)
    for i, row in enumerate(rows.to_dict("records"), start=head + 1):
        for j, (key, _, _) in enumerate(QUALITY_HEADERS):
            value = row[key]
            if isinstance(value, str):
                ws.write_string(i, j, value, fmt["text"])
            elif value is None or pd.isna(value):
                ws.write_blank(i, j, None, fmt["text"])
            else:
                ws.write_number(i, j, float(value), fmt["count"])
    r = head + 2 + len(rows)
    for line in quality.provisional or ["Không có giá trị nào còn tạm tính."]:
        ws.merge_range(r, 0, r, width - 1, line, fmt["note"])
        ws.set_row(r, 30)
        r += 1
    signature(ws, fmt, r + 1, width, province)
    print_setup(ws, head, width)
