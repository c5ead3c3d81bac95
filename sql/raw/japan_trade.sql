-- raw.japan_trade: MOF / Japan Customs CSV rows by HS9 x country (x customs office), every value a string as served, every file kept as a vintage
-- name: ddl
CREATE TABLE IF NOT EXISTS raw.japan_trade (
    exp_or_imp VARCHAR,
    year VARCHAR,
    custom VARCHAR,
    hs VARCHAR,
    country VARCHAR,
    unit1 VARCHAR,
    unit2 VARCHAR,
    quantity1_year VARCHAR,
    quantity2_year VARCHAR,
    value_year VARCHAR,
    quantity1_jan VARCHAR,
    quantity2_jan VARCHAR,
    value_jan VARCHAR,
    quantity1_feb VARCHAR,
    quantity2_feb VARCHAR,
    value_feb VARCHAR,
    quantity1_mar VARCHAR,
    quantity2_mar VARCHAR,
    value_mar VARCHAR,
    quantity1_apr VARCHAR,
    quantity2_apr VARCHAR,
    value_apr VARCHAR,
    quantity1_may VARCHAR,
    quantity2_may VARCHAR,
    value_may VARCHAR,
    quantity1_jun VARCHAR,
    quantity2_jun VARCHAR,
    value_jun VARCHAR,
    quantity1_jul VARCHAR,
    quantity2_jul VARCHAR,
    value_jul VARCHAR,
    quantity1_aug VARCHAR,
    quantity2_aug VARCHAR,
    value_aug VARCHAR,
    quantity1_sep VARCHAR,
    quantity2_sep VARCHAR,
    value_sep VARCHAR,
    quantity1_oct VARCHAR,
    quantity2_oct VARCHAR,
    value_oct VARCHAR,
    quantity1_nov VARCHAR,
    quantity2_nov VARCHAR,
    value_nov VARCHAR,
    quantity1_dec VARCHAR,
    quantity2_dec VARCHAR,
    value_dec VARCHAR,
    file VARCHAR NOT NULL,
    line INTEGER NOT NULL,
    release VARCHAR NOT NULL,
    published_through INTEGER NOT NULL,
    confirmed_through INTEGER NOT NULL,
    encoding VARCHAR NOT NULL,
    unit_line BOOLEAN NOT NULL,
    vintage TIMESTAMP NOT NULL
);
COMMENT ON TABLE raw.japan_trade IS 'Japan''s trade statistics (Ministry of Finance / Japan Customs monthly CSV by 9-digit HS and country, values in thousand yen), one row per CSV line as served (the year''s twelve months side by side), or per line, country and year of an e-Stat getStatsData answer (its cells laid out as the CSV line; months the answer does not cover NULL); every file and every fetch of it is kept as a vintage.';
COMMENT ON COLUMN raw.japan_trade.exp_or_imp IS 'Exp or Imp as served: 1 exports (FOB, country = final destination), 2 imports (CIF, country = origin).';
COMMENT ON COLUMN raw.japan_trade.year IS 'Year as served (the calendar year of the file).';
COMMENT ON COLUMN raw.japan_trade.custom IS 'Custom as served: the customs office of the row (only in the header variant with Custom; NULL otherwise).';
COMMENT ON COLUMN raw.japan_trade.hs IS 'HS as served: the 9-digit statistical code, sometimes quoted (''010121000'').';
COMMENT ON COLUMN raw.japan_trade.country IS 'Country as served: Japan Customs'' 3-digit country code (304 United States, 105 China).';
COMMENT ON COLUMN raw.japan_trade.unit1 IS 'Unit1 as served: unit of the first quantity (often blank).';
COMMENT ON COLUMN raw.japan_trade.unit2 IS 'Unit2 as served: unit of the second quantity (KG, NO, MT, ...).';
COMMENT ON COLUMN raw.japan_trade.quantity1_year IS 'Quantity1-Year as served: first quantity (in unit1) of the year (months published so far).';
COMMENT ON COLUMN raw.japan_trade.quantity2_year IS 'Quantity2-Year as served: second quantity (in unit2) of the year (months published so far).';
COMMENT ON COLUMN raw.japan_trade.value_year IS 'Value-Year as served: value in thousand yen of the year (months published so far).';
COMMENT ON COLUMN raw.japan_trade.quantity1_jan IS 'Quantity1-Jan as served: first quantity (in unit1) of Jan.';
COMMENT ON COLUMN raw.japan_trade.quantity2_jan IS 'Quantity2-Jan as served: second quantity (in unit2) of Jan.';
COMMENT ON COLUMN raw.japan_trade.value_jan IS 'Value-Jan as served: value in thousand yen of Jan.';
COMMENT ON COLUMN raw.japan_trade.quantity1_feb IS 'Quantity1-Feb as served: first quantity (in unit1) of Feb.';
COMMENT ON COLUMN raw.japan_trade.quantity2_feb IS 'Quantity2-Feb as served: second quantity (in unit2) of Feb.';
COMMENT ON COLUMN raw.japan_trade.value_feb IS 'Value-Feb as served: value in thousand yen of Feb.';
COMMENT ON COLUMN raw.japan_trade.quantity1_mar IS 'Quantity1-Mar as served: first quantity (in unit1) of Mar.';
COMMENT ON COLUMN raw.japan_trade.quantity2_mar IS 'Quantity2-Mar as served: second quantity (in unit2) of Mar.';
COMMENT ON COLUMN raw.japan_trade.value_mar IS 'Value-Mar as served: value in thousand yen of Mar.';
COMMENT ON COLUMN raw.japan_trade.quantity1_apr IS 'Quantity1-Apr as served: first quantity (in unit1) of Apr.';
COMMENT ON COLUMN raw.japan_trade.quantity2_apr IS 'Quantity2-Apr as served: second quantity (in unit2) of Apr.';
COMMENT ON COLUMN raw.japan_trade.value_apr IS 'Value-Apr as served: value in thousand yen of Apr.';
COMMENT ON COLUMN raw.japan_trade.quantity1_may IS 'Quantity1-May as served: first quantity (in unit1) of May.';
COMMENT ON COLUMN raw.japan_trade.quantity2_may IS 'Quantity2-May as served: second quantity (in unit2) of May.';
COMMENT ON COLUMN raw.japan_trade.value_may IS 'Value-May as served: value in thousand yen of May.';
COMMENT ON COLUMN raw.japan_trade.quantity1_jun IS 'Quantity1-Jun as served: first quantity (in unit1) of Jun.';
COMMENT ON COLUMN raw.japan_trade.quantity2_jun IS 'Quantity2-Jun as served: second quantity (in unit2) of Jun.';
COMMENT ON COLUMN raw.japan_trade.value_jun IS 'Value-Jun as served: value in thousand yen of Jun.';
COMMENT ON COLUMN raw.japan_trade.quantity1_jul IS 'Quantity1-Jul as served: first quantity (in unit1) of Jul.';
COMMENT ON COLUMN raw.japan_trade.quantity2_jul IS 'Quantity2-Jul as served: second quantity (in unit2) of Jul.';
COMMENT ON COLUMN raw.japan_trade.value_jul IS 'Value-Jul as served: value in thousand yen of Jul.';
COMMENT ON COLUMN raw.japan_trade.quantity1_aug IS 'Quantity1-Aug as served: first quantity (in unit1) of Aug.';
COMMENT ON COLUMN raw.japan_trade.quantity2_aug IS 'Quantity2-Aug as served: second quantity (in unit2) of Aug.';
COMMENT ON COLUMN raw.japan_trade.value_aug IS 'Value-Aug as served: value in thousand yen of Aug.';
COMMENT ON COLUMN raw.japan_trade.quantity1_sep IS 'Quantity1-Sep as served: first quantity (in unit1) of Sep.';
COMMENT ON COLUMN raw.japan_trade.quantity2_sep IS 'Quantity2-Sep as served: second quantity (in unit2) of Sep.';
COMMENT ON COLUMN raw.japan_trade.value_sep IS 'Value-Sep as served: value in thousand yen of Sep.';
COMMENT ON COLUMN raw.japan_trade.quantity1_oct IS 'Quantity1-Oct as served: first quantity (in unit1) of Oct.';
COMMENT ON COLUMN raw.japan_trade.quantity2_oct IS 'Quantity2-Oct as served: second quantity (in unit2) of Oct.';
COMMENT ON COLUMN raw.japan_trade.value_oct IS 'Value-Oct as served: value in thousand yen of Oct.';
COMMENT ON COLUMN raw.japan_trade.quantity1_nov IS 'Quantity1-Nov as served: first quantity (in unit1) of Nov.';
COMMENT ON COLUMN raw.japan_trade.quantity2_nov IS 'Quantity2-Nov as served: second quantity (in unit2) of Nov.';
COMMENT ON COLUMN raw.japan_trade.value_nov IS 'Value-Nov as served: value in thousand yen of Nov.';
COMMENT ON COLUMN raw.japan_trade.quantity1_dec IS 'Quantity1-Dec as served: first quantity (in unit1) of Dec.';
COMMENT ON COLUMN raw.japan_trade.quantity2_dec IS 'Quantity2-Dec as served: second quantity (in unit2) of Dec.';
COMMENT ON COLUMN raw.japan_trade.value_dec IS 'Value-Dec as served: value in thousand yen of Dec.';
COMMENT ON COLUMN raw.japan_trade.file IS 'The CSV file within the snapshot (japan_customs/<YYYY>/<exp|imp>_<YYYY-MM>[_part].csv or <exp|imp>_<YYYY>_confirmed[_part].csv), or the first page of an e-Stat answer (japan_customs/estat/<statsDataId>/<narrowing>_1.json).';
COMMENT ON COLUMN raw.japan_trade.line IS 'Line of the row in its file (the header and preamble lines counted), or for an e-Stat answer the number of the row''s first DATA_INF.VALUE cell, for tracing a figure to its source.';
COMMENT ON COLUMN raw.japan_trade.release IS 'The release the file belongs to (its name without part): exp_2026-08 is the release of August 2026, imp_2025_confirmed the confirmed year 2025; estat_<statsDataId>_<exp|imp>_<YYYY-MM> an e-Stat answer read as the monthly release of its latest month.';
COMMENT ON COLUMN raw.japan_trade.published_through IS 'Last month (1-12) the release publishes; later month columns are 0.';
COMMENT ON COLUMN raw.japan_trade.confirmed_through IS 'Last month (0-12) the release gives as confirmed; months after it up to published_through are provisional.';
COMMENT ON COLUMN raw.japan_trade.encoding IS 'Encoding the file was read in: utf-8 or shift_jis (detected); utf-8 for e-Stat JSON.';
COMMENT ON COLUMN raw.japan_trade.unit_line IS 'True when the file states its unit (thousand yen) in a line before the header; otherwise the values were checked against the previous vintage''s magnitude. Always true for e-Stat answers (every cell states its unit).';
COMMENT ON COLUMN raw.japan_trade.vintage IS 'When the file was fetched (its modification time, UTC): every vintage is kept, staging uses the best release of each month.';
