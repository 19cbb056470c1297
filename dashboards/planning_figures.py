"""Planning page figures and tables: pure functions of one queue's rows of the staffing plan (no I/O).

Frames are the planning queries' rows (dashboards/queries/planning_*.sql) cut to one queue. An interval that is not
yet scheduled (beyond the last published schedule day) has no gap: it is drawn blank and said so, never as 0.
"""

from __future__ import annotations

from datetime import timedelta

import plotly.graph_objects as go
import polars as pl

from dashboards import theme
from dashboards.figures import _figure, heatmap_figure, no_data_figure, step_line
from dashboards.kpis import fmt_pct
from dashboards.site import Table

NOT_YET_SCHEDULED = "not yet scheduled"
# Diverging, colour-blind safe: vermilion where agents are missing, blue where there are agents to spare.
# Legends under the plot: above it they run into the long titles.
BELOW = {"orientation": "h", "x": 0, "xanchor": "left", "y": -0.3, "yanchor": "top"}
GAP_COLORSCALE = [[0.0, theme.BAD], [0.5, "#F7F7F7"], [1.0, theme.COLORWAY[0]]]


def _signed(value: float | None) -> str:
    return "" if value is None else f"{value:+.1f}"


def make_gap_heatmap_figure(df: pl.DataFrame, title: str) -> go.Figure:
    """Schedule gap (scheduled - required scheduled agents) per day (rows) and interval of the day (columns).
    Columns: `local_date`, `interval_start`, `is_scheduled`, `schedule_gap_agents`, `staffing_status`. Cells of
    intervals not yet scheduled stay blank; their hover says so."""
    if df.is_empty():
        return no_data_figure(title)
    days = sorted(set(df["local_date"].to_list()))
    times = sorted({t.strftime("%H:%M") for t in df["interval_start"].to_list()})
    cell = {(r["local_date"], r["interval_start"].strftime("%H:%M")): r for r in df.iter_rows(named=True)}
    z, hover = [], []
    for d in days:
        z_row, hover_row = [], []
        for t in times:
            r = cell.get((d, t))
            if r is None:
                z_row.append(None)
                hover_row.append("no forecast")
            elif not r["is_scheduled"]:
                z_row.append(None)
                hover_row.append(NOT_YET_SCHEDULED)
            else:
                z_row.append(r["schedule_gap_agents"])
                hover_row.append(f"{_signed(r['schedule_gap_agents'])} agents ({r['staffing_status']})")
        z.append(z_row)
        hover.append(hover_row)
    # The note in the blank rows: a day beyond the last published schedule day reads "not yet scheduled".
    notes = [
        {
            "text": NOT_YET_SCHEDULED,
            "showarrow": False,
            "xref": "paper",
            "x": 0.5,
            "yref": "y",
            "y": d.strftime("%a %d %b"),
            "font": {"color": theme.NEUTRAL, "size": 13},
        }
        for d, row in zip(days, hover, strict=True)
        if all(h == NOT_YET_SCHEDULED for h in row if h != "no forecast")
    ]
    values = [abs(v) for row in z for v in row if v is not None]
    span = max(values, default=1.0) or 1.0
    heatmap = go.Heatmap(
        x=times,
        y=[d.strftime("%a %d %b") for d in days],
        z=z,
        customdata=hover,
        colorscale=GAP_COLORSCALE,
        zmin=-span,
        zmax=span,
        colorbar={"title": {"text": "Gap (agents)"}},
        hovertemplate="%{y} %{x}: %{customdata}<extra></extra>",
        hoverongaps=True,
        xgap=1,
        ygap=1,
    )
    height = max(300, 120 + 18 * len(days))
    return heatmap_figure(heatmap, title, height, "Interval start (local time)", "Day", annotations=notes)


