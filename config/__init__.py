"""Law and configuration as data, read in this one place.

- `standards/periods.csv`: one row per poverty-standard period (income and score lines, the
  deprivation count that tips the balance, legal sources).
- `standards/indicators.csv`: the deprivation indicators of each period.
- `ethnic_groups.csv`: Vietnam's 54 recognised ethnic groups and the ethnic-minority flag,
  with other names they are written by (`aliases`, `;`-separated).
- `poverty_causes.csv`: the causes of poverty of the national form, with their spellings.
- `forms.toml`: the report forms a province sends (titles, rows, columns), one per form.
- `statuses.csv`: each household status the classification gives, poorest first, with its
  Vietnamese label inside a sentence ("hộ nghèo") and standing alone in a list ("Hộ nghèo").
- `provinces/<code>/`: a province's units with their validity (`units.csv`: districts and
  communes, each with the dates it existed and, for units abolished in 2025, the unit it
  became), their spelling variants (`aliases.csv`), poor-district flags and plan targets.

Adding a standard period or a province is a data change: new rows or a new folder, no code.
"""

from __future__ import annotations

import contextlib
import math
import os
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import pandas as pd

CONFIG_DIR = Path(__file__).resolve().parent
DEFAULT_PROVINCE = "dien-bien"
# An extra folder of province configs, searched before config/provinces/ (bench/run.py points
# it at a generated synthetic "nation"; such configs never belong in the repository).
EXTRA_PROVINCES_ENV = "CENSUS_PROVINCES_DIR"


@dataclass(frozen=True)
class Indicator:
    key: str
    dimension: str
    name_vi: str
    name_en: str


@dataclass(frozen=True)
class Standard:
    """One period's classification rule (see poverty-standards.md).

    poor      if income <= floor (where the period has one)
              or (income <= line and deprivations >= threshold)
    near-poor if income <= line and not poor
    average   if line < income <= average_line
    The same shape holds for scores, with the score floor and line.
    """

    period: str  # the years of the lists it governs, as the law states them, e.g. "2022-2026"
    first_list_year: int
    last_list_year: int
    legal_source: str
    procedure_source: str
    deprivation_threshold: int
    income_floor: dict[str, float | None]  # by area: "rural", "urban"
    income_line: dict[str, float]
    average_line: dict[str, float]
    score_floor: dict[str, float | None]
    score_line: dict[str, float]
    points_per_indicator: int
    income_score_label: str
    deprivation_score_label: str
    indicators: tuple[Indicator, ...]
    provisional: str  # what of this standard is not yet confirmed ("" when nothing)
    provisional_vi: str  # the same, as the forms and reports say it to officials

    @property
    def indicator_keys(self) -> list[str]:
        return [i.key for i in self.indicators]

    @property
    def first_review_year(self) -> int:
        return self.first_list_year - LISTS_FOLLOW_REVIEW

    @property
    def last_review_year(self) -> int:
        return self.last_list_year - LISTS_FOLLOW_REVIEW


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _number(text: str) -> float | None:
    return float(text) if text.strip() else None


@cache
def periods_table() -> pd.DataFrame:
    """config/standards/periods.csv as text."""
    return _read_csv(CONFIG_DIR / "standards" / "periods.csv")


def typed(table: pd.DataFrame) -> pd.DataFrame:
    """A text table with its numeric columns as numbers (empty cells missing) and its
    true/false columns as booleans, as the warehouse's ref tables hold them."""
    out = table.copy()
    for column in out.columns:
        if set(out[column]) <= {"true", "false"}:
            out[column] = out[column] == "true"
            continue
        with contextlib.suppress(ValueError, TypeError):
            out[column] = pd.to_numeric(out[column].replace("", math.nan))
    return out


@cache
def indicators_table() -> pd.DataFrame:
    """config/standards/indicators.csv as text (the warehouse's ref.indicators)."""
    return _read_csv(CONFIG_DIR / "standards" / "indicators.csv")


