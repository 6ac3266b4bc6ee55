"""Writing census workbooks in the canonical layout of workbook-layout.md.

- `write_unit_workbook`: the households of one reporting unit of the review year. Up to the
  2024 review the unit is a district: a district workbook, one sheet per commune, with a
  district column. From the 2025 review (no districts since 1 July 2025) it is a commune: a
  commune workbook, one sheet, no district column, the commune column headed `Xã/Phường`.
  Which one follows from the year's map (`config.Province.map(year).has_districts`).
- `write_template`: the blank workbook officers fill in, in the year's layout, with drop-down
  lists.

The sample census (`sample/`) is written with `write_unit_workbook`.

Layout of a commune sheet (Excel rows, 1-based; `n` = the sheet's households):

| row         | content                                                                     |
|-------------|-----------------------------------------------------------------------------|
| 1           | title "DANH SÁCH HỘ GIA ĐÌNH RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO NĂM <year>"       |
| 2           | the unit above the sheet's: the district ("Huyện Tuần Giáo, tỉnh Điện Biên") |
|             | up to 2024, the province ("Tỉnh Điện Biên") from 2025                       |
| 3           | the commune ("Xã Quài Cang", "Phường Him Lam", "Thị trấn Tủa Chùa")         |
| 4           | blank                                                                       |
| 5           | header, first level: base labels (merged down over rows 5-6) and the group  |
|             | "Các chỉ số thiếu hụt dịch vụ xã hội cơ bản" merged across the indicators   |
| 6           | header, second level: the indicators' Vietnamese names                      |
| 7 .. 6+n    | one household a row; "x" = deprived (or flag set), blank otherwise          |
| 7+n         | totals: "Tổng cộng" (A), household count (B), people (under Số nhân khẩu)   |
| 8+n         | blank                                                                       |
| 9+n .. 11+n | "<Xã ...>, ngày ... tháng ... năm ...", then "Người lập biểu" and           |
|             | "TM. Ủy ban nhân dân", then "(Ký, ghi rõ họ tên)"                           |

The totals and signature rows hold at most three cells each, so the reader sorts them out.
Every workbook also has a `_Hướng dẫn` sheet (instructions); sheets starting with `_` are not
ingested. Writing uses xlsxwriter at about 6 µs of CPU a written cell (half in the write calls,
half in `close()`): a full year of the sample, 130,000 households in 1.5 million cells, takes
about 9 s. Blank cells (not deprived, no flag, no note) are therefore never written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

import config
from reporting.vietnamese import AREA_VI, STATUS_VI, cited, number
from schemas.headers import BASE_LABELS, canonical_keys

TITLE = "DANH SÁCH HỘ GIA ĐÌNH RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO NĂM {year}"
GROUP_HEADER = "Các chỉ số thiếu hụt dịch vụ xã hội cơ bản"
TOTALS_LABEL = "Tổng cộng"
INSTRUCTIONS_SHEET = "_Hướng dẫn"
LISTS_SHEET = "_Danh mục"
TEMPLATE_SHEET = "Danh sách hộ"
FLAG_MARK = "x"

# The commune column's header in a commune workbook: the new units (wards among them) head it
# so (workbook-layout.md; one of the labels schemas.headers accepts for the commune).
COMMUNE_UNIT_LABEL = "Xã/Phường"

# 0-based rows (xlsxwriter's indexing); the module docstring gives the Excel rows.
TITLE_ROW, DISTRICT_ROW, COMMUNE_ROW = 0, 1, 2
GROUP_ROW, HEADER_ROW, FIRST_DATA_ROW = 4, 5, 6
# Rows of the template that carry drop-down lists and checks.
TEMPLATE_ROWS = 30_000

DISTRICT_PREFIX = {"city": "Thành phố", "town": "Thị xã", "district": "Huyện"}
COMMUNE_PREFIX = {"ward": "Phường", "town": "Thị trấn", "commune": "Xã"}
DIMENSION_VI = {
    "education": "Giáo dục",
    "health": "Y tế",
    "housing": "Nhà ở",
    "water_sanitation": "Nước sạch và vệ sinh",
    "information": "Tiếp cận thông tin",
    "employment": "Việc làm",
}

# What each column holds, in Vietnamese, for the instructions sheet and the template's prompts.
COLUMN_HELP = {
    "household_id": "Bắt buộc. Mã hộ duy nhất trong tỉnh và trong năm; giữ nguyên mã của hộ từ "
    "năm trước (dùng để đối chiếu với danh sách năm trước). Hộ mới tách hoặc mới chuyển đến "
    "được cấp mã mới.",
    "head_name": "Bắt buộc. Họ và tên chủ hộ.",
    "head_id_number": "Không bắt buộc. Số CCCD (12 số) hoặc CMND (9 số) của chủ hộ, ghi dạng "
    "chữ để giữ các số 0 ở đầu.",
    "district": "Bắt buộc. Tên huyện, thị xã, thành phố (chọn trong danh sách).",
    "commune": "Bắt buộc. Tên xã, phường, thị trấn thuộc huyện (chọn trong danh sách).",
    "village": "Bắt buộc. Tên thôn, bản, tổ dân phố.",
    "area": "Bắt buộc. 'Nông thôn' hoặc 'Thành thị' (phường, thị trấn là thành thị); quyết "
    "định chuẩn thu nhập áp dụng.",
    "ethnicity": "Bắt buộc. Dân tộc của chủ hộ, một trong 54 dân tộc (chọn trong danh sách).",
    "household_size": "Bắt buộc. Số nhân khẩu của hộ, số nguyên từ 1 đến 30.",
    "income_per_capita": "Thu nhập bình quân đầu người một tháng, ghi bằng đồng (không ghi "
    "nghìn đồng). Bắt buộc, trừ khi hộ có ghi điểm.",
    "income_score": "Không bắt buộc. Tổng điểm thu nhập theo phiếu rà soát; nếu có ghi, hộ được "
    "phân loại theo điểm.",
    "deprivation_score": "Không bắt buộc. 10 điểm cho mỗi chỉ số thiếu hụt; phải khớp với các "
    "cột chỉ số.",
    "meritorious": "Ghi 'x' nếu hộ có người có công với cách mạng, để trống nếu không.",
    "no_working_capacity": "Ghi 'x' nếu hộ không có thành viên nào có khả năng lao động, để "
    "trống nếu không.",
    "poverty_cause": "Với hộ nghèo, hộ cận nghèo: nguyên nhân chính (Thiếu đất sản xuất, Thiếu "
    "vốn, Thiếu lao động, Thiếu công cụ sản xuất, Thiếu kiến thức sản xuất, Thiếu kỹ năng lao "
    "động, Ốm đau, tai nạn, Khác).",
    "head_sex": "Giới tính của chủ hộ: Nam hoặc Nữ.",
    "social_protection": "Ghi 'x' nếu là hộ bảo trợ xã hội (tất cả thành viên không có khả năng "
    "lao động, hưởng trợ cấp), để trống nếu không.",
    "commune_classification": "Không bắt buộc. Kết quả phân loại của xã: Hộ nghèo, Hộ cận "
    "nghèo, Hộ có mức sống trung bình, hoặc để trống. Hệ thống tự phân loại lại theo chuẩn và "
    "báo mọi khác biệt để xã rà soát.",
    "note": "Không bắt buộc. Ghi chú (ví dụ: hộ mới tách từ hộ nào).",
}
# The commune column of a commune workbook (from the 2025 review): no district above it.
COMMUNE_UNIT_HELP = (
    "Bắt buộc. Tên xã, phường của đơn vị gửi danh sách, theo danh mục đơn vị hành chính cấp xã "
    "của tỉnh từ ngày 01/7/2025 (chọn trong danh sách)."
)
INDICATOR_HELP = "Ghi 'x' nếu hộ thiếu hụt chỉ số này, để trống nếu không thiếu hụt."
PROVISIONAL_INDICATOR_HELP = "Chỉ số theo dự thảo, tạm tính, chờ xác nhận."

COLUMN_WIDTH = {
    "household_id": 14,
    "head_name": 24,
    "head_id_number": 15,
    "district": 15,
    "commune": 14,
    "village": 16,
    "area": 11,
    "ethnicity": 10,
    "household_size": 9,
    "income_per_capita": 15,
    "income_score": 8,
    "deprivation_score": 8,
    "meritorious": 10,
    "no_working_capacity": 11,
    "poverty_cause": 18,
    "head_sex": 8,
    "social_protection": 10,
    "commune_classification": 17,
    "note": 26,
}
INDICATOR_WIDTH = 11

_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str  # text | integer | money | score | flag | indicator


# ---------------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------------
def write_unit_workbook(
    households: pd.DataFrame,
    path: Path,
    year: int,
    *,
    province: str = config.DEFAULT_PROVINCE,
) -> None:
    """Write the households of one reporting unit of `year` (canonical keys as columns) to
    `path`, then `_Hướng dẫn`:

    - a district workbook in the years that have districts (up to the 2024 review): the
      households of one district, one sheet per commune in the order the communes first
      appear, a district column;
    - a commune workbook from the 2025 review: the households of one commune on one sheet, no
      district column (a `district` column of the frame is not written), the commune column
      headed `Xã/Phường`.
    """
    by_district = _reports_by_district(province, year, households)
    if not by_district:
        households = households.drop(columns="district", errors="ignore")
    unit_key = "district" if by_district else "commune"
    unit_names = households[unit_key].dropna().unique()
    if len(unit_names) != 1:
        raise ValueError(f"expected the households of one {unit_key}, got {len(unit_names)}")
    unit = str(unit_names[0])
    standard = config.standard_for_year(year)
    columns = table_columns(households.columns, standard, by_district=by_district)
    values = {c.key: _column_values(households[c.key], c.kind) for c in columns}
    people = np.nan_to_num(values.get("household_size", np.zeros(len(households))))
    units, province_name = _places(province, year)
    above = (
        _district_line(unit, units, province_name)
        if by_district
        else (f"Tỉnh {province_name}" if province_name else "")
    )
    district = unit if by_district else None

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"title": TITLE.format(year=year), "subject": unit})
    fmt = _formats(wb)
    used: set[str] = set()
    positions = households.groupby("commune", sort=False).indices
    for commune, pos in positions.items():
        ws = wb.add_worksheet(_sheet_name(str(commune), used))
        commune_line = f"{COMMUNE_PREFIX.get(units.get((district, commune)), 'Xã')} {commune}"
        _write_titles(ws, fmt, columns, year, above, commune_line)
        _write_header(ws, fmt, columns)
        _write_body(ws, fmt, columns, values, pos)
        n = len(pos)
        _write_footer(ws, fmt, columns, n, int(people[pos].sum()), commune_line)
        _finish_sheet(ws, columns, last_row=FIRST_DATA_ROW + n - 1)
    _write_instructions(wb, fmt, columns, standard, by_district, province_name)
    wb.close()


def write_template(path: Path, year: int, *, province: str = config.DEFAULT_PROVINCE) -> None:
    """A blank workbook in the canonical layout of `year`: the year's reporting unit (a
    district workbook up to the 2024 review, a commune workbook without a district column
    from 2025) and the year's standard; header rows, drop-down lists and checks on the data
    rows, `_Hướng dẫn` and a hidden `_Danh mục` with the lists."""
    standard = config.standard_for_year(year)
    prov = config.load_province(province)
    by_district = prov.map(year).has_districts
    columns = table_columns(canonical_keys(standard), standard, by_district=by_district)

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"title": TITLE.format(year=year), "subject": "Mẫu danh sách hộ"})
    fmt = _formats(wb)
    ws = wb.add_worksheet(TEMPLATE_SHEET)
    blank = ".............................."
    if by_district:
        _write_titles(ws, fmt, columns, year, f"Huyện: {blank}", f"Xã: {blank}")
    else:
        _write_titles(ws, fmt, columns, year, f"Tỉnh {prov.name}", f"Xã, phường: {blank}")
    _write_header(ws, fmt, columns)
    last = FIRST_DATA_ROW + TEMPLATE_ROWS - 1
    _finish_sheet(ws, columns, last_row=last)
    for col, c in enumerate(columns):
        if c.key == "head_id_number" or c.key == "household_id":
            ws.set_column(col, col, COLUMN_WIDTH[c.key], fmt["text"])
        elif c.kind == "money":
            ws.set_column(col, col, COLUMN_WIDTH[c.key], fmt["money"])

    lists = _write_lists(wb, fmt, prov, year)
    for col, c in enumerate(columns):
        help_text = _help(c, by_district=by_district)
        rule = _validation(c, col, lists, help_text)
        if rule:
            rule.setdefault("input_title", c.label[:32])
            rule.setdefault("input_message", help_text[:255])
            ws.data_validation(FIRST_DATA_ROW, col, last, col, rule)
    _write_instructions(wb, fmt, columns, standard, by_district, prov.name)
    wb.close()


def table_columns(
    keys: Iterable[str], standard: config.Standard, *, by_district: bool = True
) -> list[Column]:
    """The table's columns for the given keys, in canonical order with their Vietnamese labels
    (first label of `BASE_LABELS`; indicators and scores as the standard names them). Keys
    that are not canonical follow, labelled by themselves. A commune workbook (`by_district`
    False) has no district column and heads the commune column `Xã/Phường`."""
    keys = [k for k in keys if by_district or k != "district"]
    present = set(keys)
    indicators = {i.key: i for i in standard.indicators}
    labels = {k: v[0] for k, v in BASE_LABELS.items()}
    if not by_district:
        labels["commune"] = COMMUNE_UNIT_LABEL
    labels["income_score"] = standard.income_score_label
    labels["deprivation_score"] = standard.deprivation_score_label
    kinds = {
        "household_size": "integer",
        "income_per_capita": "money",
        "income_score": "score",
        "deprivation_score": "score",
        "meritorious": "flag",
        "no_working_capacity": "flag",
        "social_protection": "flag",
    }
    order = canonical_keys(standard)
    out = []
    for key in order:
        if key not in present:
            continue
        if key in indicators:
            out.append(Column(key, indicators[key].name_vi, "indicator"))
        else:
            out.append(Column(key, labels[key], kinds.get(key, "text")))
    known = set(order)
    out += [Column(str(k), str(k), "text") for k in keys if k not in known]
    return out


# ---------------------------------------------------------------------------------------------
# Sheet pieces
# ---------------------------------------------------------------------------------------------
def _formats(wb: xlsxwriter.Workbook) -> dict[str, object]:
    header = {
        "bold": True,
        "text_wrap": True,
        "align": "center",
        "valign": "vcenter",
        "border": 1,
        "bg_color": "#DDEBF7",
        "font_size": 10,
    }
    return {
        "title": wb.add_format({"bold": True, "font_size": 14, "align": "center"}),
        "subtitle": wb.add_format({"bold": True, "font_size": 12, "align": "center"}),
        "header": wb.add_format(header),
        "group": wb.add_format(header | {"bg_color": "#FCE4D6"}),
        "money": wb.add_format({"num_format": "#,##0"}),
        "text": wb.add_format({"num_format": "@"}),
        "flag": wb.add_format({"align": "center"}),
        "total_label": wb.add_format({"bold": True}),
        "total_count": wb.add_format({"bold": True, "num_format": '#,##0" hộ"'}),
        "total_people": wb.add_format({"bold": True, "num_format": '#,##0" khẩu"'}),
        "sign": wb.add_format({"italic": True, "align": "center"}),
        "sign_bold": wb.add_format({"bold": True, "align": "center"}),
        "bold": wb.add_format({"bold": True}),
        "wrap": wb.add_format({"text_wrap": True, "valign": "top"}),
        "wrap_bold": wb.add_format({"text_wrap": True, "valign": "top", "bold": True}),
    }


def _write_titles(
    ws, fmt, columns: list[Column], year: int, district_line: str, commune_line: str
) -> None:
    last = max(len(columns) - 1, 1)
    ws.merge_range(TITLE_ROW, 0, TITLE_ROW, last, TITLE.format(year=year), fmt["title"])
    ws.merge_range(DISTRICT_ROW, 0, DISTRICT_ROW, last, district_line, fmt["subtitle"])
    ws.merge_range(COMMUNE_ROW, 0, COMMUNE_ROW, last, commune_line, fmt["subtitle"])


def _write_header(ws, fmt, columns: list[Column]) -> None:
    """Base labels merged over both header rows; the group header over the indicators."""
    ind = [i for i, c in enumerate(columns) if c.kind == "indicator"]
    for col, c in enumerate(columns):
        if c.kind == "indicator":
            ws.write_string(HEADER_ROW, col, c.label, fmt["header"])
        else:
            ws.merge_range(GROUP_ROW, col, HEADER_ROW, col, c.label, fmt["header"])
    if len(ind) > 1:
        ws.merge_range(GROUP_ROW, ind[0], GROUP_ROW, ind[-1], GROUP_HEADER, fmt["group"])
    elif ind:
        ws.write_string(GROUP_ROW, ind[0], GROUP_HEADER, fmt["group"])
    ws.set_row(HEADER_ROW, 66)


def _column_values(series: pd.Series, kind: str) -> np.ndarray:
    """A column ready to write: numbers as float (NaN = blank), flags as bool, text as str
    (empty = blank)."""
    if kind in ("integer", "money", "score"):
        return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if kind in ("flag", "indicator"):
        return series.fillna(False).astype(bool).to_numpy()
    return series.fillna("").astype(str).to_numpy(dtype=object)


def _write_body(
    ws, fmt, columns: list[Column], values: dict[str, np.ndarray], pos: np.ndarray
) -> None:
    """The household rows, column by column; blank cells are not written."""
    rows = np.arange(FIRST_DATA_ROW, FIRST_DATA_ROW + len(pos))
    write_string, write_number = ws.write_string, ws.write_number
    for col, c in enumerate(columns):
        v = values[c.key][pos]
        if c.kind in ("flag", "indicator"):
            cell_fmt = fmt["flag"]
            for r in rows[v].tolist():
                write_string(r, col, FLAG_MARK, cell_fmt)
        elif c.kind in ("integer", "money", "score"):
            cell_fmt = fmt["money"] if c.kind == "money" else None
            keep = ~np.isnan(v)
            for r, x in zip(rows[keep].tolist(), v[keep].tolist(), strict=True):
                write_number(r, col, x, cell_fmt)
        else:
            cell_fmt = fmt["text"] if c.key == "head_id_number" else None
            keep = v != ""
            for r, x in zip(rows[keep].tolist(), v[keep].tolist(), strict=True):
                write_string(r, col, x, cell_fmt)


def _write_footer(ws, fmt, columns: list[Column], n: int, people: int, commune_line: str) -> None:
    """Totals row (three cells: label, household count, people), then the signature rows."""
    row = FIRST_DATA_ROW + n
    ws.write_string(row, 0, TOTALS_LABEL, fmt["total_label"])
    ws.write_number(row, 1, n, fmt["total_count"])
    keys = [c.key for c in columns]
    if "household_size" in keys:
        ws.write_number(row, keys.index("household_size"), people, fmt["total_people"])
    right = max(len(columns) - 4, 2)
    ws.write_string(row + 2, right, f"{commune_line}, ngày ... tháng ... năm ...", fmt["sign"])
    ws.write_string(row + 3, 1, "Người lập biểu", fmt["sign_bold"])
    ws.write_string(row + 3, right, "TM. Ủy ban nhân dân", fmt["sign_bold"])
    ws.write_string(row + 4, 1, "(Ký, ghi rõ họ tên)", fmt["sign"])
    ws.write_string(row + 4, right, "(Ký, ghi rõ họ tên, đóng dấu)", fmt["sign"])


def _finish_sheet(ws, columns: list[Column], last_row: int) -> None:
    for col, c in enumerate(columns):
        width = INDICATOR_WIDTH if c.kind == "indicator" else COLUMN_WIDTH.get(c.key, 14)
        ws.set_column(col, col, width)
    ws.freeze_panes(FIRST_DATA_ROW, 2)
    ws.autofilter(HEADER_ROW, 0, max(last_row, HEADER_ROW), len(columns) - 1)
    ws.repeat_rows(GROUP_ROW, HEADER_ROW)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)


def _write_instructions(
    wb,
    fmt,
    columns: list[Column],
    standard: config.Standard,
    by_district: bool,
    province_name: str,
) -> None:
    ws = wb.add_worksheet(INSTRUCTIONS_SHEET)
    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, 34)
    ws.set_column(2, 2, 90)
    ws.write_string(0, 0, "HƯỚNG DẪN GHI DANH SÁCH HỘ GIA ĐÌNH", fmt["title"])
    general = [
        *_layout_lines(by_district, province_name),
        "Các trang tính có tên bắt đầu bằng dấu gạch dưới (_), như trang này, không được nhập "
        "vào hệ thống.",
        "Giữ nguyên tên các cột ở dòng tiêu đề; có thể đổi thứ tự cột. Mỗi hộ ghi trên một dòng, "
        "không gộp ô trong phần danh sách.",
        "Dòng 'Tổng cộng' (nếu có) ghi số hộ ở cột thứ hai; hệ thống đối chiếu với số dòng hộ ở "
        "trên.",
        f"Chuẩn nghèo áp dụng: {cited(standard.legal_source, first=True)}; quy trình "
        f"rà soát: {cited(standard.procedure_source)}.",
        *_standard_lines(standard),
        *_provisional_lines(standard),
    ]
    row = 2
    for line in general:
        ws.merge_range(row, 0, row, 2, "• " + line, fmt["wrap"])
        ws.set_row(row, 30)
        row += 1
    row += 1
    for col, head in enumerate(("Cột", "Tiêu đề", "Cách ghi")):
        ws.write_string(row, col, head, fmt["header"])
    for i, c in enumerate(columns):
        row += 1
        ws.write_string(row, 0, xl_col_to_name(i), fmt["wrap_bold"])
        ws.write_string(row, 1, c.label, fmt["wrap"])
        ws.write_string(row, 2, _help(c, standard, by_district=by_district), fmt["wrap"])


def _layout_lines(by_district: bool, province_name: str) -> list[str]:
    """Who sends the workbook and how its sheets are cut: by district up to the 2024 review,
    by commune from 2025 (the reform of 1 July 2025 abolished the districts)."""
    if by_district:
        return [
            "Mỗi huyện, thị xã, thành phố gửi một tệp. Mỗi xã, phường, thị trấn ghi trên một "
            "trang tính (tên trang là tên xã), hoặc ghi chung một trang có cột Xã; cột Huyện "
            "ghi tên huyện, thị xã, thành phố.",
        ]
    province = f" tỉnh {province_name}" if province_name else " tỉnh"
    return [
        "Từ ngày 01/7/2025 không còn cấp huyện; xã, phường báo cáo trực tiếp lên"
        f"{province}. Mỗi xã, phường gửi một tệp của đơn vị mình, ghi trên một trang tính.",
        f"Không có cột Huyện. Cột {COMMUNE_UNIT_LABEL} ghi tên xã, phường theo danh mục đơn vị "
        "hành chính cấp xã mới của tỉnh.",
    ]


def _provisional_lines(standard: config.Standard) -> list[str]:
    """A standard not yet confirmed says so (config's `provisional`; the 2027-2030 one: its
    indicators are the draft's): the officer must know the columns may still change."""
    if not standard.provisional:
        return []
    return [
        f"Lưu ý: chuẩn nghèo giai đoạn {standard.period} đang tạm tính, chờ xác nhận. Các chỉ "
        "số thiếu hụt trong mẫu này theo danh mục dự thảo, chưa phải danh mục chính thức; khi có "
        "văn bản chính thức, các cột chỉ số và kết quả phân loại có thể thay đổi.",
    ]


def _help(c: Column, standard: config.Standard | None = None, *, by_district: bool = True) -> str:
    if c.kind != "indicator":
        if c.key == "commune" and not by_district:
            return COMMUNE_UNIT_HELP
        return COLUMN_HELP.get(c.key, "Cột bổ sung; hệ thống giữ lại và báo một lần.")
    if standard is None:
        return INDICATOR_HELP
    dim = next((i.dimension for i in standard.indicators if i.key == c.key), "")
    text = f"{INDICATOR_HELP} Chiều: {DIMENSION_VI.get(dim, dim)}."
    return f"{text} {PROVISIONAL_INDICATOR_HELP}" if standard.provisional else text


def _standard_lines(standard: config.Standard) -> list[str]:
    """The year's rule in words, from the standards table (poverty-standards.md)."""
    lines = []
    t = standard.deprivation_threshold
    for area, name in AREA_VI.items():
        floor, line = standard.income_floor[area], standard.income_line[area]
        if floor is not None:
            poor = (
                f"thu nhập từ {number(floor)} đồng trở xuống, hoặc trên {number(floor)} đến "
                f"{number(line)} đồng và thiếu hụt từ {t} chỉ số trở lên"
            )
            near = f"trên {number(floor)} đến {number(line)} đồng và thiếu hụt dưới {t} chỉ số"
        else:
            poor = f"thu nhập từ {number(line)} đồng trở xuống và thiếu hụt từ {t} chỉ số trở lên"
            near = f"thu nhập từ {number(line)} đồng trở xuống và thiếu hụt dưới {t} chỉ số"
        lines.append(f"{name}: hộ nghèo nếu {poor}; hộ cận nghèo nếu {near}.")
    return lines


def _write_lists(wb, fmt, prov: config.Province, year: int) -> dict[str, str]:
    """The hidden `_Danh mục` sheet; returns key -> list range for data validation. The
    districts and communes are the year's (from 2025: no districts, the new communes)."""
    ws = wb.add_worksheet(LISTS_SHEET)
    units = prov.map(year)
    communes = list(dict.fromkeys(units.communes["commune"]))
    district_list = {"district": ("Huyện", units.districts["district"].tolist())}
    lists = {
        "ethnicity": ("Dân tộc", config.ethnic_groups()["ethnicity"].tolist()),
        **(district_list if units.has_districts else {}),
        "commune": ("Xã" if units.has_districts else COMMUNE_UNIT_LABEL, communes),
        "area": ("Khu vực", list(AREA_VI.values())),
        "commune_classification": (
            "Phân loại của xã",
            [STATUS_VI[s] for s in ("poor", "near_poor", "average")],
        ),
        "poverty_cause": ("Nguyên nhân nghèo", config.poverty_causes()["label_vi"].tolist()),
        "head_sex": ("Giới tính chủ hộ", ["Nam", "Nữ"]),
    }
    ranges = {}
    for col, (key, (head, items)) in enumerate(lists.items()):
        ws.write_string(0, col, head, fmt["bold"])
        for r, item in enumerate(items, start=1):
            ws.write_string(r, col, item)
        first = xl_rowcol_to_cell(1, col, row_abs=True, col_abs=True)
        last = xl_rowcol_to_cell(len(items), col, row_abs=True, col_abs=True)
        ranges[key] = f"='{LISTS_SHEET}'!{first}:{last}"
        ws.set_column(col, col, 24)
    ws.hide()
    return ranges


def _validation(c: Column, col: int, lists: dict[str, str], help_text: str) -> dict | None:
    """The data-validation rule of a template column, or None."""
    cell = xl_rowcol_to_cell(FIRST_DATA_ROW, col)
    error = {"error_title": "Giá trị không hợp lệ", "error_message": help_text[:255]}
    if c.key in lists:
        return {"validate": "list", "source": lists[c.key]} | error
    if c.kind in ("flag", "indicator"):
        return {"validate": "list", "source": [FLAG_MARK]} | error
    if c.key == "household_size":
        return {"validate": "integer", "criteria": "between", "minimum": 1, "maximum": 30} | error
    if c.kind in ("money", "score"):
        return {"validate": "decimal", "criteria": ">=", "value": 0} | error
    if c.key == "head_id_number":
        return {"validate": "custom", "value": f"=OR(LEN({cell})=9,LEN({cell})=12)"} | error
    if c.key == "household_id":
        top = xl_rowcol_to_cell(FIRST_DATA_ROW, col, row_abs=True, col_abs=True)
        bottom = xl_rowcol_to_cell(FIRST_DATA_ROW + TEMPLATE_ROWS - 1, col, True, True)
        return {"validate": "custom", "value": f"=COUNTIF({top}:{bottom},{cell})=1"} | {
            "error_title": "Mã hộ bị trùng",
            "error_message": "Mã hộ đã có ở dòng khác; mỗi hộ một mã duy nhất.",
        }
    return None


# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------
def _sheet_name(name: str, used: set[str]) -> str:
    """A valid, unique sheet name: no []:*?/\\, at most 31 characters."""
    base = _SHEET_NAME_BAD.sub(" ", name).strip().strip("'")[:31] or "Trang"
    candidate, i = base, 2
    while candidate.casefold() in used:
        suffix = f" ({i})"
        candidate = base[: 31 - len(suffix)] + suffix
        i += 1
    used.add(candidate.casefold())
    return candidate


def _reports_by_district(province: str, year: int, households: pd.DataFrame) -> bool:
    """Whether `year`'s reporting unit is the district (config's map of the year); for a
    province config does not know, whether the frame has districts."""
    try:
        return config.load_province(province).map(year).has_districts
    except LookupError:
        return "district" in households.columns and households["district"].notna().any()


def _places(province: str, year: int) -> tuple[dict[object, str], str]:
    """(district -> unit type and (district, commune) -> unit type, the province's name) from
    config's units of the year; empty for a province config does not know (the titles then
    say Huyện/Xã)."""
    try:
        prov = config.load_province(province)
    except LookupError:
        return {}, ""
    d, c = prov.map(year).districts, prov.map(year).communes
    units: dict[object, str] = dict(zip(d["district"], d["unit_type"], strict=True))
    units |= dict(zip(zip(c["district"], c["commune"], strict=True), c["unit_type"], strict=True))
    return units, prov.name


def _district_line(district: str, units: dict[object, str], province_name: str) -> str:
    line = f"{DISTRICT_PREFIX.get(units.get(district), 'Huyện')} {district}"
    return f"{line}, tỉnh {province_name}" if province_name else line
