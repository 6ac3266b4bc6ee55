-- marts.transitions: movements against the previous census year in the warehouse, on today's
-- communes (poverty-standards.md, "Rates and changes"). One row per household and year in its
-- current commune, plus one 'left' row in the current commune a household was in last year
-- when it is not there now. Households keep their id across the 2025 reform, so the 2025 rows
-- are against 2024 on the same 45 units, and a household that moved between today's communes
-- leaves one and arrives in the other.
--
-- Columns
--   year, previous_year    the census year and the previous census year loaded (null: first year)
--   household_id, current_commune, district, commune, area, is_ethnic_minority, household_size
--                          this year's values; for 'left' rows last year's (district and commune
--                          as reported: district null from 2025)
--   presence               continuing  in this current commune last year and now
--                          arrived     here now, not here last year (new household, split, or
--                                      moved from another commune: see other_commune)
--                          left        here last year, not now (status is null)
--                          null        first year in the warehouse: nothing to compare with
--   other_commune          for a household that moved between current communes: the commune of
--                          the other year (the old one on its 'arrived' row, the new on 'left')
--   other_district         the same for districts, where both years have them
--   previous_status        status in THIS current commune last year (last year's list); null for
--                          arrivals, so that a commune's start-of-year count is exactly its
--                          previous year's end-of-year count
--   status                 status now (poor | near_poor | average | not_poor | not_reviewed)
--   poverty_movement       the national form's columns ("diễn biến hộ nghèo"):
--                          stayed_poor      poor last year and now
--                          to_near_poor     [2] escaped and became near-poor
--                          above_near_poor  [3] escaped above the near-poor line
--                          other_decrease   [4] poor last year, left (moved, died, merged, split)
--                          from_near_poor   [5] near-poor last year, poor now
--                          relapsed         [6] neither last year, poor now, poor in an earlier year
--                          newly_poor       [7] neither last year, poor now, never poor before
--                          other_increase   [8] poor now, not here last year (arrived, split)
--                          null             not poor in either year
--                          Identity (tested for every commune and year): end [9] = start [1]
--                          - [2] - [3] - [4] + [5] + [6] + [7] + [8].
--   near_poverty_movement  the mirror form for near-poor households: stayed_near_poor, to_poor,
--                          above_near_poor, other_decrease, from_poor, relapsed (near-poor in an
--                          earlier year), newly_near_poor, other_increase
--   poverty_transition, near_poverty_transition   the earlier four-value summary of each
--                          membership (stayed_poor | escaped | relapsed | newly_poor), for
--                          continuing households only (marts.movement)
--   was_ever_poor, was_ever_near_poor  poor / near-poor in any earlier year (any commune); null
--                          on 'left' rows
--   standard, previous_standard, crosses_standard_change   the two reviews' standards; true
--                          where they differ (2020 -> 2021, 2025 -> 2026): the movement mixes a
--                          change of rule with the households' own change
-- A household absent last year but present earlier (e.g. dropped from one list) is 'arrived'.

-- Shared by the marts from this file on (macros read marts.household_status, which
-- writer.build_marts has written by now).

-- The households a mart reads when it is rebuilt from `from_year` on
-- (writer.build_marts): those years and the census year before them (a year's movements
-- and rate cut pair it with the previous one). A year's rows never depend on a later year.
CREATE OR REPLACE MACRO marts.statuses(from_year) AS TABLE
    SELECT * FROM marts.household_status
    WHERE year >= coalesce(
        (SELECT max(year) FROM marts.household_status WHERE year < from_year), from_year
    );

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

-- The first census year each household (of the list `households`, or all) was poor and
-- near-poor: "poor in an earlier year" is then first_poor < year (a window over each
-- household's earlier years says the same, slower). Shared by marts.transitions and
-- marts.form_counts.
CREATE OR REPLACE MACRO marts.first_years(households := NULL) AS TABLE
    SELECT
        household_id,
        min(year) FILTER (WHERE status = 'poor') AS first_poor,
        min(year) FILTER (WHERE status = 'near_poor') AS first_near_poor
    FROM marts.household_status
    WHERE households IS NULL OR household_id IN (SELECT unnest(households))
    GROUP BY household_id;

-- The movement of one membership (poor, or near-poor) between two years; shared with
-- marts.summary_form so both say the same thing.
CREATE OR REPLACE MACRO marts.movement(was_member, is_member, ever_member) AS
    CASE
        WHEN was_member AND is_member THEN 'stayed_poor'
        WHEN was_member THEN 'escaped'
        WHEN is_member AND ever_member THEN 'relapsed'
        WHEN is_member THEN 'newly_poor'
    END;

-- The national form's movement of one membership (`member`: 'poor' or 'near_poor'; `other`:
-- the other list) for one household of a unit: presence, last year's and this year's status,
-- and whether it was a member in an earlier year.
CREATE OR REPLACE MACRO marts.form_movement(member, other, presence, was, now, ever) AS
    CASE
        WHEN presence = 'left' THEN CASE WHEN was = member THEN 'other_decrease' END
        WHEN presence = 'arrived' THEN CASE WHEN now = member THEN 'other_increase' END
        WHEN presence IS NULL THEN NULL
        WHEN was = member AND now = member THEN 'stayed_' || member
        WHEN was = member AND now = other THEN 'to_' || other
        WHEN was = member THEN 'above_near_poor'
        WHEN now = member AND was = other THEN 'from_' || other
        WHEN now = member AND ever THEN 'relapsed'
        WHEN now = member THEN CASE member WHEN 'poor' THEN 'newly_poor' ELSE 'newly_near_poor' END
    END;

-- `households`: only the rows of these households (a list of ids; null: all). A household's
-- rows depend on its own rows alone, so a correction computes only those of the households it
-- changed (writer.PER_HOUSEHOLD): 0.21 s -> 0.06-0.10 s for a 2026 commune, five years held.
CREATE OR REPLACE MACRO marts.transitions_rows(from_year, households := NULL) AS TABLE
WITH history AS (
    SELECT
        s.year,
        y.previous_year,
        s.household_id,
        s.current_commune,
        s.district,
        s.commune,
        s.area,
        s.is_ethnic_minority,
        s.household_size,
        s.status,
        coalesce(f.first_poor < s.year, false) AS was_ever_poor,
        coalesce(f.first_near_poor < s.year, false) AS was_ever_near_poor
    FROM marts.statuses(from_year) AS s
    JOIN marts.census_years() AS y USING (year)
    JOIN marts.first_years(households) AS f USING (household_id)
    WHERE households IS NULL OR s.household_id IN (SELECT unnest(households))
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
        coalesce(cur.current_commune, st.current_commune) AS current_commune,
        CASE WHEN cur.household_id IS NULL THEN st.district ELSE cur.district END AS district,
        coalesce(cur.commune, st.commune) AS commune,
        coalesce(cur.area, st.area) AS area,
        coalesce(cur.is_ethnic_minority, st.is_ethnic_minority) AS is_ethnic_minority,
        coalesce(cur.household_size, st.household_size) AS household_size,
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
        AND st.current_commune = cur.current_commune
),
-- Where a household that arrived or left is in the other year (moved): looked up for those
-- rows only (joining every row to the history twice took ~50 s of a national run).
moves AS (
    SELECT
        p.year,
        p.household_id,
        p.current_commune,
        p.presence,
        CASE p.presence WHEN 'arrived' THEN was.current_commune WHEN 'left' THEN went.current_commune
        END AS other_commune,
        CASE p.presence WHEN 'arrived' THEN was.district WHEN 'left' THEN went.district
        END AS other_district
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
    p.current_commune,
    p.district,
    p.commune,
    p.area,
    p.is_ethnic_minority,
    p.household_size,
    p.presence,
    m.other_commune,
    CASE WHEN m.other_district IS DISTINCT FROM p.district THEN m.other_district END
        AS other_district,
    p.previous_status,
    p.status,
    marts.form_movement(
        'poor', 'near_poor', p.presence, p.previous_status, p.status, p.was_ever_poor
    ) AS poverty_movement,
    marts.form_movement(
        'near_poor', 'poor', p.presence, p.previous_status, p.status, p.was_ever_near_poor
    ) AS near_poverty_movement,
    CASE WHEN p.presence = 'continuing' THEN
        marts.movement(p.previous_status = 'poor', p.status = 'poor', p.was_ever_poor)
    END AS poverty_transition,
    CASE WHEN p.presence = 'continuing' THEN
        marts.movement(
            p.previous_status = 'near_poor', p.status = 'near_poor', p.was_ever_near_poor
        )
    END AS near_poverty_transition,
    p.was_ever_poor,
    p.was_ever_near_poor,
    y.standard,
    y.previous_standard,
    y.crosses_standard_change
FROM paired AS p
JOIN marts.census_years() AS y USING (year)
LEFT JOIN moves AS m
    ON m.year = p.year AND m.household_id = p.household_id
    AND m.current_commune = p.current_commune AND m.presence = p.presence;
