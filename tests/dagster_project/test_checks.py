"""Tilsyn's own checks (freshness, reconciliation) and the run report, on small hand-made pipeline databases."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from dagster_project.checks import (
    Mismatch,
    Reconciliation,
    reconcile,
    reconciliation_mismatches,
    record_reconciled,
    stale_sources,
)
from dagster_project.run_report import record_build_results


def _database(path: Path, *statements: str) -> Path:
    con = duckdb.connect(str(path))
    try:
        for sql in statements:
            con.execute(sql)
    finally:
        con.close()
    return path


MANIFEST = "create schema ops; create table ops.loaded_files (source varchar, rows bigint, loaded_at timestamp)"


def test_a_source_without_a_new_file_for_more_than_n_days_is_stale(tmp_path: Path) -> None:
    db = _database(
        tmp_path / "p.duckdb",
        MANIFEST,
        """insert into ops.loaded_files values
        ('calls', 10, '2026-03-01 02:00'), ('calls', 10, '2026-03-09 02:00'),
        ('roster', 5, '2026-03-01 02:00'), ('ledger', 3, '2026-03-06 14:00')""",
    )
    now = datetime(2026, 3, 10, 2, 0)
    # calls: newest 03-09 02:00, 1.0 day old; roster: 9.0 days; ledger: 03-06 14:00 -> 3.5 days
    assert stale_sources(db, 3, now) == {"ledger": 3.5, "roster": 9.0}
    assert stale_sources(db, 10, now) == {}
    assert stale_sources(_database(tmp_path / "empty.duckdb"), 3, now) == {}  # nothing landed: nothing stale


def _layers(path: Path, raw_calls: int, manifest_calls: int, fact_legs: int, kpi_offered_day2: int) -> Path:
    """Calls on two local days; day 1 has 2 offered legs, day 2 the rest of `raw_calls` (all offered)."""
    return _database(
        path,
        MANIFEST,
        f"insert into ops.loaded_files values ('calls', {manifest_calls}, '2026-03-01')",
        "create schema raw; create schema staging; create schema marts",
        f"create table raw.calls as select 'L' || i as leg_id from range({raw_calls}) t(i)",
        "create view staging.stg_calls as select distinct leg_id from raw.calls",
        f"create table marts.fct_contact_legs as select 'L' || i as leg_id, true as is_offered, "
        f"case when i < 2 then date '2026-03-01' else date '2026-03-02' end as local_date from range({fact_legs}) t(i)",
        f"create table marts.kpi_service_daily as select * from (values (date '2026-03-01', 'q1', 2), "
        f"(date '2026-03-02', 'q1', {kpi_offered_day2 - 1}), (date '2026-03-02', 'q2', 1)) "
        "t(local_date, queue, offered)",
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
    results = {
        "results": [
            {
                "unique_id": "model.tilsyn.fct_x",
                "status": "success",
                "execution_time": 1.5,
                "failures": None,
                "message": "OK",
            },
            {
                "unique_id": "test.tilsyn.positive_t_x.abc",
                "status": "fail",
                "execution_time": 0.2,
                "failures": 2,
                "message": "Got 2 results, configured to fail if != 0",
                "compiled_code": "select * from t where x < 0",
            },
        ]
    }
    failed = record_build_results(db, "run-1", results)
    assert [(f.unique_id, sorted(f.sample)) for f in failed] == [("test.tilsyn.positive_t_x.abc", [(-4,), (-3,)])]
    assert failed[0].lines()[0] == "FAILED test positive_t_x.abc: Got 2 results, configured to fail if != 0"
    rows = (
        duckdb.connect(str(db), read_only=True)
        .execute("select node_type, node, status, seconds, failures from ops.build_results order by node")
        .fetchall()
    )
    assert rows == [("model", "fct_x", "success", 1.5, None), ("test", "positive_t_x.abc", "fail", 0.2, 2)]


def test_run_report_of_a_build_that_never_started_is_empty(tmp_path: Path) -> None:
    assert record_build_results(tmp_path / "p.duckdb", "run-2", {}) == []


# --- incremental reconciliation --------------------------------------------------------------------------------------
DAY1, DAY2 = date(2026, 3, 1), date(2026, 3, 2)


def _pipeline(path: Path) -> Path:
    """A pipeline database as ingest and dbt leave it: a manifest with file numbers, raw calls with `_file_seq`."""
    return _database(
        path,
        "create schema ops; create schema raw; create schema staging; create schema marts",
        "create table ops.loaded_files (source varchar, sha256 varchar, rows bigint, loaded_at timestamp, "
        "file_seq bigint)",
        "create table raw.calls (leg_id varchar, local_date date, _file_seq bigint, _source_line bigint)",
        "create table ops.dbt_build_basis (run_id varchar, started_at timestamp, is_full_refresh boolean, "
        "status varchar)",
    )


def _land(db: Path, legs: list[str], day: date, manifest_rows: int | None = None) -> int:
    """Land a calls file of `legs` on local day `day` as ingest does; returns its file number."""
    con = duckdb.connect(str(db))
    try:
        seq = con.execute("select coalesce(max(file_seq), 0) + 1 from ops.loaded_files").fetchone()[0]
        con.execute(
            "insert into ops.loaded_files values ('calls', ?, ?, now(), ?)",
            [f"sha-{','.join(legs)}", len(legs) if manifest_rows is None else manifest_rows, seq],
        )
        con.executemany(
            "insert into raw.calls values (?, ?, ?, ?)",
            [[leg, day, seq, line] for line, leg in enumerate(legs, start=2)],
        )
        return seq
    finally:
        con.close()


def _build(db: Path, full_refresh: bool = False) -> None:
    """What dbt builds: staging keeps each leg's latest row, the fact one offered leg per staged call, the KPI the
    offered legs per day and queue (queue: the leg id ends in 0 or 1); recorded in ops.dbt_build_basis."""
    _database(
        db,
        f"insert into ops.dbt_build_basis values ('run-' || uuid(), now() at time zone 'UTC', {full_refresh}, "
        "'success')",
        "create or replace table staging.stg_calls as select * from raw.calls "
        "qualify row_number() over (partition by leg_id order by _file_seq desc, _source_line desc) = 1",
        "create or replace table marts.fct_contact_legs as select leg_id, local_date, true as is_offered, _file_seq "
        "from staging.stg_calls",
        "create or replace table marts.kpi_service_daily as select local_date, leg_id[-1:] in ('0', '1') as queue, "
        "count(*) as offered from marts.fct_contact_legs where is_offered group by all",
    )


def _reconciled(db: Path) -> Reconciliation:
    """The nightly step: check, and record the check when it passed."""
    result = reconcile(db)
    record_reconciled(db, result)
    return result


def _night_one(db: Path) -> None:
    """Five legs on day 1, built, checked in full and recorded."""
    _pipeline(db)
    _land(db, ["L0", "L1", "L2", "L3", "L4"], DAY1)
    _build(db)
    first = _reconciled(db)
    assert (first.passed, first.full_reason, first.through_file_seq) == (True, "no earlier reconciliation recorded", 1)


def _night_two(db: Path, *faults: str, manifest_rows: int | None = None) -> None:
    """A new leg L5 and L2 sent again (a correction: an old key, not a new one) on day 2, built, then `faults`."""
    _land(db, ["L5", "L2"], DAY2, manifest_rows)
    _build(db)
    _database(db, *faults)


def test_a_passed_check_is_recorded_and_the_next_counts_only_the_keys_of_newer_files(tmp_path: Path) -> None:
    db = tmp_path / "p.duckdb"
    _night_one(db)
    _night_two(db)
    second = _reconciled(db)
    assert (second.mismatches, second.since_file_seq, second.through_file_seq) == ([], 1, 2)
    assert second.scope() == "new keys counted in files 2-2"
    assert {s.source: (s.raw_rows, s.raw_keys) for s in second.sources}["calls"] == (7, 6)
    assert second.sources == reconcile(db, full=True).sources  # the same state as counting every key
    # a run with no new file (a rebuild of days) builds on it too
    third = reconcile(db)
    assert (third.mismatches, third.scope()) == ([], "no file since the last reconciliation (up to file 2)")
    recorded = (
        duckdb.connect(str(db), read_only=True)
        .execute(
            "select through_file_seq, raw_rows, raw_keys, full_check from ops.reconciliations where source = 'calls' "
            "order by through_file_seq"
        )
        .fetchall()
    )
    assert recorded == [(1, 5, 5, True), (2, 7, 6, False)]


LESS_OFFERED_ON_DAY2 = "update marts.kpi_service_daily set offered = offered - 1 where local_date = '2026-03-02'"


@pytest.mark.parametrize(
    ("night_two", "expected"),
    [
        # a row of the new file never reached raw: the manifest says 3
        (dict(manifest_rows=3), [Mismatch("calls: rows in landed files vs raw.calls", 8, 7)]),
        # the new leg L5 was lost between raw and staging (the fact and the KPI built from what staging has)
        (
            dict(
                faults=[
                    "delete from staging.stg_calls where leg_id = 'L5'",
                    "delete from marts.fct_contact_legs where leg_id = 'L5'",
                    LESS_OFFERED_ON_DAY2,
                ]
            ),
            [Mismatch("calls: distinct keys in raw vs staging.stg_calls", 6, 5)],
        ),
        # the re-sent L2 is kept twice in staging (latest file wins broken): only the anti-join knows L2 is not new
        (
            dict(
                faults=["insert into staging.stg_calls select * from raw.calls where leg_id = 'L2' and _file_seq = 1"]
            ),
            [
                Mismatch("calls: distinct keys in raw vs staging.stg_calls", 6, 7),
                Mismatch("calls: staging.stg_calls vs marts.fct_contact_legs", 7, 6),
            ],
        ),
        # the fact lost the new leg L5 (the KPI built from the fact)
        (
            dict(faults=["delete from marts.fct_contact_legs where leg_id = 'L5'", LESS_OFFERED_ON_DAY2]),
            [Mismatch("calls: staging.stg_calls vs marts.fct_contact_legs", 6, 5)],
        ),
        # the KPI of the new day counts one offered leg too many
        (
            dict(
                faults=[
                    "update marts.kpi_service_daily set offered = offered + 1 where local_date = '2026-03-02' "
                    "and not queue"
                ]
            ),
            [Mismatch("offered on 2026-03-02: fct_contact_legs vs kpi_service_daily", 2, 3)],
        ),
    ],
    ids=["lost row", "new key not staged", "duplicated key", "missing leg", "day mismatch"],
)
def test_the_incremental_check_finds_what_new_files_broke(
    tmp_path: Path, night_two: dict, expected: list[Mismatch]
) -> None:
    db = tmp_path / "p.duckdb"
    _night_one(db)
    _night_two(db, *night_two.get("faults", []), manifest_rows=night_two.get("manifest_rows"))
    result = _reconciled(db)
    assert (result.since_file_seq, result.mismatches) == (1, expected)
    assert reconcile(db, full=True).mismatches == expected
    assert reconcile(db).since_file_seq == 1  # nothing recorded: the next check starts again after file 1


def test_new_keys_of_a_two_column_key_are_told_from_re_sent_ones(tmp_path: Path) -> None:
    """agent_states is keyed by (agent_id, event_at): an event re-sent by a newer file is not a new key."""
    db = _database(
        _pipeline(tmp_path / "p.duckdb"),
        "create table raw.agent_states (agent_id varchar, event_at timestamp, _file_seq bigint, _source_line bigint)",
    )

    def land(seq: int, *events: tuple[str, str]) -> None:
        rows = (
            "select * from (values "
            + ", ".join(f"('{a}', timestamp '2026-03-01 {t}')" for a, t in events)
            + ") as t(agent_id, event_at)"
        )
        _database(
            db,
            f"insert into ops.loaded_files values ('agent_states', 'sha-{seq}', {len(events)}, now(), {seq})",
            f"insert into raw.agent_states select *, {seq}, 2 from ({rows})",
            "create or replace table staging.stg_agent_states as select distinct agent_id, event_at "
            "from raw.agent_states",
        )

    land(1, ("a1", "08:00"), ("a1", "09:00"), ("a2", "08:00"))
    assert _reconciled(db).sources[1].raw_keys == 3
    # a2 08:00 again (an old key); new: a2 09:00 (a known agent at a known time of another), a1 10:00, a3 08:00
    land(2, ("a2", "08:00"), ("a2", "09:00"), ("a1", "10:00"), ("a3", "08:00"))
    second = reconcile(db)
    assert (second.since_file_seq, second.mismatches) == (1, [])
    assert [(s.raw_rows, s.raw_keys) for s in second.sources if s.source == "agent_states"] == [(7, 6)]


UNLOAD_FILE_1 = ("delete from ops.loaded_files where file_seq = 1", "delete from raw.calls where _file_seq = 1")


# Each case: the change after night one, why every key is counted, and whether that full count passes (a passed one is
# recorded, and the next check builds on it: it counts from `next_since`; a failed one is not: the next counts all).
@pytest.mark.parametrize(
    ("change", "reason", "passes", "next_since"),
    [
        # L5 landed as file 2, then a full refresh: every layer holds L0-L5, so the full count passes through file 2
        (
            lambda db: (_land(db, ["L5"], DAY2), _build(db, full_refresh=True)),
            "a dbt full refresh since the last reconciliation",
            True,
            2,
        ),
        # file 1 unloaded by hand (its manifest row and raw rows deleted): raw has 0 keys, staging still 5 -> fails
        (
            lambda db: _database(db, *UNLOAD_FILE_1),
            "the landed calls files up to file 1 changed since they were reconciled",
            False,
            None,
        ),
        # a raw row of file 1 deleted, its manifest row left as it was: the manifest says 5, raw holds 4 -> fails
        (
            lambda db: _database(db, "delete from raw.calls where leg_id = 'L0'"),
            "raw.calls holds 4 rows of files up to 1, 5 when they were reconciled",
            False,
            None,
        ),
        # the recorded state was counted with another key: nothing else changed, the full count passes through file 1
        (
            lambda db: _database(
                db, "update ops.reconciliations set key_columns = 'leg_id, contact_id' where source = 'calls'"
            ),
            "no reconciled state of calls with key (leg_id)",
            True,
            1,
        ),
        # the record is gone: nothing else changed, the full count passes through file 1
        (lambda db: _database(db, "delete from ops.reconciliations"), "no earlier reconciliation recorded", True, 1),
    ],
    ids=["full refresh", "unloaded file", "raw row deleted", "contract key changed", "no state"],
)
def test_every_key_is_counted_when_the_recorded_state_cannot_be_built_on(
    tmp_path: Path, change, reason: str, passes: bool, next_since: int | None
) -> None:
    db = tmp_path / "p.duckdb"
    _night_one(db)
    change(db)
    result = reconcile(db)
    assert (result.since_file_seq, result.full_reason, result.passed) == (None, reason, passes)
    assert record_reconciled(db, result) is passes
    assert reconcile(db).since_file_seq == next_since


def test_counting_every_key_finds_what_building_on_a_stale_state_would_miss(tmp_path: Path) -> None:
    """File 1 unloaded by hand while staging keeps its legs: the recorded 5 keys + 0 new would equal staging's 5."""
    db = tmp_path / "p.duckdb"
    _night_one(db)
    _database(db, *UNLOAD_FILE_1)
    assert reconcile(db).mismatches == [Mismatch("calls: distinct keys in raw vs staging.stg_calls", 0, 5)]


