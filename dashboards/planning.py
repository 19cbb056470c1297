"""Planning pages: one file per queue (`planning_<queue>.html`) with the staffing plan of the coming weeks.

Each page shows the schedule gap as a day x interval heat map (intervals not yet scheduled blank, with a note),
required scheduled agents against scheduled agents and the forecast per interval, required against scheduled hours
per day, the breaks to move with their projected service level, the plan's summary, and the last weeks' forecast
accuracy of the queue. Reads `ops.staffing_plan_interval`, `ops.staffing_break_moves`, `ops.staffing_plan_summary`
(published with the marts) and `marts.kpi_forecast_accuracy_weekly`.

Without a plan (no forecast yet) a single `planning.html` says so (the index too); a queue whose schedule is not
published for any coming day says that on its page.
"""

from __future__ import annotations

import time

import polars as pl

from dashboards import forecast_figures, planning_figures
from dashboards.data import Warehouse
from dashboards.site import Card, Section, Site, chart
from dashboards.supervisor import slug

CAPACITY_MIN_DAYS = 7  # days of the per-interval capacity chart when no day is scheduled yet
NO_PLAN = (
    "No staffing plan yet: the pipeline makes one after its first forecast (it needs some weeks of history) and "
    "compares it with the schedules published ahead."
)


def _of_queue(df: pl.DataFrame, queue: str) -> pl.DataFrame:
    return df if df.is_empty() else df.filter(pl.col("queue") == queue)


def queue_sections(
    plan: pl.DataFrame,
    moves: pl.DataFrame,
    summary: pl.DataFrame,
    accuracy: pl.DataFrame,
    planned_shrinkage: float | None,
) -> list[Section]:
    """One queue's page (every frame already cut to the queue, except the all-queue `summary`)."""
    scheduled_days = sorted(set(plan.filter(pl.col("is_scheduled"))["local_date"].to_list()))
    unscheduled_days = sorted(set(plan.filter(~pl.col("is_scheduled"))["local_date"].to_list()) - set(scheduled_days))
    if not scheduled_days:
        schedule_note = (
            "No published schedule ahead for this queue: every coming interval is not yet scheduled, so there is no "
            "gap to show yet (blank cells), only what the forecast requires."
        )
    elif unscheduled_days:
        schedule_note = (
            f"Schedules are published to {scheduled_days[-1]:%a %d %b %Y}; blank cells from "
            f"{unscheduled_days[0]:%a %d %b} are not yet scheduled (no gap yet, not a gap of 0)."
        )
    else:
        schedule_note = f"Schedules are published for every day of the plan (to {scheduled_days[-1]:%a %d %b %Y})."
    heat_title = "Schedule gap per day and interval (scheduled - required scheduled agents)"
    # Per interval, weeks of intervals are a blur: the published days (or the first week without any) and one more.
    capacity_days = sorted(set(plan["local_date"].to_list()))[: max(len(scheduled_days), CAPACITY_MIN_DAYS - 1) + 1]
    capacity = plan.filter(pl.col("local_date").is_in(capacity_days))
    capacity_title = (
        f"Agents required and scheduled, and forecast contacts, per interval, {capacity_days[0]:%d %b} to "
        f"{capacity_days[-1]:%d %b}"
    )
    hours = planning_figures.daily_hours(plan, planned_shrinkage)
    hours_title = "Required and scheduled hours per day"
    shrinkage_text = (
        f"planned shrinkage {planned_shrinkage:.1%} over the last 8 weeks"
        if planned_shrinkage is not None
        else "no planned shrinkage history, so no FTE line"
    )
    unplanned = plan["unplanned_shrinkage"].drop_nulls()
    unplanned_text = f"unplanned shrinkage {unplanned[0]:.1%}" if unplanned.len() else "unplanned shrinkage unknown"
    last_date = accuracy["last_date"][0] if not accuracy.is_empty() else None
    return [
        Section(
            "Schedule gap, the coming weeks",
            [chart(heat_title, plan, lambda: planning_figures.make_gap_heatmap_figure(plan, heat_title))],
            note=schedule_note + " Red: agents missing; blue: agents to spare.",
        ),
        Section(
            "Forecast against scheduled capacity",
            [
                chart(
                    capacity_title,
                    capacity,
                    lambda: planning_figures.make_capacity_figure(capacity, capacity_title),
                ),
                chart(hours_title, hours, lambda: planning_figures.make_hours_figure(hours, hours_title)),
            ],
            note=f"Required scheduled agents = required agents (Erlang) / (1 - {unplanned_text}): scheduled agents "
            f"count work segments only, so breaks are already out. Required FTE hours (paid) gross the required "
            f"agents up by planned and unplanned shrinkage ({shrinkage_text}); compare them with paid schedules, "
            "the work hours with the bars.",
        ),
        Section(
            "Breaks to move",
            [
                Card(
                    "Breaks and lunches to move to a neighbouring interval with agents to spare",
                    table=planning_figures.moves_table(moves),
                    note="no break to move: no understaffed interval has a break that a neighbouring interval "
                    "could take"
                    if scheduled_days
                    else "no published schedule ahead, so no breaks to move yet",
                ),
                Card(
                    "Understaffed intervals before and after moving those breaks",
                    table=planning_figures.summary_table(summary, plan),
                ),
            ],
            note="Times are local. Projected service level of the understaffed interval the break leaves, with the "
            "scheduled agents less unplanned shrinkage.",
        ),
        Section(
            "Forecast accuracy, the last weeks",
            [
                Card(
                    "Forecast accuracy one week ahead, last 4 weeks of forecasts",
                    table=forecast_figures.forecast_accuracy_table(accuracy),
                    note="no forecast of this queue has met its actuals yet",
                )
            ],
            note="WAPE = sum of |forecast - actual| / actual contacts; bias = sum of (forecast - actual) / actual "
            "contacts" + (f"; forecasts up to {last_date:%d %b %Y}." if last_date is not None else "."),
        ),
    ]


