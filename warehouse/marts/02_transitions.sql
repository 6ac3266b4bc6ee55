-- Movements against the previous census year in the warehouse (poverty-standards.md, "Rates
-- and changes"). For each membership (poor; near-poor), a household present in both years:
--   stayed_poor  member last year and now
--   escaped      member last year, not now
--   relapsed     member now, not last year, member in some earlier year
--   newly_poor   member now, never a member before
-- Households absent last year are `presence = 'arrived'`, those gone this year get a row with
-- `presence = 'left'` and a null status, so that for every district:
--   end = start - escaped + relapsed + newly_poor + arrived - left.
-- The earliest year in the warehouse has no previous year: presence and transitions are null.
CREATE OR REPLACE TABLE marts.transitions AS
WITH years AS (
    SELECT year, lag(year) OVER (ORDER BY year) AS previous_year
    FROM (SELECT DISTINCT year FROM marts.household_status)
),
history AS (
    SELECT
        year,
        household_id,
        district,
        commune,
        area,
        is_ethnic_minority,
        status,
        coalesce(bool_or(status = 'poor') OVER earlier, false) AS was_ever_poor,
        coalesce(bool_or(status = 'near_poor') OVER earlier, false) AS was_ever_near_poor
    FROM marts.household_status
    WINDOW earlier AS (
        PARTITION BY household_id ORDER BY year RANGE BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
    )
),
paired AS (
    SELECT
        cur.year,
        y.previous_year,
        cur.household_id,
        cur.district,
        cur.commune,
        cur.area,
        cur.is_ethnic_minority,
        prev.status AS previous_status,
        cur.status,
        cur.was_ever_poor,
        cur.was_ever_near_poor,
        CASE
            WHEN y.previous_year IS NULL THEN NULL
            WHEN prev.household_id IS NULL THEN 'arrived'
            ELSE 'continuing'
        END AS presence
    FROM history AS cur
    JOIN years AS y ON y.year = cur.year
    LEFT JOIN history AS prev
        ON prev.year = y.previous_year AND prev.household_id = cur.household_id
),
-- One 'left' row per household of the previous year that is absent this year.
departed AS (
    SELECT
        y.year,
        y.previous_year,
        prev.household_id,
        prev.district,
        prev.commune,
        prev.area,
        prev.is_ethnic_minority,
        prev.status AS previous_status,
        NULL::VARCHAR AS status,
        NULL::BOOLEAN AS was_ever_poor,
        NULL::BOOLEAN AS was_ever_near_poor,
        'left' AS presence
    FROM years AS y
    JOIN history AS prev ON prev.year = y.previous_year
    ANTI JOIN history AS cur ON cur.year = y.year AND cur.household_id = prev.household_id
),
movements AS (
    SELECT * FROM paired
    UNION ALL
    SELECT * FROM departed
)
SELECT
    year,
    previous_year,
    household_id,
    district,
    commune,
    area,
    is_ethnic_minority,
    presence,
    previous_status,
    status,
    CASE WHEN presence = 'continuing' THEN
        CASE
            WHEN previous_status = 'poor' AND status = 'poor' THEN 'stayed_poor'
            WHEN previous_status = 'poor' THEN 'escaped'
            WHEN status = 'poor' AND was_ever_poor THEN 'relapsed'
            WHEN status = 'poor' THEN 'newly_poor'
        END
    END AS poverty_transition,
    CASE WHEN presence = 'continuing' THEN
        CASE
            WHEN previous_status = 'near_poor' AND status = 'near_poor' THEN 'stayed_poor'
            WHEN previous_status = 'near_poor' THEN 'escaped'
            WHEN status = 'near_poor' AND was_ever_near_poor THEN 'relapsed'
            WHEN status = 'near_poor' THEN 'newly_poor'
        END
    END AS near_poverty_transition
FROM movements;
