"""The code location `bench/slice_benchmark.py` runs under a real `dagster-daemon` to time the landing sensor's pickup.

The project's definitions as deployed (dagster_project/definitions.py: its landing sensor asks for one process per
run, `in_process`), with the sensor looking every `TILSYN_BENCH_SENSOR_SECONDS` seconds
(`schedule.sensor_interval_seconds`). The run launcher is the instance's (its dagster.yaml): bench/slice_benchmark.py
`--launcher warm|default` (default warm, dagster_project/run_launcher.py, as the README recommends). Benchmark only.
"""

from __future__ import annotations

import os

if "TILSYN_BENCH_SENSOR_SECONDS" in os.environ:  # else the project's default
    os.environ.setdefault("TILSYN_SENSOR_INTERVAL_SECONDS", os.environ["TILSYN_BENCH_SENSOR_SECONDS"])

from dagster_project.definitions import defs  # noqa: E402 - the interval is read when the definitions are built

__all__ = ["defs"]
