-- One row per household and year: the validated household beside its computed status, with
-- its unit on today's map (current_commune: the 45 communes of Điện Biên since 1 July 2025;
-- an older commune maps to the unit it became, ref.communes.current_commune).
CREATE OR REPLACE TABLE marts.household_status AS
SELECT
    h.year,
    h.household_id,
    h.reporting_unit,
    h.district,
    h.commune,
    coalesce(m.current_commune, h.commune) AS current_commune,
    h.village,
    h.area,
    h.ethnicity,
    h.is_ethnic_minority,
    h.household_size,
    h.income_per_capita,
    h.income_score,
    h.deprivation_score,
    c.deprivation_count,
    h.deprived_indicators,
    c.status,
    c.poverty_kind,
    c.basis,
    c.standard,
    c.reason,
    h.meritorious,
    h.no_working_capacity,
    h.poverty_cause,
    h.head_sex,
    h.social_protection,
    h.commune_classification,
    coalesce(d.urban_unit, false) AS is_urban_unit,
    coalesce(p.is_poor_district, false) AS is_poor_district
FROM core.households AS h
JOIN core.classifications AS c USING (year, household_id)
LEFT JOIN (
    SELECT DISTINCT district, commune, current_commune FROM ref.communes
) AS m ON m.commune = h.commune AND m.district IS NOT DISTINCT FROM h.district
LEFT JOIN ref.districts AS d ON d.district = h.district
LEFT JOIN ref.poor_districts AS p
    ON p.district = h.district AND h.year BETWEEN p.first_year AND p.last_year;

-- Each census year of the warehouse with the previous one loaded, and the standards the two
-- reviews applied (ref.standards, by the years of the lists each governs: a review decides the
-- following year's lists). A movement between two standards is counted as always and flagged:
-- the change of rule is not a change in households.
CREATE OR REPLACE MACRO marts.census_years() AS TABLE
    WITH years AS (
        SELECT y.year, lag(y.year) OVER (ORDER BY y.year) AS previous_year
        FROM (SELECT DISTINCT year FROM marts.household_status) AS y
    ),
    standards AS (
        SELECT y.year, s.period
        FROM (SELECT DISTINCT year FROM marts.household_status) AS y
        JOIN ref.standards AS s ON y.year + 1 BETWEEN s.first_list_year AND s.last_list_year
    )
    SELECT
        y.year,
        y.previous_year,
        cur.period AS standard,
        prev.period AS previous_standard,
        cur.period IS DISTINCT FROM prev.period AND y.previous_year IS NOT NULL
            AS crosses_standard_change
    FROM years AS y
    LEFT JOIN standards AS cur ON cur.year = y.year
    LEFT JOIN standards AS prev ON prev.year = y.previous_year;

-- The first census year each household was poor and near-poor: "poor in an earlier year" is
-- then first_poor < year (a window over each household's earlier years says the same, slower).
-- Shared by marts.transitions and marts.form_counts.
CREATE OR REPLACE MACRO marts.first_years() AS TABLE
    SELECT
        household_id,
        min(year) FILTER (WHERE status = 'poor') AS first_poor,
        min(year) FILTER (WHERE status = 'near_poor') AS first_near_poor
    FROM marts.household_status
    GROUP BY household_id;
