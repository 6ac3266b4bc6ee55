-- One row per household and year: the validated household beside its computed status.
CREATE OR REPLACE TABLE marts.household_status AS
SELECT
    h.year,
    h.household_id,
    h.district,
    h.commune,
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
    h.social_protection,
    h.commune_classification,
    coalesce(d.urban_unit, false) AS is_urban_unit,
    coalesce(p.is_poor_district, false) AS is_poor_district
FROM core.households AS h
JOIN core.classifications AS c USING (year, household_id)
LEFT JOIN ref.districts AS d ON d.district = h.district
LEFT JOIN ref.poor_districts AS p
    ON p.district = h.district AND h.year BETWEEN p.first_year AND p.last_year;
