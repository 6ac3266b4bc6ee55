"""Read-side queries the command line prints; the SQL says what each table shows."""

from __future__ import annotations

import duckdb
import pandas as pd

RATES = """
SELECT year, scope, name, households, poor, near_poor,
       round(poverty_rate, 2) AS poverty_rate,
       round(near_poor_rate, 2) AS near_poor_rate,
       round(multidimensional_poverty_rate, 2) AS multidimensional_poverty_rate,
       round(ethnic_minority_poverty_rate, 2) AS ethnic_minority_poverty_rate,
       -- a cut a year: against the year before only (the previous census year may be older)
       CASE WHEN previous_year = year - 1 THEN round(-poverty_rate_change, 2) END
           AS poverty_rate_cut,
       standard, crosses_standard_change, provisional_standard
FROM marts.poverty_rates
WHERE scope = ANY(?) AND year = ANY(?)
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


def rates(
    con: duckdb.DuckDBPyConnection,
    years: list[int],
    scopes: tuple[str, ...] = ("province", "poor_districts", "district"),
) -> pd.DataFrame:
    return con.execute(RATES, [list(scopes), years]).df()


def target_gap(con: duckdb.DuckDBPyConnection, years: list[int]) -> pd.DataFrame:
    return con.execute(TARGET_GAP, [years]).df()


# Per-workbook outcome of one run (audit.ingest_files): counts only, no personal data.
RUN_FILES = """
SELECT source_file, coalesce(reporting_unit, '') AS reporting_unit, status, rows_read, rows_loaded,
       rows_rejected,
       rows_blank + rows_totals + rows_signature + coalesce(rows_heading, 0) AS rows_skipped,
       warnings, message
FROM audit.ingest_files
WHERE run_id = ?
ORDER BY reporting_unit, source_file
"""

# Findings of one run by workbook and rule: `rows` counts distinct Excel rows (0 for
# workbook-level findings such as an unreadable file), `findings` counts cells.
RUN_RULE_COUNTS = """
WITH counted AS (
    SELECT source_file, rule_code, severity,
           count(DISTINCT sheet || ':' || excel_row) AS rows, count(*) AS findings
    FROM audit.rejections
    WHERE run_id = ?
    GROUP BY ALL
)
SELECT c.source_file, c.rule_code, c.severity, ru.message_en AS rule, c.rows, c.findings
FROM counted AS c
LEFT JOIN ref.rules AS ru USING (rule_code)
ORDER BY c.source_file, CASE c.severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END,
         c.rule_code
"""

# Provinces whose runs a warehouse file already holds (one province per file).
PROVINCES = "SELECT DISTINCT province FROM audit.ingest_runs ORDER BY province"


def run_files(con: duckdb.DuckDBPyConnection, run_id: str) -> pd.DataFrame:
    return con.execute(RUN_FILES, [run_id]).df()


def run_rule_counts(con: duckdb.DuckDBPyConnection, run_id: str) -> pd.DataFrame:
    return con.execute(RUN_RULE_COUNTS, [run_id]).df()


def provinces(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [p for (p,) in con.execute(PROVINCES).fetchall()]


def previous_year(con: duckdb.DuckDBPyConnection, year: int) -> int | None:
    """The census year held before `year` (None: there is none to compare with)."""
    [(previous,)] = con.execute(
        "SELECT max(year) FROM core.households WHERE year < ?", [year]
    ).fetchall()
    return previous
