"""The header vocabulary: which workbook labels mean which column key.

Labels are matched after `fold()`: case, spacing, punctuation, Unicode form and diacritics are
ignored, so `Mã hộ`, `MA HO` and `Ma  ho` all name `household_id` (workbook-layout.md, variant 4).
Indicator labels come from the standards table in config/, so a new period's indicators are
recognised without touching this file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache

import config
from transforms.text import fold

# key -> accepted labels (the first is the canonical Vietnamese header of workbook-layout.md).
BASE_LABELS: dict[str, tuple[str, ...]] = {
    "household_id": (
        "Mã hộ",
        "Mã số hộ",
        "Mã hộ gia đình",
        "Mã HGĐ",
        "Mã số hộ gia đình",
        "Mã hộ GĐ",
        "Mã số HGĐ",
        "Mã hộ nghèo",  # the code of a poor households' list, the only code it carries
        "Mã số",  # a household list's one code column
    ),
    "head_name": (
        "Họ và tên chủ hộ",
        "Họ tên chủ hộ",
        "Tên chủ hộ",
        "Chủ hộ",
        "Họ và tên chủ hộ gia đình",
        "Họ tên chủ hộ gia đình",
        "Họ tên CH",
        "Họ và tên CH",
        # A household list's name column, headed as on a members sheet (whose own header
        # still reads as one: `_other_sheet` weighs both).
        "Họ và tên",
        "Họ tên",
    ),
    # The card is the "thẻ căn cước", its number the "số định danh cá nhân", since the Law on
    # Identification 2023 (Luật Căn cước, in force 1 July 2024); older workbooks say CCCD, CMND.
    "head_id_number": (
        "Số CCCD chủ hộ",
        "Số CCCD",
        "Số CMND/CCCD chủ hộ",
        "Số CMND/CCCD",
        "Số CMND chủ hộ",
        "Số định danh cá nhân",
        "Số định danh cá nhân chủ hộ",
        "Số định danh",
        "Số căn cước",
        "Số căn cước chủ hộ",
        "Số thẻ căn cước",
        "CCCD",
        "CCCD/CMND",
        "CMND/CCCD",
        "Số CMND",
    ),
    "district": ("Huyện", "Huyện/thị xã/thành phố"),
    "commune": (
        "Xã",
        "Xã/Phường",
        "Xã, phường",
        "Xã/phường/thị trấn",
        "Xã, phường, thị trấn",
        "Xã/Thị trấn",
        "Xã, thị trấn",
        "Phường",
        "Đơn vị hành chính cấp xã",
    ),
    "village": (
        "Thôn, bản",
        "Thôn/bản",
        "Bản",
        "Thôn",
        "Tổ dân phố",
        "Thôn, bản, tổ dân phố",
        "Bản, tổ dân phố",
        "Thôn, tổ dân phố",
        "Thôn/bản/TDP",
        "Thôn, bản, TDP",
        "Thôn/bản/tổ dân phố",
        "Thôn/bản/tổ DP",
        "Thôn, bản, tổ DP",
        "Tên thôn, bản",
        "Tên thôn",
        "Tên bản",
    ),
    "area": ("Khu vực", "Thành thị/Nông thôn", "Nông thôn/Thành thị"),
    "ethnicity": (
        "Dân tộc",
        "Dân tộc chủ hộ",
        "Dân tộc của chủ hộ",
        "Thành phần dân tộc",
        "Thành phần dân tộc chủ hộ",
    ),
    "household_size": (
        "Số nhân khẩu",
        "Số khẩu",
        "Nhân khẩu",
        "Tổng số nhân khẩu",
        "Số NK",
        "Tổng số NK",
        "Số nhân khẩu trong hộ",
        "Số người trong hộ",
        "Số thành viên trong hộ",
        "Số người",
    ),
    "income_per_capita": (
        "Thu nhập bình quân đầu người/tháng (đồng)",
        "Thu nhập bình quân đầu người/tháng",
        "Thu nhập bình quân đầu người",
        "Thu nhập BQ đầu người/tháng",
        "Thu nhập BQ đầu người",
        "Thu nhập bình quân/người/tháng",
        "TNBQ đầu người/tháng",
        "TNBQ đầu người",
        "Thu nhập BQ/người/tháng",
        "Thu nhập bình quân người/tháng",
        "Thu nhập bình quân 1 người/tháng",
        "Thu nhập bình quân một người/tháng",
        "Mức thu nhập bình quân đầu người/tháng",
        "Mức thu nhập BQ/người/tháng",
        "TN BQ/người/tháng",
        "TNBQ/người/tháng",
        "TN bình quân đầu người/tháng",
        # A year's income per person: its unit (`income_unit`) divides it by 12.
        "Thu nhập bình quân đầu người/năm",
        "Thu nhập BQ đầu người/năm",
        "TNBQ đầu người/năm",
        # Under a group "Thu nhập (đồng)" beside the household's total.
        "Bình quân đầu người/tháng",
        "Bình quân/người/tháng",
        "BQ đầu người/tháng",
        "BQ/người/tháng",
        "Bình quân đầu người",
        "Thu nhập bình quân",
        "Thu nhập BQ",
        "TNBQ",
        "Thu nhập",
    ),
    "income_score": ("Điểm B1", "Điểm A", "Tổng điểm B1", "Tổng điểm A"),
    "deprivation_score": ("Điểm B2", "Điểm B", "Tổng điểm B2", "Tổng điểm B"),
    "meritorious": (
        "Hộ có người có công",
        "Người có công",
        "Có người có công",
        "Hộ có người có công với cách mạng",
        "Hộ có thành viên là người có công",
        "Người có công với CM",
        "Người có công với cách mạng",
        "Hộ có người có công với CM",
    ),
    "no_working_capacity": (
        "Hộ không có khả năng lao động",
        "Không có khả năng lao động",
        "Hộ không có lao động",
        "Hộ không có người có khả năng lao động",
        "Không có người có khả năng lao động",
    ),
    "poverty_cause": (
        "Nguyên nhân nghèo",
        "Nguyên nhân nghèo chủ yếu",
        "Nguyên nhân nghèo, cận nghèo",
        "Nguyên nhân nghèo/cận nghèo",
        "Nguyên nhân",
        "Lý do nghèo",
        "Lý do nghèo, cận nghèo",
    ),
    "head_sex": ("Giới tính chủ hộ", "Giới tính", "Giới tính của chủ hộ", "Nam/Nữ", "Giới tính CH"),
    "social_protection": (
        "Hộ bảo trợ xã hội",
        "Bảo trợ xã hội",
        "Hộ thuộc diện bảo trợ xã hội",
        "Hộ BTXH",
        "BTXH",
        "Hộ thuộc đối tượng BTXH",
        "Hộ thuộc đối tượng bảo trợ xã hội",
        "Đối tượng bảo trợ xã hội",
    ),
    "commune_classification": (
        "Phân loại của xã",
        "Xã phân loại",
        "Kết quả phân loại của xã",
        "Phân loại hộ",
        "Kết quả phân loại",
        "Kết quả phân loại hộ",
        "Kết quả rà soát",
        "Phân loại",
    ),
    "note": ("Ghi chú",),
}

# The columns that lead the canonical layout, before the indicator group (workbook-layout.md).
LEADING_KEYS: tuple[str, ...] = (
    "household_id",
    "head_name",
    "head_id_number",
    "district",
    "commune",
    "village",
    "area",
    "ethnicity",
    "household_size",
    "income_per_capita",
)

# The columns that close the canonical layout, after the indicators and the two scores.
TAIL_KEYS: tuple[str, ...] = (
    "meritorious",
    "no_working_capacity",
    "poverty_cause",
    "head_sex",
    "social_protection",
    "commune_classification",
    "note",
)
# Optional columns a form counts: where a workbook does not carry one, its households' value
# is unknown (null), and the form says "không thu thập" (not collected), never "no".
OPTIONAL_KEYS: tuple[str, ...] = (
    "meritorious",
    "no_working_capacity",
    "poverty_cause",
    "head_sex",
    "social_protection",
)

# Optional columns whose value no count or status needs as written: the commune's own class
# (only compared, HH018), the cause (form 10, HH019) and the note. A value outside their lists
# is a warning, and so is a formula error in them (HW007, not HH041): their household loads.
ADVISORY_KEYS: tuple[str, ...] = ("commune_classification", "poverty_cause", "note")

# Personal data: kept in the warehouse's `private` schema only.
PERSONAL_KEYS: tuple[str, ...] = ("head_name", "head_id_number", "note")

# Income headers that declare thousand or million đồng (variant 5: `(nghìn đồng)`, `(1000đ)`,
# `(1.000 VNĐ)`, `(triệu đồng)`): the values are scaled to đồng. Matched on the folded label.
_MILLION_DONG = re.compile(r"\btrieu\b|\b1[ .,]?000[ .,]?000 ?(?:d|vnd)")
_THOUSAND_DONG = re.compile(r"\bnghin\b|\bngan dong\b|\bngd\b|\b1[ .,]?000 ?(?:d|vnd)")
# "(đồng/năm)", "một năm"; not "năm 2026", nor "đồng Việt Nam"
_PER_YEAR = re.compile(r"(?<!viet )\bnam\b(?!\s*\d)")


def canonical_keys(standard: config.Standard) -> list[str]:
    """Every column key of the canonical layout for a standard, in the table's order."""
    return [
        *LEADING_KEYS,
        *standard.indicator_keys,
        "income_score",
        "deprivation_score",
        *TAIL_KEYS,
    ]


