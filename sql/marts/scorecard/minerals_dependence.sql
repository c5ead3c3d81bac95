-- Critical minerals: China's share (Hong Kong included) of the side's own imports of each mineral group against the 12 months before the framework (marts.critical_minerals_dependence), one row per mineral group
-- reads: marts.critical_minerals_dependence, staging.ledger_mineral_groups, staging.ledger_commitments
-- The importer is the commitment's side (us: united_states, from Census; japan: japan, from
-- Japan's own statistics). Thresholds (pipelines/ledger/commitments.yaml): on track when the
-- share over `window_months` minus the baseline share is at or below `on_track_change`; a group
-- whose baseline share is below `dependent_share` is not dependent on China and is on track
-- while the share stays below it; behind otherwise; insufficient_data without a complete
-- window in the quarter or without baseline months. $baseline_from and $baseline_to
-- (minerals.yaml) name the baseline in the evidence.
-- name: rows
WITH commitments AS (
    SELECT *, CASE side WHEN 'us' THEN 'united_states' ELSE side END AS importer,
           thresholds['on_track_change'] AS on_track_change,
           thresholds['dependent_share'] AS dependent_share,
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
           c.on_track_change, c.dependent_share, c.verified AND g.verified AS verified,
           g.mineral_group, d.period, d.china_share, d.china_mainland_share, d.hong_kong_share,
           d.baseline_china_share, d.change_vs_baseline, d.top_supplier,
           d.top_supplier_share, d.hhi,
           d.baseline_china_share < c.dependent_share AS not_dependent
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
       china_share,
       CASE WHEN not_dependent THEN dependent_share
            ELSE baseline_china_share + on_track_change END AS target,
       'share' AS unit,
       CASE WHEN china_share IS NULL OR baseline_china_share IS NULL THEN 'insufficient_data'
            WHEN not_dependent AND china_share < dependent_share THEN 'on_track'
            WHEN NOT not_dependent AND change_vs_baseline <= on_track_change THEN 'on_track'
            ELSE 'behind' END AS status,
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
                       '(%+.1f points; %s); top supplier %s %.1f%%, HHI %.2f',
                       importer, mineral_group, window_months, strftime(period, '%Y-%m'),
                       100 * china_share, 100 * china_mainland_share, 100 * hong_kong_share,
                       100 * baseline_china_share, strftime($baseline_from::DATE, '%Y-%m'),
                       strftime($baseline_to::DATE, '%Y-%m'), 100 * change_vs_baseline,
                       CASE WHEN not_dependent
                            THEN printf('not dependent: under %.0f%% before the framework',
                                        100 * dependent_share)
                            ELSE printf('on track at or below %+.1f points',
                                        100 * on_track_change) END,
                       top_supplier, 100 * top_supplier_share, hhi)
       END AS evidence,
       as_of, verified
FROM judged
