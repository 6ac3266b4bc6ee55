-- marts.classification_disagreements: every household whose workbook carries the commune's own
-- classification (core.households.commune_classification) and whose computed status differs.
-- Both values are kept side by side; nothing is overwritten (the computed status stays the one
-- used by every other mart). One row per household and year.
--
-- Columns
--   year, household_id, district, commune, village
--   source_file, sheet, excel_row     where the officer finds the row in the district workbook
--   commune_classification            the commune's class (poor | near_poor | average | not_poor)
--   computed_status                   the pipeline's class under the year's standard
--   changes_poverty_lists             true when either value is poor or near-poor: the
--                                     disagreement changes who is on the poor or near-poor list
--                                     (false for average against not_poor)
--   reason                            the computed decision in words (core.classifications)
--   poverty_kind, basis, standard, income_per_capita, income_score, deprivation_score,
--   deprivation_count, deprived_indicators    the inputs behind the computed status
CREATE OR REPLACE MACRO marts.classification_disagreements_rows(from_year) AS TABLE
SELECT
    s.year,
    s.household_id,
    s.district,
    s.commune,
    s.village,
    h.source_file,
    h.sheet,
    h.excel_row,
    s.commune_classification,
    s.status AS computed_status,
    s.commune_classification IN ('poor', 'near_poor') OR s.status IN ('poor', 'near_poor')
        AS changes_poverty_lists,
    s.reason,
    s.poverty_kind,
    s.basis,
    s.standard,
    s.income_per_capita,
    s.income_score,
    s.deprivation_score,
    s.deprivation_count,
    s.deprived_indicators
FROM marts.household_status AS s
JOIN core.households AS h USING (year, household_id)
WHERE s.year >= from_year
    AND s.commune_classification IS NOT NULL AND s.commune_classification <> s.status
ORDER BY s.year, s.district, s.commune, h.source_file, h.sheet, h.excel_row;
