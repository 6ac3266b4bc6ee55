-- One row per household and year: the validated household beside its computed status, with
-- its unit on today's map (current_commune: the 45 communes of Điện Biên since 1 July 2025;
-- an older commune maps to the unit it became, ref.communes.current_commune).
--
-- Each mart file defines `marts.<mart>_rows(from_year)`: the mart's rows of the census years
-- from `from_year` on (0: every year); writer.build_marts writes them into `marts.<mart>`.
CREATE OR REPLACE MACRO marts.household_status_rows(from_year) AS TABLE
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
    ON p.district = h.district AND h.year BETWEEN p.first_year AND p.last_year
WHERE h.year >= from_year;
