"""Law and configuration as data, read in this one place.

- `standards/periods.csv`: one row per poverty-standard period (income and score lines, the
  deprivation count that tips the balance, legal sources).
- `standards/indicators.csv`: the deprivation indicators of each period.
- `ethnic_groups.csv`: Vietnam's 54 recognised ethnic groups and the ethnic-minority flag.
- `statuses.csv`: each household status the classification gives, poorest first, with its
  Vietnamese label inside a sentence ("hộ nghèo") and standing alone in a list ("Hộ nghèo").
- `provinces/<code>/`: a province's districts, communes, poor-district flags and plan targets.

Adding a standard period or a province is a data change: new rows or a new folder, no code.
"""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass
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

    period: str
    first_year: int
    last_year: int
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

    @property
    def indicator_keys(self) -> list[str]:
        return [i.key for i in self.indicators]


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _number(text: str) -> float | None:
    return float(text) if text.strip() else None


@cache
def standards() -> tuple[Standard, ...]:
    periods = _read_csv(CONFIG_DIR / "standards" / "periods.csv")
    indicators = _read_csv(CONFIG_DIR / "standards" / "indicators.csv")
    out = []
    for row in periods.to_dict("records"):
        inds = indicators[indicators["period"] == row["period"]]
        out.append(
            Standard(
                period=row["period"],
                first_year=int(row["first_year"]),
                last_year=int(row["last_year"]),
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
            )
        )
        if len(out[-1].indicators) != int(row["indicator_count"]):
            raise ValueError(f"standard {row['period']}: indicator count does not match")
    return tuple(out)


def standard_for_year(year: int) -> Standard:
    for s in standards():
        if s.first_year <= year <= s.last_year:
            return s
    raise LookupError(f"no poverty standard covers census year {year}; add a period to config")


def all_indicator_keys() -> list[str]:
    """Every indicator key of every period, in first-seen order."""
    keys: dict[str, None] = {}
    for s in standards():
        keys.update(dict.fromkeys(s.indicator_keys))
    return list(keys)


@cache
def ethnic_groups() -> pd.DataFrame:
    df = _read_csv(CONFIG_DIR / "ethnic_groups.csv")
    df["is_ethnic_minority"] = df["is_ethnic_minority"] == "true"
    return df


@dataclass(frozen=True)
class StatusLabel:
    label_vi: str  # inside a sentence: "... → hộ nghèo"
    list_label_vi: str  # standing alone (a list, a heading, a drop-down): "Hộ nghèo"


@cache
def status_labels() -> dict[str, StatusLabel]:
    """Household status ("poor", "near_poor", "average", "not_poor") -> its Vietnamese labels,
    poorest first."""
    return {
        r["status"]: StatusLabel(r["label_vi"], r["list_label_vi"])
        for r in _read_csv(CONFIG_DIR / "statuses.csv").to_dict("records")
    }


@dataclass(frozen=True)
class Province:
    code: str
    name: str
    districts: pd.DataFrame  # district, unit_type, urban_unit (bool)
    communes: pd.DataFrame  # district, commune, area_type
    poor_districts: pd.DataFrame  # district, first_year, last_year, is_poor_district, source
    targets: pd.DataFrame  # see targets.csv

    def poor_district_names(self, year: int) -> list[str]:
        p = self.poor_districts
        mask = (p["first_year"] <= year) & (p["last_year"] >= year) & p["is_poor_district"]
        return sorted(p.loc[mask, "district"])


@cache
def load_province(code: str = DEFAULT_PROVINCE) -> Province:
    roots = [Path(os.environ[EXTRA_PROVINCES_ENV])] if os.environ.get(EXTRA_PROVINCES_ENV) else []
    roots.append(CONFIG_DIR / "provinces")
    folder = next((r / code for r in roots if (r / code).is_dir()), roots[-1] / code)
    if not folder.is_dir():
        known = ", ".join(sorted(p.name for r in roots if r.is_dir() for p in r.iterdir()))
        raise LookupError(f"no province config '{code}' (known: {known})")
    meta = tomllib.loads((folder / "province.toml").read_text(encoding="utf-8"))
    districts = _read_csv(folder / "districts.csv")
    districts["urban_unit"] = districts["urban_unit"] == "true"
    poor = _read_csv(folder / "poor_districts.csv")
    poor["first_year"] = poor["first_year"].astype(int)
    poor["last_year"] = poor["last_year"].astype(int)
    poor["is_poor_district"] = poor["is_poor_district"] == "true"
    targets = _read_csv(folder / "targets.csv")
    for col in ("first_year", "last_year"):
        targets[col] = targets[col].astype(int)
    for col in ("baseline_year", "baseline", "target"):
        targets[col] = pd.to_numeric(targets[col].replace("", math.nan))
    return Province(
        code=meta["code"],
        name=meta["name"],
        districts=districts,
        communes=_read_csv(folder / "communes.csv"),
        poor_districts=poor,
        targets=targets,
    )
