-- marts.form_counts: every count the official report forms need (shared/report-forms.md), in
-- one long table the forms pick from (config/forms.toml; reporting/forms.py). One row per
-- census year, form unit, measure and category, with households and persons (household size).
--
-- area: 'all', or 'urban' / 'rural' for the households of the unit in that area (their own
-- area; the older form's rows I and II); residents of an area count listed households only.
-- Units (scope, name, parent), those of the review year (its map): 'province'; up to the 2024
-- review each 'district' and each 'commune' (parent: its district); from 2025 each 'commune'
-- (parent null). Units with resident totals count their unlisted residents too (measure
-- 'residents'; their persons are unknown and left out).
--
-- Measures (status: poor | near_poor | average | not_poor | not_reviewed, or null):
--   residents      all resident households of the unit (listed + unlisted), persons listed
--   status         households of a status
--   group          of a status, category: ethnic_minority | kinh | meritorious |
--                  no_working_capacity | social_protection | female_head | other (in none
--                  of ethnic_minority, no_working_capacity, meritorious: form 08's "Khác")
--   collected      of a status, category: an optional column (meritorious, no_working_capacity,
--                  poverty_cause, head_sex, social_protection): households with a value in it
--                  (a flag is null only where the workbook did not carry the column; a cause
--                  or sex also where the cell is blank); none: the form says "không thu thập"
--   ethnicity      of a status, category: the head's ethnic group
--   cause          of a status, category: a cause of config/poverty_causes.csv
--   indicator      of a status, category: an indicator of the year's standard the household
--                  is deprived in (households; deprivations are households x indicators)
--   poverty_movement_ethnic_minority  the same for ethnic-minority households
--   poverty_movement / near_poverty_movement   category: the national form's movement columns
--                  (02_transitions.sql `marts.form_movement`), households paired with the
--                  previous census year within the unit: a unit's start is its previous
--                  year's end on this year's map (the 2024 households of an old commune count
--                  in the 2025 commune it became), so end = start - decreases + increases
--                  holds for every unit and year (tests/reporting/test_forms.py).
CREATE OR REPLACE MACRO marts.form_counts_rows(from_year) AS TABLE
WITH province AS (
    SELECT name AS province FROM ref.province
),
years AS (
    SELECT * FROM marts.census_years()
),
maps AS (
    SELECT year, bool_or(district IS NOT NULL) AS has_districts
    FROM marts.statuses(from_year) GROUP BY year
),
-- Each household in each of its units.
-- NOT MATERIALIZED, here and in `keyed`: each use computes the rows it needs from
-- household_status, filters pushed down, instead of DuckDB holding six rows per household (at
-- 5.7 million households under a 400 MB memory limit: 50-65 s and 9-10 GB spilled to disk
-- before, 6.5 s and 0.05 GB after; a nation's 27 million filled the disk).
by_unit AS NOT MATERIALIZED (
    SELECT s.*, 'province' AS scope, p.province AS name, NULL AS parent
    FROM marts.statuses(from_year) AS s CROSS JOIN province AS p
    UNION ALL
    SELECT s.*, 'district', s.district, NULL
    FROM marts.statuses(from_year) AS s WHERE s.district IS NOT NULL
    UNION ALL
    SELECT s.*, 'commune', s.commune, s.district
    FROM marts.statuses(from_year) AS s
),
-- ... once for all its households (area 'all') and once within its own area (the older form's
-- rows I. urban and II. rural, by the household's own area).
keyed AS NOT MATERIALIZED (
    SELECT *, 'all' AS area_group FROM by_unit
    UNION ALL
    SELECT *, area FROM by_unit
),
units AS (
    SELECT DISTINCT year, scope, name, parent FROM keyed
),
totals AS (
    SELECT year, scope, name, parent, households
    FROM marts.poverty_rates WHERE scope IN ('province', 'district', 'commune')
),
-- Each household in two consecutive census years, paired on its id (unique within a year,
-- HH031); last year's commune on this year's map (an old commune's households count, in a year
-- after the reform, in the commune it became).
pair AS (
    SELECT
        coalesce(c.year, p.next_year) AS year,
        coalesce(c.household_id, p.household_id) AS household_id,
        c.household_id IS NOT NULL AS is_here,
        p.household_id IS NOT NULL AS was_here,
        c.district AS district,
        c.commune AS commune,
        c.area AS area,
        p.district AS was_district,
        p.next_commune AS was_commune,
        p.area AS was_area,
        coalesce(c.is_ethnic_minority, p.is_ethnic_minority) AS is_ethnic_minority,
        p.is_ethnic_minority AS was_ethnic_minority,
        p.status AS previous_status,
        c.status,
        coalesce(c.household_size, p.household_size) AS persons,
        p.household_size AS was_persons,
        coalesce(f.first_poor < coalesce(c.year, p.next_year), false) AS ever_poor,
        coalesce(f.first_near_poor < coalesce(c.year, p.next_year), false) AS ever_near_poor
    FROM (
        SELECT s.* FROM marts.statuses(from_year) AS s JOIN years AS y USING (year)
        WHERE y.previous_year IS NOT NULL
    ) AS c
    FULL JOIN (
        SELECT
            s.*,
            y.year AS next_year,
            CASE WHEN coalesce(m.has_districts, true) THEN s.commune ELSE s.current_commune END
                AS next_commune
        FROM marts.statuses(from_year) AS s
        JOIN years AS y ON y.previous_year = s.year
        LEFT JOIN maps AS m ON m.year = y.year
    ) AS p
        ON p.next_year = c.year AND p.household_id = c.household_id
    JOIN marts.first_years() AS f ON f.household_id = coalesce(c.household_id, p.household_id)
),
-- ... placed in each unit and area group (`keyed`'s keys) in each year: `name` now, `was_name`
-- last year (null: not in that scope that year). NOT MATERIALIZED, as `keyed`: six rows per
-- household are computed where used, not held.
placed AS NOT MATERIALIZED (
    SELECT
        pr.*,
        k.scope,
        CASE WHEN pr.is_here THEN
            CASE k.scope WHEN 'province' THEN pv.province WHEN 'district' THEN pr.district
                ELSE pr.commune END
        END AS name,
        CASE WHEN pr.was_here THEN
            CASE k.scope WHEN 'province' THEN pv.province WHEN 'district' THEN pr.was_district
                ELSE pr.was_commune END
        END AS was_name,
        CASE WHEN k.by_area THEN pr.area ELSE 'all' END AS area_group,
        CASE WHEN k.by_area THEN pr.was_area ELSE 'all' END AS was_area_group
    FROM pair AS pr
    CROSS JOIN province AS pv
    CROSS JOIN (VALUES ('province', false), ('province', true), ('district', false),
        ('district', true), ('commune', false), ('commune', true)) AS k(scope, by_area)
),
-- Paired within each unit: continuing where the household is in the same unit and area group
-- both years, else arrived in this year's and left last year's (a move between units). A unit
-- of last year's map that is no unit this year (districts after the reform) keeps no row: the
-- last step keeps the `units` of the year only.
paired AS (
    SELECT
        year, scope, name, area_group, is_ethnic_minority,
        CASE WHEN same THEN 'continuing' ELSE 'arrived' END AS presence,
        CASE WHEN same THEN previous_status END AS previous_status,
        status, persons, ever_poor, ever_near_poor
    FROM (
        SELECT *, was_name = name AND was_area_group = area_group AS same
        FROM placed WHERE name IS NOT NULL
    )
    UNION ALL
    SELECT
        year, scope, was_name, was_area_group, was_ethnic_minority, 'left', previous_status,
        NULL, was_persons, ever_poor, ever_near_poor
    FROM placed
    WHERE was_name IS NOT NULL
        AND (name IS DISTINCT FROM was_name OR area_group IS DISTINCT FROM was_area_group)
),
moved AS (
    SELECT
        year, scope, name, area_group, persons, is_ethnic_minority,
        marts.form_movement('poor', 'near_poor', presence, previous_status, status, ever_poor)
            AS poverty,
        marts.form_movement(
            'near_poor', 'poor', presence, previous_status, status, ever_near_poor
        ) AS near_poverty
    FROM paired
),
-- The 'group' and 'collected' measures: of each status, the households (and persons) in each
-- group and with each optional column filled, in one pass over `keyed` (a row per household and
-- category cost the sample province's form_counts a quarter of its time); turned into rows in
-- `counts`, where a category with no household has no row.
flagged AS (
    SELECT
        year, scope, name, area_group, status,
        count(*) FILTER (is_ethnic_minority) AS group_ethnic_minority,
        sum(household_size) FILTER (is_ethnic_minority) AS group_ethnic_minority_p,
        count(*) FILTER (NOT is_ethnic_minority) AS group_kinh,
        sum(household_size) FILTER (NOT is_ethnic_minority) AS group_kinh_p,
        count(*) FILTER (meritorious) AS group_meritorious,
        sum(household_size) FILTER (meritorious) AS group_meritorious_p,
        count(*) FILTER (no_working_capacity) AS group_no_working_capacity,
        sum(household_size) FILTER (no_working_capacity) AS group_no_working_capacity_p,
        count(*) FILTER (social_protection) AS group_social_protection,
        sum(household_size) FILTER (social_protection) AS group_social_protection_p,
        count(*) FILTER (head_sex = 'female') AS group_female_head,
        sum(household_size) FILTER (head_sex = 'female') AS group_female_head_p,
        count(*) FILTER (NOT (coalesce(is_ethnic_minority, false)
            OR coalesce(no_working_capacity, false) OR coalesce(meritorious, false)))
            AS group_other,
        sum(household_size) FILTER (NOT (coalesce(is_ethnic_minority, false)
            OR coalesce(no_working_capacity, false) OR coalesce(meritorious, false)))
            AS group_other_p,
        count(meritorious) AS collected_meritorious,
        sum(household_size) FILTER (meritorious IS NOT NULL) AS collected_meritorious_p,
        count(no_working_capacity) AS collected_no_working_capacity,
        sum(household_size) FILTER (no_working_capacity IS NOT NULL)
            AS collected_no_working_capacity_p,
        count(poverty_cause) AS collected_poverty_cause,
        sum(household_size) FILTER (poverty_cause IS NOT NULL) AS collected_poverty_cause_p,
        count(head_sex) AS collected_head_sex,
        sum(household_size) FILTER (head_sex IS NOT NULL) AS collected_head_sex_p,
        count(social_protection) AS collected_social_protection,
        sum(household_size) FILTER (social_protection IS NOT NULL) AS collected_social_protection_p
    FROM keyed
    GROUP BY ALL
),
counts AS (
    SELECT year, scope, name, area_group, 'status' AS measure, status, NULL AS category,
           count(*) AS households, sum(household_size) AS persons
    FROM keyed GROUP BY ALL
    UNION ALL
    SELECT year, scope, name, area_group, split_part(key, ':', 1), status, split_part(key, ':', 2),
           households, persons
    FROM (UNPIVOT flagged
        ON (group_ethnic_minority, group_ethnic_minority_p) AS "group:ethnic_minority",
           (group_kinh, group_kinh_p) AS "group:kinh",
           (group_meritorious, group_meritorious_p) AS "group:meritorious",
           (group_no_working_capacity, group_no_working_capacity_p)
               AS "group:no_working_capacity",
           (group_social_protection, group_social_protection_p) AS "group:social_protection",
           (group_female_head, group_female_head_p) AS "group:female_head",
           (group_other, group_other_p) AS "group:other",
           (collected_meritorious, collected_meritorious_p) AS "collected:meritorious",
           (collected_no_working_capacity, collected_no_working_capacity_p)
               AS "collected:no_working_capacity",
           (collected_poverty_cause, collected_poverty_cause_p) AS "collected:poverty_cause",
           (collected_head_sex, collected_head_sex_p) AS "collected:head_sex",
           (collected_social_protection, collected_social_protection_p)
               AS "collected:social_protection"
        INTO NAME key VALUE households, persons)
    WHERE households > 0
    UNION ALL
    SELECT year, scope, name, area_group, 'ethnicity', status, ethnicity, count(*), sum(household_size)
    FROM keyed GROUP BY ALL
    UNION ALL
    SELECT year, scope, name, area_group, 'cause', status, poverty_cause, count(*), sum(household_size)
    FROM keyed WHERE poverty_cause IS NOT NULL GROUP BY ALL
    UNION ALL
    SELECT year, scope, name, area_group, 'indicator', status, indicator, count(*), sum(household_size)
    FROM (SELECT *, unnest(deprived_indicators) AS indicator FROM keyed) GROUP BY ALL
    UNION ALL
    SELECT year, scope, name, area_group, 'poverty_movement', NULL, poverty, count(*), sum(persons)
    FROM moved WHERE poverty IS NOT NULL GROUP BY ALL
    UNION ALL
    SELECT year, scope, name, area_group, 'near_poverty_movement', NULL, near_poverty, count(*),
           sum(persons)
    FROM moved WHERE near_poverty IS NOT NULL GROUP BY ALL
    UNION ALL
    SELECT year, scope, name, area_group, 'poverty_movement_ethnic_minority', NULL, poverty,
           count(*), sum(persons)
    FROM moved WHERE poverty IS NOT NULL AND is_ethnic_minority GROUP BY ALL
    UNION ALL
    SELECT k.year, k.scope, k.name, k.area_group, 'residents', NULL, NULL,
           CASE WHEN k.area_group = 'all' THEN any_value(t.households) ELSE count(*) END,
           sum(k.household_size)
    FROM keyed AS k
    LEFT JOIN totals AS t
        ON t.year = k.year AND t.scope = k.scope AND t.name = k.name
        AND t.parent IS NOT DISTINCT FROM k.parent
    GROUP BY k.year, k.scope, k.name, k.area_group
)
SELECT
    c.year,
    c.scope,
    c.name,
    u.parent,
    c.area_group AS area,
    c.measure,
    c.status,
    c.category,
    c.households,
    c.persons
FROM counts AS c
JOIN units AS u USING (year, scope, name)
ORDER BY ALL;
