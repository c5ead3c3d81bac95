"""The dependencies: every package the code imports is declared in pyproject.toml, and every
declared package is pinned in constraints.txt (what make setup and CI install from)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _declared() -> dict[str, set[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    groups = {"main": {_name(r) for r in project["dependencies"]}}
    for extra, requirements in project["optional-dependencies"].items():
        groups[extra] = {_name(r) for r in requirements}
    return groups


def _imported(folder: str) -> set[str]:
    modules = set()
    for path in (ROOT / folder).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                modules.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    return {m for m in modules if m not in sys.stdlib_module_names
            and m not in {"pipelines", "tests", "benchmarks"}}


def _distributions(modules: set[str]) -> dict[str, set[str]]:
    owners = packages_distributions()
    return {m: {d.lower().replace("_", "-") for d in owners.get(m, [])} for m in modules}


def test_every_package_the_code_imports_is_declared():
    declared = _declared()
    checks = {"pipelines": declared["main"],
              "tests": declared["main"] | declared["dev"] | declared["postgres"],
              "benchmarks": declared["main"] | declared["dev"]}
    undeclared = []
    for folder, allowed in checks.items():
        for module, distributions in sorted(_distributions(_imported(folder)).items()):
            if not distributions & allowed:
                undeclared.append(f"{folder}/ imports {module} "
                                  f"(distribution {sorted(distributions) or 'unknown'})")
    assert not undeclared, "imported but not declared in pyproject.toml:\n" + "\n".join(undeclared)


def test_every_declared_package_is_pinned_in_the_constraints():
    pinned = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not name==version"
            pinned[_name(name)] = version
    declared = set().union(*_declared().values())
    missing = sorted(declared - set(pinned))
    assert not missing, f"declared in pyproject.toml but not pinned in constraints.txt " \
                        f"(run make lock): {missing}"
