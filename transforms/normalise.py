"""Parse workbook text into typed values, vectorised; unparseable text becomes missing.

The validation schemas call the same parsers, so a value is rejected exactly when it cannot be
parsed here (schemas/household.py); nothing is silently altered.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache

import numpy as np
import pandas as pd

import config
from transforms.text import fold

# Booleans (workbook-layout.md, indicator and flag columns; variant 7).
# Matched after `fold`, or as typed where folding leaves nothing (a tick mark, a dash).
# "×" is the x an autocorrect or a symbol font leaves; "ko" the usual short "không"; a bullet
# ("•", "●") is a mark as a tick is; "ü" (folded "u") is Wingdings' tick, read without its font.
# "C" and "K" are có and không, as paper forms abbreviate them. Still refused as ambiguous: "2"
# (the statistics office codes không as 2, but a 2 is also a count), "o" (a zero or a circle)
# and "xx".
TRUE_WORDS = frozenset(
    {"x", "×", "1", "co", "c", "true", "yes", "v", "√", "✓", "✔", "☑", "+", "•", "●", "u"}
)
FALSE_WORDS = frozenset({"0", "khong", "ko", "k", "false", "no", "-", "–", "—"})

# Khu vực (workbook-layout.md): nông thôn or thành thị, also written as đô thị (the other word
# for urban), abbreviated (NT, TT, N.thôn, T.thị) or after the heading ("Khu vực nông thôn",
# "KV thành thị": AREA_HEADING); or as the kind of unit the household lives in: wards and
# towns (phường, thị trấn) are urban units, communes (xã) rural ones, as the statistics office
# classes the areas (an officer writing "Xã" for a household of a ward is not caught here).
AREA_WORDS = {
    "nong thon": "rural",
    "thanh thi": "urban",
    "do thi": "urban",
    "nt": "rural",
    "tt": "urban",
    "n thon": "rural",
    "t thi": "urban",
    "xa": "rural",
    "phuong": "urban",
    "thi tran": "urban",
}
AREA_HEADING = re.compile(r"^(?:khu vuc|kv) ")
CLASSIFICATION_WORDS = {
    "ho ngheo": "poor",
    "ngheo": "poor",
    "ho can ngheo": "near_poor",
    "can ngheo": "near_poor",
    "ho co muc song trung binh": "average",
    "muc song trung binh": "average",
    "ho trung binh": "average",
    "trung binh": "average",
    "muc song tb": "average",
    "ho muc song tb": "average",
    "ho tb": "average",
    "mstb": "average",
    "ho mstb": "average",
    "hn": "poor",  # the forms' abbreviations
    "hcn": "near_poor",
    "ho khong ngheo": "not_poor",
    "khong ngheo": "not_poor",
}


def _per_distinct(text: pd.Series, fn, blank: object = None) -> np.ndarray:
    """`fn` of every cell as an object array, computed once per distinct value (columns repeat
    a lot); a blank cell gets `blank`."""
    codes, distinct = pd.factorize(text)
    values = np.array([*map(fn, distinct), blank], dtype=object)
    return values[codes]  # code -1 (blank) takes the last value


def _lookup(text: pd.Series, find: Callable[[str], str | None]) -> pd.Series:
    """`find` of each cell's folded text (e.g. a dict's `get`), without a note in brackets
    after the value; missing where it finds none."""
    values = _per_distinct(text, lambda v: find(fold(unannotated(v))))
    return pd.Series(values, index=text.index, dtype="str")


# A note in brackets after a value: "x (mới)", "4 (mới tách)", "647.000 (ước)", "Nữ (góa)".
_NOTE = re.compile(r"\s*[(\[][^()\[\]]*[)\]]\s*$")


def unannotated(value: str) -> str:
    """The value without a note in brackets after it (the cell as typed stays in the raw
    layer); a cell all in brackets is kept whole."""
    return _NOTE.sub("", value) or value


def parse_number(text: pd.Series) -> pd.Series:
    """`850000`, `850000.0`, `1.200.000`, `1,200,000`, `1 200 000`, `850,5` -> float; else NaN.

    Groups of exactly three digits after one kind of separator are thousands (Vietnamese
    writes `1.200.000`); any other single `.` or `,` is the decimal mark.
    """
    # Each distinct text is parsed once (sizes, scores and incomes repeat a lot); a column
    # with none (a blank column, an empty sheet) skips the dozen string operations' fixed cost
    # (parse_number on the sample province's empty totals and members sheets: 0.12 -> 0.01 s).
    codes, distinct = pd.factorize(text)
    values = _parse_numbers(pd.Series(distinct)).to_numpy() if len(distinct) else np.empty(0)
    out = np.full(len(text), np.nan)
    found = codes >= 0
    out[found] = values[codes[found]]
    return pd.Series(out, index=text.index, name=text.name)


# The currency (đ, đồng, VNĐ, the sign ₫ of Excel's Vietnamese currency format; typed
# without a Vietnamese keyboard: d, dong, VND) before or after an amount, and "a person a
# month" after it (`đ/tháng`, `đồng/người/tháng`, `đ/khẩu/tháng`): the column's own unit,
# said again in the cell, so dropping it alters nothing.
_CURRENCY = re.compile(
    r"^\s*(?:vn[dđ]|đồng|dong|đ|₫)\.?\s*"
    r"|\s*(?:vn[dđ]|đồng|dong|đ|d|₫)?\.?\s*(?:/\s*(?:người|nguoi|ng|khẩu|khau)\.?\s*)?"
    r"(?:/\s*(?:tháng|thang|th)\.?)?\s*$",
    re.IGNORECASE,
)
# A count with its noun (`5 người`, `4 khẩu`, `6 nhân khẩu`, `4 người/hộ`; `4 nguoi` typed
# without marks).
_PEOPLE = re.compile(
    r"\s*(?:người|nguoi|ng|nhân khẩu|nhan khau|khẩu|khau|nk)\.?\s*(?:/\s*(?:hộ|ho)\.?\s*)?$",
    re.IGNORECASE,
)


# An amount said in millions or thousands in the cell itself (`1,2 triệu`, `1.5 tr`, `850
# nghìn`, `850 ngàn`, `850k`), after its currency is dropped: the word and what it multiplies.
_MULTIPLIER = re.compile(r"(?<=\d)\s*(triệu|trieu|tr|nghìn|nghin|ngàn|ngan|k)\.?$", re.IGNORECASE)
_MULTIPLES = {"triệu": 1e6, "trieu": 1e6, "tr": 1e6, "nghìn": 1e3, "nghin": 1e3, "ngàn": 1e3}
_MULTIPLES |= {"ngan": 1e3, "k": 1e3}


def parse_money(text: pd.Series) -> pd.Series:
    """An amount as written: `parse_number` of the text without its currency (`1.200.000đ`,
    `1.200.000 đồng`, `850.000 VNĐ`, `850.000 đ/tháng` -> 1200000.0, 850000.0) and without
    the multiple it says (`1,2 triệu` -> 1.2: `money_multiple` gives the 1,000,000). An
    amount in millions with one separator has a decimal mark (`17,726 triệu`, `1.25 tr`):
    the millions of a month's income per person are few, never thousands."""
    number, multiple = _money_words(text)
    amount = parse_number(number)
    decimal = (multiple == 1e6) & number.str.fullmatch(r"\d+[.,]\d+").fillna(False)
    if decimal.any():
        amount[decimal] = pd.to_numeric(number[decimal].str.replace(",", ".", regex=False))
    return amount


