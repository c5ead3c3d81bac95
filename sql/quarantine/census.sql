-- quarantine.census_imports / quarantine.census_exports: answer rows isolated by a row-level check, with the reason, the request and the fetch time
-- name: ddl
CREATE SCHEMA IF NOT EXISTS quarantine;
CREATE TABLE IF NOT EXISTS quarantine.imports_monthly (
    period DATE NOT NULL, vintage TIMESTAMP NOT NULL, request VARCHAR NOT NULL,
    fetched_at TIMESTAMP NOT NULL, rule VARCHAR NOT NULL, field VARCHAR NOT NULL,
    value VARCHAR, reason VARCHAR NOT NULL, record JSON NOT NULL
);
CREATE TABLE IF NOT EXISTS quarantine.exports_monthly (
    period DATE NOT NULL, vintage TIMESTAMP NOT NULL, request VARCHAR NOT NULL,
    fetched_at TIMESTAMP NOT NULL, rule VARCHAR NOT NULL, field VARCHAR NOT NULL,
    value VARCHAR, reason VARCHAR NOT NULL, record JSON NOT NULL
);
COMMENT ON TABLE quarantine.imports_monthly IS 'Rows of a Census imports/hs answer kept out of staging.imports_monthly by a row-level check; the rest of the month proceeds while their share stays under the contract''s threshold.';
COMMENT ON TABLE quarantine.exports_monthly IS 'Rows of a Census exports/hs answer kept out of staging.exports_monthly by a row-level check.';
COMMENT ON COLUMN quarantine.imports_monthly.rule IS 'The row-level check that failed: hs10_format, country_format, country_not_requested, not_numeric, missing_value, negative, duplicate_key, and the plausibility rules of the staging contract: implausible_value, outside_history, partner_total_jump.';
COMMENT ON COLUMN quarantine.imports_monthly.field IS 'The Census variable at fault (e.g. CON_VAL_MO).';
COMMENT ON COLUMN quarantine.imports_monthly.record IS 'The whole raw row as loaded (strings as served).';
COMMENT ON COLUMN quarantine.imports_monthly.request IS 'The answer file (request predicates) the row came from.';
COMMENT ON COLUMN quarantine.imports_monthly.period IS 'First day of the statistical month of the row.';
COMMENT ON COLUMN quarantine.imports_monthly.vintage IS 'The raw vintage the row comes from: the latest of the month (raw.census_imports.vintage).';
COMMENT ON COLUMN quarantine.imports_monthly.fetched_at IS 'When the answer was fetched (UTC): the time the live client recorded in the month''s landing.jsonl, else the answer file''s modification time.';
COMMENT ON COLUMN quarantine.imports_monthly.value IS 'The offending value as served (for duplicate_key, the duplicated key).';
COMMENT ON COLUMN quarantine.imports_monthly.reason IS 'Why the row failed the check, in words (e.g. not a number).';
COMMENT ON COLUMN quarantine.exports_monthly.record IS 'The whole raw row as loaded (strings as served).';
COMMENT ON COLUMN quarantine.exports_monthly.period IS 'First day of the statistical month of the row.';
COMMENT ON COLUMN quarantine.exports_monthly.vintage IS 'The raw vintage the row comes from: the latest of the month (raw.census_exports.vintage).';
COMMENT ON COLUMN quarantine.exports_monthly.request IS 'The answer file (request predicates) the row came from.';
COMMENT ON COLUMN quarantine.exports_monthly.fetched_at IS 'When the answer was fetched (UTC): the time the live client recorded in the month''s landing.jsonl, else the answer file''s modification time.';
COMMENT ON COLUMN quarantine.exports_monthly.rule IS 'The row-level check that failed: hs10_format, country_format, country_not_requested, not_numeric, missing_value, negative, duplicate_key, and the plausibility rules of the staging contract: implausible_value, outside_history, partner_total_jump.';
COMMENT ON COLUMN quarantine.exports_monthly.field IS 'The Census variable at fault (e.g. ALL_VAL_MO; E_COMMODITY/CTY_CODE for duplicate_key).';
COMMENT ON COLUMN quarantine.exports_monthly.value IS 'The offending value as served (for duplicate_key, the duplicated key).';
COMMENT ON COLUMN quarantine.exports_monthly.reason IS 'Why the row failed the check, in words (e.g. not a number).';
