-- marts.multidimensional_index: Alkire–Foster (OPHI) adjusted headcount ratio, an analysis table
-- beside Vietnam's own rule (poverty-standards.md, "Related measure"; Alkire & Foster 2011,
-- "Counting and multidimensional poverty measurement", J. Public Econ. 95(7-8)).
--
-- Weights: each dimension of the household's standard (ref.indicators of the period in
-- core.classifications.standard) weighs 1 / number of dimensions, split equally among its
-- indicators (2016–2021: 5 dimensions x 2 indicators, 1/10 each; 2022–2026: 6 x 2, 1/12 each; 2027–2030 draft: 6 dimensions, 12 indicators).
-- A household's deprivation score c = sum of the weights of its deprived indicators
-- (core.households.deprived_indicators, also filled when the household was classified by score).
-- It is AF-poor when c >= k, k = 1/3 (OPHI's usual cut-off; an analysis choice, not law). The
-- comparison allows 1e-9 for the weights' rounding to 24 decimals (4 x 1/12 must equal 1/3).
--
-- Households: those reviewed (status not_reviewed has no deprivations to count). Scopes: the
-- province, the district (up to 2024: from 2025 there are none), today's commune
-- (current_commune: every year on today's map) and the ethnic group.
--
-- Layout: long, one row per (year, scope, name, indicator); the scope-level figures (households,
-- af_poor_households, headcount_ratio, intensity, m0) are repeated on each indicator row of the
-- scope (take one row per year, scope, name for the headline figures).
-- Columns
--   year, standard, scope (province | district | current_commune | ethnic_group), name, k
--   households                  n, all households of the scope
--   af_poor_households          q, households with c >= k
--   headcount_ratio             H = q / n                                          (0 to 1)
--   intensity                   A = sum of c over the AF-poor / q; null when q = 0 (0 to 1)
--   m0                          M0 = H x A = sum of c over the AF-poor / n; 0 when q = 0
--   indicator, dimension, weight
--   deprived_households         households deprived in the indicator (uncensored)
--   uncensored_headcount_ratio  deprived_households / n
--   censored_deprived_households  AF-poor households deprived in the indicator
--   censored_headcount_ratio    censored_deprived_households / n
--   contribution_pct            100 x weight x censored_headcount_ratio / M0: the indicator's
--                               share of M0 (sums to 100 over a scope's indicators; null when
--                               M0 = 0)
CREATE OR REPLACE MACRO marts.multidimensional_index_rows(from_year) AS TABLE
WITH params AS (
    SELECT 1.0 / 3 AS k, 1e-9 AS tolerance
),
-- A year's index counts that year's households alone (not marts.statuses, which adds the
-- year before for the marts that pair years).
households AS (
    FROM marts.household_status WHERE year >= from_year
),
weights AS (
    SELECT
        period,
        indicator,
        dimension,
        -- DECIMAL: sums of weights are exact, so the figures do not depend on the order in
        -- which parallel threads add them up (a double's sum does, in its last digits).
        CAST(
            1.0 / (
                count(DISTINCT dimension) OVER (PARTITION BY period)
                * count(*) OVER (PARTITION BY period, dimension)
            ) AS DECIMAL(38, 24)
        ) AS weight
    FROM ref.indicators
),
deprivations AS (
    SELECT s.year, s.household_id, w.indicator, w.weight
    FROM (
        SELECT year, household_id, standard, unnest(deprived_indicators) AS indicator
        FROM households
    ) AS s
    JOIN weights AS w ON w.period = s.standard AND w.indicator = s.indicator
),
scored AS (
    SELECT
        s.year,
        s.household_id,
        s.standard,
        s.district,
        s.current_commune,
        s.ethnicity,
        coalesce(d.score, 0) AS score,
        coalesce(d.score, 0) >= p.k - p.tolerance AS af_poor
    FROM households AS s
    CROSS JOIN params AS p
    LEFT JOIN (
        SELECT year, household_id, sum(weight) AS score FROM deprivations GROUP BY ALL
    ) AS d USING (year, household_id)
    WHERE s.status <> 'not_reviewed'
),
scoped AS (
    SELECT 'province' AS scope, r.province AS name, s.*
    FROM scored AS s
    CROSS JOIN (SELECT name AS province FROM ref.province) AS r
    UNION ALL
    SELECT 'district', district, * FROM scored WHERE district IS NOT NULL
    UNION ALL
    SELECT 'current_commune', current_commune, * FROM scored
    UNION ALL
    SELECT 'ethnic_group', ethnicity, * FROM scored
),
headline AS (
    SELECT
        year,
        standard,
        scope,
        name,
        count(*) AS households,
        count(*) FILTER (af_poor) AS af_poor_households,
        CAST(coalesce(sum(score) FILTER (af_poor), 0) AS DOUBLE) AS poor_score_sum
    FROM scoped
    GROUP BY ALL
),
-- Each deprivation beside its household's score, joined once and then counted per scope
-- (joining every scope's rows to the deprivations took 3 joins of a nation's size).
deprived AS (
    SELECT d.year, d.indicator, s.district, s.current_commune, s.ethnicity, s.af_poor
    FROM deprivations AS d
    JOIN scored AS s USING (year, household_id)
),
by_indicator AS (
    SELECT
        year,
        scope,
        name,
        indicator,
        count(*) AS deprived_households,
        count(*) FILTER (af_poor) AS censored_deprived_households
    FROM (
        SELECT 'province' AS scope, r.province AS name, d.*
        FROM deprived AS d
        CROSS JOIN (SELECT name AS province FROM ref.province) AS r
        UNION ALL
        SELECT 'district', district, * FROM deprived WHERE district IS NOT NULL
        UNION ALL
        SELECT 'current_commune', current_commune, * FROM deprived
        UNION ALL
        SELECT 'ethnic_group', ethnicity, * FROM deprived
    )
    GROUP BY year, scope, name, indicator
)
SELECT
    h.year,
    h.standard,
    h.scope,
    h.name,
    p.k,
    h.households,
    h.af_poor_households,
    h.af_poor_households / h.households AS headcount_ratio,
    h.poor_score_sum / nullif(h.af_poor_households, 0) AS intensity,
    h.poor_score_sum / h.households AS m0,
    w.indicator,
    w.dimension,
    CAST(w.weight AS DOUBLE) AS weight,
    coalesce(b.deprived_households, 0) AS deprived_households,
    coalesce(b.deprived_households, 0) / h.households AS uncensored_headcount_ratio,
    coalesce(b.censored_deprived_households, 0) AS censored_deprived_households,
    coalesce(b.censored_deprived_households, 0) / h.households AS censored_headcount_ratio,
    100.0 * CAST(w.weight AS DOUBLE) * coalesce(b.censored_deprived_households, 0)
        / nullif(h.poor_score_sum, 0) AS contribution_pct
FROM headline AS h
CROSS JOIN params AS p
JOIN weights AS w ON w.period = h.standard
LEFT JOIN by_indicator AS b
    ON b.year = h.year AND b.scope = h.scope AND b.name = h.name AND b.indicator = w.indicator
ORDER BY h.year, h.scope, h.name, w.dimension, w.indicator;
