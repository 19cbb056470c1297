""" "Today" pages: one file per team (`today_<team>.html`) with the day in progress, for a wall screen.

Rebuilt on every run and reloading itself every minute. At the top, large: the cutoff of the data ("data up to
09:45"), then per queue the day so far (offered against the forecast so far, service level, abandonment, longest
wait), then the team's agents in a not-ready state for longer than `long_aux_minutes` at the cutoff (by agent id: the
analyst warehouse has no names). Below, per queue, the contacts per interval (actual so far, forecast, and the
reforecast of the rest of the day) and the agents scheduled against required for the rest of the day.

- **Today** is the latest local day with calls or agent-state data; its **cutoff** the earliest of the two sources'
  cutoffs, from the completeness record `ops.source_day_completeness` (one row per source and local day, written by
  ingest). The day is in progress until both sources have closed it. Without that record: the latest call end or
  state change loaded (as `int_loaded_until`), and the day is in progress when it is the center's date by the clock.
- Intervals after the cutoff have no actuals yet: blank, never 0. When no day is in progress the pages say so.
- The reforecast (dagster_project/planning/intraday.py) scales the rest of the day's forecast (the one made after the
  last complete day, never refitted) by actual / forecast so far; required agents come from the staffing plan's
  Erlang model with the queue's patience and the plan's unplanned shrinkage (`ops.staffing_plan_interval`).
- Queues are centre-wide (no mart maps queues to teams), so every team's page shows every queue; the not-ready list
  is the team's (dim_agent on the day). A center with no roster gets one centre-wide `today.html`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import plotly.graph_objects as go
import polars as pl

from dagster_project.planning.intraday import pace_so_far, reforecast_rest_of_day, required_for_rest_of_day
from dagster_project.planning.staffing_plan import PlanSettings
from dashboards import theme
from dashboards.data import Warehouse
from dashboards.figures import _figure, step_line
from dashboards.kpis import fmt_count, fmt_duration, fmt_pct
from dashboards.site import Card, Section, Site, chart
from dashboards.supervisor import slug

REFRESH_SECONDS = 60  # a wall screen reloads the page; the pipeline rewrites it on every run


@dataclass(frozen=True)
class TodaySettings:
    """What the today pages need of the center's settings (dagster_project/settings.py)."""

    center_timezone: str = "Europe/Oslo"
    long_aux_minutes: float = 15
    plan: PlanSettings = field(default_factory=PlanSettings)
    now: datetime | None = None  # the clock (aware); None: the real one. Only the fallback without a record reads it

    @classmethod
    def from_settings(cls, settings) -> TodaySettings:
        return cls(
            center_timezone=str(settings.metrics["center_timezone"]),
            long_aux_minutes=float(settings.long_aux_minutes),
            plan=PlanSettings.from_metrics(settings.metrics),
        )


@dataclass(frozen=True)
class Today:
    """The latest local day with data, its cutoff (naive UTC and local) and whether it is still in progress."""

    day: date | None
    cutoff_at: datetime | None
    cutoff_local: datetime | None
    in_progress: bool
    cutoff_from: str  # "the completeness record" or "the last loaded call or state change"


def _local(at_utc: datetime, timezone: str) -> datetime:
    return at_utc.replace(tzinfo=UTC).astimezone(ZoneInfo(timezone)).replace(tzinfo=None)


def find_today(wh: Warehouse, settings: TodaySettings) -> Today:
    """Today, its cutoff and whether it is in progress (module docstring)."""
    record = wh.query("today_completeness", optional=True)
    if not record.is_empty():
        record = record.filter(pl.col("latest_date").is_not_null() & pl.col("cutoff_at").is_not_null())
    if not record.is_empty():
        day = max(record["latest_date"].to_list())
        cutoff = min(record["cutoff_at"].to_list())
        closed = all(r["latest_date"] == day and bool(r["is_latest_day_closed"]) for r in record.iter_rows(named=True))
        return Today(day, cutoff, _local(cutoff, settings.center_timezone), not closed, "the completeness record")
    latest = [
        wh.query("today_loaded_until", optional=True, table=table, end_column=column)
        for table, column in (("fct_contact_legs", "ended_at"), ("fct_agent_state_spans", "state_ended_at"))
    ]
    rows = [r for df in latest if not df.is_empty() for r in df.iter_rows(named=True) if r["latest_date"]]
    if not rows:
        return Today(None, None, None, False, "no data")
    day = max(r["latest_date"] for r in rows)
    cutoff = min(r["cutoff_at"] for r in rows)
    clock_day = (settings.now or datetime.now(UTC)).astimezone(ZoneInfo(settings.center_timezone)).date()
    return Today(
        day, cutoff, _local(cutoff, settings.center_timezone), day == clock_day, "the last loaded call or state change"
    )


