"""Daily partitions: one local day of the center, re-run or backfilled alone from Dagster.

A partition of job `tilsyn_rebuild_days` is a local day in the center's time zone. Its run is the whole pipeline
(ingest, dbt build, publish, dashboards) with the dbt var `rebuild_local_dates` set to that day, so the incremental
models rebuild the day's rows from staging besides any new rows. The assets themselves stay unpartitioned: the
nightly job and `tilsyn run` build everything new in one run, and a partition only says which days to redo.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import dagster as dg

from dagster_project.assets import tilsyn_dbt_models
from dagster_project.settings import Settings


def rebuild_run_config(local_dates: list[str]) -> dict[str, Any]:
    """Run configuration that makes the dbt step rebuild `local_dates` (ISO dates)."""
    return {"ops": {tilsyn_dbt_models.op.name: {"config": {"rebuild_local_dates": local_dates}}}}


def rebuild_days_config(settings: Settings) -> dg.PartitionedConfig:
    """Daily partitions from `[schedule] rebuild_first_day` to today (local), each run rebuilding its own day."""
    days = dg.DailyPartitionsDefinition(
        start_date=settings.rebuild_first_day.isoformat(),
        timezone=settings.center_timezone,
        end_offset=1,  # today is a partition too: a day can be redone before it is over
    )
    return dg.PartitionedConfig(
        partitions_def=days, run_config_for_partition_key_fn=lambda key: rebuild_run_config([key])
    )


def local_dates_between(first: date, last: date) -> list[str]:
    """Every day from `first` to `last`, both included, as ISO dates."""
    if last < first:
        raise ValueError(f"--to {last} is before --from {first}")
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]
