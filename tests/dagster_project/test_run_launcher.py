"""The warm run launcher (dagster_project/run_launcher.py) on a real instance and a real code server: a run forked from
the forkserver succeeds and its step runs in the forkserver's child; a second instance object (as the webserver's)
terminates a running run; a run it cannot start warm goes to Dagster's default launcher. One instance, one code
server, one forkserver for the module."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.storage.tags import GRPC_INFO_TAG
from dagster._core.test_utils import create_run_for_test
from dagster._core.workspace.context import WorkspaceProcessContext
from dagster._core.workspace.load_target import ModuleTarget

from dagster_project import run_launcher
from dagster_project.run_launcher import FORKSERVER_PID_TAG, PRELOADED_MODULES, RUN_WORKER_PID_TAG

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCATION = "launcher_jobs"
ENDED = (dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED)
TIMEOUT_SECONDS = 60


@pytest.fixture(scope="module")
def dagster(tmp_path_factory: pytest.TempPathFactory):
    home = tmp_path_factory.mktemp("launcher_home")
    (home / "dagster.yaml").write_text(
        "telemetry:\n  enabled: false\n"
        "run_launcher:\n  module: dagster_project.run_launcher\n  class: WarmRunLauncher\n"
    )
    with dg.DagsterInstance.from_config(str(home)) as instance:
        target = ModuleTarget(
            module_name="tests.dagster_project.launcher_jobs",
            attribute=None,
            working_directory=str(REPO_ROOT),
            location_name=LOCATION,
        )
        with WorkspaceProcessContext(instance, target) as workspace:
            yield {"home": home, "instance": instance, "workspace": workspace}


def _launch(dagster: dict, job_name: str, run_config: dict, executable: str | None = None) -> dg.DagsterRun:
    instance, context = dagster["instance"], dagster["workspace"].create_request_context()
    location = context.get_code_location(LOCATION)
    remote_job = location.get_repository("__repository__").get_full_job(job_name)
    python_origin = remote_job.get_python_origin()
    if executable:  # as if the code location ran another Python
        repository = python_origin.repository_origin._replace(executable_path=executable)
        python_origin = python_origin._replace(repository_origin=repository)
    run = create_run_for_test(
        instance,
        job_name=job_name,
        run_config=run_config,
        job_snapshot=remote_job.job_snapshot,
        remote_job_origin=remote_job.get_remote_origin(),
        job_code_origin=python_origin,
    )
    instance.launch_run(run.run_id, context)
    return run


def _wait(instance: dg.DagsterInstance, run_id: str, statuses) -> dg.DagsterRun:
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        run = instance.get_run_by_id(run_id)
        if run.status in statuses:
            return run
        time.sleep(0.2)
    logs = "\n".join(str(event.message) for event in instance.all_logs(run_id))
    raise AssertionError(f"run {run_id} still {run.status}:\n{logs[-4000:]}")


def _engine_messages(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    return [e.message for e in instance.all_logs(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT)]


def test_a_run_is_forked_from_the_forkserver_and_succeeds(dagster: dict, tmp_path: Path) -> None:
    out = tmp_path / "process.json"
    run = _launch(dagster, "report_process_job", {"ops": {"report_process": {"config": {"out": str(out)}}}})
    instance = dagster["instance"]
    finished = _wait(instance, run.run_id, ENDED)
    assert finished.status == dg.DagsterRunStatus.SUCCESS, _engine_messages(instance, run.run_id)
    step = json.loads(out.read_text())
    # the step ran in the run worker (Dagster's in-process executor: no process per step), a child of the forkserver
    assert step["pid"] == int(finished.tags[RUN_WORKER_PID_TAG])
    assert step["ppid"] == int(finished.tags[FORKSERVER_PID_TAG]) == run_launcher.forkserver_pid()
    assert step["ppid"] != os.getpid()
    messages = _engine_messages(instance, run.run_id)
    assert any("Run forked from the forkserver" in m for m in messages), messages
    assert f"Started process for run (pid: {step['pid']})." in messages  # `dagster api execute_run`'s own event


def test_a_second_instance_terminates_a_running_run(dagster: dict, tmp_path: Path) -> None:
    started = tmp_path / "started"
    run = _launch(
        dagster, "wait_until_terminated_job", {"ops": {"wait_until_terminated": {"config": {"started": str(started)}}}}
    )
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert started.exists(), _engine_messages(dagster["instance"], run.run_id)
    # another DagsterInstance object on the same DAGSTER_HOME, as the webserver's Terminate button uses
    with dg.DagsterInstance.from_config(str(dagster["home"])) as webserver:
        assert webserver.run_coordinator.cancel_run(run.run_id)
        ended = _wait(webserver, run.run_id, ENDED)
    assert ended.status == dg.DagsterRunStatus.CANCELED
    pid = int(started.read_text())
    deadline = time.monotonic() + 10
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:  # reaped by the forkserver
        time.sleep(0.1)
    assert not Path(f"/proc/{pid}").exists()
    # finished: nothing more to terminate, and the health check says the worker is gone
    assert not dagster["instance"].run_launcher.terminate(run.run_id)


def test_a_run_it_cannot_fork_goes_to_the_default_launcher(dagster: dict, tmp_path: Path) -> None:
    out = tmp_path / "process.json"
    run = _launch(
        dagster,
        "report_process_job",
        {"ops": {"report_process": {"config": {"out": str(out)}}}},
        executable="/opt/another-venv/bin/python",
    )
    instance = dagster["instance"]
    finished = _wait(instance, run.run_id, ENDED)
    assert finished.status == dg.DagsterRunStatus.SUCCESS, _engine_messages(instance, run.run_id)
    assert GRPC_INFO_TAG in finished.tags and RUN_WORKER_PID_TAG not in finished.tags
    messages = _engine_messages(instance, run.run_id)
    assert any("launching the run as Dagster's default run launcher does" in m for m in messages), messages
    assert json.loads(out.read_text())["ppid"] != run_launcher.forkserver_pid()  # the code server's spawned process


def test_the_preloaded_modules_start_no_thread() -> None:
    """A forked child keeps only the forking thread: what the forkserver imports must not start one."""
    script = (
        "import importlib, os, sys\n"
        f"for name in {list(PRELOADED_MODULES)!r}: importlib.import_module(name)\n"
        "print(len(os.listdir('/proc/self/task')), 'polars' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=REPO_ROOT)
    assert result.stdout.split() == ["1", "False"], result.stdout
