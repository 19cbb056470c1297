"""Jobs for tests/dagster_project/test_run_launcher.py, loaded by a real code server (a module, so a run can be
rebuilt from its Python origin)."""

import json
import os
import sys
import time
from pathlib import Path

import dagster as dg


@dg.op(config_schema={"out": str})
def report_process(context: dg.OpExecutionContext) -> None:
    """Writes where the step ran: its pid, its parent's pid, and whether polars (not preloaded) was imported yet."""
    Path(context.op_config["out"]).write_text(
        json.dumps({"pid": os.getpid(), "ppid": os.getppid(), "polars_loaded": "polars" in sys.modules})
    )


@dg.op(config_schema={"started": str})
def wait_until_terminated(context: dg.OpExecutionContext) -> None:
    Path(context.op_config["started"]).write_text(str(os.getpid()))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # the interrupt ends it (the test's terminate)
        time.sleep(0.1)


@dg.job(executor_def=dg.in_process_executor)  # as the project's runs: the step in the run worker
def report_process_job() -> None:
    report_process()


@dg.job(executor_def=dg.in_process_executor)  # as the project's runs: the step in the run worker
def wait_until_terminated_job() -> None:
    wait_until_terminated()


defs = dg.Definitions(jobs=[report_process_job, wait_until_terminated_job])
