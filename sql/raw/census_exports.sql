-- raw.census_exports: Census exports/hs answers, one row per answer row, every value a string as served
-- name: ddl
CREATE TABLE IF NOT EXISTS raw.census_exports (
    period DATE NOT NULL,
    e_commodity VARCHAR,
    e_commodity_ldesc VARCHAR,
    cty_code VARCHAR,
    cty_name VARCHAR,
    all_val_mo VARCHAR,
    qty_1_mo VARCHAR,
    unit_qy1 VARCHAR,
    time VARCHAR,
    comm_lvl VARCHAR,
    request VARCHAR NOT NULL,
    fetched_at TIMESTAMP NOT NULL,
    vintage TIMESTAMP NOT NULL
);
COMMENT ON TABLE raw.census_exports IS 'Census International Trade API exports/hs answers (Schedule B 10-digit x country x month), every value a string as served; every fetch of a month is kept as a vintage; partition key: period (first of month).';
COMMENT ON COLUMN raw.census_exports.request IS 'The answer file within the snapshot (census/exports_hs/<YYYY-MM>/<predicates>.json).';
COMMENT ON COLUMN raw.census_exports.vintage IS 'The source revision this row belongs to: the latest LAST_UPDATE of the month''s answers when they were loaded (answers without it: the latest fetch time recorded in the month''s landing.jsonl, else, in a hand-made snapshot, the files'' latest modification time). Every vintage is kept; staging uses the latest of each month.';
COMMENT ON COLUMN raw.census_exports.fetched_at IS 'When the answer was fetched (UTC): the time the live client recorded in the month''s landing.jsonl, else the answer file''s modification time.';
COMMENT ON COLUMN raw.census_exports.period IS 'First day of the statistical month, parsed from time (YYYY-MM); the partition key.';
COMMENT ON COLUMN raw.census_exports.e_commodity IS 'E_COMMODITY: Schedule B 10-digit code without dots, as served.';
COMMENT ON COLUMN raw.census_exports.e_commodity_ldesc IS 'E_COMMODITY_LDESC: long description of the Schedule B code, as served.';
COMMENT ON COLUMN raw.census_exports.cty_code IS 'CTY_CODE: Census country code as served (5880 Japan, - all countries).';
COMMENT ON COLUMN raw.census_exports.cty_name IS 'CTY_NAME: Census country name as served (e.g. JAPAN).';
COMMENT ON COLUMN raw.census_exports.all_val_mo IS 'ALL_VAL_MO: total export value of the month (f.a.s.), USD, as a string.';
COMMENT ON COLUMN raw.census_exports.qty_1_mo IS 'QTY_1_MO: first quantity of the month in unit_qy1, as a string.';
COMMENT ON COLUMN raw.census_exports.unit_qy1 IS 'UNIT_QY1: unit of qty_1_mo as Census writes it (KG, NO, T, X = no quantity, ...).';
COMMENT ON COLUMN raw.census_exports.time IS 'time: the statistical month as served (YYYY-MM).';
COMMENT ON COLUMN raw.census_exports.comm_lvl IS 'COMM_LVL: the commodity level predicate echoed by the API (HS10).';
-- name: insert
INSERT INTO raw.census_exports
SELECT
    strptime(a.r[h.p_time], '%Y-%m')::DATE,
    a.r[h.p_e_commodity],
    a.r[h.p_e_commodity_ldesc],
    a.r[h.p_cty_code],
    a.r[h.p_cty_name],
    a.r[h.p_all_val_mo],
    a.r[h.p_qty_1_mo],
    a.r[h.p_unit_qy1],
    a.r[h.p_time],
    a.r[h.p_comm_lvl],
    f.request,
    f.fetched_at,
    $vintage
FROM _census_rows a
JOIN _census_headers h USING (filename)
JOIN _census_files f USING (filename)
WHERE a.r <> h.header
