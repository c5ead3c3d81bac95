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
    fetched_at TIMESTAMP NOT NULL,
    vintage TIMESTAMP NOT NULL
);
COMMENT ON TABLE raw.census_imports IS 'Census International Trade API imports/hs answers (HS10 x country x month [x rate provision]), every value a string as served; every fetch of a month is kept as a vintage; partition key: period (first of month).';
COMMENT ON COLUMN raw.census_imports.request IS 'The answer file within the snapshot (census/imports_hs/<YYYY-MM>/<predicates>.json): its name encodes the request predicates; no key is ever stored.';
COMMENT ON COLUMN raw.census_imports.vintage IS 'The source revision this row belongs to: the latest LAST_UPDATE of the month''s answers when they were loaded (answers without it: the latest fetch time recorded in the month''s landing.jsonl, else, in a hand-made snapshot, the files'' latest modification time). Every vintage is kept; staging uses the latest of each month.';
COMMENT ON COLUMN raw.census_imports.fetched_at IS 'When the answer was fetched (UTC): the time the live client recorded in the month''s landing.jsonl, else the answer file''s modification time.';
COMMENT ON COLUMN raw.census_imports.period IS 'First day of the statistical month, parsed from time (YYYY-MM); the partition key.';
COMMENT ON COLUMN raw.census_imports.i_commodity IS 'I_COMMODITY: HS10 code without dots, as served.';
COMMENT ON COLUMN raw.census_imports.i_commodity_ldesc IS 'I_COMMODITY_LDESC: long description of the HS10 line, as served.';
COMMENT ON COLUMN raw.census_imports.i_commodity_sdesc IS 'I_COMMODITY_SDESC: short description of the HS10 line, as served.';
COMMENT ON COLUMN raw.census_imports.cty_code IS 'CTY_CODE: Census country code as served (5880 Japan, - all countries).';
COMMENT ON COLUMN raw.census_imports.cty_name IS 'CTY_NAME: Census country name as served (e.g. JAPAN).';
COMMENT ON COLUMN raw.census_imports.summary_lvl IS 'SUMMARY_LVL: DET for a single-country detail row, CGP for a country group or the all-countries total.';
COMMENT ON COLUMN raw.census_imports.gen_val_mo IS 'GEN_VAL_MO: general imports value of the month, USD, as a string.';
COMMENT ON COLUMN raw.census_imports.con_val_mo IS 'CON_VAL_MO: customs value of imports for consumption of the month, USD, as a string.';
COMMENT ON COLUMN raw.census_imports.dut_val_mo IS 'DUT_VAL_MO: dutiable value of the month, USD, as a string.';
COMMENT ON COLUMN raw.census_imports.cal_dut_mo IS 'CAL_DUT_MO: calculated duty of the month, USD, as a string.';
COMMENT ON COLUMN raw.census_imports.con_qy1_mo IS 'CON_QY1_MO: first quantity of imports for consumption of the month in unit_qy1, as a string.';
COMMENT ON COLUMN raw.census_imports.unit_qy1 IS 'UNIT_QY1: unit of con_qy1_mo as Census writes it (KG, NO, T, X = no quantity, ...).';
COMMENT ON COLUMN raw.census_imports.rp IS 'RP: two-digit rate provision code as served (00 warehouse/FTZ, 10-19 free, 61 general, 64 special, 69/79 Chapter 99, ...); NULL when the answer lacks it.';
COMMENT ON COLUMN raw.census_imports.last_update IS 'LAST_UPDATE: date Census last revised the figures, as served (YYYY-MM-DD).';
COMMENT ON COLUMN raw.census_imports.time IS 'time: the statistical month as served (YYYY-MM).';
COMMENT ON COLUMN raw.census_imports.comm_lvl IS 'COMM_LVL: the commodity level predicate echoed by the API (HS10).';
-- name: insert
INSERT INTO raw.census_imports
SELECT
    strptime(a.r[h.p_time], '%Y-%m')::DATE,
    a.r[h.p_i_commodity],
    a.r[h.p_i_commodity_ldesc],
    a.r[h.p_i_commodity_sdesc],
    a.r[h.p_cty_code],
    a.r[h.p_cty_name],
    a.r[h.p_summary_lvl],
    a.r[h.p_gen_val_mo],
    a.r[h.p_con_val_mo],
    a.r[h.p_dut_val_mo],
    a.r[h.p_cal_dut_mo],
    a.r[h.p_con_qy1_mo],
    a.r[h.p_unit_qy1],
    a.r[h.p_rp],
    a.r[h.p_last_update],
    a.r[h.p_time],
    a.r[h.p_comm_lvl],
    f.request,
    f.fetched_at,
    $vintage
FROM _census_rows a
JOIN _census_headers h USING (filename)
JOIN _census_files f USING (filename)
WHERE a.r <> h.header
