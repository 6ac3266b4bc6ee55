-- Rates by year and scope (poverty-standards.md, "Rates and changes"): household counts, not
-- people. poverty_rate = poor / all households x 100 (checked on Điện Biên's end-2018 figures:
-- 47,336 / 127,667 = 37.08%); ethnic_minority_poverty_rate = poor ethnic-minority households /
-- all ethnic-minority households x 100. Changes are in points against the previous census
-- year in the warehouse (a cut of X points is a change of -X).
CREATE OR REPLACE TABLE marts.poverty_rates AS
WITH scoped AS (
    SELECT 'province' AS scope, p.province AS name, NULL AS parent, s.*
    FROM marts.household_status AS s CROSS JOIN (SELECT any_value(province) AS province FROM ref.districts) AS p
    UNION ALL
    SELECT 'district', district, NULL, * FROM marts.household_status
    UNION ALL
    SELECT 'commune', commune, district, * FROM marts.household_status
    UNION ALL
    SELECT 'ethnic_group', ethnicity, NULL, * FROM marts.household_status
    UNION ALL
    SELECT 'area', area, NULL, * FROM marts.household_status
    UNION ALL
    SELECT 'poor_districts', 'poor districts', NULL, * FROM marts.household_status WHERE is_poor_district
),
counted AS (
    SELECT
        year,
        scope,
        name,
        parent,
        count(*) AS households,
        count(*) FILTER (status = 'poor') AS poor,
        count(*) FILTER (status = 'near_poor') AS near_poor,
        count(*) FILTER (status = 'poor' AND poverty_kind = 'income') AS income_poor,
        count(*) FILTER (is_ethnic_minority) AS ethnic_minority_households,
        count(*) FILTER (is_ethnic_minority AND status = 'poor') AS ethnic_minority_poor
    FROM scoped
    GROUP BY ALL
),
rated AS (
    SELECT
        *,
        100.0 * poor / households AS poverty_rate,
        100.0 * near_poor / households AS near_poor_rate,
        100.0 * ethnic_minority_poor / nullif(ethnic_minority_households, 0)
            AS ethnic_minority_poverty_rate
    FROM counted
)
SELECT
    r.*,
    prev.year AS previous_year,
    r.poverty_rate - prev.poverty_rate AS poverty_rate_change,
    r.near_poor_rate - prev.near_poor_rate AS near_poor_rate_change,
    r.ethnic_minority_poverty_rate - prev.ethnic_minority_poverty_rate
        AS ethnic_minority_poverty_rate_change
FROM rated AS r
LEFT JOIN rated AS prev
    ON prev.scope = r.scope
    AND prev.name = r.name
    AND prev.parent IS NOT DISTINCT FROM r.parent
    AND prev.year = (SELECT max(year) FROM rated AS e WHERE e.year < r.year)
ORDER BY year, scope, parent, name;
