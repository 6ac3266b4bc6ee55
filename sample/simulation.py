"""A realistic sample census: the households a province's workbooks would hold, each year on
the map of that year.

Pure: no files, no database, no Prefect. `generate_census` returns one frame per census year
with the canonical column keys of workbook-layout.md, ready for `sample.census` to write. The
figures the model uses are in `sample.profiles`, the names in `sample.names`.

The model, in short (all draws from one seeded generator, so a seed gives identical frames):

- Households live in the province's real communes (config) of the simulation's first year and
  stay there; each year's frame places them on that year's map (`config.Province.map`): a
  commune that moved to another district is written under it (Điện Biên's four communes of
  2020), one that merged into another under that one (`profiles.MERGED_COMMUNES`), and from
  the 2025 reform, which abolished the districts, in the new commune its old one became
  (`current_commune`), with no district. A household's area (urban, rural) is its unit's on
  that map (wards and towns urban). Sizes per district are estimates that add up to the
  province's 127,667 households at end 2018 (provincial Decision 158/QĐ-UBND, 2019);
  `households` scales that total.
- Each household has a real-welfare level W (log income per person relative to the 2016 rural
  line, in 2016 prices): district level + ethnic group + urban + commune + household (persistent)
  + a transitory AR(1) shock + real growth. Deprivations are drawn from W with a persistent
  household propensity per indicator, so they fall as welfare rises and change little year to
  year. Nominal income is W plus inflation plus a per district-year correction.
- Calibration (rates in `profiles.POOR_RATE_PATH` and `NEAR_POOR_RATE_PATH`: published figures
  where they exist, sample assumptions otherwise; the old districts are the calibration groups
  in every year, since the profiles are by district). With a poverty rate only, the income
  correction is solved per district so that each district's poverty rate under that year's
  standard (config, rules of poverty-standards.md) hits its target. With a near-poor rate too
  (standards without an income floor, from the 2021 review: poor and near-poor are both income
  at most the line, told apart by the deprivation count), the correction sets each district's
  share under the line to its poor + near-poor target, then one province-wide shift of the
  deprivation model sets how many of those have at least the threshold's deprivations, i.e.
  the poverty rate; both province rates come out exact. Later years carry the last correction
  and shift forward, so their rates follow from growth and the deprivation model.
- Written incomes stay in the range a review records (`profiles.INCOME_LOW_*`, `_HIGH_*`): the
  tails are compressed smoothly, never across a line, so the audit's implausible-income warning
  (HW001) has nothing to find in a sample and the classes are those calibrated.
- Movements year to year: households leave (about 0.6% a year), split off a new household with
  a new id (about 2.2%, more often large ones) or arrive (about 0.4%, 0.5% from 2020); escapes,
  relapses and new poverty follow from the welfare shocks.
- Household ids never change, across the reform too. A new household's id names the unit that
  registers it: `DB-<district number, 2 digits>-<serial>` up to 2024 (the district it lives in
  that year), `DB-<commune number, 3 digits>-<serial>` from 2025 (its new commune), so ids of
  the two eras can never collide.
- The commune's own classification (`commune_classification`) agrees with the class that
  `transforms.classify` gives for most households; each commune has its own small error rate,
  errors go to a neighbouring class.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

import config
from reporting.vietnamese import AREA_VI, STATUS_VI
from sample.names import NAMES, NAMING, VILLAGE_FIRST, VILLAGE_SECOND
from sample.profiles import (
    ARRIVAL_NOTE,
    ARRIVE_RATE,
    CAUSE_SHARES,
    CCCD_PROVINCE_CODE,
    DEFAULT_DEPRIVATION_P0,
    DEFAULT_POOR_RATE_PATH,
    DEPRIVATION_P0,
    DEPRIVATION_PERSISTENCE,
    DEPRIVATION_SLOPE,
    DEPRIVATION_TREND,
    ETHNIC_SIZE,
    ETHNIC_WELFARE,
    INCOME_HIGH_BOUND,
    INCOME_HIGH_KNEE,
    INCOME_LOW_BOUND,
    INCOME_LOW_KNEE,
    INFLATION,
    LATER_ARRIVALS,
    LEAVE_RATE,
    LOW_KNEE,
    LOW_SLOPE,
    MERGED_COMMUNES,
    MERITORIOUS_RATE,
    NEAR_POOR_RATE_PATH,
    NET_GROWTH,
    NOTE_RATE,
    NOTES,
    POOR_DISTRICT_EXTRA_GROWTH,
    POOR_RATE_PATH,
    PROFILES,
    REAL_GROWTH,
    REFERENCE_HOUSEHOLDS,
    REFERENCE_YEAR,
    RURAL_LINE_2016,
    SCORE_SLOPE,
    SHOCK_PERSISTENCE,
    SIGMA_COMMUNE,
    SIGMA_PERSISTENT,
    SIGMA_SHOCK,
    SIZE_WELFARE,
    SOCIAL_PROTECTION_WELFARE,
    SPLIT_NOTE,
    SPLIT_RATE,
    START_YEAR,
    TAIL_KNEE,
    TAIL_SLOPE,
    TOWN_MIX,
    URBAN_WELFARE,
)
from transforms.classify import classify_with_standard

RURAL_LABEL = AREA_VI["rural"]
URBAN_LABEL = AREA_VI["urban"]
POOR_LABEL = STATUS_VI["poor"]
NEAR_POOR_LABEL = STATUS_VI["near_poor"]
AVERAGE_LABEL = STATUS_VI["average"]
# Class codes used internally, in order of rising welfare; index into CLASS_LABELS (the commune
# writes nothing for a household above the average living standard).
POOR, NEAR_POOR, AVERAGE, ABOVE = 0, 1, 2, 3
CLASS_LABELS = (POOR_LABEL, NEAR_POOR_LABEL, AVERAGE_LABEL, "")
# `transforms.classify` status -> class code.
STATUS_CODE = {"poor": POOR, "near_poor": NEAR_POOR, "average": AVERAGE, "not_poor": ABOVE}


# ---------------------------------------------------------------------------------------------
# Public entry point
# ---------------------------------------------------------------------------------------------
def generate_census(
    years: range | Iterable[int],
    households: int | None = None,
    seed: int = 2019,
    province: str = config.DEFAULT_PROVINCE,
    *,
    with_scores: bool = False,
) -> dict[int, pd.DataFrame]:
    """One frame of households per census year, columns the canonical keys.

    `households`: the province's household count at end 2018 (the reference year; default
    127,667, the published figure); other years grow about 2% a year. The simulation always
    starts in 2016, so a year's frame is the same whichever other years are asked for.
    `with_scores` adds the review form's `income_score` and `deprivation_score` (consistent with
    the income and indicators: the class by score is the class by income).
    """
    years = sorted(set(int(y) for y in years))
    if not years:
        return {}
    if years[0] < START_YEAR:
        raise ValueError(f"the sample census starts in {START_YEAR}; asked for {years[0]}")
    standards = {y: config.standard_for_year(y) for y in years}  # fails early for unknown years
    total = REFERENCE_HOUSEHOLDS if households is None else int(households)
    if total < 1:
        raise ValueError("households must be positive")
    sim = _Simulation(config.load_province(province), total, seed)
    frames: dict[int, pd.DataFrame] = {}
    for year in range(START_YEAR, years[-1] + 1):
        snapshot = sim.step(year)
        if year in standards:
            frames[year] = sim.frame(snapshot, standards[year], with_scores)
    return frames


def household_class(
    ids: np.ndarray,
    urban: np.ndarray,
    income: np.ndarray,
    deprived: dict[str, np.ndarray],
    standard: config.Standard,
) -> np.ndarray:
    """Class code per household (POOR, NEAR_POOR, AVERAGE, ABOVE), by the pipeline's own
    classifier, so the sample and the pipeline never disagree on the rule."""
    households = pd.DataFrame(
        {
            "household_id": ids,
            "area": np.where(urban, "urban", "rural"),
            "income_per_capita": income,
        }
        | deprived
    )
    status = classify_with_standard(households, standard)["status"]
    return status.map(STATUS_CODE).to_numpy(dtype=np.int8)


def _by_area(values: dict[str, float | None], urban: np.ndarray, default=np.nan) -> np.ndarray:
    rural_v = default if values.get("rural") is None else values["rural"]
    urban_v = default if values.get("urban") is None else values["urban"]
    return np.where(urban, urban_v, rural_v).astype(float)


# ---------------------------------------------------------------------------------------------
# The simulation
# ---------------------------------------------------------------------------------------------
_NORMAL = NormalDist()


@dataclass(frozen=True)
class _Places:
    """Where the simulation's communes (its first year's) are on one year's map; arrays are
    indexed by simulation commune."""

    has_districts: bool
    district: np.ndarray  # position in `_Simulation.districts` (-1 from the 2025 reform)
    commune: np.ndarray  # the unit's name on that map
    urban: np.ndarray  # a ward or a town on that map
    # The number, from 1, of the unit that registers a new household that year: its district
    # up to 2024, its new commune from 2025 (ids; the frame is ordered by it).
    unit: np.ndarray


@dataclass
class _Snapshot:
    year: int
    idx: np.ndarray  # register positions of the households alive this year, in output order
    size: np.ndarray
    income: np.ndarray
    deprived: dict[str, np.ndarray]
    commune_class: np.ndarray
    note: np.ndarray


class _Simulation:
    """The household register and its yearly step; all arrays indexed by register position."""

    def __init__(self, province: config.Province, total_2018: int, seed: int) -> None:
        self.province = province
        self.rng = np.random.default_rng(seed)
        self.year: int | None = None
        self._setup_geography()
        self._setup_ethnicity()
        self._village_salt = int(self.rng.integers(0, 1 << 20))
        self.path = POOR_RATE_PATH.get(province.code, DEFAULT_POOR_RATE_PATH)
        self.near_path = NEAR_POOR_RATE_PATH.get(province.code, {})
        self.correction = np.zeros(len(self.districts))
        # Shift of the deprivation model by standard period (0 until a near-poor rate sets it).
        self.deprivation_shift: dict[str, float] = {}
        self.indicator_keys = config.all_indicator_keys()
        # Register columns (grown as households split off or arrive).
        self.reg: dict[str, np.ndarray] = {}
        # Last serial given, by (digits of the unit number, unit number): a counter per id
        # prefix, so an id is never given twice whatever the map.
        self.last_serial: dict[tuple[int, int], int] = {}
        self._places_by_year: dict[int, _Places] = {}
        start_total = total_2018 / (1 + NET_GROWTH) ** (REFERENCE_YEAR - START_YEAR)
        self.start_total = max(1, round(start_total))

    # --- geography --------------------------------------------------------------------------
    def _setup_geography(self) -> None:
        p = self.province
        d = p.districts.reset_index(drop=True)
        self.districts = d["district"].tolist()
        profiles = PROFILES.get(p.code, {})
        # The map of the simulation's first year: households stay in these communes; each
        # year's frame places them on its own map (`_places`).
        communes = p.map(START_YEAR).communes
        self.start_communes = communes.reset_index(drop=True)
        n_communes = communes.groupby("district").size()
        weight = np.array(
            [
                profiles[n].weight if n in profiles else float(n_communes.get(n, 1))
                for n in self.districts
            ]
        )
        self.district_share = weight / weight.sum()
        poor_names = set()
        for year in range(START_YEAR, START_YEAR + 5):
            poor_names |= set(p.poor_district_names(year))
        self.poor_district = np.array([n in poor_names for n in self.districts])
        urban_unit = d["urban_unit"].to_numpy()
        self.rate_2018 = np.array(
            [
                profiles[n].poor_rate_2018
                if n in profiles
                else (5.0 if u else 45.0 if poor else 25.0)
                for n, u, poor in zip(self.districts, urban_unit, self.poor_district, strict=True)
            ]
        )
        c = communes.reset_index(drop=True)
        self.commune_names = c["commune"].to_numpy(dtype=object)
        self.commune_district = np.array([self.districts.index(x) for x in c["district"]])
        unit = c["unit_type"].to_numpy(dtype=object)
        self.commune_urban = (unit == "ward") | (unit == "town")
        rng = self.rng
        # Commune sizes within a district: towns and wards larger, lognormal spread.
        base = np.where(unit == "town", 1.6, np.where(unit == "ward", 1.3, 1.0))
        cw = base * rng.lognormal(0.0, 0.35, len(c))
        cshare = np.zeros(len(c))
        for k in range(len(self.districts)):
            m = self.commune_district == k
            cshare[m] = cw[m] / cw[m].sum() * self.district_share[k]
        self.commune_share = cshare
        self.commune_effect = rng.normal(0.0, SIGMA_COMMUNE, len(c))
        self.commune_error = rng.beta(1.2, 70.0, len(c))  # commune's misclassification rate
        # Villages: count from the commune's full-scale size (not the sample's).
        full = cshare * REFERENCE_HOUSEHOLDS
        n_vill = np.clip(np.round(full / 110), 4, 28).astype(int)
        names, first = [], []
        for i in range(len(c)):
            first.append(len(names))
            if self.commune_urban[i]:
                names += [f"Tổ dân phố {j}" for j in range(1, n_vill[i] + 1)]
            else:
                combos = rng.choice(len(VILLAGE_FIRST) * len(VILLAGE_SECOND), n_vill[i], False)
                names += [
                    f"Bản {VILLAGE_FIRST[x // len(VILLAGE_SECOND)]} "
                    f"{VILLAGE_SECOND[x % len(VILLAGE_SECOND)]}"
                    for x in combos
                ]
        self.village_names = np.array(names, dtype=object)
        self.village_first = np.array(first)
        self.village_count = n_vill

    def _places(self, year: int) -> _Places:
        """The simulation's communes on `year`'s map (see the module docstring)."""
        if year in self._places_by_year:
            return self._places_by_year[year]
        units = self.province.map(year)
        start = self.start_communes
        on_map = units.communes.reset_index(drop=True)
        if units.has_districts:
            merged = MERGED_COMMUNES.get(self.province.code, {})
            present = set(on_map["commune"])
            names = [c if c in present else merged.get(c) for c in start["commune"]]
            gone = sorted({c for c, n in zip(start["commune"], names, strict=True) if n is None})
            if gone:
                raise ValueError(
                    f"{year}: no unit on the map for {', '.join(gone)}; say which commune each "
                    "merged into in sample/profiles.py MERGED_COMMUNES"
                )
        else:
            names = start["current_commune"].tolist()
        # A name may exist in two districts of a map: prefer the commune's own district.
        pairs = list(zip(on_map["district"], on_map["commune"], strict=True))
        own = {pair: i for i, pair in enumerate(pairs)}
        anywhere: dict[str, int] = {}
        for i, (_, commune) in enumerate(pairs):
            anywhere.setdefault(commune, i)
        pos = np.array(
            [
                own.get((d, n), anywhere.get(n, -1))
                for d, n in zip(start["district"], names, strict=True)
            ]
        )
        if (pos < 0).any():
            missing = sorted({n for n, i in zip(names, pos, strict=True) if i < 0})
            raise ValueError(f"{year}: units not on that year's map: {', '.join(missing)}")
        unit_type = on_map["unit_type"].to_numpy(dtype=object)[pos]
        if units.has_districts:
            district = np.array([self.districts.index(d) for d in on_map["district"]])[pos]
            unit = district + 1
        else:
            district = np.full(len(pos), -1)
            unit = pos + 1
        places = _Places(
            has_districts=units.has_districts,
            district=district,
            commune=on_map["commune"].to_numpy(dtype=object)[pos],
            urban=np.isin(unit_type, ["ward", "town"]),
            unit=unit,
        )
        self._places_by_year[year] = places
        return places

    def _setup_ethnicity(self) -> None:
        groups = config.ethnic_groups()
        self.groups = groups["ethnicity"].to_numpy(dtype=object)
        gi = {g: i for i, g in enumerate(self.groups)}
        profiles = PROFILES.get(self.province.code, {})
        default_rural = {"Kinh": 60, "Thái": 20, "Mông": 15, "Dao": 5}
        mixes = np.zeros((len(self.commune_names), len(self.groups)))
        for i in range(len(self.commune_names)):
            prof = profiles.get(self.districts[self.commune_district[i]])
            if prof is None:
                mix = TOWN_MIX if self.commune_urban[i] else default_rural
            else:
                mix = prof.urban_mix if self.commune_urban[i] else prof.rural_mix
            for g, share in mix.items():
                mixes[i, gi[g]] = share
        mixes /= mixes.sum(axis=1, keepdims=True)
        # Communes differ: a Dirichlet draw around the district's mix (rural communes more so).
        conc = np.where(self.commune_urban, 40.0, 6.0)[:, None]
        alpha = np.maximum(mixes * conc, 1e-9)
        draw = self.rng.gamma(alpha)
        draw[mixes == 0] = 0.0
        mixes = draw / draw.sum(axis=1, keepdims=True)
        self.commune_mix_cum = np.cumsum(mixes, axis=1)
        self.ethnic_welfare = np.array([ETHNIC_WELFARE.get(g, 0.0) for g in self.groups])
        self.ethnic_size = np.array([ETHNIC_SIZE.get(g, 4.5) for g in self.groups])
        self.naming = np.array([NAMING.get(g, "kinh") for g in self.groups], dtype=object)

    # --- households -------------------------------------------------------------------------
    def _new_households(
        self, commune: np.ndarray, year: int, parent: np.ndarray | None = None
    ) -> None:
        """Append households to the register: drawn afresh, or split off from `parent`."""
        rng = self.rng
        n = len(commune)
        if parent is None:
            u = rng.random(n)
            eth = (u[:, None] > self.commune_mix_cum[commune]).sum(axis=1)
            eth = np.minimum(eth, len(self.groups) - 1)
            village = self._pick_village(commune, eth)
            persistent = rng.normal(0.0, SIGMA_PERSISTENT, n)
            age = rng.integers(22, 80, n)
            mean_size = self.ethnic_size[eth]
            size = 1 + rng.poisson(np.maximum(mean_size - 1, 0.2))
        else:
            eth = self.reg["ethnicity"][parent]
            village = self.reg["village"][parent]
            # A young family: close to the parent's level, a little poorer at first.
            persistent = 0.7 * self.reg["persistent"][parent] + rng.normal(
                -0.1, SIGMA_PERSISTENT * 0.6, n
            )
            age = rng.integers(20, 32, n)
            size = 2 + rng.poisson(0.8, n)
        size = np.clip(size, 1, 30)
        female = rng.random(n) < np.where(self.groups[eth] == "Mông", 0.06, 0.16)
        birth = year - age
        district = self.commune_district[commune]
        places = self._places(year)
        unit = places.unit[commune]
        digits = 2 if places.has_districts else 3
        serial = np.zeros(n, dtype=np.int64)
        order = np.lexsort((village, unit))  # serials run through a unit's villages
        for k in np.unique(unit).tolist():
            pos = order[unit[order] == k]
            last = self.last_serial.get((digits, k), 0)
            serial[pos] = last + 1 + np.arange(len(pos))
            self.last_serial[(digits, k)] = last + len(pos)
        head = self._names(eth, female, parent)
        cmnd, cccd = self._id_numbers(female, birth, n)
        merit_p = np.where(
            self.groups[eth] == "Kinh", MERITORIOUS_RATE["Kinh"], MERITORIOUS_RATE["default"]
        )
        old = age >= 65
        lone = size <= 2
        social_p = np.where(old & lone, 0.3, np.where(old, 0.03, 0.004))
        lat = {key: rng.standard_normal(n) for key in self.indicator_keys}
        cols = {
            "id": self._make_ids(unit, serial, digits),
            "serial": serial,
            "district": district,
            "commune": commune,
            "village": village,
            "ethnicity": eth,
            "head_name": head,
            "cmnd": cmnd,
            "cccd": cccd,
            "cccd_year": year + rng.geometric(0.25, n) + np.maximum(0, 2020 - year) // 2,
            "has_cmnd": rng.random(n) < 0.9,
            "persistent": persistent,
            "shock": rng.normal(0.0, SIGMA_SHOCK, n),
            "size": size,
            "meritorious": rng.random(n) < merit_p,
            "social_protection": rng.random(n) < social_p,
            "alive": np.ones(n, dtype=bool),
            "born": np.full(n, year),
            "parent": np.full(n, -1) if parent is None else parent,
            "arrived": np.zeros(n, dtype=bool),
        } | {f"lat:{k}": v for k, v in lat.items()}
        if not self.reg:
            self.reg = cols
        else:
            self.reg = {k: np.concatenate([self.reg[k], cols[k]]) for k in self.reg}

    def _pick_village(self, commune: np.ndarray, eth: np.ndarray) -> np.ndarray:
        """A village of the commune; households of a group cluster in a few villages."""
        rng = self.rng
        n_v = self.village_count[commune]
        # Each (commune, group) pair prefers a village; 60% of its households live there.
        pref = (commune * 7919 + eth * 104729 + self._village_salt) % n_v
        other = rng.integers(0, 1 << 30, len(commune)) % n_v
        local = np.where(rng.random(len(commune)) < 0.6, pref, other)
        return self.village_first[commune] + local

    def _names(self, eth: np.ndarray, female: np.ndarray, parent: np.ndarray | None) -> np.ndarray:
        rng = self.rng
        n = len(eth)
        out = np.empty(n, dtype=object)
        tradition = self.naming[eth]
        for t, (surnames, male_mid, female_mid, given) in NAMES.items():
            m = np.flatnonzero(tradition == t)
            if not len(m):
                continue
            sur = np.array(surnames, dtype=object)[rng.integers(0, len(surnames), len(m))]
            if parent is not None:  # a son or daughter keeps the family name
                sur = np.array(
                    [s.split(" ")[0] for s in self.reg["head_name"][parent[m]]], dtype=object
                )
            mid = np.where(
                female[m],
                np.array(female_mid, dtype=object)[rng.integers(0, len(female_mid), len(m))],
                np.array(male_mid, dtype=object)[rng.integers(0, len(male_mid), len(m))],
            )
            giv = np.array(given, dtype=object)[rng.integers(0, len(given), len(m))]
            out[m] = sur + " " + mid + " " + giv
        return out

    def _id_numbers(self, female: np.ndarray, birth: np.ndarray, n: int):
        rng = self.rng
        prefix = CCCD_PROVINCE_CODE.get(self.province.code, "001")
        century = np.where(birth >= 2000, 2, 0) + female.astype(int)
        tail = rng.integers(0, 1_000_000, n)
        cccd = [
            f"{prefix}{c}{b % 100:02d}{t:06d}"
            for c, b, t in zip(century.tolist(), birth.tolist(), tail.tolist(), strict=True)
        ]
        cmnd = [f"04{x:07d}" for x in rng.integers(0, 10_000_000, n).tolist()]
        return np.array(cmnd, dtype=object), np.array(cccd, dtype=object)

    # --- one year ---------------------------------------------------------------------------
    def step(self, year: int) -> _Snapshot:
        rng = self.rng
        if self.year is None:
            commune = rng.choice(len(self.commune_names), self.start_total, p=self.commune_share)
            self._new_households(np.sort(commune), year)
            self._calibrate_district_level(year)
        else:
            self._move(year)
        self.year = year
        reg = self.reg
        alive = np.flatnonzero(reg["alive"])
        standard = config.standard_for_year(year)
        places = self._places(year)
        urban = places.urban[reg["commune"][alive]]  # the area is the unit's on this year's map
        district = reg["district"][alive]
        welfare = self._welfare(alive, year)
        excess = self._deprivation_excess(alive, welfare, standard, year)
        base = np.log(RURAL_LINE_2016) + welfare + INFLATION * (year - START_YEAR)
        near_poor = self._near_poor_target(year, standard)
        if near_poor is not None:
            self._calibrate_line_share(year, near_poor, base, urban, district, standard)
        elif year in self.path:
            deprived = self._deprived(excess, standard)
            dcount = np.sum(list(deprived.values()), axis=0) if deprived else np.zeros(len(alive))
            self._calibrate_income(year, base, dcount, urban, district, standard)
        income = written_income(base + self.correction[district], urban, standard)
        if near_poor is not None:
            self._calibrate_deprivation(year, income, excess, urban, standard)
        deprived = self._deprived(excess, standard)
        cls = household_class(reg["id"][alive], urban, income, deprived, standard)
        # The commune's own classification: mostly right, a neighbouring class otherwise.
        wrong = rng.random(len(alive)) < self.commune_error[reg["commune"][alive]]
        shift = np.where(rng.random(len(alive)) < 0.5, -1, 1)
        commune_cls = np.where(wrong, np.clip(cls + shift, POOR, ABOVE), cls)
        note = self._notes(alive, year)
        # By the year's unit (district, or commune from 2025), then commune, village, serial.
        commune = reg["commune"][alive]
        order = np.lexsort(
            (reg["serial"][alive], reg["village"][alive], commune, places.unit[commune])
        )
        return _Snapshot(
            year=year,
            idx=alive[order],
            size=reg["size"][alive][order],
            income=income[order],
            deprived={k: v[order] for k, v in deprived.items()},
            commune_class=commune_cls[order],
            note=note[order],
        )

    def _welfare(self, idx: np.ndarray, year: int) -> np.ndarray:
        reg = self.reg
        d = reg["district"][idx]
        growth = (REAL_GROWTH + POOR_DISTRICT_EXTRA_GROWTH * self.poor_district[d]) * (
            year - START_YEAR
        )
        w = (
            self.district_level[d]
            + self.commune_effect[reg["commune"][idx]]
            + URBAN_WELFARE * self.commune_urban[reg["commune"][idx]]
            + self.ethnic_welfare[reg["ethnicity"][idx]]
            + SIZE_WELFARE * (reg["size"][idx] - 4.5)
            + SOCIAL_PROTECTION_WELFARE * reg["social_protection"][idx]
            + reg["persistent"][idx]
            + reg["shock"][idx]
            + growth
        )
        w = np.where(w > TAIL_KNEE, TAIL_KNEE + TAIL_SLOPE * (w - TAIL_KNEE), w)
        return np.where(w < LOW_KNEE, LOW_KNEE + LOW_SLOPE * (w - LOW_KNEE), w)

    def _deprivation_excess(
        self, idx: np.ndarray, welfare: np.ndarray, standard: config.Standard, year: int
    ) -> dict[str, np.ndarray]:
        """Per indicator of the standard, each household's noise less its cut: deprived when
        below the period's shift (`_deprived`; 0 unless a near-poor rate calibrated it)."""
        rng = self.rng
        p0 = DEPRIVATION_P0.get(standard.period, {})
        keep = np.sqrt(DEPRIVATION_PERSISTENCE)
        fresh = np.sqrt(1 - DEPRIVATION_PERSISTENCE)
        out = {}
        for key in standard.indicator_keys:
            theta = _NORMAL.inv_cdf(p0.get(key, DEFAULT_DEPRIVATION_P0))
            cut = (
                theta
                - DEPRIVATION_SLOPE * welfare
                - DEPRIVATION_TREND * (year - standard.first_list_year)
            )
            lat = self.reg.get(f"lat:{key}")
            lat = lat[idx] if lat is not None else rng.standard_normal(len(idx))
            noise = keep * lat + fresh * rng.standard_normal(len(idx))
            out[key] = noise - cut
        return out

    def _deprived(
        self, excess: dict[str, np.ndarray], standard: config.Standard
    ) -> dict[str, np.ndarray]:
        shift = self.deprivation_shift.get(standard.period, 0.0)
        return {key: e < shift for key, e in excess.items()}

    def _targets(self, rate: float, weights: np.ndarray) -> np.ndarray:
        """District rates (share) for a province rate (%): the 2018 district poverty profile
        moved by one logit shift so that the province rate is `rate`."""
        target = rate / 100.0
        logit = np.log(self.rate_2018 / (100.0 - self.rate_2018))
        w = weights / weights.sum()
        lo, hi = -10.0, 10.0
        for _ in range(60):
            mid = (lo + hi) / 2
            rate = w @ (1 / (1 + np.exp(-(logit + mid))))
            lo, hi = (mid, hi) if rate < target else (lo, mid)
        return 1 / (1 + np.exp(-(logit + (lo + hi) / 2)))

    def _calibrate_district_level(self, year: int) -> None:
        """Set each district's welfare level so its income-poor share is near its target at the
        start (income corrections then stay small)."""
        reg = self.reg
        n_d = len(self.districts)
        self.district_level = np.zeros(n_d)
        idx = np.arange(len(reg["serial"]))
        raw = self._welfare(idx, year)
        standard = config.standard_for_year(year)
        first_line = {
            a: standard.income_floor[a] or standard.income_line[a] for a in ("rural", "urban")
        }
        urban = self.commune_urban[reg["commune"]]
        gap = raw - np.log(_by_area(first_line, urban) / RURAL_LINE_2016)
        targets = self._targets(self.path[year], np.bincount(reg["district"], minlength=n_d))
        for k in range(n_d):
            g = gap[reg["district"] == k]
            if len(g):
                self.district_level[k] = -np.quantile(g, targets[k])

    def _calibrate_income(self, year, base, dcount, urban, district, standard) -> None:
        """Per district, the income correction that makes exactly round(target * n) households
        poor: a household is poor iff correction <= its margin (log line or floor - base)."""
        floor_value = _by_area(standard.income_floor, urban)  # NaN where the period has none
        floor = np.full(len(base), -np.inf)
        has_floor = ~np.isnan(floor_value)
        floor[has_floor] = np.log(floor_value[has_floor])
        line = np.log(_by_area(standard.income_line, urban))
        margin = np.where(dcount >= standard.deprivation_threshold, line, floor) - base
        n_d = len(self.districts)
        targets = self._targets(self.path[year], np.bincount(district, minlength=n_d))
        self._solve_correction(margin, district, targets)

    def _near_poor_target(self, year: int, standard: config.Standard) -> float | None:
        """The year's near-poor rate (%) to calibrate to, or None."""
        if year not in self.near_path:
            return None
        if year not in self.path or any(v is not None for v in standard.income_floor.values()):
            raise ValueError(
                f"{year}: a near-poor rate is calibrated only with a poverty rate, under a "
                "standard without an income floor (sample/profiles.py NEAR_POOR_RATE_PATH)"
            )
        return self.near_path[year]

    def _calibrate_line_share(self, year, near_poor, base, urban, district, standard) -> None:
        """Per district, the income correction that puts its poor + near-poor target under the
        income line (under a standard without a floor, income alone decides that share)."""
        margin = np.log(_by_area(standard.income_line, urban)) - base
        weights = np.bincount(district, minlength=len(self.districts))
        self._solve_correction(
            margin, district, self._targets(self.path[year] + near_poor, weights)
        )

    def _calibrate_deprivation(self, year, income, excess, urban, standard) -> None:
        """The province-wide shift of the deprivation model that makes exactly round(rate *
        n) households poor, given who is under the line: a household has at least
        `threshold` deprivations iff the shift is above its threshold-th smallest excess."""
        under = income <= _by_area(standard.income_line, urban)
        t = standard.deprivation_threshold
        if not excess or t > len(excess) or not under.any():
            return
        stacked = np.stack([e[under] for e in excess.values()])
        need = np.sort(np.partition(stacked, t - 1, axis=0)[t - 1])
        n_poor = min(int(round(self.path[year] / 100.0 * len(income))), len(need))
        if n_poor == 0:
            shift = need[0] - 0.1
        elif n_poor == len(need):
            shift = need[-1] + 0.1
        else:
            shift = (need[n_poor - 1] + need[n_poor]) / 2
        self.deprivation_shift[standard.period] = float(shift)

    def _solve_correction(
        self, margin: np.ndarray, district: np.ndarray, targets: np.ndarray
    ) -> None:
        """Per district, the income correction that makes exactly round(target * n) households
        count: a household counts iff correction <= its margin."""
        for k in range(len(self.districts)):
            m = np.sort(margin[district == k])[::-1]
            n_in = int(round(targets[k] * len(m)))
            if not len(m) or n_in > np.isfinite(m).sum():
                continue
            # Halfway between the last counted household's margin and the next one's.
            upper = m[n_in - 1] if n_in > 0 else m[0] + 0.2
            lower = m[n_in] if n_in < len(m) and np.isfinite(m[n_in]) else upper - 0.2
            self.correction[k] = (upper + lower) / 2

    def _move(self, year: int) -> None:
        """Households leave, split and arrive; sizes and shocks move on."""
        rng = self.rng
        reg = self.reg
        alive = np.flatnonzero(reg["alive"])
        n = len(alive)
        # Leave (move away or dissolve); lone elderly households more often.
        p_leave = LEAVE_RATE * np.where(reg["social_protection"][alive], 4.0, 1.0)
        leaving = alive[rng.random(n) < p_leave]
        reg["alive"][leaving] = False
        alive = np.flatnonzero(reg["alive"])
        n = len(alive)
        # Shocks and sizes move on.
        reg["shock"][alive] = SHOCK_PERSISTENCE * reg["shock"][alive] + rng.normal(
            0.0, SIGMA_SHOCK * np.sqrt(1 - SHOCK_PERSISTENCE**2), n
        )
        size = reg["size"][alive]
        size = size + (rng.random(n) < 0.07) - ((rng.random(n) < 0.04) & (size > 1))
        # Split: a grown child's family starts its own household (new id).
        p_split = SPLIT_RATE * np.clip(size - 2, 0, 8) / 3.2
        splitting = rng.random(n) < p_split
        parents = alive[splitting]
        reg["size"][alive] = np.where(splitting, np.maximum(size - 2, 1), size)
        if len(parents):
            self._new_households(reg["commune"][parents], year, parent=parents)
        # Arrivals: towns and wards draw more.
        first_year, later_rate = LATER_ARRIVALS
        n_arrive = rng.binomial(n, later_rate if year >= first_year else ARRIVE_RATE)
        pull = self.commune_share * np.where(self.commune_urban, 3.0, 1.0)
        commune = np.sort(rng.choice(len(pull), size=n_arrive, p=pull / pull.sum()))
        if n_arrive:
            first_arrival = len(self.reg["serial"])
            self._new_households(commune, year)
            self.reg["arrived"][first_arrival:] = True

    def _notes(self, alive: np.ndarray, year: int) -> np.ndarray:
        reg = self.reg
        rng = self.rng
        note = np.full(len(alive), "", dtype=object)
        random_note = rng.random(len(alive)) < NOTE_RATE
        pick = rng.integers(0, len(NOTES), len(alive))
        note[random_note] = np.array(NOTES, dtype=object)[pick[random_note]]
        new = reg["born"][alive] == year
        split = new & (reg["parent"][alive] >= 0)
        if split.any():
            parent = reg["parent"][alive[split]]
            note[split] = SPLIT_NOTE + reg["id"][parent]
        note[new & reg["arrived"][alive]] = ARRIVAL_NOTE
        return note

    def _make_ids(self, unit: np.ndarray, serial: np.ndarray, digits: int) -> np.ndarray:
        """`<province initials>-<unit number>-<serial, 6 digits>`: up to 2024 the district's
        number in 2 digits (its position in config's units, e.g. `DB-03-000123`), from 2025 the
        new commune's in 3 (its position on the year's map, e.g. `DB-007-000012`), then a
        serial never reused under that prefix."""
        prefix = "".join(part[:1] for part in self.province.code.split("-")).upper()
        if len(serial) and serial.max() > 999_999:
            raise ValueError("more than 999,999 households in one unit")
        return np.array(
            [
                f"{prefix}-{u:0{digits}d}-{s:06d}"
                for u, s in zip(unit.tolist(), serial.tolist(), strict=True)
            ],
            dtype=object,
        )

    # --- output -----------------------------------------------------------------------------
    def frame(self, snap: _Snapshot, standard: config.Standard, with_scores: bool) -> pd.DataFrame:
        reg = self.reg
        idx = snap.idx
        commune = reg["commune"][idx]
        places = self._places(snap.year)
        urban = places.urban[commune]
        shows_cccd = snap.year >= reg["cccd_year"][idx]
        id_number = np.where(
            shows_cccd,
            reg["cccd"][idx],
            np.where(reg["has_cmnd"][idx], reg["cmnd"][idx], ""),
        )
        data: dict[str, object] = {
            "household_id": reg["id"][idx],
            "head_name": reg["head_name"][idx],
            "head_id_number": id_number,
            # No district column from the 2025 reform (workbook-layout.md).
            **(
                {"district": np.array(self.districts, dtype=object)[places.district[commune]]}
                if places.has_districts
                else {}
            ),
            "commune": places.commune[commune],
            "village": self.village_names[reg["village"][idx]],
            "area": np.where(urban, URBAN_LABEL, RURAL_LABEL),
            "ethnicity": self.groups[reg["ethnicity"][idx]],
            "household_size": snap.size.astype(np.int64),
            "income_per_capita": snap.income,
        }
        data |= {k: snap.deprived[k] for k in standard.indicator_keys}
        if with_scores:
            data["income_score"] = income_score(snap.income, urban, standard)
            dcount = np.sum([snap.deprived[k] for k in standard.indicator_keys], axis=0)
            data["deprivation_score"] = (dcount * standard.points_per_indicator).astype(np.int64)
        listed = np.isin(snap.commune_class, [POOR, NEAR_POOR])
        data |= {
            "meritorious": reg["meritorious"][idx],
            # A social-protection household's members all lack working capacity (its definition).
            "no_working_capacity": reg["social_protection"][idx],
            "poverty_cause": np.where(listed, poverty_causes(reg["id"][idx]), ""),
            "head_sex": np.where(female_heads(reg["head_name"][idx]), "Nữ", "Nam"),
            "social_protection": reg["social_protection"][idx],
            "commune_classification": np.array(CLASS_LABELS, dtype=object)[snap.commune_class],
            "note": snap.note,
        }
        return pd.DataFrame(data)


