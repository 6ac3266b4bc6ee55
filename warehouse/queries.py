"""Read-side queries the command line prints; the SQL says what each table shows."""

from __future__ import annotations

import duckdb
import pandas as pd

RATES = """
SELECT year, scope, name, households, poor, near_poor,
       round(poverty_rate, 2) AS poverty_rate,
       round(near_poor_rate, 2) AS near_poor_rate,
       round(ethnic_minority_poverty_rate, 2) AS ethnic_minority_poverty_rate,
       round(-poverty_rate_change, 2) AS poverty_rate_cut
FROM marts.poverty_rates
WHERE scope IN ('province', 'poor_districts', 'district') AND year = ANY(?)
ORDER BY year, CASE scope WHEN 'province' THEN 0 WHEN 'poor_districts' THEN 1 ELSE 2 END, name
"""

TARGET_GAP = """
SELECT year, scope, name, indicator, unit, round(baseline, 2) AS baseline,
       round(target, 2) AS target, round(actual, 2) AS actual, round(gap, 2) AS gap, on_track
FROM marts.target_gap
WHERE year = ANY(?)
ORDER BY year, CASE scope WHEN 'province' THEN 0 WHEN 'poor_districts' THEN 1 ELSE 2 END,
         name, indicator
"""


def rates(con: duckdb.DuckDBPyConnection, years: list[int]) -> pd.DataFrame:
    return con.execute(RATES, [years]).df()


def target_gap(con: duckdb.DuckDBPyConnection, years: list[int]) -> pd.DataFrame:
    return con.execute(TARGET_GAP, [years]).df()
