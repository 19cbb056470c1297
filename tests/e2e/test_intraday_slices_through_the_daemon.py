"""Intraday slices through a live Dagster daemon, then the close of the day (issue 21): one sliced center serves the
sensor's checks (a run in progress holds the next slices, exactly one more run follows), the partial-day rules
mid-day, the slice run, and the close-of-day equality. One module, so one worker builds it (`--dist loadfile`).

A generated center (6 agents, 5-7 January 2026, seed 5) is written twice: with 7 January cut into 15-minute slices
(`--slice-minutes 15 --slice-from 2026-01-07`) and as whole-day files. The sliced landing goes through three runs on
one warehouse:

1. **run A, launched by the sensor**: `dagster-daemon run` with a temporary DAGSTER_HOME loads the project's code
   location (`-m dagster_project.definitions`, settings through the environment as `Settings.to_env` writes them) and
   ticks `tilsyn_landing_sensor` every 5 s. The history (5 and 6 January, schedules, roster, ledger, QA) and the
   slices of 7 January up to 10:00 local (09:00 UTC) are in the landing folder when it starts: a full first build;
   the day is open, provisional, complete up to 10:00;
2. while A is in progress (after its ingest step read the folder) the 10:15 slices land, then those from 10:30 to
   23:45: the sensor skips (a run is in progress); A ends -> exactly one more **run B** over both, a *slice run*
   (dagster_project/slice_run.py: the dbt selector `slice_run`, publishes those tables and keeps the others'
   version, rewrites the today pages only); then one "no new files" tick, and the daemon stops;
3. `tilsyn run` with the day's last slices (`_2400`) plus a re-sent 09:15 slice (ISO-named, same cutoff) in which
   one event's state was corrected: the day closes, a full incremental run, and every model the slice run left out
   catches up.

The midday warehouse is copied after A ends and before B publishes (checked: the copy fails loudly if B's publish
step had started). B's output lines are read from its Dagster compute logs (DAGSTER_HOME/storage/<run id>).

A second warehouse gets the whole-day files and the same re-sent slice (arriving after them) in one `tilsyn run`,
beside the sliced runs. After the close, every mart must equal the whole-day warehouse's row for row (apart from
`_file_seq`, which numbers files in load order, and the forecast-accuracy marts, which keep each run's forecast
origin by design). That equality is what proves a slice ADDS to its day's earlier slices (loaded by an earlier run)
rather than replacing them.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import polars as pl
import pytest
from dagster._core.scheduler.instigation import InstigatorType, TickStatus

from tests.support.marts import marts_rows
from tests.support.query import query

pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent
TILSYN = str(BIN / "tilsyn")
REPO_ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "TILSYN_PSEUDONYM_KEY": "e2e-intraday-key"}
GENERATE = ["--agents", "6", "--days", "3", "--start", "2026-01-05", "--seed", "5"]
DAY = "2026-01-07"
MORNING_CUTOFF, NEXT_CUTOFF = "1000", "1015"  # A: up to 10:00; landing while A runs: 10:15, then 10:30-23:45
MIDDAY_CUTOFF_UTC = datetime(2026, 1, 7, 9, 0)  # 10:00 in Oslo (CET, UTC+1)
RESENT = "agent_states_2026-01-07T091500+0100.csv"  # the 09:15 slice again, named by its cutoff as an instant
# forecasts are kept per origin: the sliced runs forecast from other origins than the one whole run (by design)
RUN_HISTORY_MARTS = ("fct_interval_forecast_accuracy", "kpi_forecast_accuracy_daily", "kpi_forecast_accuracy_weekly")
TICK_SECONDS = 5
RUN_TIMEOUT_SECONDS = 900
PUBLISH_STEP = "analyst_warehouse"
ENDED = (dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED)
LANDING_RUNS = dg.RunsFilter(tags={"tilsyn/trigger": "landing"})


# --- `tilsyn run` -----------------------------------------------------------------------------------------------------
def _start_run(root: Path, landing: Path) -> tuple[subprocess.Popen, Path, float]:
    command = [TILSYN, "run", "--landing", str(landing), "--warehouse", str(root / "warehouse.duckdb")]
    command += ["--dashboards", str(root / "dashboards")]
    root.mkdir(parents=True, exist_ok=True)
    log = root / f"run-{time.time_ns()}.log"  # a file, not a pipe: a run in the background never blocks on output
    with log.open("w") as out:
        process = subprocess.Popen(command, env=ENV, stdout=out, stderr=subprocess.STDOUT, text=True)
    return process, log, time.perf_counter()


def _finish_run(started: tuple[subprocess.Popen, Path, float]) -> float:
    process, log, t0 = started
    process.wait(timeout=RUN_TIMEOUT_SECONDS)
    seconds = time.perf_counter() - t0
    # exit 1: published, with a source overdue (January's data is months old by `freshness_days`)
    assert process.returncode in (0, 1), f"tilsyn run exited {process.returncode}:\n{log.read_text()[-4000:]}"
    return seconds


# --- the daemon's instance --------------------------------------------------------------------------------------------
def _runs_oldest_first(instance: dg.DagsterInstance) -> list[dg.DagsterRun]:
    records = instance.get_run_records(filters=LANDING_RUNS)
    return [record.dagster_run for record in sorted(records, key=lambda record: record.create_timestamp)]


def _step_events(instance: dg.DagsterInstance, run_id: str, event_type: dg.DagsterEventType, step_key: str) -> list:
    return [event for event in instance.all_logs(run_id, of_type=event_type) if event.step_key == step_key]


def _sensor_ticks(instance: dg.DagsterInstance) -> list:
    """Every tick of the landing sensor so far, oldest first."""
    ticks = []
    for state in instance.all_instigator_state(instigator_type=InstigatorType.SENSOR):
        if state.instigator_name == "tilsyn_landing_sensor":
            ticks += instance.get_ticks(state.instigator_origin_id, state.selector_id, limit=1000)
    return sorted(ticks, key=lambda tick: tick.timestamp)


def _finished_ticks_after(instance: dg.DagsterInstance, moment: float) -> list:
    return [t for t in _sensor_ticks(instance) if t.timestamp > moment and t.status != TickStatus.STARTED]


def _wait(what: str, condition, daemon_log: Path, timeout: float = RUN_TIMEOUT_SECONDS):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}; daemon log:\n{daemon_log.read_text()[-4000:]}")


def _compute_logs(home: Path, run_id: str) -> str:
    """What a daemon-launched run's steps printed: the local compute log manager's files of that run."""
    folder = home / "storage" / run_id
    return "".join(path.read_text(errors="replace") for path in sorted(folder.rglob("*")) if path.suffix == ".out")


def _start_daemon(home: Path, env: dict, daemon_log: Path, request) -> tuple:
    """Start `dagster-daemon run`; returns the function that stops it (also the module's finalizer) and the test's
    handle on the instance."""
    home.mkdir(parents=True)
    # the queued run coordinator dequeues every second, not every 5 s (its default): the sensor's own tick decides
    (home / "dagster.yaml").write_text(
        "telemetry:\n  enabled: false\n"
        "run_coordinator:\n  module: dagster.core.run_coordinator\n  class: QueuedRunCoordinator\n"
        "  config:\n    dequeue_interval_seconds: 1\n"
    )
    # The instance's SQLite storages are created here, once, before the daemon and its code server open them: two
    # processes creating them at the same moment can each stamp alembic's version table ("more than one head
    # present", seen in CI: the code server then fails to load and no run ever starts).
    instance = dg.DagsterInstance.from_config(str(home))
    with daemon_log.open("w") as out:  # a file, not a pipe: the daemon never blocks on output
        daemon = subprocess.Popen(
            [str(BIN / "dagster-daemon"), "run", "-m", "dagster_project.definitions"],
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopping it ends the code server and runs with it
        )

    def stop() -> None:
        if daemon.poll() is None:
            os.killpg(daemon.pid, signal.SIGTERM)
            try:
                daemon.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(daemon.pid, signal.SIGKILL)
                daemon.wait(timeout=20)
        try:  # a run's process may have left the group's leader behind
            os.killpg(daemon.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    request.addfinalizer(stop)  # the scenario stops it before the close; the finalizer is then a no-op
    return stop, instance


# --- files ------------------------------------------------------------------------------------------------------------
def _page_times(folder: Path) -> dict[str, int]:
    return {page.name: page.stat().st_mtime_ns for page in folder.glob("*.html")}


def _copy(files: list[Path], source_root: Path, landing: Path) -> None:
    for path in files:
        target = landing / path.relative_to(source_root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)


def _resent_slice(sliced: Path, out: Path) -> dict:
    """The 09:15 slice with one `ready` event corrected to `aux` (a re-export of the same quarter hour)."""
    states = pl.read_csv(sliced / "agent_states" / f"agent_states_{DAY}_0915.csv", infer_schema=False)
    index = states.with_row_index().filter(pl.col("state") == "ready")["index"][0]
    corrected = states.with_columns(
        pl.when(pl.int_range(pl.len()) == index).then(pl.lit("aux")).otherwise(pl.col("state")).alias("state")
    )
    corrected.write_csv(out)
    row = states.row(index, named=True)
    return {"agent_id": row["agent_id"], "event_at": datetime.fromisoformat(row["event_at"])}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, request) -> dict:
    started = time.perf_counter()
    root = tmp_path_factory.mktemp("intraday_daemon")
    generated, whole_generated = root / "generated", root / "whole_generated"
    for out, extra in ((generated, ["--slice-minutes", "15", "--slice-from", DAY]), (whole_generated, [])):
        subprocess.run(
            [TILSYN, "generate", "--out", str(out), *GENERATE, *extra], check=True, capture_output=True, env=ENV
        )
    resent_path = root / RESENT
    resent = _resent_slice(generated, resent_path)
    latest = max(p.stat().st_mtime for p in whole_generated.rglob("*") if p.is_file())
    os.utime(resent_path, (latest + 3600, latest + 3600))  # lands after every file of the day, in both warehouses

    files = [p for p in generated.rglob("*") if p.is_file() and p.name != "faults.json"]
    cutoff = {p: p.stem.rsplit("_", 1)[1] for p in files if f"_{DAY}_" in p.name}
    history = [p for p in files if p not in cutoff]
    morning = [p for p, c in cutoff.items() if c <= MORNING_CUTOFF]
    next_export = [p for p, c in cutoff.items() if c == NEXT_CUTOFF]
    afternoon = [p for p, c in cutoff.items() if NEXT_CUTOFF < c < "2400"]
    closing = [p for p, c in cutoff.items() if c == "2400"]
    assert len(next_export) == 2 and afternoon, (next_export, afternoon)  # calls and agent states

    # the whole-day warehouse builds beside the sliced runs (two processes, two databases: the suite's time budget)
    whole = {"root": root / "whole", "landing": whole_generated}
    shutil.copy2(resent_path, whole_generated / "agent_states" / RESENT)
    whole_run = _start_run(whole["root"], whole["landing"])

    sliced = root / "sliced"
    landing, dashboards, warehouse = sliced / "landing", sliced / "dashboards", sliced / "warehouse.duckdb"
    home, daemon_log = root / "dagster_home", root / "daemon.log"
    daemon_env = ENV | {
        "DAGSTER_HOME": str(home),
        "TILSYN_LANDING_DIR": str(landing),
        "TILSYN_WAREHOUSE": str(warehouse),
        "TILSYN_DASHBOARDS_DIR": str(dashboards),
        "TILSYN_SENSOR_INTERVAL_SECONDS": str(TICK_SECONDS),
    }
    _copy(history + morning, generated, landing)  # before the daemon starts: its first tick sees the whole batch
    stop_daemon, instance = _start_daemon(home, daemon_env, daemon_log, request)

    run_a = _wait(
        "run A to start",
        lambda: [r for r in _runs_oldest_first(instance) if r.status == dg.DagsterRunStatus.STARTED],
        daemon_log,
    )[0]
    # the ingest step reads the folder when it starts: slices landing after it are the next run's
    _wait(
        "run A's ingest step",
        lambda: _step_events(instance, run_a.run_id, dg.DagsterEventType.STEP_SUCCESS, "ingest_landing"),
        daemon_log,
    )
    _copy(next_export, generated, landing)  # two exports, a few seconds apart, while run A is in progress
    time.sleep(2)
    _copy(afternoon, generated, landing)
    last_landed_at = time.time()
    skipped_while_running = _wait(
        "a sensor tick after the slices landed",
        lambda: _finished_ticks_after(instance, last_landed_at),
        daemon_log,
        timeout=6 * TICK_SECONDS,
    )[0]
    run_a_status_then = instance.get_run_by_id(run_a.run_id).status
    runs_then = _runs_oldest_first(instance)

    _wait("run A to end", lambda: instance.get_run_by_id(run_a.run_id).status in ENDED, daemon_log)
    # the midday state: A's published warehouse, copied before run B can publish (its start-up, ingest and dbt steps
    # come first); its views read parts kept 24 h after a publish
    midday = sliced / "midday.duckdb"
    shutil.copy2(warehouse, midday)
    pages_before = _page_times(dashboards)
    publishing = [
        r.run_id
        for r in _runs_oldest_first(instance)
        if r.run_id != run_a.run_id and _step_events(instance, r.run_id, dg.DagsterEventType.STEP_START, PUBLISH_STEP)
    ]
    assert not publishing, f"run B started publishing before the midday copy was taken: {publishing}"

    run_b = _wait(
        "a run after run A",
        lambda: [r for r in _runs_oldest_first(instance) if r.run_id != run_a.run_id],
        daemon_log,
        timeout=12 * TICK_SECONDS,
    )[0]
    _wait("run B to end", lambda: instance.get_run_by_id(run_b.run_id).status in ENDED, daemon_log)
    run_b_ended_at = time.time()
    pages_after = _page_times(dashboards)
    afternoon_copy = sliced / "afternoon.duckdb"
    shutil.copy2(warehouse, afternoon_copy)
    # a finished tick that started after run B ended: the folder has not changed, so it skips and nothing more starts
    tick_after_run_b = _wait(
        "a tick after run B",
        lambda: _finished_ticks_after(instance, run_b_ended_at),
        daemon_log,
        timeout=8 * TICK_SECONDS,
    )[0]
    runs_at_end = _runs_oldest_first(instance)
    stop_daemon()
    today_pages = {page.name: page.read_text(encoding="utf-8") for page in dashboards.glob("today*.html")}

    # the close: the day's last slices and the re-sent 09:15 slice, by `tilsyn run` on the same warehouse
    _copy(closing, generated, landing)
    shutil.copy2(resent_path, landing / "agent_states" / RESENT)
    close_seconds = _finish_run(_start_run(sliced, landing))
    whole_seconds = _finish_run(whole_run)
    print(
        f"intraday daemon scenario: {time.perf_counter() - started:.0f} s (close {close_seconds:.0f} s, whole run "
        f"{whole_seconds:.0f} s)"
    )
    return {
        "instance": instance,
        "daemon_log": daemon_log,
        "first_files": len(history + morning),
        "files": len(history + morning + next_export + afternoon),
        "run_a": instance.get_run_by_id(run_a.run_id),
        "run_b": instance.get_run_by_id(run_b.run_id),
        "run_a_status_then": run_a_status_then,
        "runs_then": runs_then,
        "skipped_while_running": skipped_while_running,
        "tick_after_run_b": tick_after_run_b,
        "runs_at_end": runs_at_end,
        "today_pages": today_pages,
        "midday": midday,
        "afternoon": afternoon_copy,
        "afternoon_log": _compute_logs(home, run_b.run_id),
        "pages_before": pages_before,
        "pages_after": pages_after,
        "closed": warehouse,
        "whole": whole["root"] / "warehouse.duckdb",
        "resent": resent,
        "generated": generated,
    }


# --- the sensor under the daemon --------------------------------------------------------------------------------------
def test_a_run_in_progress_holds_the_next_slices(runs: dict) -> None:
    # the tick after the afternoon slices landed found run A still going and skipped: one landing run so far
    assert runs["run_a_status_then"] == dg.DagsterRunStatus.STARTED
    assert [r.run_id for r in runs["runs_then"]] == [runs["run_a"].run_id]
    tick = runs["skipped_while_running"]
    assert tick.status == TickStatus.SKIPPED and "in progress" in (tick.skip_reason or ""), tick


def test_exactly_one_more_run_follows_over_both_exports(runs: dict) -> None:
    at_end = runs["runs_at_end"]
    assert [r.run_id for r in at_end] == [runs["run_a"].run_id, runs["run_b"].run_id]
    assert [r.status for r in at_end] == [dg.DagsterRunStatus.SUCCESS] * 2, runs["daemon_log"].read_text()[-4000:]
    assert [r.job_name for r in at_end] == ["tilsyn_pipeline"] * 2
    # run A saw the first batch; run B the whole folder (both later exports)
    assert [int(r.tags["tilsyn/files"]) for r in at_end] == [runs["first_files"], runs["files"]]
    assert runs["files"] > runs["first_files"] + 2
    # and nothing more: the tick after run B found the folder as run B saw it
    tick = runs["tick_after_run_b"]
    assert tick.status == TickStatus.SKIPPED and "no new files" in (tick.skip_reason or ""), tick


def test_today_page_shows_the_latest_cutoff(runs: dict) -> None:
    # after run B, before the close: the last slice it loaded ends at 23:45 local
    assert runs["today_pages"]
    for name, text in runs["today_pages"].items():
        assert "Data up to 23:45" in text, name


# --- mid-day: after run A ---------------------------------------------------------------------------------------------
def test_midday_the_day_is_open_up_to_the_slices_cutoff(runs: dict) -> None:
    completeness = query(
        runs["midday"],
        "select source, local_date::varchar, timezone('UTC', cutoff_at), cutoff_from, is_closed "
        "from ops.source_day_completeness order by all",
    )
    assert completeness == [
        (source, day, cutoff, how, closed)
        for source in ("agent_states", "calls")
        for day, cutoff, how, closed in (
            ("2026-01-05", datetime(2026, 1, 5, 23), "whole_file", True),
            ("2026-01-06", datetime(2026, 1, 6, 23), "whole_file", True),
            (DAY, MIDDAY_CUTOFF_UTC, "file_name", False),
        )
    ]
    provisional = query(
        runs["midday"],
        "select 'service', local_date::varchar, bool_and(is_provisional), bool_or(is_provisional) "
        "from marts.kpi_service_daily group by all union all "
        "select 'agent', local_date::varchar, bool_and(is_provisional), bool_or(is_provisional) "
        "from marts.kpi_agent_daily group by all order by all",
    )
    assert provisional == [
        (mart, day, day == DAY, day == DAY)
        for mart in ("agent", "service")
        for day in ("2026-01-05", "2026-01-06", DAY)
    ]


def test_midday_intervals_after_the_cutoff_are_not_yet_reported(runs: dict) -> None:
    rows = query(
        runs["midday"],
        "select interval_start_at >= ? as after_cutoff, count(*), count(offered), count(staffed_agents), "
        "count(scheduled_agents), count(staffing_gap), bool_and(is_provisional), sum(offered) "
        "from marts.kpi_staffing_interval where local_date = ? group by all order by all",
        [MIDDAY_CUTOFF_UTC, DAY],
    )
    (before, before_rows, before_offered, *_, before_provisional, offered_so_far), after = rows
    (queues,) = query(runs["midday"], "select count(distinct queue) from marts.kpi_staffing_interval")[0]
    # before 10:00 every row is reported; after it a row per queue and interval (10:00-24:00: 56 quarter hours), every
    # measure NULL (not yet), never 0
    assert before is False and before_rows == before_offered and before_provisional and offered_so_far > 0
    assert after == (True, queues * 56, 0, 0, 0, 0, True, None)
    # offered so far = the legs loaded so far: calls that ENDED before the cutoff (a call queued before it and still
    # going, or still queued, is in a later slice: not offered, not abandoned yet)
    calls = {p: p.stem.rsplit("_", 1)[1] for p in (runs["generated"] / "calls").glob(f"calls_{DAY}_*.csv")}
    legs = pl.concat([pl.read_csv(p, infer_schema=False) for p, c in calls.items() if c <= MORNING_CUTOFF])
    ended_later = pl.concat(
        [pl.read_csv(p, infer_schema=False) for p, c in calls.items() if c > MORNING_CUTOFF]
    ).filter(pl.col("queued_at") < "2026-01-07T10:00:00+01:00")
    assert ended_later.height > 0  # calls in progress at the cutoff exist in this data
    (loaded,) = query(runs["midday"], "select count(*) from marts.fct_contact_legs where local_date = ?", [DAY])[0]
    assert loaded == legs.height
    (in_progress_counted,) = query(
        runs["midday"],
        "select count(*) from marts.fct_contact_legs where leg_id in (select unnest(?::varchar[]))",
        [ended_later["leg_id"].to_list()],
    )[0]
    assert in_progress_counted == 0


def test_midday_an_open_state_lasts_until_the_cutoff(runs: dict) -> None:
    spans = query(
        runs["midday"],
        "select max(ended_at), bool_and(is_provisional), count(*) filter (where ended_at = ?) "
        "from marts.fct_agent_state_spans where local_date = ?",
        [MIDDAY_CUTOFF_UTC, DAY],
    )[0]
    # nothing reaches past the cutoff; the agents in a state at 10:00 have a piece ending exactly there
    assert spans[0] == MIDDAY_CUTOFF_UTC and spans[1] is True and spans[2] >= 1
    # schedules count up to the cutoff only: no adherence piece after it, and no agent-day at 0 % for the afternoon
    (adherence_until,) = query(
        runs["midday"], "select max(ended_at) from marts.fct_adherence_spans where local_date = ?", [DAY]
    )[0]
    assert adherence_until <= MIDDAY_CUTOFF_UTC
    # the closed day keeps its rule: an open-ended last event is not extended
    assert query(
        runs["midday"],
        "select count(*) from marts.fct_agent_state_spans where is_provisional and local_date < ?",
        [DAY],
    ) == [(0,)]


# --- run B: the slice run ---------------------------------------------------------------------------------------------
def test_slices_of_an_open_day_make_a_slice_run_that_does_less(runs: dict) -> None:
    """Run B (10:15 to 23:45): the dbt selector, no forecast or plan, the today pages only, and a publish that keeps
    every table it did not build at the version run A published (dagster_project/slice_run.py)."""
    from dagster_project.dbt_project import MANIFEST_PATH
    from dagster_project.slice_run import tables_not_built_by_slice_run

    log = runs["afternoon_log"]
    assert f"[dbt] slice run: open day {DAY}, building " in log, log[-4000:]
    for step in ("[forecast] slice run", "[plan] slice run", "[publish] slice run", "[dashboards] slice run"):
        assert step in log, step
    before, after = runs["pages_before"], runs["pages_after"]
    rewritten = {name for name in after if after[name] != before.get(name)}
    assert rewritten and all(name.startswith("today") for name in rewritten), rewritten
    assert rewritten == {name for name in before if name.startswith("today")}
    assert len(before) > len(rewritten) and after.keys() == before.keys()
    kept = dict(query(runs["afternoon"], "select table_name, kept_from_version from ops.published_version"))
    (midday_version,) = query(runs["midday"], "select distinct version_id from ops.published_version")[0]
    not_built = tables_not_built_by_slice_run(json.loads(MANIFEST_PATH.read_text())) & kept.keys()
    assert "marts.kpi_service_weekly" in not_built and "marts.kpi_service_daily" not in not_built
    assert {table for table, version in kept.items() if version is not None} == not_built
    assert {kept[table] for table in not_built} == {midday_version}
    # what it built is current: the day is open up to its last slice (23:45 in Oslo = 22:45 UTC)
    assert query(
        runs["afternoon"],
        "select distinct timezone('UTC', cutoff_at), is_closed from ops.source_day_completeness where local_date = ?",
        [DAY],
    ) == [(datetime(2026, 1, 7, 22, 45), False)]


def test_a_slice_runs_publish_writes_only_the_open_days_files(runs: dict) -> None:
    """The big facts' newest month is published as day files (dagster_project/publish.py): the slice run's publish
    writes the open day's file of each fact it rebuilt and links every other file from the version before it."""
    root = runs["closed"].with_name("warehouse.duckdb.parts")
    columns = "table_name, part_grain, part_start, file_name"
    midday = {row[:3]: row[3] for row in query(runs["midday"], f"select {columns} from ops.published_parts")}
    afternoon = query(runs["afternoon"], f"select {columns} from ops.published_parts")
    written = sorted(
        (table, grain, str(start))
        for table, grain, start, file_name in afternoon
        if (table, grain, start) not in midday
        or os.stat(root / file_name).st_ino != os.stat(root / midday[(table, grain, start)]).st_ino
    )
    assert written, "the slice run rewrote no file"
    # day files only, never a month's; the agent-state facts' incremental build (dbt) also restamps the day before
    # the open one, so that day's file is written too
    assert {grain for _, grain, _ in written} == {"day"}, written
    assert {start for _, _, start in written} <= {"2026-01-06", DAY}, written
    assert ("marts.fct_contact_legs", "day", DAY) in written
    assert [start for table, _, start in written if table == "marts.fct_contact_legs"] == [DAY]
    assert ("marts.fct_agent_state_spans", "day", DAY) in written
    assert len(afternoon) > len(written)  # the earlier days' files were linked


# --- the close, by `tilsyn run` ---------------------------------------------------------------------------------------
def test_the_closed_day_equals_the_same_day_loaded_whole(runs: dict) -> None:
    assert query(
        runs["closed"],
        "select bool_and(is_closed), count(*) from ops.source_day_completeness where local_date = ?",
        [DAY],
    ) == [(True, 2)]
    closed, whole = (marts_rows(runs[w], without=("_file_seq",)) for w in ("closed", "whole"))
    assert sorted(closed) == sorted(whole)
    for table in RUN_HISTORY_MARTS:
        del closed[table], whole[table]
    differing = {table: (len(closed[table]), len(whole[table])) for table in whole if closed[table] != whole[table]}
    assert not differing, f"tables that differ (sliced rows, whole rows): {differing}"
    assert query(runs["closed"], "select count(*) from marts.kpi_staffing_interval where is_provisional") == [(0,)]


def test_a_resent_slice_replaces_the_events_it_resends(runs: dict) -> None:
    resent = runs["resent"]
    for warehouse in ("closed", "whole"):
        states = query(
            runs[warehouse],
            "select distinct state from marts.fct_agent_state_spans where agent_id = ? and state_started_at = ?",
            [resent["agent_id"], resent["event_at"].astimezone(UTC).replace(tzinfo=None)],
        )
        assert states == [("aux",)], warehouse
