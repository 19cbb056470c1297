"""The dashboards' hand-built warehouse (warehouse.py) has the marts' columns, so a renamed or removed mart column
fails a test instead of leaving the dashboard tests green on a table dbt no longer builds. Names are checked here
against the dbt manifest (every mart column is documented in its model's YAML); types against the warehouse a real
run published, in tests/e2e/test_demo_pipeline.py (the YAML declares no types, and a build costs minutes)."""

from __future__ import annotations

import json
from pathlib import Path

from dagster_project.dbt_project import ensure_dbt_manifest
from tests.dashboards.warehouse import build_full_warehouse, table_columns


def _documented_mart_columns() -> dict[str, set[str]]:
    manifest = json.loads(ensure_dbt_manifest().read_text())
    return {
        f"marts.{node['alias'] or node['name']}": set(node["columns"])
        for node in manifest["nodes"].values()
        if node["resource_type"] in ("model", "seed") and node["schema"] == "marts"
    }


def test_every_hand_built_mart_column_is_a_column_dbt_builds(tmp_path: Path) -> None:
    documented = _documented_mart_columns()
    built = table_columns(build_full_warehouse(tmp_path / "dashboards.duckdb"), schemas=("marts",))
    assert len(built) >= 28  # every grain of every family the dashboards read
    unknown = {table: sorted(set(columns) - documented.get(table, set())) for table, columns in built.items()}
    assert {table: columns for table, columns in unknown.items() if columns} == {}


def test_every_column_of_the_hand_built_day_in_progress_is_a_column_dbt_builds(tmp_path: Path) -> None:
    from tests.dashboards.warehouse import build_today_warehouse

    documented = _documented_mart_columns()
    built = table_columns(build_today_warehouse(tmp_path / "today.duckdb"), schemas=("marts",))
    assert {"marts.fct_contact_legs", "marts.fct_agent_state_spans", "marts.fct_schedule_segments"} <= set(built)
    unknown = {table: sorted(set(columns) - documented.get(table, set())) for table, columns in built.items()}
    assert {table: columns for table, columns in unknown.items() if columns} == {}
