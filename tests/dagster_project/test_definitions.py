"""The Dagster graph: every source, the contract's marts, publish and dashboards, one job, the nightly schedule.

A snapshot of the asset keys that matter, so the graph cannot lose a piece by accident.
"""

from __future__ import annotations

import dagster as dg

from dagster_project.definitions import PIPELINE_JOB_NAME, defs


def _keys() -> set[str]:
    return {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}


def test_asset_graph_has_every_stage() -> None:
    keys = _keys()
    for source in ("calls", "agent_states", "schedules", "roster", "ledger", "qa_evaluations"):
        assert f"raw/{source}" in keys
        assert f"staging/stg_{source}" in keys
    assert {"marts/kpi_service_daily", "marts/kpi_agent_daily", "analyst_warehouse", "dashboards"} <= keys


def test_marts_feed_publish_and_dashboards_depend_on_it() -> None:
    graph = defs.resolve_asset_graph()
    publish_parents = graph.get(dg.AssetKey("analyst_warehouse")).parent_keys
    assert dg.AssetKey(["marts", "kpi_service_daily"]) in publish_parents
    assert graph.get(dg.AssetKey("dashboards")).parent_keys == {dg.AssetKey("analyst_warehouse")}
    # forecasts are made after dbt (from its interval demand) and published with the marts
    forecasts = dg.AssetKey(["ops", "interval_forecasts"])
    assert forecasts in publish_parents
    assert dg.AssetKey(["intermediate", "int_queue_interval_demand"]) in graph.get(forecasts).parent_keys
    # dbt sources are the ingest assets, not separate external assets
    assert dg.AssetKey(["raw", "calls"]) in graph.get(dg.AssetKey(["staging", "stg_calls"])).parent_keys


def test_job_and_nightly_schedule() -> None:
    job = defs.resolve_job_def(PIPELINE_JOB_NAME)
    assert job is not None
    schedule = defs.resolve_schedule_def("tilsyn_nightly")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "Europe/Oslo"


def test_dbt_tests_are_one_check_per_domain_not_an_asset_check_each() -> None:
    """dbt tests are no Dagster asset checks (each one cost an event when a run is created, DECISIONLOG 2026-12-06
    "One asset check per domain"): their outcome shows as one check per domain on the analyst warehouse, for every
    domain of the dbt models and of the forecast and plan steps, never blocking (publish has run when they report)."""
    import json

    from dagster_project.assets import analyst_warehouse, tilsyn_dbt_models
    from dagster_project.dbt_project import MANIFEST_PATH

    checks = defs.resolve_asset_graph().asset_check_keys
    assert [check for check in checks if check.asset_key in tilsyn_dbt_models.keys] == []
    assert any(key == dg.AssetKey(["staging", "stg_calls"]) for key in tilsyn_dbt_models.keys)
    manifest = json.loads(MANIFEST_PATH.read_text())
    domains = {
        node["config"]["meta"]["domain"] for node in manifest["nodes"].values() if node["resource_type"] == "model"
    }
    assert {"service", "agent", "people"} <= domains
    on_warehouse = {check.name for check in checks if check.asset_key == dg.AssetKey("analyst_warehouse")}
    assert on_warehouse == {f"domain_{d}" for d in domains | {"forecast", "staffing_plan"}}
    specs = list(analyst_warehouse.check_specs)
    assert specs and not any(spec.blocking for spec in specs)


def test_landing_sensor_ticks_on_the_interval_asked_for() -> None:
    """Dagster's daemon wakes every 5 s and ticks a sensor once `minimum_interval_seconds` have passed: asked for 5 s,
    the sensor gets 4 (a wake-up a few ms early still ticks), so it looks every 5 s, not every 5 or 10."""
    from dagster_project.sensors import build_landing_sensor

    job = defs.resolve_job_def("tilsyn_pipeline")
    assert defs.resolve_sensor_def("tilsyn_landing_sensor").minimum_interval_seconds == 4  # the default, 5 s
    for asked, given in ((5, 4), (60, 59), (1, 1)):
        assert build_landing_sensor(job, lambda _c: None, asked).minimum_interval_seconds == given


