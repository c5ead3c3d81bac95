-- Contracts of marts.unmodelled_provisions (the coverage contract of the law)
-- name: all_headings_accounted_for
-- severity: warning
-- description: Every Chapter 99 heading of every loaded release is modelled by a ledger rule, not applicable to products of Japan, or a known gap, in pipelines/ledger/chapter99.yaml: a new heading no entry accounts for may change the law behind the audit.
SELECT release AS partition, heading || ': ' || left(description, 120) AS value
FROM marts.unmodelled_provisions
WHERE coverage = 'unaccounted'
-- name: japan_headings_not_dismissed
-- severity: warning
-- description: A heading whose description names Japan is never listed as not applicable to products of Japan (a renumbered heading would otherwise be dismissed unseen).
SELECT r.release AS partition, trim(r.htsno) AS value
FROM raw.hts_records r
JOIN staging.ledger_chapter99 c
  ON CASE WHEN c.is_prefix THEN starts_with(trim(r.htsno), c.heading_from)
          ELSE trim(r.htsno) BETWEEN c.heading_from AND c.heading_to END
WHERE regexp_full_match(trim(r.htsno), '99\d\d\.\d\d\.\d\d')
  AND regexp_matches(r.description, '\bJapan\b')
QUALIFY row_number() OVER (PARTITION BY r.release, trim(r.htsno) ORDER BY c.entry) = 1
    AND c.status = 'not_applicable'
