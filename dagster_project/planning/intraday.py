"""The intraday reforecast: the rest of today's forecast scaled by how the day has run so far, and the agents it needs.

Plain functions over Polars frames; the "today" pages (dashboards/today.py) call them on every render.

- The forecast is the one made after the last complete day (ops.interval_forecasts); it is never refitted intraday.
- Pace per queue = actual offered so far / forecast offered so far. "So far" ends at the data's cutoff: an interval
  the cutoff cuts counts its forecast pro rata (a 15-minute interval with 5 minutes before the cutoff counts a third),
  since its calls up to the cutoff are already counted. No forecast so far (before the first forecast call): pace
  unknown, the rest of the day keeps its forecast.
- Reforecast offered = forecast offered x pace, for every interval that ends after the cutoff (the one it cuts
  included: it is not over). Forecast AHT is kept (the usual method scales volume only).
- Required agents per remaining interval come from the staffing plan's own model (staffing_plan.plan_intervals: Erlang
  A with the queue's patience, else Erlang C), compared with the scheduled agents the same way as the plan.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl

from dagster_project.planning.staffing_plan import PlanSettings, plan_intervals

PACE_SCHEMA = {
    "queue": pl.String,
    "actual_offered_so_far": pl.Int64,
    "forecast_offered_so_far": pl.Float64,
    "pace": pl.Float64,
}


def share_before(interval_start: datetime, interval_seconds: int, cutoff: datetime) -> float:
    """The share of an interval that lies before the cutoff: 1 for an interval over, 0 for one not begun."""
    end = interval_start + timedelta(seconds=interval_seconds)
    if end <= cutoff:
        return 1.0
    if interval_start >= cutoff:
        return 0.0
    return (cutoff - interval_start).total_seconds() / interval_seconds


def pace_so_far(forecast: pl.DataFrame, actual: pl.DataFrame, cutoff: datetime) -> pl.DataFrame:
    """Per queue: offered so far, forecast so far and their ratio (NULL without a forecast so far).

    forecast: queue, interval_start (local), interval_seconds, forecast_offered (today's intervals).
    actual: queue, offered (contacts offered before the cutoff). `cutoff` is local time, as `interval_start`.
    """
    forecast_so_far: dict[str, float] = {}
    for queue, start, seconds, offered in forecast.select(
        "queue", "interval_start", "interval_seconds", "forecast_offered"
    ).iter_rows():
        forecast_so_far[queue] = forecast_so_far.get(queue, 0.0) + (offered or 0.0) * share_before(
            start, seconds, cutoff
        )
    actual_so_far = dict(zip(actual["queue"].to_list(), actual["offered"].to_list(), strict=True))
    rows = []
    for queue in sorted(set(forecast_so_far) | set(actual_so_far)):
        expected = forecast_so_far.get(queue)
        offered = int(actual_so_far.get(queue) or 0)
        rows.append(
            {
                "queue": queue,
                "actual_offered_so_far": offered,
                "forecast_offered_so_far": expected,
                "pace": offered / expected if expected else None,
            }
        )
    return pl.DataFrame(rows, schema=PACE_SCHEMA)


def reforecast_rest_of_day(forecast: pl.DataFrame, pace: pl.DataFrame, cutoff: datetime) -> pl.DataFrame:
    """Today's intervals that end after the cutoff, with `reforecast_offered` = forecast offered x the queue's pace
    (the forecast itself where the pace is unknown). Columns of `forecast` are kept."""
    rest = forecast.filter(
        pl.col("interval_start") + pl.duration(seconds=pl.col("interval_seconds")) > pl.lit(cutoff)
    ).join(pace.select("queue", "pace"), on="queue", how="left")
    return rest.with_columns(
        (pl.col("forecast_offered") * pl.col("pace").fill_null(1.0)).alias("reforecast_offered")
    ).sort("queue", "interval_start")


def required_for_rest_of_day(
    rest: pl.DataFrame,
    scheduled: pl.DataFrame,
    patience: pl.DataFrame,
    unplanned_shrinkage: float,
    settings: PlanSettings,
    is_scheduled: bool = True,
) -> pl.DataFrame:
    """Per queue and remaining interval: required agents for the reforecast and for the forecast, and the scheduled
    agents against them (the plan's columns: required_scheduled_agents, scheduled_agents, schedule_gap_agents).

    rest: reforecast_rest_of_day's frame (queue, interval_start, local_date, interval_seconds, forecast_offered,
    reforecast_offered, forecast_aht_seconds). scheduled: queue, interval_start, scheduled_agents (work segments,
    time-weighted, allocated to queues). patience: queue, patience_seconds. Intervals are keyed by their local start:
    the forecast knows no other key. `is_scheduled` False (no schedule published for the day): no scheduled agents
    and no gap, never 0.
    """
    columns = ["queue", "interval_start", "local_date", "interval_seconds", "forecast_aht_seconds"]
    keyed = rest.with_columns(pl.col("interval_start").alias("interval_start_at"))
    supply = scheduled.select("queue", pl.col("interval_start").alias("interval_start_at"), "scheduled_agents")
    last_day = rest["local_date"].max() if rest.height and is_scheduled else None

    def plan(offered: str) -> pl.DataFrame:
        frame = keyed.select(*columns, "interval_start_at", pl.col(offered).alias("forecast_offered"))
        return plan_intervals(frame, supply, patience, unplanned_shrinkage, last_day, settings)

    reforecast, original = plan("reforecast_offered"), plan("forecast_offered")
    return (
        reforecast.select(
            "queue",
            "interval_start",
            "staffing_model",
            "required_agents",
            "required_scheduled_agents",
            "scheduled_agents",
            "schedule_gap_agents",
            "projected_service_level",
        )
        .join(
            original.select(
                "queue",
                "interval_start",
                pl.col("required_scheduled_agents").alias("forecast_required_scheduled_agents"),
            ),
            on=["queue", "interval_start"],
        )
        .join(
            rest.select("queue", "interval_start", "forecast_offered", "reforecast_offered"),
            on=["queue", "interval_start"],
        )
        .sort("queue", "interval_start")
    )
