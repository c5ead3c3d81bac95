"""The stages of `make run` are the jobs of the code location resolved against its asset graph:
every asset in exactly one stage, no stage reading what a later one builds, and a new mart in
the marts' stage with no list to edit."""

import dagster as dg

from pipelines import stages
from pipelines.definitions import defs

# in the order run_all runs them
ORDER = (stages.REFERENCE, stages.SCHEDULE, stages.TRADE, stages.JAPAN,
         stages.MARTS + stages.PUBLISH, stages.REPORT)


def test_every_asset_is_in_exactly_one_stage():
    staged = [key for stage in ORDER for key in stage]
    assert len(staged) == len(set(staged))
    assert set(staged) == {key.to_user_string() for key in stages.GRAPH.get_all_asset_keys()}
    assert set(stages.LEDGER) | set(stages.FEDERAL_REGISTER) < set(stages.REFERENCE)
    assert "marts/ledger_discrepancies" in stages.REFERENCE  # the Federal Register's check
    assert stages.PUBLISH_STEP == "published__warehouse"


def test_no_stage_reads_what_a_later_stage_builds():
    built: set[str] = set()
    for stage in ORDER:
        built |= set(stage)
        for key in stage:
            parents = {parent.to_user_string() for parent
                       in stages.GRAPH.get(dg.AssetKey.from_user_string(key)).parent_keys}
            assert parents <= built, (key, parents - built)


def test_a_new_mart_joins_the_marts_stage():
    @dg.asset(key=["marts", "throwaway"], deps=[dg.AssetKey(["staging", "imports_monthly"])],
              group_name="indicators")
    def throwaway() -> None:
        """A mart no list names."""

    graph = dg.Definitions(assets=[*defs.assets, throwaway], jobs=defs.jobs,
                           resources=defs.resources).resolve_asset_graph()
    assert stages.selected(stages.MARTS_SELECTION, graph) == sorted(
        [*stages.MARTS, "marts/throwaway"])
    assert "staging.imports_monthly" in stages.mart_inputs()
