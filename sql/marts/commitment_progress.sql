-- marts.commitment_progress: each purchase commitment month by month from its start, per source: actual and baseline purchases, cumulative against the linear target path, and a status
-- group: commitments
-- includes: commitment_sources/*.sql
-- preview: ORDER BY period DESC, commitment_id
-- name: ddl
CREATE TABLE IF NOT EXISTS marts.commitment_progress (
    commitment_id VARCHAR NOT NULL,
    period DATE NOT NULL,
    source VARCHAR NOT NULL,
    metric VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    actual DOUBLE,
    baseline DOUBLE,
    cumulative_actual DOUBLE,
    cumulative_baseline DOUBLE,
    cumulative_target DOUBLE,
    progress_ratio DOUBLE,
    pace_ratio DOUBLE,
    status VARCHAR NOT NULL,
    as_of DATE NOT NULL,
    unit_errors INTEGER NOT NULL,
    error_units VARCHAR,
    PRIMARY KEY (commitment_id, period, source)
);
COMMENT ON TABLE marts.commitment_progress IS 'Japan''s purchase commitments (measure purchases in pipelines/ledger/commitments.yaml) month by month from each commitment''s start, one row per source of figures: the month''s purchases and the same month of the baseline year, both cumulated, against the linear path to the target, with a status decided by the ledger''s threshold (the precedent is PIIE''s tracker of China''s 2020 Phase One purchases).';
COMMENT ON COLUMN marts.commitment_progress.commitment_id IS 'Commitment id (staging.ledger_commitments), e.g. jp-rice.';
COMMENT ON COLUMN marts.commitment_progress.period IS 'First day of the statistical month.';
COMMENT ON COLUMN marts.commitment_progress.source IS 'Where the figures come from: us_exports (Census exports/hs to Japan, Schedule B codes, f.a.s.) or japan_imports (Japan''s own import statistics from the United States, CIF, at the month''s mean JPY rate: the other country''s books of the same purchases); one SQL file sql/marts/commitment_sources/<source>.sql per source.';
COMMENT ON COLUMN marts.commitment_progress.metric IS 'value_usd (export value f.a.s.) or quantity (in unit).';
COMMENT ON COLUMN marts.commitment_progress.unit IS 'Unit of actual, baseline and the cumulative columns: USD, t (metric tons, converted from Census KG or T, or Japan''s KG or MT) or each (Census or Japan''s NO).';
COMMENT ON COLUMN marts.commitment_progress.actual IS 'Purchases of the month in unit: the sum over the commitment''s products; NULL when a quantity is in a unit that does not convert (see unit_errors): a data error, never a zero.';
COMMENT ON COLUMN marts.commitment_progress.baseline IS 'The same calendar month of the baseline year (the 12 months from staging.ledger_commitments.baseline_start), same source; NULL without a baseline or its data.';
COMMENT ON COLUMN marts.commitment_progress.cumulative_actual IS 'actual summed from the commitment''s first month; NULL from the first month whose actual is NULL.';
COMMENT ON COLUMN marts.commitment_progress.cumulative_baseline IS 'baseline summed over the same months; NULL when a baseline month is missing.';
COMMENT ON COLUMN marts.commitment_progress.cumulative_target IS 'The pro-rata of the stated amount at the end of the month: an annual amount x months elapsed / 12 (plus cumulative_baseline when the amount is incremental), or a total amount x days elapsed / days to the deadline (capped at the total); NULL for a total without an agreed date, or an incremental amount without its baseline months.';
COMMENT ON COLUMN marts.commitment_progress.progress_ratio IS 'cumulative_actual (its part above cumulative_baseline for an incremental amount) / the whole target: the total amount, or for annual targets the amounts of the commitment years begun (one year per 12 months from the start).';
COMMENT ON COLUMN marts.commitment_progress.pace_ratio IS 'cumulative_actual / cumulative_target: 1 = exactly on the linear path.';
COMMENT ON COLUMN marts.commitment_progress.status IS 'on_track (pace_ratio at or above the commitment''s behind_below_pace threshold), behind (below it), pending (a total without an agreed date: counted, nothing is due) or not_measurable (cumulative_actual unknown, or an incremental target without its baseline months).';
COMMENT ON COLUMN marts.commitment_progress.as_of IS 'Last day of the latest month the source has data for: the figures are as of this date.';
COMMENT ON COLUMN marts.commitment_progress.unit_errors IS 'Rows of the month whose quantity is missing or in a unit that does not convert into unit (staging.ledger_units for Census, staging.ledger_japan_units for Japan); for value metrics 0, or for japan_imports the rows of a month without a JPY rate.';
COMMENT ON COLUMN marts.commitment_progress.error_units IS 'The units of those rows as the source writes them (e.g. L, X), comma-separated, or ''no JPY rate''; NULL when there are none.';
-- name: insert
INSERT INTO marts.commitment_progress
WITH commitments AS (
    SELECT commitment_id, metric, unit, start_on, target_amount, target_per, target_deadline,
           target_over_baseline, baseline_start,
           thresholds['behind_below_pace'] AS behind_below_pace
    FROM staging.ledger_commitments
    WHERE measure = 'purchases'
),
bounds AS (
    SELECT source, last_day(max(period)) AS as_of FROM _commitment_actuals GROUP BY source
),
months AS (
    SELECT c.*, a.source, a.period, a.actual, a.unit_errors, a.error_units, b.actual AS baseline,
           datediff('month', date_trunc('month', c.start_on), a.period) + 1 AS n
    FROM commitments c
    JOIN _commitment_actuals a USING (commitment_id)
    LEFT JOIN _commitment_actuals b
      ON b.commitment_id = a.commitment_id AND b.source = a.source
     AND b.period = make_date(year(c.baseline_start)
                              + (month(a.period) < month(c.baseline_start))::INTEGER,
                              month(a.period), 1)
    WHERE a.period >= date_trunc('month', c.start_on)
),
running AS (
    SELECT *,
           -- a sum over a window with a NULL month is unknown, not the sum of the others
           CASE WHEN count(*) OVER w = count(actual) OVER w THEN sum(actual) OVER w END
               AS cumulative_actual,
           CASE WHEN count(*) OVER w = count(baseline) OVER w THEN sum(baseline) OVER w END
               AS cumulative_baseline,
           -- the pro-rata of the stated amount: an incremental amount rides on the baseline
           -- months' own purchases; a total without an agreed date has none (nothing is due)
           CASE target_per
               WHEN 'year' THEN target_amount * n / 12
                                + CASE WHEN target_over_baseline THEN
                                      CASE WHEN count(*) OVER w = count(baseline) OVER w
                                           THEN sum(baseline) OVER w END
                                  ELSE 0 END
               -- (least() skips NULLs: a total without a date must stay without a path)
               WHEN 'total' THEN CASE WHEN target_deadline IS NOT NULL THEN
                   target_amount * least(1.0, datediff('day', start_on, last_day(period) + 1)
                                              / datediff('day', start_on, target_deadline)) END
           END AS cumulative_target,
           CASE target_per
               WHEN 'year' THEN target_amount * ceil(n / 12)
               WHEN 'total' THEN target_amount
           END AS whole_target
    FROM months
    WINDOW w AS (PARTITION BY commitment_id, source ORDER BY period
                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
)
SELECT r.commitment_id, r.period, r.source, r.metric, r.unit, r.actual, r.baseline,
       round(r.cumulative_actual, 6), round(r.cumulative_baseline, 6),
       round(r.cumulative_target, 6),
       round(CASE WHEN r.target_over_baseline
                  THEN (r.cumulative_actual - r.cumulative_baseline)
                  ELSE r.cumulative_actual END / nullif(r.whole_target, 0), 10),
       round(r.cumulative_actual / nullif(r.cumulative_target, 0), 10) AS pace_ratio,
       CASE WHEN r.cumulative_actual IS NULL THEN 'not_measurable'
            WHEN r.target_per = 'total' AND r.target_deadline IS NULL THEN 'pending'
            WHEN r.cumulative_target IS NULL THEN 'not_measurable'
            WHEN r.cumulative_actual / nullif(r.cumulative_target, 0) >= r.behind_below_pace
                THEN 'on_track'
            ELSE 'behind' END,
       b.as_of, r.unit_errors, r.error_units
FROM running r
JOIN bounds b USING (source)
