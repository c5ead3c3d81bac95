-- The audit report's queries (pipelines/lib/report): read-only, one per figure or table.
-- $country is the audited partner's Census code (pipelines/ledger/audit.yaml).

-- name: as_of
-- the latest month of imports data the marts cover
SELECT max(period) FROM marts.effective_rates_monthly WHERE cty_code = $country

-- name: us_headline
-- the latest month of the agreement's conformance (promise statuses on the rated value), and
-- the totals since the promise
SELECT period, at_promise_value_share, below_promise_value_share, above_promise_value_share,
       rated_value_share, excess_duty_usd, statutory_gap_value_share,
       observed_rate, agreement_rate, statutory_rate,
       (SELECT sum(refundable_duty_usd) FROM marts.deal_conformance_monthly
        WHERE category = 'all') AS refundable_duty_total,
       (SELECT sum(stacking_overpayment_usd) FROM marts.deal_conformance_monthly
        WHERE category = 'all') AS stacking_overpayment_total,
       (SELECT sum(excess_duty_usd) FROM marts.deal_conformance_monthly
        WHERE category = 'all') AS excess_duty_total
FROM marts.deal_conformance_monthly
WHERE category = 'all' AND agreement_rate IS NOT NULL
ORDER BY period DESC
LIMIT 1

-- name: japan_rates
-- Japan's collected rate by month beside the agreement and statutory rates of the line audit
SELECT e.period, e.effective_rate AS observed_rate, d.agreement_rate, d.statutory_rate,
       e.con_val, e.cal_dut
FROM marts.effective_rates_monthly e
LEFT JOIN marts.deal_conformance_monthly d ON d.period = e.period AND d.category = 'all'
WHERE e.cty_code = $country AND e.sector = 'all'
ORDER BY e.period

-- name: phases
-- the law's regimes for general goods with the agreement's promise on the same dates: the
-- shaded phases of the rate charts
SELECT l.regime_id, l.valid_from, l.valid_to, l.label, l.authority,
       l.as_filed IS NOT NULL AS retroactive,
       a.rule_kind AS promise_kind
FROM staging.ledger_rules l
LEFT JOIN staging.ledger_rules a
  ON a.side = 'agreement' AND a.category = 'general' AND a.valid_from <= l.valid_from
 AND (a.valid_to IS NULL OR a.valid_to > l.valid_from)
WHERE l.side = 'law' AND l.category = 'general'
ORDER BY l.valid_from

-- name: sector_rates
-- Japan's collected rate by month and sector
SELECT period, sector, effective_rate, con_val, cal_dut
FROM marts.effective_rates_monthly
WHERE cty_code = $country AND sector <> 'all'
ORDER BY sector, period

-- name: partner_rates
-- the collected rate of every partner loaded (all sectors)
SELECT period, cty_code, cty_name, effective_rate, con_val
FROM marts.effective_rates_monthly
WHERE sector = 'all'
ORDER BY cty_code, period

-- name: dollars_monthly
-- dollars collected above the promise, and the refundable IEEPA duty (with its part above the
-- law of its day), by month
SELECT period, excess_duty_usd, refundable_duty_usd, stacking_overpayment_usd
FROM marts.deal_conformance_monthly
WHERE category = 'all'
ORDER BY period

-- name: dollars_by_chapter
-- the HS chapters with the most dollars above the promise or refundable
SELECT left(hs10, 2) AS chapter, sum(excess_duty_usd) AS excess_duty_usd,
       sum(refundable_duty_usd) AS refundable_duty_usd, sum(con_val) AS con_val
FROM marts.japan_line_audit
GROUP BY 1
HAVING coalesce(sum(excess_duty_usd), 0) + coalesce(sum(refundable_duty_usd), 0) > 0
ORDER BY coalesce(sum(excess_duty_usd), 0) + coalesce(sum(refundable_duty_usd), 0) DESC,
         chapter
LIMIT $limit

-- name: top_lines
-- the HS10 lines with the most dollars above the promise or refundable, over every
-- month since the promise; rates weighted by customs value (the promised rate over the days
-- with a promise)
SELECT hs10, max(description) AS description, sum(con_val) AS con_val,
       sum(agreement_rate * con_val) / nullif(sum(con_val), 0) AS agreement_rate,
       sum(expected_duty_statutory) / nullif(sum(con_val), 0) AS statutory_rate,
       sum(cal_dut) / nullif(sum(con_val), 0) AS observed_rate,
       sum(excess_duty_usd) AS excess_duty_usd, sum(refundable_duty_usd) AS refundable_duty_usd,
       count(*) AS months
