"""The data-quality note that travels with every form and report of a review year: per unit,
the rows read, loaded, rejected (and why) and skipped, the units missing or whose latest
workbook was refused or failed, and the values still provisional. A unit whose figures rest on
a partial load (rows of its loaded workbook rejected) or on an earlier version (its new
workbook refused) is marked wherever it appears (`MARK`).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

import config
from reporting import vietnamese as vi

QUALITY_SHEET = "Chất lượng số liệu"
MARK = " (*)"
MARK_NOTE = (
    "(*) Số liệu của đơn vị dựa trên tệp có dòng bị loại, hoặc trên phiên bản nạp trước do tệp "
    "mới không được nạp: xem trang Chất lượng số liệu."
)

# Per reporting unit of the year: the workbooks loaded (their rows and findings: a unit sent in
# parts has several), and the last word of the latest run that read a workbook for it, when
# that workbook was not loaded. rows_read = rows_loaded + rows_rejected + rows_skipped (blank,
# totals, signature and heading rows; rows_heading is null in records older than the column).
UNIT_LOADS = """
WITH files AS (
    SELECT reporting_unit, source_file, file_hash, count(*) AS households
    FROM core.households WHERE year = $year GROUP BY ALL
),
loaded AS (
    SELECT reporting_unit, string_agg(source_file, ', ' ORDER BY source_file) AS source_file,
           sum(households) AS households
    FROM files GROUP BY reporting_unit
),
records AS (
    SELECT f.*, row_number() OVER (PARTITION BY f.file_hash ORDER BY f.recorded_at DESC) AS n
    FROM audit.ingest_files AS f WHERE f.year = $year
),
read_as AS (  -- the audit records of the versions loaded
    SELECT l.reporting_unit, sum(r.rows_read) AS rows_read, sum(r.rows_loaded) AS rows_loaded,
           sum(r.rows_rejected) AS rows_rejected,
           sum(r.rows_blank + r.rows_totals + r.rows_signature + coalesce(r.rows_heading, 0))
               AS rows_skipped
    FROM files AS l JOIN records AS r ON r.file_hash = l.file_hash AND r.n = 1
    GROUP BY l.reporting_unit
),
reasons AS (
    SELECT x.reporting_unit,
           string_agg(r.message_vi || ': ' || x.rows || ' dòng', '; ' ORDER BY x.rows DESC)
               AS reasons
    FROM (
        SELECT l.reporting_unit, j.rule_code, count(DISTINCT (j.file_hash, j.sheet, j.excel_row))
               AS rows
        FROM files AS l
        JOIN audit.rejections AS j ON j.file_hash = l.file_hash
        WHERE j.year = $year AND j.severity = 'error' AND j.excel_row IS NOT NULL
        GROUP BY ALL
    ) AS x
    JOIN ref.rules AS r USING (rule_code)
    GROUP BY x.reporting_unit
),
not_loaded AS (  -- the newest record of a workbook that was refused or failed, by unit
    SELECT u.unit AS reporting_unit, arg_max(r.status, r.recorded_at) AS status,
           arg_max(r.source_file || ': ' || coalesce(r.message, ''), r.recorded_at) AS why,
           max(r.recorded_at) AS at
    FROM records AS r, unnest(string_split(coalesce(r.reporting_unit, ''), ', ')) AS u(unit)
    WHERE r.n = 1 AND r.status IN ('refused', 'failed', 'no_valid_rows')
    GROUP BY u.unit
)
SELECT l.reporting_unit, l.source_file, l.households, a.rows_read, a.rows_loaded,
       a.rows_rejected, a.rows_skipped, s.reasons, n.status AS last_status, n.why AS last_why
FROM loaded AS l
LEFT JOIN read_as AS a USING (reporting_unit)
LEFT JOIN reasons AS s USING (reporting_unit)
LEFT JOIN not_loaded AS n USING (reporting_unit)
"""


@dataclass
class Quality:
    units: pd.DataFrame  # one row per reporting unit of the year's map (see `unit_quality`)
    provisional: list[str]  # what of the figures rests on a value not yet confirmed

    @property
    def marked(self) -> set[str]:
        """Reporting units whose figures rest on a partial load or an earlier version."""
        u = self.units
        return set(u.loc[u["marked"], "reporting_unit"])

    @property
    def missing(self) -> list[str]:
        return list(self.units.loc[self.units["state"] == "missing", "reporting_unit"])

    @property
    def missing_line(self) -> str:
        """The note's sentence naming the units without data (empty when none)."""
        missing = self.missing
        return f"Đơn vị chưa có số liệu: {', '.join(missing)}." if missing else ""


def unit_quality(con: duckdb.DuckDBPyConnection, year: int, province: config.Province) -> Quality:
    """The year's note, read from the warehouse (audit and core) and config."""
    loads = con.execute(UNIT_LOADS, {"year": year}).df().set_index("reporting_unit")
    m = province.map(year)
    # In Vietnamese dictionary order, as the forms list them (the map's order is its file's).
    units = sorted(m.districts["district"] if m.has_districts else m.communes["commune"],
                   key=vi.sort_key)  # fmt: skip
    frame = loads.reindex(units).rename_axis("reporting_unit").reset_index()
    rejected = frame["rows_rejected"].fillna(0) > 0
    kept = frame["last_status"].notna() & frame["source_file"].notna()
    frame["state"] = "loaded"
    frame.loc[rejected, "state"] = "partial"
    frame.loc[kept, "state"] = "kept"
    frame.loc[frame["source_file"].isna(), "state"] = "missing"
    frame["marked"] = rejected | kept
    return Quality(frame, provisional_values(con, year))


def provisional_values(con: duckdb.DuckDBPyConnection, year: int) -> list[str]:
    """The values of config the year's figures rest on that are still to confirm."""
    standard = config.standard_for_year(year)
    notes = []
    if standard.provisional:
        notes.append(f"{vi.provisional_note(standard.period)} ({standard.provisional_vi})")
    if (
        "to confirm"
        in config.periods_table().set_index("period").at[standard.period, "average_line_source"]
    ):
        notes.append(
            f"Ngưỡng mức sống trung bình của chuẩn {standard.period}: theo nguồn thứ cấp, "
            "chờ đối chiếu văn bản."
        )
    flags = con.execute(
        "SELECT district FROM ref.poor_districts WHERE ? BETWEEN first_year AND last_year "
        "AND source LIKE '%to confirm%' ORDER BY district",
        [year],
    ).fetchall()
    if flags:
        names = ", ".join(d for (d,) in flags)
        notes.append(f"Danh sách huyện nghèo chờ xác nhận đối với: {names}.")
    return notes


def quality_rows(quality: Quality) -> pd.DataFrame:
    """The note as a table a person reads (Vietnamese headers: reporting/tables.py)."""
    u = quality.units
    state = u["state"].map(STATE_VI)
    return pd.DataFrame(
        {
            "unit": u["reporting_unit"],
            "state": state,
            "source_file": u["source_file"].fillna(""),
            "rows_read": u["rows_read"],
            "rows_loaded": u["rows_loaded"],
            "rows_rejected": u["rows_rejected"],
            "rows_skipped": u["rows_skipped"],
            "reasons": u["reasons"].fillna(""),
            "last": u["last_why"].fillna(""),
        }
    )


STATE_VI = {
    "loaded": "Đã nạp đủ",
    "partial": "Đã nạp, có dòng bị loại (*)",
    "kept": "Giữ phiên bản nạp trước; tệp mới không được nạp (*)",
    "missing": "Chưa có số liệu",
}