def money_multiple(text: pd.Series) -> pd.Series:
    """The multiple each cell says of its amount (1,000,000 for `1,2 triệu`, 1,000 for `850
    nghìn`), missing where it says none (then its column's unit applies)."""
    return _money_words(text)[1]


def _money_words(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Each cell without its currency and multiple, and the multiple (missing where none).
    Only the few cells holding a letter are looked at one by one."""
    multiple = pd.Series(np.nan, index=text.index, dtype="float64")
    lettered = _lettered(text)
    if not lettered.any():
        return text, multiple
    number = text.copy()
    for at in np.flatnonzero(lettered):
        bare = _CURRENCY.sub("", unannotated(unicodedata.normalize("NFC", text.iloc[at])))
        if found := _MULTIPLIER.search(bare):
            multiple.iloc[at] = _MULTIPLES[found.group(1).lower()]
            bare = bare[: found.start()]
        number.iloc[at] = bare
    return number, multiple


def parse_count(text: pd.Series) -> pd.Series:
    """A number of people: `parse_integer` of the text without its noun (`5 người` -> 5)."""
    return parse_integer(_without(text, _PEOPLE))


def _without(text: pd.Series, words: re.Pattern[str]) -> pd.Series:
    """The cells with `words` removed. Only the few cells holding a letter are looked at one
    by one (every cell so cost the sample province 0.3 s)."""
    lettered = _lettered(text)
    if not lettered.any():
        return text
    bare = text.copy()
    bare[lettered] = [
        words.sub("", unannotated(unicodedata.normalize("NFC", v))) for v in text[lettered]
    ]
    return bare


def _lettered(text: pd.Series) -> np.ndarray:
    """Whether each cell holds more than digits, spaces and separators."""
    return text.str.contains(r"[^\d\s.,\-]", regex=True).fillna(False).to_numpy(bool)


# Characters that print as nothing (zero-width spaces and joiners, word joiner, byte-order
# mark, soft hyphen): a number or an id typed with one is the same number or id.
_INVISIBLE_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_INVISIBLE = f"[{_INVISIBLE_CHARS}]"
_SPACES = rf"[\s\u00a0{_INVISIBLE_CHARS}]"


def _parse_numbers(text: pd.Series) -> pd.Series:
    # Spaces and the invisible characters text pasted from the web or a chat carries
    # ("7659000\u200b": every income of a workbook was HH011).
    s = text.astype("str").str.strip().str.replace(_SPACES, "", regex=True)
    thousands = s.str.fullmatch(r"-?\d{1,3}(\.\d{3})+") | s.str.fullmatch(r"-?\d{1,3}(,\d{3})+")
    s = s.where(~thousands, s.str.replace(r"[.,]", "", regex=True))
    mixed = s.str.fullmatch(r"-?\d{1,3}(\.\d{3})+,\d+")  # 1.200.000,5
    s = s.where(~mixed, s.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
    mixed_en = s.str.fullmatch(r"-?\d{1,3}(,\d{3})+\.\d+")  # 1,200,000.5
    s = s.where(~mixed_en, s.str.replace(",", "", regex=False))
    decimal_comma = s.str.fullmatch(r"-?\d+,\d+")
    s = s.where(~decimal_comma, s.str.replace(",", ".", regex=False))
    valid = s.str.fullmatch(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")
    return pd.to_numeric(s.where(valid), errors="coerce").astype("float64")


def parse_integer(text: pd.Series) -> pd.Series:
    """A whole number (`3`, `3.0`) or missing; `3.5` is not a household size, and neither is
    a number too large to hold exactly (an ID number pasted into the column)."""
    n = parse_number(text)
    exact = (n == np.floor(n)) & (n.abs() <= 2**53)
    return n.where(exact).astype("Int64")


# A date of birth where the year is asked ("Ngày sinh"): 15/03/1990, 15-3-1990, 03/1990, or
# 1990-03-15 as a date cell reads (with its time).
_DATE_YEAR = re.compile(
    r"^\s*(?:(?:\d{1,2}[/.-]){1,2}(?P<dmy>\d{4})"
    r"|(?P<iso>\d{4})-\d{1,2}-\d{1,2}(?:[ T][\d:.]+)?)\s*$"
)


def parse_birth_year(text: pd.Series) -> pd.Series:
    """A birth year (`1990`, `1990.0`), or the year of a date of birth; else missing."""
    dated = text.str.extract(_DATE_YEAR)
    year = dated["dmy"].fillna(dated["iso"])
    return parse_integer(year.where(year.notna(), text))


# An indicator's cell may also say the deprivation itself: "thiếu" / "thiếu hụt" (deprived),
# "không thiếu" / "không thiếu hụt" (not).
DEPRIVED_WORDS = TRUE_WORDS | {"thieu", "thieu hut"}
NOT_DEPRIVED_WORDS = FALSE_WORDS | {"khong thieu", "khong thieu hut"}


# A note after a flag's mark and a dash or colon: "x - chưa có thẻ", "Có: 2 người".
_FLAG_NOTE = re.compile(r"(?<=\S)(?:\s*:|\s+[-–])\s+.*$", re.DOTALL)


def parse_flag(
    text: pd.Series,
    true_words: frozenset[str] = TRUE_WORDS,
    false_words: frozenset[str] = FALSE_WORDS,
) -> pd.Series:
    """x / X / 1 / có / √ -> True; 0 / blank / không / - -> False; anything else -> missing.
    A note after the mark, in brackets or after a dash ("x (mới)", "x - chưa có thẻ"), is
    not part of it."""
    codes, distinct = pd.factorize(text)
    words = [fold(_FLAG_NOTE.sub("", unannotated(v))) or v.strip() for v in distinct] + ["0"]
    true = np.array([word in true_words for word in words])
    known = true | np.array([word in false_words for word in words])
    # Built from values and mask: a boolean Series from an object array costs 3x the parse.
    flags = pd.arrays.BooleanArray(true[codes], ~known[codes])
    return pd.Series(flags, index=text.index, name=text.name)


def parse_indicator(text: pd.Series) -> pd.Series:
    """A deprivation indicator's cell: `parse_flag`, and thiếu (hụt) -> True, không thiếu
    (hụt) -> False."""
    return parse_flag(text, DEPRIVED_WORDS, NOT_DEPRIVED_WORDS)


SEX_WORDS = {"nam": "male", "nu": "female", "nam gioi": "male", "nu gioi": "female"}


def parse_sex(text: pd.Series) -> pd.Series:
    """Nam -> male, Nữ -> female; anything else missing."""
    return _lookup(text, SEX_WORDS.get)


_BECAUSE = re.compile(r"^(?:do|vi) ")
_CAUSE_ABBREVIATION = re.compile(r"\bsx\b")


def parse_cause(text: pd.Series) -> pd.Series:
    """A cause of poverty as written -> its key in config/poverty_causes.csv, or missing."""
    causes = config.poverty_causes()
    words = {fold(label): c for c, label in zip(causes["cause"], causes["label_vi"], strict=True)}
    for cause, aliases in zip(causes["cause"], causes["aliases"], strict=True):
        words.update({fold(a): cause for a in aliases.split(";") if a})
    # "Do ốm đau" (because of), "Thiếu vốn SX" (sản xuất)
    return _lookup(
        text, lambda f: words.get(_CAUSE_ABBREVIATION.sub("san xuat", _BECAUSE.sub("", f)))
    )


def parse_area(text: pd.Series) -> pd.Series:
    return _lookup(text, lambda folded: AREA_WORDS.get(AREA_HEADING.sub("", folded)))


def parse_classification(text: pd.Series) -> pd.Series:
    return _lookup(text, CLASSIFICATION_WORDS.get)


def canonical_ethnicity(text: pd.Series) -> pd.Series:
    """Each cell's ethnic group (config/ethnic_groups.csv: its name or another name), or
    missing. A local group written after its group ("Thái đen", "Mông Hoa", "Dao đỏ"; the
    words "dân tộc" or "DT" before it too) is that group; the cell as typed stays in
    raw.households."""
    lookup = _ethnic_lookup()
    return _lookup(text, lambda folded: _ethnic_group(folded, lookup))


@cache
def _ethnic_lookup() -> dict[str, str]:
    groups = config.ethnic_groups()
    lookup = {fold(g): g for g in groups["ethnicity"]}
    for g, aliases in zip(groups["ethnicity"], groups["aliases"], strict=True):
        lookup.update({fold(a): g for a in aliases.split(";") if a})
    return lookup


def _ethnic_group(folded: str, lookup: dict[str, str]) -> str | None:
    """The group named by the cell's longest leading words that name one: `co ho ...` is Cơ
    Ho, not Co; `tay muoi` (a Thái group, an alias) is Thái, not Tày."""
    words = re.sub(r"^(?:dan toc|dt) ", "", folded).split()
    for n in range(len(words), 0, -1):
        found = lookup.get(" ".join(words[:n]))
        if found is not None:
            return found
    return None


def id_digits(text: pd.Series) -> pd.Series:
    """An ID number (CMND 9 digits, CCCD 12) as digits, leading zeros kept, or missing. A cell
    Excel stored as a number lost its leading zeros (`40779075`, `40779075.0`; two for a CCCD
    of the provinces coded 001-009, `1079202736`): they are restored (`lost_leading_zero`
    tells which, for the officer's warning HW002)."""
    s = _id_text(text)
    s = s.where(~_short_by_a_zero(s), "0" + s)
    s = s.where(~_short_by_two_zeros(s), "00" + s)
    return s.where(s.str.fullmatch(r"\d{9}|\d{12}"))


# An ID number cell that says the head has none ("-", "chưa có", "không có"): blank, not a
# malformed number (HH017 rejected the household; the column is optional). The raw layer
# keeps what was typed.
NO_ID_WORDS = frozenset({"", "khong", "khong co", "chua co", "chua", "ko", "chua lam", "chua cap"})


def without_no_id(text: pd.Series) -> pd.Series:
    """`text` with the cells saying "no ID number" blank (NO_ID_WORDS; punctuation alone)."""
    # Only a cell without a digit can say none: the numbers, nearly all distinct, are not
    # folded one by one (that took 0.9 s of the sample province's 4.6 s of workbook work).
    wordy = text[~text.astype("str").str.contains(r"\d", regex=True).fillna(True)]
    none = _per_distinct(wordy, lambda v: fold(v) in NO_ID_WORDS, False).astype(bool)
    return text.mask(pd.Series(none, wordy.index).reindex(text.index, fill_value=False))


_EXPONENT_FORM = r"(?i)\s*\d[.,]\d+\s*e\s*\+?\s*\d{1,2}\s*"


def id_in_exponent_form(text: pd.Series) -> pd.Series:
    """ID numbers written in Excel's exponent form ("1,10792E+11", "1.10792e+11"): a number
    cell shown in a narrow column and copied as text keeps six digits of twelve; the others
    cannot be restored."""
    return text.astype("str").str.fullmatch(_EXPONENT_FORM).fillna(False).astype(bool)


def lost_leading_zero(text: pd.Series) -> pd.Series:
    """ID numbers of 8, 10 or 11 digits not starting with 0: a 9- or 12-digit number whose
    leading zeros Excel dropped when it stored the cell as a number (CCCD numbers start with
    a province code 001-096)."""
    digits = _id_text(text)
    return _short_by_a_zero(digits) | _short_by_two_zeros(digits)


def _id_text(text: pd.Series) -> pd.Series:
    """An ID number's cell as written, stripped, without the `.0` of a number cell (one pass
    for both tests in `id_digits`: it used to strip and match the column twice), without
    the card's name before it ("CCCD: ...") and the spaces, dots or hyphens grouping its
    digits ("011 069 687 016", "011.069.687.016")."""
    s = text.astype("str").str.strip().str.replace(r"\.0$", "", regex=True)
    written = s.str.contains(r"[^\d]", regex=True).fillna(False)
    if not written.any():
        return s
    bare = s[written].str.replace(_ID_LABEL, "", regex=True)
    grouped = bare.str.fullmatch(r"\d{2,4}(?:[ .\-]\d{2,4})+").fillna(False)
    s[written] = bare.where(~grouped, bare.str.replace(r"[ .\-]", "", regex=True))
    return s


# The card named before its number: "CCCD: 011...", "Số CMND 0...", "CCCD số ...".
_ID_LABEL = r"(?i)^(?:số\s+)?(?:cccd|cmnd|căn cước|định danh)(?:\s+số)?\s*[:.]?\s*"


def _short_by_a_zero(digits: pd.Series) -> pd.Series:
    """A 9- or 12-digit number stored as a number; one that still starts with its 0 was typed
    as text a digit short: a slip to correct, not a zero to restore."""
    return digits.str.fullmatch(r"[1-9]\d{7}|[1-9]\d{10}").fillna(False).astype(bool)


def _short_by_two_zeros(digits: pd.Series) -> pd.Series:
    """A CCCD of a province coded 001-009 stored as a number; a 10-digit number written as
    text (a telephone's) starts with its 0 and is none."""
    return digits.str.fullmatch(r"[1-9]\d{9}").fillna(False).astype(bool)


# The ASCII characters Python's `\s` matches (tab to carriage return, \x1c-\x1f, space), as a
# class of the characters themselves: pandas runs this through Arrow's RE2, `\s` through
# Python's re one cell at a time (RE2's \s lacks \x0b and \x1c-\x1f).
_ASCII_SPACES = "[" + "".join(ch for ch in map(chr, range(128)) if re.fullmatch(r"\s", ch)) + "]+"


def canonical_id(text: pd.Series) -> pd.Series:
    """A household id in the one form ids are compared and stored in: Unicode NFKC (full-width
    letters and digits become ASCII), no invisible characters, a hyphen for any dash, no
    spaces, upper case; so `db-03-000123`, `DB-03-0001 23`, `DB–03–000123` and `ＤＢ-03-000123`
    are one household (year to year too). A space typed for the separator (`DB-03 000123`,
    `DB 03 000123`) is a hyphen where the column's other ids have that many hyphens."""
    s = text.astype("str")
    # An ASCII id is its own NFKC form and holds no invisible character: only its spaces go,
    # in Arrow (NFKC and `\s` are Python calls a cell: canonical_id 0.15 -> 0.03 s for the
    # sample province). Any other id takes the whole way.
    unicode = (s.notna() & ~s.str.isascii()).to_numpy(dtype=bool)
    ids = s.str.replace(_ASCII_SPACES, "", regex=True).str.upper()
    if unicode.any():
        ids[unicode] = _canonical_unicode(s[unicode]).to_numpy()
    spaced = s.str.strip().str.contains(r"\s", regex=True).fillna(False).to_numpy(dtype=bool)
    if spaced.any():
        ids[spaced] = _separated(s[spaced], ids[spaced], ids[~spaced]).to_numpy()
    return ids.replace("", None)


# Spaces between two letters or digits of an id (after `_canonical_unicode`'s steps).
_INNER_SPACE = r"([A-Za-z0-9])\s+([A-Za-z0-9])"


def _separated(typed: pd.Series, joined: pd.Series, others: pd.Series) -> pd.Series:
    """Ids typed with spaces inside: `joined` (the spaces removed), or, where that has fewer
    hyphens than most of the column's `others` and the spaces as hyphens have as many, those
    ("DB-08 011771" among "DB-04-000001"s is "DB-08-011771"; "ML-0000 02" among "ML-000001"s
    is "ML-000002"); where every id has spaces, the hyphens."""
    hyphened = _canonical_unicode(typed, keep_spaces=True)
    for _ in range(2):  # one-character groups ("A 1 2"): the matches do not overlap
        hyphened = hyphened.str.replace(_INNER_SPACE, r"\1-\2", regex=True)
    hyphened = hyphened.str.replace(r"\s+", "", regex=True)
    usual = others.dropna().str.count("-").mode()
    if usual.empty:  # every id typed with spaces ("DB 006 000001"): they are its separators
        return hyphened
    better = (hyphened.str.count("-") == usual.iloc[0]) & (joined.str.count("-") != usual.iloc[0])
    return hyphened.where(better.fillna(False), joined)


def place_name(text: pd.Series) -> pd.Series:
    """A place's name (a village) as one spelling: Unicode NFC (a name typed with combining
    marks is the same name), no invisible characters, single spaces; so "Bản  Nà Nọi", its
    decomposed form and "Bản Nà Nọi\u200b" are one village in the posting lists and marts."""
    # Each distinct name once: a list holds a few hundred villages, and NFC is a Python call
    # per non-ASCII cell (every cell took 0.18 s of the sample province's 4.3 s).
    codes, distinct = pd.factorize(text)
    names = _place_names(pd.Series(distinct, dtype="str")).to_numpy(dtype=object)
    return pd.Series(np.append(names, None)[codes], index=text.index, name=text.name, dtype="str")


def _place_names(s: pd.Series) -> pd.Series:
    plain = (s.isna() | s.str.isascii()).to_numpy(dtype=bool)  # NFC and invisible: Python calls
    if not plain.all():
        s = s.copy()
        s[~plain] = s[~plain].str.normalize("NFC").str.replace(_INVISIBLE, "", regex=True)
    return s.str.replace(r"\s+", " ", regex=True).str.strip()


# Dashes Word and Excel's autocorrect put for the hyphen (`DB–03–000123`), and the minus sign.
_DASHES = r"[\u2010-\u2015\u2212]"


def _canonical_unicode(s: pd.Series, keep_spaces: bool = False) -> pd.Series:
    """`canonical_id`'s whole way; with `keep_spaces`, the inner spaces are kept (`_separated`
    decides which are hyphens)."""
    s = s.str.normalize("NFKC").str.replace(_INVISIBLE, "", regex=True)
    s = s.str.replace(_DASHES, "-", regex=True)
    if keep_spaces:
        return s.str.strip().str.upper()
    return s.str.replace(r"\s+", "", regex=True).str.upper()