def cutoff_text(today: Today) -> str:
    """The headline: "Data up to 09:45" (with the date when the cutoff falls on an earlier day)."""
    if today.cutoff_local is None:
        return "No data yet"
    if today.cutoff_local.date() != today.day:
        return f"Data up to {today.cutoff_local:%H:%M} on {today.cutoff_local:%a %d %b}"
    return f"Data up to {today.cutoff_local:%H:%M}"


def queue_rows(queues: pl.DataFrame, pace: pl.DataFrame, service_level_target: float) -> list[dict]:
    """One row per queue for the headline table: formatted cells and the service level's judgement."""
    by_queue = {r["queue"]: r for r in queues.iter_rows(named=True)} if not queues.is_empty() else {}
    paces = {r["queue"]: r for r in pace.iter_rows(named=True)} if not pace.is_empty() else {}
    rows = []
    for queue in sorted(set(by_queue) | set(paces)):
        q, p = by_queue.get(queue, {}), paces.get(queue, {})
        offered = q.get("offered") or 0
        denominator = q.get("service_level_denominator") or 0
        short = q.get("short_abandoned") or 0
        service_level = q["answered_within_threshold"] / denominator if denominator else None
        abandonment = (q["abandoned"] - short) / (offered - short) if offered - short > 0 else None
        forecast = p.get("forecast_offered_so_far")
        rows.append(
            {
                "queue": queue,
                "offered": fmt_count(offered),
                "forecast": fmt_count(forecast) if forecast is not None else "no forecast",
                "pace": fmt_pct(p.get("pace")) if p.get("pace") is not None else "-",
                "service_level": fmt_pct(service_level),
                "service_level_judgement": ""
                if service_level is None
                else ("good" if service_level >= service_level_target else "bad"),
                "abandonment": fmt_pct(abandonment, 1),
                "longest_wait": fmt_duration(q.get("max_wait_seconds")),
            }
        )
    return rows


def aux_rows(aux: pl.DataFrame, teams: pl.DataFrame, team: str | None, timezone: str) -> list[dict]:
    """The not-ready list of one team (None: every agent), longest first."""
    if aux.is_empty():
        return []
    if team is not None:
        members = set(teams.filter(pl.col("team") == team)["agent_id"].to_list()) if not teams.is_empty() else set()
        aux = aux.filter(pl.col("agent_id").is_in(list(members)))
    return [
        {
            "agent_id": r["agent_id"],
            "state": r["state"] + (f" ({r['reason']})" if r["reason"] and r["reason"] != r["state"] else ""),
            "minutes": f"{r['seconds_at_cutoff'] // 60:.0f} min",
            "since": f"{_local(r['state_started_at'], timezone):%H:%M}",
        }
        for r in aux.iter_rows(named=True)
    ]


