"""The sample's Japanese trade statistics: MOF/Customs CSVs by HS9 x country (SYNTHETIC).

``japan_customs/<YYYY>/<exp|imp>_<release>.csv`` in the reader's release naming. Japan's
exports to the U.S. (304) and imports from the U.S. mirror the Census answers already
written (read back from the snapshot being built) through the scenario's valuation, timing
and classification differences; Japan's imports of critical minerals come from every
supplier of the scenario. Runs after the Census and exchange-rate modules.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict

import numpy as np

from pipelines.sample import fx
from pipelines.sample.common import months
from pipelines.sample.minerals import shares_in

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
US = "304"


def _census_values(root, endpoint: str, period: str, pattern: str, code_field: str,
                   value_field: str) -> dict[str, float]:
    """Value by HS6 of the Japan answers of one month."""
    out: dict[str, float] = defaultdict(float)
    for path in sorted((root / "census" / endpoint / period).glob(pattern)):
        if "COMM_LVL" in path.name:
            continue
        data = json.loads(path.read_bytes())
        at = {name: i for i, name in enumerate(data[0])}
        for row in data[1:]:
            out[row[at[code_field]][:6]] += float(row[at[value_field]] or 0)
    return out


def _reclassify(hs6s: list[str], share: float, rng) -> dict[str, str]:
    """A few subheadings Japan books under a neighbour of the same heading."""
    by_heading = defaultdict(list)
    for code in hs6s:
        by_heading[code[:4]].append(code)
    out = {}
    for code in hs6s:
        neighbours = [c for c in by_heading[code[:4]] if c != code]
        if neighbours and rng.random() < share:
            out[code] = neighbours[int(rng.integers(len(neighbours)))]
    return out


Key = tuple[str, str, str, str]   # (direction, period, hs9, country)


def figures(scenario: dict, root) -> tuple[dict[Key, float], dict[Key, tuple]]:
    """``({key: thousand yen}, {key: (unit1, quantity1, unit2, quantity2)})``, the confirmed
    figures; quantities only for Japan's imports of the U.S. export lines of the scenario (the
    purchase commitments' products), the others get the writer's default."""
    spec, minerals = scenario["japan_customs"], scenario["critical_minerals"]
    lines = {item["code"][:6]: item for item in scenario["exports"]}
    periods = months(scenario["first_month"], scenario["last_month"])
    rates = fx.monthly_means(scenario)
    rng = np.random.default_rng([scenario["seed"], 40])
    us_imports = {p: _census_values(root, "imports_hs", p, "CTY_CODE=5880_*.json",
                                    "I_COMMODITY", "GEN_VAL_MO") for p in periods}
    us_exports = {p: _census_values(root, "exports_hs", p, "CTY_CODE=5880*.json",
                                    "E_COMMODITY", "ALL_VAL_MO") for p in periods}
    out: dict[Key, float] = defaultdict(float)
    quantities: dict[Key, tuple] = {}
    hs6s = sorted({h for p in periods for h in us_imports[p]})
    moved = _reclassify(hs6s, spec["reclassified_share"], rng)
    for i, period in enumerate(periods):
        later = periods[min(i + 1, len(periods) - 1)]
        earlier = periods[max(i - 1, 0)]
        t = spec["in_transit_to_us"]
        for hs6 in hs6s:
            usd = ((1 - t) * us_imports[period].get(hs6, 0.0)
                   + t * us_imports[later].get(hs6, 0.0))
            usd *= spec["export_factor"] * rng.lognormal(0.0, spec["export_sigma"])
            if usd >= 500:
                out["exp", period, moved.get(hs6, hs6) + "000", US] += usd * rates[period] / 1e3
        for hs6 in sorted(set(us_exports[period]) | set(us_exports[earlier])):
            line = lines.get(hs6)
            # aircraft fly in: booked in the month they leave; cargo a month later in part
            t = 0.0 if line and line["unit"] == "NO" else spec["in_transit_to_japan"]
            fas = ((1 - t) * us_exports[period].get(hs6, 0.0)
                   + t * us_exports[earlier].get(hs6, 0.0))
            markup = 1 + rng.uniform(*spec["cif_markup"])
            usd = fas * markup * rng.lognormal(0.0, spec["import_sigma"])
            if usd >= 500:
                out["imp", period, hs6 + "000", US] += usd * rates[period] / 1e3
                if line is not None:
                    quantities["imp", period, hs6 + "000", US] = _quantity(
                        spec["units"][line["unit"]], fas, line)
        for sides in minerals["groups"].values():
            side = sides["japan"]
            total = side["mjpy"] * 1e3 * rng.lognormal(0.0, minerals["value_sigma"])
            weights = rng.random(len(side["lines"])) + 0.5
            weights /= weights.sum()
            for country, share in shares_in(side, period, minerals["shift_from"],
                                            ("105", "108")).items():
                for line, weight in zip(side["lines"], weights, strict=True):
                    out["imp", period, line, country] += (total * share * weight
                                                          * rng.lognormal(0.0, 0.1))
    values = {k: float(int(v)) for k, v in out.items() if int(v) > 0}
    return values, {k: q for k, q in quantities.items() if k in values}


def _quantity(units: list, fas_usd: float, line: dict) -> tuple:
    """Japan's two quantities of a shipment worth ``fas_usd`` at the U.S. border, in the units
    the scenario gives Japan's statistics for the Census unit (``[unit1, per Census unit,
    unit2, per Census unit]``); whole units for counted goods."""
    count = fas_usd / line["price"]
    if line["unit"] == "NO":
        count = max(1, round(count))
    unit1, per1, unit2, per2 = units
    return (unit1 or "", int(count * per1) if unit1 else 0, unit2, int(count * per2))


def _csv(rows: list[list[str]], preamble: str | None) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if preamble:
        buffer.write(preamble + "\r\n")
    writer.writerows(rows)
    return buffer.getvalue()


def write(writer, scenario: dict) -> dict:
    spec = scenario["japan_customs"]
    truth, quantities = figures(scenario, writer.root)
    rng = np.random.default_rng([scenario["seed"], 41])
    files = lines = 0
    last = scenario["last_month"]
    for release in spec["releases"]:
        year = int(release["year"])
        published = 12 if release.get("confirmed") else int(release["month"])
        confirmed = published if release.get("confirmed") else published - 1
        if f"{year}-{published:02d}" > last:
            raise ValueError(f"japan_customs release {release} is after {last}")
        custom = bool(release.get("custom"))
        for direction in ("exp", "imp"):
            keys = sorted({(k[2], k[3]) for k in truth
                           if k[0] == direction and k[1].startswith(f"{year}-")})
            header = ["Exp or Imp", "Year", *(["Custom"] if custom else []), "HS", "Country",
                      "Unit1", "Unit2", "Quantity1-Year", "Quantity2-Year", "Value-Year"]
            header += [f"{kind}-{m}" for m in MONTHS
                       for kind in ("Quantity1", "Quantity2", "Value")]
            rows = [header]
            for hs9, country in keys:
                values, counted = [], []
                units = ("", "KG")
                for month in range(1, 13):
                    key = (direction, f"{year}-{month:02d}", hs9, country)
                    value = truth.get(key, 0.0)
                    # default quantities: KG only, about 2,000 yen a kg
                    quantity = quantities.get(key, ("", 0, "KG", int(value) // 2))
                    if key in quantities:
                        units = (quantity[0], quantity[2])
                    if month > published:
                        value, quantity = 0.0, ("", 0, "KG", 0)
                    elif month > confirmed:  # provisional: revised when confirmed
                        value = float(int(value * rng.lognormal(0.0, spec["revision_sigma"])))
                    values.append(int(value))
                    counted.append((quantity[1], quantity[3]))
                if not any(values):
                    continue
                offices = spec["customs_offices"] if custom else [None]
                split = rng.dirichlet(np.ones(len(offices))) if custom else [1.0]
                for office, part in zip(offices, split, strict=True):
                    months = [int(v * part) for v in values]
                    if custom and not any(months):
                        continue
                    # whole units stay with the office that booked the value
                    share = part if units[0] != "NO" else float(part == max(split))
                    qty = [(int(q1 * share), int(q2 * share)) for q1, q2 in counted]
                    cells = []
                    for (q1, q2), v in zip(qty, months, strict=True):
                        cells += [str(q1), str(q2), str(v)]
                    code = f"'{hs9}'" if release.get("quoted_hs") else hs9
                    rows.append(["1" if direction == "exp" else "2", str(year),
                                 *([office] if custom else []), code, country, *units,
                                 str(sum(q for q, _ in qty)), str(sum(q for _, q in qty)),
                                 str(sum(months)), *cells])
            name = (f"{direction}_{year}_confirmed.csv" if release.get("confirmed")
                    else f"{direction}_{year}-{published:02d}.csv")
            text = _csv(rows, release.get("unit_line"))
            writer.write(f"japan_customs/{year}/{name}",
                         text.encode(release.get("encoding", "utf-8")))
            files += 1
            lines += len(rows) - 1
    return {"japan_customs_files": files, "japan_customs_rows": lines}
