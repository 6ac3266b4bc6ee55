"""The households a commune posts and certifies after a review (Decision 24/2021/QĐ-TTg), read
from the flow's warehouse with SQL. The only reader of `private` outside the flow: what it
returns holds names and ID numbers, for the province's internal PDFs only (never the analysts'
copy, never an artifact).

A review held in census year Y decides the lists of year Y + 1 (poverty-standards.md, "Which
standard applies to which review"). The commune of a list is the commune of the review as
reported (`marts.household_status.commune`): up to the 2024 review a (district, commune) pair
of the old map, from 2025 one of the new communes. Movements are those of `marts.transitions`
against the previous census year in the warehouse, as the national form counts them: a household
that moved between today's communes left one and arrived in the other; it escaped nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

import config
from reporting.vietnamese import sort_key, unit_name
from transforms.units import same_unit
from warehouse import queries

# The four posted lists, in posting order (Decision 24/2021/QĐ-TTg, art. 4: poor, near-poor,
# escaped poverty, escaped near-poverty).
LISTS = ("poor", "near_poor", "escaped_poor", "escaped_near_poor")
CERTIFIED = ("poor", "near_poor")
# Escaped poverty: poor last year, not poor now (to near-poor, or above the near-poor line);
# escaped near-poverty: near-poor last year, neither poor nor near-poor now.
ESCAPED_POOR = ("to_near_poor", "above_near_poor")
ESCAPED_NEAR_POOR = ("above_near_poor",)

COMMUNES = """
SELECT s.district, s.commune, any_value(c.unit_type) AS unit_type,
       any_value(d.unit_type) AS district_type, count(*) AS households
FROM marts.household_status AS s
LEFT JOIN ref.communes AS c
    ON c.commune = s.commune AND c.district IS NOT DISTINCT FROM s.district
LEFT JOIN ref.districts AS d ON d.district = s.district
WHERE s.year = $year
GROUP BY s.district, s.commune
"""

# One row per household of the commune this year, with its head (private.households) and its
# movement against the previous census year (marts.transitions: the row in its commune of
# today, never the 'left' row of a commune it moved out of).
HOUSEHOLDS = """
SELECT s.household_id, s.village, s.household_size, s.ethnicity, s.status, s.standard,
       s.meritorious, s.no_working_capacity,
       p.head_name, p.head_id_number, t.poverty_movement, t.near_poverty_movement
FROM marts.household_status AS s
LEFT JOIN (
    SELECT year, household_id, reporting_unit, any_value(head_name) AS head_name,
           any_value(head_id_number) AS head_id_number
    FROM private.households
    GROUP BY ALL
) AS p ON p.year = s.year AND p.household_id = s.household_id
    AND p.reporting_unit = s.reporting_unit
LEFT JOIN marts.transitions AS t
    ON t.year = s.year AND t.household_id = s.household_id
    AND t.presence IS DISTINCT FROM 'left'
WHERE s.year = $year AND s.commune = $commune AND s.district IS NOT DISTINCT FROM $district
"""

# The standard each review applied (ref.standards: a review decides the next year's lists) and
# whether any of it is not yet confirmed.
STANDARDS = """
SELECT period AS standard, legal_source, procedure_source,
       coalesce(provisional, '') <> '' AS provisional
FROM ref.standards
"""

MEMBERS = """
SELECT m.household_id, m.member_name, m.ethnicity, m.relation, m.birth_year, m.sex
FROM private.members AS m
JOIN marts.household_status AS s
    ON s.year = m.year AND s.household_id = m.household_id
    AND s.reporting_unit = m.reporting_unit
WHERE s.year = $year AND s.commune = $commune AND s.district IS NOT DISTINCT FROM $district
ORDER BY m.household_id, m.source_file, m.sheet, m.excel_row
"""


@dataclass(frozen=True)
class Commune:
    """A commune of one review, as reported: the district is that of the old map (none from
    the 2025 review)."""

    year: int
    name: str
    district: str | None = None
    unit_type: str | None = None  # commune | ward | town (ref.communes)
    district_type: str | None = None  # district | town | city (ref.districts)

    @property
    def label(self) -> str:
        """`Xã Nà Hỳ`."""
        return unit_name(self.name, self.unit_type)

    @property
    def district_label(self) -> str | None:
        """`Huyện Nậm Pồ`, or None from the 2025 review."""
        return unit_name(self.district, self.district_type, "district") if self.district else None

    @property
    def params(self) -> dict[str, object]:
        return {"year": self.year, "commune": self.name, "district": self.district}


def check_province(con: duckdb.DuckDBPyConnection, province: config.Province) -> None:
    """Refuse a warehouse that holds another province's census (one province per file)."""
    others = [p for p in queries.provinces(con) if p != province.name]
    if others:
        raise LookupError(
            f"kho dữ liệu chứa số liệu rà soát của {', '.join(others)}, không phải "
            f"{province.name}: dùng --province với mã tỉnh đó / the warehouse holds the census "
            f"of {', '.join(others)}, not {province.name}: pass --province with that "
            "province's code"
        )


