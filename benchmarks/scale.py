"""A national-size snapshot for the benchmarks: every partner, every HS10 line, N months.

    python -m benchmarks.scale OUT [--scale 1] [--months 12] [--shared ../shared/data]

Writes ``OUT`` in the project's snapshot layout (``pipelines.lib.sources.snapshot``), the way
a national live fetch lands it (the client without a ``CTY_CODE`` predicate: one answer per
chapter with every country, plus the all-countries total and the chapter totals):

```
OUT/hts/releaseList.json, OUT/hts/<release>.json.gz
OUT/census/imports_hs/<YYYY-MM>/I_COMMODITY=<ch>.json              every partner (DET rows)
OUT/census/imports_hs/<YYYY-MM>/CTY_CODE=ALL_I_COMMODITY=<ch>.json all countries (CGP rows)
OUT/census/imports_hs/<YYYY-MM>/COMM_LVL=HS2.json                  chapter totals, every partner
OUT/census/imports_hs/<YYYY-MM>/CTY_CODE=ALL_COMM_LVL=HS2.json     chapter totals, all countries
OUT/census/exports_hs/<YYYY-MM>/I_COMMODITY=<ch>.json, CTY_CODE=ALL_I_COMMODITY=<ch>.json
```

The structure is real: which HS10 lines each partner ships and their 2024 magnitudes come from
``shared/data/census/imports_hs10_ytd_2024-12_allpartners.json.gz`` (231 partners, 328 k line x
partner pairs; Japan, withheld there, takes Korea's structure). Without ``--shared`` data a
synthetic structure of the same size is drawn (lognormal values, the same partner and line
counts). Months start at 2024-01; at scale 1 a month has about 350 k import rows (line x
partner x rate provision) and 250 k export rows, as the national answers do. Scale 0.25 keeps a
quarter of the pairs; 2 and 4 add copies of every partner under unused country codes
(8000-9999). The chapter totals are the exact sums of the HS10 rows, so the reconciliation
contracts pass; each month's files carry a fixed modification time (its fetch date, the
vintage), so regenerating gives the same vintages and an added month is the only new one.

HTS releases: the five releases of the offline sample (2025 basic, revisions 7, 18, 23, 2026
revision 4), linked from ``shared/data/hts`` (real schedules, so Japan's lines find their
column-1 rates), else the sample's synthetic exports.
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import gzip
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.lib import settings
from pipelines.lib.paths import project_root
from pipelines.lib.sources.snapshot import SYNTHETIC_MARKER

SEED = 2024
IMPORT_ROWS_PER_MONTH = 350_000  # at scale 1
EXPORT_ROWS_PER_MONTH = 250_000
ALL_PARTNERS_FILE = "census/imports_hs10_ytd_2024-12_allpartners.json.gz"
JAPAN, KOREA = "5880", "5800"
WORLD = ("-", "TOTAL FOR ALL COUNTRIES")
IMPORT_HEADER = ["I_COMMODITY", "I_COMMODITY_LDESC", "I_COMMODITY_SDESC", "CTY_CODE",
                 "CTY_NAME", "SUMMARY_LVL", "GEN_VAL_MO", "CON_VAL_MO", "DUT_VAL_MO",
                 "CAL_DUT_MO", "CON_QY1_MO", "UNIT_QY1", "RP", "LAST_UPDATE", "time",
                 "COMM_LVL"]
TOTAL_HEADER = ["I_COMMODITY", "CTY_CODE", "CTY_NAME", "GEN_VAL_MO", "CON_VAL_MO",
                "DUT_VAL_MO", "CAL_DUT_MO", "time", "COMM_LVL"]
EXPORT_HEADER = ["E_COMMODITY", "E_COMMODITY_LDESC", "CTY_CODE", "CTY_NAME", "ALL_VAL_MO",
                 "QTY_1_MO", "UNIT_QY1", "time", "COMM_LVL"]
UNITS = {"No.": "NO", "kg": "KG", "t": "T", "liters": "L", "bbl": "BBL", "doz.": "DOZ",
         "prs.": "PRS", "m2": "M2", "m²": "M2", "m3": "M3", "g": "GM"}
# the sample's releases, with the real archive's file names
RELEASE_FILES = {"2025HTSBasic": "hts_2025_basic", "2025HTSRev7": "hts_2025_rev_7",
                 "2025HTSRev18": "hts_2025_rev_18", "2025HTSRev23": "hts_2025_rev_23",
                 "2026HTSRev4": "hts_2026_rev_4"}
# seasonal profile of monthly trade (share of the year's average)
SEASON = (0.93, 0.88, 1.02, 0.99, 1.03, 1.00, 1.01, 1.04, 0.99, 1.06, 1.03, 1.02)


@dataclass
class Structure:
    """Line x partner pairs with their yearly magnitudes (one row per pair)."""

    pairs: pl.DataFrame  # hs10, cty_code, cty_name, gen, con, dut, cal (yearly USD)
    source: str  # where the structure came from


def default_shared() -> Path:
    return settings.value("shared_data") or project_root().parent / "shared" / "data"


def real_structure(shared: Path) -> Structure | None:
    path = shared / ALL_PARTNERS_FILE
    if not path.exists():
        return None
    with gzip.open(path, "rt", encoding="utf-8") as f:
        rows = json.load(f)
    header = rows[0]
    frame = pl.DataFrame(rows[1:], schema=header, orient="row")
    pairs = frame.select(
        pl.col("I_COMMODITY").alias("hs10"), pl.col("CTY_CODE").alias("cty_code"),
        pl.col("CTY_NAME").alias("cty_name"),
        *[pl.col(f"{v}_YR").cast(pl.Float64).alias(n)
          for v, n in (("GEN_VAL", "gen"), ("CON_VAL", "con"), ("DUT_VAL", "dut"),
                       ("CAL_DUT", "cal"))],
    ).filter(pl.col("con") > 0)
    japan = pairs.filter(pl.col("cty_code") == KOREA).with_columns(
        pl.lit(JAPAN).alias("cty_code"), pl.lit("JAPAN").alias("cty_name"),
        *[(pl.col(c) * 1.3) for c in ("gen", "con", "dut", "cal")])
    return Structure(pl.concat([pairs, japan]), f"real 2024 structure ({path})")


def synthetic_structure(n_pairs: int = 338_000, n_lines: int = 18_661,
                        n_partners: int = 232) -> Structure:
    """The same size as the real structure: partners ship a Zipf-like share of the lines."""
    rng = np.random.default_rng(SEED)
    chapters = np.array([c for c in range(1, 98) if c != 77])
    line_chapter = rng.choice(chapters, n_lines)
    lines = np.array([f"{c:02d}{i:08d}" for i, c in enumerate(line_chapter)])
    weight = 1 / np.arange(1, n_partners + 1) ** 0.9
    partner = rng.choice(n_partners, n_pairs, p=weight / weight.sum())
    codes = np.array([JAPAN if i == 1 else f"{1000 + 30 * i:04d}" for i in range(n_partners)])
    line = rng.integers(0, n_lines, n_pairs)
    con = np.round(rng.lognormal(11.5, 2.6, n_pairs))
    rate = np.where(rng.random(n_pairs) < 0.45, 0.0, rng.gamma(1.5, 0.03, n_pairs))
    dut = np.where(rate > 0, con, np.round(con * rng.random(n_pairs) * 0.2))
    pairs = pl.DataFrame({
        "hs10": lines[line], "cty_code": codes[partner],
        "cty_name": np.array([f"PARTNER {c}" if c != JAPAN else "JAPAN" for c in codes])[partner],
        "gen": con * 1.01, "con": con, "dut": dut, "cal": np.round(dut * rate),
    }).unique(["hs10", "cty_code"])
    return Structure(pairs, "synthetic structure (no shared data)")


def scaled(structure: Structure, scale: float) -> pl.DataFrame:
    """Scale < 1 keeps that share of the pairs; > 1 adds partner copies (codes 8000-9999)."""
    pairs = structure.pairs.sort("cty_code", "hs10")
    if scale < 1:
        keep = np.random.default_rng(SEED + 1).random(pairs.height) < scale
        return pairs.filter(pl.Series(keep) | (pl.col("cty_code") == JAPAN))
    copies = round(scale)
    if abs(copies - scale) > 1e-9:
        raise SystemExit(f"scale above 1 must be a whole number, got {scale}")
    partners = sorted(set(pairs["cty_code"]) - {JAPAN})
    if (copies - 1) * len(partners) > 2000:
        raise SystemExit(f"scale {scale} needs more country codes than 8000-9999 holds")
    frames = [pairs]
    for k in range(1, copies):
        mapping = {code: f"{8000 + (k - 1) * len(partners) + i:04d}"
                   for i, code in enumerate(partners)}
        frames.append(pairs.filter(pl.col("cty_code") != JAPAN).with_columns(
            pl.col("cty_code").replace_strict(mapping),
            (pl.col("cty_name") + f" (COPY {k})")))
    return pl.concat(frames)


def _activity(pairs: pl.DataFrame, rows_target: float, rp_counts: np.ndarray) -> np.ndarray:
    """Per pair, the probability of a row in a given month, so that the expected rows of a
    month (pairs x rate provisions) are ``rows_target``: large flows trade every month, small
    ones now and then (bisection on one factor)."""
    size = (pairs["con"].to_numpy() / np.median(pairs["con"].to_numpy())) ** 0.35
    low, high = 0.0, 10.0
    for _ in range(50):
        factor = (low + high) / 2
        expected = float((np.clip(factor * size, 0.02, 1.0) * rp_counts).sum())
        low, high = (factor, high) if expected < rows_target else (low, factor)
    return np.clip(high * size, 0.02, 1.0)


def months_from(start: str, count: int) -> list[str]:
    year, month = int(start[:4]), int(start[5:])
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def fetched_at(period: str) -> float:
    """The month's fetch time (file mtime = vintage): the 5th of the second month after."""
    year, month = int(period[:4]), int(period[5:]) + 2
    if month > 12:
        year, month = year + 1, month - 12
    return calendar.timegm(dt.datetime(year, month, 5, 13, 0).timetuple())