def vietnamese_label(
    key: str, standard: config.Standard | None = None, written: Mapping[str, str] | None = None
) -> str:
    """The Vietnamese header of a column key, for everything an officer reads that names a
    column: as the officer's file wrote it when known (`written`: key -> label, e.g. a sheet
    layout's columns), else the canonical label (the scores as the standard names them,
    `Điểm B1` up to 2020, `Điểm A` from 2021; an indicator by its `name_vi`, the standard's
    own first). An unknown column (`extra:<label>`) is its label; the key itself only for a
    key no table knows (never for a column of the layout)."""
    if written and written.get(key):
        return written[key]
    if key.startswith("extra:"):
        return key.removeprefix("extra:")
    if standard is not None and key in ("income_score", "deprivation_score"):
        return getattr(standard, f"{key}_label")
    if key in BASE_LABELS:
        return BASE_LABELS[key][0]
    if key in MEMBER_LABELS:  # a finding on the members sheet (HW003)
        return MEMBER_LABELS[key][0]
    return _indicator_labels(standard.period if standard is not None else None).get(key, key)


@cache
def _indicator_labels(period: str | None) -> dict[str, str]:
    """Indicator key -> its Vietnamese name: the period's own, then every other period's (a
    sheet may carry another standard's columns, WB013). Keyed by period: a Standard holds
    dicts, so it cannot be a cache key."""
    standards = config.standards()
    ordered = [s for s in standards if s.period == period] + list(standards)
    labels: dict[str, str] = {}
    for s in ordered:
        for ind in s.indicators:
            labels.setdefault(ind.key, ind.name_vi)
    return labels


