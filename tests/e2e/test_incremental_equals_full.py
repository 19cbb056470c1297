"""Incremental builds give the same marts as a full build (issue 9).

A generated month (with the generator's export faults: a late file, a duplicate, a corrected re-export, bad rows,
republished weekly schedules, and schedules published ahead of the last day) arrives in two batches, in the order of
the files' arrival times, each followed by `tilsyn run` on one warehouse: the second build is incremental. The last
batch also carries corrections made here for the cases an incremental build gets wrong most easily:

* an agent state event of an old day corrected to `logged_out`: the span it started is no longer time worked, so its
  agent-day loses rows;
* the first leg of an old transferred contact corrected to another contact id: the leg moves, and the legs left behind
  are numbered again from 1;
* first-contact resolution around the new batch (int_contacts_rolled_up rebuilds only what lies within the FCR window
  of a change): a new contact 3 days after a customer's only earlier contact (which becomes a repeat), one 10 days
  after another customer's only contact (which stays no repeat), and a contact corrected to start 8 days later,
  which takes it out of the window of the same customer's contact before it.

A second warehouse gets every file in one `tilsyn run` (a full build). Every table of `marts` must be equal in both,
row for row, apart from `_file_seq` (load numbers depend on the order files were loaded in) and the last bits of
doubles (sums in another order); so must the contacts of int_contacts_rolled_up, apart from `_built_at`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest

from tests.support.marts import marts_rows
from tests.support.tilsyn_command import TILSYN, pipeline_args

pytestmark = pytest.mark.e2e

ENV = {**os.environ, "TILSYN_PSEUDONYM_KEY": "e2e-incremental-key"}
DAYS = 24
BATCH_CUTOFFS = ("2026-01-15",)  # files that arrived before each date; the rest come last


def _tilsyn(*args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([TILSYN, *args], env=ENV, capture_output=True, text=True, timeout=900)
    # exit 1 when the load set rows aside (the generator's file of bad rows: its bad rows are quarantined, the rest
    # lands) or rejected a file: everything else is built and published (README "Exit status")
    assert result.returncode in (0, 1), f"tilsyn {args[0]} exited {result.returncode}:\n{result.stdout[-4000:]}"
    if result.returncode == 1:
        assert "rows quarantined" in result.stdout or "REJECTED" in result.stdout, result.stdout[-4000:]
    return result


def _arrival(path: Path) -> str:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).date().isoformat()


def _write_corrections(landing: Path) -> dict:
    """Correction files for two old days, arriving after everything else (names sort after the originals too)."""
    latest_mtime = max(p.stat().st_mtime for p in landing.rglob("*") if p.is_file())
    states = pl.read_csv(landing / "agent_states" / "agent_states_2026-01-05.csv", infer_schema=False)
    # a mid-day `ready` that is followed by another event of the same agent
    ready = (
        states.with_row_index()
        .filter((pl.col("state") == "ready") & (pl.col("agent_id") == pl.col("agent_id").shift(-1)))
        .row(10, named=True)
    )
    states_fix = landing / "agent_states" / "agent_states_2026-01-05_corrected.csv"
    states.filter(pl.col("event_at") == ready["event_at"], pl.col("agent_id") == ready["agent_id"]).with_columns(
        pl.lit("logged_out").alias("state")
    ).write_csv(states_fix)

    calls = pl.read_csv(landing / "calls" / "calls_2026-01-06.csv", infer_schema=False)
    transferred = calls.filter(pl.col("contact_id").is_duplicated()).sort("queued_at")
    first_leg = transferred.filter(pl.col("contact_id") == transferred["contact_id"][0]).sort("queued_at").head(1)
    calls_fix = landing / "calls" / "calls_2026-01-06_corrected_contact.csv"
    first_leg.with_columns(pl.lit("C-MOVED-1").alias("contact_id")).write_csv(calls_fix)

    callbacks_fix, moved_start_fix, fcr = _write_fcr_cases(landing)

    for k, path in enumerate((states_fix, calls_fix, callbacks_fix, moved_start_fix)):
        os.utime(path, (latest_mtime + 3600 * (k + 1),) * 2)
    return {
        "agent_id": ready["agent_id"],
        "event_at_utc": datetime.fromisoformat(ready["event_at"]).astimezone(UTC).replace(tzinfo=None),
        "moved_leg_id": first_leg["leg_id"][0],
        "left_contact_id": first_leg["contact_id"][0],
        **fcr,
    }


TIME_COLUMNS = ("queued_at", "dialed_at", "answered_at", "ended_at")


def _shifted(legs: pl.DataFrame, days: int) -> pl.DataFrame:
    """The legs with every timestamp (ISO text with an offset) `days` later."""
    return legs.with_columns(
        pl.col(c).map_elements(
            lambda v: (datetime.fromisoformat(v) + timedelta(days=days)).isoformat(), return_dtype=pl.String
        )
        for c in TIME_COLUMNS
    )


def _write_fcr_cases(landing: Path) -> tuple[Path, Path, dict]:
    """Contacts of the last batch around customers' contacts of the first one (FCR window: 7 days)."""
    files = sorted(path for path in (landing / "calls").glob("calls_*.csv") if "BAD_ROWS" not in path.name)
    calls = pl.concat([pl.read_csv(path, infer_schema=False) for path in files], how="diagonal")
    # the customer's only contact: one handled inbound leg on a day of the first batch
    legs_per_customer = calls.group_by("customer_id").agg(pl.len().alias("legs"))
    single = (
        calls.join(legs_per_customer.filter(pl.col("legs") == 1).drop("legs"), on="customer_id")
        .filter(
            pl.col("direction") == "inbound",
            pl.col("queued_at").is_not_null(),
            pl.col("answered_at").is_not_null(),
            pl.col("agent_id").is_not_null(),
        )
        .sort("leg_id")
    )

    def on_day(day: str) -> pl.DataFrame:
        return single.filter(pl.col("queued_at").str.starts_with(day)).head(1)

    inside, outside = on_day("2026-01-12"), on_day("2026-01-05")
    callbacks = pl.concat(
        [
            _shifted(inside, 3).with_columns(
                pl.lit("L-CALLBACK-3D").alias("leg_id"), pl.lit("C-CALLBACK-3D").alias("contact_id")
            ),
            _shifted(outside, 10).with_columns(
                pl.lit("L-CALLBACK-10D").alias("leg_id"), pl.lit("C-CALLBACK-10D").alias("contact_id")
            ),
        ]
    )
    callbacks_fix = landing / "calls" / "calls_2026-01-16_callbacks.csv"
    callbacks.write_csv(callbacks_fix)

    # a customer with two single-leg contacts of the first batch, the second within the window of the first
    two = calls.join(legs_per_customer.filter(pl.col("legs") == 2).drop("legs"), on="customer_id").filter(
        pl.col("direction") == "inbound",
        pl.col("queued_at").is_not_null(),
        pl.col("answered_at").is_not_null(),
        pl.col("agent_id").is_not_null(),
        pl.col("queued_at") < "2026-01-11",
    )
    pairs = (
        two.sort("queued_at")
        .group_by("customer_id", maintain_order=True)
        .agg(pl.col("contact_id"), pl.col("queued_at"))
        .filter(pl.col("contact_id").list.len() == 2, pl.col("contact_id").list.n_unique() == 2)
        .with_columns(pl.col("queued_at").list.eval(pl.element().str.to_datetime("%Y-%m-%dT%H:%M:%S%:z")).alias("at"))
        .filter((pl.col("at").list.get(1) - pl.col("at").list.get(0)) < pl.duration(days=5))
        .sort("customer_id")
    )
    earlier, later = pairs["contact_id"][0]
    moved = _shifted(calls.filter(pl.col("contact_id") == later), 8)
    moved_start_fix = landing / "calls" / f"calls_{pairs['queued_at'][0][1][:10]}_corrected_start.csv"
    moved.write_csv(moved_start_fix)
    return (
        callbacks_fix,
        moved_start_fix,
        {
            "repeat_before_callback": inside["contact_id"][0],
            "no_repeat_before_callback": outside["contact_id"][0],
            "no_longer_repeat": earlier,
            "moved_start_contact": later,
        },
    )


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("incremental")
    source = root / "generated"
    subprocess.run(
        # schedules published ahead: each batch holds schedules for days its data does not reach yet, which count in
        # the agent-time marts only once a later batch loads those days (DECISIONLOG "Schedules count up to ...")
        [
            TILSYN,
            "generate",
            "--out",
            str(source),
            "--agents",
            "8",
            "--days",
            str(DAYS),
            "--seed",
            "11",
            "--faults",
            "--schedules-ahead",
        ],
        check=True,
        capture_output=True,
        env=ENV,
        timeout=300,
    )
    corrections = _write_corrections(source)
    files = sorted(
        (p for p in source.rglob("*") if p.is_file() and p.name != "faults.json"),
        key=lambda p: (p.stat().st_mtime, str(p)),
    )

    incremental = {"landing": root / "inc" / "landing", "warehouse": root / "inc" / "warehouse.duckdb"}
    outputs = []
    for cutoff in (*BATCH_CUTOFFS, None):
        for path in files:
            if cutoff is None or _arrival(path) < cutoff:
                target = incremental["landing"] / path.relative_to(source)
                if not target.exists():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, target)
        outputs.append(
            _tilsyn(
                *pipeline_args(incremental["landing"], incremental["warehouse"], root / "inc" / "dashboards")
            ).stdout
        )

    full = {"warehouse": root / "full" / "warehouse.duckdb"}
    _tilsyn(*pipeline_args(incremental["landing"], full["warehouse"], root / "full" / "dashboards"))
    return {
        "incremental": incremental["warehouse"],
        "full": full["warehouse"],
        "outputs": outputs,
        "corrections": corrections,
    }


