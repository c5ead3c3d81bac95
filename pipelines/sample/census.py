"""The sample's Census International Trade API answers: imports/hs for every partner and the
all-countries total (HS10 by rate provision, with the chapter totals), and exports/hs to Japan."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from pipelines.sample.catalogue import (
    CATEGORIES,
    Catalogue,
    Stat,
    mfn_terms,
    preference_rate,
)
from pipelines.sample.common import date_of, month_start, months, next_month

if TYPE_CHECKING:
    from pipelines.sample.generate import SnapshotWriter

IMPORT_FIELDS = (
    "I_COMMODITY", "I_COMMODITY_LDESC", "I_COMMODITY_SDESC", "CTY_CODE", "CTY_NAME",
    "SUMMARY_LVL", "GEN_VAL_MO", "CON_VAL_MO", "DUT_VAL_MO", "CAL_DUT_MO", "CON_QY1_MO",
    "UNIT_QY1", "RP", "LAST_UPDATE", "time", "COMM_LVL",
)
# The API's chapter totals (COMM_LVL=HS2, no commodity predicate) against which the HS10 rows
# of a month are reconciled.
TOTAL_FIELDS = (
    "I_COMMODITY", "CTY_CODE", "CTY_NAME", "GEN_VAL_MO", "CON_VAL_MO", "DUT_VAL_MO",
    "CAL_DUT_MO", "time", "COMM_LVL",
)
EXPORT_FIELDS = (
    "E_COMMODITY", "E_COMMODITY_LDESC", "CTY_CODE", "CTY_NAME", "ALL_VAL_MO", "QTY_1_MO",
    "UNIT_QY1", "time", "COMM_LVL",
)
# Rate provisions written by the sample (see DOMAIN.md section 3).
RATE_PROVISIONS = ("00", "10", "14", "61", "64", "69", "79")
RP_INDEX = {rp: i for i, rp in enumerate(RATE_PROVISIONS)}
KIND_CODES = {"mfn": 0, "add": 1, "floor": 2, "set": 3}


def _census_answer(header: tuple[str, ...], rows: list[str]) -> bytes:
    """A Census API answer: a JSON array of string arrays, one row a line.

    ``rows`` are already JSON-encoded arrays (see ``_import_rows``).
    """
    return ("[" + ",\n".join([json.dumps(list(header)), *rows]) + "]").encode("utf-8")


def _short(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:")


# --------------------------------------------------------------------------------------------
# regimes
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    start: dt.date
    kind: int
    rate: float
    chapter99: bool


def _steps(raw: list) -> list[Step]:
    out = []
    for item in raw:
        kind = item[1]
        if kind not in KIND_CODES:
            raise ValueError(f"unknown regime kind {kind!r} in {item}")
        rate = float(item[2]) if len(item) > 2 and item[2] is not None else 0.0
        heading = item[3] if len(item) > 3 else None
        out.append(Step(date_of(item[0]), KIND_CODES[kind], rate, heading is not None))
    return sorted(out, key=lambda s: s.start)


def resolve_regimes(partner: dict, common: dict) -> dict[str, list[Step]]:
    """Each category's steps for one partner (see the comments in scenario.yaml)."""
    own = partner.get("regimes", {})
    resolved: dict[str, list[Step]] = {}

    def get(cat: str, depth: int = 0) -> list[Step]:
        if depth > 5:
            raise ValueError(f"regime fallback loop at {cat}")
        if cat in resolved:
            return resolved[cat]
        spec = own.get(cat, common.get(cat))
        if spec is None:
            if cat == "general":
                raise ValueError(f"partner {partner['code']} has no general regime")
            steps = get("general", depth + 1)
        elif isinstance(spec, dict):
            then = _steps(spec["then"])
            base = [s for s in get(spec["base"], depth + 1) if s.start < then[0].start]
            steps = base + then
        else:
            steps = _steps(spec)
        resolved[cat] = steps
        return steps

    return {cat: get(cat) for cat in CATEGORIES}