# A header's leading number or letter, as the official forms number the indicators: "1. Việc
# làm", "(2) Dinh dưỡng", "a) Bảo hiểm y tế", "Chỉ số 3: ...".
_ENUMERATOR = re.compile(
    r"^\s*(?:chỉ số\s*)?(?:\(\s*\d{1,2}\s*\)|\d{1,2}\s*[.):\-]|[a-zđ]\s*[.)])\s*(?:[:\-]\s*)?",
    re.IGNORECASE,
)


# The year a header names, folded: "Thu nhập BQ năm 2025", "Số nhân khẩu (2026)".
_NAMED_YEAR = re.compile(r"\bnam ((?:19|20)\d{2})\b|\b((?:19|20)\d{2})$")
_TRAILING_YEAR = re.compile(r"\s*(?:\bnam )?\b(?:19|20)\d{2}$")
# An indicator's column headed by the deprivation: "Thiếu hụt việc làm", "Thiếu hụt về BHYT".
_DEPRIVED_IN = re.compile(r"^thieu hut (?:ve )?(?=\S)")


def fold_label(text: object) -> str:
    """Like `fold`, with a unit suffix in brackets dropped (`Thu nhập ... (nghìn đồng)`), a
    leading number (`1. Việc làm`) or "Thiếu hụt" (`Thiếu hụt việc làm`), and a trailing year
    (`Số nhân khẩu năm 2026`: `label_year` tells which review's column it is)."""
    folded = fold(_ENUMERATOR.sub("", re.sub(r"\([^)]*\)\s*$", "", str(text))))
    return _DEPRIVED_IN.sub("", _TRAILING_YEAR.sub("", folded))


