-- meta.loaded_files: the digest of the source files each Census month and HTS release was last loaded from, so a run loads what changed
-- name: ddl
CREATE SCHEMA IF NOT EXISTS meta;
CREATE TABLE IF NOT EXISTS meta.loaded_files (
    source VARCHAR NOT NULL,
    partition VARCHAR NOT NULL,
    digest VARCHAR NOT NULL,
    PRIMARY KEY (source, partition)
);
COMMENT ON TABLE meta.loaded_files IS 'Bookkeeping of the incremental loads (pipelines/lib/incremental.py): per source and partition, a digest of the content of the snapshot files it was last loaded from, written in the load''s transaction. make run loads a Census month or an HTS release whose files'' digest differs (a new one, a revision wherever it shows, a file edited under its name).';
COMMENT ON COLUMN meta.loaded_files.source IS 'What was loaded: census imports_hs, census exports_hs or hts.';
COMMENT ON COLUMN meta.loaded_files.partition IS 'The month (YYYY-MM) or the release (e.g. 2025HTSRev23).';
COMMENT ON COLUMN meta.loaded_files.digest IS 'SHA-256 of the files'' names and bytes: for a month its answer files and landing.jsonl, for a release its export.';
-- name: record
INSERT OR REPLACE INTO meta.loaded_files VALUES ($source, $partition, $digest)
