-- meta.about: one row saying what the published copy holds (source, vintages, build time)
-- name: ddl
CREATE SCHEMA IF NOT EXISTS meta;
CREATE TABLE IF NOT EXISTS meta.about (
    source_mode VARCHAR NOT NULL,
    synthetic BOOLEAN NOT NULL,
    notice VARCHAR,
    snapshot VARCHAR,
    first_month VARCHAR,
    last_month VARCHAR,
    census_vintage TIMESTAMP,
    census_last_update DATE,
    hts_releases VARCHAR,
    latest_hts_release VARCHAR,
    storage_version VARCHAR NOT NULL,
    published_at TIMESTAMP NOT NULL
);
COMMENT ON TABLE meta.about IS 'What this published copy holds: one row with the source it was built from, whether the data is synthetic, the data vintages and when it was published. Read it before citing a figure.';
COMMENT ON COLUMN meta.about.source_mode IS 'The source the warehouse was built from: sample (the bundled synthetic snapshot), live (the real APIs) or snapshot (replay of a directory).';
COMMENT ON COLUMN meta.about.synthetic IS 'true when every figure is invented (the bundled sample): never cite such data.';
COMMENT ON COLUMN meta.about.notice IS 'The warning to repeat wherever the data is shown; empty for real data.';
COMMENT ON COLUMN meta.about.snapshot IS 'The snapshot directory the answers were read from (the landing directory in live mode).';
COMMENT ON COLUMN meta.about.first_month IS 'First month (YYYY-MM) of Census imports in the copy.';
COMMENT ON COLUMN meta.about.last_month IS 'Last month (YYYY-MM) of Census imports in the copy.';
COMMENT ON COLUMN meta.about.census_vintage IS 'Latest Census vintage in the copy: the source''s revision date (LAST_UPDATE) of the answers, else their recorded fetch time.';
COMMENT ON COLUMN meta.about.census_last_update IS 'Latest LAST_UPDATE Census reports for the months in the copy.';
COMMENT ON COLUMN meta.about.hts_releases IS 'The HTS releases loaded, in order of their start date.';
COMMENT ON COLUMN meta.about.latest_hts_release IS 'The latest HTS release loaded.';
COMMENT ON COLUMN meta.about.storage_version IS 'DuckDB storage version of this file (readable by DuckDB 1.5 and later, including the duckdb-cli on PyPI).';
COMMENT ON COLUMN meta.about.published_at IS 'When this copy was published (UTC).';
-- name: insert
INSERT INTO meta.about VALUES ($mode, $synthetic, nullif($notice, ''), $root, $first_month,
    $last_month, $census_vintage, $census_updated, $releases, $latest_release, $storage,
    $built);