def label_year(label: object) -> int | None:
    """The year a header cell names ("Thu nhập BQ đầu người/tháng năm 2025", "(đồng, năm
    2026)"), if any."""
    found = _NAMED_YEAR.search(fold(label))
    return int(found.group(1) or found.group(2)) if found else None


@cache
def label_index() -> dict[str, str]:
    """Folded label -> key, for the base columns and every indicator of every standard."""
    index: dict[str, str] = {}
    for key, labels in BASE_LABELS.items():
        for label in labels:
            index[fold_label(label)] = key
    for standard in config.standards():
        for ind in standard.indicators:
            index.setdefault(fold_label(ind.name_vi), ind.key)
            index.setdefault(fold_label(ind.name_en), ind.key)
    for key, labels in INDICATOR_SHORT_LABELS.items():
        for label in labels:
            index.setdefault(fold_label(label), key)
    return index


# Short headers of the indicator columns met in real workbooks. Each names one key in every
# standard; left out: a name two standards give different keys ("Tiếp cận thông tin": one
# standard's column would read as the other's, WB013) and a dimension's name that heads a
# group of columns ("Nhà ở" above housing quality and living area).
INDICATOR_SHORT_LABELS: dict[str, tuple[str, ...]] = {
    "dependants": ("Người phụ thuộc", "Người phụ thuộc trong hộ", "Tỷ lệ người phụ thuộc"),
    "health_insurance": ("BHYT", "Thẻ BHYT"),
    "health_access": ("Tiếp cận dịch vụ y tế", "Tiếp cận y tế"),
    "adult_education": ("Giáo dục người lớn", "Trình độ giáo dục người lớn"),
    "child_school_attendance": ("Trẻ em đi học", "Tình trạng đi học", "Đi học của trẻ em"),
    "housing_quality": ("Chất lượng nhà",),
    "living_area": ("Diện tích nhà ở", "Diện tích nhà ở bình quân", "Diện tích bình quân"),
    "drinking_water": ("Nguồn nước", "Nước sạch", "Nước sinh hoạt", "Nước hợp vệ sinh"),
    "latrine": ("Nhà tiêu hợp vệ sinh", "Nhà tiêu", "Hố xí", "Hố xí hợp vệ sinh", "Nhà vệ sinh"),
    "telecom": ("Viễn thông", "Dịch vụ viễn thông"),
    "waste_collection": ("Rác thải", "Thu gom rác", "Thu gom rác thải", "Xử lý rác thải"),
}


@cache
def label_ranks() -> dict[str, int]:
    """Folded label -> its place in its key's list (0: the canonical label). Where two columns
    name one key, the better-ranked is that key's: "Thu nhập bình quân đầu người/tháng", not a
    household's "Thu nhập" beside it."""
    ranks: dict[str, int] = {}
    for labels in BASE_LABELS.values():
        for rank, label in enumerate(labels):
            ranks.setdefault(fold_label(label), rank)
    return ranks


def key_for_label(label: object) -> str | None:
    """The column key a header cell names, or None for an unknown column."""
    if label is None:
        return None
    return _key_for_text(str(label))


@lru_cache(maxsize=1 << 16)
def _key_for_text(text: str) -> str | None:
    # Cached: the reader looks up the same header and title cells in every commune sheet.
    return label_index().get(fold_label(text))


