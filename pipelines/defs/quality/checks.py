"""Data contracts as Dagster asset checks.

Every table has a Great Expectations suite (``expectations/<schema>.<table>.json``), the
contract that its columns and types are those of its DDL (``columns_match_ddl``, read from
DuckDB's catalog) and may have cross-row SQL contracts (``sql/checks/<schema>.<table>.sql``).
The suite and the columns contract are one asset check, ``expectations``, whose metadata
carries every expectation's result; each SQL contract is one asset check of its own. A check
holding an ``severity: error`` contract is blocking: it fails with severity ERROR when one of
those fails, WARN when only ``warning`` ones do. So a run writes one check evaluation per table
and SQL contract, not one per expectation.

The asset that writes a table evaluates its contracts on the new rows *inside its open
transaction*: when a blocking contract fails, the check results are reported and the
transaction rolls back, so the table keeps its previous data and no downstream asset runs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

import dagster as dg
import duckdb

from pipelines.lib.quality import catalog, gx_runner
from pipelines.lib.quality.sql_checks import sql_checks
from pipelines.lib.warehouse.execute import run

SAMPLE_SIZE = 10
DEFAULT_QUARANTINE_SHARE = 0.005
# The asset check of a table's suite and its columns contract.
SUITE_CHECK = "expectations"


@dataclass
class Outcome:
    """One contract evaluated over the partitions of a run."""

    check_name: str
    severity: str
    description: str
    passed: bool = True
    element_count: int = 0
    unexpected_count: int = 0
    failing_partitions: tuple[str, ...] = ()
    sample: tuple = ()
    reasons: tuple[str, ...] = ()  # why it failed where no unexpected row says it ("no rows")

    def add(self, partition: str | None, passed: bool, elements: int, unexpected: int,
            sample: list, reason: str | None = None) -> None:
        self.passed = self.passed and passed
        self.element_count += elements
        self.unexpected_count += unexpected
        if not passed and partition is not None:
            self.failing_partitions += (partition,)
        self.sample = (self.sample + tuple(sample))[:SAMPLE_SIZE]
        if reason is not None and reason not in self.reasons:
            self.reasons += (reason,)

    def merge(self, other: Outcome) -> None:
        """Add ``other``, the same contract evaluated on further partitions."""
        self.passed = self.passed and other.passed
        self.element_count += other.element_count
        self.unexpected_count += other.unexpected_count
        self.failing_partitions += other.failing_partitions
        self.sample = (self.sample + other.sample)[:SAMPLE_SIZE]
        self.reasons += tuple(r for r in other.reasons if r not in self.reasons)

    def failure_line(self) -> str:
        """What failed, where, and at least one failing value or the reason none is shown
        (an empty batch: "no rows"), for the error that stops the step."""
        where = (f" in {', '.join(self.failing_partitions[:5])}"
                 + (f" and {len(self.failing_partitions) - 5} more"
                    if len(self.failing_partitions) > 5 else "")
                 if self.failing_partitions else "")
        if self.unexpected_count:
            return (f"{self.check_name}: {self.unexpected_count} unexpected{where}"
                    + (f" (e.g. {list(self.sample)[:3]})" if self.sample else ""))
        reasons = " / ".join(self.reasons) or (
            f"failed, observed {list(self.sample)[:3]}" if self.sample
            else "failed without a reason given by the evaluator")
        return f"{self.check_name}: {reasons}{where}"


@cache
def suites() -> dict[str, gx_runner.Suite]:
    return gx_runner.load_suites()


def quarantine_threshold(table: str) -> float:
    """The share of a partition's rows that may be quarantined (suite meta), else 0.5 %."""
    suite = suites().get(table)
    meta = suite.meta if suite is not None else {}
    return float(meta.get("quarantine_max_share", DEFAULT_QUARANTINE_SHARE))


def check_parameters(table: str) -> dict:
    """Thresholds the SQL contracts of ``table`` bind as ``$name`` (suite meta
    ``check_parameters``; keys ending in ``_note`` say where a value comes from)."""
    suite = suites().get(table)
    found = (suite.meta if suite is not None else {}).get("check_parameters") or {}
    return {k: v for k, v in found.items() if not k.endswith("_note")}


def plausibility(table: str) -> dict:
    """The plausibility thresholds of ``table``'s staging contract (suite meta), or none."""
    suite = suites().get(table)
    return dict((suite.meta if suite is not None else {}).get("plausibility") or {})


