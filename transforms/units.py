"""Unit names as written -> the province's units of the review year (pure; config in, names out).

A unit name means the unit of the review year (dien-bien.md, "Two maps"): "Mường Chà" in a
2019 workbook is the old district (or its town), in a 2025 workbook the new commune made of
old Nậm Pồ communes. Names are matched after folding (case, spacing, diacritics), without a
leading unit type ("Xã", "Phường", "Thị trấn", "Huyện", "TP", ...), through the province's
spelling variants (aliases.csv); on a map without districts, an older commune's name that
names no unit of the year stands for the unit it became (units.csv `current_unit`).
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import pandas as pd

import config
from transforms.normalise import unannotated
from transforms.text import fold

# Unit types written before a name, folded.
_TYPE_PREFIX = re.compile(
    r"^(xa|x|phuong|p|thi tran|tt|huyen|h|thanh pho|tp|thi xa|tx|q|quan)\s+(?=\S)"
)
# Joins a canonical district name (never holds it) and a commune's text into one key.
_PAIR = "\x1f"


def unit_keys(text: object) -> tuple[str, ...]:
    """What a written unit name may be, folded: as written, then without the unit type before
    it (`Xã Sín Thầu` -> `xa sin thau`, `sin thau`). The name itself may start like a type
    (Xa Dung, Xá Nhè, Xá Tổng), so the text as written is tried first: `Xã Xa Dung` is Xa
    Dung, and `Dung` names no unit."""
    folded = fold(unannotated(str(text)))  # "Xã Chà Tở (mới)": the commune since the reform
    bare = _TYPE_PREFIX.sub("", folded)
    return (folded,) if bare == folded else (folded, bare)


def same_unit(name: str, text: object) -> bool:
    """Whether `text` writes the unit `name` (config's name, without its type)."""
    return fold(name) in unit_keys(text)


def _first(lookup: dict, text: object, district: str | None = None) -> str | None:
    """The unit `lookup` holds for the first of `text`'s keys it knows."""
    return next((lookup[(district, k)] for k in unit_keys(text) if (district, k) in lookup), None)


def _spellings(province: config.Province, name: str) -> set[str]:
    """Every folded spelling of a unit's name: its own and its aliases' (names are written
    in config without their unit type)."""
    a = province.aliases
    same = set(a.loc[a["name"] == name, "alias"]) | set(a.loc[a["alias"] == name, "name"])
    return {fold(n) for n in {name, *same}}


@cache
def _district_lookup(province: config.Province, year: int) -> dict[tuple[None, str], str]:
    """(None, folded name) -> canonical district of the year's map (keyed as communes are)."""
    districts = province.map(year).districts["district"]
    return {(None, key): d for d in districts for key in _spellings(province, d)}


@cache
def _commune_lookup(province: config.Province, year: int) -> dict[tuple[str | None, str], str]:
    """(district or None, folded name) -> canonical commune of the year's map."""
    communes = province.map(year).communes
    lookup: dict[tuple[str | None, str], str] = {}
    for d, c in zip(communes["district"], communes["commune"], strict=True):
        for key in _spellings(province, c):
            lookup[(d, key)] = c
    if not province.map(year).has_districts:
        lookup |= _older_names(province, year, lookup)
    return lookup


def _older_names(
    province: config.Province, year: int, current: dict[tuple[str | None, str], str]
) -> dict[tuple[str | None, str], str]:
    """Older communes' names that name no unit of the year, each -> the unit it became;
    a name two older communes shared (Nà Tòng, Na Tông fold alike) stands for neither."""
    u = province.units
    old = u[
        (u["level"] == "commune") & (u["current_unit"] != "") & (u["name"] != u["current_unit"])
    ]
    became: dict[str, set[str]] = {}
    for name, unit in zip(old["name"], old["current_unit"], strict=True):
        for key in _spellings(province, name):
            became.setdefault(key, set()).add(unit)
    return {
        (None, key): next(iter(units))
        for key, units in became.items()
        if len(units) == 1 and (None, key) not in current
    }


def _per_distinct(text: pd.Series, fn) -> pd.Series:
    codes, distinct = pd.factorize(text)
    values = np.array([*map(fn, distinct), None], dtype=object)
    return pd.Series(values[codes], index=text.index, dtype="str")


def canonical_district(text: pd.Series, province: config.Province, year: int) -> pd.Series:
    """Each cell's district of the year's map, or missing (none from 2025: no districts)."""
    lookup = _district_lookup(province, year)
    return _per_distinct(text, lambda v: _first(lookup, v))


def canonical_commune(
    district: pd.Series | None, commune: pd.Series, province: config.Province, year: int
) -> pd.Series:
    """Each cell's commune of the year's map: on a map with districts, a commune of the
    row's district (missing when the district is); from 2025, a unit of the province."""
    lookup = _commune_lookup(province, year)
    if not province.map(year).has_districts:
        return _per_distinct(commune, lambda v: _first(lookup, v))

    def name(pair: str) -> str | None:
        d, c = pair.split(_PAIR, 1)
        return _first(lookup, c, d)

    return _per_distinct(district.str.cat(commune, sep=_PAIR), name)


def reporting_units(province: config.Province, year: int) -> list[str]:
    """The units that report in the review of `year`: districts up to 2024, communes after."""
    m = province.map(year)
    return list(m.districts["district"] if m.has_districts else m.communes["commune"])


def reporting_unit_named(text: str, province: config.Province, year: int) -> str | None:
    """The reporting unit of the year (a district up to 2024, a commune from 2025) that a
    name given on the command line means, or None."""
    m = province.map(year)
    lookup = (
        _district_lookup(province, year) if m.has_districts else _commune_lookup(province, year)
    )
    return _first(lookup, text)


def unit_named_in(text: str, province: config.Province, year: int) -> str | None:
    """The reporting unit a free text (a file name) names, or None. The longest match wins,
    so `dien-bien-phu.xlsx` names Điện Biên Phủ, not Điện Biên."""
    folded = f" {fold(text)} "
    named = [n for n in reporting_units(province, year) if f" {fold(n)} " in folded]
    return max(named, key=lambda n: len(fold(n))) if named else None
