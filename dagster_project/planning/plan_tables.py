"""The staffing plan's tables in the pipeline database, rewritten by every run after the forecast.

- `ops.staffing_plan_interval`: per queue and future interval of the newest forecast (its chosen method): forecast
  offered and AHT, required agents (Erlang A or C), required scheduled agents, the published schedule's agents, the
  gap, projected service level and abandonment, and a status (`under`, `over`, `within`, `no_demand`,
  `not_yet_scheduled` beyond the last published schedule day).
- `ops.staffing_break_moves`: breaks and lunches in understaffed intervals that could move to a neighbouring interval
  with agents to spare, with the projected service level before and after.
- `ops.staffing_plan_summary`: one row: the origin, the understaffed intervals and shortfall before and after moving
  those breaks.

A plan is what the forecast and schedule say now, not history, so each run replaces the three tables (`ops` is
published to the analyst warehouse with the marts). Inputs: `ops.interval_forecasts` (dagster_project/forecasting),
`intermediate.int_queue_patience`, `intermediate.int_agent_daily_seconds` (unplanned shrinkage over
`shrinkage_history_weeks`), `marts.fct_schedule_segments` and `marts.fct_contact_legs` (each agent's share of handled
legs per queue, as `kpi_staffing_interval` allocates agents to queues).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from dagster_project.planning.staffing_plan import PlanSettings, plan_intervals, suggest_break_moves

PLAN_TABLE, MOVES_TABLE, SUMMARY_TABLE = (
    "ops.staffing_plan_interval",
    "ops.staffing_break_moves",
    ("ops.staffing_plan_summary"),
)


@dataclass
class PlanReport:
    origin: object
    intervals: int
    understaffed_before: int
    understaffed_after: int
    breaks_moved: int
    seconds: float

    def line(self) -> str:
        if self.origin is None:
            return f"no forecast yet: no staffing plan ({self.seconds:.1f} s)"
        return (
            f"plan from the forecast made at {self.origin}: {self.intervals:,} queue-intervals, "
            f"{self.understaffed_before:,} understaffed, {self.understaffed_after:,} after moving "
            f"{self.breaks_moved:,} breaks ({self.seconds:.1f} s)"
        )


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pl.DataFrame:
    columns = con.execute(sql, params or []).fetchnumpy()
    # text comes as numpy objects (an empty result would stay untyped): make it Polars text
    frame = pl.DataFrame(
        [
            pl.Series(k, v.tolist(), dtype=pl.String) if v.dtype == object else pl.Series(k, v)
            for k, v in columns.items()
        ]
    )
    # numpy has no date type: DuckDB's dates arrive as datetimes
    return frame.with_columns(pl.col(c).cast(pl.Date) for c in frame.columns if c == "local_date")


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [schema, name]
        ).fetchall()[0][0]
    )


def _replace(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, folder: Path) -> None:
    # no pyarrow in the environment: Polars writes Parquet, DuckDB reads it
    path = folder / f"{table}.parquet"
    frame.write_parquet(path)
    con.execute(f"create or replace table {table} as select * from read_parquet(?)", [str(path)])


def write_staffing_plan(
    pipeline_db: Path,
    metrics: dict,
    progress: Callable[[str], None] = lambda line: None,
) -> PlanReport:
    started = time.perf_counter()
    settings = PlanSettings.from_metrics(metrics)
    timezone = metrics["center_timezone"]
    weeks = int(metrics["shrinkage_history_weeks"])
    con = duckdb.connect(str(pipeline_db))
    try:
        if not _table_exists(con, "ops", "interval_forecasts") or not _table_exists(
            con, "marts", "fct_schedule_segments"
        ):
            return PlanReport(None, 0, 0, 0, 0, time.perf_counter() - started)
        (origin,) = con.execute("select max(origin_date) from ops.interval_forecasts").fetchall()[0]
        if origin is None:
            return PlanReport(None, 0, 0, 0, 0, time.perf_counter() - started)
        forecast = _frame(
            con,
            f"""
            select queue,
                   ((interval_start at time zone '{timezone}') at time zone 'UTC') as interval_start_at,
                   interval_start, local_date, interval_minutes * 60 as interval_seconds,
                   offered_forecast as forecast_offered, aht_seconds_forecast as forecast_aht_seconds
            from ops.interval_forecasts
            where origin_date = ? and is_chosen and local_date > ?
            """,
            [origin, origin],
        )
        patience = (
            _frame(con, "select queue, patience_seconds from intermediate.int_queue_patience")
            if _table_exists(con, "intermediate", "int_queue_patience")
            else pl.DataFrame(schema={"queue": pl.String, "patience_seconds": pl.Float64})
        )
        (unplanned,) = con.execute(
            f"""
            select sum(unplanned_shrinkage_seconds) / nullif(sum(paid_scheduled_seconds), 0)
            from intermediate.int_agent_daily_seconds
            where local_date <= ? and local_date > ? - interval {7 * weeks} day
            """,
            [origin, origin],
        ).fetchall()[0]
        shares = _frame(
            con,
            """
            select agent_id, queue, count(*) / sum(count(*)) over (partition by agent_id) as queue_share
            from marts.fct_contact_legs
            where is_handled and queue is not null
            group by agent_id, queue
            """,
        )
        scheduled = _frame(
            con,
            """
            with shares as (
                select agent_id, queue, count(*) / sum(count(*)) over (partition by agent_id) as queue_share
                from marts.fct_contact_legs
                where is_handled and queue is not null
                group by agent_id, queue
            )
            select shares.queue, segments.interval_start_at,
                   sum(segments.duration_seconds * shares.queue_share) / max(?::double) as scheduled_agents
            from marts.fct_schedule_segments as segments
            inner join shares on shares.agent_id = segments.agent_id
            where segments.is_work and segments.local_date > ?
            group by all
            """,
            [int(metrics["interval_minutes"]) * 60, origin],
        )
        (last_scheduled,) = con.execute("select max(local_date) from marts.fct_schedule_segments").fetchall()[0]
        breaks = _frame(
            con,
            """
            select distinct agent_id, activity, segment_started_at as started_at, segment_ended_at as ended_at
            from marts.fct_schedule_segments
            where activity in ('break', 'lunch') and local_date > ?
            """,
            [origin],
        )
        progress(
            f"{forecast.height:,} forecast intervals from origin {origin}, schedules published to {last_scheduled}, "
            f"{breaks.height:,} breaks ahead"
        )
        plan = plan_intervals(forecast, scheduled, patience, float(unplanned or 0.0), last_scheduled, settings)
        moves, summary = suggest_break_moves(plan, breaks, shares, settings)
        summary_frame = pl.DataFrame([{"origin_date": origin, "last_scheduled_date": last_scheduled, **summary}])
        plan = plan.with_columns(pl.lit(origin).alias("origin_date"))
        with tempfile.TemporaryDirectory(prefix="tilsyn-plan-") as folder:
            con.execute("begin")
            _replace(con, PLAN_TABLE, plan, Path(folder))
            _replace(con, MOVES_TABLE, moves, Path(folder))
            _replace(con, SUMMARY_TABLE, summary_frame, Path(folder))
            con.execute("commit")
        return PlanReport(
            origin,
            plan.height,
            summary["understaffed_intervals_before"],
            summary["understaffed_intervals_after"],
            summary["breaks_moved"],
            time.perf_counter() - started,
        )
    finally:
        con.close()
