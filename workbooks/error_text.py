"""What the officer's error workbook says about a finding: Vietnamese only.

A finding's `rule` (schemas/rules.py `findings`) is `<vi> / <en>: <detail>`, bilingual for the
audit and the analysts, and its detail is written where the problem was found (the reader, the
guard, the flow), some of it in English. The officer reads Vietnamese only: here the rule's
English half is dropped and each English detail is said again in Vietnamese, one pattern per
detail the pipeline writes. A detail no pattern knows is shown as written (a new detail should
get its pattern here; tests/ingest/test_error_workbook.py checks every known one).
"""

from __future__ import annotations

import re
from functools import lru_cache

from schemas.rules import RULES


def _p(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.DOTALL)


def _n(name: str) -> str:
    """A number the English writes with thousands commas (250,000): its group is named `n_...`
    so that `detail_vi` writes it with dots (250.000), as Vietnamese does (a comma is its
    decimal mark: 1,024 would read as one)."""
    return rf"(?P<n_{name}>\d[\d,]*)"


# Workbooks refused before any row is read (the guard, the reader, the flow; `census check` and
# `census run` print them with `said_vi_en`): the officer reads the same fix as the English.
_CSV_ODS_XLSB = r"open it in Excel or LibreOffice and save it as \.xlsx"
_SAVE_VI = "mở bằng Excel hoặc LibreOffice rồi lưu lại thành .xlsx"
# WB021: "corrupt or truncated .xlsx: ..." or "corrupt .xlsx: ..."; the rule says it already.
_CORRUPT = r"corrupt(?: or truncated)? \.xlsx: "


