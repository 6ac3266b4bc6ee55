"""The officer's error workbook as it is printed and read: Vietnamese only, the problems first,
the officer's own cells after them, warnings apart (workbooks/error_report.py)."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlwt

import config
from flows.workbook import process_workbook
from schemas.headers import LEADING_KEYS, canonical_keys, vietnamese_label
from schemas.rules import RULES, findings
from tests.factory import household, write_workbook
from tests.ingest.builders import LABELS, write_grid
from tests.reliability import hostile
from workbooks.error_text import detail_vi, message_vi
from workbooks.errors import WorkbookError
from workbooks.guard import FOLDER
from workbooks.reader import read_workbook

RED, YELLOW = "FFFFC7CE", "FFFFEB9C"


def test_every_column_key_has_a_vietnamese_header():
    for year in (2019, 2024, 2027):
        standard = config.standard_for_year(year)
        for key in canonical_keys(standard):
            label = vietnamese_label(key, standard)
            assert label != key and "_" not in label, (year, key)
    s2019, s2024 = config.standard_for_year(2019), config.standard_for_year(2024)
    assert vietnamese_label("income_score", s2019) == "Điểm B1"
    assert vietnamese_label("income_score", s2024) == "Điểm A"
    assert vietnamese_label("ethnicity", s2019) == "Dân tộc"
    assert vietnamese_label("health_insurance", s2019) == "Bảo hiểm y tế"
    # Another period's indicator (WB013) still has its Vietnamese name.
    other = next(k for k in s2024.indicator_keys if k not in s2019.indicator_keys)
    assert vietnamese_label(other, s2019) != other
    # As the officer's file wrote it, when known; an unknown column by its label.
    assert vietnamese_label("commune", s2024, {"commune": "Xã/Phường"}) == "Xã/Phường"
    assert vietnamese_label("extra:STT", s2019) == "STT"


# Details as the reader, the guard and the flow write them (English where they are written for
# the audit), each with what the officer must read in its place.
DETAILS = [
    ("WB002", "no header row found; sheet ignored", "không đọc trang tính này"),
    ("WB003", "kept in the raw layer: STT, Điện thoại", "STT, Điện thoại (giữ lại"),
    ("WB004", "totals row says 5 households; the rows above hold 4", "ghi 5 hộ; các dòng"),
    ("WB007", "income scaled x1000", "đã nhân với 1.000"),
    ("WB007", "income scaled x1000000", "đã nhân với 1.000.000"),
    ("WB007", "income per year, divided by 12", "thu nhập ghi theo năm, đã chia cho 12"),
    ("WB007", "income per year, divided by 12, scaled x1000", "chia cho 12 và nhân với 1.000"),
    ("WB008", "12 cells converted from TCVN3 (ABC, .VnTime) to Unicode", "12 ô đã chuyển"),
    ("WB009", "file name: Mường Nhé; cells: Mường Chà", "tên tệp: Mường Nhé; trong bảng:"),
    ("WB010", "commune = 'Sín Thầu'", "tên xã = 'Sín Thầu'"),
    ("WB035", "village = 'Bản Tá Miếu'", "thôn, bản = 'Bản Tá Miếu'"),
    ("WB038", "district = 'Huyện Mường Nhé'", "huyện = 'Huyện Mường Nhé'"),
    ("WB038", "commune = 'Xã Na Son'", "xã = 'Xã Na Son'"),
    ("WB039", "'DS (2)' repeats 'DS': 40 of its 40 ids", "'DS (2)' lặp lại 'DS': 40/40 mã hộ"),
    (
        "WB026",
        "2 external link(s); never followed, the values Excel cached in this file are read",
        "2 liên kết ngoài",
    ),
    ("WB027", "control characters removed from 3 cell(s)", "3 ô"),
    (
        "WB032",
        "2 cell(s) holding only spaces outside the table (A1:Z40; declared range A1:Z9999) "
        "ignored: Z9999, Y9000",
        "2 ô ngoài bảng (A1:Z40; vùng khai báo A1:Z9999): Z9999, Y9000",
    ),
    (
        "WB032",
        "1 cell(s) holding only spaces outside the table (A1:Z40) ignored: Z9999",
        "1 ô ngoài bảng (A1:Z40): Z9999",
    ),
    ("WB034", "4 households; dòng 3: Bản Tá Miếu; dòng 7: Bản Pa", "4 hộ; dòng 3: Bản Tá Miếu"),
    ("WB036", "20 rows: 47-60, 63", "20 dòng: 47-60, 63"),
    ("WB037", "5 households; dòng 2: XÃ SÍN THẦU", "5 hộ; dòng 2: XÃ SÍN THẦU"),
    ("HH030", "cũng ở/also at Danh sách dòng/row 7", "cũng ở Danh sách dòng 7"),
    ("HH031", "a.xlsx / DS dòng/row 4, b.xlsx / DS dòng/row 9", "a.xlsx / DS dòng 4, b.xlsx"),
    ("HH040", "A5:A7 = 'Sín Thầu'", "ô gộp A5:A7 = 'Sín Thầu'"),
    ("HH041", "F9", "ô F9"),
    ("WB016", "năm 2018", "năm 2018"),
    ("WB015", "muong-nhe-2.xlsx", "muong-nhe-2.xlsx"),
    # A workbook refused before any row is read (what `census check` and `census run` print),
    # without the file's name the guard and the reader put first; the fix kept.
    (
        "WB001",
        "cannot open: [Errno 13] Permission denied: 'raw/2019/muong-nhe.xlsx'",
        "không mở được tệp: [Errno 13] Permission denied: 'raw/2019/muong-nhe.xlsx'",
    ),
    (
        "WB001",
        "no sheet has a recognisable header row (expected labels such as 'Mã hộ', "
        "'Họ và tên chủ hộ', 'Số nhân khẩu')",
        "không trang tính nào có dòng tiêu đề nhận ra được (cần các tiêu đề như 'Mã hộ', "
        "'Họ và tên chủ hộ', 'Số nhân khẩu')",
    ),
    (
        "WB001",
        "no sheet has a recognisable header row (expected labels such as 'Mã hộ'); hidden "
        "sheets are not read: DS, Cũ",
        "(cần các tiêu đề như 'Mã hộ'); các trang tính ẩn không được đọc: DS, Cũ",
    ),
    (
        "WB001",
        "not a readable Excel workbook (Xlsx error: Zip error: invalid Zip archive)",
        "không đọc được tệp này như một bảng tính Excel (Xlsx error: Zip error",
    ),
    (
        "WB001",
        "muong-nhe.xlsx, sheet 'Danh sách': cannot be read (unexpected end of data)",
        "muong-nhe.xlsx, trang tính 'Danh sách': không đọc được (unexpected end of data)",
    ),
    ("WB020", FOLDER, "hãy chép chúng thẳng vào thư mục của năm, hoặc nếu muốn để riêng"),
    ("WB020", "not a spreadsheet: the file is empty", "tệp rỗng"),
    (
        "WB020",
        "not a spreadsheet of its type: the file is an .xls (Excel 97-2003) workbook with another "
        "extension; rename it .xls (or save it again as .xlsx in Excel)",
        "bảng tính .xls (Excel 97-2003) nhưng mang đuôi khác; đổi đuôi tên tệp thành .xls (hoặc "
        "mở bằng Excel rồi lưu lại thành .xlsx)",
    ),
    (
        "WB020",
        "not a spreadsheet of its type: the file is an .xlsx workbook with another extension; "
        "rename it .xlsx (or save it again as .xlsx in Excel)",
        "đổi đuôi tên tệp thành .xlsx",
    ),
    (
        "WB020",
        "not a spreadsheet: the file is text (CSV); open it in Excel or LibreOffice and save it "
        "as .xlsx",
        "tệp là văn bản (CSV); mở bằng Excel hoặc LibreOffice rồi lưu lại thành .xlsx",
    ),
    (
        "WB020",
        "not a spreadsheet: the file is an OpenDocument spreadsheet (.ods); open it in Excel or "
        "LibreOffice and save it as .xlsx",
        "tệp là bảng tính OpenDocument (.ods); mở bằng Excel hoặc LibreOffice rồi lưu lại",
    ),
    (
        "WB020",
        "not a spreadsheet it reads: the file is .xlsb; open it in Excel or LibreOffice and save "
        "it as .xlsx",
        "tệp là bảng tính dạng .xlsb, chương trình không đọc được dạng này; mở bằng Excel",
    ),
    (
        "WB020",
        "not a spreadsheet: the file is HTML or XML text with a spreadsheet's name (save it as "
        ".xlsx in Excel)",
        "tệp là văn bản HTML hoặc XML nhưng đặt tên như bảng tính (mở bằng Excel rồi lưu lại",
    ),
    ("WB020", "not a spreadsheet: the file is a PDF", "tệp là bản PDF"),
    ("WB020", "not a spreadsheet: the file is a damaged zip", "tệp nén (zip) bị hỏng"),
    (
        "WB020",
        "not a spreadsheet: the file is neither an .xlsx (zip) nor an .xls (compound file)",
        "không phải bảng tính .xlsx, cũng không phải .xls",
    ),
    (
        "WB020",
        "not a spreadsheet: a zip file without an Excel workbook inside",
        "tệp nén (zip) không chứa bảng tính Excel nào",
    ),
    (
        "WB021",
        "corrupt or truncated .xlsx: the zip cannot be opened (Bad magic number for central "
        "directory)",
        "tệp .xlsx không mở ra được (Bad magic number",
    ),
    (
        "WB021",
        "corrupt or truncated .xlsx: a part cannot be read (Overlapped entries: "
        "'xl/workbook.xml' (possible zip bomb))",
        "có một phần của tệp .xlsx không đọc được (Overlapped entries: 'xl/workbook.xml' (",
    ),
    (
        "WB021",
        "corrupt or truncated .xlsx: part xl/styles.xml is misplaced",
        "phần xl/styles.xml của tệp .xlsx nằm sai vị trí",
    ),
    (
        "WB021",
        "corrupt or truncated .xlsx: part xl/styles.xml is damaged",
        "phần xl/styles.xml của tệp .xlsx bị hỏng",
    ),
    (
        "WB021",
        "corrupt .xlsx: part xl/styles.xml uses an unknown compression",
        "phần xl/styles.xml của tệp .xlsx được nén theo cách không nhận ra",
    ),
    (
        "WB021",
        "corrupt or truncated .xlsx: part xl/worksheets/sheet1.xml (Error -3 while "
        "decompressing data: invalid block type)",
        "phần xl/worksheets/sheet1.xml của tệp .xlsx bị lỗi (Error -3 while decompressing",
    ),
    (
        "WB021",
        "corrupt or truncated .xlsx: part xl/worksheets/sheet1.xml is cut short",
        "phần xl/worksheets/sheet1.xml của tệp .xlsx bị cắt cụt",
    ),
    (
        "WB021",
        "corrupt .xlsx: part xl/worksheets/sheet1.xml fails its checksum",
        "phần xl/worksheets/sheet1.xml của tệp .xlsx sai mã kiểm tra",
    ),
    (
        "WB021",
        "corrupt .xlsx: the workbook part (xl/workbook.xml) is missing",
        "tệp .xlsx thiếu phần chính của bảng tính (xl/workbook.xml)",
    ),
    # Numbers with Vietnamese thousands dots: 1,000 would read as one.
    (
        "WB022",
        "file too large: 104,857,601 bytes (limit 104,857,600)",
        "tệp quá lớn: 104.857.601 byte (giới hạn 104.857.600 byte)",
    ),
    ("WB022", "file too large: over 1,000 bytes", "tệp quá lớn: trên 1.000 byte"),
    (
        "WB022",
        "zip bomb or oversized workbook: part xl/worksheets/sheet1.xml inflates to 1,048,576 "
        "bytes or more (limits: 268,435,456 a part, 536,870,912 in all, ratio 200:1)",
        "phần xl/worksheets/sheet1.xml giải nén ra từ 1.048.576 byte trở lên (giới hạn: "
        "268.435.456 byte mỗi phần, 536.870.912 byte cả tệp, tỉ lệ nén 200:1)",
    ),
    (
        "WB023",
        "password-protected: the workbook is encrypted; remove the password in Excel (File > Info "
        "> Protect Workbook) and send it again",
        "gỡ mật khẩu trong Excel (Tệp > Thông tin > Bảo vệ sổ làm việc) rồi gửi lại",
    ),
    (
        "WB024",
        "too many rows: more than 250,000 rows (at sheet part xl/worksheets/sheet2.xml); a "
        "district workbook holds one row a household",
        "hơn 250.000 dòng (tính đến phần xl/worksheets/sheet2.xml); danh sách chỉ ghi mỗi hộ",
    ),
    (
        "WB025",
        "a cell's text is longer than Excel's limit of 32,767 characters (part "
        "xl/sharedStrings.xml)",
        "có ô dài hơn giới hạn 32.767 ký tự của Excel (phần xl/sharedStrings.xml)",
    ),
    (
        "WB025",
        "sheet 'Danh sách', row 12: a cell holds 40,000 characters (Excel's limit is 32,767)",
        "trang tính 'Danh sách', dòng 12: có ô dài 40.000 ký tự (Excel chỉ cho tối đa 32.767",
    ),
    (
        "WB031",
        "sheet 'Danh sách': cell AZ1048576 holds '1,5', far outside the rest of the sheet "
        "(A1:T56): a sheet may hold at most 250,000 rows, 1,024 columns and 10,000,000 cells; "
        "delete that cell (or the rows and columns around it) and send the workbook again",
        # the cell's own text is kept as written ('1,5'), the limits get dots
        "trang tính 'Danh sách': ô AZ1048576 có giá trị '1,5', nằm rất xa phần còn lại của "
        "trang tính (A1:T56): một trang tính chỉ được có tối đa 250.000 dòng, 1.024 cột và "
        "10.000.000 ô; xoá ô đó (hoặc các dòng, cột quanh nó) rồi gửi lại tệp",
    ),
]
ENGLISH = re.compile(
    r"\b(row|rows|cells?|households?|file|sheet|ignored|kept|scaled|converted|also|links?|"
    r"never|removed|declared|outside|missing|column)\b"
)


@pytest.mark.parametrize(("code", "detail", "expected"), DETAILS)
def test_each_detail_is_said_in_vietnamese(code, detail, expected):
    [rule] = findings(code, detail)["rule"]
    text = message_vi(code, rule)
    assert text.startswith(RULES[code].vi + ": ") and expected in text
    assert RULES[code].en not in text and not ENGLISH.search(text), text


def _refusal_files(tmp_path: Path) -> list[Path]:
    """One real file (or folder) for each way the guard and the reader refuse a workbook before
    any row is read (tests/reliability/test_guard.py builds them the same way)."""
    files = []

    def put(name: str, data: bytes) -> None:
        (tmp_path / name).write_bytes(data)
        files.append(tmp_path / name)

    def zipped(name: str, parts: dict[str, bytes]) -> None:
        with zipfile.ZipFile(tmp_path / name, "w") as z:
            for part, data in parts.items():
                z.writestr(part, data)
        files.append(tmp_path / name)

    put("csv.xlsx", "Mã hộ,Họ và tên chủ hộ\nMN-1,Lò Văn A\n".encode())
    put("utf16.csv", "Mã hộ\tHọ và tên\r\n".encode("utf-16"))
    put("empty.xlsx", b"")
    put("scan.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    put("binary.xlsx", bytes(range(256)) * 4)
    put("damaged-zip.xlsx", b"PK\x05\x06" + bytes(18))
    files.append(hostile.html_as_xls(tmp_path / "web.xls"))
    files.append(hostile.password_protected(tmp_path / "locked.xlsx"))
    zipped("doc.xlsx", {"word/document.xml": b"<w:document/>"})
    zipped("calc.xlsx", {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"})
    zipped("binary-sheets.xlsb", {"xl/workbook.bin": b"\x83\x01\x00"})
    book = xlwt.Workbook()
    book.add_sheet("a").write(0, 0, "x")
    book.save(str(tmp_path / "old.xlsx"))
    files.append(tmp_path / "old.xlsx")
    files.append(write_workbook(tmp_path / "new.xls", [household(1)]))
    (tmp_path / "cu").mkdir()
    files.append(tmp_path / "cu")
    files.append(hostile.truncated(tmp_path / "cut.xlsx", tmp_path))
    files.append(hostile.corrupt(tmp_path / "bad.xlsx", tmp_path))
    unnamed = bytearray(hostile.valid_bytes(tmp_path))
    at = unnamed.find(b"xl/workbook.xml", unnamed.find(b"PK\x01\x02"))
    unnamed[at : at + 2] = b"XL"  # the directory's name of the workbook part
    put("unnamed.xlsx", bytes(unnamed))
    files.append(hostile.zip_bomb(tmp_path / "bomb.xlsx", tmp_path, megabytes=8))
    files.append(write_grid(tmp_path / "no-header.xlsx", {"DS": [["a", "b"], [1, 2]]}))
    long = write_workbook(tmp_path / "long.xlsx", [household(1, note="PLACEHOLDER")])
    files.append(hostile.replace_in_parts(long, b"PLACEHOLDER", b"a" * 40_000))
    huge = write_workbook(tmp_path / "huge.xlsx", [household(1, note="PLACEHOLDER")])
    files.append(hostile.replace_in_parts(huge, b"PLACEHOLDER", b"b" * 3_000_000))
    return files


# Limits lowered so that an ordinary workbook is refused by each of them.
LIMITS = {
    "CENSUS_MAX_FILE_BYTES": "1000",  # WB022, file too large
    "CENSUS_MAX_MEMBER_BYTES": "2000",  # WB022, a part too large
    "CENSUS_MAX_ROWS": "5",  # WB024
    "CENSUS_MAX_CELLS": "500",  # WB031
}


def _refusal(path: Path) -> tuple[str, str]:
    """The rule and the detail a real refusal gives, without the file's name (as the callers
    pass it)."""
    with pytest.raises(WorkbookError) as info:
        read_workbook(path)
    return info.value.code, str(info.value).removeprefix(f"{path.name}: ")


def test_every_refusal_of_a_real_file_is_said_in_vietnamese(tmp_path, monkeypatch):
    """What the guard and the reader really write, not a copy of it: a detail whose wording
    changed (and no longer matches its pattern) would reach the officer in English."""
    said = [_refusal(path) for path in _refusal_files(tmp_path)]
    workbook = write_workbook(tmp_path / "many.xlsx", [household(i) for i in range(1, 61)])
    for name, limit in LIMITS.items():
        with monkeypatch.context() as m:
            m.setenv(name, limit)
            said.append(_refusal(workbook))
    codes = {code for code, _ in said}
    assert codes == {"WB001", "WB020", "WB021", "WB022", "WB023", "WB024", "WB025", "WB031"}
    for code, detail in said:
        assert detail_vi(code, detail) != detail, (code, detail)


def test_a_refusal_quotes_the_faults_in_vietnamese():
    fault = findings("WB005", "Dân tộc")["rule"].iloc[0]
    given = findings("WB015", "muong-nhe-2.xlsx")["rule"].iloc[0]
    for reason in (f"lỗi cấu trúc tệp ({fault})", given):
        [rule] = findings("WB017", reason)["rule"]
        text = message_vi("WB017", rule)
        assert text.startswith(RULES["WB017"].vi)
        assert not any(r.en in text for r in RULES.values()), text
    assert message_vi("WB017", findings("WB017", f"lỗi cấu trúc tệp ({fault})")["rule"][0]) == (
        f"{RULES['WB017'].vi}: lỗi cấu trúc tệp (Thiếu cột bắt buộc: Dân tộc)"
    )
    assert message_vi("HH023", findings("HH023")["rule"][0]) == "Số nhân khẩu phải từ 1 đến 30"


# The error workbook, written by the real flow from real files.
PROBLEM_HEADER = ["Trang tính", "Dòng Excel", "Mã lỗi", "Nội dung", "Cột", "Giá trị đã ghi"]


def process(path: Path, reports: Path):
    return process_workbook(path, 2019, config.load_province(), reports_dir=reports)


def listed(ws, by_sheet: bool = False) -> tuple[list[str], dict[object, dict[str, object]]]:
    """The sheet's header, and each listed row by its Excel row (with `by_sheet`, by its sheet
    and Excel row): header -> cell."""
    header = [c.value for c in ws[1]]
    rows = {(r[0].value, r[1].value) if by_sheet else r[1].value: r for r in ws.iter_rows(2)}
    return header, {n: dict(zip(header, r, strict=True)) for n, r in rows.items()}


def texts(book) -> list[str]:
    return [
        c.value for ws in book.worksheets for row in ws.iter_rows() for c in row
        if isinstance(c.value, str)
    ]  # fmt: skip


def mixed(tmp_path: Path) -> Path:
    """Rows 4-11 of one sheet: errors, warnings, both, a duplicate; the household size headed
    `Số khẩu` as some offices write it, and a column the pipeline does not know (STT)."""
    rows = [
        household(1, STT=1),
        household(2, STT=2, household_size=45, income_per_capita="1.200.000"),  # HH023
        household(3, STT=3, commune="Him Lam"),  # HH021
        household(4, STT=4, income_per_capita=20_000),  # HW001 only: loaded
        household(5, STT=5, household_size=45, income_per_capita=20_000),  # HH023 + HW001
        household(6, STT=6, head_id_number=12345678901),  # HW002: a lost leading zero
        household(7, STT=7, household_id="MN-000001"),  # HH030 with row 4
        household(8, STT=8),
    ]
    return write_workbook(tmp_path / "muong-nhe.xlsx", rows, labels={"household_size": "Số khẩu"})


def test_the_problems_come_first_then_the_officers_cells(tmp_path):
    load = process(mixed(tmp_path), tmp_path / "reports")
    assert load.report.endswith("muong-nhe-loi.xlsx")
    book = openpyxl.load_workbook(load.report)
    assert book.sheetnames == ["Lỗi", "Cảnh báo", "Tổng hợp"]

    header, errors = listed(book["Lỗi"])
    standard = config.standard_for_year(2019)
    officer = [vietnamese_label(k, standard) for k in [*LEADING_KEYS, *standard.indicator_keys]]
    officer[LEADING_KEYS.index("household_size")] = "Số khẩu"
    assert header == PROBLEM_HEADER + officer + ["STT"]  # problems first, then the file's own
    # Only rows that were not loaded; a row with an error shows its warning there too.
    assert sorted(errors) == [4, 5, 6, 8, 10]
    row8 = {k: c.value for k, c in errors[8].items()}
    assert row8["Mã lỗi"] == "HH023\nHW001"
    assert row8["Nội dung"] == (
        "Số nhân khẩu phải từ 1 đến 30\nThu nhập bất thường, đề nghị kiểm tra (dưới 0,1 lần chuẩn "
        "nghèo hoặc trên 20 lần mức sống trung bình của khu vực, tính theo tháng mỗi người)"
    )
    assert row8["Cột"] == "Số khẩu\nThu nhập bình quân đầu người/tháng (đồng)"  # as the file
    assert row8["Giá trị đã ghi"] == "45\n20000"
    assert errors[10]["Nội dung"].value == "Mã hộ bị trùng trong tệp: cũng ở Danh sách dòng 4"
    assert errors[5]["Giá trị đã ghi"].value == 45  # one value typed as a number: a number

    # The officer's cells as typed: numbers as numbers, text as text, IDs with their zeros.
    size, income = errors[5]["Số khẩu"], errors[5][LABELS["income_per_capita"]]
    assert (size.value, size.data_type, size.number_format) == (45, "n", "#,##0")
    assert income.value == "1.200.000" and income.data_type == "s"
    assert errors[6][LABELS["income_per_capita"]].value == 850_000
    assert errors[6]["Số CCCD chủ hộ"].value == "000000000003"
    assert errors[6]["Mã hộ"].value == "MN-000003" and errors[6]["Họ và tên chủ hộ"].value
    assert errors[6]["STT"].value == "3"  # a column the pipeline does not know: as read
    fills = {
        (n, k): c.fill.fgColor.rgb
        for n, r in errors.items()
        for k, c in r.items()
        if c.fill.fill_type == "solid" and k in officer
    }
    income_label = LABELS["income_per_capita"]
    assert fills == {
        (4, "Mã hộ"): RED,
        (5, "Số khẩu"): RED,
        (6, "Xã"): RED,
        (8, "Số khẩu"): RED,
        (8, income_label): YELLOW,
        (10, "Mã hộ"): RED,
    }

    # Warnings apart: the rows that loaded.
    header, warned = listed(book["Cảnh báo"])
    assert header[:6] == PROBLEM_HEADER and sorted(warned) == [7, 9]
    assert warned[9]["Mã lỗi"].value == "HW002"
    assert warned[9]["Cột"].value == "Số CCCD chủ hộ"
    assert warned[9]["Số CCCD chủ hộ"].value == "12345678901"  # as typed, never as 1.2E+10

    # Printed: A4 landscape, one page wide, the header row on every page; panes frozen.
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        # One page wide (1 is the file format's default, left out), as many pages down as needed.
        assert (ws.page_setup.fitToWidth or 1, ws.page_setup.fitToHeight) == (1, 0)
    for ws in (book["Lỗi"], book["Cảnh báo"]):
        assert ws.print_title_rows == "$1:$1" and ws.freeze_panes == "C2"
        assert ws.column_dimensions["D"].width >= 25  # the message column, wrapped
        assert ws["D2"].alignment.wrap_text

    # Vietnamese only: no English message, no column key where a header exists.
    words = texts(book)
    for rule in RULES.values():
        assert not [t for t in words if rule.en in t], rule.code
    keys = [*canonical_keys(standard), *config.all_indicator_keys()]
    shown = re.compile(r"\b(" + "|".join(k for k in keys if "_" in k) + r")\b")
    assert not [t for t in words if shown.search(t)]
    assert not [t for t in words if " / " in t and "xlsx" not in t]  # no bilingual text


def test_the_summary_counts_rows_per_sheet_and_says_first_that_nothing_loaded(tmp_path):
    na_lay = [
        household(i, commune="Sín Thầu", household_size=45 if i <= 1035 else 5)
        for i in range(1, 1101)
    ]
    song_da = [household(2000 + i, household_size=45 if i == 1 else 5) for i in range(1, 4)]
    path = write_workbook(
        tmp_path / "mn.xlsx",
        [],
        sheets={"Na Lay": na_lay, "Sông Đà": song_da},
        omit_on={"Sông Đà": ("ethnicity",)},
    )
    load = process(path, tmp_path / "reports")
    assert load.refused
    book = openpyxl.load_workbook(load.report)
    assert book.sheetnames == ["Tổng hợp", "Lỗi"]  # nothing was loaded: that comes first
    ws = book["Tổng hợp"]
    assert ws["A1"].font.b
    assert ws["A1"].value == (
        "Tệp không được nạp; dữ liệu đã nạp trước đây của đơn vị được giữ nguyên: "
        "lỗi cấu trúc tệp (Thiếu cột bắt buộc: Dân tộc)"
    )
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    facts = {r[0]: r[2] for r in cells if r[0] and r[2]}
    assert facts["Tệp"] == "mn.xlsx" and facts["Đơn vị"] == "Mường Nhé"
    assert facts["Năm rà soát"] == "2019" and facts["Mã kiểm tra tệp (SHA-256)"] == load.file_hash
    assert facts["Dòng có lỗi (không nạp)"] == "1.038"
    rules = {r[0]: r for r in cells if r[0] in RULES}
    assert rules["HH023"][1:] == [
        "Lỗi", "Số nhân khẩu phải từ 1 đến 30", "Na Lay: 1.035 dòng; Sông Đà: 1 dòng", 1036
    ]  # fmt: skip
    assert rules["HH007"][3:] == ["Sông Đà: 3 dòng", 3]
    # Then the findings about the workbook and its sheets, in Vietnamese, with their sheet.
    assert rules["WB005"][1:4] == ["Lỗi", "Thiếu cột bắt buộc: Dân tộc", "Sông Đà"]
    _, errors = listed(book["Lỗi"], by_sheet=True)
    assert len(errors) == 1038 and list(errors)[1034:1036] == [("Na Lay", 1038), ("Sông Đà", 4)]
    assert errors["Na Lay", 4]["Cột"].value == "Số nhân khẩu"
    # A column the sheet lacks is named by its canonical label; a blank cell says so.
    assert errors["Sông Đà", 4]["Cột"].value == "Dân tộc\nSố nhân khẩu"
    assert errors["Sông Đà", 4]["Giá trị đã ghi"].value == "(trống)\n45"


def test_a_workbook_with_warnings_only_is_named_so_and_a_corrected_one_leaves_none(tmp_path):
    reports = tmp_path / "reports"
    path = tmp_path / "muong-nhe.xlsx"
    write_workbook(path, [household(1, household_size=45), household(2)])
    first = process(path, reports)
    assert first.report == str(reports / "2019" / "muong-nhe-loi.xlsx")

    write_workbook(path, [household(1, income_per_capita=20_000), household(2)])
    warned = process(path, reports)
    assert warned.report == str(reports / "2019" / "muong-nhe-canh-bao.xlsx")
    assert not Path(first.report).exists()  # the stale error list is gone
    book = openpyxl.load_workbook(warned.report)
    assert book.sheetnames == ["Cảnh báo", "Tổng hợp"]
    _, rows = listed(book["Cảnh báo"])
    assert list(rows) == [4] and rows[4]["Mã lỗi"].value == "HW001"

    write_workbook(path, [household(1), household(2)])
    assert process(path, reports).report is None
    assert not list((reports / "2019").iterdir())  # neither name is left behind


@pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftotext")),
    reason="LibreOffice and poppler-utils are not installed here",
)
def test_the_first_printed_page_already_says_what_is_wrong(tmp_path):
    load = process(mixed(tmp_path), tmp_path / "reports")
    profile = (tmp_path / "lo-profile").as_uri()  # its own profile: other runs may hold theirs
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), load.report],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    pdf = tmp_path / "muong-nhe-loi.pdf"
    first = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "Số nhân khẩu phải từ 1 đến 30" in first and "Xã không thuộc huyện" in first
    assert "Nội dung" in first and "MN-000003" in first  # the header, and the row's cells
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert width > height and round(width) == 842  # A4 landscape


@pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftotext")),
    reason="LibreOffice and poppler-utils are not installed here",
)
def test_a_long_number_prints_whole_and_the_turned_headers_have_room(tmp_path):
    """An income of 999,999,999,999 printed `###` in its 9.5-wide column; the turned indicator
    headers (10-point, 105 points high) were cut."""
    rows = [household(1), household(2, income_per_capita=999_999_999_999, household_size=45)]
    load = process(write_workbook(tmp_path / "muong-nhe.xlsx", rows), tmp_path / "reports")
    ws = openpyxl.load_workbook(load.report)["Lỗi"]
    turned = [c for c in ws[1] if c.alignment.textRotation == 90]
    assert turned and all(c.font.sz == 8 for c in turned)
    longest = max(len(c.value) for c in turned)
    assert ws.row_dimensions[1].height >= longest * 4.8 * 0.6  # two lines of 8-point text
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), load.report],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    page = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-layout", str(tmp_path / "muong-nhe-loi.pdf"), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "999,999,999,999" in page and "###" not in page


def test_a_members_finding_shows_its_column_and_the_value_typed(tmp_path):
    """HW003 and HW004 carried the value in the message only: the error workbook's "Cột" and
    "Giá trị đã ghi" were blank for them."""
    rows = [household(1)]
    members = [
        ["Mã hộ", "Họ và tên", "Dân tộc", "Quan hệ với chủ hộ", "Năm sinh", "Giới tính"],
        [rows[0]["household_id"], "Lò Thị Mai", "Thái", "Vợ", "năm 90", "Nữ"],
        ["MN-999999", "Lò Văn A", "Thái", "Con", 2010, "Nam"],
    ]
    path = write_workbook(tmp_path / "m.xlsx", rows, extra_sheets={"Thành viên hộ": members})
    load = process(path, tmp_path / "reports")
    book = openpyxl.load_workbook(load.report)
    _, warned = listed(book["Cảnh báo"], by_sheet=True)
    shown = {
        n: (r["Mã lỗi"].value, r["Cột"].value, r["Giá trị đã ghi"].value) for n, r in warned.items()
    }
    assert shown == {
        ("Thành viên hộ", 2): ("HW003", "Năm sinh", "năm 90"),
        ("Thành viên hộ", 3): ("HW004", "Mã hộ", "MN-999999"),
    }
