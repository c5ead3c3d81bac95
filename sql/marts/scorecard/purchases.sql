-- Purchase commitments: cumulative purchases since the start against the pro-rata of the amount the commitment states (marts.commitment_progress), one row per source of figures: on track or behind; pending for an amount without an agreed date; not measurable without figures
-- reads: marts.commitment_progress, staging.ledger_commitments
-- $missing_figures, $missing_reasons: the sources of figures an optional source missing from
-- the snapshot feeds, and why (pipelines.lib.sources.snapshot.missing_figures)
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
),
described AS (
    SELECT c.*,
           CASE WHEN c.target_per = 'year' AND c.target_over_baseline
                THEN printf('%s a year on top of the same months of the baseline',
                            CASE c.unit WHEN 'USD' THEN format('${:,.1f} bn',
                                                               c.target_amount / 1e9)
                                        ELSE format('{:,.0f} {}', c.target_amount, c.unit) END)
                WHEN c.target_per = 'year'
                THEN printf('%s a year', CASE c.unit WHEN 'USD'
                                              THEN format('${:,.1f} bn', c.target_amount / 1e9)
                                              ELSE format('{:,.0f} {}', c.target_amount,
                                                          c.unit) END)
                WHEN c.target_deadline IS NULL
                THEN format('{:,.0f} {}', c.target_amount, c.unit) || ', no date agreed'
                ELSE format('{:,.0f} {}', c.target_amount, c.unit) || ' by '
                     || strftime(c.target_deadline, '%Y-%m-%d') END AS stated
    FROM commitments c
)
SELECT q.quarter, c.side, c.commitment_id,
       printf('%s: cumulative purchases since %s (%s) vs the pro-rata of the stated amount',
              s.source, strftime(c.start_on, '%Y-%m'), c.unit) AS indicator,
       p.cumulative_actual, p.cumulative_target, c.unit,
       coalesce(p.status, 'not_measurable'),
       CASE
           WHEN p.period IS NULL
               THEN printf('no %s figures in %s', s.source, q.quarter)
                    || coalesce(': ' || list_extract($missing_reasons::VARCHAR[],
                                                     list_position($missing_figures::VARCHAR[],
                                                                   s.source)), '')
           WHEN p.cumulative_actual IS NULL
               THEN printf('cumulative purchases unknown to %s (a quantity in a unit that does '
                           'not convert into %s)', strftime(p.period, '%Y-%m'), c.unit)
           WHEN p.status = 'pending'
               THEN printf('%s: %s so far (%s), nothing due by a date',
                           c.stated, format('{:,.0f} {}', p.cumulative_actual, c.unit),
                           strftime(p.period, '%Y-%m'))
           WHEN p.cumulative_target IS NULL
               THEN printf('%s: no baseline months to add the increment to', c.stated)
           ELSE printf('%s since %s against %s pro rata of %s (%.0f%%; behind below %.0f%%)',
                       CASE c.unit WHEN 'USD' THEN format('${:,.1f} bn', p.cumulative_actual / 1e9)
                                   ELSE format('{:,.0f} {}', p.cumulative_actual, c.unit) END,
                       strftime(c.start_on, '%Y-%m'),
                       CASE c.unit WHEN 'USD' THEN format('${:,.1f} bn', p.cumulative_target / 1e9)
                                   ELSE format('{:,.0f} {}', p.cumulative_target, c.unit) END,
                       c.stated, 100 * p.pace_ratio, 100 * c.thresholds['behind_below_pace'])
       END AS judged_on,
       NULL::VARCHAR AS legal_basis,
       CASE
           WHEN p.period IS NULL
               THEN printf('marts.commitment_progress has no %s figures for %s in %s',
                           s.source, c.commitment_id, q.quarter)
           ELSE printf('marts.commitment_progress %s %s %s: %s %s since %s%s',
                       c.commitment_id, s.source, strftime(p.period, '%Y-%m'),
                       format('{:,.0f}', coalesce(p.cumulative_actual, 0)), c.unit,
                       strftime(c.start_on, '%Y-%m'),
                       CASE WHEN p.cumulative_baseline > 0
                            THEN printf('; %+.0f%% on the same months of the baseline year',
                                        100 * (p.cumulative_actual / p.cumulative_baseline - 1))
                            ELSE '' END)
       END AS evidence,
       q.as_of, c.verified
FROM _scorecard_quarters q
JOIN described c USING (commitment_id)
CROSS JOIN unnest(c.sources) AS s(source)
LEFT JOIN latest p
  ON p.commitment_id = q.commitment_id AND p.quarter = q.quarter AND p.source = s.source