def test_the_batches_each_brought_new_files(month: dict) -> None:
    con = duckdb.connect(str(month["incremental"]), read_only=True)
    try:
        loads = con.execute(
            "select load_id, count(*) from ops.loaded_files group by 1 order by min(file_seq)"
        ).fetchall()
    finally:
        con.close()
    assert len(loads) == len(BATCH_CUTOFFS) + 1 and all(files > 0 for _, files in loads), loads
    # the first build builds everything, the later ones only what their files touched
    first, *later = month["outputs"]
    assert "[dbt] no earlier build recorded: full refresh" in first
    assert later and not any("full refresh" in output for output in later)


# Forecast accuracy is measured on what was forecast at each origin (ops.interval_forecasts, kept once per origin):
# the incremental runs made forecasts at earlier origins that a single full run never made, so these marts hold
# history a rebuild from the exports cannot give, by design (DECISIONLOG "Forecasts"). Their own tests cover them
# (tests/dbt/test_forecast_accuracy_marts.py).
RUN_HISTORY_MARTS = ("fct_interval_forecast_accuracy", "kpi_forecast_accuracy_daily", "kpi_forecast_accuracy_weekly")


def test_incremental_marts_equal_a_full_build(month: dict) -> None:
    incremental, full = (marts_rows(month[build], without=("_file_seq",)) for build in ("incremental", "full"))
    assert sorted(incremental) == sorted(full)
    assert set(RUN_HISTORY_MARTS) <= set(full)
    for table in RUN_HISTORY_MARTS:
        del incremental[table], full[table]
    differing = {
        table: (len(incremental[table]), len(full[table])) for table in full if incremental[table] != full[table]
    }
    assert not differing, f"tables that differ (incremental rows, full rows): {differing}"


