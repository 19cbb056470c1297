"""How the job behaves unattended: our checks are wired, a failed reconciliation blocks its domain only, transient
errors retry."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import dagster as dg
import duckdb

from dagster_project.assets import (
    TilsynSettings,
    analyst_warehouse,
    dashboards,
    ingest_landing,
    reconciliation,
    tilsyn_dbt_models,
)
from dagster_project.definitions import defs
from tests.ingest.ingest_fixtures import query


def test_freshness_per_source_and_a_reconciliation_before_publish() -> None:
    checks = {(key.asset_key.to_user_string(), key.name) for key in defs.resolve_asset_graph().asset_check_keys}
    for source in ("calls", "agent_states", "schedules", "roster", "ledger", "qa_evaluations"):
        assert (f"raw/{source}", "freshness") in checks
    assert ("ops/reconciliation", "reconciliation") in checks
    # publish waits for it (it marks the domains it concerns stale before publish reads the statuses)
    graph = defs.resolve_asset_graph()
    assert dg.AssetKey(["ops", "reconciliation"]) in graph.get(analyst_warehouse.key).parent_keys


def test_steps_that_can_meet_a_transient_error_retry() -> None:
    for assets in (ingest_landing, tilsyn_dbt_models, analyst_warehouse, dashboards):
        policy = assets.op.retry_policy
        assert policy is not None and policy.max_retries == 2, assets.op.name


def _pipeline_db(tmp_path: Path, landed: int, in_raw: int, offered: int, people: int) -> None:
    """A pipeline database after a build: `landed` calls rows in the manifest, `in_raw` in raw, a service mart and a
    people mart, both domains fresh (as the dbt step records them)."""
    con = duckdb.connect(str(tmp_path / "warehouse.pipeline.duckdb"))
    con.execute("create schema if not exists ops; create schema if not exists raw; create schema if not exists marts")
    con.execute(
        f"create or replace table ops.loaded_files as select 'calls' as source, {landed} as rows, now() as loaded_at, "
        "'ab12' as sha256, 1 as file_seq"
    )
    con.execute(
        f"create or replace table raw.calls as select 'L' || i as leg_id, 1 as _file_seq from range({in_raw}) t(i)"
    )
    con.execute(
        f"create or replace table marts.kpi_service_daily as select current_date as local_date, {offered} as offered"
    )
    con.execute(f"create or replace table marts.kpi_people_monthly as select {people} as headcount")
    con.execute("drop table if exists ops.reconciliations")
    con.close()
    from dagster_project.domains import DomainStatus, record_domain_statuses

    built = datetime(2026, 12, 6, 1, 0)
    record_domain_statuses(
        tmp_path / "warehouse.pipeline.duckdb",
        "run",
        [
            DomainStatus("people", [], ["marts.kpi_people_monthly"], "fresh", built, None, ""),
            DomainStatus("service", [], ["marts.kpi_service_daily"], "fresh", built, None, ""),
            DomainStatus("staffing", ["service"], [], "fresh", built, None, ""),
        ],
    )


def _materialize(tmp_path: Path) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [reconciliation, analyst_warehouse],
        selection=dg.AssetSelection.assets(reconciliation, analyst_warehouse),
        resources={
            "tilsyn": TilsynSettings(warehouse_path=str(tmp_path / "warehouse.duckdb"), landing_dir=str(tmp_path))
        },
        raise_on_error=False,
    )


def test_a_failed_reconciliation_blocks_its_domain_only(tmp_path: Path) -> None:
    """First run: 3 calls landed, 3 in raw, offered 3: the check passes and everything publishes. Second run: 4 landed
    but 3 in raw (a defect: a row lost between the layers), offered 9, headcount 2: the check fails (an error), service
    and staffing (built from service) are stale and keep the first run's numbers; people publishes its new headcount."""
    warehouse = tmp_path / "warehouse.duckdb"
    _pipeline_db(tmp_path, landed=3, in_raw=3, offered=3, people=1)
    first = _materialize(tmp_path)
    assert first.success
    first_checks = {e.check_name: e for e in first.get_asset_check_evaluations()}
    assert first_checks.pop("reconciliation").passed
    assert all(e.passed for e in first_checks.values()), first_checks  # one per domain on the analyst warehouse
    assert {"domain_service", "domain_people", "domain_forecast"} <= first_checks.keys()
    assert query(warehouse, "select offered from marts.kpi_service_daily") == [(3,)]

    _pipeline_db(tmp_path, landed=4, in_raw=3, offered=9, people=2)
    second = _materialize(tmp_path)
    assert second.success
    second_checks = {e.check_name: e for e in second.get_asset_check_evaluations()}
    evaluation = second_checks["reconciliation"]
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
    # the operator's view: a failed check per stale domain, naming what failed; the others pass
    assert {name for name, e in second_checks.items() if not e.passed} == {
        "reconciliation",
        "domain_service",
        "domain_staffing",
    }
    service = second_checks["domain_service"]
    assert service.severity == dg.AssetCheckSeverity.ERROR
    assert service.metadata["failing_nodes"].value == "reconciliation"
    assert "calls: rows in landed files vs raw.calls: 4 vs 3" in service.description
    assert "calls: rows in landed files vs raw.calls: 4 vs 3" in service.metadata["sample_rows"].value
    assert query(warehouse, "select offered from marts.kpi_service_daily") == [(3,)]  # the last good version
    assert query(warehouse, "select headcount from marts.kpi_people_monthly") == [(2,)]  # published
    statuses = {
        d: (status, reason)
        for d, status, reason in query(warehouse, "select domain, status, reason from ops.domain_status")
    }
    assert statuses["people"][0] == "fresh"
    assert statuses["service"][0] == statuses["staffing"][0] == "stale"
    assert "calls: rows in landed files vs raw.calls: 4 vs 3" in statuses["service"][1]
    assert "defect" in statuses["service"][1] and "built from service" in statuses["staffing"][1]