def income_unit(labels: Iterable[object]) -> float:
    """What one written unit of an income column is in đồng a month, as its heading cells say:
    1,000,000, 1,000 or 1 (triệu, nghìn đồng, đồng), divided by 12 where they say the amount
    is a year's (`(đồng/năm)`; not "năm 2026", and not when they also say a month)."""
    folded = " ".join(fold(label) for label in labels)
    money = (
        1_000_000 if _MILLION_DONG.search(folded) else 1_000 if _THOUSAND_DONG.search(folded) else 1
    )
    yearly = _PER_YEAR.search(folded) and not re.search(r"\bthang\b", folded)
    return money / 12 if yearly else money


_MONEY_WORD = re.compile(r"\bdong\b|\bvnd\b|\bd\b")  # đồng, VNĐ, đ: folded


def names_money_unit(labels: Iterable[object]) -> bool:
    """Whether heading cells name the income's unit at all ("(đồng)", "VNĐ", "nghìn đồng"):
    then a unit line above the table ("ĐVT: ...") is not the column's."""
    folded = " ".join(fold(label) for label in labels)
    return bool(_MONEY_WORD.search(folded) or income_unit([folded]) != 1)


def income_scaling(unit: float) -> str:
    """WB007's detail for an income column's unit (`income_unit`), 1 excepted."""
    if float(unit).is_integer():  # a month's amount in thousand or million đồng
        return f"income scaled x{int(unit)}"
    money = round(unit * 12)
    return "income per year, divided by 12" + (f", scaled x{money}" if money != 1 else "")


# The other sheets a workbook may carry (workbook-layout.md, "Other sheets a workbook may
# carry"): recognised by their header labels, never read as households.
RESIDENT_TOTALS_LABELS: dict[str, tuple[str, ...]] = {
    "commune": BASE_LABELS["commune"] + ("Tên xã", "Đơn vị", "Tên đơn vị"),
    "households": (
        "Tổng số hộ dân cư",
        "Tổng số hộ",
        "Số hộ dân cư",
        "Tổng số hộ dân cư trên địa bàn",
    ),
    "ethnic_minority_households": (
        "Trong đó: hộ dân tộc thiểu số",
        "Trong đó hộ dân tộc thiểu số",
        "Hộ dân tộc thiểu số",
        "Số hộ dân tộc thiểu số",
        "Trong đó: hộ DTTS",
        "Hộ DTTS",
    ),
}

MEMBER_LABELS: dict[str, tuple[str, ...]] = {
    "household_id": BASE_LABELS["household_id"],
    "member_name": ("Họ và tên", "Họ tên", "Họ và tên thành viên", "Tên thành viên"),
    "ethnicity": ("Dân tộc",),
    "relation": ("Quan hệ với chủ hộ", "Quan hệ với chủ hộ gia đình", "Quan hệ", "QH với chủ hộ"),
    "birth_year": ("Năm sinh", "Ngày sinh", "Ngày, tháng, năm sinh", "Ngày tháng năm sinh"),
    "sex": ("Giới tính", "Nam/Nữ"),
}
# Labels only a members sheet has: a sheet is one when its header names the household id and
# at least two of these (a household sheet may carry one, e.g. the head's birth year).
MEMBER_ONLY_KEYS: tuple[str, ...] = ("member_name", "relation", "birth_year", "sex")


@cache
def _other_index(table: str) -> dict[str, str]:
    labels = RESIDENT_TOTALS_LABELS if table == "resident_totals" else MEMBER_LABELS
    return {fold_label(label): key for key, names in labels.items() for label in names}


@lru_cache(maxsize=1 << 14)
def resident_totals_key(label: object) -> str | None:
    """The resident totals sheet's column a header cell names, or None."""
    return None if label is None else _other_index("resident_totals").get(fold_label(label))


@lru_cache(maxsize=1 << 14)
def member_key(label: object) -> str | None:
    """The members sheet's column a header cell names, or None."""
    return None if label is None else _other_index("members").get(fold_label(label))