def _rolled_up_contacts(warehouse: Path) -> list[tuple]:
    pipeline = warehouse.with_name(warehouse.stem + ".pipeline.duckdb")
    con = duckdb.connect(str(pipeline), read_only=True)
    try:
        return con.execute(
            "select * exclude (_built_at) from intermediate.int_contacts_rolled_up order by contact_id"
        ).fetchall()
    finally:
        con.close()


def test_incremental_contacts_equal_a_full_build(month: dict) -> None:
    """FCR flags and next contacts of every contact, not only their daily sums in the marts."""
    incremental, full = (_rolled_up_contacts(month[build]) for build in ("incremental", "full"))
    assert len(incremental) == len(full)
    assert [row for row in incremental if row not in set(full)] == []


def test_the_corrections_took_effect(month: dict) -> None:
    """The corrected cases are really in the data, so the equality above covers them."""
    fix = month["corrections"]
    con = duckdb.connect(str(month["incremental"]), read_only=True)
    try:
        # the moved leg is alone in its new contact; the legs it left behind are numbered again from 1
        assert con.execute(
            "select contact_id, leg_number from marts.fct_contact_legs where leg_id = ?", [fix["moved_leg_id"]]
        ).fetchall() == [("C-MOVED-1", 1)]
        (left,) = con.execute(
            "select list(leg_number order by leg_number) from marts.fct_contact_legs where contact_id = ?",
            [fix["left_contact_id"]],
        ).fetchall()[0]
        assert left == list(range(1, len(left) + 1)) and len(left) >= 1
        # the state that became logged_out is no longer time worked: no span starts at its event
        assert con.execute(
            "select count(*) from marts.fct_agent_state_spans where agent_id = ? and state_started_at = ?",
            [fix["agent_id"], fix["event_at_utc"]],
        ).fetchall() == [(0,)]
    finally:
        con.close()
    pipeline = month["incremental"].with_name(month["incremental"].stem + ".pipeline.duckdb")
    con = duckdb.connect(str(pipeline), read_only=True)
    try:
        fcr = dict(
            con.execute(
                "select contact_id, (is_repeat_contact, next_contact_started_at is not null, "
                "datediff('day', started_at, next_contact_started_at)) "
                "from intermediate.int_contacts_rolled_up where contact_id in (?, ?, ?, ?)",
                [
                    fix["repeat_before_callback"],
                    fix["no_repeat_before_callback"],
                    fix["no_longer_repeat"],
                    fix["moved_start_contact"],
                ],
            ).fetchall()
        )
        # the callback 3 days later makes a repeat; the one 10 days later is beyond the window (no next contact)
        assert fcr[fix["repeat_before_callback"]] == (True, True, 3)
        assert fcr[fix["no_repeat_before_callback"]] == (False, False, None)
        # the later contact moved 8 days on: the earlier one is no longer a repeat
        assert fcr[fix["no_longer_repeat"]] == (False, False, None)
        (moved_at,) = con.execute(
            "select started_at from intermediate.int_contacts_rolled_up where contact_id = ?",
            [fix["moved_start_contact"]],
        ).fetchone()
        assert moved_at >= datetime(2026, 1, 9)
    finally:
        con.close()


def test_schedules_published_ahead_count_only_up_to_the_last_loaded_moment(month: dict) -> None:
    con = duckdb.connect(str(month["incremental"]), read_only=True)
    try:
        # the last loaded moment (int_loaded_until) from the published marts: the latest state change or leg end
        loaded_until, ahead_seconds, adherence_until, agent_days_after = con.execute(
            """
            with loaded as (
                select greatest(
                    (select max(ended_at) from marts.fct_agent_state_spans),
                    (select max(ended_at) from marts.fct_contact_legs)
                ) as loaded_until_at
            )
            select
                loaded.loaded_until_at,
                (select sum(duration_seconds) from marts.fct_schedule_segments where started_at >= loaded_until_at),
                (select max(ended_at) from marts.fct_adherence_spans),
                (select count(*) from marts.kpi_agent_daily where local_date > cast(loaded_until_at as date) + 1)
            from loaded
            """
        ).fetchone()
    finally:
        con.close()
    # the published schedule reaches past the data (the staffing plan reads it) ...
    assert ahead_seconds and ahead_seconds > 0
    # ... but no adherence piece, and no agent-day, does (one day of slack: local days run past the UTC date)
    assert adherence_until <= loaded_until
    assert agent_days_after == 0