def render_planning(wh: Warehouse, site: Site, has_data: bool) -> list[tuple[str, str]]:
    """Write a planning page per queue with a plan; without a plan, one page saying so if the warehouse has data
    (an empty warehouse gets only the index, which says it too). Returns (file, link text) per page."""
    started = time.perf_counter()
    plan = wh.query("planning_intervals")
    if plan.is_empty() and not has_data:
        return []
    if plan.is_empty():
        name = site.write(
            "planning.html",
            "Staffing plan",
            started,
            [Section("Staffing plan", [Card("Staffing plan", note=NO_PLAN)])],
            intro=NO_PLAN,
        )
        return [(name, "Staffing plan: none yet")]
    moves = wh.query("planning_moves")
    summary = wh.query("planning_summary")
    accuracy = wh.query("forecast_accuracy")
    shrinkage = wh.query("planning_shrinkage")
    planned = shrinkage["planned_shrinkage"][0] if not shrinkage.is_empty() else None
    origin = plan["origin_date"][0]
    pages = []
    for queue in sorted(set(plan["queue"].to_list())):
        queue_plan = _of_queue(plan, queue)
        first, last = queue_plan["local_date"].min(), queue_plan["local_date"].max()
        name = site.write(
            f"planning_{slug(queue)}.html",
            f"Staffing plan, queue {queue}",
            started,
            queue_sections(queue_plan, _of_queue(moves, queue), summary, _of_queue(accuracy, queue), planned),
            intro=f"From the forecast made after {origin:%A %d %B %Y}: {first:%d %b} to {last:%d %b %Y}.",
        )
        published = queue_plan["is_scheduled"].any()
        pages.append((name, f"Queue {queue}" + ("" if published else ": no published schedule ahead")))
        started = time.perf_counter()
    return pages
