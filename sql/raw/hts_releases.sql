-- raw.hts_releases: the USITC releaseList answer, one row per release, as served plus its parsed start date
-- name: ddl
CREATE TABLE IF NOT EXISTS raw.hts_releases (
    release VARCHAR PRIMARY KEY,
    release_start_date DATE,
    release_end_date DATE,
    status VARCHAR,
    description VARCHAR,
    record JSON,
    source_file VARCHAR
);
COMMENT ON TABLE raw.hts_releases IS 'USITC HTS releases from reststop/releaseList: one row per release (e.g. 2025HTSRev23), with its start date. Source: hts/releaseList.json of the snapshot.';
COMMENT ON COLUMN raw.hts_releases.release IS 'Release name as USITC writes it, e.g. 2025HTSBasic, 2025HTSRev23; the partition key of the tariff-schedule assets.';
COMMENT ON COLUMN raw.hts_releases.release_start_date IS 'releaseStartDate (MM/DD/YYYY) as a date: the first day the release is in force.';
COMMENT ON COLUMN raw.hts_releases.release_end_date IS 'releaseEndDate as a date; NULL for the current release.';
COMMENT ON COLUMN raw.hts_releases.record IS 'The release object exactly as served.';
COMMENT ON COLUMN raw.hts_releases.status IS 'USITC field status of the release as served (e.g. current, archived).';
COMMENT ON COLUMN raw.hts_releases.description IS 'USITC field description of the release as served (e.g. 2025 Revision 23).';
COMMENT ON COLUMN raw.hts_releases.source_file IS 'Snapshot file the releaseList answer came from, relative to the snapshot root (hts/releaseList.json).';
-- name: insert
INSERT INTO raw.hts_releases
SELECT
    json ->> 'name',
    strptime(json ->> 'releaseStartDate', '%m/%d/%Y')::DATE,
    try_strptime(json ->> 'releaseEndDate', '%m/%d/%Y')::DATE,
    json ->> 'status',
    json ->> 'description',
    json,
    $source_file
FROM read_json_objects($path, format = 'array')
