-- The warehouse's tables that hold loaded data. Marts are rebuilt from these (warehouse/marts/).
-- Column meanings: warehouse/README.md (the analysts' contract).
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS marts;
CREATE SCHEMA IF NOT EXISTS audit;
CREATE SCHEMA IF NOT EXISTS private;
CREATE SCHEMA IF NOT EXISTS ref;

CREATE TABLE IF NOT EXISTS audit.ingest_runs (
    run_id        VARCHAR PRIMARY KEY,
    year          INTEGER NOT NULL,
    province      VARCHAR NOT NULL,
    raw_dir       VARCHAR NOT NULL,
    started_at    TIMESTAMP NOT NULL,
    finished_at   TIMESTAMP,
    status        VARCHAR NOT NULL,        -- running | completed | partial | failed | interrupted (killed mid-run)
    files_seen    INTEGER,
    files_loaded  INTEGER,
    files_unchanged INTEGER,
    files_failed  INTEGER,
    message       VARCHAR
);

-- One row per workbook per run: which file version each unit-year came from.
CREATE TABLE IF NOT EXISTS audit.ingest_files (
    run_id         VARCHAR NOT NULL,
    year           INTEGER NOT NULL,
    reporting_unit VARCHAR,                -- the district (to 2024) or commune (from 2025); null when unreadable
    source_file    VARCHAR NOT NULL,
    file_hash      VARCHAR NOT NULL,
    status         VARCHAR NOT NULL,       -- loaded | refused | failed | no_valid_rows | other_unit (read by `--unit`, not loaded)
    rows_read      INTEGER,
    rows_loaded    INTEGER,
    rows_rejected  INTEGER,
    rows_blank     INTEGER,
    rows_totals    INTEGER,
    rows_signature INTEGER,
    rows_heading   INTEGER,                -- a header repeated, a row naming a village alone
    warnings       INTEGER,
    message        VARCHAR,
    recorded_at    TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS audit.rejections (
    run_id       VARCHAR NOT NULL,
    year         INTEGER NOT NULL,
    reporting_unit VARCHAR,
    source_file  VARCHAR NOT NULL,
    file_hash    VARCHAR NOT NULL,
    sheet        VARCHAR,
    excel_row    INTEGER,
    household_id VARCHAR,
    column_name  VARCHAR,                  -- the header as written in the workbook
    column_key   VARCHAR,
    value        VARCHAR,                  -- personal values are masked here (private schema)
    rule_code    VARCHAR NOT NULL,
    severity     VARCHAR NOT NULL,         -- error (row rejected) | warning (row loaded) | notice
    rule         VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS raw.households (
    run_id       VARCHAR NOT NULL,
    year         INTEGER NOT NULL,
    reporting_unit VARCHAR NOT NULL,       -- the unit-year the row's workbook replaced
    source_file  VARCHAR NOT NULL,
    file_hash    VARCHAR NOT NULL,
    sheet        VARCHAR NOT NULL,
    excel_row    INTEGER NOT NULL,
    household_id VARCHAR,
    district     VARCHAR,
    commune      VARCHAR,
    village      VARCHAR,
    area         VARCHAR,
    ethnicity    VARCHAR,
    household_size VARCHAR,
    income_per_capita VARCHAR,
    income_score VARCHAR,
    deprivation_score VARCHAR,
    meritorious  VARCHAR,
    no_working_capacity VARCHAR,
    poverty_cause VARCHAR,
    head_sex     VARCHAR,
    social_protection VARCHAR,
    commune_classification VARCHAR,
    extra        MAP(VARCHAR, VARCHAR)     -- unknown column header -> cell text
    -- then one VARCHAR column per indicator key of config/standards/indicators.csv, the cell
    -- as text: added by warehouse/writer.py, so a new standard's indicators need no DDL here
);

CREATE TABLE IF NOT EXISTS core.households (
    year         INTEGER NOT NULL,
    household_id VARCHAR NOT NULL,
    reporting_unit VARCHAR NOT NULL,       -- district up to the 2024 review, commune from 2025
    district     VARCHAR,                  -- as reported; null from the 2025 review (no districts)
    commune      VARCHAR NOT NULL,
    village      VARCHAR NOT NULL,
    area         VARCHAR NOT NULL,         -- rural | urban
    ethnicity    VARCHAR NOT NULL,
    is_ethnic_minority BOOLEAN NOT NULL,
    household_size INTEGER NOT NULL,
    income_per_capita DOUBLE,              -- VND per person per month
    income_score DOUBLE,
    deprivation_score DOUBLE,
    -- The optional columns: null where the workbook did not carry the column (not collected).
    meritorious  BOOLEAN,
    no_working_capacity BOOLEAN,
    poverty_cause VARCHAR,                 -- a key of config/poverty_causes.csv
    head_sex     VARCHAR,                  -- male | female
    social_protection BOOLEAN,
    commune_classification VARCHAR,       -- poor | near_poor | average | not_poor | null
    deprived_indicators VARCHAR[] NOT NULL,
    source_file  VARCHAR NOT NULL,
    file_hash    VARCHAR NOT NULL,
    sheet        VARCHAR NOT NULL,
    excel_row    INTEGER NOT NULL,
    run_id       VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS core.classifications (
    year         INTEGER NOT NULL,
    household_id VARCHAR NOT NULL,
    reporting_unit VARCHAR NOT NULL,
    standard     VARCHAR NOT NULL,
    basis        VARCHAR NOT NULL,         -- income | score | none (not reviewed)
    status       VARCHAR NOT NULL,         -- poor | near_poor | average | not_poor | not_reviewed
    poverty_kind VARCHAR,                  -- income | deprivation | null
    deprivation_count INTEGER NOT NULL,
    reason       VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS private.households (
    year         INTEGER NOT NULL,
    household_id VARCHAR,
    reporting_unit VARCHAR NOT NULL,
    source_file  VARCHAR NOT NULL,
    sheet        VARCHAR NOT NULL,
    excel_row    INTEGER NOT NULL,
    head_name    VARCHAR,
    head_id_number VARCHAR,
    note         VARCHAR
);

-- A workbook that lists only the households reviewed carries the resident households of each
-- commune (sheet `Tổng số hộ dân cư`, workbook-layout.md): the rates' denominators come from it.
-- One row per commune and year, replaced with its workbook's unit.
CREATE TABLE IF NOT EXISTS core.resident_totals (
    year         INTEGER NOT NULL,
    reporting_unit VARCHAR NOT NULL,
    district     VARCHAR,                  -- null from the 2025 review
    commune      VARCHAR NOT NULL,
    households   INTEGER NOT NULL,         -- all resident households of the commune
    ethnic_minority_households INTEGER,    -- of them, ethnic minority (null when not given)
    source_file  VARCHAR NOT NULL,
    sheet        VARCHAR NOT NULL,
    excel_row    INTEGER NOT NULL,
    run_id       VARCHAR NOT NULL
);

-- The members of each household (sheet `Thành viên hộ`, when a workbook carries it): personal
-- data, for person counts and the household certificate only; never published.
CREATE TABLE IF NOT EXISTS private.members (
    year         INTEGER NOT NULL,
    reporting_unit VARCHAR NOT NULL,
    household_id VARCHAR NOT NULL,
    member_name  VARCHAR,
    ethnicity    VARCHAR,
    relation     VARCHAR,                  -- relation to the head, as written (Chủ hộ, Vợ, Con, ...)
    birth_year   INTEGER,
    sex          VARCHAR,                  -- Nam | Nữ, as written
    source_file  VARCHAR NOT NULL,
    sheet        VARCHAR NOT NULL,
    excel_row    INTEGER NOT NULL
);

-- The secret behind the analysts' copy's pseudonymous household keys (warehouse/publish.py):
-- one random value, made when the file is created, never published.
CREATE TABLE IF NOT EXISTS private.pseudonym (secret VARCHAR NOT NULL);
INSERT INTO private.pseudonym SELECT md5(gen_random_uuid()::VARCHAR) || md5(gen_random_uuid()::VARCHAR)
WHERE NOT EXISTS (SELECT 1 FROM private.pseudonym);

-- What the marts were built from (writer.build_marts), never published. `marts_built.key`:
-- a hash of the marts' SQL and of every ref table, the marts' only inputs besides core; a
-- different key (new code, a corrected unit map, a confirmed standard) rebuilds every year.
-- `marts_stale`: the census years and units whose core rows changed since (written in the
-- transaction that changes them, so a run stopped before its marts leaves them marked): the
-- marts are rebuilt from the earliest year on, as a year's rows depend only on it and earlier
-- years, and those of writer.PER_UNIT only for those units.
CREATE SCHEMA IF NOT EXISTS meta;
CREATE TABLE IF NOT EXISTS meta.marts_built (key VARCHAR NOT NULL, built_at TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS meta.marts_stale (year INTEGER NOT NULL, reporting_unit VARCHAR);
