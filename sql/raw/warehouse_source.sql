-- raw.warehouse_source: the one source this warehouse was built from, recorded by its first load
-- name: ddl
CREATE TABLE IF NOT EXISTS raw.warehouse_source (
    kind VARCHAR NOT NULL,
    root VARCHAR NOT NULL
);
COMMENT ON TABLE raw.warehouse_source IS 'The source the warehouse was built from, one row written by the first load from a source (HTS, Census, Federal Register, Japan, FRED). A load from another source is refused: one warehouse never mixes two sources'' releases or months (start another with TARIFF_AUDIT_DATA=...).';
COMMENT ON COLUMN raw.warehouse_source.kind IS 'sample (the bundled synthetic snapshot), live (the real APIs, answers landed under root) or snapshot (replay of a directory).';
COMMENT ON COLUMN raw.warehouse_source.root IS 'The snapshot directory (absolute path): the sample''s, the live landing or the replayed directory. Two sources are the same when their directories are.';
-- name: insert
INSERT INTO raw.warehouse_source VALUES ($kind, $root)
