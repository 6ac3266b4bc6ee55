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
    "HH042": ((_p(r"(.*)"), r"ô \1"),),
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
            detail = found.expand(vietnamese)
            break
    for both, vietnamese in _BILINGUAL:
        detail = detail.replace(both, vietnamese)
    return _quoted_vi(detail)


def _quoted_vi(text: str) -> str:
    return _QUOTED.sub(lambda m: _MESSAGES[m.group(0)], text)
