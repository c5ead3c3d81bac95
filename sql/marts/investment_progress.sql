-- marts.investment_progress: the investment commitment's cumulative amounts by stage at each event date and quarter end, beside the stated total (the agreement sets no path to it)
-- group: commitments
-- reads: marts.investment_tranches
-- preview: ORDER BY date DESC, stage
-- name: ddl
CREATE TABLE IF NOT EXISTS marts.investment_progress (
    commitment_id VARCHAR NOT NULL,
    date DATE NOT NULL,
    stage VARCHAR NOT NULL,
    cumulative_usd DOUBLE NOT NULL,
    tranches INTEGER NOT NULL,
    target_usd DOUBLE NOT NULL,
    target_share DOUBLE,
    PRIMARY KEY (commitment_id, date, stage)
);
COMMENT ON TABLE marts.investment_progress IS 'The investment commitment (e.g. $550 bn by 19 Jan 2029) at its start, at every date a tranche changes stage, at every quarter end and at the report date: the amounts on candidate lists, selected, funded and overdue so far, beside the stated total. The agreement sets no path to the total (the President selects projects; each selected project is due 45 days later), so no path is drawn.';
COMMENT ON COLUMN marts.investment_progress.commitment_id IS 'Investment commitment (staging.ledger_commitments).';
COMMENT ON COLUMN marts.investment_progress.date IS 'The date the figures are as of.';
COMMENT ON COLUMN marts.investment_progress.stage IS 'candidate, selected, funded or overdue (selected tranches without funding evidence past their deadline on that date; marts.investment_tranches).';
COMMENT ON COLUMN marts.investment_progress.cumulative_usd IS 'Sum of the amounts of the tranches at that stage by date (selected counts every tranche selected so far, funded or not), USD.';
COMMENT ON COLUMN marts.investment_progress.tranches IS 'Number of tranches (or candidate lists) in cumulative_usd.';
COMMENT ON COLUMN marts.investment_progress.target_usd IS 'The stated total (staging.ledger_commitments.target_amount), USD, due by its target_deadline.';
COMMENT ON COLUMN marts.investment_progress.target_share IS 'cumulative_usd / target_usd.';
-- name: insert
INSERT INTO marts.investment_progress
WITH commitments AS (
    SELECT commitment_id, start_on, target_amount, target_deadline
    FROM staging.ledger_commitments
    WHERE measure = 'investment' AND start_on <= $as_of::DATE
),
tranches AS (
    SELECT * FROM marts.investment_tranches
),
dates AS (
    SELECT commitment_id, start_on AS date FROM commitments
    UNION
    SELECT commitment_id, event_date FROM tranches WHERE event_date <= $as_of::DATE
    UNION
    SELECT c.commitment_id, (q + INTERVAL 3 MONTH - INTERVAL 1 DAY)::DATE
    FROM commitments c,
         generate_series(date_trunc('quarter', c.start_on),
                         date_trunc('quarter', $as_of::DATE), INTERVAL 3 MONTH) AS g(q)
    WHERE (q + INTERVAL 3 MONTH - INTERVAL 1 DAY)::DATE <= $as_of::DATE
    UNION
    SELECT commitment_id, $as_of::DATE FROM commitments
),
stages AS (
    SELECT unnest(['candidate', 'selected', 'funded', 'overdue']) AS stage
),
counted AS (
    SELECT d.commitment_id, d.date, s.stage, t.tranche_id, t.amount_usd
    FROM dates d
    CROSS JOIN stages s
    LEFT JOIN tranches t
      ON t.commitment_id = d.commitment_id AND t.stage = s.stage AND t.event_date <= d.date
     -- an overdue tranche stops being overdue once it is funded
     AND NOT (s.stage = 'overdue' AND EXISTS (
             SELECT 1 FROM tranches f
             WHERE f.commitment_id = t.commitment_id AND f.tranche_id = t.tranche_id
               AND f.stage = 'funded' AND f.event_date <= d.date))
)
SELECT x.commitment_id, x.date, x.stage, coalesce(sum(x.amount_usd), 0),
       count(x.tranche_id), c.target_amount,
       round(coalesce(sum(x.amount_usd), 0) / c.target_amount, 10)
FROM counted x
JOIN commitments c USING (commitment_id)
GROUP BY x.commitment_id, x.date, x.stage, c.target_amount
