"""Every mart's asset, made from its SQL file's header (``pipelines.lib.marts``).

The header gives the key (``marts.<file name>``), the description, the group and the
dependencies (``-- reads:``); the contracts give the checks (``expectations/``,
``sql/checks/``). A mart whose build is more than its SQL (parameters from the ledger, months
recomputed incrementally, Python) registers a builder under its name with :func:`builder`;
any other mart is its file's ``insert`` statement, rebuilt whole when a table it reads changed
(:func:`rebuild_when_inputs_change`). So adding a mart is its SQL file and its suite.

Each asset's ``code_version`` digests its SQL file(s), its builder's module (and the modules
and ledger files the builder names): the incremental fingerprints use it, so editing one mart
recomputes that mart only.
"""

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines import defs
from pipelines.defs.metadata import table_result
from pipelines.defs.quality.checks import guard, specs
from pipelines.lib import incremental
from pipelines.lib.marts import Mart, declared_marts
from pipelines.lib.paths import LEDGER_DIR
from pipelines.lib.warehouse.partitions import rebuild_table
from pipelines.lib.warehouse.transactions import transaction

COMMON = dict(kinds={"duckdb"}, pool="duckdb")


@dataclass(frozen=True)
class Step:
    """What a builder is given: the mart's declaration and its code version."""

    mart: Mart
    code_version: str

    @property
    def name(self) -> str:
        return self.mart.name

    @property
    def table(self) -> str:
        return self.mart.table

    def rebuild_if_changed(self, con, build: Callable[[], object],
                           params: dict | None = None) -> bool:
        """Run ``build`` unless the declared inputs, ``params``, the code version and the
        ledger are as they were when the mart was last built (``incremental``)."""
        return incremental.rebuild_if_changed(con, f"marts/{self.name}", self.mart.inputs,
                                              build, params, code_version=self.code_version)

    def refresh_months(self, con, salt: str = "", params: dict | None = None) -> list:
        """Recompute the months whose inputs changed (``incremental.refresh_months``)."""
        return incremental.refresh_months(con, f"marts/{self.name}", salt, params,
                                          code_version=self.code_version)


@dataclass(frozen=True)
class Builder:
    names: tuple[str, ...]
    function: Callable
    step: bool  # the function is the whole step (several tables, its own transactions)
    files: tuple[Path, ...]  # besides the SQL: what its code version digests


_BUILDERS: dict[str, Builder] = {}


def builder(*names: str, code: tuple[ModuleType, ...] = (), ledger: tuple[str, ...] = (),
            step: bool = False):
    """Register the function building the marts ``names``.

    By default it is called as ``build(context, con, step) -> dict | None`` inside the mart's
    transaction, before its contracts are evaluated; what it returns is added to the
    materialization's metadata. With ``step=True`` it is the whole step,
    ``build(context, warehouse, steps)`` yielding its results (several marts in one step, or
    contracts evaluated after a commit). ``code`` are the modules whose code it runs (its own
    module is always counted) and ``ledger`` the bundled ledger files it reads
    (``audit.yaml``): both are part of the marts' code version. (The fingerprint of a build
    also carries every file of the ledger in use, ``incremental.ledger_digest``.)"""
    def register(function: Callable) -> Callable:
        modules = {inspect.getmodule(function), *code}
        files = tuple(Path(inspect.getfile(m)) for m in modules)
        missing = [f for f in ledger if not (LEDGER_DIR / f).is_file()]
        if missing:
            raise ValueError(f"the builder of {names} names ledger files that do not exist in "
                             f"{LEDGER_DIR}: {missing}")
        entry = Builder(names, function, step, files + tuple(LEDGER_DIR / f for f in ledger))
        for name in names:
            if name in _BUILDERS:
                raise ValueError(f"mart {name!r} has two builders")
            _BUILDERS[name] = entry
        return function
    return register


