"""Every validation rule, with its stable code and its message in Vietnamese and English.

Codes are the officer's handle on a problem: they appear in `audit.rejections`, in the error
workbook and in the run summary, and never change meaning. `HH` rules are about one household
row (an error rejects the row; a warning keeps it), `WB` rules about a whole workbook or sheet.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from transforms.text import vn_numbers


@dataclass(frozen=True)
class Rule:
    code: str
    column: str | None  # the column key the rule is about (None: the whole row or workbook)
    severity: str  # "error" rejects the row; "warning" keeps it; "notice" is informational
    vi: str
    en: str

    @property
    def message(self) -> str:
        return f"{self.vi} / {self.en}"


# Plausibility bounds (data, not law): income per person per month, VND.
INCOME_CEILING = 1_000_000_000  # above this the value is absurd: rejected (HH025)
# Implausible for the area (HW001), relative to the area's lines of the year's standard:
# below a tenth of the poverty line the value was probably written in thousand đồng without
# saying so; above twenty times the average-living line it is probably a yearly or household
# total. A warning only: the row loads; but a sheet where most incomes are out of bounds on one
# side is a fault of the workbook (WB029 below, WB033 above; structural): its whole list would
# count as poor, or none of it.
INCOME_PLAUSIBLE_MIN_SHARE = 0.1  # x the area's income line
INCOME_PLAUSIBLE_MAX_MULTIPLE = 20  # x the area's average-living line
HOUSEHOLD_SIZE_RANGE = (1, 30)
SCORE_RANGE = (0, 1000)

_RULES = [
    # Stage 1: required fields and parseable text.
    Rule("HH001", "household_id", "error", "Thiếu mã hộ", "household id is missing"),
    Rule("HH002", "head_name", "error", "Thiếu họ và tên chủ hộ", "head's name is missing"),
    Rule("HH003", "district", "error", "Thiếu tên huyện", "district is missing"),
    Rule("HH004", "commune", "error", "Thiếu tên xã", "commune is missing"),
    Rule("HH005", "village", "error", "Thiếu thôn, bản", "village is missing"),
    Rule("HH006", "area", "error", "Thiếu khu vực", "area is missing"),
    Rule("HH007", "ethnicity", "error", "Thiếu dân tộc", "ethnic group is missing"),
    Rule("HH008", "household_size", "error", "Thiếu số nhân khẩu", "household size is missing"),
    Rule(
        "HH009",
        "income_per_capita",
        "error",
        "Thiếu thu nhập bình quân (và không có điểm)",
        "income per person is missing and no scores are given",
    ),
    Rule(
        "HH010",
        "household_size",
        "error",
        "Số nhân khẩu phải là số nguyên",
        "household size must be a whole number",
    ),
    Rule(
        "HH011", "income_per_capita", "error", "Thu nhập không phải là số", "income is not a number"
    ),
    Rule(
        "HH012",
        "income_score",
        "error",
        "Điểm thu nhập không phải là số",
        "income score is not a number",
    ),
    Rule(
        "HH013",
        "deprivation_score",
        "error",
        "Điểm thiếu hụt không phải là số",
        "deprivation score is not a number",
    ),
    Rule(
        "HH014",
        None,
        "error",
        "Chỉ số thiếu hụt phải là x, 1, có (C), √, thiếu (thiếu hụt) hoặc để trống, 0, không "
        "(K), dấu -, không thiếu",
        "an indicator must be x, 1, có (C), √, thiếu (deprived) or blank, 0, không (K), a dash, "
        "không thiếu (not deprived)",
    ),
    Rule(
        "HH015",
        None,
        "error",
        "Cột đánh dấu phải là x, 1, có (C), √ hoặc để trống, 0, không (K), dấu -",
        "a flag must be x, 1, có (C), √ or blank, 0, không (K), a dash",
    ),
    Rule(
        "HH016",
        "area",
        "error",
        "Khu vực phải là Nông thôn hoặc Thành thị",
        "area must be Nông thôn (rural) or Thành thị (urban)",
    ),
    Rule(
        "HH017",
        "head_id_number",
        "error",
        "Số CCCD phải gồm 12 chữ số (CMND 9 chữ số)",
        "ID number must have 12 digits (9 for the old card)",
    ),
    # Warnings, not errors (until 3 December 2026 they rejected the household): both columns
    # are optional, the commune's class is only compared with the computed one and the cause
    # only feeds form 10, so a value in the officer's own words no longer takes the household
    # out of every form and rate.
    Rule(
        "HH018",
        "commune_classification",
        "warning",
        "Phân loại của xã phải là Hộ nghèo, Hộ cận nghèo hoặc Hộ có mức sống trung bình; hộ vẫn "
        "được nạp nhưng không so sánh được với phân loại tính từ thu nhập và chỉ số",
        "commune's classification is not one of Hộ nghèo, Hộ cận nghèo, Hộ có mức sống trung "
        "bình: the household is loaded, without the commune's class to compare",
    ),
    Rule(
        "HH019",
        "poverty_cause",
        "warning",
        "Nguyên nhân nghèo không thuộc danh mục (Thiếu đất sản xuất, Thiếu vốn, Thiếu lao động, "
        "Thiếu công cụ sản xuất, Thiếu kiến thức sản xuất, Thiếu kỹ năng lao động, Ốm đau, tai "
        "nạn, Khác); hộ vẫn được nạp nhưng không được tính vào cột nguyên nhân nào của biểu",
        "the cause of poverty is not one of the national list: the household is loaded and "
        "counted under no cause",
    ),
    Rule(
        "HH037",
        "head_sex",
        "error",
        "Giới tính chủ hộ phải là Nam hoặc Nữ",
        "the head's sex must be Nam or Nữ",
    ),
    # Stage 2: rules on typed values.
    Rule("HH020", "district", "error", "Huyện không thuộc tỉnh", "district is not in the province"),
    Rule("HH021", "commune", "error", "Xã không thuộc huyện", "commune is not in that district"),
    Rule(
        "HH022",
        "ethnicity",
        "error",
        "Dân tộc không thuộc 54 dân tộc",
        "not one of Vietnam's 54 ethnic groups",
    ),
    Rule(
        "HH023",
        "household_size",
        "error",
        "Số nhân khẩu phải từ 1 đến 30",
        "household size must be from 1 to 30",
    ),
    Rule(
        "HH024", "income_per_capita", "error", "Thu nhập không được âm", "income cannot be negative"
    ),
    Rule(
        "HH025",
        "income_per_capita",
        "error",
        "Thu nhập vượt mức phi lý",
        f"income above the absurd ceiling of {INCOME_CEILING:,} đồng",
    ),
    Rule(
        "HH026",
        "deprivation_score",
        "error",
        "Điểm thiếu hụt không khớp với các chỉ số đã đánh dấu",
        "deprivation score does not agree with the indicators marked",
    ),
    Rule(
        "HH027",
        "income_score",
        "error",
        "Cần ghi cả điểm thu nhập và điểm thiếu hụt",
        "both scores are needed when one is given",
    ),
    Rule("HH028", "income_score", "error", "Điểm ngoài khoảng cho phép", "score out of range"),
    Rule(
        "HH030",
        "household_id",
        "error",
        "Mã hộ bị trùng trong tệp",
        "household id appears more than once in the workbook",
    ),
    Rule(
        "HH031",
        "household_id",
        "error",
        "Mã hộ trùng với hộ ở huyện khác",
        "household id also appears in another district's workbook",
    ),
    Rule(
        "HH035",
        "household_id",
        "error",
        "Mã hộ không đúng dạng: chỉ gồm chữ không dấu, chữ số và . _ / -, không có dấu cách "
        "(có thể đã ghi tên chủ hộ vào cột Mã hộ)",
        "the household id is not in the province's form (a name typed into the id column?)",
    ),
    Rule(
        "HH036",
        "household_id",
        "error",
        "Mã hộ là một số CCCD/CMND (9 hoặc 12 chữ số): ghi mã hộ, không ghi số định danh",
        "the household id is an ID number (9 or 12 digits)",
    ),
    Rule(
        "HH032",
        "district",
        "error",
        "Huyện khác với huyện của tệp",
        "district differs from the rest of the workbook",
    ),
    Rule(
        "HH033",
        "commune",
        "error",
        "Xã, phường không thuộc danh mục đơn vị hành chính của tỉnh năm rà soát",
        "commune is not one of the province's units in the review year",
    ),
    Rule(
        "HH043",
        "commune",
        "error",
        "Xã, phường khác với xã, phường của các hộ khác trong tệp (chỉ vài dòng ghi): kiểm tra lại",
        "a commune only a few rows of the workbook name, beside another: a slip, not its commune",
    ),
    Rule(
        "HH034",
        None,
        "error",
        "Dòng thuộc trang tính có các cột chỉ số không đúng chuẩn nghèo của năm rà soát",
        "the row's sheet does not carry the indicator columns of the review year's standard",
    ),
    # Warnings: the row loads; the officer should check.
    Rule(
        "HW001",
        "income_per_capita",
        "warning",
        "Thu nhập bất thường, đề nghị kiểm tra (dưới "
        f"{vn_numbers([INCOME_PLAUSIBLE_MIN_SHARE])[0].as_py()} lần chuẩn nghèo hoặc trên "
        f"{INCOME_PLAUSIBLE_MAX_MULTIPLE} lần mức sống trung bình của khu vực, tính theo tháng "
        "mỗi người)",
        f"income implausible for a month per person in this area (below "
        f"{INCOME_PLAUSIBLE_MIN_SHARE:g} x the poverty line or above "
        f"{INCOME_PLAUSIBLE_MAX_MULTIPLE} x the average-living line): check the unit",
    ),
    Rule(
        "HW002",
        "head_id_number",
        "warning",
        "Số CCCD mất số 0 ở đầu (Excel lưu dạng số): đã bổ sung số 0",
        "the ID number lost its leading zero (stored as a number by Excel): restored",
    ),
    Rule(
        "HW006",
        "head_id_number",
        "warning",
        "Số CCCD bị Excel đổi sang dạng số mũ (như 1,10792E+11) nên đã mất chữ số, không dùng "
        "được: định dạng cột Số CCCD là Văn bản (Text) rồi ghi lại số",
        "the ID number was turned into exponent form by Excel (1.10792E+11) and lost digits, so "
        "it cannot be used: format the column as Text and type it again",
    ),
    Rule(
        "HW003",
        None,
        "warning",
        "Thành viên hộ: năm sinh không hợp lệ, để trống",
        "a member's birth year is not a year: left blank",
    ),
    Rule(
        "HW004",
        None,
        "warning",
        "Thành viên hộ: mã hộ không có trong danh sách hộ, thành viên không được nạp",
        "a member's household is not in the workbook: the member is not loaded",
    ),
    # Workbook and sheet findings.
    Rule("WB001", None, "error", "Không đọc được tệp", "the workbook cannot be read"),
    Rule("WB002", None, "notice", "Trang tính không có dòng tiêu đề", "a sheet has no header row"),
    Rule("WB003", None, "notice", "Có cột không nhận ra", "unknown columns were kept"),
    Rule(
        "WB004",
        None,
        "warning",
        "Dòng tổng cộng không khớp số hộ",
        "a totals row does not match the rows above it",
    ),
    Rule("WB005", None, "error", "Thiếu cột bắt buộc", "a required column is missing"),
    Rule(
        "WB006",
        None,
        "error",
        "Không có hộ hợp lệ nào; dữ liệu cũ được giữ nguyên",
        "no valid household in the workbook; the unit's earlier data is kept",
    ),
    Rule(
        "WB007",
        None,
        "notice",
        "Thu nhập ghi bằng nghìn hoặc triệu đồng, hoặc theo năm: đã quy ra đồng một tháng",
        "income in thousand or million đồng, or for a year: scaled to đồng a month",
    ),
]

_RULES += [
    Rule(
        "WB008",
        None,
        "notice",
        "Văn bản mã TCVN3 (ABC, .VnTime) đã chuyển sang Unicode",
        "text in the legacy TCVN3 (ABC, .VnTime) encoding was converted to Unicode",
    ),
    Rule(
        "WB009",
        None,
        "notice",
        "Tên tệp ghi một đơn vị (huyện, xã) khác với đơn vị trong bảng",
        "the file name names a different unit (district, commune) from the one in the cells",
    ),
    Rule(
        "WB010",
        "commune",
        "notice",
        "Không có cột Xã, hoặc cột để trống: lấy tên trang tính làm tên xã",
        "no commune column, or a blank one: the sheet's name is taken as the commune",
    ),
    Rule(
        "WB011",
        None,
        "notice",
        "Tệp của huyện khác, không nạp trong lần chạy này",
        "the workbook belongs to another district and is not loaded by this run",
    ),
    Rule(
        "WB012",
        None,
        "error",
        "Thiếu cột chỉ số thiếu hụt của chuẩn nghèo năm rà soát (và không có điểm)",
        "indicator columns of the review year's standard are missing (and no scores are given)",
    ),
    Rule(
        "WB013",
        None,
        "error",
        "Có cột chỉ số của chuẩn nghèo khác với chuẩn của năm rà soát",
        "indicator columns of another standard than the review year's",
    ),
    Rule(
        "WB014",
        None,
        "notice",
        "Hộ không rà soát năm nay (không có thu nhập, điểm, chỉ số): tính vào tổng số hộ",
        "households not reviewed this year (no income, score or indicator): counted as residents",
    ),
    Rule(
        "WB019",
        None,
        "error",
        "Dòng của trang Tổng số hộ dân cư không dùng được",
        "a row of the resident totals sheet cannot be used",
    ),
    Rule(
        "WB029",
        None,
        "error",
        "Thu nhập của phần lớn hộ trong trang tính thấp bất thường: cột thu nhập có thể ghi bằng "
        'nghìn đồng mà tiêu đề không ghi; nếu vậy, ghi "(nghìn đồng)" vào tiêu đề cột',
        "most incomes of the sheet are implausibly low: the income column is probably in "
        'thousand đồng without its header saying so; if so, add "(nghìn đồng)" to the header',
    ),
    Rule(
        "WB033",
        None,
        "error",
        "Thu nhập của phần lớn hộ trong trang tính cao bất thường: cột thu nhập có thể ghi theo "
        "năm hoặc cho cả hộ, hoặc ghi bằng đồng mà tiêu đề ghi nghìn đồng; cần ghi thu nhập bình "
        "quân một người một tháng, bằng đồng",
        "most incomes of the sheet are implausibly high: the income column is probably a yearly "
        "or household total, or in đồng under a header in thousand đồng; it must be per person "
        "per month, in đồng",
    ),
    Rule(
        "WB028",
        None,
        "warning",
        "Tổng số hộ dân cư của xã nhỏ hơn số hộ trong danh sách: tính theo danh sách",
        "a commune's resident total is below the households listed: the list counts",
    ),
    Rule(
        "WB015",
        None,
        "error",
        "Có tệp khác của cùng đơn vị, cùng năm: cả hai tệp đều không được nạp",
        "another workbook reports for the same unit and year: both are refused",
    ),
    Rule(
        "WB016",
        None,
        "error",
        "Danh sách hộ giống hệt danh sách năm trước",
        "the households are exactly last year's",
    ),
    Rule(
        "WB017",
        None,
        "error",
        "Tệp không được nạp; dữ liệu đã nạp trước đây của đơn vị được giữ nguyên",
        "the workbook is not loaded; the unit's earlier data is kept",
    ),
    Rule(
        "WB018",
        None,
        "error",
        "Tiêu đề của tệp ghi năm khác với năm rà soát",
        "the workbook's title names another year than the review's",
    ),
]

# Hostile or broken files, refused before any parser opens them (workbooks/guard.py;
# the limits and their reasons: SECURITY.md).
_RULES += [
    Rule("WB020", None, "error", "Tệp không phải bảng tính Excel", "the file is not a spreadsheet"),
    Rule(
        "WB021",
        None,
        "error",
        "Tệp bị hỏng hoặc bị cắt cụt",
        "the workbook is corrupt or truncated",
    ),
    Rule(
        "WB022",
        None,
        "error",
        "Tệp quá lớn hoặc nén bất thường (bom zip)",
        "the workbook is too large or inflates abnormally (zip bomb)",
    ),
    Rule("WB023", None, "error", "Tệp có đặt mật khẩu", "the workbook is password-protected"),
    Rule("WB024", None, "error", "Tệp có quá nhiều dòng", "the workbook has too many rows"),
    Rule(
        "WB025",
        None,
        "error",
        "Ô có nội dung dài quá giới hạn của Excel",
        "a cell is longer than Excel allows",
    ),
    Rule(
        "WB026",
        None,
        "notice",
        "Tệp có liên kết ngoài; không mở liên kết, dùng giá trị đã lưu",
        "external links are never followed; the values cached in the file are read",
    ),
    Rule(
        "WB027",
        None,
        "notice",
        "Đã xoá ký tự điều khiển trong ô",
        "control characters were removed from cells",
    ),
]

# Cells and sheets the reader does not take at face value (workbooks/reader.py, sheetxml.py).
_RULES += [
    Rule(
        "WB030",
        None,
        "notice",
        "Trang tính ẩn không được nhập",
        "hidden sheets are not census data and were not read",
    ),
    Rule(
        "WB031",
        None,
        "error",
        "Có ô dữ liệu nằm quá xa bảng (vùng dữ liệu bất thường)",
        "a cell holds a value far outside the table: the sheet's extent is absurd",
    ),
    Rule(
        "WB032",
        None,
        "notice",
        "Ô chỉ có dấu cách nằm ngoài bảng đã được bỏ qua",
        "cells holding only spaces outside the table were ignored",
    ),
    Rule(
        "WB034",
        "village",
        "notice",
        "Hộ để trống thôn, bản nằm dưới dòng ghi tên thôn, bản: lấy thôn, bản của dòng đó",
        "households with a blank village under a row naming a village take that village",
    ),
    Rule(
        "WB037",
        "commune",
        "notice",
        "Hộ để trống tên xã nằm dưới dòng ghi tên xã, phường: lấy xã, phường của dòng đó",
        "households with a blank commune under a row naming a commune take that commune",
    ),
    Rule(
        "WB038",
        None,
        "notice",
        "Không có cột Huyện (Xã), hoặc cột để trống: lấy huyện (xã) ghi ở tiêu đề trang tính",
        "no district (commune) column, or a blank one: the one the sheet's title names is taken",
    ),
    Rule(
        "WB039",
        None,
        "notice",
        "Trang tính lặp lại các hộ của một trang tính khác (bản sao?): giữ lại một trang",
        "a sheet repeats the households of another sheet (a copy?): keep one of them",
    ),
    Rule(
        "WB040",
        None,
        "notice",
        "Cột ghi năm khác với năm rà soát: không đọc, giữ lại trong dữ liệu gốc",
        "a column names another year than the review's: not read, kept in the raw layer",
    ),
    Rule(
        "WB041",
        None,
        "error",
        "Có hai cột cùng tên, không rõ cột nào là của năm rà soát: "
        "ghi rõ (cũ, mới) hoặc xóa một cột",
        "two columns have one name and which is the review's is unclear: mark them or drop one",
    ),
    Rule(
        "WB042",
        None,
        "notice",
        "Trang tính mẫu, hướng dẫn (Mẫu, Ví dụ, Hướng dẫn) không được nhập: "
        "danh sách ở các trang tính khác",
        "a template's example or instructions sheet was not read: the list is on other sheets",
    ),
    Rule(
        "WB043",
        None,
        "notice",
        "Ô xã, thôn bản hoặc khu vực được gộp qua nhiều hộ: giá trị của ô gộp được ghi cho "
        "từng hộ trong vùng gộp",
        "a place cell (commune, village, area) merged down over households: its value is each "
        "of those households'",
    ),
    Rule(
        "WB035",
        "village",
        "notice",
        "Không có cột Thôn, bản, hoặc cột để trống: lấy tên trang tính làm tên thôn, bản",
        "no village column, or a blank one: the sheet's name, naming a village, is the village",
    ),
    Rule(
        "WB036",
        None,
        "notice",
        "Dòng chỉ có số thứ tự hoặc tên xã, thôn, khu vực, không có hộ: bỏ qua như dòng trống",
        "rows holding only their number or place names (a template's rows) were skipped as blank",
    ),
    Rule(
        "HW005",
        None,
        "warning",
        "Ô bị gạch ngang: hộ vẫn được nạp; nếu hộ đã ra khỏi danh sách, hãy xoá dòng",
        "cells struck through: the household is loaded; delete its row if it left the list",
    ),
    Rule(
        "HH040",
        None,
        "error",
        "Ô bị gộp: giá trị thuộc về dòng khác, cần ghi riêng cho từng hộ",
        "merged cell: the value shown belongs to another row; write it in every household's row",
    ),
    Rule(
        "HH041",
        None,
        "error",
        "Ô chứa lỗi công thức, không phải giá trị hợp lệ",
        "the cell holds a formula error (#N/A, #REF!, ...), not a valid value",
    ),
    Rule(
        "HW007",
        None,
        "warning",
        "Ô chứa lỗi công thức (#N/A, #REF!, ...) ở cột không bắt buộc: hộ vẫn được nạp, ô này "
        "không được dùng; sửa công thức hoặc xoá ô",
        "a formula error (#N/A, #REF!, ...) in an optional column: the household is loaded "
        "without the cell; mend the formula or clear the cell",
    ),
    Rule(
        "HH042",
        None,
        "error",
        "Ô có công thức nhưng tệp không lưu kết quả tính (tệp do phần mềm khác tạo ra): "
        "mở tệp bằng Excel, lưu lại rồi gửi lại",
        "the cell holds a formula whose result the file does not store (written by a program "
        "that leaves the computing to Excel): open the file in Excel, save it and send it again",
    ),
]

RULES: dict[str, Rule] = {r.code: r for r in _RULES}


# A finding as the audit (audit.rejections) and the error workbook record it: where, what, which
# rule. Built here only, by `findings`, whatever found it (a check, the reader, the flow).
FINDING_COLUMNS = (
    "source_file",
    "sheet",
    "excel_row",
    "household_id",
    "column_name",
    "column_key",
    "value",
    "rule_code",
    "severity",
    "rule",
)


def findings(
    rule_code: pd.Series | str, detail: pd.Series | str | None = None, **where: object
) -> pd.DataFrame:
    """Findings of `rule_code` (one code, or one per row) at the places `where` gives (columns
    of FINDING_COLUMNS, as series or one value for all); each gets its rule's severity and
    message, followed by `: detail` where a detail is given."""
    series = [v for v in (rule_code, detail, *where.values()) if isinstance(v, pd.Series)]
    index = series[0].index if series else pd.RangeIndex(1)
    frame = pd.DataFrame(where, index=index)
    codes = pd.Series(rule_code, index=index, dtype="str")
    frame["rule_code"] = codes
    frame["severity"] = pd.Series([RULES[c].severity for c in codes], index=index, dtype="str")
    message = pd.Series([RULES[c].message for c in codes], index=index, dtype="str")
    if detail is not None:
        detail = pd.Series(detail, index=index, dtype="str")
        message = message.where(detail.isna(), message + ": " + detail)
    frame["rule"] = message
    return frame.reindex(columns=list(FINDING_COLUMNS))


def rules_table() -> pd.DataFrame:
    """The rules as a frame (for the warehouse's `ref.rules` and the error workbook)."""
    return pd.DataFrame(
        [
            {
                "rule_code": r.code,
                "column_key": r.column,
                "severity": r.severity,
                "message_vi": r.vi,
                "message_en": r.en,
            }
            for r in _RULES
        ]
    )