def suite_contracts(table: str) -> list[tuple[str, str, str]]:
    """(name, severity, description) of the contracts in ``table``'s ``expectations`` check:
    its columns against the DDL, then its suite's expectations; none without a suite."""
    suite = suites().get(table)
    if suite is None:
        return []
    return [(catalog.CHECK_NAME, catalog.SEVERITY, catalog.DESCRIPTION)] + [
        (e["meta"]["check_name"], e["meta"]["severity"], e["meta"]["description"])
        for e in suite.expectations]


def _contracts(table: str) -> list[tuple[str, str, str]]:
    """(check_name, severity, description) of every contract on ``table``."""
    out = suite_contracts(table)
    out += [(c.check_name, c.severity, c.description) for c in sql_checks().get(table, [])]
    names = [name for name, _, _ in out] + ([SUITE_CHECK] if suites().get(table) else [])
    if len(names) != len(set(names)):
        raise ValueError(f"duplicate check names on {table}: {sorted(names)}")
    return out


def specs(table: str) -> list[dg.AssetCheckSpec]:
    """The asset checks of ``table`` (``schema.table``): ``expectations`` (its suite and
    columns) and one per SQL contract."""
    key = dg.AssetKey(table.split("."))
    out = []
    grouped = suite_contracts(table)
    if grouped:
        errors = sum(severity == "error" for _, severity, _ in grouped)
        out.append(dg.AssetCheckSpec(
            SUITE_CHECK, asset=key, blocking=errors > 0,
            description=f"[{errors} error, {len(grouped) - errors} warning] The table's "
                        f"columns against its DDL and the expectations of "
                        f"expectations/{table}.json; the metadata has each one's result."))
    out += [dg.AssetCheckSpec(c.check_name, asset=key, blocking=c.severity == "error",
                              description=f"[{c.severity}] {c.description}")
            for c in sql_checks().get(table, [])]
    return out


def evaluate(
    con: duckdb.DuckDBPyConnection, table: str, partition_keys: list[str] | None = None,
    columns: bool = True,
) -> list[Outcome]:
    """Every contract of ``table`` on the rows ``con`` sees (uncommitted ones included), one
    partition at a time when ``partition_keys`` are given; the columns against the DDL once
    (not at all when ``columns`` is false: a caller checking partition after partition has
    checked them on its first)."""
    outcomes = {name: Outcome(name, severity, description)
                for name, severity, description in _contracts(table)}
    suite = suites().get(table)
    if suite is not None and not columns:
        del outcomes[catalog.CHECK_NAME]
    elif suite is not None:
        found = catalog.check_columns(con, table)
        outcomes[found.check_name].add(None, found.success, found.element_count,
                                       found.unexpected_count or 0, found.sample, found.reason)
    if suite is not None:
        # A partition at a time: memory stays that of one month (or release) whatever the
        # number of partitions, and a failure names its partition. The plain row invariants
        # run in DuckDB (gx_runner -> sql_expectations), so a call costs one scan, not a frame.
        batches = [None] if partition_keys is None else [[k] for k in partition_keys] or [[]]
        for keys in batches:
            for result in gx_runner.validate_table(con, suite, keys):
                outcomes[result.check_name].add(
                    keys[0] if keys else None, result.success, result.element_count,
                    result.unexpected_count or 0, list(result.sample), result.reason)
    for check in sql_checks().get(table, []):
        parameters = {"keys": partition_keys, **check_parameters(table), **dict(check.binds)}
        rows = run(con, check.sql, {k: v for k, v in parameters.items() if f"${k}" in check.sql})
        outcome = outcomes[check.check_name]
        by_partition: dict[str, list] = {}
        for partition, value in rows:
            by_partition.setdefault(partition, []).append(value)
        outcome.add(None, not rows, len(partition_keys or []) or 1, len(rows),
                    [f"{p}: {v}" for p, vs in by_partition.items() for v in vs])
        outcome.failing_partitions += tuple(by_partition)
    return list(outcomes.values())


def _counts(o: Outcome) -> dict:
    percent = 100 * o.unexpected_count / o.element_count if o.element_count else 0.0
    return {"unexpected_count": o.unexpected_count, "unexpected_percent": round(percent, 4),
            "element_count": o.element_count,
            "failing_partitions": ", ".join(o.failing_partitions)}


def _sample(values) -> list:
    return json.loads(json.dumps(list(values), default=str))