FROM marts.japan_line_audit
WHERE expected_duty_agreement IS NOT NULL OR refundable_duty_usd > 0
GROUP BY hs10
HAVING coalesce(sum(excess_duty_usd), 0) + coalesce(sum(refundable_duty_usd), 0) > 0
ORDER BY coalesce(sum(excess_duty_usd), 0) + coalesce(sum(refundable_duty_usd), 0) DESC, hs10
LIMIT $limit

-- name: provisions
-- each provision's dates (its headings share them), the first HTS release carrying any of its
-- headings, and the first month from its legal effect in which at least $share of the customs
-- value of the lines it governs (law rules with its headings, in the months their regime is in
-- force) was collected as the law required; entries with no duty at entry (warehouse, FTZ) and
-- lines without a rate are left out, having nothing to judge
WITH p AS (
    SELECT provision, string_agg(heading, ', ' ORDER BY heading) AS headings,
           min(announced_on) AS announced_on, min(signed_on) AS signed_on,
           min(published_on) AS published_on, min(legal_effective_on) AS legal_effective_on,
           min(first_release_date) AS first_release_date,
           arg_min(first_release, first_release_date) AS first_release,
           min(deployed_on) AS deployed_on, bool_and(verified) AS verified
    FROM marts.provision_timeline
    GROUP BY provision
), governed AS (
    SELECT DISTINCT t.provision, r.regime_id, r.category, r.as_filed IS NOT NULL AS retroactive
    FROM marts.provision_timeline t
    JOIN staging.ledger_rules r ON r.side = 'law' AND r.heading = t.heading
), months AS (
    SELECT g.provision, a.period,
           sum(a.con_val) FILTER (WHERE a.status IN ('conforms', 'exempt')
                                     OR (g.retroactive AND a.stacking_overpayment_usd > 0))
               / nullif(sum(a.con_val), 0) AS collected_share
    FROM governed g
    JOIN marts.japan_line_audit a
      ON a.category = g.category AND list_contains(string_split(a.regime_id, '+'), g.regime_id)
    WHERE a.status NOT IN ('no_duty_entry', 'insufficient_data')
    GROUP BY ALL
)
SELECT p.provision, s.label, p.headings, p.announced_on, p.signed_on, p.published_on,
       p.legal_effective_on, p.first_release, p.first_release_date, p.deployed_on, p.verified,
       (SELECT min(m.period) FROM months m
        WHERE m.provision = p.provision AND m.collected_share >= $share
          AND m.period >= date_trunc('month', p.legal_effective_on)) AS first_collected_month
FROM p
LEFT JOIN (SELECT DISTINCT provision, label FROM staging.ledger_provisions) s USING (provision)
ORDER BY p.legal_effective_on, p.provision

-- name: chapter99_changes
-- what each HTS release changed in Chapter 99
SELECT c.release, r.release_start_date, c.hts_code, c.change, c.before_text, c.after_text
FROM marts.hts_revision_changes c
LEFT JOIN raw.hts_releases r USING (release)
WHERE c.scope = 'chapter99'
ORDER BY r.release_start_date NULLS LAST, c.release, c.hts_code

-- name: census_vintages
-- the Census months loaded, with the latest fetch and Census's own last-update date (vintages
-- are dated by LAST_UPDATE, so the fetch time comes from fetched_at)
SELECT 'imports' AS flow, min(period) AS first_period, max(period) AS last_period,
       max(fetched_at) AS fetched, max(last_update) AS last_update
FROM raw.census_imports
UNION ALL
SELECT 'exports', min(period), max(period), max(fetched_at), NULL
FROM raw.census_exports

-- name: hts_vintage
-- the HTS releases loaded and the newest of them
SELECT count(*) AS releases, arg_max(release, release_start_date) AS latest,
       max(release_start_date) AS latest_start
FROM raw.hts_releases
WHERE release IN (SELECT DISTINCT release FROM staging.hts_lines)

-- name: data_revisions
-- values changed by a newer Census vintage, by month and variable
SELECT period, field, count(*) AS changes, max(new_vintage) AS newest
FROM marts.data_revisions
GROUP BY ALL
ORDER BY period, field

-- name: scorecard
-- the verdict of every commitment of both sides in the latest quarter, with its title
SELECT s.quarter, s.side, s.commitment_id, coalesce(c.title, s.commitment_id) AS title,
       s.indicator, s.value, s.target, s.unit, s.status, s.judged_on, s.legal_basis,
       s.evidence, s.as_of, s.verified
FROM marts.implementation_scorecard s
LEFT JOIN staging.ledger_commitments c USING (commitment_id)
WHERE s.quarter = (SELECT max(quarter) FROM marts.implementation_scorecard)
ORDER BY s.side, s.commitment_id, s.indicator

