-- _census_rows / _census_headers: the answer files of one month read once, for the raw tables' inserts
-- name: rows
CREATE OR REPLACE TEMP TABLE _census_rows AS
SELECT filename, r
FROM read_json($files, format = 'array', records = 'false', columns = {r: 'VARCHAR[]'},
               filename = true, maximum_object_size = 16777216)
-- name: headers
CREATE OR REPLACE TEMP TABLE _census_headers AS
SELECT filename, r AS header, count(*) OVER (PARTITION BY filename) AS header_rows
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
SELECT a.filename, a.r[list_position(h.header, 'time')] AS time
FROM _census_rows a JOIN _census_headers h USING (filename)
WHERE a.r <> h.header AND a.r[list_position(h.header, 'time')] IS DISTINCT FROM $period
LIMIT 1