def test_landing_sensor_launches_one_run_per_batch(tmp_path, monkeypatch) -> None:
    """Two files dropped together -> one run; the same folder again -> skip; one more file -> one more run."""
    from dagster_project.assets import TilsynSettings
    from dagster_project.definitions import build_definitions

    landing = tmp_path / "landing"
    (landing / "calls").mkdir(parents=True)
    local_defs = build_definitions(TilsynSettings(landing_dir=str(landing)))
    sensor = local_defs.resolve_sensor_def("tilsyn_landing_sensor")
    with dg.instance_for_test() as instance:
        first = sensor(dg.build_sensor_context(instance=instance, cursor=None))
        assert isinstance(first, dg.RunRequest)  # an empty folder is a (trivial) new state: one run
        (landing / "calls" / "a.csv").write_text("x")
        (landing / "calls" / "b.csv").write_text("y")
        batch = sensor(dg.build_sensor_context(instance=instance, cursor=first.run_key.removeprefix("landing-")))
        assert isinstance(batch, dg.RunRequest)
        assert batch.tags["tilsyn/files"] == "2"
        again = sensor(dg.build_sensor_context(instance=instance, cursor=batch.run_key.removeprefix("landing-")))
        assert isinstance(again, dg.SkipReason)
        (landing / "calls" / "c.csv").write_text("z")
        more = sensor(dg.build_sensor_context(instance=instance, cursor=batch.run_key.removeprefix("landing-")))
        assert isinstance(more, dg.RunRequest) and more.run_key != batch.run_key


def test_dbt_resource_skips_the_version_run_and_the_adapter() -> None:
    """TilsynDbtCliResource overrides two private methods of dagster-dbt's DbtCliResource (a `dbt --version` run and
    an in-process adapter per build): `cli()` must still call them by these names, or an upgrade would silently bring
    the cost back; and the version it reports must be what the dbt executable itself prints."""
    import inspect
    import subprocess

    from dagster_dbt import DbtCliResource

    from dagster_project.assets import TilsynDbtCliResource
    from dagster_project.dbt_project import DBT_EXECUTABLE

    calls = inspect.getsource(DbtCliResource.cli)
    assert "self._cli_version" in calls and "self._initialize_dbt_core_adapter(" in calls
    resource = defs.resources["dbt"]
    assert isinstance(resource, TilsynDbtCliResource)
    # `dbt --version` prints "Core:\n  - installed: 1.11.16\n  - latest: ..." (the latest asked of the internet)
    printed = subprocess.run([DBT_EXECUTABLE, "--version"], capture_output=True, text=True, check=True).stdout
    assert f"installed: {resource._cli_version}\n" in printed
    assert resource._initialize_dbt_core_adapter(["build"]) is None


def test_definitions_load_without_dbt_core_modules() -> None:
    """dagster_project/dbt_core_imports.py: a process loading the definitions (`tilsyn run`, a sensor's run) imports
    none of dbt-core's modules (1.2-1.6 CPU s each time), and the copies of dbt's statuses and node types dagster-dbt
    then uses hold dbt-core's values (a status dbt-core adds in an upgrade fails here)."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    from dbt.contracts.results import NodeStatus, TestStatus
    from dbt.node_types import REFABLE_NODE_TYPES, NodeType

    code = (
        "import json, sys, dagster_project.definitions\n"
        "from dagster_dbt import compat\n"
        "print(json.dumps({'dbt_modules': sorted(m for m in sys.modules if m.startswith('dbt.')),\n"
        "  'version': str(compat.DBT_PYTHON_VERSION), 'refable': list(compat.REFABLE_NODE_TYPES),\n"
        "  **{e.__name__: {m.name: m.value for m in e}\n"
        "     for e in (compat.NodeStatus, compat.TestStatus, compat.NodeType)}}))"
    )
    repo = Path(__file__).resolve().parents[2]
    loaded = json.loads(subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True).stdout)
    assert loaded["dbt_modules"] == [] and loaded["version"] == "None"
    assert {s.value for s in NodeStatus} <= set(loaded["NodeStatus"].values())
    assert {s.value for s in TestStatus} == set(loaded["TestStatus"].values())
    # dagster-dbt names NodeType.Test and .Snapshot; dbt 1.11's `function` (UDFs) is not in its copy, nor used here
    used = {name: NodeType[name].value for name in ("Model", "Seed", "Snapshot", "Source", "Test")}
    assert used.items() <= loaded["NodeType"].items()
    assert [t.value for t in REFABLE_NODE_TYPES] == loaded["refable"]
