-- Critical minerals: China's share (Hong Kong included) of the side's own imports of each mineral group beside the 12 months before the framework (marts.critical_minerals_dependence), one row per mineral group, monitored: the framework sets no numeric target
-- reads: marts.critical_minerals_dependence, staging.ledger_mineral_groups, staging.ledger_commitments
-- The importer is the commitment's side (us: united_states, from Census; japan: japan, from
-- Japan's own statistics). The share over `window_months` is shown with its change against the
-- baseline months ($baseline_from..$baseline_to, minerals.yaml) and never judged (status
-- monitored): the framework of 28 Oct 2025 sets no figure to judge it against.
-- name: rows
WITH commitments AS (
    SELECT *, CASE side WHEN 'us' THEN 'united_states' ELSE side END AS importer,
           thresholds['window_months']::INTEGER AS window_months
    FROM staging.ledger_commitments WHERE measure = 'minerals_dependence'
),
groups AS (
    SELECT mineral_group, bool_and(verified) AS verified
    FROM staging.ledger_mineral_groups GROUP BY mineral_group
),
latest AS (
    -- the quarter's last month with a complete window
    SELECT q.commitment_id, q.quarter, d.*
    FROM _scorecard_quarters q
    JOIN commitments c USING (commitment_id)
    JOIN marts.critical_minerals_dependence d
      ON d.importer = c.importer AND d.window_months = c.window_months
     AND d.period BETWEEN q.quarter_start AND q.as_of
    QUALIFY row_number() OVER (PARTITION BY q.commitment_id, q.quarter, d.mineral_group
                               ORDER BY d.period DESC) = 1
),
judged AS (
    SELECT q.quarter, q.as_of, c.side, c.commitment_id, c.importer, c.window_months,
           c.verified AND g.verified AS verified,
           g.mineral_group, d.period, d.china_share, d.china_mainland_share, d.hong_kong_share,
           d.baseline_china_share, d.change_vs_baseline, d.top_supplier,
           d.top_supplier_share, d.hhi
    FROM _scorecard_quarters q
    JOIN commitments c USING (commitment_id)
    CROSS JOIN groups g
    LEFT JOIN latest d
      ON d.commitment_id = q.commitment_id AND d.quarter = q.quarter
     AND d.mineral_group = g.mineral_group
)
SELECT quarter, side, commitment_id,
       printf('%s: China''s share (Hong Kong included) of %s imports over %d months vs the 12 '
              'months before the framework', mineral_group,
              CASE importer WHEN 'united_states' THEN 'U.S.' ELSE 'Japan''s' END,
              window_months) AS indicator,
       china_share, baseline_china_share AS target, 'share' AS unit,
       'monitored' AS status,
       CASE WHEN china_share IS NULL
                THEN printf('no %d-month figure for %s in %s: monitored', window_months,
                            mineral_group, quarter)
            WHEN baseline_china_share IS NULL
                THEN printf('China %.1f%% over %d months to %s; no imports in the baseline '
                            'months: monitored, the framework sets no target',
                            100 * china_share, window_months, strftime(period, '%Y-%m'))
            ELSE printf('China %.1f%% over %d months to %s against %.1f%% before the framework '
                        '(%+.1f points): monitored, the framework sets no target',
                        100 * china_share, window_months, strftime(period, '%Y-%m'),
                        100 * baseline_china_share, 100 * change_vs_baseline)
       END AS judged_on,
       NULL::VARCHAR AS legal_basis,
       CASE
           WHEN period IS NULL
               THEN printf('marts.critical_minerals_dependence has no %d-month %s row for %s '
                           'in %s', window_months, importer, mineral_group, quarter)
           WHEN baseline_china_share IS NULL
               THEN printf('marts.critical_minerals_dependence %s %s %s: no imports in the '
                           'baseline months %s..%s', importer, mineral_group,
                           strftime(period, '%Y-%m'), strftime($baseline_from::DATE, '%Y-%m'),
                           strftime($baseline_to::DATE, '%Y-%m'))
           ELSE printf('marts.critical_minerals_dependence %s %s, %d months to %s: China %.1f%% '
                       '(mainland %.1f%%, Hong Kong %.1f%%) against %.1f%% in %s..%s '
                       '(%+.1f points); top supplier %s %.1f%%, HHI %.2f',
                       importer, mineral_group, window_months, strftime(period, '%Y-%m'),
                       100 * china_share, 100 * china_mainland_share, 100 * hong_kong_share,
                       100 * baseline_china_share, strftime($baseline_from::DATE, '%Y-%m'),
                       strftime($baseline_to::DATE, '%Y-%m'), 100 * change_vs_baseline,
                       top_supplier, 100 * top_supplier_share, hhi)
       END AS evidence,
       as_of, verified
FROM judged
