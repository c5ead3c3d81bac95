"""Reading the ledger's YAML files: every error (:class:`LedgerError`) names the file and the
entry at fault."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from pipelines.lib.paths import ledger_dir
from pipelines.lib.rules.ledger.schema import Instrument, Ledger, Sectors


class LedgerError(ValueError):
    """The ledger is invalid; the message names the file and the entry."""


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """YAML's safe loader (libyaml's when PyYAML has it: the ledger is read by every step),
    except that a date that does not exist (2025-02-30) stays text, so validation names the
    file, the entry and the field instead of PyYAML failing with a bare 'day is out of range
    for month'."""


def _timestamp_or_text(loader: _Loader, node: yaml.ScalarNode):
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


def read_yaml(path: Path) -> dict:
    """The content of a ledger YAML file; a file that cannot be read or parsed is a
    :class:`LedgerError` naming it."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506
    except (OSError, yaml.YAMLError) as exc:
        raise LedgerError(f"ledger file {path}: {exc}") from None


def load_ledger(directory: Path | None = None) -> Ledger:
    """Read and validate the ledger in ``directory`` (default :func:`ledger_dir`);
    ``LedgerError`` names the file and the entry."""
    directory = directory or ledger_dir()
    files = {"instruments": "instruments.yaml", "law": "regimes_japan.yaml",
             "agreement": "agreement_japan.yaml", "categories": "categories.yaml",
             "audit": "audit.yaml", "provisions": "provisions.yaml",
             "chapter99": "chapter99.yaml", "product_lists": "product_lists.yaml"}
    parts = {}
    for key, name in files.items():
        data = read_yaml(directory / name)
        if key == "instruments":
            if not isinstance(data, dict) or "instruments" not in data or "as_of" not in data:
                raise LedgerError(f"ledger file {directory / name}: expected the keys as_of "
                                  "(when the facts were last checked) and instruments")
            parts["as_of"] = data["as_of"]
        parts[key] = data["instruments"] if key == "instruments" else data
        try:
            # Validate file by file first so the error names the file at fault.
            if key == "instruments":
                first: dict[str, int] = {}
                for i, item in enumerate(parts[key]):
                    try:
                        instrument = Instrument.model_validate(item)
                    except ValidationError as exc:
                        raise LedgerError(f"ledger file {directory / name}: "
                                          f"{explain(exc, data, ('instruments', i))}") from None
                    if instrument.id in first:
                        raise LedgerError(
                            f"ledger file {directory / name}: instruments.{i}: duplicate "
                            f"instrument id {instrument.id!r} (entry instruments."
                            f"{first[instrument.id]} has it too): give each instrument its own "
                            "id, or merge the two entries")
                    first[instrument.id] = i
            else:
                Ledger.model_fields[key].annotation.model_validate(parts[key])
        except ValidationError as exc:
            raise LedgerError(f"ledger file {directory / name}: {explain(exc, data)}") from None
    try:
        return Ledger.model_validate(parts)
    except ValidationError as exc:
        raise LedgerError(f"ledger in {directory}: {explain(exc)}") from None


def explain(exc: ValidationError, data: object = None, prefix: tuple = ()) -> str:
    """``<path>: <message>`` of the first error, naming the entry (its ``id`` or ``name``) and
    the value at fault when the path leads into ``data``."""
    first = exc.errors()[0]
    loc = (*prefix, *first["loc"])
    where = ".".join(str(p) for p in loc)
    entry, node = None, data
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            break
        if isinstance(node, dict) and isinstance(node.get("id") or node.get("name"), str):
            entry = node.get("id") or node.get("name")
    named = f" (entry {entry!r})" if entry else ""
    value = first.get("input")
    shown = f" (value {value!r})" if isinstance(value, str | int | float) else ""
    return (f"{where}{named}: {first['msg']}{shown}" if where else first["msg"])


@cache
def ledger() -> Ledger:
    """The project's validated ledger (cached)."""
    return load_ledger()


def sectors(path: Path | None = None) -> Sectors:
    """The validated sector ledger of ``marts.effective_rates_monthly``."""
    path = path or ledger_dir() / "sectors.yaml"
    try:
        return Sectors.model_validate(read_yaml(path))
    except ValidationError as exc:
        raise LedgerError(f"ledger file {path}: {explain(exc)}") from None
