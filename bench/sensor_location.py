"""The code location `bench/slice_benchmark.py` runs under a real `dagster-daemon` to time the landing sensor's pickup.

The project's assets, resources and landing sensor (dagster_project/definitions.py), with two settings of the
unmerged branch wt/sensor applied here: the pipeline job runs in one process (that branch's sensor asks for
`in_process`; without it every step starts a process of its own, 5-20 s each) and the sensor looks every
`TILSYN_BENCH_SENSOR_SECONDS` seconds (that branch's `schedule.sensor_interval_seconds`). Benchmark only.
"""

from __future__ import annotations

import os

import dagster as dg

import dagster_project.sensors as sensors
from dagster_project.definitions import PIPELINE_DB_TAGS, PIPELINE_JOB_NAME, build_definitions

INTERVAL_SECONDS = int(os.environ.get("TILSYN_BENCH_SENSOR_SECONDS", "15"))


def _definitions() -> dg.Definitions:
    project = build_definitions()  # not at module scope: Dagster loads the one Definitions object found there
    job = dg.define_asset_job(
        PIPELINE_JOB_NAME,
        selection=dg.AssetSelection.all(),
        tags=PIPELINE_DB_TAGS,
        executor_def=dg.in_process_executor,
    )
    decorator = sensors.dg.sensor

    def sensor_every(*args, **kwargs):
        return decorator(*args, **{**kwargs, "minimum_interval_seconds": INTERVAL_SECONDS})

    sensors.dg.sensor = sensor_every  # only while the sensor below is built
    try:
        sensor = sensors.build_landing_sensor(job, lambda _context: project.resources["tilsyn"].settings().landing_dir)
    finally:
        sensors.dg.sensor = decorator
    return dg.Definitions(
        assets=list(project.assets or []),
        asset_checks=list(project.asset_checks or []),
        jobs=[job],
        sensors=[sensor],
        resources=project.resources,
    )


defs = _definitions()
