"""The asset graph as a checked-in snapshot: every asset's key, dependencies, group, checks and
whether it has a code version. A change to any of them is a failing diff to read and accept
(``UPDATE_SNAPSHOTS=1`` rewrites the file), so a mart whose declaration drifted, a dependency
lost or a check renamed never passes unnoticed."""

import difflib
import os
from pathlib import Path

from pipelines.definitions import defs

SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_graph.txt"


def render() -> str:
    graph = defs.resolve_asset_graph()
    lines = []
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        checks = sorted(graph.get_check_keys_for_assets([key]), key=lambda c: c.name)
        lines += [key.to_user_string(),
                  f"  group: {node.group_name}",
                  "  deps: " + ", ".join(sorted(p.to_user_string() for p in node.parent_keys)),
                  f"  code_version: {'yes' if node.code_version else 'no'}",
                  "  checks: " + ", ".join(
                      c.name + (" (blocking)" if graph.get_check_spec(c).blocking else "")
                      for c in checks)]
    return "\n".join(lines) + "\n"


def test_the_asset_graph_matches_its_snapshot():
    current = render()
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(current, encoding="utf-8")
    expected = SNAPSHOT.read_text(encoding="utf-8") if SNAPSHOT.exists() else ""
    diff = "".join(difflib.unified_diff(expected.splitlines(keepends=True),
                                        current.splitlines(keepends=True),
                                        str(SNAPSHOT.relative_to(Path.cwd())
                                            if SNAPSHOT.is_relative_to(Path.cwd())
                                            else SNAPSHOT), "the code"))
    assert not diff, ("the asset graph differs from its snapshot; if the change is meant, "
                      "accept it with UPDATE_SNAPSHOTS=1 and commit the file:\n" + diff)
