"""A sensor on the landing folder: one pipeline run per batch of new or changed export files.

The sensor never opens a database (the pipeline may hold the write lock): it fingerprints the landing folder (every
file's path, size and modification time) and compares it with its cursor. A changed fingerprint launches one run whose
run key is the fingerprint, so a batch of files dropped together gives exactly one run, and a re-evaluated tick never
launches a second. Ingest itself is idempotent (files are loaded once by content hash), so a run over a folder that
has not really changed is a no-op. While a pipeline run is in progress the sensor waits and keeps its cursor.
"""

import hashlib
import os
from pathlib import Path

import dagster as dg

from ingest.contracts import SOURCES

EXPORT_SUFFIXES = (".csv", ".csv.gz", ".parquet")
IN_PROCESS_RUN_CONFIG = {"execution": {"config": {"in_process": {}}}}


def landing_fingerprint(landing_dir: Path) -> tuple[str, int]:
    """(hex digest, file count) of the export files under `landing_dir/<source>/`."""
    digest = hashlib.sha256()
    count = 0
    for source in sorted(SOURCES):
        try:
            # scandir: the entry's type comes from the directory listing, so a file costs one stat (its size and
            # time), not two Path calls (is_file and stat) and a Path object each; a tick runs every few seconds
            # over every file landed so far (a year of 15-minute slices is ~70,000)
            with os.scandir(landing_dir / source) as listing:
                entries = sorted((e for e in listing if e.name.endswith(EXPORT_SUFFIXES)), key=lambda e: e.name)
        except (FileNotFoundError, NotADirectoryError):
            continue
        lines = []
        for entry in entries:
            if entry.is_file():
                stat = entry.stat()
                lines.append(f"{source}/{entry.name}\0{stat.st_size}\0{stat.st_mtime_ns}\n")
        digest.update("".join(lines).encode())
        count += len(lines)
    return digest.hexdigest()[:16], count


# Dagster's sensor daemon wakes every 5 s (dagster/_daemon/sensor.py MIN_INTERVAL_LOOP_TIME) and evaluates a sensor
# when `minimum_interval_seconds` have passed since its last tick began. A wake-up lands a few milliseconds either side
# of the interval, so a 5 s interval ticked every 5 or 10 s (measured at 1,000 agents: 5.0 s median, 10.0 s max, the
# late ticks adding up to 5 s to a slice's pickup). One second of tolerance keeps the ticks on the interval asked for.
SENSOR_TICK_TOLERANCE_SECONDS = 1


def sensor_minimum_interval(interval_seconds: int) -> int:
    """Dagster's `minimum_interval_seconds` for a sensor that should look every `interval_seconds`."""
    return max(1, interval_seconds - SENSOR_TICK_TOLERANCE_SECONDS)


def build_landing_sensor(job, landing_dir_of, interval_seconds: int = 60) -> dg.SensorDefinition:
    """`landing_dir_of(context)` gives the folder to watch (from the deployment's settings); the sensor looks every
    `interval_seconds` (`schedule.sensor_interval_seconds`)."""

    @dg.sensor(
        name="tilsyn_landing_sensor",
        job=job,
        minimum_interval_seconds=sensor_minimum_interval(interval_seconds),
        default_status=dg.DefaultSensorStatus.RUNNING,
    )
    def landing_sensor(context: dg.SensorEvaluationContext):
        landing_dir = landing_dir_of(context)
        if not landing_dir.is_dir():
            return dg.SkipReason(f"landing folder {landing_dir} does not exist")
        fingerprint, count = landing_fingerprint(landing_dir)
        if fingerprint == context.cursor:
            return dg.SkipReason(f"no new files in {landing_dir} ({count} known)")
        in_progress = context.instance.get_runs(
            filters=dg.RunsFilter(
                job_name=job.name,
                statuses=[dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING],
            ),
            limit=1,
        )
        if in_progress:
            return dg.SkipReason("a pipeline run is in progress; new files wait for the next tick")
        context.update_cursor(fingerprint)
        return dg.RunRequest(
            run_key=f"landing-{fingerprint}",
            # one process for the whole run, as `tilsyn run`: a step's own process costs 5-20 s of start-up, which a
            # 15-minute slice cannot afford (issue 21)
            run_config=IN_PROCESS_RUN_CONFIG,
            tags={"tilsyn/trigger": "landing", "tilsyn/files": str(count)},
        )

    return landing_sensor