def make_queue_day_figure(
    queue: str, forecast: pl.DataFrame, actual: pl.DataFrame, needed: pl.DataFrame, cutoff_local: datetime
) -> go.Figure:
    """One queue's day: contacts per interval above (actual so far as bars, blank after the cutoff; the forecast; the
    reforecast of the rest of the day), agents below (scheduled against required by the reforecast and by the
    forecast, rest of the day). Frames are cut to the queue; times are local."""
    starts = sorted(set(forecast["interval_start"].to_list()) | set(actual["interval_start"].to_list()))
    offered = dict(zip(actual["interval_start"].to_list(), actual["offered"].to_list(), strict=True))
    # an interval not begun at the cutoff has no actuals yet: blank, never 0; one begun with no calls had 0
    actual_y = [offered.get(t, 0) if t < cutoff_local else None for t in starts]
    rest = needed.sort("interval_start")
    interval_ms = int(forecast["interval_seconds"].max() or 900) * 1000
    rest_x = rest["interval_start"].to_list()
    forecast_y = forecast["forecast_offered"].round(1).to_list()
    reforecast_y = rest["reforecast_offered"].round(2).to_list()
    scheduled_y = [None if s is None else round(s, 2) for s in rest["scheduled_agents"].to_list()]
    required_y = rest["required_scheduled_agents"].round(2).to_list()
    required_forecast_y = rest["forecast_required_scheduled_agents"].round(2).to_list()
    thin = {"color": theme.NEUTRAL}
    dotted = {"color": theme.BAD, "dash": "dot", "width": 1}
    agents_axis = {"yaxis": "y2"}  # contacts are on the figure's first axis: their traces name none

    def hover(unit: str, what: str) -> str:
        return f"%{{y:.1f}} {unit}<extra>{what}</extra>"

    traces = [
        go.Bar(
            x=starts,
            y=actual_y,
            # each bar spans its interval, as the step lines do (a bar is centred on its x otherwise)
            offset=0,
            width=interval_ms * 0.9,
            name="Offered so far",
            marker={"color": theme.COLORWAY[0]},
            hovertemplate="%{y} contacts<extra>offered</extra>",
        ),
        step_line(forecast["interval_start"].to_list(), forecast_y, "Forecast", hover("contacts", "forecast"), thin),
    ]
    # the rest of the day: contacts reforecast, then agents on the second axis (wide lines: read from across a room)
    for y, name, unit, what, line, axis in [
        (reforecast_y, "Reforecast", "contacts", "reforecast", {"color": theme.COLORWAY[1], "dash": "dash"}, {}),
        (scheduled_y, "Scheduled agents", "agents", "scheduled", {"color": theme.COLORWAY[0]}, agents_axis),
        (required_y, "Required (reforecast)", "agents", "required, reforecast", {"color": theme.BAD}, agents_axis),
        (required_forecast_y, "Required (forecast)", "agents", "required, forecast", dotted, agents_axis),
    ]:
        traces.append(step_line(rest_x, y, name, hover(unit, what), {"width": 3, **line}, **axis))
    cutoff_line = {
        "type": "line",
        "xref": "x",
        "x0": cutoff_local,
        "x1": cutoff_local,
        "yref": "paper",
        "y0": 0,
        "y1": 1,
        "line": {"color": theme.TARGET, "width": 1, "dash": "dash"},
    }
    return _figure(
        traces,
        f"Queue {queue}: contacts per interval, and agents for the rest of the day",
        height=520,
        font={"size": 16},
        shapes=[cutoff_line],
        annotations=[
            {
                "text": f"cutoff {cutoff_local:%H:%M}",
                "x": cutoff_local,
                "xref": "x",
                "y": 1,
                "yref": "paper",
                "showarrow": False,
                "xanchor": "left",
                "yanchor": "bottom",
            },
        ],  # fmt: skip
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -0.12, "yanchor": "top"},
        xaxis={"type": "date", "tickformat": "%H:%M", "anchor": "y2"},
        yaxis={"title": {"text": "Contacts (count)"}, "domain": [0.55, 1.0], "rangemode": "tozero"},
        yaxis2={"title": {"text": "Agents (count)"}, "domain": [0.0, 0.45], "rangemode": "tozero"},
        barmode="overlay",
    )


@dataclass
class _DayParts:
    """What every team's page shares: the queue table and charts (built once), and the agents' long states."""

    queues: list[dict]
    charts: list[Card]
    aux: pl.DataFrame
    teams: pl.DataFrame
    pace_note: str


