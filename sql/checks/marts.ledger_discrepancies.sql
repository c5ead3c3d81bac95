-- Contracts of marts.ledger_discrepancies: the ledger agrees with the Federal Register
-- name: verified_instruments_agree_with_federal_register
-- severity: error
-- description: Every verified ledger instrument with a Federal Register document number has the dates, citation, number and kind of its Federal Register record.
SELECT instrument_id AS partition, field || ': ledger ' || coalesce(ledger_value, 'null') || ', Federal Register ' || coalesce(federal_register_value, 'null') AS value
FROM marts.ledger_discrepancies WHERE severity = 'error'
-- name: unverified_instruments_agree_with_federal_register
-- severity: warning
-- description: Unverified instruments, effective dates and missing records agree with the Federal Register too (a row here says which ledger entry to check).
SELECT instrument_id AS partition, field || ': ledger ' || coalesce(ledger_value, 'null') || ', Federal Register ' || coalesce(federal_register_value, 'null') AS value
FROM marts.ledger_discrepancies WHERE severity = 'warning'