def _with_breaks(df: pl.DataFrame) -> pl.DataFrame:
    """The rows with an empty row wherever intervals are missing (nights without a forecast), so lines break there
    instead of drawing a slope across the night."""
    step = timedelta(seconds=int(df["interval_seconds"][0]))
    starts = df["interval_start"].to_list()
    ends = [a + step for a, b in zip(starts, starts[1:], strict=False) if b - a > step]
    if not ends:
        return df
    blanks = pl.DataFrame({"interval_start": ends}, schema={"interval_start": df.schema["interval_start"]})
    return pl.concat([df, blanks], how="diagonal_relaxed").sort("interval_start")


def make_capacity_figure(df: pl.DataFrame, title: str) -> go.Figure:
    """Required scheduled agents against scheduled agents per interval (lines over time), and the forecast contacts
    on a second axis. Columns: `interval_start`, `required_scheduled_agents`, `is_scheduled`, `scheduled_agents`,
    `forecast_offered`. The scheduled line stops where the schedule is not yet published."""
    if df.is_empty():
        return no_data_figure(title)
    df = _with_breaks(df.sort("interval_start"))
    x = df["interval_start"].to_list()
    required_y = df["required_scheduled_agents"].round(2).to_list()
    scheduled_y = [
        None if s is None or not published else round(s, 2)
        for s, published in zip(df["scheduled_agents"], df["is_scheduled"], strict=True)
    ]
    traces = [
        go.Scatter(
            x=x,
            y=df["forecast_offered"].round(1).to_list(),
            name="Forecast contacts",
            yaxis="y2",
            mode="lines",
            line={"color": theme.NEUTRAL, "width": 1},
            hovertemplate="%{y:.1f} contacts<extra>forecast</extra>",
        ),
        step_line(
            x, required_y, "Required scheduled agents", "%{y:.1f} agents<extra>required</extra>", {"color": theme.BAD}
        ),
        step_line(
            x,
            scheduled_y,
            "Scheduled agents (work)",
            "%{y:.1f} agents<extra>scheduled</extra>",
            {"color": theme.COLORWAY[0]},
            connectgaps=False,
        ),
    ]
    return _figure(
        traces,
        title,
        height=420,
        legend=BELOW,
        xaxis={"title": {"text": "Interval (local time)"}, "type": "date"},
        yaxis={"title": {"text": "Agents (count)"}, "rangemode": "tozero"},
        yaxis2={
            "title": {"text": "Forecast contacts (count)"},
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "showgrid": False,
        },
    )


def daily_hours(df: pl.DataFrame, planned_shrinkage: float | None) -> pl.DataFrame:
    """Per day: required work hours (required scheduled agents, grossed up by unplanned shrinkage), required FTE hours
    (required agents grossed up by planned and unplanned shrinkage, METRICS.md; None without a planned shrinkage) and
    scheduled work hours (None on a day not yet scheduled)."""
    hours = pl.col("interval_seconds") / 3600
    out = (
        df.group_by("local_date")
        .agg(
            (pl.col("required_scheduled_agents") * hours).sum().alias("required_work_hours"),
            (pl.col("required_agents") * hours).sum().alias("required_agent_hours"),
            pl.col("unplanned_shrinkage").first().alias("unplanned_shrinkage"),
            pl.col("is_scheduled").all().alias("is_scheduled"),
            (pl.col("scheduled_agents") * hours).sum().alias("scheduled_work_hours"),
        )
        .sort("local_date")
    )
    gross = None if planned_shrinkage is None else 1 - planned_shrinkage - pl.col("unplanned_shrinkage")
    return out.select(
        "local_date",
        "required_work_hours",
        (pl.col("required_agent_hours") / gross if gross is not None else pl.lit(None, pl.Float64)).alias(
            "required_fte_hours"
        ),
        pl.when(pl.col("is_scheduled")).then(pl.col("scheduled_work_hours")).alias("scheduled_work_hours"),
    )


