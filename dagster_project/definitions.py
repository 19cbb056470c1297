"""Tilsyn's Dagster definitions: the pipeline job, its nightly schedule, the landing-folder sensor, the resources.

`dagster dev` loads `defs` (pyproject `[tool.dagster]`); `tilsyn run` builds the same definitions with the paths of
the command line and executes the job in process.
"""

from __future__ import annotations

import dagster as dg
from dagster_dbt import DbtCliResource

from dagster_project.assets import (
    TilsynSettings,
    analyst_warehouse,
    dashboards,
    ingest_landing,
    reconciliation,
    source_freshness,
    tilsyn_dbt_models,
)
from dagster_project.dbt_project import DBT_EXECUTABLE, TILSYN_DBT_PROJECT
from dagster_project.sensors import build_landing_sensor
from dagster_project.settings import load_settings

PIPELINE_JOB_NAME = "tilsyn_pipeline"

pipeline_job = dg.define_asset_job(
    PIPELINE_JOB_NAME,
    selection=dg.AssetSelection.all(),
    description="Ingest new exports, dbt build, publish the analyst warehouse, render the dashboards.",
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
    return dg.Definitions(
        assets=[ingest_landing, tilsyn_dbt_models, analyst_warehouse, dashboards],
        asset_checks=[source_freshness, reconciliation],
        jobs=[pipeline_job],
        schedules=[nightly],
        sensors=[build_landing_sensor(pipeline_job, lambda _context: tilsyn.settings().landing_dir)],
        resources={
            "tilsyn": tilsyn,
            "dbt": DbtCliResource(project_dir=TILSYN_DBT_PROJECT, dbt_executable=DBT_EXECUTABLE),
        },
    )


defs = build_definitions(TilsynSettings(config_file=None))
