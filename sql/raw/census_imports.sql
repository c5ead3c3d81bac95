-- raw.census_imports: Census imports/hs answers, one row per answer row, every value a string as served
-- name: ddl
CREATE TABLE IF NOT EXISTS raw.census_imports (
    period DATE NOT NULL,
    i_commodity VARCHAR,
    i_commodity_ldesc VARCHAR,
    i_commodity_sdesc VARCHAR,
    cty_code VARCHAR,
    cty_name VARCHAR,
    summary_lvl VARCHAR,
    gen_val_mo VARCHAR,
    con_val_mo VARCHAR,
    dut_val_mo VARCHAR,
    cal_dut_mo VARCHAR,
    con_qy1_mo VARCHAR,
    unit_qy1 VARCHAR,
    rp VARCHAR,
    last_update VARCHAR,
    time VARCHAR,
    comm_lvl VARCHAR,
    request VARCHAR NOT NULL,
    fetched_at TIMESTAMP NOT NULL
);
COMMENT ON TABLE raw.census_imports IS 'Census International Trade API imports/hs answers (HS10 x country x month [x rate provision]), every value a string as served; partition key: period (first of month).';
COMMENT ON COLUMN raw.census_imports.request IS 'The answer file within the snapshot (census/imports_hs/<YYYY-MM>/<predicates>.json): its name encodes the request predicates; no key is ever stored.';
COMMENT ON COLUMN raw.census_imports.fetched_at IS 'When the answer was fetched (UTC): the answer file''s modification time.';
-- name: insert
INSERT INTO raw.census_imports
SELECT
    strptime(a.r[list_position(h.header, 'time')], '%Y-%m')::DATE,
    a.r[list_position(h.header, 'I_COMMODITY')],
    a.r[list_position(h.header, 'I_COMMODITY_LDESC')],
    a.r[list_position(h.header, 'I_COMMODITY_SDESC')],
    a.r[list_position(h.header, 'CTY_CODE')],
    a.r[list_position(h.header, 'CTY_NAME')],
    a.r[list_position(h.header, 'SUMMARY_LVL')],
    a.r[list_position(h.header, 'GEN_VAL_MO')],
    a.r[list_position(h.header, 'CON_VAL_MO')],
    a.r[list_position(h.header, 'DUT_VAL_MO')],
    a.r[list_position(h.header, 'CAL_DUT_MO')],
    a.r[list_position(h.header, 'CON_QY1_MO')],
    a.r[list_position(h.header, 'UNIT_QY1')],
    a.r[list_position(h.header, 'RP')],
    a.r[list_position(h.header, 'LAST_UPDATE')],
    a.r[list_position(h.header, 'time')],
    a.r[list_position(h.header, 'COMM_LVL')],
    f.request,
    f.fetched_at
FROM _census_rows a
JOIN _census_headers h USING (filename)
JOIN _census_files f USING (filename)
WHERE a.r <> h.header