def make_hours_figure(daily: pl.DataFrame, title: str) -> go.Figure:
    """Scheduled work hours per day (bars) against required work hours and required FTE hours (lines). Columns of
    `daily_hours`. A day not yet scheduled has no bar."""
    if daily.is_empty():
        return no_data_figure(title)
    x = daily["local_date"].to_list()
    traces = [
        go.Bar(
            x=x,
            y=[None if v is None else round(v, 1) for v in daily["scheduled_work_hours"].to_list()],
            name="Scheduled work hours",
            marker={"color": theme.COLORWAY[0]},
            hovertemplate="%{y:.1f} h<extra>scheduled (work segments)</extra>",
        ),
        go.Scatter(
            x=x,
            y=daily["required_work_hours"].round(1).to_list(),
            name="Required work hours",
            mode="lines+markers",
            line={"color": theme.BAD},
            hovertemplate="%{y:.1f} h<extra>required scheduled</extra>",
        ),
    ]
    if daily["required_fte_hours"].is_not_null().any():
        traces.append(
            go.Scatter(
                x=x,
                y=daily["required_fte_hours"].round(1).to_list(),
                name="Required FTE hours (paid, incl. planned shrinkage)",
                mode="lines",
                line={"color": theme.TARGET, "dash": "dash"},
                hovertemplate="%{y:.1f} h<extra>required FTE</extra>",
            )
        )
    return _figure(
        traces,
        title,
        height=420,
        legend=BELOW,
        # a tick a day up to two weeks, then a tick a week (Mondays' dates) so the labels stay apart
        xaxis={
            "title": {"text": "Day"},
            "type": "date",
            "tickformat": "%a %d %b",
            "dtick": 86_400_000 if daily.height <= 14 else 7 * 86_400_000,
            "tick0": x[0].isoformat(),
        },
        yaxis={"title": {"text": "Hours (h)"}, "rangemode": "tozero"},
    )


def moves_table(moves: pl.DataFrame) -> Table | None:
    """The breaks to move: agent, activity, from -> to (local time) and the understaffed interval's projected service
    level before and after."""
    if moves.is_empty():
        return None
    rows = [
        [
            str(r["agent_id"]),
            str(r["activity"]),
            f"{r['started_at']:%a %d %b %H:%M}-{r['ended_at']:%H:%M}",
            f"{r['suggested_started_at']:%H:%M}-{r['suggested_ended_at']:%H:%M} ({r['shift_minutes']:+d} min)",
            f"{r['interval_start']:%H:%M}",
            f"{_signed(r['schedule_gap_agents_before'])} -> {_signed(r['schedule_gap_agents_after'])}",
            f"{fmt_pct(r['projected_service_level_before'])} -> {fmt_pct(r['projected_service_level_after'])}",
        ]
        for r in moves.iter_rows(named=True)
    ]
    columns = ["Agent", "Activity", "From", "To", "Interval", "Gap (agents)", "Projected service level"]
    return Table(columns, rows, text_columns=(0, 1, 2, 3))


def summary_table(summary: pl.DataFrame, queue_plan: pl.DataFrame) -> Table | None:
    """Understaffed intervals and shortfall before and after moving the suggested breaks: all queues (the plan's
    summary) and this queue's understaffed intervals as the plan has them."""
    if summary.is_empty():
        return None
    s = summary.row(0, named=True)
    under = queue_plan.filter(pl.col("staffing_status") == "under").height if not queue_plan.is_empty() else 0
    rows = [
        [
            "Understaffed intervals, all queues",
            f"{s['understaffed_intervals_before']:,}",
            f"{s['understaffed_intervals_after']:,}",
        ],
        ["Shortfall (agents), all queues", f"{s['shortfall_agents_before']:.1f}", f"{s['shortfall_agents_after']:.1f}"],
        ["Breaks moved, all queues", "-", f"{s['breaks_moved']:,}"],
        ["Understaffed intervals, this queue", f"{under:,}", "-"],
    ]
    return Table(["", "Before moving breaks", "After"], rows, text_columns=(0,))