def _step_at(steps: list[Step], day: dt.date) -> Step:
    current = Step(dt.date.min, 0, 0.0, False)
    for step in steps:
        if step.start <= day:
            current = step
    return current


# --------------------------------------------------------------------------------------------
# Census imports
# --------------------------------------------------------------------------------------------


class Imports:
    def __init__(self, scenario: dict, catalogue: Catalogue, release_starts: list[dt.date]):
        self.sc = scenario
        self.cat = catalogue
        self.release_starts = release_starts
        self.months = months(scenario["first_month"], scenario["last_month"])
        stats = catalogue.stats
        self.n = len(stats)
        nrel = len(release_starts)
        self.exists = np.array([s.exists for s in stats]).T            # release x stat
        self.cat_idx = np.array([CATEGORIES.index(s.line.cat) for s in stats])
        self.av = np.zeros((nrel, self.n))
        self.sp = np.zeros((nrel, self.n))
        self.computable = np.ones((nrel, self.n), dtype=bool)
        self.ave = np.array([s.line.ave or 0.0 for s in stats])
        for k, stat in enumerate(stats):
            line = stat.line
            for r in range(nrel):
                terms = mfn_terms(line.rates[r])
                if terms is None:
                    self.computable[r, k] = False
                    continue
                self.av[r, k] = terms[0]
                self.sp[r, k] = sum(
                    amount * (line.jewels if unit == "jewel" else 1.0) for amount, unit in terms[1]
                )
        self.uv = np.array([s.line.uv for s in stats])
        self.no_qty = np.array([s.line.census_unit == "X" for s in stats])
        self.chapters = np.array([s.line.chapter for s in stats])
        line_ids = {id(line): i for i, line in enumerate(catalogue.lines)}
        self.line_of = np.array([line_ids[id(s.line)] for s in stats])
        self.transit = scenario["transit"]
        self.transit_from = date_of(self.transit["from"])
        self.transit_to = date_of(self.transit["to"])

    # -- base values --------------------------------------------------------------------------
    def base_values(self, partner: dict, index: int) -> tuple[np.ndarray, np.ndarray]:
        """Monthly base value per stat line (USD) and the Poisson rate of lumpy lines."""
        sc, stats = self.sc, self.cat.stats
        rng = np.random.default_rng([sc["seed"], 2, index])
        line_w = rng.lognormal(0.0, sc["noise"]["line_weight_sigma"], len(self.cat.lines))
        covered = rng.random(len(self.cat.lines)) < partner["coverage"]
        kid_w = rng.random(self.n) + 0.3
        share = np.zeros(self.n)
        for line_id in np.unique(self.line_of):
            members = self.line_of == line_id
            share[members] = kid_w[members] / kid_w[members].sum()
        base = np.zeros(self.n)
        code = partner["code"]
        is_japan = code == "5880"
        pools: dict[str, float] = {}
        if is_japan:
            pools = {ch: spec["jp"] * 1e6 for ch, spec in sc["chapters"].items()}
        else:
            factors = partner.get("chapter_factors", {})
            weights = {ch: spec["w"] * factors.get(ch, 1.0) for ch, spec in sc["chapters"].items()}
            total = sum(weights.values())
            pools = {ch: float(partner["value"]) * w / total for ch, w in weights.items()}
        in_pool = np.zeros(len(self.cat.lines), dtype=bool)
        for i, line in enumerate(self.cat.lines):
            if is_japan and line.named:
                continue
            if code in line.values:
                continue
            in_pool[i] = covered[i]
        for ch, pool in pools.items():
            members = np.array([in_pool[i] and line.chapter == ch
                                for i, line in enumerate(self.cat.lines)])
            if members.any():
                line_w_ch = np.where(members, line_w, 0.0)
                line_value = pool * line_w_ch / line_w_ch.sum()
                base += line_value[self.line_of] * share
        for i, line in enumerate(self.cat.lines):
            explicit = line.jp_value if is_japan and line.named else line.values.get(code)
            if explicit:
                members = self.line_of == i
                base[members] = explicit * share[members]
        lam = np.zeros(self.n)
        for k, stat in enumerate(stats):
            line = stat.line
            if is_japan and line.lumpy is not None:
                lam[k] = line.lumpy * share[k]
            elif line.uv >= 1e6 and base[k] > 0:
                lam[k] = base[k] / line.uv
        return base, lam

    # -- month segments -----------------------------------------------------------------------
    def segments(self, period: str, regimes: dict[str, list[Step]], transit: bool) -> list:
        start = month_start(period)
        end = next_month(start)
        cuts = {start}
        for steps in regimes.values():
            cuts.update(s.start for s in steps if start < s.start < end)
        cuts.update(d for d in self.release_starts if start < d < end)
        for d in (self.transit_from, self.transit_to + dt.timedelta(days=1)):
            if start < d < end:
                cuts.add(d)
        bounds = sorted(cuts) + [end]
        days = (end - start).days
        out = []
        for a, b in zip(bounds, bounds[1:], strict=False):
            release = max(i for i, d in enumerate(self.release_starts) if d <= a) if (
                a >= self.release_starts[0]) else 0
            steps = {cat: _step_at(regimes[cat], a) for cat in CATEGORIES}
            in_transit = transit and self.transit_from <= a <= self.transit_to
            out.append(((b - a).days / days, release, steps, in_transit))
        return out

    def month_exists(self, period: str) -> np.ndarray:
        start = month_start(period)
        end = next_month(start)
        overlapping = [
            i for i, d in enumerate(self.release_starts)
            if d < end and (i + 1 == len(self.release_starts) or self.release_starts[i + 1] > start)
        ] or [0]
        return self.exists[overlapping].all(axis=0)

    # -- one partner --------------------------------------------------------------------------
    def partner_months(self, partner: dict, index: int, common: dict):
        """Yield (period, buckets) with integer arrays per rate provision for one partner."""
        sc = self.sc
        noise = sc["noise"]
        regimes = resolve_regimes(partner, common)
        base, lam = self.base_values(partner, index)
        rng = np.random.default_rng([sc["seed"], 3, index])
        pref = partner.get("preference")
        pref_rate = np.full(self.n, np.nan)
        if pref:
            for k, stat in enumerate(self.cat.stats):
                rate = preference_rate(stat.line.special, pref["program"])
                if rate is not None:
                    pref_rate[k] = rate
        has_pref = ~np.isnan(pref_rate)
        pref_rate = np.nan_to_num(pref_rate)
        ftz = partner.get("ftz", {"probability": 0.0, "share": [0.0, 0.0]})
        transit_on = partner["code"] in self.transit["partners"]
        transit_cats = np.isin(self.cat_idx, [CATEGORIES.index(c)
                                              for c in self.transit["categories"]])
        t_step = _steps([self.transit["step"]])[0]
        volume = partner.get("volume", [])
        small = base < noise["gap_below"]
        for period in self.months:
            month = int(period[5:])
            factor = np.ones(self.n)
            overall = 1.0
            per_cat: dict[str, float] = {}
            for when, value, cat in volume:
                if when <= period:
                    if cat is None:
                        overall = value
                    else:
                        per_cat[cat] = value
            for cat, value in per_cat.items():
                factor[self.cat_idx == CATEGORIES.index(cat)] = value
            factor *= overall * noise["seasonality"][month - 1]
            value = base * factor * rng.lognormal(0.0, noise["value_sigma"], self.n)
            units = rng.poisson(lam * factor)
            lumpy = lam > 0
            value[lumpy] = units[lumpy] * self.uv[lumpy] * rng.lognormal(0, 0.05, lumpy.sum())
            gaps = small & (rng.random(self.n) < noise["gap_probability"]) & ~lumpy
            value[gaps] = 0.0
            value[~self.month_exists(period)] = 0.0
            unit_value = self.uv * rng.lognormal(0.0, noise["unit_value_sigma"], self.n)
            qty = np.where(lumpy, units, value / unit_value)
            qty[self.no_qty] = 0.0
            ftz_on = rng.random(self.n) < ftz["probability"]
            ftz_share = np.where(ftz_on, rng.uniform(*ftz["share"], self.n), 0.0)
            pref_share = np.where(has_pref, pref["share"] if pref else 0.0, 0.0)
            yield period, self._buckets(
                period, value, qty, ftz_share, pref_share, pref_rate, regimes,
                transit_on, transit_cats, t_step, rng,
            )

    def _buckets(self, period, value, qty, ftz_share, pref_share, pref_rate, regimes,
                 transit_on, transit_cats, t_step, rng) -> dict[str, np.ndarray]:
        nb = len(RATE_PROVISIONS)
        val = np.zeros((nb, self.n))
        dut = np.zeros((nb, self.n))
        dval = np.zeros((nb, self.n))
        qy = np.zeros((nb, self.n))
        rest = 1.0 - ftz_share
        v_ftz, q_ftz = value * ftz_share, qty * ftz_share
        v_pref, q_pref = value * rest * pref_share, qty * rest * pref_share
        v_reg, q_reg = value * rest * (1 - pref_share), qty * rest * (1 - pref_share)
        val[RP_INDEX["00"]] += v_ftz
        qy[RP_INDEX["00"]] += q_ftz
        tshare = float(self.transit["share"].get(period, 0.0))
        cat_idx = self.cat_idx

        def add(rp_idx: np.ndarray, v: np.ndarray, q: np.ndarray, d: np.ndarray) -> None:
            cols = np.arange(self.n)
            np.add.at(val, (rp_idx, cols), v)
            np.add.at(qy, (rp_idx, cols), q)
            np.add.at(dut, (rp_idx, cols), d)
            np.add.at(dval, (rp_idx, cols), np.where(d > 0, v, 0.0))

        def duty(kind, rate, mfn, v):
            return np.select(
                [kind == 0, kind == 1, kind == 2],
                [mfn, mfn + rate * v, np.maximum(rate * v, mfn)],
                rate * v,
            )

        for weight, r, steps, in_transit in self.segments(period, regimes, transit_on):
            kind_tab = np.array([steps[c].kind for c in CATEGORIES])
            rate_tab = np.array([steps[c].rate for c in CATEGORIES])
            ch99_tab = np.array([steps[c].chapter99 for c in CATEGORIES])
            kind, rate, ch99 = kind_tab[cat_idx], rate_tab[cat_idx], ch99_tab[cat_idx]
            tau = np.where(transit_cats, tshare, 0.0) if in_transit else np.zeros(self.n)

            def mfn(v, q, r=r):
                return np.where(self.computable[r], self.av[r] * v + self.sp[r] * q, self.ave * v)

            # regular entries
            v = v_reg * weight * (1 - tau)
            q = q_reg * weight * (1 - tau)
            d = duty(kind, rate, mfn(v, q), v)
            positive = d > 1e-9
            rp = np.where(ch99, np.where(positive, RP_INDEX["69"], RP_INDEX["79"]),
                          np.where(positive, RP_INDEX["61"], RP_INDEX["10"]))
            add(rp, v, q, d)
            # goods in transit at the old rate
            if in_transit and tshare > 0:
                v = v_reg * weight * tau
                q = q_reg * weight * tau
                d = duty(np.full(self.n, t_step.kind), t_step.rate, mfn(v, q), v)
                rp = np.where(d > 1e-9, RP_INDEX["69"], RP_INDEX["79"])
                add(rp, v, q, d)
            # special-program claims: the preferential rate replaces m
            v = v_pref * weight
            q = q_pref * weight
            d = duty(kind, rate, pref_rate * v, v)
            rp = np.where(d > 1e-9, RP_INDEX["64"], RP_INDEX["14"])
            add(rp, v, q, d)

        val_i = np.rint(val)
        dut_i = np.minimum(np.rint(dut), val_i)
        dval_i = np.minimum(np.rint(dval), val_i)
        qty_i = np.rint(qy)
        premium = rng.uniform(*self.sc["noise"]["general_premium"], val.shape)
        gen_i = np.rint(val_i * (1 + premium))
        keep = val_i >= 1
        return {
            "gen": np.where(keep, gen_i, 0).astype(np.int64),
            "con": np.where(keep, val_i, 0).astype(np.int64),
            "dval": np.where(keep, dval_i, 0).astype(np.int64),
            "duty": np.where(keep, dut_i, 0).astype(np.int64),
            "qty": np.where(keep, qty_i, 0).astype(np.int64),
        }