@cache
def standards() -> tuple[Standard, ...]:
    periods, indicators = periods_table(), indicators_table()
    out = []
    for row in periods.to_dict("records"):
        inds = indicators[indicators["period"] == row["period"]]
        out.append(
            Standard(
                period=row["period"],
                first_list_year=int(row["first_list_year"]),
                last_list_year=int(row["last_list_year"]),
                legal_source=row["legal_source"],
                procedure_source=row["procedure_source"],
                deprivation_threshold=int(row["deprivation_threshold"]),
                income_floor={a: _number(row[f"{a}_income_floor"]) for a in ("rural", "urban")},
                income_line={a: float(row[f"{a}_income_line"]) for a in ("rural", "urban")},
                average_line={a: float(row[f"{a}_average_line"]) for a in ("rural", "urban")},
                score_floor={a: _number(row[f"{a}_score_floor"]) for a in ("rural", "urban")},
                score_line={a: float(row[f"{a}_score_line"]) for a in ("rural", "urban")},
                points_per_indicator=int(row["points_per_indicator"]),
                income_score_label=row["income_score_label"],
                deprivation_score_label=row["deprivation_score_label"],
                indicators=tuple(
                    Indicator(r["indicator"], r["dimension"], r["name_vi"], r["name_en"])
                    for r in inds.to_dict("records")
                ),
                provisional=row["provisional"],
                provisional_vi=row["provisional_vi"],
            )
        )
        if len(out[-1].indicators) != int(row["indicator_count"]):
            raise ValueError(f"standard {row['period']}: indicator count does not match")
    return tuple(out)


# A review held in the census year Y (1 September to 14 December) decides the lists of year
# Y + 1, so it applies the standard of the period that year belongs to (poverty-standards.md,
# "Which standard applies to which review"): the end-2015 review was the first under Decision
# 59/2015, the end-2021 review the first under Decree 07/2021, the end-2026 review the first
# under Decree 351/2025. The one place where review years follow from list years.
LISTS_FOLLOW_REVIEW = 1


def standard_for_year(year: int) -> Standard:
    """The standard the review held in census year `year` applies."""
    lists = year + LISTS_FOLLOW_REVIEW
    for s in standards():
        if s.first_list_year <= lists <= s.last_list_year:
            return s
    raise LookupError(
        f"no poverty standard covers the {lists} lists decided by the {year} review; "
        "add a period to config/standards/periods.csv"
    )


def all_indicator_keys() -> list[str]:
    """Every indicator key of every period, in first-seen order."""
    keys: dict[str, None] = {}
    for s in standards():
        keys.update(dict.fromkeys(s.indicator_keys))
    return list(keys)


@cache
def report_forms() -> list[dict[str, object]]:
    """config/forms.toml: the report forms a province sends, one definition each."""
    return tomllib.loads((CONFIG_DIR / "forms.toml").read_text(encoding="utf-8"))["form"]


@cache
def poverty_causes() -> pd.DataFrame:
    """The causes of poverty a workbook may name (workbook-layout.md `poverty_cause`; the
    national form "Phân nhóm hộ nghèo theo nguyên nhân nghèo"): cause, label_vi, aliases."""
    return _read_csv(CONFIG_DIR / "poverty_causes.csv")


@cache
def ethnic_groups() -> pd.DataFrame:
    df = _read_csv(CONFIG_DIR / "ethnic_groups.csv")
    df["is_ethnic_minority"] = df["is_ethnic_minority"] == "true"
    return df


# Units are valid on dates; a review's units are those valid when it closes (14 December:
# the department's calendar, flows/census_calendar.py). The 2025 review, closing after the
# reform of 1 July 2025, is on the 45 new communes; the 2019 review on the old map.
REVIEW_CLOSES = (12, 14)
URBAN_UNIT_TYPES = frozenset({"city", "town", "ward"})


def review_date(year: int) -> date:
    return date(year, *REVIEW_CLOSES)


@dataclass(frozen=True)
class StatusLabel:
    label_vi: str  # inside a sentence: "... → hộ nghèo"
    list_label_vi: str  # standing alone (a list, a heading, a drop-down): "Hộ nghèo"


@cache
def status_labels() -> dict[str, StatusLabel]:
    """Household status ("poor", ..., "not_reviewed") -> its Vietnamese labels, poorest first."""
    return {
        r["status"]: StatusLabel(r["label_vi"], r["list_label_vi"])
        for r in _read_csv(CONFIG_DIR / "statuses.csv").to_dict("records")
    }


@dataclass(frozen=True)
class UnitMap:
    """The units of one review: districts (none after the 2025 reform) and communes."""

    year: int
    districts: pd.DataFrame  # district, unit_type, urban_unit (bool)
    communes: pd.DataFrame  # district (missing from 2025), commune, unit_type, current_commune

    @property
    def has_districts(self) -> bool:
        """Whether the review reports by district (workbooks per district, a district
        column); from the 2025 review, communes report straight to the province."""
        return not self.districts.empty


