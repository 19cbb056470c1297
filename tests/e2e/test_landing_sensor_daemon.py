"""The landing sensor under a live Dagster daemon (issue 21): a run still going when the next slices land is followed
by exactly one more run, never by a pile-up.

`dagster-daemon run` with a temporary DAGSTER_HOME loads the project's code location (`-m
dagster_project.definitions`, settings through the environment as `Settings.to_env` writes them) and ticks
`tilsyn_landing_sensor` every 5 s (`TILSYN_SENSOR_INTERVAL_SECONDS`); its runs are real `tilsyn_pipeline` runs
launched by the daemon. A generated center (3 agents, 6-7 January 2026, seed 5; 7 January in 15-minute slices):

1. the history and 7 January's slices up to 09:00 land -> the sensor launches run 1;
2. while run 1 is in progress (after its ingest step read the folder) the 09:15 slices land, then the 09:30 ones ->
   the sensor skips (a run is in progress);
3. run 1 ends -> exactly one more run, over all the files; then nothing more (the folder has not changed).

The today page then says "Data up to 09:30" (the cutoff of the last slices, local time).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.scheduler.instigation import InstigatorType, TickStatus

pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent
REPO_ROOT = Path(__file__).resolve().parents[2]
DAY = "2026-01-07"
FIRST_CUTOFF, LATER_CUTOFFS = "0900", ("0915", "0930")
TICK_SECONDS = 5
RUN_TIMEOUT_SECONDS = 600
ENDED = (dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED)
LANDING_RUNS = dg.RunsFilter(tags={"tilsyn/trigger": "landing"})


def _runs_oldest_first(instance: dg.DagsterInstance) -> list[dg.DagsterRun]:
    records = instance.get_run_records(filters=LANDING_RUNS)
    return [record.dagster_run for record in sorted(records, key=lambda record: record.create_timestamp)]


def _step_succeeded(instance: dg.DagsterInstance, run_id: str, step_key: str) -> bool:
    events = instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_SUCCESS)
    return any(event.step_key == step_key for event in events)


def _sensor_ticks(instance: dg.DagsterInstance) -> list:
    """Every tick of the landing sensor so far, oldest first."""
    ticks = []
    for state in instance.all_instigator_state(instigator_type=InstigatorType.SENSOR):
        if state.instigator_name == "tilsyn_landing_sensor":
            ticks += instance.get_ticks(state.instigator_origin_id, state.selector_id, limit=1000)
    return sorted(ticks, key=lambda tick: tick.timestamp)


def _wait(what: str, condition, daemon_log: Path, timeout: float = RUN_TIMEOUT_SECONDS):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}; daemon log:\n{daemon_log.read_text()[-4000:]}")


def _copy(files: list[Path], generated: Path, landing: Path) -> None:
    for path in files:
        target = landing / path.relative_to(generated)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)


@pytest.fixture(scope="module")
def daemon_runs(tmp_path_factory, request) -> dict:
    started = time.perf_counter()
    root = tmp_path_factory.mktemp("sensor_daemon")
    env = {**os.environ, "TILSYN_PSEUDONYM_KEY": "e2e-sensor-key"}
    generated = root / "generated"
    generate = [str(BIN / "tilsyn"), "generate", "--out", str(generated), "--agents", "3", "--days", "2"]
    generate += ["--start", "2026-01-06", "--seed", "5", "--slice-minutes", "15", "--slice-from", DAY]
    subprocess.run(generate, check=True, capture_output=True, env=env)
    files = sorted(p for p in generated.rglob("*.csv") if p.is_file())
    slices = {p: p.stem.rsplit("_", 1)[1] for p in files if f"_{DAY}_" in p.name}
    first = [p for p in files if p not in slices or slices[p] <= FIRST_CUTOFF]
    later = {cutoff: [p for p, c in slices.items() if c == cutoff] for cutoff in LATER_CUTOFFS}
    assert all(len(batch) == 2 for batch in later.values()), later  # calls and agent states

    home, landing = root / "dagster_home", root / "landing"
    home.mkdir()
    # the queued run coordinator dequeues every second, not every 5 s (its default): the sensor's own tick decides
    (home / "dagster.yaml").write_text(
        "telemetry:\n  enabled: false\n"
        "run_coordinator:\n  module: dagster.core.run_coordinator\n  class: QueuedRunCoordinator\n"
        "  config:\n    dequeue_interval_seconds: 1\n"
    )
    env |= {
        "DAGSTER_HOME": str(home),
        "TILSYN_LANDING_DIR": str(landing),
        "TILSYN_WAREHOUSE": str(root / "warehouse.duckdb"),
        "TILSYN_DASHBOARDS_DIR": str(root / "dashboards"),
        "TILSYN_SENSOR_INTERVAL_SECONDS": str(TICK_SECONDS),
    }
    _copy(first, generated, landing)  # before the daemon starts: its first tick sees the whole first batch
    daemon_log = root / "daemon.log"
    with daemon_log.open("w") as out:  # a file, not a pipe: the daemon never blocks on output
        daemon = subprocess.Popen(
            [str(BIN / "dagster-daemon"), "run", "-m", "dagster_project.definitions"],
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the finalizer ends the code server and runs with it
        )

    def stop_daemon() -> None:
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

    request.addfinalizer(stop_daemon)
    instance = dg.DagsterInstance.from_config(str(home))

    run_1 = _wait(
        "run 1 to start",
        lambda: [r for r in _runs_oldest_first(instance) if r.status == dg.DagsterRunStatus.STARTED],
        daemon_log,
    )[0]
    # the ingest step reads the folder when it starts: slices landing after it are the next run's
    _wait("run 1's ingest step", lambda: _step_succeeded(instance, run_1.run_id, "ingest_landing"), daemon_log)
    landed_at = {}
    for cutoff, batch in later.items():  # two exports, a few seconds apart, while run 1 is in progress
        _copy(batch, generated, landing)
        landed_at[cutoff] = time.time()
        time.sleep(2)
    # a tick after the last slice landed, while run 1 is still going
    skipped_while_running = _wait(
        "a sensor tick after the slices landed",
        lambda: [
            t
            for t in _sensor_ticks(instance)
            if t.timestamp > landed_at[LATER_CUTOFFS[-1]] and t.status != TickStatus.STARTED  # a finished tick
        ],
        daemon_log,
        timeout=6 * TICK_SECONDS,
    )[0]
    run_1_status_then = instance.get_run_by_id(run_1.run_id).status
    runs_then = _runs_oldest_first(instance)

    _wait(
        "run 1 to end",
        lambda: instance.get_run_by_id(run_1.run_id).status in ENDED,
        daemon_log,
    )
    run_2 = _wait(
        "a run after run 1",
        lambda: [r for r in _runs_oldest_first(instance) if r.run_id != run_1.run_id],
        daemon_log,
        timeout=12 * TICK_SECONDS,
    )[0]
    _wait("run 2 to end", lambda: instance.get_run_by_id(run_2.run_id).status in ENDED, daemon_log)
    run_2_ended_at = time.time()
    # a finished tick that started after run 2 ended: the folder has not changed, so it skips and nothing more starts
    # (one is enough: the sensor compares the folder's fingerprint with its cursor; a second tick only waited 5 s more)
    tick_after_run_2 = _wait(
        "a tick after run 2",
        lambda: [t for t in _sensor_ticks(instance) if t.timestamp > run_2_ended_at and t.status != TickStatus.STARTED],
        daemon_log,
        timeout=8 * TICK_SECONDS,
    )[0]
    result = {
        "instance": instance,
        "root": root,
        "files": len(first) + sum(len(batch) for batch in later.values()),
        "first_files": len(first),
        "run_1": instance.get_run_by_id(run_1.run_id),
        "run_2": instance.get_run_by_id(run_2.run_id),
        "run_1_status_then": run_1_status_then,
        "runs_then": runs_then,
        "skipped_while_running": skipped_while_running,
        "tick_after_run_2": tick_after_run_2,
        "runs_at_end": _runs_oldest_first(instance),
        "daemon_log": daemon_log,
    }
    print(f"sensor daemon scenario: {time.perf_counter() - started:.0f} s")
    yield result


def test_a_run_in_progress_holds_the_next_slices(daemon_runs: dict) -> None:
    # the tick after the 09:30 slices landed found run 1 still going and skipped: one landing run so far
    assert daemon_runs["run_1_status_then"] == dg.DagsterRunStatus.STARTED
    assert [r.run_id for r in daemon_runs["runs_then"]] == [daemon_runs["run_1"].run_id]
    tick = daemon_runs["skipped_while_running"]
    assert tick.status == TickStatus.SKIPPED and "in progress" in (tick.skip_reason or ""), tick


def test_exactly_one_more_run_follows_over_both_slices(daemon_runs: dict) -> None:
    runs = daemon_runs["runs_at_end"]
    assert [r.run_id for r in runs] == [daemon_runs["run_1"].run_id, daemon_runs["run_2"].run_id]
    assert [r.status for r in runs] == [dg.DagsterRunStatus.SUCCESS] * 2, daemon_runs["daemon_log"].read_text()[-4000:]
    assert [r.job_name for r in runs] == ["tilsyn_pipeline"] * 2
    # run 1 saw the first batch; run 2 the whole folder (both later slices: 2 slices x calls and states)
    assert [int(r.tags["tilsyn/files"]) for r in runs] == [daemon_runs["first_files"], daemon_runs["files"]]
    assert daemon_runs["files"] == daemon_runs["first_files"] + 4
    # and nothing more: the tick after run 2 found the folder as run 2 saw it
    tick = daemon_runs["tick_after_run_2"]
    assert tick.status == TickStatus.SKIPPED and "no new files" in (tick.skip_reason or ""), tick


def test_today_page_shows_the_latest_cutoff(daemon_runs: dict) -> None:
    pages = sorted((daemon_runs["root"] / "dashboards").glob("today*.html"))
    assert pages
    for page in pages:
        assert "Data up to 09:30" in page.read_text(encoding="utf-8"), page.name