def results(table: str, outcomes: list[Outcome]) -> list[dg.AssetCheckResult]:
    """The ``AssetCheckResult``s of ``outcomes``: one for the suite's contracts
    (``expectations``, each one's counts, sample and reason in its ``contracts`` metadata), one
    per SQL contract (counts and a sample of offending values)."""
    key = dg.AssetKey(table.split("."))
    grouped = {name for name, _, _ in suite_contracts(table)}
    members = [o for o in outcomes if o.check_name in grouped]
    out = []
    if members:
        failed = [o for o in members if not o.passed]
        partitions = tuple(dict.fromkeys(p for o in members for p in o.failing_partitions))
        out.append(dg.AssetCheckResult(
            asset_key=key, check_name=SUITE_CHECK, passed=not failed,
            severity=(dg.AssetCheckSeverity.ERROR
                      if not failed or any(o.severity == "error" for o in failed)
                      else dg.AssetCheckSeverity.WARN),
            metadata={
                "contracts": dg.MetadataValue.int(len(members)),
                "failed": dg.MetadataValue.int(len(failed)),
                "failed_contracts": dg.MetadataValue.text(
                    "; ".join(f"[{o.severity}] {o.failure_line()}" for o in failed)),
                "unexpected_count": dg.MetadataValue.int(sum(o.unexpected_count
                                                             for o in members)),
                "failing_partitions": dg.MetadataValue.text(", ".join(partitions)),
                "results": dg.MetadataValue.json([
                    {"contract": o.check_name, "severity": o.severity, "passed": o.passed,
                     **_counts(o), "sample": _sample(o.sample),
                     **({"reason": "; ".join(o.reasons)} if o.reasons else {})}
                    for o in members]),
            }))
    for o in outcomes:
        if o.check_name in grouped:
            continue
        counts = _counts(o)
        reason = {"reason": dg.MetadataValue.text("; ".join(o.reasons))} if o.reasons else {}
        out.append(dg.AssetCheckResult(
            asset_key=key, check_name=o.check_name, passed=o.passed,
            severity=(dg.AssetCheckSeverity.ERROR if o.severity == "error"
                      else dg.AssetCheckSeverity.WARN),
            metadata={
                "unexpected_count": dg.MetadataValue.int(counts["unexpected_count"]),
                "unexpected_percent": dg.MetadataValue.float(counts["unexpected_percent"]),
                "element_count": dg.MetadataValue.int(counts["element_count"]),
                "failing_partitions": dg.MetadataValue.text(counts["failing_partitions"]),
                "sample": dg.MetadataValue.json(_sample(o.sample)),
                **reason,
            }))
    return out


def blocking(outcomes: list[Outcome]) -> list[Outcome]:
    return [o for o in outcomes if o.severity == "error" and not o.passed]


def failure(table: str, failed: list[Outcome]) -> dg.Failure:
    """The error that stops a step whose blocking contracts failed (its writes roll back)."""
    return dg.Failure(
        description=f"{table}: blocking data contracts failed, the table keeps its previous "
                    f"data and downstream assets do not run: "
                    + "; ".join(o.failure_line() for o in failed))


class Contracts:
    """The contracts of ``table`` over a run that commits partition by partition: each
    ``check`` evaluates one batch inside its transaction (a blocking failure yields every
    result so far and raises, rolling that batch back); ``results`` reports the whole run."""

    def __init__(self, table: str):
        self.table = table
        self.outcomes: dict[str, Outcome] = {}

    def check(self, con: duckdb.DuckDBPyConnection, partition_keys: list[str]):
        outcomes = evaluate(con, self.table, partition_keys, columns=not self.outcomes)
        for o in outcomes:
            self.outcomes.setdefault(o.check_name, Outcome(
                o.check_name, o.severity, o.description)).merge(o)
        failed = blocking(outcomes)
        if failed:
            yield from self.results()
            raise failure(self.table, failed)

    def results(self) -> list[dg.AssetCheckResult]:
        return results(self.table, list(self.outcomes.values()))


def guard(con: duckdb.DuckDBPyConnection, table: str, partition_keys: list[str] | None = None):
    """Evaluate ``table``'s contracts inside the writer's transaction (``checks = yield from
    guard(...)``): on a blocking failure, yield the results and raise, which rolls the
    transaction back; otherwise return the results for the ``MaterializeResult``."""
    outcomes = evaluate(con, table, partition_keys)
    checks = results(table, outcomes)
    failed = blocking(outcomes)
    if failed:
        yield from checks
        raise failure(table, failed)
    return checks
