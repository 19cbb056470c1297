"""Domains and test kinds, from the dbt project's parsed manifest (no build): every model and seed names its domain
and the domains it reads; every data test names its kind; a failure blocks exactly the domains downstream of it."""

from __future__ import annotations

from datetime import datetime

import pytest

from dagster_project.dbt_project import ensure_dbt_manifest
from dagster_project.domains import DomainStatus, blocked_models, domain_statuses, load_manifest, model_domains
from dagster_project.outcome import (
    EXIT_DEFECT_BLOCKED_DOMAIN,
    EXIT_NOTHING_PUBLISHED,
    EXIT_PUBLISHED,
    EXIT_SOURCE_CONDITIONS,
    RunOutcome,
)
from dagster_project.run_report import FailedNode

BUILT_AT = datetime(2026, 12, 5, 22, 0)
DOMAINS = {
    "service",
    "agent",
    "fcr",
    "quality",
    "people",
    "finance",
    "outbound",
    "cost_per_call",
    "scorecard",
    "staffing",
    "forecast",
    "reference",
}


@pytest.fixture(scope="module")
def manifest() -> dict:
    return load_manifest(ensure_dbt_manifest())


def _ancestors(manifest: dict, unique_id: str) -> set[str]:
    seen, stack = set(), [unique_id]
    while stack:
        for parent in manifest["parent_map"].get(stack.pop(), []):
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen


def test_every_model_names_its_domain_and_the_domains_it_reads(manifest: dict) -> None:
    domains = model_domains(manifest)  # raises for a model without one
    assert {domain for domain, _ in domains.values()} == DOMAINS
    for unique_id, (domain, depends) in domains.items():
        read = {domains[a][0] for a in _ancestors(manifest, unique_id) if a in domains} - {domain}
        assert set(depends) == read, f"{unique_id}: meta.depends_on_domains {depends}, the DAG says {sorted(read)}"
    by_name = {manifest["nodes"][uid]["name"]: d for uid, (d, _) in domains.items()}
    assert by_name["kpi_cost_per_call_monthly"] == "cost_per_call"
    assert by_name["kpi_agent_scorecard_monthly"] == "scorecard"
    assert by_name["kpi_staffing_interval"] == "staffing"


def test_every_data_test_names_its_kind(manifest: dict) -> None:
    tests = [n for n in manifest["nodes"].values() if n["resource_type"] == "test"]
    assert len(tests) > 200
    for test in tests:
        meta = test["config"].get("meta", {})
        assert meta.get("kind") in ("invariant", "source_condition"), test["unique_id"]
        if meta["kind"] == "source_condition":
            assert meta.get("settled_by"), f"{test['unique_id']}: a source condition names the rule settling it"
    # the ledger's one currency is settled in ingest (other currencies quarantined), so its test guards an invariant
    kinds = {n["name"]: n["config"]["meta"]["kind"] for n in tests if n["name"].startswith("equals_center_currency_")}
    assert set(kinds.values()) == {"invariant"}


def _test_id(manifest: dict, prefix: str) -> str:
    (unique_id,) = [
        uid for uid, n in manifest["nodes"].items() if n["resource_type"] == "test" and n["name"].startswith(prefix)
    ]
    return unique_id


def test_a_failed_finance_test_blocks_finance_and_cost_per_call_only(manifest: dict) -> None:
    failing = _test_id(manifest, "equals_center_currency_int_finance_ledger_monthly_currency")
    run_results = {"results": [{"unique_id": failing, "status": "fail"}]}
    blocked = {manifest["nodes"][uid]["name"] for uid in blocked_models(manifest, run_results)}
    assert "int_finance_ledger_monthly" in blocked and "kpi_finance_yearly" in blocked
    assert "kpi_cost_per_call_monthly" in blocked and "stg_ledger" not in blocked
    statuses = domain_statuses(
        manifest, run_results, [FailedNode(failing, "Got 1 result", [("EUR", 12)])], {}, BUILT_AT
    )
    stale = {s.domain: s for s in statuses if s.status == "stale"}
    assert set(stale) == {"finance", "cost_per_call"}
    assert stale["finance"].stale_since == BUILT_AT and stale["finance"].fresh_as_of is None
    assert "last version published before this build" in stale["finance"].reason
    assert "equals_center_currency_int_finance_ledger_monthly_currency" in stale["finance"].reason
    assert "('EUR', 12)" in stale["finance"].sample_rows
    assert "built from finance" in stale["cost_per_call"].reason
    assert "marts.kpi_finance_monthly" in stale["finance"].marts

    # a later build that fails the same way: stale since the first failure, showing the last good build
    previous = {s.domain: s for s in statuses}
    fresh_before = {
        d: s.__class__(**{**s.__dict__, "status": "fresh", "stale_since": None, "fresh_as_of": datetime(2026, 12, 1)})
        for d, s in previous.items()
    }
    later = domain_statuses(manifest, run_results, [], fresh_before, datetime(2026, 12, 6))
    finance = next(s for s in later if s.domain == "finance")
    assert finance.stale_since == datetime(2026, 12, 6) and "2026-12-01 00:00" in finance.reason
    again = domain_statuses(manifest, run_results, [], {s.domain: s for s in later}, datetime(2026, 12, 7))
    assert next(s for s in again if s.domain == "finance").stale_since == datetime(2026, 12, 6)


