-- Purchase commitments: cumulative purchases since the start against the linear target path (marts.commitment_progress), one row per source of figures
-- reads: marts.commitment_progress, staging.ledger_commitments
-- name: rows
WITH commitments AS (
    SELECT * FROM staging.ledger_commitments WHERE measure = 'purchases'
),
latest AS (
    -- the quarter's last month with figures
    SELECT q.commitment_id, q.quarter, p.*
    FROM _scorecard_quarters q
    JOIN marts.commitment_progress p
      ON p.commitment_id = q.commitment_id
     AND p.period BETWEEN q.quarter_start AND q.as_of
    QUALIFY row_number() OVER (PARTITION BY q.commitment_id, q.quarter, p.source
                               ORDER BY p.period DESC) = 1
)
SELECT q.quarter, c.side, c.commitment_id,
       printf('cumulative purchases since %s (%s, %s) vs the linear target path',
              strftime(c.start_on, '%Y-%m'), c.unit, s.source) AS indicator,
       p.cumulative_actual, p.cumulative_target, c.unit,
       coalesce(p.status, 'insufficient_data'),
       CASE
           WHEN p.period IS NULL
               THEN printf('marts.commitment_progress has no %s figures for %s in %s',
                           s.source, c.commitment_id, q.quarter)
           WHEN p.cumulative_actual IS NULL
               THEN printf('marts.commitment_progress %s %s %s: cumulative purchases unknown '
                           '(a quantity in a unit that does not convert into %s since the start)',
                           c.commitment_id, s.source, strftime(p.period, '%Y-%m'), c.unit)
           ELSE printf('marts.commitment_progress %s %s %s: %s %s since %s, %.0f%% of the path '
                       '(pace_ratio %.2f, behind below %.2f)%s',
                       c.commitment_id, s.source, strftime(p.period, '%Y-%m'),
                       format('{:,.0f}', p.cumulative_actual), c.unit,
                       strftime(c.start_on, '%Y-%m'), 100 * p.pace_ratio, p.pace_ratio,
                       c.thresholds['behind_below_pace'],
                       CASE WHEN p.cumulative_baseline > 0
                            THEN printf('; %+.0f%% on the same months of the baseline year',
                                        100 * (p.cumulative_actual / p.cumulative_baseline - 1))
                            ELSE '' END)
       END AS evidence,
       q.as_of, c.verified
FROM _scorecard_quarters q
JOIN commitments c USING (commitment_id)
CROSS JOIN unnest(c.sources) AS s(source)
LEFT JOIN latest p
  ON p.commitment_id = q.commitment_id AND p.quarter = q.quarter AND p.source = s.source
