-- raw.fx_daily: daily exchange-rate quotes as FRED serves them (CSV download), one row per line, every fetch kept as a vintage
-- name: ddl
CREATE TABLE IF NOT EXISTS raw.fx_daily (
    series VARCHAR NOT NULL,
    observation_date VARCHAR NOT NULL,
    value VARCHAR,
    file VARCHAR NOT NULL,
    line INTEGER NOT NULL,
    vintage TIMESTAMP NOT NULL
);
COMMENT ON TABLE raw.fx_daily IS 'Daily exchange rates as served by FRED''s CSV download (Federal Reserve H.10 noon buying rates), one row per line of the file; every fetch is kept as a vintage.';
COMMENT ON COLUMN raw.fx_daily.series IS 'FRED series id (DEXJPUS: yen per U.S. dollar).';
COMMENT ON COLUMN raw.fx_daily.observation_date IS 'observation_date as served (YYYY-MM-DD).';
COMMENT ON COLUMN raw.fx_daily.value IS 'The quote as served; NULL where FRED writes . (no quote that day, e.g. a holiday).';
COMMENT ON COLUMN raw.fx_daily.file IS 'The CSV file within the snapshot (fx/<SERIES>.csv).';
COMMENT ON COLUMN raw.fx_daily.line IS 'Line of the quote in its file (the header is line 1).';
COMMENT ON COLUMN raw.fx_daily.vintage IS 'When the file was fetched (its modification time, UTC).';