# code -> (English detail pattern, its Vietnamese), tried in order; the first that matches the
# whole detail is used. Where the detail is Vietnamese or only names, values and cell
# references, the code has no entry.
_DETAIL_VI: dict[str, tuple[tuple[re.Pattern[str], str], ...]] = {
    "WB002": ((_p(r"no header row found; sheet ignored"), "không đọc trang tính này"),),
    "WB003": (
        (_p(r"kept in the raw layer: (.*)"), r"\1 (giữ lại trong dữ liệu gốc, không dùng để xét)"),
    ),
    "WB004": (
        (
            _p(r"totals row says (\d+) households; the rows above hold (\d+)"),
            r"dòng tổng cộng ghi \1 hộ; các dòng phía trên có \2 hộ",
        ),
    ),
    "WB007": (
        (_p(r"income scaled x1000"), "đã nhân với 1.000"),
        (_p(r"income scaled x1000000"), "đã nhân với 1.000.000"),
        (_p(r"income per year, divided by 12"), "thu nhập ghi theo năm, đã chia cho 12"),
        (
            _p(r"income per year, divided by 12, scaled x1000"),
            "thu nhập ghi theo năm, đã chia cho 12 và nhân với 1.000",
        ),
        (
            _p(r"income per year, divided by 12, scaled x1000000"),
            "thu nhập ghi theo năm, đã chia cho 12 và nhân với 1.000.000",
        ),
    ),
    "WB008": (
        (_p(r"(\d+) cells converted from TCVN3 \(ABC, \.VnTime\) to Unicode"), r"\1 ô đã chuyển"),
    ),
    "WB009": ((_p(r"file name: (.*); cells: (.*)"), r"tên tệp: \1; trong bảng: \2"),),
    "WB010": ((_p(r"commune = (.*)"), r"tên xã = \1"),),
    "WB035": ((_p(r"village = (.*)"), r"thôn, bản = \1"),),
    "WB039": (
        (_p(r"'(.*)' repeats '(.*)': (\d+) of its (\d+) ids"), r"'\1' lặp lại '\2': \3/\4 mã hộ"),
    ),
    "WB038": ((_p(r"district = (.*)"), r"huyện = \1"), (_p(r"commune = (.*)"), r"xã = \1")),
    "WB026": (
        (
            _p(
                r"(\d+) external link\(s\); never followed, the values Excel cached in this file "
                r"are read"
            ),
            r"\1 liên kết ngoài",
        ),
    ),  # fmt: skip
    "WB027": ((_p(r"control characters removed from (\d+) cell\(s\)"), r"\1 ô"),),
    "WB032": (
        (
            _p(
                r"(\d+) cell\(s\) holding only spaces outside the table \((.*?); declared range "
                r"(.*?)\) ignored: (.*)"
            ),
            r"\1 ô ngoài bảng (\2; vùng khai báo \3): \4",
        ),
        (
            _p(r"(\d+) cell\(s\) holding only spaces outside the table \((.*?)\) ignored: (.*)"),
            r"\1 ô ngoài bảng (\2): \3",
        ),
    ),  # fmt: skip
    "WB034": (
        (
            _p(r"(\d+) households; (.*)"),
            r"\1 hộ; \2",
        ),
    ),
    "WB037": ((_p(r"(\d+) households; (.*)"), r"\1 hộ; \2"),),
    "WB036": ((_p(r"(\d+) rows: (.*)"), r"\1 dòng: \2"),),
    "HH040": ((_p(r"(.*)"), r"ô gộp \1"),),
    "HH041": ((_p(r"(.*)"), r"ô \1"),),
    "HW007": ((_p(r"(.*)"), r"ô \1"),),
    "HH042": ((_p(r"(.*)"), r"ô \1"),),
    # Workbooks refused before any row is read.
    "WB001": (
        (_p(r"cannot open: (.*)"), r"không mở được tệp: \1"),
        (
            _p(
                r"no sheet has a recognisable header row \(expected labels such as ([^)]*)\)"
                r"; hidden sheets are not read: (.*)"
            ),
            r"không trang tính nào có dòng tiêu đề nhận ra được (cần các tiêu đề như \1); "
            r"các trang tính ẩn không được đọc: \2",
        ),
        (
            _p(r"no sheet has a recognisable header row \(expected labels such as ([^)]*)\)"),
            r"không trang tính nào có dòng tiêu đề nhận ra được (cần các tiêu đề như \1)",
        ),
        (
            _p(r"not a readable Excel workbook \((.*)\)"),
            r"không đọc được tệp này như một bảng tính Excel (\1)",
        ),
        (
            _p(r"(.+), sheet '(.*)': cannot be read \((.*)\)"),
            r"\1, trang tính '\2': không đọc được (\3)",
        ),
    ),
    "WB020": (
        (
            _p(
                r"a folder, not a workbook: the workbooks inside it are not read; put them in "
                r"the year's folder itself, or start the folder's name with _ to keep it aside"
            ),
            "đây là một thư mục, không phải tệp Excel: các tệp trong thư mục này không được "
            "đọc; hãy chép chúng thẳng vào thư mục của năm, hoặc nếu muốn để riêng thì đặt tên "
            "thư mục bắt đầu bằng dấu _",
        ),
        (_p(r"not a spreadsheet: the file is empty"), "tệp rỗng, không có nội dung gì"),
        (
            _p(
                r"not a spreadsheet of its type: the file is an (.+) workbook with another "
                r"extension; rename it (\S+) \(or save it again as \.xlsx in Excel\)"
            ),
            r"tệp thực ra là bảng tính \1 nhưng mang đuôi khác; đổi đuôi tên tệp thành \2 "
            r"(hoặc mở bằng Excel rồi lưu lại thành .xlsx)",
        ),
        (
            _p(r"not a spreadsheet: the file is text \(CSV\); " + _CSV_ODS_XLSB),
            "tệp là văn bản (CSV); " + _SAVE_VI,
        ),
        (
            _p(
                r"not a spreadsheet: the file is an OpenDocument spreadsheet \(\.ods\); "
                + _CSV_ODS_XLSB
            ),
            "tệp là bảng tính OpenDocument (.ods); " + _SAVE_VI,
        ),
        (
            _p(r"not a spreadsheet it reads: the file is \.xlsb; " + _CSV_ODS_XLSB),
            "tệp là bảng tính dạng .xlsb, chương trình không đọc được dạng này; " + _SAVE_VI,
        ),
        (
            _p(
                r"not a spreadsheet: the file is HTML or XML text with a spreadsheet's name "
                r"\(save it as \.xlsx in Excel\)"
            ),
            "tệp là văn bản HTML hoặc XML nhưng đặt tên như bảng tính (mở bằng Excel rồi lưu "
            "lại thành .xlsx)",
        ),
        (_p(r"not a spreadsheet: the file is a PDF"), "tệp là bản PDF"),
        (_p(r"not a spreadsheet: the file is a damaged zip"), "tệp là tệp nén (zip) bị hỏng"),
        (
            _p(
                r"not a spreadsheet: the file is neither an \.xlsx \(zip\) nor an \.xls "
                r"\(compound file\)"
            ),
            "tệp không phải bảng tính .xlsx, cũng không phải .xls",
        ),
        (
            _p(r"not a spreadsheet: a zip file without an Excel workbook inside"),
            "tệp nén (zip) không chứa bảng tính Excel nào",
        ),
    ),
    "WB021": (
        (_p(_CORRUPT + r"the zip cannot be opened \((.*)\)"), r"tệp .xlsx không mở ra được (\1)"),
        (
            _p(_CORRUPT + r"a part cannot be read \((.*)\)"),
            r"có một phần của tệp .xlsx không đọc được (\1)",
        ),
        (_p(_CORRUPT + r"part (.+) is misplaced"), r"phần \1 của tệp .xlsx nằm sai vị trí"),
        (_p(_CORRUPT + r"part (.+) is damaged"), r"phần \1 của tệp .xlsx bị hỏng"),
        (
            _p(_CORRUPT + r"part (.+) uses an unknown compression"),
            r"phần \1 của tệp .xlsx được nén theo cách không nhận ra",
        ),
        (_p(_CORRUPT + r"part (.+) is cut short"), r"phần \1 của tệp .xlsx bị cắt cụt"),
        (
            _p(_CORRUPT + r"part (.+) fails its checksum"),
            r"phần \1 của tệp .xlsx sai mã kiểm tra (checksum)",
        ),
        (
            _p(_CORRUPT + r"the workbook part \(xl/workbook\.xml\) is missing"),
            "tệp .xlsx thiếu phần chính của bảng tính (xl/workbook.xml)",
        ),
        (_p(_CORRUPT + r"part (.+?) \((.*)\)"), r"phần \1 của tệp .xlsx bị lỗi (\2)"),
    ),
    "WB022": (
        (
            _p(rf"file too large: {_n('size')} bytes \(limit {_n('limit')}\)"),
            r"tệp quá lớn: \1 byte (giới hạn \2 byte)",
        ),
        (_p(rf"file too large: over {_n('limit')} bytes"), r"tệp quá lớn: trên \1 byte"),
        (
            _p(
                rf"zip bomb or oversized workbook: part (.+) inflates to {_n('size')} bytes or "
                rf"more \(limits: {_n('part')} a part, {_n('total')} in all, ratio (\d+):1\)"
            ),
            r"phần \1 giải nén ra từ \2 byte trở lên (giới hạn: \3 byte mỗi phần, \4 byte cả "
            r"tệp, tỉ lệ nén \5:1)",
        ),
    ),
    "WB023": (
        (
            _p(
                r"password-protected: the workbook is encrypted; remove the password in Excel "
                r"\(File > Info > Protect Workbook\) and send it again"
            ),
            "gỡ mật khẩu trong Excel (Tệp > Thông tin > Bảo vệ sổ làm việc) rồi gửi lại",
        ),
    ),
    "WB024": (
        (
            _p(
                rf"too many rows: more than {_n('rows')} rows \(at sheet part (.+)\); a "
                r"district workbook holds one row a household"
            ),
            r"hơn \1 dòng (tính đến phần \2); danh sách chỉ ghi mỗi hộ một dòng",
        ),
    ),
    "WB025": (
        (
            _p(
                rf"a cell's text is longer than Excel's limit of {_n('limit')} characters "
                r"\(part (.+)\)"
            ),
            r"có ô dài hơn giới hạn \1 ký tự của Excel (phần \2)",
        ),
        (
            _p(
                rf"sheet '(.*)', row (\d+): a cell holds {_n('chars')} characters "
                rf"\(Excel's limit is {_n('limit')}\)"
            ),
            r"trang tính '\1', dòng \2: có ô dài \3 ký tự (Excel chỉ cho tối đa \4 ký tự)",
        ),
    ),
    "WB031": (
        (
            _p(
                r"sheet '(.*)': cell ([A-Z]+\d+) holds '(.*)', far outside the rest of the sheet "
                rf"\((.*?)\): a sheet may hold at most {_n('rows')} rows, {_n('columns')} "
                rf"columns and {_n('cells')} cells; delete that cell \(or the rows and columns "
                r"around it\) and send the workbook again"
            ),
            r"trang tính '\1': ô \2 có giá trị '\3', nằm rất xa phần còn lại của trang tính "
            r"(\4): một trang tính chỉ được có tối đa \5 dòng, \6 cột và \7 ô; xoá ô đó (hoặc "
            r"các dòng, cột quanh nó) rồi gửi lại tệp",
        ),
    ),
}
# Bilingual words inside details (schemas/duplicates.py): the Vietnamese half is kept.
_BILINGUAL = (("cũng ở/also at ", "cũng ở "), (" dòng/row ", " dòng "))
# A detail may quote other findings whole (WB017 names the faults that refused the workbook):
# each quoted rule is said in Vietnamese only. Longest first, so no message is cut by a
# shorter one it contains.
_MESSAGES = {rule.message: rule.vi for rule in RULES.values()}
_QUOTED = re.compile("|".join(re.escape(m) for m in sorted(_MESSAGES, key=len, reverse=True)))