def _last_update(scenario: dict, period: str) -> str:
    cfg = scenario["census_releases"]
    year = period[:4]
    if year in cfg["annual_revisions"]:
        return str(cfg["annual_revisions"][year])
    if period in cfg["delayed"]:
        return str(cfg["delayed"][period])
    day = month_start(period)
    for _ in range(int(cfg["lag"])):
        day = next_month(day)
    return day.replace(day=int(cfg["day"])).isoformat()


def _import_rows(buckets: dict[str, np.ndarray], stats: list[Stat], code: str, name: str,
                 level: str, period: str, updated: str) -> list[tuple[str, str]]:
    """(chapter, JSON-encoded row) pairs, sorted by commodity then rate provision."""
    nz_rp, nz_k = np.nonzero(buckets["con"])
    order = np.lexsort((nz_rp, nz_k))
    rps, ks = nz_rp[order], nz_k[order]
    columns = [buckets[key][rps, ks].tolist() for key in ("gen", "con", "dval", "duty", "qty")]
    middle = json.dumps([code, name, level])[1:-1]
    tail = json.dumps([updated, period, "HS10"])[1:-1]
    rows = []
    for rp, k, gen, con, dval, duty, qty in zip(rps.tolist(), ks.tolist(), *columns, strict=True):
        stat = stats[k]
        rows.append((stat.line.chapter,
                     f'[{stat.encoded}, {middle}, "{gen}", "{con}", "{dval}", "{duty}", "{qty}", '
                     f'"{stat.line.census_unit}", "{RATE_PROVISIONS[rp]}", {tail}]'))
    return rows