def test_a_failed_model_blocks_what_is_built_from_it(manifest: dict) -> None:
    (legs,) = [uid for uid, n in manifest["nodes"].items() if n["name"] == "fct_schedule_segments"]
    statuses = domain_statuses(manifest, {"results": [{"unique_id": legs, "status": "error"}]}, [], {}, BUILT_AT)
    stale = {s.domain for s in statuses if s.status == "stale"}
    assert "agent" in stale and "staffing" in stale
    assert not stale & {"service", "finance", "people", "quality", "fcr"}


def test_exit_codes() -> None:
    assert RunOutcome(True).exit_code == EXIT_PUBLISHED == 0
    assert RunOutcome(True, quarantined_rows={"calls": 2}).exit_code == EXIT_SOURCE_CONDITIONS == 1
    assert RunOutcome(True, rejected_files={"calls": 1}).exit_code == EXIT_SOURCE_CONDITIONS
    assert RunOutcome(True, overdue_sources={"ledger": 40.0}).exit_code == EXIT_SOURCE_CONDITIONS
    stale = DomainStatus("finance", [], [], "stale", None, BUILT_AT, "not updated")
    blocked = RunOutcome(True, stale_domains=[stale], quarantined_rows={"calls": 2})
    assert blocked.exit_code == EXIT_DEFECT_BLOCKED_DOMAIN == 3  # a defect outranks quarantined rows
    assert "stale domain      : finance, since 2026-12-05 22:00 UTC" in "\n".join(blocked.lines())
    assert RunOutcome(False, quarantined_rows={"calls": 2}).exit_code == EXIT_NOTHING_PUBLISHED == 4


def test_quarantined_rows_and_rejected_files_of_the_latest_load(tmp_path) -> None:
    """`ops.quarantined_rows` (written by ingest's per-row quarantine) counts when present, by load_id or by file;
    absent, there are none."""
    import duckdb

    from dagster_project.outcome import latest_load_counts

    db = tmp_path / "pipeline.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create schema ops")
    con.execute("create table ops.loads (load_id varchar, started_at timestamp)")
    con.execute("insert into ops.loads values ('L1', '2026-12-01'), ('L2', '2026-12-02')")
    con.execute("create table ops.loaded_files (source varchar, path varchar, load_id varchar)")
    con.execute("insert into ops.loaded_files values ('calls', 'calls/a.csv', 'L1'), ('calls', 'calls/b.csv', 'L2')")
    con.execute("create table ops.rejected_files (source varchar, source_file varchar, load_id varchar)")
    con.execute("insert into ops.rejected_files values ('ledger', 'ledger/x.csv', 'L2')")
    con.close()
    assert latest_load_counts(db) == ({}, {"ledger": 1})  # no quarantine table yet: none quarantined

    con = duckdb.connect(str(db))
    con.execute(
        "create table ops.quarantined_rows (source varchar, file varchar, line bigint, field varchar, "
        "value varchar, reason varchar)"
    )
    con.execute(
        "insert into ops.quarantined_rows values ('calls', 'calls/a.csv', 2, 'x', 'v', 'r'), "
        "('calls', 'calls/b.csv', 3, 'x', 'v', 'r'), ('calls', 'calls/b.csv', 4, 'x', 'v', 'r')"
    )
    con.close()
    assert latest_load_counts(db) == ({"calls": 2}, {"ledger": 1})  # by file: b.csv is the latest load's

    con = duckdb.connect(str(db))
    con.execute("alter table ops.quarantined_rows add column load_id varchar")
    con.execute("update ops.quarantined_rows set load_id = case when file = 'calls/a.csv' then 'L2' else 'L1' end")
    con.close()
    assert latest_load_counts(db) == ({"calls": 1}, {"ledger": 1})  # by load_id when it has one

    # a later load over no new files (a run that found nothing) leaves the warehouse as it was: the same counts
    con = duckdb.connect(str(db))
    con.execute("insert into ops.loads values ('L3', '2026-12-03')")
    con.close()
    assert latest_load_counts(db) == ({"calls": 1}, {"ledger": 1})

    # a line a later file of the same load sent again is superseded: kept, not counted
    con = duckdb.connect(str(db))
    con.execute("alter table ops.quarantined_rows add column superseded_by_file_seq bigint")
    con.execute("update ops.quarantined_rows set superseded_by_file_seq = 9 where file = 'calls/a.csv'")
    con.close()
    assert latest_load_counts(db) == ({}, {"ledger": 1})