@dataclass(frozen=True, eq=False)  # one object per province (load_province is cached)
class Province:
    code: str
    name: str
    meta: dict[str, object]  # province.toml: issuing body, signers, id pattern, ...
    units: pd.DataFrame  # units.csv: level, name, unit_type, parent, valid_from/to, ...
    aliases: pd.DataFrame  # aliases.csv: name, alias (spelling variants, older names)
    poor_districts: pd.DataFrame  # district, first_year, last_year, is_poor_district, source
    targets: pd.DataFrame  # see targets.csv

    @property
    def districts(self) -> pd.DataFrame:
        """Every district the province has had (district, unit_type, urban_unit)."""
        d = self.units[self.units["level"] == "district"].drop_duplicates("name")
        return pd.DataFrame(
            {
                "district": d["name"].to_numpy(),
                "unit_type": d["unit_type"].to_numpy(),
                "urban_unit": d["unit_type"].isin(URBAN_UNIT_TYPES).to_numpy(),
            }
        )

    def map(self, year: int) -> UnitMap:
        """The units of the review held in census year `year`."""
        return _unit_map(self, year)

    # A province travels to another process (flows/workers.py, Dask workers) as its code and
    # is loaded there once: the caches of derived tables are keyed by the object, and a copy
    # per workbook missed them all (the nation's 40,000-household workbooks: validation
    # 1 s -> 3.5 s each in a worker).
    def __reduce__(self) -> tuple:
        return load_province, (self.code,)

    def poor_district_names(self, year: int) -> list[str]:
        p = self.poor_districts
        mask = (p["first_year"] <= year) & (p["last_year"] >= year) & p["is_poor_district"]
        return sorted(p.loc[mask, "district"])


_UNIT_MAPS: dict[tuple[str, int], UnitMap] = {}


def _unit_map(province: Province, year: int) -> UnitMap:
    key = (province.code, year)
    if key not in _UNIT_MAPS:
        on = review_date(year).isoformat()
        u = province.units
        valid = u[
            ((u["valid_from"] == "") | (u["valid_from"] <= on))
            & ((u["valid_to"] == "") | (u["valid_to"] >= on))
        ]
        d = valid[valid["level"] == "district"]
        c = valid[valid["level"] == "commune"]
        _UNIT_MAPS[key] = UnitMap(
            year=year,
            districts=pd.DataFrame(
                {
                    "district": d["name"].to_numpy(),
                    "unit_type": d["unit_type"].to_numpy(),
                    "urban_unit": d["unit_type"].isin(URBAN_UNIT_TYPES).to_numpy(),
                }
            ),
            communes=pd.DataFrame(
                {
                    "district": [d or None for d in c["parent"]],
                    "commune": c["name"].to_numpy(),
                    "unit_type": c["unit_type"].to_numpy(),
                    "current_commune": c["current_unit"].to_numpy(),
                }
            ),
        )
    return _UNIT_MAPS[key]


@cache
def load_province(code: str = DEFAULT_PROVINCE) -> Province:
    roots = [Path(os.environ[EXTRA_PROVINCES_ENV])] if os.environ.get(EXTRA_PROVINCES_ENV) else []
    roots.append(CONFIG_DIR / "provinces")
    folder = next((r / code for r in roots if (r / code).is_dir()), roots[-1] / code)
    if not folder.is_dir():
        known = ", ".join(sorted(p.name for r in roots if r.is_dir() for p in r.iterdir()))
        raise LookupError(f"no province config '{code}' (known: {known})")
    meta = tomllib.loads((folder / "province.toml").read_text(encoding="utf-8"))
    if meta["code"] != code:  # the code is how another process finds it (Province.__reduce__)
        raise ValueError(f"{folder / 'province.toml'}: code '{meta['code']}' is not its folder's")
    poor = _read_csv(folder / "poor_districts.csv")
    poor["first_year"] = poor["first_year"].astype(int)
    poor["last_year"] = poor["last_year"].astype(int)
    poor["is_poor_district"] = poor["is_poor_district"] == "true"
    targets = _read_csv(folder / "targets.csv")
    for col in ("first_year", "last_year"):
        targets[col] = targets[col].astype(int)
    targets["baseline_year"] = pd.to_numeric(targets["baseline_year"].replace("", None)).astype(
        "Int64"
    )
    for col in ("baseline", "target"):
        targets[col] = pd.to_numeric(targets[col].replace("", math.nan))
    aliases = folder / "aliases.csv"
    return Province(
        code=meta["code"],
        name=meta["name"],
        meta=meta,
        units=_read_csv(folder / "units.csv"),
        aliases=_read_csv(aliases) if aliases.exists() else pd.DataFrame(columns=["name", "alias"]),
        poor_districts=poor,
        targets=targets,
    )
