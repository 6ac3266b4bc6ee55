-- Rates by year and scope (poverty-standards.md, "Rates and changes"): household counts, not
-- people, over ALL resident households. poverty_rate = poor / households x 100 (checked on Điện
-- Biên's end-2018 figures: 47,336 / 127,667 = 37.08%); ethnic_minority_poverty_rate = poor
-- ethnic-minority households / all ethnic-minority households x 100; from the 2021 review on
-- (the 2022-2026 standard; ref.standards.multidimensional_rate) the national headline
-- multidimensional_poverty_rate = (poor + near-poor) / households x 100.
--
-- Households: every household listed (the not reviewed included: status not_reviewed), plus,
-- where a workbook gives its communes' resident totals (core.resident_totals), the residents
-- not listed: neither poor nor near-poor, in the commune's own area type (a ward urban, a
-- commune rural) and counted as ethnic minority as far as the totals say so. Scopes whose
-- members are not known for them (ethnic_group) count the listed households only.
--
-- Scopes: province; district (the years that had districts); commune (the year's communes:
-- parent = the district up to 2024, null from 2025); current_commune (every year counted on
-- today's 45 units: a commune's series runs unbroken from the first loaded year and adds up
-- to the province); ethnic_group; area (the household's own: urban / rural); poor_districts.
-- Changes are in points against the previous census year in the warehouse (a cut of X points
-- is a change of -X); crosses_standard_change flags a change between two standards.
CREATE OR REPLACE MACRO marts.poverty_rates_rows(from_year) AS TABLE
WITH province AS (
    SELECT name AS province FROM ref.province
),
scoped AS (
    SELECT 'province' AS scope, p.province AS name, NULL AS parent, s.*
    FROM marts.statuses(from_year) AS s CROSS JOIN province AS p
    UNION ALL
    SELECT 'district', district, NULL, * FROM marts.statuses(from_year) WHERE district IS NOT NULL
    UNION ALL
    SELECT 'commune', commune, district, * FROM marts.statuses(from_year)
    UNION ALL
    SELECT 'current_commune', current_commune, NULL, * FROM marts.statuses(from_year)
    UNION ALL
    SELECT 'ethnic_group', ethnicity, NULL, * FROM marts.statuses(from_year)
    UNION ALL
    SELECT 'area', area, NULL, * FROM marts.statuses(from_year)
    UNION ALL
    SELECT 'poor_districts', 'poor districts', NULL, * FROM marts.statuses(from_year) WHERE is_poor_district
),
listed AS (
    SELECT
        year,
        scope,
        name,
        parent,
        count(*) AS households,
        count(*) FILTER (status = 'not_reviewed') AS not_reviewed,
        count(*) FILTER (status = 'poor') AS poor,
        count(*) FILTER (status = 'near_poor') AS near_poor,
        count(*) FILTER (status = 'poor' AND poverty_kind = 'income') AS income_poor,
        count(*) FILTER (is_ethnic_minority) AS ethnic_minority_households,
        count(*) FILTER (is_ethnic_minority AND status = 'poor') AS ethnic_minority_poor
    FROM scoped
    GROUP BY ALL
),
-- Residents a workbook's totals sheet counts beyond the households it lists.
unlisted AS (
    SELECT
        t.year,
        t.district,
        t.commune,
        coalesce(any_value(c.current_commune), t.commune) AS current_commune,
        CASE WHEN any_value(c.unit_type) IN ('ward', 'town') THEN 'urban' ELSE 'rural' END AS area,
        coalesce(bool_or(pd.is_poor_district), false) AS is_poor_district,
        greatest(sum(t.households) - coalesce(any_value(l.households), 0), 0) AS households,
        greatest(
            coalesce(sum(t.ethnic_minority_households), 0)
            - coalesce(any_value(l.ethnic_minority_households), 0),
            0
        ) AS ethnic_minority_households
    FROM core.resident_totals AS t
    LEFT JOIN listed AS l
        ON l.year = t.year AND l.scope = 'commune' AND l.name = t.commune
        AND l.parent IS NOT DISTINCT FROM t.district
    LEFT JOIN ref.communes AS c
        ON c.commune = t.commune AND c.district IS NOT DISTINCT FROM t.district
    LEFT JOIN ref.poor_districts AS pd
        ON pd.district = t.district AND t.year BETWEEN pd.first_year AND pd.last_year
    GROUP BY t.year, t.district, t.commune
),
unlisted_scoped AS (
    SELECT 'province' AS scope, p.province AS name, NULL AS parent, u.*
    FROM unlisted AS u CROSS JOIN province AS p
    UNION ALL
    SELECT 'district', district, NULL, * FROM unlisted WHERE district IS NOT NULL
    UNION ALL
    SELECT 'commune', commune, district, * FROM unlisted
    UNION ALL
    SELECT 'current_commune', current_commune, NULL, * FROM unlisted
    UNION ALL
    SELECT 'area', area, NULL, * FROM unlisted
    UNION ALL
    SELECT 'poor_districts', 'poor districts', NULL, * FROM unlisted WHERE is_poor_district
),
counted AS (
    SELECT
        l.year,
        l.scope,
        l.name,
        l.parent,
        CAST(l.households + coalesce(u.households, 0) AS BIGINT) AS households,
        l.households AS listed_households,
        CAST(l.not_reviewed + coalesce(u.households, 0) AS BIGINT) AS not_reviewed,
        l.poor,
        l.near_poor,
        l.income_poor,
        CAST(l.ethnic_minority_households + coalesce(u.ethnic_minority_households, 0) AS BIGINT)
            AS ethnic_minority_households,
        l.ethnic_minority_poor
    FROM listed AS l
    LEFT JOIN (
        SELECT year, scope, name, parent, sum(households) AS households,
               sum(ethnic_minority_households) AS ethnic_minority_households
        FROM unlisted_scoped GROUP BY ALL
    ) AS u
        ON u.year = l.year AND u.scope = l.scope AND u.name = l.name
        AND u.parent IS NOT DISTINCT FROM l.parent
),
rated AS (
    SELECT
        c.*,
        100.0 * c.poor / c.households AS poverty_rate,
        100.0 * c.near_poor / c.households AS near_poor_rate,
        CASE WHEN s.multidimensional_rate THEN 100.0 * (c.poor + c.near_poor) / c.households
        END AS multidimensional_poverty_rate,
        100.0 * c.ethnic_minority_poor / nullif(c.ethnic_minority_households, 0)
            AS ethnic_minority_poverty_rate,
        y.standard,
        y.crosses_standard_change,
        coalesce(s.provisional, '') <> '' AS provisional_standard
    FROM counted AS c
    JOIN marts.census_years() AS y USING (year)
    LEFT JOIN ref.standards AS s ON s.period = y.standard
)
SELECT
    r.*,
    prev.year AS previous_year,
    r.poverty_rate - prev.poverty_rate AS poverty_rate_change,
    r.near_poor_rate - prev.near_poor_rate AS near_poor_rate_change,
    r.multidimensional_poverty_rate - prev.multidimensional_poverty_rate
        AS multidimensional_poverty_rate_change,
    r.ethnic_minority_poverty_rate - prev.ethnic_minority_poverty_rate
        AS ethnic_minority_poverty_rate_change
FROM rated AS r
LEFT JOIN rated AS prev
    ON prev.scope = r.scope
    AND prev.name = r.name
    AND prev.parent IS NOT DISTINCT FROM r.parent
    AND prev.year = (SELECT max(year) FROM rated AS e WHERE e.year < r.year)
ORDER BY year, scope, parent, name;
