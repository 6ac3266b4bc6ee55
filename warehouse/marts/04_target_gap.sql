-- Each target of the plan (ref.targets, from config/provinces/<code>/targets.csv) beside the
-- actual figure, for every census year the target covers. Each target keeps its own baseline
-- (dien-bien.md): a rate target is read against the published baseline, a cut target (points
-- a year) against the year before's actual rate (or the published baseline when that year is
-- not in the warehouse; never an earlier year's, which would count several years' cuts). gap = actual - target, in points (households for counts).
CREATE OR REPLACE MACRO marts.target_gap_rows(from_year) AS TABLE
WITH years AS (
    SELECT DISTINCT year FROM marts.poverty_rates
),
targets AS (
    SELECT
        y.year,
        t.plan,
        t.scope,
        CASE WHEN t.name = '*poor' THEN p.district ELSE t.name END AS name,
        t.indicator,
        t.baseline_year,
        t.baseline,
        t.target,
        t.direction,
        t.source,
        t.source_vi
    FROM ref.targets AS t
    JOIN years AS y ON y.year BETWEEN t.first_year AND t.last_year
    LEFT JOIN ref.poor_districts AS p
        ON t.name = '*poor' AND p.is_poor_district AND y.year BETWEEN p.first_year AND p.last_year
    WHERE t.name <> '*poor' OR p.district IS NOT NULL
),
-- Province-level movements: a household that moved district has a 'left' and an 'arrived' row
-- in marts.transitions; together they are one household present in the province both years.
-- (The same figures as marts.summary_form's 'total' row.)
movements AS (
    SELECT
        year,
        count(*) FILTER (transition = 'relapsed') AS relapsed,
        count(*) FILTER (transition = 'newly_poor') AS newly_poor
    FROM (
        SELECT
            year,
            marts.movement(
                max(previous_status) = 'poor', max(status) = 'poor', bool_or(was_ever_poor)
            ) AS transition
        FROM marts.transitions
        WHERE previous_year IS NOT NULL
        GROUP BY year, household_id
        HAVING count(previous_status) > 0 AND count(status) > 0
    )
    GROUP BY year
),
measured AS (
    SELECT
        t.*,
        CASE
            WHEN t.indicator = 'poverty_rate_cut' THEN coalesce(
                prev.poverty_rate, CASE WHEN t.baseline_year = t.year - 1 THEN t.baseline END
            )
            ELSE t.baseline
        END AS used_baseline,
        CASE
            WHEN t.indicator = 'poverty_rate_cut' THEN 'points'
            WHEN t.indicator IN ('relapsed_households', 'newly_poor_households') THEN 'households'
            ELSE 'percent'
        END AS unit,
        CASE t.indicator
            WHEN 'poverty_rate' THEN r.poverty_rate
            WHEN 'near_poor_rate' THEN r.near_poor_rate
            WHEN 'ethnic_minority_poverty_rate' THEN r.ethnic_minority_poverty_rate
            WHEN 'poverty_rate_cut' THEN coalesce(
                prev.poverty_rate, CASE WHEN t.baseline_year = t.year - 1 THEN t.baseline END
            ) - r.poverty_rate
            WHEN 'relapsed_households' THEN m.relapsed
            WHEN 'newly_poor_households' THEN m.newly_poor
        END AS actual
    FROM targets AS t
    LEFT JOIN marts.poverty_rates AS r
        ON r.year = t.year AND r.scope = t.scope AND r.name = t.name AND r.parent IS NULL
    LEFT JOIN marts.poverty_rates AS prev
        ON prev.year = t.year - 1 AND prev.scope = t.scope AND prev.name = t.name
        AND prev.parent IS NULL
    LEFT JOIN movements AS m ON m.year = t.year AND t.scope = 'province'
)
SELECT
    year,
    plan,
    scope,
    name,
    indicator,
    unit,
    baseline_year,
    used_baseline AS baseline,
    target,
    actual,
    actual - target AS gap,
    CASE direction
        WHEN 'at_most' THEN actual <= target
        WHEN 'at_least' THEN actual >= target
        WHEN 'above' THEN actual > target
    END AS on_track,
    direction,
    source,
    source_vi
FROM measured
ORDER BY year, scope DESC, name, indicator;
