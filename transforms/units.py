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
from transforms.text import fold

# Unit types written before a name, folded.
_TYPE_PREFIX = re.compile(
    r"^(xa|phuong|thi tran|tt|p|huyen|thanh pho|tp|thi xa|tx|q|quan)\s+(?=\S)"
)
# Joins a canonical district name (never holds it) and a commune's text into one key.
_PAIR = "\x1f"


def unit_key(text: object) -> str:
    """The folded name without its unit type: `Xã Sín Thầu` -> `sin thau`."""
    return _TYPE_PREFIX.sub("", fold(text))


def _spellings(province: config.Province, name: str) -> set[str]:
    """Every folded spelling of a unit's name: its own and its aliases'."""
    a = province.aliases
    same = set(a.loc[a["name"] == name, "alias"]) | set(a.loc[a["alias"] == name, "name"])
    return {unit_key(n) for n in {name, *same}}


@cache
def _district_lookup(province: config.Province, year: int) -> dict[str, str]:
    return {
        key: d for d in province.map(year).districts["district"] for key in _spellings(province, d)
    }


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
    return _per_distinct(text, lambda v: lookup.get(unit_key(v)))


def canonical_commune(
    district: pd.Series | None, commune: pd.Series, province: config.Province, year: int
) -> pd.Series:
    """Each cell's commune of the year's map: on a map with districts, a commune of the
    row's district (missing when the district is); from 2025, a unit of the province."""
    lookup = _commune_lookup(province, year)
    if not province.map(year).has_districts:
        return _per_distinct(commune, lambda v: lookup.get((None, unit_key(v))))

    def name(pair: str) -> str | None:
        d, c = pair.split(_PAIR, 1)
        return lookup.get((d, unit_key(c)))

    return _per_distinct(district.str.cat(commune, sep=_PAIR), name)


def reporting_units(province: config.Province, year: int) -> list[str]:
    """The units that report in the review of `year`: districts up to 2024, communes after."""
    m = province.map(year)
    return list(m.districts["district"] if m.has_districts else m.communes["commune"])


def reporting_unit_named(text: str, province: config.Province, year: int) -> str | None:
    """The reporting unit of the year (a district up to 2024, a commune from 2025) that a
    name given on the command line means, or None."""
    m = province.map(year)
    if m.has_districts:
        return _district_lookup(province, year).get(unit_key(text))
    return _commune_lookup(province, year).get((None, unit_key(text)))


def unit_named_in(text: str, province: config.Province, year: int) -> str | None:
    """The reporting unit a free text (a file name) names, or None. The longest match wins,
    so `dien-bien-phu.xlsx` names Điện Biên Phủ, not Điện Biên."""
    folded = f" {fold(text)} "
    named = [n for n in reporting_units(province, year) if f" {unit_key(n)} " in folded]
    return max(named, key=lambda n: len(fold(n))) if named else None
