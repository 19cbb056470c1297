"""Incremental builds stay right: a settings change rebuilds everything, a day rebuilds alone through Dagster's daily
partitions, and a run killed by its PID alone takes its dbt child along and is followed by a run that recovers.

One tiny generated center (3 agents x 2 days). A module fixture builds it with the default settings and then with
another one; each later test works on its own copy of that folder, so the tests run in any order and alone. Every
expected warehouse is an independent fresh full build: a new pipeline database built by `tilsyn run` from the same
files and settings.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from datetime import date
from pathlib import Path

import pytest

from tests.ingest.ingest_fixtures import query
from tests.support.marts import marts_rows
from tests.support.tilsyn_command import TILSYN, pipeline_args

pytestmark = pytest.mark.e2e

DAY_1, DAY_2 = "2026-01-01", "2026-01-02"
# A non-default metric setting (default fully_loaded).
STAFF_ONLY_COST = "metrics.cost_per_call_scope=staff_only"


@pytest.fixture(scope="module")
def center(tmp_path_factory: pytest.TempPathFactory) -> dict:
    from ingest.sample import generate_center

    root = tmp_path_factory.mktemp("rebuild")
    landing = root / "landing"
    generate_center(landing, agents=3, days=2, start=date.fromisoformat(DAY_1), seed=3, progress=None)
    return {"root": root, "landing": landing, "env": {**os.environ, "TILSYN_PSEUDONYM_KEY": "rebuild-test-key"}}


def _args(center: dict, name: str, *overrides: str) -> list[str]:
    root = center["root"]
    return pipeline_args(center["landing"], root / name / "warehouse.duckdb", root / name / "dashboards", *overrides)


def _run(center: dict, name: str, *overrides: str) -> str:
    result = subprocess.run(
        [TILSYN, *_args(center, name, *overrides)], env=center["env"], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, f"tilsyn run failed:\n{result.stdout[-5000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def _version(warehouse: Path) -> str:
    return query(warehouse, "select any_value(version_id) from ops.published_version")[0][0]


def _last_basis(warehouse: Path) -> tuple:
    return query(
        warehouse,
        "select is_full_refresh, rebuild_local_dates, status from ops.dbt_build_basis order by started_at desc limit 1",
    )[0]


@pytest.fixture(scope="module")
def settings_changed(center: dict) -> dict:
    """Folder `live`: a first run with the default settings, then one with STAFF_ONLY_COST; the marts after each."""
    warehouse = center["root"] / "live" / "warehouse.duckdb"
    first = _run(center, "live")
    default_marts = marts_rows(warehouse)  # a fresh build: the reference for the default settings
    changed = _run(center, "live", STAFF_ONLY_COST)
    return {"first": first, "default_marts": default_marts, "changed": changed, "live_marts": marts_rows(warehouse)}


@pytest.fixture(scope="module")
def fresh_staff_only_marts(center: dict) -> dict:
    """The reference for STAFF_ONLY_COST: a fresh full build with it, in its own folder."""
    fresh = _run(center, "fresh-staff-only", STAFF_ONLY_COST)
    assert "[dbt] no earlier build recorded: full refresh" in fresh
    return marts_rows(center["root"] / "fresh-staff-only" / "warehouse.duckdb")


def _copy_of_live(center: dict, settings_changed: dict, name: str) -> Path:
    """A test's own copy of folder `live` as `settings_changed` left it (its last build had STAFF_ONLY_COST)."""
    shutil.copytree(center["root"] / "live", center["root"] / name, symlinks=True)
    return center["root"] / name


def test_a_settings_change_gives_the_marts_of_a_fresh_build_with_the_new_setting(
    settings_changed: dict, fresh_staff_only_marts: dict
) -> None:
    assert "[dbt] no earlier build recorded: full refresh" in settings_changed["first"]
    assert "[dbt] settings or dbt code changed since the last build: full refresh" in settings_changed["changed"]
    live, default = settings_changed["live_marts"], settings_changed["default_marts"]
    assert live == fresh_staff_only_marts
    changed_tables = {t for t in live if live[t] != default[t]}
    assert "kpi_cost_per_call_monthly" in changed_tables  # the setting matters on this data


@pytest.fixture
def own_environment(monkeypatch: pytest.MonkeyPatch):
    """The job runs in this process and exports its settings to the environment (for dbt): undo that afterwards."""
    saved = dict(os.environ)
    monkeypatch.setenv("TILSYN_PSEUDONYM_KEY", "rebuild-test-key")
    yield
    os.environ.clear()
    os.environ.update(saved)