def _chapter_totals(buckets: dict[str, np.ndarray], stats: list[Stat], code: str, name: str,
                    period: str) -> list[str]:
    """The month's HS2 answer rows for one country: sums of its HS10 rows by chapter."""
    chapters = np.array([stat.line.chapter for stat in stats])
    names, index = np.unique(chapters, return_inverse=True)
    sums = {key: np.bincount(index, weights=buckets[key].sum(axis=0), minlength=len(names))
            for key in ("gen", "con", "dval", "duty")}
    rows = []
    for i, chapter in enumerate(names.tolist()):
        if sums["con"][i] > 0:
            values = [str(int(round(sums[key][i]))) for key in ("gen", "con", "dval", "duty")]
            rows.append(json.dumps([chapter, code, name, *values, period, "HS2"]))
    return rows


def _census_descriptions(catalogue: Catalogue) -> None:
    for stat in catalogue.stats:
        line = stat.line
        if line.named:
            parts = [line.desc]
        else:
            parts = [catalogue.heading_desc[line.heading], line.desc]
        if stat.desc:
            parts.append("NESOI" if stat.desc == "Other" else stat.desc)
        text = ", ".join(parts).upper().replace(":", "")
        stat.ldesc = _short(text, 150)
        stat.sdesc = _short(text, 50)
        stat.encoded = json.dumps([stat.hs10, stat.ldesc, stat.sdesc])[1:-1]


