"""Tilsyn's Dagster definitions: the pipeline job, its nightly schedule, the landing-folder sensor, the
daily-partitioned rebuild job, the resources.

`dagster dev` loads `defs` (pyproject `[tool.dagster]`); `tilsyn run` and `tilsyn rebuild` build the same definitions
with the paths of the command line and execute the pipeline job in process.
"""

from __future__ import annotations

import dagster as dg

from dagster_project.assets import (
    TILSYN_DBT_PROJECT,
    TilsynDbtCliResource,
    TilsynSettings,
    analyst_warehouse,
    dashboards,
    ingest_landing,
    interval_forecasts,
    reconciliation,
    source_conditions,
    source_freshness,
    staffing_plan,
    tilsyn_dbt_models,
)
from dagster_project.dbt_project import DBT_EXECUTABLE
from dagster_project.partitions import rebuild_days_config
from dagster_project.sensors import build_landing_sensor

PIPELINE_JOB_NAME = "tilsyn_pipeline"
REBUILD_DAYS_JOB_NAME = "tilsyn_rebuild_days"
# Every run of either job writes the one pipeline database. Runs that overlap take turns (each step waits for the
# database); with `concurrency: runs: tag_concurrency_limits: [{key: tilsyn/pipeline_db, limit: 1}]` in the
# instance's dagster.yaml, Dagster queues them instead.
PIPELINE_DB_TAGS = {"tilsyn/pipeline_db": "writer"}

pipeline_job = dg.define_asset_job(
    PIPELINE_JOB_NAME,
    selection=dg.AssetSelection.all(),
    description="Ingest new exports, dbt build, publish the analyst warehouse, render the dashboards.",
    tags=PIPELINE_DB_TAGS,
)


def build_definitions(tilsyn: TilsynSettings | None = None) -> dg.Definitions:
    tilsyn = tilsyn or TilsynSettings()
    settings = tilsyn.settings()
    nightly = dg.ScheduleDefinition(
        name="tilsyn_nightly",
        job=pipeline_job,
        cron_schedule=settings.schedule_cron,
        execution_timezone=settings.center_timezone,
        default_status=dg.DefaultScheduleStatus.RUNNING,
    )
    # Same steps as the pipeline job; a partition (a local day of the center) adds that day to the days dbt rebuilds.
    # A backfill from the job's page launches one run per day (the runs wait for each other's hold on the pipeline
    # database); one run over a range: `tilsyn rebuild --from --to`, or `tilsyn_pipeline` launched with the dbt
    # step's `rebuild_local_dates` config.
    rebuild_days_job = dg.define_asset_job(
        REBUILD_DAYS_JOB_NAME,
        selection=dg.AssetSelection.all(),
        config=rebuild_days_config(settings),
        tags=PIPELINE_DB_TAGS,
        description="Rebuild one local day of the center (a partition), then publish and render like the nightly run.",
    )
    return dg.Definitions(
        assets=[
            ingest_landing,
            tilsyn_dbt_models,
            interval_forecasts,
            staffing_plan,
            reconciliation,
            analyst_warehouse,
            dashboards,
        ],
        asset_checks=[source_freshness, source_conditions],
        jobs=[pipeline_job, rebuild_days_job],
        schedules=[nightly],
        sensors=[
            build_landing_sensor(
                pipeline_job, lambda _context: tilsyn.settings().landing_dir, settings.sensor_interval_seconds
            )
        ],
        resources={
            "tilsyn": tilsyn,
            "dbt": TilsynDbtCliResource(project_dir=TILSYN_DBT_PROJECT, dbt_executable=DBT_EXECUTABLE),
        },
    )


defs = build_definitions(TilsynSettings(config_file=None))
