-- marts.summary_form: the province's summary form (biểu tổng hợp; poverty-standards.md, "Rates
-- and changes"). One row per census year and unit group, poor block then near-poor block.
--
-- Rows (unit_group, row_order), by the household's own area (khu vực thành thị / nông thôn,
-- poverty-standards.md "Rates and changes"; the older form of Circular 17/2016's family):
--   urban (1)  I. households of urban areas
--   rural (2)  II. households of rural areas
--   total (3)  the province
--
-- Movements are counted within each row: a household is continuing when it is in the row's
-- area in both years (so a move from one rural commune to another is a plain continuing
-- household in 'rural' and 'total', while a move from a town to the country is left/arrived
-- in the area rows and continuing in 'total'). Movement values come
-- from marts.movement (02_transitions.sql). Start-of-year columns and movements are null in the
-- first census year of the warehouse.
--
-- Columns
--   year, previous_year, unit_group, unit_group_vi, row_order
--   districts                      the districts with households in the row this year (none
--                                  from 2025: there are no districts)
--   households                     all households of the row at the end of the year
--   ethnic_minority_households     of them, ethnic minority (the head's ethnicity)
--   households_start               all households of the row in the previous year
-- Poor block (X = poor):
--   poor_start                     poor at the start of the year (last year's list)
--   poor_start_ethnic_minority     of them, ethnic minority (as recorded last year)
--   poor_escaped                   escaped poverty (thoát nghèo): poor last year, not now
--   poor_escaped_pct               = 100 * poor_escaped / poor_start
--   poor_escaped_to_near_poor      of the escaped, now near-poor
--   poor_escaped_above             of the escaped, now average or not poor
--   poor_relapsed, poor_relapsed_pct   relapsed (tái nghèo); % = 100 * count / poor_start
--   poor_newly, poor_newly_pct     newly poor (nghèo phát sinh); % = 100 * count / poor_start
--   poor_arrived                   now poor, not in the row's districts last year
--   poor_left                      poor last year, no longer in the row's districts
--   poor_end                       poor at the end of the year. Identity (exact, tested):
--       poor_end = poor_start - poor_escaped + poor_relapsed + poor_newly
--                  + poor_arrived - poor_left
--   poor_rate                      = 100 * poor_end / households (the poverty rate)
--   poor_end_ethnic_minority       poor ethnic-minority households
--   poor_end_ethnic_minority_rate  = 100 * poor_end_ethnic_minority / ethnic_minority_households
--                                  (the province's ethnic-minority poverty rate)
--   poor_end_ethnic_minority_share = 100 * poor_end_ethnic_minority / poor_end
--   poor_end_income, poor_end_deprivation   the poor by kind (income-poor / through deprivation)
--   poor_meritorious               poor households with a meritorious member (người có công)
--   poor_social_protection         poor social-protection households (bảo trợ xã hội)
-- Near-poor block: the same columns with prefix near_poor_ and membership near-poor, except
--   near_poor_escaped_to_poor / near_poor_escaped_above (off the near-poor list down into
--   poverty / up to average or not poor) and no split by kind.
-- Every movement percentage has the start-of-year count as its base, so the percentages add up
-- like the counts: 100 * end / start = 100 - escaped% + relapsed% + newly% + arrived% - left%
-- (arrived and left are given as counts only). Percentages are null where the base is 0.

-- How many rows meet the condition; null (not 0) in a year with nothing to compare with.
CREATE OR REPLACE MACRO marts.count_since(has_previous, condition) AS
    sum(CASE WHEN has_previous THEN coalesce(condition, false)::INTEGER END)::BIGINT;

CREATE OR REPLACE MACRO marts.summary_form_rows(from_year) AS TABLE
WITH members AS (
    SELECT CASE WHEN area = 'urban' THEN 'urban' ELSE 'rural' END AS unit_group, *
    FROM marts.statuses(from_year)
    UNION ALL
    SELECT 'total', * FROM marts.statuses(from_year)
),
cur AS (
    SELECT m.*, y.previous_year, t.was_ever_poor, t.was_ever_near_poor
    FROM members AS m
    JOIN marts.census_years() AS y USING (year)
    JOIN marts.transitions AS t
        ON t.year = m.year AND t.household_id = m.household_id AND t.presence IS DISTINCT FROM 'left'
),
-- Last year's households of each group, keyed by the year they are the start of.
start AS (
    SELECT y.year, y.previous_year, m.unit_group, m.household_id, m.status, m.is_ethnic_minority
    FROM members AS m
    JOIN marts.census_years() AS y ON y.previous_year = m.year
),
paired AS (
    SELECT
        coalesce(c.year, s.year) AS year,
        coalesce(c.previous_year, s.previous_year) AS previous_year,
        coalesce(c.previous_year, s.previous_year) IS NOT NULL AS has_previous,
        coalesce(c.unit_group, s.unit_group) AS unit_group,
        c.household_id IS NOT NULL AND s.household_id IS NOT NULL AS continuing,
        c.household_id IS NOT NULL AS is_now,
        s.household_id IS NOT NULL AS was,
        c.district,
        s.status AS previous_status,
        s.is_ethnic_minority AS was_ethnic_minority,
        c.status,
        c.is_ethnic_minority,
        c.poverty_kind,
        c.meritorious,
        c.social_protection,
        c.was_ever_poor,
        c.was_ever_near_poor
    FROM cur AS c
    FULL JOIN start AS s
        ON s.year = c.year AND s.unit_group = c.unit_group AND s.household_id = c.household_id
),
moves AS (
    SELECT
        *,
        CASE WHEN continuing THEN
            marts.movement(previous_status = 'poor', status = 'poor', was_ever_poor)
        END AS poverty_transition,
        CASE WHEN continuing THEN
            marts.movement(
                previous_status = 'near_poor', status = 'near_poor', was_ever_near_poor
            )
        END AS near_poverty_transition
    FROM paired
),
counted AS (
    SELECT
        year,
        any_value(previous_year) AS previous_year,
        unit_group,
        list_sort(list(DISTINCT district) FILTER (district IS NOT NULL)) AS districts,
        count(*) FILTER (is_now) AS households,
        count(*) FILTER (is_now AND is_ethnic_minority) AS ethnic_minority_households,
        marts.count_since(has_previous, was) AS households_start,

        marts.count_since(has_previous, previous_status = 'poor') AS poor_start,
        marts.count_since(has_previous, previous_status = 'poor' AND was_ethnic_minority)
            AS poor_start_ethnic_minority,
        marts.count_since(has_previous, poverty_transition = 'escaped') AS poor_escaped,
        marts.count_since(has_previous, poverty_transition = 'escaped' AND status = 'near_poor')
            AS poor_escaped_to_near_poor,
        marts.count_since(has_previous, poverty_transition = 'escaped' AND status <> 'near_poor')
            AS poor_escaped_above,
        marts.count_since(has_previous, poverty_transition = 'relapsed') AS poor_relapsed,
        marts.count_since(has_previous, poverty_transition = 'newly_poor') AS poor_newly,
        marts.count_since(has_previous, NOT was AND status = 'poor') AS poor_arrived,
        marts.count_since(has_previous, NOT is_now AND previous_status = 'poor') AS poor_left,
        count(*) FILTER (status = 'poor') AS poor_end,
        count(*) FILTER (status = 'poor' AND is_ethnic_minority) AS poor_end_ethnic_minority,
        count(*) FILTER (status = 'poor' AND poverty_kind = 'income') AS poor_end_income,
        count(*) FILTER (status = 'poor' AND poverty_kind = 'deprivation')
            AS poor_end_deprivation,
        count(*) FILTER (status = 'poor' AND meritorious) AS poor_meritorious,
        count(*) FILTER (status = 'poor' AND social_protection) AS poor_social_protection,

        marts.count_since(has_previous, previous_status = 'near_poor') AS near_poor_start,
        marts.count_since(has_previous, previous_status = 'near_poor' AND was_ethnic_minority)
            AS near_poor_start_ethnic_minority,
        marts.count_since(has_previous, near_poverty_transition = 'escaped') AS near_poor_escaped,
        marts.count_since(has_previous, near_poverty_transition = 'escaped' AND status = 'poor')
            AS near_poor_escaped_to_poor,
        marts.count_since(has_previous, near_poverty_transition = 'escaped' AND status <> 'poor')
            AS near_poor_escaped_above,
        marts.count_since(has_previous, near_poverty_transition = 'relapsed') AS near_poor_relapsed,
        marts.count_since(has_previous, near_poverty_transition = 'newly_poor') AS near_poor_newly,
        marts.count_since(has_previous, NOT was AND status = 'near_poor') AS near_poor_arrived,
        marts.count_since(has_previous, NOT is_now AND previous_status = 'near_poor')
            AS near_poor_left,
        count(*) FILTER (status = 'near_poor') AS near_poor_end,
        count(*) FILTER (status = 'near_poor' AND is_ethnic_minority)
            AS near_poor_end_ethnic_minority,
        count(*) FILTER (status = 'near_poor' AND meritorious) AS near_poor_meritorious,
        count(*) FILTER (status = 'near_poor' AND social_protection)
            AS near_poor_social_protection
    FROM moves
    GROUP BY year, unit_group
)
SELECT
    year,
    previous_year,
    unit_group,
    CASE unit_group
        WHEN 'urban' THEN 'I. Khu vực thành thị'
        WHEN 'rural' THEN 'II. Khu vực nông thôn'
        ELSE 'Toàn tỉnh'
    END AS unit_group_vi,
    CASE unit_group WHEN 'urban' THEN 1 WHEN 'rural' THEN 2 ELSE 3 END AS row_order,
    districts,
    households,
    ethnic_minority_households,
    households_start,

    poor_start,
    poor_start_ethnic_minority,
    poor_escaped,
    100.0 * poor_escaped / nullif(poor_start, 0) AS poor_escaped_pct,
    poor_escaped_to_near_poor,
    poor_escaped_above,
    poor_relapsed,
    100.0 * poor_relapsed / nullif(poor_start, 0) AS poor_relapsed_pct,
    poor_newly,
    100.0 * poor_newly / nullif(poor_start, 0) AS poor_newly_pct,
    poor_arrived,
    poor_left,
    poor_end,
    100.0 * poor_end / nullif(households, 0) AS poor_rate,
    poor_end_ethnic_minority,
    100.0 * poor_end_ethnic_minority / nullif(ethnic_minority_households, 0)
        AS poor_end_ethnic_minority_rate,
    100.0 * poor_end_ethnic_minority / nullif(poor_end, 0) AS poor_end_ethnic_minority_share,
    poor_end_income,
    poor_end_deprivation,
    poor_meritorious,
    poor_social_protection,

    near_poor_start,
    near_poor_start_ethnic_minority,
    near_poor_escaped,
    100.0 * near_poor_escaped / nullif(near_poor_start, 0) AS near_poor_escaped_pct,
    near_poor_escaped_to_poor,
    near_poor_escaped_above,
    near_poor_relapsed,
    100.0 * near_poor_relapsed / nullif(near_poor_start, 0) AS near_poor_relapsed_pct,
    near_poor_newly,
    100.0 * near_poor_newly / nullif(near_poor_start, 0) AS near_poor_newly_pct,
    near_poor_arrived,
    near_poor_left,
    near_poor_end,
    100.0 * near_poor_end / nullif(households, 0) AS near_poor_rate,
    near_poor_end_ethnic_minority,
    100.0 * near_poor_end_ethnic_minority / nullif(ethnic_minority_households, 0)
        AS near_poor_end_ethnic_minority_rate,
    100.0 * near_poor_end_ethnic_minority / nullif(near_poor_end, 0)
        AS near_poor_end_ethnic_minority_share,
    near_poor_meritorious,
    near_poor_social_protection
FROM counted
ORDER BY year, row_order;
