"""What a year's reports show, read from the marts with SQL (one query per table or chart).

Rates are percentages of households (marts.poverty_rates; poverty-standards.md, "Rates and
changes"); counts are households. The words the reports use are in `reporting.vietnamese`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

import config
from reporting.quality import Quality, unit_quality

STATUS_ORDER = list(config.status_labels())  # poorest first

# The ethnic-group chart draws a bar for each group of at least this many households (a rate
# over fewer is too unsteady to compare); the smaller groups share one bar, "Khác".
ETHNIC_CHART_MIN_HOUSEHOLDS = 100


@dataclass(frozen=True)
class UnitWords:
    """How the report names the units the year reports by (districts up to the 2024 review,
    communes and wards from 2025, when Vietnam had no districts left)."""

    name: str  # in a sentence: "Tỷ lệ hộ nghèo theo {name}"
    header: str  # a table's column, an axis


UNIT_WORDS = {
    "district": UnitWords("huyện", "Huyện, thị xã, thành phố"),
    "commune": UnitWords("xã, phường", "Xã, phường"),
}

# The province's summary form (biểu tổng hợp): marts.summary_form, rows urban units, rural
# units, total; movement percentages there are of the poor at the start of the year.
SUMMARY_FORM = """
SELECT unit_group AS unit, * EXCLUDE (unit_group)
FROM marts.summary_form
WHERE year = $year
ORDER BY row_order
"""

# Each district this year beside last year; a poor district's target rate is last year's rate
# minus its target cut (marts.target_gap, indicator poverty_rate_cut).
DISTRICTS = """
SELECT
    r.name AS district,
    coalesce(p.is_poor_district, false) AS is_poor_district,
    r.households,
    r.poor,
    r.poverty_rate,
    r.poverty_rate - r.poverty_rate_change AS previous_rate,
    -r.poverty_rate_change AS cut,
    g.target AS target_cut,
    g.baseline - g.target AS target_rate,
    g.on_track,
    r.near_poor,
    r.near_poor_rate,
    r.ethnic_minority_poverty_rate
FROM marts.poverty_rates AS r
LEFT JOIN ref.poor_districts AS p
    ON p.district = r.name AND r.year BETWEEN p.first_year AND p.last_year
LEFT JOIN marts.target_gap AS g
    ON g.year = r.year AND g.scope = 'district' AND g.name = r.name
    AND g.indicator = 'poverty_rate_cut'
WHERE r.year = $year AND r.scope = $scope
ORDER BY r.poverty_rate DESC
"""

ETHNIC_GROUPS = """
SELECT
    r.name AS ethnicity,
    coalesce(e.is_ethnic_minority, true) AS is_ethnic_minority,
    r.households,
    r.poor,
    r.poverty_rate,
    -r.poverty_rate_change AS cut,
    r.near_poor,
    r.near_poor_rate
FROM marts.poverty_rates AS r
LEFT JOIN ref.ethnic_groups AS e ON e.ethnicity = r.name
WHERE r.year = $year AND r.scope = 'ethnic_group'
ORDER BY r.households DESC, r.name
"""

# The bars of the ethnic-group chart: each group of at least $min_households households, then
# the smaller groups and any household without one together (ethnicity NULL; `groups`: the
# named groups in it), so that no listed household is left out. is_ethnic_minority is NULL for
# a bar mixing both.
ETHNIC_CHART = """
WITH g AS (
    SELECT r.name, coalesce(e.is_ethnic_minority, true) AS minority, r.households, r.poor,
           r.households < $min_households OR r.name IS NULL AS small
    FROM marts.poverty_rates AS r
    LEFT JOIN ref.ethnic_groups AS e ON e.ethnicity = r.name
    WHERE r.year = $year AND r.scope = 'ethnic_group'
)
SELECT
    CASE WHEN small THEN NULL ELSE name END AS ethnicity,
    CASE WHEN bool_and(minority) THEN true WHEN NOT bool_or(minority) THEN false END
        AS is_ethnic_minority,
    count(name) AS groups,
    sum(households) AS households,
    sum(poor) AS poor,
    100.0 * sum(poor) / nullif(sum(households), 0) AS poverty_rate
FROM g
GROUP BY small, CASE WHEN small THEN NULL ELSE name END
ORDER BY small, households DESC, ethnicity
"""

TREND = """
SELECT year, scope, name, households, poor, poverty_rate, near_poor_rate,
       ethnic_minority_poverty_rate