# --------------------------------------------------------------------------------------------
# Census exports
# --------------------------------------------------------------------------------------------


def _export_rows(scenario: dict, period: str, rng: np.random.Generator) -> list[list[str]]:
    """The month's rows; like the API, none for a code without trade that month."""
    rows = []
    month = int(period[5:])
    for item in scenario["exports"]:
        season = scenario["export_seasons"][item.get("season", "flat")][month - 1]
        uplift = 1.0
        for when, factor in item.get("uplift", []):
            if when <= period:
                uplift = factor
        unreported = period in item.get("quantity_missing", [])
        if item.get("lumpy"):
            count = int(rng.poisson(item["lumpy"] * uplift))
            count = max(count, 1) if unreported else count
            value = count * item["price"] * rng.lognormal(0.0, 0.08) if count else 0.0
            qty = count
        else:
            value = item["value"] * 1e6 * season * uplift * rng.lognormal(0.0, 0.12)
            price = item["price"] * rng.lognormal(0.0, 0.05)
            qty = 0 if item["unit"] == "X" else value / price
        if unreported:
            qty = 0
        if round(value) == 0:
            continue
        rows.append([
            item["code"], item["desc"], "5880", "JAPAN", str(int(round(value))),
            str(int(round(qty))), item["unit"], period, "HS10",
        ])
    return rows