def female_heads(names: np.ndarray) -> np.ndarray:
    """Heads written with a woman's middle name (Thị, Mý, ...): the name says the sex, so no
    draw of the generator is spent on it (a new draw would shift every later year's sample)."""
    female = {m for _, _, women, _ in NAMES.values() for m in women}
    middles = female - {m for _, men, _, _ in NAMES.values() for m in men}
    return np.array([n.split(" ")[1] in middles for n in names], dtype=bool)


def poverty_causes(ids: np.ndarray) -> np.ndarray:
    """The cause the commune records for a household on its lists, by a hash of its id (no
    draw of the generator spent), with the shares of CAUSE_SHARES."""
    labels = np.array(list(CAUSE_SHARES), dtype=object)
    edges = np.cumsum(list(CAUSE_SHARES.values()))
    u = np.array([zlib.crc32(i.encode()) / 2**32 for i in ids])
    return labels[np.minimum(np.searchsorted(edges, u * edges[-1], side="right"), len(labels) - 1)]


def written_income(
    log_income: np.ndarray, urban: np.ndarray, standard: config.Standard
) -> np.ndarray:
    """Income per person a month as a review writes it, in whole thousand đồng: the tails of
    the model's income compressed smoothly (`profiles.INCOME_LOW_*`, `INCOME_HIGH_*`), below
    a knee under every line and above one over the average-living line, so no household
    crosses a line; rounded up, so "at most the line" (a multiple of 1,000) keeps its set."""
    line = np.log(_by_area(standard.income_line, urban))
    average = np.log(_by_area(standard.average_line, urban))
    floor = _by_area(standard.income_floor, urban, default=np.inf)
    if (INCOME_LOW_KNEE * np.exp(line) >= floor).any():
        raise ValueError("the low-income knee must lie under the income floor")
    # In log units relative to the line, below the knee: x -> bound + (knee - bound) *
    # exp((x - knee) / (knee - bound)), which meets x with slope 1 at the knee, keeps the order
    # and never goes under the bound; mirrored above the knee over the average-living line.
    x = log_income - line
    knee, bound = np.log(INCOME_LOW_KNEE), np.log(INCOME_LOW_BOUND)
    low = x < knee
    x[low] = bound + (knee - bound) * np.exp((x[low] - knee) / (knee - bound))
    y = x + line - average
    knee, bound = np.log(INCOME_HIGH_KNEE), np.log(INCOME_HIGH_BOUND)
    high = y > knee
    y[high] = bound - (bound - knee) * np.exp(-(y[high] - knee) / (bound - knee))
    return (np.ceil(np.exp(y + average) / 1000.0) * 1000).astype(np.int64)


def income_score(income: np.ndarray, urban: np.ndarray, standard: config.Standard) -> np.ndarray:
    """The review form's proxy-income score for an income, consistent with the rule: the score
    is at most the score line (floor) exactly when the income is at most the income line (floor).

    Linear in log income through (line, score line), with the slope the floor and line points
    give (where the period has a floor) or the 2016–2021 rural one (84 points per log unit).
    """
    line = _by_area(standard.income_line, urban)
    score_line = _by_area(standard.score_line, urban)
    slope = np.full(len(income), SCORE_SLOPE)
    floor = _by_area(standard.income_floor, urban)
    score_floor = _by_area(standard.score_floor, urban)
    has = ~np.isnan(floor) & ~np.isnan(score_floor)
    slope[has] = (score_line[has] - score_floor[has]) / np.log(line[has] / floor[has])
    raw = score_line + slope * np.log(np.maximum(income, 1) / line)
    score = np.ceil(np.round(raw, 9))  # ceil keeps "<= line" on the right side of both anchors
    return np.maximum(score, 0).astype(np.int64)