@lru_cache(maxsize=1 << 14)
def message_vi(code: str, rule: str | None = None) -> str:
    """A finding's message in Vietnamese: its rule's Vietnamese text, then its detail (said in
    Vietnamese where the pipeline wrote it in English). `rule` is the finding's `rule` column;
    without it, the rule's text alone."""
    known = RULES[code]
    if not isinstance(rule, str) or not rule:
        return known.vi
    prefix = known.message + ": "
    if rule == known.message:
        return known.vi
    if not rule.startswith(prefix):  # not built by `findings`: said as well as it can be
        return _quoted_vi(rule)
    return f"{known.vi}: {detail_vi(code, rule.removeprefix(prefix))}"


def detail_vi(code: str, detail: str) -> str:
    """A finding's detail in Vietnamese (see the module's docstring)."""
    for pattern, vietnamese in _DETAIL_VI.get(code, ()):
        found = pattern.fullmatch(detail)
        if found:
            detail = _expand(found, vietnamese)
            break
    for both, vietnamese in _BILINGUAL:
        detail = detail.replace(both, vietnamese)
    return _quoted_vi(detail)


def said_vi_en(code: str, detail: str) -> str:
    """A workbook refused or unreadable as `census check` and `census run` say it: the rule and
    its detail in Vietnamese for the officer first, then in English for scripts and analysts.
    `detail` is the reason without the file's name (the caller names the file)."""
    rule = RULES[code]
    return f"{code} {rule.vi}: {detail_vi(code, detail)} / {rule.en}: {detail}"


def _expand(found: re.Match[str], vietnamese: str) -> str:
    """`vietnamese` with its group references (\\1, \\2...) filled from the English detail; a
    number group (`_n`) gets Vietnamese thousands dots."""
    numbers = {i for name, i in found.re.groupindex.items() if name.startswith("n_")}

    def group(ref: re.Match[str]) -> str:
        i = int(ref.group(1))
        text = found.group(i) or ""
        return text.replace(",", ".") if i in numbers else text

    return re.sub(r"\\(\d+)", group, vietnamese)


def _quoted_vi(text: str) -> str:
    return _QUOTED.sub(lambda m: _MESSAGES[m.group(0)], text)
