"""When a build must be a full refresh, the daily rebuild partitions, and waiting for a held pipeline database."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import dagster as dg
import pytest

from dagster_project.publish import build_basis_key
from dagster_project.run_report import build_bases_since_last_success, full_refresh_reason, record_build_basis


def test_the_basis_covers_the_settings_but_not_the_days_to_rebuild() -> None:
    settings = {"service_level_seconds": 20, "center_timezone": "Europe/Oslo"}
    key = build_basis_key(json.dumps(settings))
    assert build_basis_key(json.dumps({**settings, "rebuild_local_dates": ["2026-01-02"]})) == key
    assert build_basis_key(json.dumps(dict(reversed(settings.items())))) == key  # order of the JSON does not matter
    assert build_basis_key(json.dumps({**settings, "service_level_seconds": 30})) != key


def test_full_refresh_only_when_a_build_since_the_last_success_had_another_basis(tmp_path: Path) -> None:
    db = tmp_path / "p.pipeline.duckdb"

    def reason(key: str) -> str | None:
        return full_refresh_reason(build_bases_since_last_success(db), key)

    assert reason("A") == "no earlier build recorded"
    record_build_basis(db, "run-1", "A", "started", full_refresh=True)
    # killed mid-build: the models it replaced are whole, the others catch up from their watermarks
    assert reason("A") is None
    assert reason("B") == "settings or dbt code changed since the last build"
    record_build_basis(db, "run-1", "A", "success")
    assert reason("A") is None
    time.sleep(0.01)  # started_at orders the builds
    record_build_basis(db, "run-2", "A", "started", rebuild_local_dates=["2026-01-02"])
    record_build_basis(db, "run-2", "A", "failed")
    assert reason("A") is None  # a failed test, same settings: incremental
    time.sleep(0.01)
    record_build_basis(db, "run-3", "B", "started", full_refresh=True)
    record_build_basis(db, "run-3", "B", "failed")
    # some models may have been rebuilt under B and others not: back to A or on to B, everything is rebuilt
    assert reason("A") == reason("B") == "settings or dbt code changed since the last build"
    time.sleep(0.01)
    record_build_basis(db, "run-4", "B", "started", full_refresh=True)
    record_build_basis(db, "run-4", "B", "success")
    assert reason("B") is None


def test_rebuild_job_has_a_partition_per_local_day_that_rebuilds_that_day(tmp_path: Path) -> None:
    from dagster_project.assets import TilsynSettings
    from dagster_project.definitions import PIPELINE_JOB_NAME, REBUILD_DAYS_JOB_NAME, build_definitions

    config = tmp_path / "center.toml"
    config.write_text('[metrics]\ncenter_timezone = "America/New_York"\n[schedule]\nrebuild_first_day = 2026-03-01\n')
    defs = build_definitions(TilsynSettings(config_file=str(config), landing_dir=str(tmp_path)))
    job = defs.resolve_job_def(REBUILD_DAYS_JOB_NAME)
    days = job.partitions_def
    assert isinstance(days, dg.DailyPartitionsDefinition) and days.timezone == "America/New_York"
    keys = days.get_partition_keys()
    assert keys[:2] == ["2026-03-01", "2026-03-02"]
    assert job.partitioned_config.get_run_config_for_partition_key("2026-03-02") == {
        "ops": {"tilsyn_dbt_models": {"config": {"rebuild_local_dates": ["2026-03-02"]}}}
    }
    assert defs.resolve_job_def(PIPELINE_JOB_NAME).partitions_def is None  # nightly and `tilsyn run`: one run


def test_days_of_a_range_and_bad_days_are_clear_errors() -> None:
    from dagster_project.assets import DbtBuildConfig
    from dagster_project.partitions import local_dates_between

    assert local_dates_between(date(2026, 2, 27), date(2026, 3, 1)) == ["2026-02-27", "2026-02-28", "2026-03-01"]
    assert local_dates_between(date(2026, 3, 1), date(2026, 3, 1)) == ["2026-03-01"]
    with pytest.raises(ValueError, match="before --from"):
        local_dates_between(date(2026, 3, 2), date(2026, 3, 1))
    assert DbtBuildConfig(rebuild_local_dates=["2026-03-02", "2026-03-01", "2026-03-02"]).local_dates() == [
        "2026-03-01",
        "2026-03-02",
    ]
    with pytest.raises(dg.Failure, match="'2026-02-30' is not a date"):
        DbtBuildConfig(rebuild_local_dates=["2026-02-30"]).local_dates()


HOLD_LOCK = (
    "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('held', flush=True); "
    "time.sleep(float(sys.argv[2]))"
)


def test_a_step_waits_for_a_held_pipeline_database_and_names_the_holder(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    from dagster_project.assets import wait_for_pipeline_db

    db = tmp_path / "p.pipeline.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(db), "3"], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline() == "held\n"
    started = time.monotonic()
    wait_for_pipeline_db(db, "ingest")
    waited_seconds = time.monotonic() - started
    holder.wait(timeout=30)
    out = capsys.readouterr().out
    assert f"[ingest] waiting for the pipeline database, held by another process (pid {holder.pid})" in out
    assert "[ingest] the pipeline database is free after" in out
    assert 0.5 < waited_seconds < 15


def test_a_database_held_too_long_is_a_clear_failure(tmp_path: Path) -> None:
    from dagster_project.assets import wait_for_pipeline_db

    db = tmp_path / "p.pipeline.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(db), "30"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"
        with pytest.raises(dg.Failure, match=f"still held by another process \\(pid {holder.pid}\\)"):
            wait_for_pipeline_db(db, "dbt", wait_seconds=1)
    finally:
        holder.kill()
        holder.wait()


# A stand-in for the Dagster process: starts a long child (as dagster-dbt starts dbt) and the watcher beside it, then
# prints the child's pid and waits to be killed.
PARENT = """
import subprocess, sys, time
from dagster_project.assets import DBT_WATCHER
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
subprocess.Popen([sys.executable, "-c", DBT_WATCHER, str(__import__("os").getpid()), str(child.pid)])
print(child.pid, flush=True)
time.sleep(60)
"""


def _running(pid: int) -> bool:
    try:
        return bool(Path(f"/proc/{pid}/cmdline").read_text())  # a zombie, dead but not yet reaped, has none
    except FileNotFoundError:
        return False


def test_the_dbt_child_dies_with_a_run_killed_by_its_pid_alone() -> None:
    import os
    import signal

    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True, start_new_session=True)
    child_pid = int(parent.stdout.readline())
    try:
        time.sleep(0.5)  # the watcher is up
        os.kill(parent.pid, signal.SIGKILL)  # the parent alone, not its group
        parent.wait(timeout=10)
        deadline = time.monotonic() + 5
        while _running(child_pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _running(child_pid)
    finally:
        try:
            os.killpg(parent.pid, signal.SIGKILL)  # whatever is left of the group this test started
        except ProcessLookupError:
            pass


def test_old_dbt_build_folders_are_pruned_but_recent_and_running_ones_kept(tmp_path):
    """dagster-dbt leaves one target folder per build; a nightly pipeline must not fill the disk with them."""
    import os

    from dagster_project.dbt_project import prune_build_folders

    now = 1_000_000.0
    for number in range(14):
        folder = tmp_path / f"tilsyn_dbt_models-run{number:02d}-inv"
        folder.mkdir()
        (folder / "dbt.log").write_text("log")
        # build 0 is the oldest; builds 12 and 13 finished less than the minimum age ago
        age = (14 - number) * 86400 if number < 12 else 60
        os.utime(folder, (now - age, now - age))
    (tmp_path / "manifest.json").write_text("{}")
    (tmp_path / "not-a-build-folder").mkdir()

    deleted = prune_build_folders(tmp_path, keep=3, min_age_seconds=3600, now=now)

    kept = sorted(path.name for path in tmp_path.iterdir())
    assert sorted(path.name for path in deleted) == [f"tilsyn_dbt_models-run{n:02d}-inv" for n in range(11)]
    assert kept == [
        "manifest.json",
        "not-a-build-folder",
        "tilsyn_dbt_models-run11-inv",
        "tilsyn_dbt_models-run12-inv",
        "tilsyn_dbt_models-run13-inv",
    ]
    # a young folder beyond `keep` stays: it may be a build still running elsewhere
    assert prune_build_folders(tmp_path, keep=1, min_age_seconds=3600, now=now) == [
        tmp_path / "tilsyn_dbt_models-run11-inv"
    ]
