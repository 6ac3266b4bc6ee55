-- marts.transitions: movements against the previous census year in the warehouse, per district
-- (poverty-standards.md, "Rates and changes"). One row per household and year in a district,
-- plus one 'left' row in the district a household was in last year when it is not there cur.
--
-- Columns
--   year, previous_year    the census year and the previous census year loaded (null: first year)
--   household_id, district, commune, area, is_ethnic_minority
--                          this year's values; for 'left' rows last year's
--   presence               continuing  in this district last year and now
--                          arrived     here now, not in this district last year (new household,
--                                      or moved from another district: see other_district)
--                          left        in this district last year, not now (status is null)
--                          null        first year in the warehouse: nothing to compare with
--   other_district         for a household that moved district between the two years: the old
--                          district on its 'arrived' row, the new one on its 'left' row; else null
--   previous_status        status in THIS district at the start of the year (last year's list);
--                          null for arrivals, so that a district's start-of-year count is exactly
--                          its previous year's end-of-year count
--   status                 status now (poor | near_poor | average | not_poor); null for 'left'
--   poverty_transition     for continuing households only (else null), via marts.movement:
--                          stayed_poor  poor last year and now
--                          escaped      poor last year, not now (status says whether it is now
--                                       near_poor or above: average | not_poor)
--                          relapsed     poor now, not last year, poor in some earlier year
--                          newly_poor   poor now and never poor in an earlier year
--                          null         not poor in either year
--   near_poverty_transition the same four values for near-poverty membership ('escaped' there
--                          means off the near-poor list, upwards or down into poverty)
--   was_ever_poor, was_ever_near_poor  poor / near-poor in any earlier year (any district);
--                          null on 'left' rows
--
-- For every district and year (tests/warehouse/test_marts.py asserts it), with start = poor in
-- the district last year and end = poor in it now:
--   end = start - escaped + relapsed + newly_poor + arrived(now poor) - left(poor last year)
-- and the same for near-poverty. A household that moves district is 'left' in the old district
-- and 'arrived' in the new one, so both districts' identities close; its movement at province
-- level is in marts.summary_form (which pairs households within each row's group of districts).
-- A household absent last year but present earlier (e.g. dropped from one list) is 'arrived'.

-- The movement of one membership (poor, or near-poor) between two years; shared with
-- marts.summary_form so both say the same thing.
CREATE OR REPLACE MACRO marts.movement(was_member, is_member, ever_member) AS
    CASE
        WHEN was_member AND is_member THEN 'stayed_poor'
        WHEN was_member THEN 'escaped'
        WHEN is_member AND ever_member THEN 'relapsed'
        WHEN is_member THEN 'newly_poor'
    END;

-- Census years in the warehouse, each with the previous one loaded.
CREATE OR REPLACE MACRO marts.census_years() AS TABLE
    SELECT year, lag(year) OVER (ORDER BY year) AS previous_year
    FROM (SELECT DISTINCT year FROM marts.household_status);

CREATE OR REPLACE TABLE marts.transitions AS
-- The first year each household was poor and near-poor: "poor in an earlier year" is then
-- first_poor < year (a window over each household's earlier years says the same, slower).
WITH firsts AS (
    SELECT
        household_id,
        min(year) FILTER (WHERE status = 'poor') AS first_poor,
        min(year) FILTER (WHERE status = 'near_poor') AS first_near_poor
    FROM marts.household_status
    GROUP BY household_id
),
history AS (
    SELECT
        s.year,
        y.previous_year,
        s.household_id,
        s.district,
        s.commune,
        s.area,
        s.is_ethnic_minority,
        s.status,
        coalesce(f.first_poor < s.year, false) AS was_ever_poor,
        coalesce(f.first_near_poor < s.year, false) AS was_ever_near_poor
    FROM marts.household_status AS s
    JOIN marts.census_years() AS y USING (year)
    JOIN firsts AS f USING (household_id)
),
-- Last year's rows, keyed by the year they are the start of.
start AS (
    SELECT y.year, h.* EXCLUDE (year, previous_year), h.year AS start_year
    FROM history AS h
    JOIN marts.census_years() AS y ON y.previous_year = h.year
),
paired AS (
    SELECT
        coalesce(cur.year, st.year) AS year,
        coalesce(cur.previous_year, st.start_year) AS previous_year,
        coalesce(cur.household_id, st.household_id) AS household_id,
        coalesce(cur.district, st.district) AS district,
        coalesce(cur.commune, st.commune) AS commune,
        coalesce(cur.area, st.area) AS area,
        coalesce(cur.is_ethnic_minority, st.is_ethnic_minority) AS is_ethnic_minority,
        CASE
            WHEN coalesce(cur.previous_year, st.start_year) IS NULL THEN NULL
            WHEN cur.household_id IS NULL THEN 'left'
            WHEN st.household_id IS NULL THEN 'arrived'
            ELSE 'continuing'
        END AS presence,
        st.status AS previous_status,
        cur.status,
        cur.was_ever_poor,
        cur.was_ever_near_poor
    FROM history AS cur
    FULL JOIN start AS st
        ON st.year = cur.year AND st.household_id = cur.household_id
        AND st.district = cur.district
),
-- Where a household that arrived or left is in the other year (moved district): looked up
-- for those rows only (joining every row to the history twice took ~50 s of a national run).
moves AS (
    SELECT
        p.year,
        p.household_id,
        p.district,
        p.presence,
        CASE p.presence WHEN 'arrived' THEN was.district WHEN 'left' THEN went.district END
            AS other_district
    FROM paired AS p
    LEFT JOIN history AS was
        ON p.presence = 'arrived' AND was.year = p.previous_year
        AND was.household_id = p.household_id
    LEFT JOIN history AS went
        ON p.presence = 'left' AND went.year = p.year AND went.household_id = p.household_id
    WHERE p.presence IN ('arrived', 'left')
)
SELECT
    p.year,
    p.previous_year,
    p.household_id,
    p.district,
    p.commune,
    p.area,
    p.is_ethnic_minority,
    p.presence,
    m.other_district,
    p.previous_status,
    p.status,
    CASE WHEN p.presence = 'continuing' THEN
        marts.movement(p.previous_status = 'poor', p.status = 'poor', p.was_ever_poor)
    END AS poverty_transition,
    CASE WHEN p.presence = 'continuing' THEN
        marts.movement(
            p.previous_status = 'near_poor', p.status = 'near_poor', p.was_ever_near_poor
        )
    END AS near_poverty_transition,
    p.was_ever_poor,
    p.was_ever_near_poor
FROM paired AS p
LEFT JOIN moves AS m
    ON m.year = p.year AND m.household_id = p.household_id AND m.district = p.district
    AND m.presence = p.presence;
