-- staging.fx_monthly: monthly mean exchange rates from the daily quotes of the latest vintage
-- name: ddl
CREATE TABLE IF NOT EXISTS staging.fx_monthly (
    period DATE NOT NULL,
    currency VARCHAR NOT NULL,
    per_usd DOUBLE NOT NULL,
    days INTEGER NOT NULL,
    series VARCHAR NOT NULL,
    vintage TIMESTAMP NOT NULL
);
COMMENT ON TABLE staging.fx_monthly IS 'Monthly mean exchange rates (units of currency per U.S. dollar) from the daily quotes of the latest vintage, for every complete month from the ledger''s first_month; a complete month with fewer quotes than the ledger''s min_quotes stops the load (never interpolated); the month still being published is left out.';
COMMENT ON COLUMN staging.fx_monthly.period IS 'First day of the month.';
COMMENT ON COLUMN staging.fx_monthly.currency IS 'ISO currency code (JPY).';
COMMENT ON COLUMN staging.fx_monthly.per_usd IS 'Mean of the month''s daily quotes: units of currency per U.S. dollar (FRED EXJPUS, the monthly series, is the same mean: 146.29 for 2024-01).';
COMMENT ON COLUMN staging.fx_monthly.days IS 'Number of daily quotes averaged (days without a quote are not counted).';
COMMENT ON COLUMN staging.fx_monthly.series IS 'FRED series the mean comes from (DEXJPUS).';
COMMENT ON COLUMN staging.fx_monthly.vintage IS 'The raw.fx_daily vintage the quotes come from.';