def _quoted(expr: pl.Expr) -> pl.Expr:
    return pl.lit('"') + expr + pl.lit('"')


def _answer(header: list[str], rows: list[str]) -> str:
    return "[" + ",\n".join([json.dumps(header), *rows]) + "]"


def _write(path: Path, text: str, mtime: float) -> int:
    path.write_text(text, encoding="utf-8")
    os.utime(path, (mtime, mtime))
    return len(text)


class Generator:
    def __init__(self, pairs: pl.DataFrame, lines: pl.DataFrame, scale: float):
        self.scale = scale
        rng = np.random.default_rng(SEED + 2)
        n = pairs.height
        duty = pairs["cal"].to_numpy() > 0
        # rate provisions per pair: a main one (61 general / 10 free), sometimes FTZ (00),
        # sometimes a special claim (64) or another free provision (14)
        second = rng.random(n) < 0.30
        third = rng.random(n) < 0.12
        self.rp_counts = 1 + second.astype(int) + third.astype(int)
        self.pairs = pairs.join(lines, on="hs10", how="left").with_columns(
            pl.col("unit").fill_null("KG"), pl.col("unit_value").fill_null(25.0),
            pl.Series("main_rp", np.where(duty, "61", "10")),
            pl.Series("second", second), pl.Series("third", third),
            pl.Series("third_rp", np.where(duty, "64", "14")),
            pl.Series("p_import", _activity(pairs, IMPORT_ROWS_PER_MONTH * scale,
                                            self.rp_counts)),
            pl.Series("p_export", _activity(pairs, EXPORT_ROWS_PER_MONTH * scale,
                                            np.ones(n))),
            pl.col("hs10").str.slice(0, 2).alias("chapter"),
            pl.col("cty_name").map_elements(lambda s: json.dumps(s)[1:-1],
                                            return_dtype=pl.Utf8).alias("name_json"),
        )

    def imports(self, period: str, rng: np.random.Generator) -> pl.DataFrame:
        p = self.pairs
        n = p.height
        active = rng.random(n) < p["p_import"].to_numpy()
        month = int(period[5:])
        level = (SEASON[month - 1] / (12 * p["p_import"].to_numpy())
                 * rng.lognormal(-0.045, 0.3, n))
        base = p.with_columns(pl.Series("level", level)).filter(pl.Series(active))
        parts = [base.with_columns(pl.col("main_rp").alias("rp"),
                                   pl.lit(1.0).alias("share"))]
        parts.append(base.filter(pl.col("second")).with_columns(
            pl.lit("00").alias("rp"), pl.lit(0.25).alias("share")))
        parts.append(base.filter(pl.col("third")).with_columns(
            pl.col("third_rp").alias("rp"), pl.lit(0.15).alias("share")))
        rows = pl.concat(parts)
        # the main provision keeps what the others do not take
        rows = rows.with_columns(
            pl.when(pl.col("rp") == pl.col("main_rp"))
            .then(1.0 - 0.25 * pl.col("second") - 0.15 * pl.col("third"))
            .otherwise(pl.col("share")).alias("share"))
        w = pl.col("level") * pl.col("share")
        no_duty = pl.col("rp").is_in(["00", "10", "14"])
        con = (pl.col("con") * w).round(0)
        return rows.select(
            "hs10", "chapter", "cty_code", "cty_name", "name_json", "unit", "rp",
            (pl.col("gen") * w).round(0).cast(pl.Int64).alias("gen"),
            con.cast(pl.Int64).alias("con"),
            pl.when(no_duty).then(0).otherwise(pl.min_horizontal(pl.col("dut") * w, con))
            .round(0).cast(pl.Int64).alias("dut"),
            pl.when(no_duty).then(0).otherwise(pl.col("cal") * w).round(0).cast(pl.Int64)
            .alias("cal"),
            pl.when(pl.col("unit") == "X").then(0)
            .otherwise(con / pl.col("unit_value")).round(0).cast(pl.Int64).alias("qty"),
        ).filter(pl.col("con") > 0)

    def exports(self, period: str, rng: np.random.Generator) -> pl.DataFrame:
        p = self.pairs
        n = p.height
        active = rng.random(n) < p["p_export"].to_numpy()
        month = int(period[5:])
        level = (0.6 * SEASON[month - 1] / (12 * p["p_export"].to_numpy())
                 * rng.lognormal(-0.045, 0.3, n))
        value = (pl.col("con") * pl.col("level")).round(0)
        return p.with_columns(pl.Series("level", level)).filter(pl.Series(active)).select(
            "hs10", "chapter", "cty_code", "cty_name", "name_json", "unit",
            value.cast(pl.Int64).alias("val"),
            pl.when(pl.col("unit") == "X").then(0)
            .otherwise(value / pl.col("unit_value")).round(0).cast(pl.Int64).alias("qty"),
        ).filter(pl.col("val") > 0)


