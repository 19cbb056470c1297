"""A Dagster run launcher that starts each run from a warm process (issue 21: the sensor's pickup).

Dagster's code server starts every run in a new Python process (multiprocessing "spawn", hard-coded in
dagster/_grpc/server.py) that imports Dagster, dagster-dbt and the instance's storages before the first step: 4-6 s of
the 15-21 s from a slice landing to its run's first step. `WarmRunLauncher` forks each run instead from a
multiprocessing *forkserver* that imported those third-party modules once, when the launcher was made; the run's child
then imports only the project's own modules (`dagster_project`, `ingest`, `dashboards`), so each run gets the current
project code without restarting the daemon (a change of the environment, `uv sync`, needs a daemon restart, as the
daemon itself does).

A deployment names it in `$DAGSTER_HOME/dagster.yaml` (dagster_project/dagster.yaml.example):

    run_launcher:
      module: dagster_project.run_launcher
      class: WarmRunLauncher

The child executes the run as `dagster api execute_run` does (that command's own function), records its pid on the
run (tags `tilsyn/run_worker_pid`, `tilsyn/forkserver_pid`, `tilsyn/run_worker_host`), and `terminate` (the UI's
Terminate button, from the webserver's process) sends it SIGINT: what Dagster's own termination does to a run's
process (dagster/_grpc/impl.py's termination thread), so the run ends CANCELED and dagster-dbt stops dbt. A run it
cannot start warm (an origin with another Python executable, no Python origin) goes to Dagster's DefaultRunLauncher,
and the run's event log says so.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import multiprocessing.process
import os
import signal
import socket
import sys
import threading
from collections.abc import Mapping
from typing import Any

from dagster import _check as check
from dagster._core.events import EngineEventData
from dagster._core.launcher import DefaultRunLauncher, LaunchRunContext, RunLauncher
from dagster._core.launcher.base import CheckRunHealthResult, WorkerStatus
from dagster._core.storage.dagster_run import DagsterRun
from dagster._core.storage.tags import GRPC_INFO_TAG
from dagster._serdes import ConfigurableClass, ConfigurableClassData

RUN_WORKER_PID_TAG = "tilsyn/run_worker_pid"
FORKSERVER_PID_TAG = "tilsyn/forkserver_pid"
RUN_WORKER_HOST_TAG = "tilsyn/run_worker_host"

# What the forkserver imports once. Third-party only (the project's modules are imported by each run), and nothing
# that starts a thread at import: a forked child gets only the thread that forked it, so a pool or lock held by
# another thread would be lost or stuck in every run. polars is left out for that reason (its import starts jemalloc's
# background threads and an out-of-core cleaner thread; 0.2 s per run). tests/dagster_project/test_run_launcher.py
# checks that importing this list starts no thread. `dagster_project.dbt_core_imports` comes first: it installs
# the finder that keeps dbt-core's modules out of dagster-dbt (that module and the package's __init__ are the
# project's only preloaded code).
PRELOADED_MODULES = (
    "dagster_project.dbt_core_imports",
    "dagster",
    "dagster._cli.api",
    "dagster._core.execution.api",
    "dagster._core.storage.runs.sqlite",
    "dagster._core.storage.event_log.sqlite",
    "dagster._core.storage.schedules.sqlite",
    "dagster._core.storage.local_compute_log_manager",
    "dagster_dbt",
    "duckdb",
    "plotly.graph_objects",
    "plotly.io",
    "pydantic",
    "sqlglot",
    "yaml",
)

_forkserver_lock = threading.Lock()


def start_forkserver() -> multiprocessing.context.BaseContext:
    """The forkserver context, its server started (importing PRELOADED_MODULES) if it was not yet: once per process."""
    with _forkserver_lock:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(PRELOADED_MODULES))
        multiprocessing.forkserver.ensure_running()
        return context


def forkserver_pid() -> int | None:
    return getattr(multiprocessing.forkserver._forkserver, "_forkserver_pid", None)


def rss_mib(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _parent_pid(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _execute_run(execute_run_args_json: str) -> None:
    """The run worker: runs in a child of the forkserver, as `dagster api execute_run <args>` would in a new process."""
    from dagster._cli.api import execute_run_command

    execute_run_command.callback(input_json=execute_run_args_json, compressed_input_json=None)


class WarmRunLauncher(RunLauncher, ConfigurableClass):
    """Launches each run in a process forked from a warm forkserver (module docstring)."""

    def __init__(self, inst_data: ConfigurableClassData | None = None):
        self._inst_data = inst_data
        self._default = DefaultRunLauncher()
        self._workers: dict[str, multiprocessing.process.BaseProcess] = {}
        super().__init__()
        # started at once, in the background. Dagster makes the launcher when it first needs it (in the daemon: the
        # first dequeue), so the first run after a daemon start waits for the imports (2.4 s measured), no later one.
        threading.Thread(target=start_forkserver, name="tilsyn-forkserver-start", daemon=True).start()

    @property
    def inst_data(self) -> ConfigurableClassData | None:
        return self._inst_data

    @classmethod
    def config_type(cls) -> dict:
        return {}

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData, config_value: Mapping[str, Any]) -> WarmRunLauncher:
        return cls(inst_data=inst_data)

    def register_instance(self, instance) -> None:
        super().register_instance(instance)
        self._default.register_instance(instance)

    # --- launching ----------------------------------------------------------------------------------------------------
    def why_not_warm(self, run: DagsterRun) -> str | None:
        """None if the run can be forked from this process's forkserver, else why not."""
        origin = run.job_code_origin
        if origin is None:
            return "the run has no Python origin"
        executable = origin.repository_origin.executable_path
        if os.path.abspath(executable) != os.path.abspath(sys.executable):
            return f"its code location runs {executable}, the launcher {sys.executable}"
        return None

    def launch_run(self, context: LaunchRunContext) -> None:
        from dagster._grpc.types import ExecuteRunArgs
        from dagster._serdes import serialize_value

        run = context.dagster_run
        reason = self.why_not_warm(run)
        if reason:
            self._instance.report_engine_event(
                f"{reason}: launching the run as Dagster's default run launcher does "
                "(a new process from the code server).",
                run,
                cls=self.__class__,
            )
            self._default.launch_run(context)
            return

        self._forget_ended_workers()
        args = ExecuteRunArgs(
            job_origin=check.not_none(run.job_code_origin),
            run_id=run.run_id,
            instance_ref=self._instance.get_ref(),
            set_exit_code_on_failure=None,
        )
        worker = start_forkserver().Process(
            target=_execute_run, args=(serialize_value(args),), name=f"dagster-run-{run.run_id}"
        )
        worker.start()
        # The run outlives a daemon that stops (as with Dagster's launcher): not joined at this process's exit.
        multiprocessing.process._children.discard(worker)
        self._workers[run.run_id] = worker
        server_pid = check.not_none(forkserver_pid())
        self._instance.add_run_tags(
            run.run_id,
            {
                RUN_WORKER_PID_TAG: str(worker.pid),
                FORKSERVER_PID_TAG: str(server_pid),
                RUN_WORKER_HOST_TAG: socket.gethostname(),
            },
        )
        server_rss = rss_mib(server_pid)
        self._instance.report_engine_event(
            f"Run forked from the forkserver (pid {server_pid}, "
            f"{server_rss or 0:.0f} MiB resident) as pid {worker.pid}.",
            run,
            EngineEventData(
                {"run worker pid": str(worker.pid), "forkserver pid": str(server_pid)}
                | ({"forkserver resident MiB": f"{server_rss:.0f}"} if server_rss else {})
            ),
            cls=self.__class__,
        )

    def _forget_ended_workers(self) -> None:
        for run_id, worker in list(self._workers.items()):
            if worker.exitcode is not None:
                worker.close()
                del self._workers[run_id]

    # --- another process's view: terminate, health --------------------------------------------------------------------
    def _worker_pid(self, run: DagsterRun) -> tuple[int | None, str | None]:
        """The run's worker pid if it is alive here and still the forkserver's child, else why not."""
        tags = run.tags
        if RUN_WORKER_PID_TAG not in tags:
            return None, "no run worker pid recorded on the run"
        if tags.get(RUN_WORKER_HOST_TAG) != socket.gethostname():
            return None, f"the run worker is on host {tags.get(RUN_WORKER_HOST_TAG)}, not this one"
        pid = int(tags[RUN_WORKER_PID_TAG])
        parent = _parent_pid(pid)
        if parent is None:
            return None, f"the run worker (pid {pid}) has exited"
        if str(parent) != tags.get(FORKSERVER_PID_TAG):  # the pid was reused by another process
            return None, f"pid {pid} is no longer the run worker"
        return pid, None

    def terminate(self, run_id: str) -> bool:
        check.str_param(run_id, "run_id")
        run = self._instance.get_run_by_id(run_id)
        if not run or run.is_finished:
            return False
        if RUN_WORKER_PID_TAG not in run.tags and GRPC_INFO_TAG in run.tags:  # launched by the fallback
            return self._default.terminate(run_id)
        self._instance.report_run_canceling(run)
        pid, why_not = self._worker_pid(run)
        if pid is None:
            self._instance.report_engine_event(f"Cannot terminate the run: {why_not}.", run, cls=self.__class__)
            return False
        # What Dagster's code server does to terminate a run's process: SIGINT, raised in the run as an interrupt.
        os.kill(pid, signal.SIGINT)
        self._instance.report_engine_event(f"Sent SIGINT to the run worker (pid {pid}).", run, cls=self.__class__)
        return True

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run: DagsterRun) -> CheckRunHealthResult:
        if RUN_WORKER_PID_TAG not in run.tags:
            return CheckRunHealthResult(WorkerStatus.UNKNOWN, "not launched by the warm launcher")
        pid, why_not = self._worker_pid(run)
        if pid is None:
            return CheckRunHealthResult(WorkerStatus.NOT_FOUND, why_not)
        return CheckRunHealthResult(WorkerStatus.RUNNING, f"pid {pid} alive", run_worker_id=str(pid))

    def join(self, timeout: int = 30) -> None:
        for worker in list(self._workers.values()):
            worker.join(timeout)
