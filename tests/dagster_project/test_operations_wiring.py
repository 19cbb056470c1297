"""How the job behaves unattended: our checks are wired, reconciliation blocks publishing, transient errors retry."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_project.assets import (
    TilsynSettings,
    analyst_warehouse,
    dashboards,
    ingest_landing,
    reconciliation,
    tilsyn_dbt_models,
)
from dagster_project.definitions import defs


def test_freshness_per_source_and_a_blocking_reconciliation() -> None:
    checks = {(key.asset_key.to_user_string(), key.name) for key in defs.resolve_asset_graph().asset_check_keys}
    for source in ("calls", "agent_states", "schedules", "roster", "ledger", "qa_evaluations"):
        assert (f"raw/{source}", "freshness") in checks
    assert ("marts/kpi_service_daily", "reconciliation") in checks
    spec = next(iter(reconciliation.check_specs))
    assert spec.blocking


def test_steps_that_can_meet_a_transient_error_retry() -> None:
    for assets in (ingest_landing, tilsyn_dbt_models, analyst_warehouse, dashboards):
        policy = assets.op.retry_policy
        assert policy is not None and policy.max_retries == 2, assets.op.name


@pytest.mark.parametrize(("raw_rows", "published"), [(3, True), (1, False)])
def test_publishing_waits_for_reconciliation(tmp_path: Path, raw_rows: int, published: bool) -> None:
    """3 rows landed: 3 in raw passes and publishes; 1 in raw fails the check and the warehouse is not written."""
    warehouse = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(tmp_path / "warehouse.pipeline.duckdb"))
    con.execute("create schema ops; create schema raw; create schema marts")
    con.execute(
        "create table ops.loaded_files as select 'calls' as source, 3 as rows, now() as loaded_at, 'ab12' as sha256"
    )
    con.execute(f"create table raw.calls as select 'L' || i as leg_id from range({raw_rows}) t(i)")
    con.execute("create table marts.kpi_service_daily as select current_date as local_date, 1 as offered")
    con.close()
    result = dg.materialize(
        [reconciliation, analyst_warehouse],
        selection=dg.AssetSelection.assets(analyst_warehouse) | dg.AssetSelection.checks(reconciliation),
        resources={"tilsyn": TilsynSettings(warehouse_path=str(warehouse), landing_dir=str(tmp_path))},
        raise_on_error=False,
    )
    assert [e.passed for e in result.get_asset_check_evaluations()] == [published]
    assert warehouse.exists() == published