def _line_table(pairs: pl.DataFrame, shared: Path) -> pl.DataFrame:
    """hs10 -> description, Census unit and unit value (from the real 2025 schedule when
    there is one, else drawn)."""
    codes = pairs.select("hs10").unique().sort("hs10")
    rng = np.random.default_rng(SEED + 3)
    path = shared / "hts" / "hts_2025_basic.json.gz"
    known = pl.DataFrame(schema={"hs10": pl.Utf8, "htsdesc": pl.Utf8, "unit": pl.Utf8})
    if path.exists():
        with gzip.open(path, "rt", encoding="utf-8") as f:
            records = json.load(f)
        rows = []
        for r in records:
            code = (r.get("htsno") or "").replace(".", "")
            if len(code) == 10:
                units = r.get("units") or []
                rows.append((code, (r.get("description") or "")[:120],
                             UNITS.get(units[0], "X") if units else "X"))
        known = pl.DataFrame(rows, schema=known.schema, orient="row").unique("hs10")
    lines = codes.join(known, on="hs10", how="left").with_columns(
        pl.col("unit").fill_null("KG"),
        pl.Series("unit_value", np.round(rng.lognormal(3.0, 1.2, codes.height), 2)))
    ldesc = pl.coalesce(pl.col("htsdesc").str.to_uppercase(),
                        pl.lit("GOODS OF STATISTICAL LINE ") + pl.col("hs10"))
    ldesc = ldesc.str.replace_all(r'[\\"\n\t]', " ").str.slice(0, 150)
    return lines.select("hs10", "unit", "unit_value", ldesc.alias("ldesc"),
                        ldesc.str.slice(0, 50).str.strip_chars().alias("sdesc"))