def test_a_day_rebuilds_alone_through_the_daily_partitions(
    center: dict,
    settings_changed: dict,
    fresh_staff_only_marts: dict,
    own_environment: None,
    capsys: pytest.CaptureFixture,
) -> None:
    """Dagster's own execution of one partition: dbt gets the day, the warehouse is published over no new file."""
    import dagster as dg

    from dagster_project.assets import TilsynSettings
    from dagster_project.definitions import REBUILD_DAYS_JOB_NAME, build_definitions

    live = _copy_of_live(center, settings_changed, "partition-rebuild")
    before = _version(live / "warehouse.duckdb")
    rendered_before_ns = (live / "dashboards" / "index.html").stat().st_mtime_ns
    tilsyn = TilsynSettings(
        landing_dir=str(center["landing"]),
        warehouse_path=str(live / "warehouse.duckdb"),
        dashboards_dir=str(live / "dashboards"),
        overrides=[STAFF_ONLY_COST],
    )
    job = build_definitions(tilsyn).resolve_job_def(REBUILD_DAYS_JOB_NAME)
    assert job.partitions_def.timezone == "Europe/Oslo"
    assert DAY_2 in job.partitions_def.get_partition_keys()

    result = job.execute_in_process(partition_key=DAY_2, instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    out = capsys.readouterr().out
    assert result.success, out[-5000:]
    assert f"[dbt] rebuilding local days {DAY_2} besides the new rows" in out
    assert "full refresh" not in out  # same settings and code as the last build: incremental
    assert _version(live / "warehouse.duckdb") != before  # published although no new file arrived
    assert (live / "dashboards" / "index.html").stat().st_mtime_ns > rendered_before_ns  # and rendered
    assert _last_basis(live / "warehouse.duckdb") == (False, [DAY_2], "success")
    assert marts_rows(live / "warehouse.duckdb") == fresh_staff_only_marts


def _is_dbt_build(pid: int) -> bool:
    try:
        return "/dbt\0build" in Path(f"/proc/{pid}/cmdline").read_text()
    except FileNotFoundError:
        return False


def _dbt_children(pid: int) -> list[int]:
    """The dbt processes started by process `pid` (it has other children, such as multiprocessing's tracker)."""
    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += [int(p) for p in (task / "children").read_text().split()]
    return [c for c in children if _is_dbt_build(c)]


def test_a_run_killed_by_its_pid_alone_takes_its_dbt_along_and_the_next_run_recovers(
    center: dict, settings_changed: dict
) -> None:
    """SIGKILL to `tilsyn run` alone, as `kill -9 PID` sends it, not to its process group: its dbt child must not go on
    building (it would hold the pipeline database for minutes). The next run, a `tilsyn rebuild` of both days in one
    run, rebuilds everything (the killed build had other settings than the last successful one) and publishes the
    fresh build's marts.
    """
    # Back to the default settings: the run builds (a full refresh) and is killed once dbt has built 10 models.
    _copy_of_live(center, settings_changed, "killed-run")
    killed = subprocess.Popen(
        [TILSYN, *_args(center, "killed-run")],
        env=center["env"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    dbt_pids: list[int] = []
    try:
        for line in killed.stdout:
            if re.search(r"^\[dbt\]\s+10 built ", line):
                dbt_pids = _dbt_children(killed.pid)
                os.kill(killed.pid, signal.SIGKILL)
                break
        killed.stdout.close()
        killed.wait(timeout=60)
        assert killed.returncode == -signal.SIGKILL and len(dbt_pids) == 1, dbt_pids
        deadline = time.monotonic() + 10
        while _is_dbt_build(dbt_pids[0]) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _is_dbt_build(dbt_pids[0]), "dbt went on building after the run that started it was killed"
    finally:  # whatever happened, leave no orphan behind
        for pid in filter(_is_dbt_build, dbt_pids):
            os.kill(pid, signal.SIGKILL)

    rebuild = ["rebuild", "--from", DAY_1, "--to", DAY_2, *_args(center, "killed-run")[1:]]
    result = subprocess.run([TILSYN, *rebuild], env=center["env"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"tilsyn rebuild failed:\n{result.stdout[-5000:]}\n{result.stderr[-3000:]}"
    out = result.stdout
    assert f"rebuilding 2 local days, {DAY_1} to {DAY_2}, in one run" in out
    assert "[dbt] settings or dbt code changed since the last build: full refresh" in out
    warehouse = center["root"] / "killed-run" / "warehouse.duckdb"
    assert _last_basis(warehouse) == (True, [DAY_1, DAY_2], "success")
    assert marts_rows(warehouse) == settings_changed["default_marts"]
    loads = query(warehouse, "select count(*), count(distinct sha256) from ops.loaded_files")[0]
    assert loads[0] == loads[1] == sum(1 for p in center["landing"].glob("*/*") if p.is_file())
