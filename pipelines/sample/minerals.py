"""The sample's U.S. imports of critical minerals from every partner (SYNTHETIC): the Census
all-partner answers of the ledger's mineral prefixes, ``census/imports_hs/<YYYY-MM>/
I_COMMODITY=<prefix>.json`` (the file the client writes for a query without CTY_CODE).

Like the real API, an all-partner answer repeats the rows of the countries that have requests
of their own (their rows are copied from their answers, already written); the other
partners' rows are drawn from the scenario's ``critical_minerals`` shares. Runs after the
Census module, reading its answers back from the snapshot being written.
"""

from __future__ import annotations

import json
from collections import defaultdict

import numpy as np

from pipelines.lib.rules.mirror import load_minerals
from pipelines.sample.common import months

FIELDS = ("I_COMMODITY", "I_COMMODITY_LDESC", "I_COMMODITY_SDESC", "CTY_CODE", "CTY_NAME",
          "SUMMARY_LVL", "GEN_VAL_MO", "CON_VAL_MO", "DUT_VAL_MO", "CAL_DUT_MO", "CON_QY1_MO",
          "UNIT_QY1", "RP", "LAST_UPDATE", "time", "COMM_LVL")


def shares_in(spec: dict, period: str, shift_from: str, china: tuple[str, ...]) -> dict:
    """Supplier shares of a month: after ``shift_from`` China gives ``shift`` points to the
    others, in proportion to their shares."""
    shares = {k: float(v) for k, v in spec["suppliers"].items() if float(v) > 0}
    total = sum(shares.values())
    shares = {k: v / total for k, v in shares.items()}
    if period >= shift_from and spec.get("shift"):
        moved = min(float(spec["shift"]), shares.get(china[0], 0.0))
        others = {k: v for k, v in shares.items() if k not in china}
        rest = sum(others.values())
        if rest > 0 and moved > 0:
            shares[china[0]] -= moved
            for k, v in others.items():
                shares[k] = v + moved * v / rest
    return shares


def group_prefixes() -> dict[str, list[str]]:
    return {g.id: g.prefixes for g in load_minerals().groups}


def prefix_of(line: str, prefixes: list[str], group: str) -> str:
    for prefix in prefixes:
        if line.startswith(prefix):
            return prefix
    raise ValueError(f"critical_minerals {group}: line {line} is outside the group's "
                     f"prefixes {prefixes} (pipelines/ledger/minerals.yaml)")


def write(writer, scenario: dict) -> dict:
    spec = scenario["critical_minerals"]
    names = spec["census_names"]
    china = (load_minerals().partners["china"].census,
             load_minerals().partners["hong_kong"].census)
    prefixes = group_prefixes()
    all_prefixes = sorted({p for ps in prefixes.values() for p in ps})
    rng = np.random.default_rng([scenario["seed"], 30])
    files = rows_written = 0
    for period in months(scenario["first_month"], scenario["last_month"]):
        month_dir = writer.root / "census" / "imports_hs" / period
        own: dict[str, list[list[str]]] = defaultdict(list)   # prefix -> rows of own requests
        own_keys: set[tuple[str, str]] = set()
        updated = None
        for path in sorted(month_dir.glob("CTY_CODE=*.json")):
            part = path.stem.partition("_I_COMMODITY=")[2]
            if "COMM_LVL" in path.stem or (part and not any(
                    p.startswith(part) or part.startswith(p) for p in all_prefixes)):
                continue
            data = json.loads(path.read_bytes())
            at = {name: i for i, name in enumerate(data[0])}
            for row in data[1:]:
                updated = updated or row[at["LAST_UPDATE"]]
                code = row[at["I_COMMODITY"]]
                for group_prefixes_ in prefixes.values():
                    for prefix in group_prefixes_:
                        if code.startswith(prefix):
                            own[prefix].append([row[at[f]] for f in FIELDS])
                            own_keys.add((code, row[at["CTY_CODE"]]))
        by_prefix: dict[str, list[list[str]]] = defaultdict(list)
        for group, sides in spec["groups"].items():
            us = sides["us"]
            total = us["musd"] * 1e6 * rng.lognormal(0.0, spec["value_sigma"])
            weights = rng.random(len(us["lines"])) + 0.5
            weights /= weights.sum()
            for code, share in shares_in(us, period, spec["shift_from"], china).items():
                for line, weight in zip(us["lines"], weights, strict=True):
                    prefix = prefix_of(line, prefixes[group], group)
                    value = int(round(total * share * weight * rng.lognormal(0.0, 0.1)))
                    if value < 1 or (line, code) in own_keys:
                        continue
                    qty = int(round(value / 40))
                    desc = f"{group.replace('_', ' ').upper()}, {line}"
                    by_prefix[prefix].append([
                        line, desc, desc[:50], code, names[code], "DET", str(value),
                        str(value), "0", "0", str(qty), "KG", "10", updated or "", period,
                        "HS10"])
        for prefix in sorted({p for ps in prefixes.values() for p in ps}):
            rows = sorted(own[prefix] + by_prefix[prefix], key=lambda r: (r[0], r[3], r[12]))
            body = "[" + ",\n".join([json.dumps(list(FIELDS))]
                                   + [json.dumps(r) for r in rows]) + "]"
            writer.write(f"census/imports_hs/{period}/I_COMMODITY={prefix}.json",
                         body.encode("utf-8"))
            files += 1
            rows_written += len(rows)
    return {"mineral_files": files, "mineral_rows": rows_written}