def write_hts(out: Path, shared: Path) -> str:
    target = out / "hts"
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        from pipelines.sample.generate import generate

        generate(Path(tmp) / "sample")
        sample_hts = Path(tmp) / "sample" / "hts"
        shutil.copy(sample_hts / "releaseList.json", target / "releaseList.json")
        real = all((shared / "hts" / f"{f}.json.gz").exists() for f in RELEASE_FILES.values())
        for release, stem in RELEASE_FILES.items():
            dest = target / f"{release}.json.gz"
            dest.unlink(missing_ok=True)
            if real:
                dest.symlink_to((shared / "hts" / f"{stem}.json.gz").resolve())
            else:
                shutil.copy(sample_hts / f"{release}.json.gz", dest)
    return "real releases (linked from shared data)" if real else "the sample's synthetic releases"


def write_month(gen: Generator, lines: pl.DataFrame, out: Path, period: str) -> dict:
    rng = np.random.default_rng([SEED, int(period[:4]), int(period[5:])])
    mtime = fetched_at(period)
    updated = dt.datetime.fromtimestamp(mtime, dt.UTC).date().isoformat()
    tail = f', "{updated}", "{period}", "HS10"]'
    imports = gen.imports(period, rng).join(lines.select("hs10", "ldesc", "sdesc"), on="hs10")
    world = imports.group_by("hs10", "chapter", "rp", "unit", "ldesc", "sdesc").agg(
        pl.col("gen", "con", "dut", "cal", "qty").sum()).with_columns(
        pl.lit(WORLD[0]).alias("cty_code"), pl.lit(WORLD[1]).alias("name_json"))
    month_dir = out / "census" / "imports_hs" / period
    if month_dir.exists():
        shutil.rmtree(month_dir)
    month_dir.mkdir(parents=True)
    size = files = 0

    def import_row(level: str) -> pl.Expr:
        return (pl.lit("[") + _quoted(pl.col("hs10")) + pl.lit(", ") + _quoted(pl.col("ldesc"))
                + pl.lit(", ") + _quoted(pl.col("sdesc")) + pl.lit(", ")
                + _quoted(pl.col("cty_code")) + pl.lit(", ") + _quoted(pl.col("name_json"))
                + pl.lit(f', "{level}", ')
                + pl.concat_str([_quoted(pl.col(c).cast(pl.Utf8))
                                 for c in ("gen", "con", "dut", "cal", "qty")], separator=", ")
                + pl.lit(", ") + _quoted(pl.col("unit")) + pl.lit(", ") + _quoted(pl.col("rp"))
                + pl.lit(tail))

    for frame, level, prefix in ((imports, "DET", ""), (world, "CGP", "CTY_CODE=ALL_")):
        encoded = frame.sort("hs10", "cty_code", "rp").select(
            "chapter", import_row(level).alias("row"))
        for (chapter,), part in encoded.group_by("chapter", maintain_order=True):
            size += _write(month_dir / f"{prefix}I_COMMODITY={chapter}.json",
                           _answer(IMPORT_HEADER, part["row"].to_list()), mtime)
            files += 1
    for frame, prefix in ((imports, ""), (world, "CTY_CODE=ALL_")):
        totals = frame.group_by("cty_code", "name_json", "chapter").agg(
            pl.col("gen", "con", "dut", "cal").sum()).sort("cty_code", "chapter")
        rows = totals.select(
            pl.lit("[") + _quoted(pl.col("chapter")) + pl.lit(", ") + _quoted(pl.col("cty_code"))
            + pl.lit(", ") + _quoted(pl.col("name_json")) + pl.lit(", ")
            + pl.concat_str([_quoted(pl.col(c).cast(pl.Utf8))
                             for c in ("gen", "con", "dut", "cal")], separator=", ")
            + pl.lit(f', "{period}", "HS2"]'))
        size += _write(month_dir / f"{prefix}COMM_LVL=HS2.json",
                       _answer(TOTAL_HEADER, rows.to_series().to_list()), mtime)
        files += 1

    exports = gen.exports(period, rng).join(lines.select("hs10", "ldesc"), on="hs10")
    world_x = exports.group_by("hs10", "chapter", "unit", "ldesc").agg(
        pl.col("val", "qty").sum()).with_columns(
        pl.lit(WORLD[0]).alias("cty_code"), pl.lit(WORLD[1]).alias("name_json"))
    export_dir = out / "census" / "exports_hs" / period
    if export_dir.exists():
        shutil.rmtree(export_dir)
    export_dir.mkdir(parents=True)
    for frame, prefix in ((exports, ""), (world_x, "CTY_CODE=ALL_")):
        encoded = frame.sort("hs10", "cty_code").select("chapter", (
            pl.lit("[") + _quoted(pl.col("hs10")) + pl.lit(", ") + _quoted(pl.col("ldesc"))
            + pl.lit(", ") + _quoted(pl.col("cty_code")) + pl.lit(", ")
            + _quoted(pl.col("name_json")) + pl.lit(", ") + _quoted(pl.col("val").cast(pl.Utf8))
            + pl.lit(", ") + _quoted(pl.col("qty").cast(pl.Utf8)) + pl.lit(", ")
            + _quoted(pl.col("unit")) + pl.lit(f', "{period}", "HS10"]')).alias("row"))
        for (chapter,), part in encoded.group_by("chapter", maintain_order=True):
            size += _write(export_dir / f"{prefix}I_COMMODITY={chapter}.json",
                           _answer(EXPORT_HEADER, part["row"].to_list()), mtime)
            files += 1
    return {"period": period, "import_rows": imports.height + world.height,
            "export_rows": exports.height + world_x.height, "files": files, "bytes": size}


