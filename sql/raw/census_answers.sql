-- _census_rows / _census_headers: the answer files of one month read once, for the raw tables' inserts
-- name: rows
CREATE OR REPLACE TEMP TABLE _census_rows AS
SELECT filename, r
FROM read_json($files, format = 'array', records = 'false', columns = {r: 'VARCHAR[]'},
               filename = true, maximum_object_size = 16777216)
-- name: headers
-- one row per answer file: its header and, once, the position of every variable in it
CREATE OR REPLACE TEMP TABLE _census_headers AS
SELECT filename, r AS header, count(*) OVER (PARTITION BY filename) AS header_rows,
       list_position(r, 'I_COMMODITY') AS p_i_commodity,
       list_position(r, 'I_COMMODITY_LDESC') AS p_i_commodity_ldesc,
       list_position(r, 'I_COMMODITY_SDESC') AS p_i_commodity_sdesc,
       list_position(r, 'CTY_CODE') AS p_cty_code,
       list_position(r, 'CTY_NAME') AS p_cty_name,
       list_position(r, 'SUMMARY_LVL') AS p_summary_lvl,
       list_position(r, 'GEN_VAL_MO') AS p_gen_val_mo,
       list_position(r, 'CON_VAL_MO') AS p_con_val_mo,
       list_position(r, 'DUT_VAL_MO') AS p_dut_val_mo,
       list_position(r, 'CAL_DUT_MO') AS p_cal_dut_mo,
       list_position(r, 'CON_QY1_MO') AS p_con_qy1_mo,
       list_position(r, 'UNIT_QY1') AS p_unit_qy1,
       list_position(r, 'RP') AS p_rp,
       list_position(r, 'LAST_UPDATE') AS p_last_update,
       list_position(r, 'E_COMMODITY') AS p_e_commodity,
       list_position(r, 'E_COMMODITY_LDESC') AS p_e_commodity_ldesc,
       list_position(r, 'ALL_VAL_MO') AS p_all_val_mo,
       list_position(r, 'QTY_1_MO') AS p_qty_1_mo,
       list_position(r, 'time') AS p_time,
       list_position(r, 'COMM_LVL') AS p_comm_lvl
FROM _census_rows
WHERE list_contains(r, 'CTY_CODE') AND list_contains(r, 'time')
-- name: files_without_header
SELECT f.filename FROM (SELECT DISTINCT filename FROM _census_rows) f
ANTI JOIN _census_headers h USING (filename)
ORDER BY 1 LIMIT 1
-- name: missing_variables
SELECT h.filename, v.variable
FROM _census_headers h, (SELECT unnest($variables) AS variable) v
WHERE NOT list_contains(h.header, v.variable)
ORDER BY 1, 2 LIMIT 1
-- name: ragged_rows
SELECT a.filename, len(a.r) AS row_length, len(h.header) AS header_length, a.r
FROM _census_rows a JOIN _census_headers h USING (filename)
WHERE len(a.r) <> len(h.header)
LIMIT 1
-- name: wrong_month
SELECT a.filename, a.r[h.p_time] AS time
FROM _census_rows a JOIN _census_headers h USING (filename)
WHERE a.r <> h.header AND a.r[h.p_time] IS DISTINCT FROM $period
LIMIT 1
-- name: repeated_variables
-- a header naming a variable twice: list_position would read the first column, silently
SELECT filename, v, list(i ORDER BY i)::VARCHAR AS columns
FROM (SELECT filename, unnest(header) AS v, generate_subscripts(header, 1) AS i
      FROM _census_headers)
GROUP BY filename, v HAVING count(*) > 1
ORDER BY 1, 2 LIMIT 1
-- name: non_finite
-- a value that would cast to NaN/Infinity or overflow BIGINT: a damaged answer, never a row to keep
SELECT a.filename, v.variable, a.r[list_position(h.header, v.variable)] AS value
FROM _census_rows a JOIN _census_headers h USING (filename),
     (SELECT unnest($variables) AS variable) v
WHERE a.r <> h.header AND list_contains(h.header, v.variable)
  AND (regexp_full_match(trim(coalesce(a.r[list_position(h.header, v.variable)], '')),
                         '(?i)[+-]?(nan|inf|infinity)')
       OR abs(try_cast(a.r[list_position(h.header, v.variable)] AS DOUBLE)) >= 9.2e18
       OR NOT isfinite(try_cast(a.r[list_position(h.header, v.variable)] AS DOUBLE)))
ORDER BY 1 LIMIT 1
-- name: source_dates
-- the latest LAST_UPDATE of each answer file (NULL when it carries none)
SELECT h.filename, max(try_cast(a.r[h.p_last_update] AS DATE))
FROM _census_headers h LEFT JOIN _census_rows a
     ON a.filename = h.filename AND a.r <> h.header AND h.p_last_update > 0
GROUP BY h.filename
-- name: file_dated_vintages
-- vintages of a month dated by file time (not midnight) whose answers carry LAST_UPDATE no later
-- than the source-dated vintage $v being loaded: the same revision or an older one
DELETE FROM raw.census_imports
WHERE period = $p AND vintage IN (
    SELECT vintage FROM raw.census_imports
    WHERE period = $p AND vintage <> $v AND vintage <> date_trunc('day', vintage)
    GROUP BY vintage
    HAVING max(try_cast(last_update AS DATE)) <= $v::DATE)