def _day_parts(wh: Warehouse, today: Today, settings: TodaySettings) -> _DayParts:
    params = {"day": today.day, "cutoff_at": today.cutoff_at}
    queues = wh.query("today_queues", params)
    actual = wh.query("today_queue_intervals", params)
    forecast = wh.query("today_forecast", {"day": today.day}, optional=True)
    aux = wh.query("today_long_aux", {**params, "min_seconds": settings.long_aux_minutes * 60})
    teams = wh.query("today_agent_teams", {"day": today.day}, optional=True)
    actual_so_far = (
        queues.select("queue", "offered")
        if not queues.is_empty()
        else pl.DataFrame(schema={"queue": pl.String, "offered": pl.Int64})
    )
    if forecast.is_empty():
        pace = pl.DataFrame(schema={"queue": pl.String, "forecast_offered_so_far": pl.Float64, "pace": pl.Float64})
        return _DayParts(
            queue_rows(queues, pace, settings.plan.service_level_target),
            [Card("Contacts and agents per interval", note="no forecast of today yet")],
            aux,
            teams,
            "No forecast made before today covers it (the pipeline forecasts after each complete day, once it has "
            "some weeks of history): no reforecast yet.",
        )
    origin = forecast["origin_date"][0]
    pace = pace_so_far(forecast, actual_so_far, today.cutoff_local)
    rest = reforecast_rest_of_day(forecast, pace, today.cutoff_local)
    interval_seconds = int(forecast["interval_seconds"].max())
    scheduled = wh.query("today_scheduled", {"day": today.day, "interval_seconds": interval_seconds}, optional=True)
    if scheduled.is_empty():
        scheduled = pl.DataFrame(
            schema={"queue": pl.String, "interval_start": pl.Datetime("us"), "scheduled_agents": pl.Float64}
        )
    inputs = wh.query("today_plan_inputs", optional=True)
    patience = (
        inputs.select("queue", "patience_seconds")
        if not inputs.is_empty()
        else pl.DataFrame(schema={"queue": pl.String, "patience_seconds": pl.Float64})
    )
    shrinkage = inputs["unplanned_shrinkage"].drop_nulls() if not inputs.is_empty() else pl.Series([], dtype=float)
    unplanned = float(shrinkage[0]) if shrinkage.len() else 0.0
    needed = required_for_rest_of_day(
        rest, scheduled, patience, unplanned, settings.plan, is_scheduled=not scheduled.is_empty()
    )
    charts = []
    for queue in sorted(set(forecast["queue"].to_list())):
        q_forecast = forecast.filter(pl.col("queue") == queue)
        q_actual = (
            actual.filter(pl.col("queue") == queue)
            if not actual.is_empty()
            else pl.DataFrame(schema={"interval_start": pl.Datetime("us"), "offered": pl.Int64})
        )
        q_needed = needed.filter(pl.col("queue") == queue)
        title = f"Queue {queue}: contacts per interval, and agents for the rest of the day"
        charts.append(
            chart(
                title,
                q_forecast,
                lambda f=q_forecast, a=q_actual, n=q_needed, q=queue: make_queue_day_figure(
                    q, f, a, n, today.cutoff_local
                ),
            )
        )
    schedule_note = (
        "" if not scheduled.is_empty() else " No schedule is published for today: no scheduled agents to compare."
    )
    note = (
        f"Forecast made after {origin:%a %d %b}. Pace = offered / forecast so far; the rest of the day's forecast is "
        f"scaled by it (the reforecast). Required agents: the staffing plan's Erlang model for the reforecast, / (1 - "
        f"{fmt_pct(unplanned, 1)} unplanned shrinkage), against the scheduled agents (work segments)." + schedule_note
    )
    return _DayParts(queue_rows(queues, pace, settings.plan.service_level_target), charts, aux, teams, note)


def render_today(
    wh: Warehouse, site: Site, teams: list[str], settings: TodaySettings, today: Today | None = None
) -> list[tuple[str, str]]:
    """Write a today page per team (one centre-wide page without teams); returns (file, link text) per page.
    `today` replays a given day and cutoff instead of finding them (a past day as it stood at a moment)."""
    started = time.perf_counter()
    today = today or find_today(wh, settings)
    if today.day is None and not teams:
        return []
    parts = _day_parts(wh, today, settings) if today.in_progress else None
    minutes = f"{settings.long_aux_minutes:g}"
    pages = []
    for team in teams or [None]:
        name = f"today_{slug(team)}.html" if team is not None else "today.html"
        who = f"team {team}" if team is not None else "all agents"
        context = {
            "template": "today.html.j2",
            "refresh_seconds": REFRESH_SECONDS,
            "today": today,
            "in_progress": today.in_progress,
            "headline": cutoff_text(today) if today.in_progress else "No day in progress",
            "aux_title": f"Not ready for more than {minutes} min, {who}",
        }
        if parts is None:
            context["no_day"] = (
                f"The latest day with data, {today.day:%A %d %B %Y}, is complete: its numbers are on the daily pages."
                if today.day is not None
                else "No calls or agent states are loaded yet."
            )
            sections = []
        else:
            context.update(
                day_text=f"{today.day:%A %d %B %Y}",
                queues=parts.queues,
                aux=aux_rows(parts.aux, parts.teams, team, settings.center_timezone),
                cutoff_from=today.cutoff_from,
            )
            sections = [Section("The day per interval, every queue", parts.charts, note=parts.pace_note)]
        written = site.write(name, "Today, " + who, started, sections, **context)
        pages.append((written, f"Team {team}" if team is not None else "All agents"))
        started = time.perf_counter()
    return pages