-- name: purchases
-- Japan's purchase commitments month by month: cumulative purchases by source against the
-- target path and the baseline year
SELECT p.commitment_id, coalesce(c.title, p.commitment_id) AS title, p.period, p.source,
       p.metric, p.unit, p.cumulative_actual, p.cumulative_baseline, p.cumulative_target,
       p.pace_ratio, p.status, p.as_of
FROM marts.commitment_progress p
LEFT JOIN staging.ledger_commitments c USING (commitment_id)
ORDER BY p.commitment_id, p.source, p.period

-- name: investment
-- the investment vehicle by stage, beside its stated total
SELECT commitment_id, date, stage, cumulative_usd, tranches, target_usd, target_share
FROM marts.investment_progress
ORDER BY commitment_id, date, stage

-- name: tranches
-- every investment tranche at its latest stage
SELECT tranche_id, max(event_date) AS event_date, arg_max(stage, event_date) AS stage,
       max(amount_usd) AS amount_usd, array_to_string(any_value(projects), '; ') AS projects,
       bool_and(verified) AS verified, max(funding_due_on) AS funding_due_on
FROM marts.investment_tranches
GROUP BY tranche_id
ORDER BY min(event_date), tranche_id

-- name: mirror
-- the two countries' statistics of the same trade, by month and direction
SELECT period, direction, sum(us_value_usd) AS us_value_usd,
       sum(japan_value_usd) AS japan_value_usd,
       sum(japan_value_usd) / nullif(sum(us_value_usd), 0) AS ratio
FROM marts.mirror_trade
GROUP BY ALL
ORDER BY direction, period

-- name: mirror_distribution
-- how far the two books agree line by line in the latest six months: the spread of the HS6
-- ratios, the value within 10 % and the value only one side reports
SELECT period, direction, lines_both_sides, total_ratio, p10_ratio, median_ratio, p90_ratio,
       value_share_within_10pct, us_value_share_one_sided, japan_value_share_one_sided
FROM marts.mirror_trade_distribution
WHERE period > (SELECT max(period) FROM marts.mirror_trade_distribution) - INTERVAL 6 MONTH
ORDER BY direction, period

-- name: minerals
-- each importer's dependence on China by mineral group: the latest 12 months against the
-- 12 months before the framework
SELECT importer, mineral_group, period, total_value_usd, china_share, baseline_china_share,
       top_supplier, top_supplier_share, hhi
FROM marts.critical_minerals_dependence
WHERE window_months = 12
  AND period = (SELECT max(period) FROM marts.critical_minerals_dependence
                WHERE window_months = 12)
ORDER BY importer, china_share DESC, mineral_group

-- name: statutory_daily
-- the statutory and promised rates of every calendar day at fixed base-year weights
SELECT date, weights_year, statutory_rate, agreement_rate
FROM marts.statutory_rate_daily
WHERE partner = $country
ORDER BY date

-- name: unmodelled
-- Chapter 99 headings of the latest release that no ledger rule models
SELECT heading, description, first_release, coverage, reason, applies_to_japan
FROM marts.unmodelled_provisions
WHERE release = (SELECT arg_max(release, release_start_date) FROM raw.hts_releases
                 WHERE release IN (SELECT release FROM marts.unmodelled_provisions))
ORDER BY coverage DESC, heading

-- name: unrated
-- the audited partner's customs value without a statutory rate in the latest month, by reason
SELECT period, reason, sum(con_val) AS con_val, sum(lines) AS lines,
       sum(con_val) / (SELECT sum(con_val) FROM marts.effective_rates_monthly e
                       WHERE e.cty_code = $country AND e.sector = 'all'
                         AND e.period = u.period) AS share
FROM marts.unrated_value_monthly u
WHERE cty_code = $country AND period = (SELECT max(period) FROM marts.unrated_value_monthly)
GROUP BY period, reason
ORDER BY con_val DESC, reason

-- name: sector_promise
-- the promised and statutory rates by report sector: the line audit's categories mapped to
-- sectors by the ledger, on the value that has a statutory rate (as deal_conformance_monthly);
-- the promised rate over the days with a promise
SELECT a.period, m.sector,
       sum(a.expected_duty_statutory) / nullif(sum(a.con_val), 0) AS statutory_rate,
       sum(a.agreement_rate * a.con_val)
         / nullif(sum(a.con_val) FILTER (WHERE a.agreement_rate IS NOT NULL), 0)
         AS agreement_rate
FROM marts.japan_line_audit a
JOIN staging.ledger_category_sectors m USING (category)
WHERE a.status <> 'insufficient_data'
GROUP BY ALL
ORDER BY m.sector, a.period