# --------------------------------------------------------------------------------------------
# the answers
# --------------------------------------------------------------------------------------------


def write(writer: SnapshotWriter, scenario: dict, catalogue: Catalogue) -> dict:
    """Imports of each partner, then the all-countries total; exports to Japan."""
    starts = [date_of(r["start"]) for r in scenario["releases"]]
    _census_descriptions(catalogue)
    imports = Imports(scenario, catalogue, starts)
    stats = catalogue.stats
    totals: dict[str, dict[str, np.ndarray]] = {}
    per_month: dict[str, list[tuple[str, str, list[tuple[str, str]]]]] = defaultdict(list)
    for index, partner in enumerate(scenario["partners"]):
        for period, buckets in imports.partner_months(partner, index, scenario["common_regimes"]):
            if period in totals:
                for key in buckets:
                    totals[period][key] = totals[period][key] + buckets[key]
            else:
                totals[period] = {key: arr.copy() for key, arr in buckets.items()}
            if partner["split"] == "none":
                continue
            rows = _import_rows(buckets, stats, partner["code"], partner["name"],
                                partner["summary_lvl"], period, _last_update(scenario, period))
            per_month[period].append((partner["split"], partner["code"], rows))
            writer.write(f"census/imports_hs/{period}/CTY_CODE={partner['code']}_COMM_LVL=HS2.json",
                         _census_answer(TOTAL_FIELDS, _chapter_totals(
                             buckets, stats, partner["code"], partner["name"], period)))
    world = scenario["all_countries"]
    import_rows = 0
    import_files_before = writer.files
    for period in imports.months:
        updated = _last_update(scenario, period)
        rows = _import_rows(totals[period], stats, world["code"], world["name"],
                            world["summary_lvl"], period, updated)
        per_month[period].append((world["split"], world["code"], rows))
        writer.write(f"census/imports_hs/{period}/CTY_CODE={world['code']}_COMM_LVL=HS2.json",
                     _census_answer(TOTAL_FIELDS, _chapter_totals(
                         totals[period], stats, world["code"], world["name"], period)))
        for split, code, partner_rows in per_month[period]:
            if not partner_rows:
                continue
            import_rows += len(partner_rows)
            if split in ("chapter", "digit"):
                width = 2 if split == "chapter" else 1
                parts: dict[str, list[str]] = defaultdict(list)
                for chapter, row in partner_rows:
                    parts[chapter[:width]].append(row)
                for prefix in sorted(parts):
                    writer.write(
                        f"census/imports_hs/{period}/CTY_CODE={code}_I_COMMODITY={prefix}.json",
                        _census_answer(IMPORT_FIELDS, parts[prefix]),
                    )
            else:
                writer.write(f"census/imports_hs/{period}/CTY_CODE={code}.json",
                             _census_answer(IMPORT_FIELDS, [r for _, r in partner_rows]))
    import_files = writer.files - import_files_before

    export_rng = np.random.default_rng([scenario["seed"], 4])
    export_rows = 0
    for period in imports.months:
        rows = _export_rows(scenario, period, export_rng)
        export_rows += len(rows)
        writer.write(f"census/exports_hs/{period}/CTY_CODE=5880.json",
                     _census_answer(EXPORT_FIELDS, [json.dumps(row) for row in rows]))
    return {
        "months": len(imports.months),
        "import_files": import_files,
        "import_rows": import_rows,
        "export_files": len(imports.months),
        "export_rows": export_rows,
    }