def rebuild_when_inputs_change(context: dg.AssetExecutionContext, con, step: Step) -> None:
    """The build of a mart that is its SQL: its ``insert`` statement replaces every row, when a
    table it reads (or its code, or the ledger) changed since it was last built."""
    if not step.rebuild_if_changed(con, lambda: rebuild_table(con, f"marts/{step.name}")):
        context.log.info(f"{step.table}: inputs unchanged since it was built; kept")


def _run_one(function: Callable, step: Step):
    def compute(context: dg.AssetExecutionContext, warehouse: DuckDBResource):
        with warehouse.get_connection() as con:
            with transaction(con):
                extra = function(context, con, step)
                checks = yield from guard(con, step.table)
            yield table_result(con, step.table, step.mart.preview_where,
                               order_by=step.mart.preview_order, extra=extra,
                               check_results=checks)
    compute.__doc__ = step.mart.description
    return compute


def _spec_args(step: Step) -> dict:
    return dict(deps=[dg.AssetKey(t.split(".")) for t in step.mart.tables],
                group_name=step.mart.group, description=step.mart.description,
                code_version=step.code_version, **COMMON)


@cache
def _steps(root: Path | None = None) -> dict[str, tuple[Step, Builder | None]]:
    """Every mart declared in ``root`` (default ``sql/``) with its builder, if it has one."""
    # the builders register themselves wherever they are in pipelines.defs
    for module in pkgutil.walk_packages(defs.__path__, f"{defs.__name__}."):
        importlib.import_module(module.name)
    marts = declared_marts(root)
    unknown = sorted(set(_BUILDERS) - set(marts))
    if unknown:
        raise ValueError(f"builders registered for marts without a sql/marts file: {unknown}")
    out = {}
    for name, mart in marts.items():
        entry = _BUILDERS.get(name)
        files = entry.files if entry else (Path(__file__),)
        out[name] = (Step(mart, mart.code_version(*files)), entry)
    return out


def mart_assets() -> list[dg.AssetsDefinition]:
    """One asset per file of ``sql/marts/``; a step builder of several marts makes one
    multi-asset."""
    steps = _steps()
    assets, done = [], set()
    for name, (step, entry) in steps.items():
        if name in done:
            continue
        if entry is not None and entry.step:
            group = [steps[n][0] for n in entry.names]
            done.update(entry.names)
            assets.append(_step_asset(entry, group))
            continue
        function = entry.function if entry else rebuild_when_inputs_change
        assets.append(dg.asset(key=["marts", name], check_specs=specs(step.table),
                               **_spec_args(step))(_run_one(function, step)))
    return assets


def _step_asset(entry: Builder, group: list[Step]) -> dg.AssetsDefinition:
    def compute(context: dg.AssetExecutionContext, warehouse: DuckDBResource) -> Iterator:
        yield from entry.function(context, warehouse, group)
    compute.__doc__ = entry.function.__doc__
    if len(group) == 1:
        return dg.asset(key=["marts", group[0].name], check_specs=specs(group[0].table),
                        **_spec_args(group[0]))(compute)
    return dg.multi_asset(
        name=entry.function.__name__,
        specs=[dg.AssetSpec(["marts", s.name], **{k: v for k, v in _spec_args(s).items()
                                                 if k != "pool"}) for s in group],
        check_specs=[c for s in group for c in specs(s.table)], pool="duckdb")(compute)


def mart_keys() -> list[str]:
    """Every mart as ``marts/<name>``, in an order that builds each after what it reads (the
    CLI's marts stage)."""
    steps = {name: step for name, (step, _) in _steps().items()}
    done: list[str] = []

    def visit(name: str, path: tuple[str, ...] = ()) -> None:
        if name in done:
            return
        if name in path:
            raise ValueError(f"the marts read each other in a cycle: {' -> '.join(path)}")
        for table in steps[name].mart.tables:
            schema, other = table.split(".")
            if schema == "marts" and other in steps:
                visit(other, (*path, name))
        done.append(name)

    for name in steps:
        visit(name)
    return [f"marts/{name}" for name in done]