def communes(con: duckdb.DuckDBPyConnection, year: int, wanted: str | None = None) -> list[Commune]:
    """The communes of the review of `year` with households, in Vietnamese order of district,
    then commune; only those named `wanted` (any case, with or without diacritics or the unit
    type: `na hy`, `Xã Nà Hỳ`) when given."""
    found = con.execute(COMMUNES, {"year": year}).df()
    if found.empty:
        years = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT year FROM marts.household_status ORDER BY year"
            ).fetchall()
        ]
        raise LookupError(
            f"kho dữ liệu không có năm rà soát {year} (có các năm {years}) / "
            f"no census year {year} in the warehouse (it holds {years})"
        )
    out = [
        Commune(
            year,
            r["commune"],
            _text(r["district"]),
            _text(r["unit_type"]),
            _text(r["district_type"]),
        )
        for r in found.to_dict("records")
    ]
    out.sort(key=lambda c: (sort_key(c.district), sort_key(c.name)))
    if wanted is None:
        return out
    chosen = [c for c in out if same_unit(c.name, wanted)]
    if not chosen:
        known = ", ".join(c.name for c in out)
        raise LookupError(
            f"không có xã '{wanted}' trong rà soát năm {year} (các xã: {known}) / "
            f"no commune '{wanted}' in the {year} review (known: {known})"
        )
    return chosen


def review_standard(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, object]:
    """The standard the review of `year` applied: standard (period), legal_source,
    procedure_source, provisional (bool)."""
    sql = f"""
        SELECT st.* FROM ({STANDARDS}) AS st
        WHERE st.standard = (SELECT any_value(standard) FROM marts.household_status
                             WHERE year = ?)
    """
    found = con.execute(sql, [year]).df().to_dict("records")
    if not found:
        raise LookupError(
            f"không có chuẩn nghèo nào ghi cho rà soát năm {year} / "
            f"no standard recorded for the {year} review"
        )
    return found[0]


def _text(value: object) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


def _nullable(df: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """Text columns with None where missing (pandas reads a SQL NULL text as NaN, which
    prints as "nan" and is true)."""
    return df.assign(**{c: df[c].astype(object).where(df[c].notna(), None) for c in columns})


def _in_order(df: pd.DataFrame) -> pd.DataFrame:
    """By village, then head's name (Vietnamese alphabetical order), then household code."""
    keys = [
        (sort_key(v), sort_key(n), h)
        for v, n, h in zip(df["village"], df["head_name"], df["household_id"], strict=True)
    ]
    order = sorted(range(len(df)), key=keys.__getitem__)
    return df.iloc[order].reset_index(drop=True)


def households(con: duckdb.DuckDBPyConnection, commune: Commune) -> pd.DataFrame:
    """Every household of the commune in the review, with its head and movement, in list
    order (village, head's name)."""
    df = con.execute(HOUSEHOLDS, commune.params).df()
    text = ("head_name", "head_id_number", "poverty_movement", "near_poverty_movement")
    return _in_order(_nullable(df, text))


def posting_lists(con: duckdb.DuckDBPyConnection, commune: Commune) -> dict[str, pd.DataFrame]:
    """The four posted lists of the commune (`LISTS`), each in list order. The escape lists are
    empty when the warehouse holds no earlier year (`previous_year`)."""
    df = households(con, commune)
    return {
        "poor": df[df["status"] == "poor"],
        "near_poor": df[df["status"] == "near_poor"],
        "escaped_poor": df[df["poverty_movement"].isin(ESCAPED_POOR)],
        "escaped_near_poor": df[df["near_poverty_movement"].isin(ESCAPED_NEAR_POOR)],
    }


def certified(con: duckdb.DuckDBPyConnection, commune: Commune) -> pd.DataFrame:
    """The poor and near-poor households of the commune, each with its certificate's number
    (`number`, 1..N without gaps, per commune and review) in list order: by village, then
    head's name; with the legal sources of the standard the review applied."""
    df = households(con, commune)
    df = df[df["status"].isin(CERTIFIED)].reset_index(drop=True)
    df = df.merge(con.execute(STANDARDS).df(), on="standard", how="left")
    return df.assign(number=range(1, len(df) + 1))


def members(con: duckdb.DuckDBPyConnection, commune: Commune) -> dict[str, pd.DataFrame]:
    """Each household's members as the workbook's members sheet listed them (private.members),
    by household code; a household without a members sheet is absent."""
    df = _nullable(
        con.execute(MEMBERS, commune.params).df(), ("member_name", "ethnicity", "relation", "sex")
    )
    return {hid: rows.reset_index(drop=True) for hid, rows in df.groupby("household_id")}
