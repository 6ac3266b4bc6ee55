"""Vietnamese presentation in one place: how numbers, labels and file names are written for the
people who read the reports, the workbooks and the run's artifacts.

The household statuses' labels are data (config/statuses.csv), shared with the reasons that
`transforms.classify` writes; the other labels here are the reports' own words.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import pandas as pd

import config
from transforms.text import fold, vn_numbers

MISSING = "–"
# The head of every official paper and the words under a signature (shared/report-forms.md,
# "The signature block and header of a provincial form").
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
SIGN_HERE = "(Ký, ghi rõ họ tên và đóng dấu)"
SIGN_NAME = "(Ký, ghi rõ họ tên)"

AREA_VI: dict[str, str] = {"rural": "Nông thôn", "urban": "Thành thị"}

# A status standing alone (a list, a heading, an axis), then the households that arrived or
# left between two census years.
STATUS_VI: dict[str, str] = {s: v.list_label_vi for s, v in config.status_labels().items()} | {
    "arrived": "Hộ mới (chuyển đến, tách hộ)",
    "left": "Hộ không còn (chuyển đi, nhập hộ)",
}

# A finding's severity (schemas/rules.py) as the officer's error workbook names it.
SEVERITY_VI: dict[str, str] = {"error": "Lỗi", "warning": "Cảnh báo", "notice": "Ghi chú"}

SCOPE_VI: dict[str, str] = {
    "province": "Toàn tỉnh",
    "poor_districts": "Các huyện nghèo",
    "district": "Huyện",
}

# The plan's targets (marts.target_gap: indicator, unit, on_track).
INDICATOR_VI: dict[str, str] = {
    "poverty_rate": "Tỷ lệ hộ nghèo",
    "poverty_rate_cut": "Mức giảm tỷ lệ hộ nghèo",
    "near_poor_rate": "Tỷ lệ hộ cận nghèo",
    "ethnic_minority_poverty_rate": "Tỷ lệ hộ nghèo DTTS",
    "relapsed_households": "Số hộ tái nghèo",
    "newly_poor_households": "Số hộ nghèo phát sinh",
}
UNIT_VI: dict[str, str] = {"percent": "%", "points": "điểm %", "households": "hộ"}
ON_TRACK_VI: dict[bool, str] = {True: "Đạt", False: "Chưa đạt"}

# Unit types as a unit's name is written (ref.communes.unit_type, ref.districts.unit_type);
# "town" is a thị trấn among communes and a thị xã among districts.
COMMUNE_TYPE_VI: dict[str, str] = {"commune": "Xã", "ward": "Phường", "town": "Thị trấn"}
DISTRICT_TYPE_VI: dict[str, str] = {"district": "Huyện", "town": "Thị xã", "city": "Thành phố"}

# The note beside a household on the posted lists (Decision 24/2021/QĐ-TTg): how it came onto
# this year's list, by its movement in marts.transitions (poverty_movement for the poor list,
# near_poverty_movement for the near-poor list). A household that stayed has no note.
LIST_NOTE_VI: dict[tuple[str, str], str] = {
    ("poor", "newly_poor"): "Hộ nghèo phát sinh mới",
    ("poor", "relapsed"): "Tái nghèo",
    ("poor", "from_near_poor"): "Từ hộ cận nghèo",
    ("poor", "other_increase"): "Chuyển đến, tách hộ",
    ("near_poor", "newly_near_poor"): "Hộ cận nghèo phát sinh mới",
    ("near_poor", "relapsed"): "Tái cận nghèo",
    ("near_poor", "from_poor"): "Từ hộ nghèo",
    ("near_poor", "other_increase"): "Chuyển đến, tách hộ",
}

# The four lists a commune posts after its review (Decision 24/2021/QĐ-TTg, art. 4), as their
# titles name them (reporting.household_lists.LISTS).
POSTED_LIST_VI: dict[str, str] = {
    "poor": STATUS_VI["poor"],
    "near_poor": STATUS_VI["near_poor"],
    "escaped_poor": "Hộ thoát nghèo",
    "escaped_near_poor": "Hộ thoát cận nghèo",
}

# Legal instruments as ref.standards names them in English ("Decree 07/2021/NĐ-CP art. 3 ...")
# -> as an officer cites them: the kind in Vietnamese, the issuer from the number's suffix.
INSTRUMENT_KIND_VI = {
    "Decree": "Nghị định",
    "Decision": "Quyết định",
    "Circular": "Thông tư",
    "Resolution": "Nghị quyết",
}
INSTRUMENT_ISSUER_VI = {
    "NĐ-CP": "của Chính phủ",
    "QĐ-TTg": "của Thủ tướng Chính phủ",
    "TT-BLĐTBXH": "của Bộ Lao động - Thương binh và Xã hội",
}
_INSTRUMENT = re.compile(
    r"\b(" + "|".join(INSTRUMENT_KIND_VI) + r")\s+(\d+/\d{4}(?:/([^\s,;()]+))?)"
)

# A blank to fill by hand on a printed form.
BLANK = "........"


def number(value: object, decimals: int = 0) -> str:
    """A number written the Vietnamese way with exactly `decimals` decimals: 127667 ->
    "127.667", 37.08 with 2 -> "37,08"; "–" when missing (`transforms.text.vn_numbers`)."""
    if value is None or pd.isna(value):
        return MISSING
    return vn_numbers([float(value)], decimals, fixed=True)[0].as_py()


def slug(name: object, default: str = "") -> str:
    """The ASCII form of a name for file names and keys: lowercase letters, digits and "-"
    only (`Điện Biên Phủ` -> `dien-bien-phu`); `default` when nothing is left."""
    return fold(name).replace(" ", "-") or default


def unit_name(name: str, unit_type: str | None, level: str = "commune") -> str:
    """A unit's name with its type, as documents write it: `Xã Sín Thầu`, `Huyện Nậm Pồ`;
    the bare name when the type is unknown."""
    types = COMMUNE_TYPE_VI if level == "commune" else DISTRICT_TYPE_VI
    kind = types.get(unit_type or "")
    return f"{kind} {name}" if kind else name


def in_sentence(label: str) -> str:
    """A label inside a sentence: its first letter in lower case (`Xã Nà Hỳ` -> `xã Nà Hỳ`)."""
    return label[:1].lower() + label[1:]


def legal_instruments(source: str) -> list[tuple[str, str, str]]:
    """The legal instruments `source` names, in order, each once: (kind in Vietnamese, number,
    issuer or "" when its number has no known suffix)."""
    found = {}
    for kind, number, suffix in _INSTRUMENT.findall(source or ""):
        issuer = INSTRUMENT_ISSUER_VI.get(suffix, "")
        found.setdefault(number, (INSTRUMENT_KIND_VI[kind], number, issuer))
    return list(found.values())


def legal_instrument(source: str) -> str:
    """The first legal instrument that `source` names, as a legal basis cites it: `Decree
    07/2021/NĐ-CP art. 3` -> `Nghị định số 07/2021/NĐ-CP của Chính phủ`; `source` itself when
    it names none."""
    found = legal_instruments(source)
    if not found:
        return source
    kind, number, issuer = found[0]
    return f"{kind} số {number} {issuer}".rstrip()


def cited(source: str, *, first: bool = False) -> str:
    """The instruments `source` names, as a text cites them in passing (`Nghị định
    07/2021/NĐ-CP, Thông tư 02/2022`); the first only with `first` (the standard itself, not
    the instruments that kept it); `source` itself when it names none."""
    found = [f"{kind} {number}" for kind, number, _ in legal_instruments(source)]
    if not found:
        return source
    return found[0] if first else ", ".join(found)


def standard_change_note(year: int, previous_year: int | None) -> str:
    """The line under a table of movements from the review of `previous_year` to the review of
    `year` when the two were under different standards (marts.transitions'
    crosses_standard_change): part of the movement is the rule's, not the households'. Empty
    when they were under one standard, or there is no earlier review to compare with."""
    try:
        previous = config.standard_for_year(previous_year).period if previous_year else None
    except LookupError:  # before the first standard in config
        return ""
    current = config.standard_for_year(year).period
    if previous is None or previous == current:
        return ""
    return (
        f"Ghi chú: năm {previous_year} rà soát theo chuẩn nghèo giai đoạn {previous}, năm {year} "
        f"theo chuẩn giai đoạn {current}; biến động giữa hai năm gồm cả các hộ chuyển nhóm do "
        "thay đổi chuẩn nghèo, không chỉ do thay đổi đời sống của hộ."
    )


def provisional_note(period: str) -> str:
    """What a page decided under a standard not yet confirmed says about it (the reasons of
    transforms.classify say the same: "chuẩn ... tạm tính, chờ xác nhận")."""
    return (
        f"Ghi chú: chuẩn nghèo giai đoạn {period} áp dụng trong lần rà soát này còn tạm tính, "
        "chờ xác nhận."
    )


def day(value: date | None) -> str:
    """A date as Vietnamese documents write it (`20/11/2026`); blanks when None."""
    return value.strftime("%d/%m/%Y") if value else "...../...../.........."


def dated_at(place: str, value: date | None = None) -> str:
    """The place-and-date line of a signature block: `Sín Thầu, ngày 20 tháng 11 năm 2026`,
    or with blanks to fill by hand."""
    if value is None:
        return f"{place}, ngày {BLANK} tháng {BLANK} năm {BLANK}"
    return f"{place}, ngày {value.day:02d} tháng {value.month:02d} năm {value.year}"


# Vietnamese alphabetical order: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y,
# then the tones (none, huyền, hỏi, ngã, sắc, nặng) decide between words that differ only there.
_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn: part of the letter
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def sort_key(text: object) -> tuple[tuple[tuple[int, ...], ...], tuple[int, ...]]:
    """A key that sorts Vietnamese names in dictionary order, word by word (`An Văn Bình` <
    `Anh` < `Ân` < `Bình` < `Dương` < `Đinh`), case-insensitive; numbers by value (`Bản 2` <
    `Bản 10`); characters outside the alphabet after it, by code."""
    words, tones = [], []
    for word in re.findall(r"\d+|[^\W\d_]+", unicodedata.normalize("NFC", str(text or "")).lower()):
        if word.isdigit():
            words.append((0, int(word)))
            continue
        letters = [1]
        for char in word:
            parts = unicodedata.normalize("NFD", char)
            tones.append(next((_TONES[m] for m in parts if m in _TONES), 0))
            base = unicodedata.normalize("NFC", "".join(m for m in parts if m not in _TONES))
            rank = _ALPHABET.find(base)
            letters.append(rank if rank >= 0 else len(_ALPHABET) + ord(base[0]))
        words.append(tuple(letters))
    return tuple(words), tuple(tones)