def test_a_full_refresh_that_starts_between_a_check_and_its_record_is_seen(tmp_path: Path) -> None:
    """Another run's dbt may take the database between a check and its record: the record is as of the check."""
    db = tmp_path / "p.duckdb"
    _night_one(db)
    _night_two(db)
    result = reconcile(db)
    _build(db, full_refresh=True)
    assert record_reconciled(db, result)
    assert reconcile(db).full_reason == "a dbt full refresh since the last reconciliation"


def test_after_a_file_is_unloaded_the_check_builds_on_the_full_count_that_followed(tmp_path: Path) -> None:
    """Unloading the newest file frees its number for the next file: the latest record is the one to build on."""
    db = tmp_path / "p.duckdb"
    _night_one(db)
    _land(db, ["L5"], DAY2)
    _build(db)
    assert _reconciled(db).since_file_seq == 1
    _database(db, "delete from ops.loaded_files where file_seq = 2", "delete from raw.calls where _file_seq = 2")
    _build(db)
    assert _reconciled(db).full_reason == "the landed calls files up to file 2 changed since they were reconciled"
    assert _land(db, ["L6"], DAY2) == 2
    _build(db)
    assert (_reconciled(db).since_file_seq, reconcile(db).scope()) == (
        1,
        "no file since the last reconciliation (up to file 2)",
    )


def test_a_failed_check_or_one_without_file_numbers_is_not_recorded(tmp_path: Path) -> None:
    failed = reconcile(_layers(tmp_path / "p.duckdb", 5, 6, 4, 3))  # no file_seq in this manifest
    assert not failed.passed and record_reconciled(tmp_path / "p.duckdb", failed) is False
    passed = reconcile(_layers(tmp_path / "q.duckdb", 5, 5, 5, 3))
    assert passed.passed and passed.full_reason == "no file sequence numbers in the pipeline database"
    assert record_reconciled(tmp_path / "q.duckdb", passed) is False
    con = duckdb.connect(str(tmp_path / "q.duckdb"), read_only=True)
    assert con.execute("select count(*) from duckdb_tables() where table_name = 'reconciliations'").fetchone() == (0,)
    con.close()