def write_other_sources(out: Path) -> list[str]:
    """The sources the benchmark does not scale (Federal Register, FRED, Japan's statistics),
    copied from the offline sample so that the main command runs end to end on the snapshot."""
    from pipelines.sample.generate import generate as generate_sample

    copied = []
    with tempfile.TemporaryDirectory(prefix="bench-sample-") as tmp:
        sample = Path(tmp) / "sample"
        generate_sample(sample)
        for child in sorted(sample.iterdir()):
            if child.is_dir() and child.name not in ("hts", "census"):
                shutil.rmtree(out / child.name, ignore_errors=True)
                shutil.copytree(child, out / child.name)
                copied.append(child.name)
        # invented values on a real structure: the snapshot stays labelled synthetic
        shutil.copy2(sample / SYNTHETIC_MARKER, out / SYNTHETIC_MARKER)
    return copied


def generate(out: Path, scale: float = 1.0, months: int = 12, start: str = "2024-01",
             shared: Path | None = None, log=print) -> dict:
    """Write the snapshot; returns its figures (rows per month, sizes, structure used)."""
    started = time.perf_counter()
    shared = shared or default_shared()
    structure = real_structure(shared) or synthetic_structure()
    pairs = scaled(structure, scale)
    lines = _line_table(pairs, shared)
    gen = Generator(pairs, lines.select("hs10", "unit", "unit_value"), scale)
    out.mkdir(parents=True, exist_ok=True)
    hts = write_hts(out, shared)
    others = write_other_sources(out)
    log(f"scale {scale}: {pairs.height:,} line x partner pairs "
        f"({pairs['cty_code'].n_unique()} partners, {pairs['hs10'].n_unique():,} lines) from the "
        f"{structure.source}; HTS: {hts}; from the offline sample: {', '.join(others)}")
    per_month = []
    for period in months_from(start, months):
        figures = write_month(gen, lines, out, period)
        per_month.append(figures)
        log(f"  {period}: {figures['import_rows']:,} import rows, {figures['export_rows']:,} "
            f"export rows, {figures['files']} files, {figures['bytes'] / 1e6:,.0f} MB")
    return {
        "scale": scale, "months": months, "structure": structure.source, "hts": hts,
        "pairs": pairs.height, "partners": pairs["cty_code"].n_unique(),
        "import_rows": sum(m["import_rows"] for m in per_month),
        "export_rows": sum(m["export_rows"] for m in per_month),
        "bytes": sum(m["bytes"] for m in per_month),
        "seconds": round(time.perf_counter() - started, 1),
    }


def add_month(out: Path, period: str, scale: float = 1.0, shared: Path | None = None) -> dict:
    """Write one more month into an existing snapshot (the same structure and seed)."""
    shared = shared or default_shared()
    structure = real_structure(shared) or synthetic_structure()
    pairs = scaled(structure, scale)
    lines = _line_table(pairs, shared)
    gen = Generator(pairs, lines.select("hs10", "unit", "unit_value"), scale)
    return write_month(gen, lines, out, period)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--scale", type=float, default=1.0, help="0.25, 1, 2 or 4")
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--start", default="2024-01")
    parser.add_argument("--shared", type=Path, default=None)
    args = parser.parse_args()
    print(json.dumps(generate(args.out, args.scale, args.months, args.start, args.shared),
                     indent=2))


if __name__ == "__main__":
    main()
