"""Tilsyn's own checks (freshness, reconciliation) and the run report, on small hand-made pipeline databases."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb

from dagster_project.checks import Mismatch, reconciliation_mismatches, stale_sources
from dagster_project.run_report import record_build_results


def _database(path: Path, *statements: str) -> Path:
    con = duckdb.connect(str(path))
    try:
        for sql in statements:
            con.execute(sql)
    finally:
        con.close()
    return path


MANIFEST = ("create schema ops; create table ops.loaded_files (source varchar, rows bigint, loaded_at timestamp)")


def test_a_source_without_a_new_file_for_more_than_n_days_is_stale(tmp_path: Path) -> None:
    db = _database(tmp_path / "p.duckdb", MANIFEST, """insert into ops.loaded_files values
        ('calls', 10, '2026-03-01 02:00'), ('calls', 10, '2026-03-09 02:00'),
        ('roster', 5, '2026-03-01 02:00'), ('ledger', 3, '2026-03-06 14:00')""")
    now = datetime(2026, 3, 10, 2, 0)
    # calls: newest 03-09 02:00, 1.0 day old; roster: 9.0 days; ledger: 03-06 14:00 -> 3.5 days
    assert stale_sources(db, 3, now) == {"ledger": 3.5, "roster": 9.0}
    assert stale_sources(db, 10, now) == {}
    assert stale_sources(_database(tmp_path / "empty.duckdb"), 3, now) == {}  # nothing landed: nothing stale


def _layers(path: Path, raw_calls: int, manifest_calls: int, fact_legs: int, kpi_offered_day2: int) -> Path:
    """Calls on two local days; day 1 has 2 offered legs, day 2 the rest of `raw_calls` (all offered)."""
    return _database(
        path, MANIFEST,
        f"insert into ops.loaded_files values ('calls', {manifest_calls}, '2026-03-01')",
        "create schema raw; create schema staging; create schema marts",
        f"create table raw.calls as select 'L' || i as leg_id from range({raw_calls}) t(i)",
        "create view staging.stg_calls as select distinct leg_id from raw.calls",
        f"create table marts.fct_contact_legs as select 'L' || i as leg_id, true as is_offered, "
        f"case when i < 2 then date '2026-03-01' else date '2026-03-02' end as local_date from range({fact_legs}) t(i)",
        f"create table marts.kpi_service_daily as select * from (values (date '2026-03-01', 'q1', 2), "
        f"(date '2026-03-02', 'q1', {kpi_offered_day2 - 1}), (date '2026-03-02', 'q2', 1)) t(local_date, queue, offered)",
    )


def test_layers_that_add_up_pass(tmp_path: Path) -> None:
    assert reconciliation_mismatches(_layers(tmp_path / "p.duckdb", 5, 5, 5, 3)) == []


def test_every_layer_that_does_not_add_up_is_named(tmp_path: Path) -> None:
    # manifest says 6 rows landed but raw holds 5; the fact lost a leg (4: 2 on day 1, 2 on day 2); the KPI says 3
    found = reconciliation_mismatches(_layers(tmp_path / "p.duckdb", 5, 6, 4, 3))
    assert found == [
        Mismatch("calls: rows in landed files vs raw.calls", 6, 5),
        Mismatch("calls: staging.stg_calls vs marts.fct_contact_legs", 5, 4),
        Mismatch("offered on 2026-03-02: fct_contact_legs vs kpi_service_daily", 2, 3),
    ]


def test_run_report_records_every_node_and_samples_failing_rows(tmp_path: Path) -> None:
    db = _database(tmp_path / "p.duckdb", "create table t as select * from (values (1), (2), (-3), (-4)) v(x)")
    results = {"results": [
        {"unique_id": "model.tilsyn.fct_x", "status": "success", "execution_time": 1.5, "failures": None,
         "message": "OK"},
        {"unique_id": "test.tilsyn.positive_t_x.abc", "status": "fail", "execution_time": 0.2, "failures": 2,
         "message": "Got 2 results, configured to fail if != 0", "compiled_code": "select * from t where x < 0"},
    ]}
    failed = record_build_results(db, "run-1", results)
    assert [(f.unique_id, sorted(f.sample)) for f in failed] == [("test.tilsyn.positive_t_x.abc", [(-4,), (-3,)])]
    assert failed[0].lines()[0] == "FAILED test positive_t_x.abc: Got 2 results, configured to fail if != 0"
    rows = duckdb.connect(str(db), read_only=True).execute(
        "select node_type, node, status, seconds, failures from ops.build_results order by node").fetchall()
    assert rows == [("model", "fct_x", "success", 1.5, None), ("test", "positive_t_x.abc", "fail", 0.2, 2)]


def test_run_report_of_a_build_that_never_started_is_empty(tmp_path: Path) -> None:
    assert record_build_results(tmp_path / "p.duckdb", "run-2", {}) == []