FROM marts.poverty_rates
WHERE scope IN ('province', 'poor_districts') AND year <= $year
ORDER BY year, scope
"""

TARGET_GAP = """
SELECT scope, name, indicator, unit, baseline, target, actual, gap, on_track, direction, source,
       source_vi
FROM marts.target_gap
WHERE year = $year
ORDER BY CASE scope WHEN 'province' THEN 0 WHEN 'poor_districts' THEN 1 ELSE 2 END, name,
         indicator
"""

# Every year some target of the province's plans covers (ref.targets), to say so in a year
# none covers.
TARGET_YEARS = """
SELECT DISTINCT unnest(range(first_year, last_year + 1)) AS year FROM ref.targets ORDER BY year
"""

# Households of the province by last year's status (rows) and this year's (columns), paired by
# household id whatever their district; new households and those gone are their own row/column.
FLOWS = """
WITH previous AS (
    SELECT household_id, status FROM marts.household_status
    WHERE year = (SELECT max(year) FROM marts.household_status WHERE year < $year)
),
current AS (
    SELECT household_id, status FROM marts.household_status WHERE year = $year
)
SELECT
    coalesce(p.status, 'arrived') AS previous_status,
    coalesce(c.status, 'left') AS status,
    count(*) AS households
FROM previous AS p
FULL JOIN current AS c USING (household_id)
WHERE EXISTS (SELECT 1 FROM previous)
GROUP BY ALL
"""


@dataclass
class ReportData:
    year: int
    province: str
    previous_year: int | None
    config: config.Province
    quality: Quality
    unit_scope: str  # the year's reporting units: "district" up to 2024, "commune" from 2025
    summary: pd.DataFrame
    districts: pd.DataFrame
    ethnic_groups: pd.DataFrame
    ethnic_chart: pd.DataFrame  # the chart's bars (ETHNIC_CHART)
    trend: pd.DataFrame
    target_gap: pd.DataFrame
    target_years: list[int]  # the years the plans' targets cover, this year or not
    flows: pd.DataFrame  # previous status x status, household counts (empty in the first year)

    @property
    def units(self) -> UnitWords:
        """The words for the units the year reports by."""
        return UNIT_WORDS[self.unit_scope]


def load(warehouse: Path | str, year: int) -> ReportData:
    """Every table the reports need, read-only (the flow's file or the analysts' copy)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        code = con.execute("SELECT code FROM ref.province").fetchone()[0]
        province_config = config.load_province(code)
        scope = "district" if province_config.map(year).has_districts else "commune"

        params = {"year": year, "scope": scope, "min_households": ETHNIC_CHART_MIN_HOUSEHOLDS}

        def q(sql: str) -> pd.DataFrame:
            return con.execute(sql, {k: v for k, v in params.items() if f"${k}" in sql}).df()

        years = [
            r[0] for r in con.execute("SELECT DISTINCT year FROM marts.poverty_rates").fetchall()
        ]
        if year not in years:
            raise LookupError(
                f"{warehouse} không có năm rà soát {year} (có các năm {sorted(years)}) / "
                f"no census year {year} in {warehouse} (it holds {sorted(years)})"
            )
        province = province_config.name
        flows = q(FLOWS)
        matrix = flows.pivot_table(
            index="previous_status", columns="status", values="households", aggfunc="sum"
        )
        rows = [s for s in [*STATUS_ORDER, "arrived"] if s in matrix.index]
        cols = [s for s in [*STATUS_ORDER, "left"] if s in matrix.columns]
        earlier = [y for y in years if y < year]
        return ReportData(
            year=year,
            province=province,
            previous_year=max(earlier) if earlier else None,
            config=province_config,
            quality=unit_quality(con, year, province_config),
            unit_scope=scope,
            summary=q(SUMMARY_FORM),
            districts=q(DISTRICTS),
            ethnic_groups=q(ETHNIC_GROUPS),
            ethnic_chart=q(ETHNIC_CHART),
            trend=q(TREND),
            target_gap=q(TARGET_GAP),
            target_years=[int(y) for y in q(TARGET_YEARS)["year"]],
            flows=matrix.reindex(index=rows, columns=cols).fillna(0).astype(int),
        )
