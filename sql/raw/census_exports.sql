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
    fetched_at TIMESTAMP NOT NULL
);
COMMENT ON TABLE raw.census_exports IS 'Census International Trade API exports/hs answers (Schedule B 10-digit x country x month), every value a string as served; partition key: period (first of month).';
COMMENT ON COLUMN raw.census_exports.request IS 'The answer file within the snapshot (census/exports_hs/<YYYY-MM>/<predicates>.json).';
COMMENT ON COLUMN raw.census_exports.fetched_at IS 'When the answer was fetched (UTC): the answer file''s modification time.';
-- name: insert
INSERT INTO raw.census_exports
SELECT
    strptime(a.r[list_position(h.header, 'time')], '%Y-%m')::DATE,
    a.r[list_position(h.header, 'E_COMMODITY')],
    a.r[list_position(h.header, 'E_COMMODITY_LDESC')],
    a.r[list_position(h.header, 'CTY_CODE')],
    a.r[list_position(h.header, 'CTY_NAME')],
    a.r[list_position(h.header, 'ALL_VAL_MO')],
    a.r[list_position(h.header, 'QTY_1_MO')],
    a.r[list_position(h.header, 'UNIT_QY1')],
    a.r[list_position(h.header, 'time')],
    a.r[list_position(h.header, 'COMM_LVL')],
    f.request,
    f.fetched_at
FROM _census_rows a
JOIN _census_headers h USING (filename)
JOIN _census_files f USING (filename)
WHERE a.r <> h.header
