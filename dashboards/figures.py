"""Plain figure functions: query results (Polars frames) in, a titled Plotly figure with units out.

No I/O and no browser here, so every function is testable on a small frame. An empty frame gives a titled figure
that says "no data" (pages normally show a "no data" note instead of calling these at all).

Each figure is built in one step (`_figure`: traces and the whole layout at once). Plotly validates and copies the
layout on every `update_layout`/`add_trace`/`add_hline`, so building a figure whole is about three times quicker, and
a year's supervisor pages draw over a thousand heatmaps.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import pairwise

import numpy as np
import plotly.graph_objects as go
import polars as pl

from dashboards import theme
from dashboards.kpis import DEFAULT_CURRENCY, KPIS, NO_DATA, Kpi, add_months, fmt_count, fmt_money, fmt_value

EPOCH = datetime(1970, 1, 1)


def unit(kpi: Kpi, currency: str) -> str:
    return {"pct": "%", "seconds": "seconds", "money": currency, "count": "count"}[kpi.kind]


def _axis(kpi: Kpi, currency: str) -> dict:
    """A value axis in the KPI's unit: ratios as %, durations in seconds, money in the currency."""
    axis = {"title": {"text": f"{kpi.label} ({unit(kpi, currency)})"}, "rangemode": "tozero"}
    if kpi.kind == "pct":
        axis["tickformat"] = ".0%"
    elif kpi.kind == "money":
        axis["tickformat"] = ",.0f" if kpi.column != "cost_per_call" else ",.2f"
    return axis


def _people(kpi: Kpi, values: list, currency: str) -> list[str]:
    """Hover text as people read it (82 %, 0:42, NOK 45.20)."""
    return [fmt_value(kpi, v, currency) if v is not None else "" for v in values]


def _figure(data: list, title: str, height: int = 360, **layout) -> go.Figure:
    """A figure with its title and height, from its traces and the rest of its layout (in the house template: it is
    Plotly's default, see theme)."""
    return go.Figure(data=data, layout={"title": {"text": title}, "height": height, **layout})


def step_line(x: list, y: list, name: str, hovertemplate: str, line: dict, **scatter) -> go.Scatter:
    """A series per interval drawn as steps: each value held from its interval's start to the next (Plotly's "hv" line
    shape), as agents and contacts are counted per interval. `line`: colour, dash, width; `scatter`: the rest (yaxis,
    visible, ...)."""
    return go.Scatter(
        x=x, y=y, name=name, mode="lines", line={**line, "shape": "hv"}, hovertemplate=hovertemplate, **scatter
    )


def heatmap_figure(heatmap: go.Heatmap, title: str, height: int, x_title: str, y_title: str, **layout) -> go.Figure:
    """A heat map's figure: category axes (each row and column labelled as given, no gaps filled in), the rows top
    down in their order, hover on the cell under the pointer."""
    return _figure(
        [heatmap],
        title,
        height=height,
        xaxis={"title": {"text": x_title}, "type": "category"},
        yaxis={"title": {"text": y_title}, "type": "category", "autorange": "reversed"},
        hovermode="closest",
        **layout,
    )


def _target_line(value: float, text: str, position: str = "top right") -> dict:
    """A dashed horizontal target line across the plot and its label, as layout `shapes` and `annotations` (what
    `fig.add_hline` adds, without a second pass over the figure)."""
    side, anchor = position.split()[1], position.split()[0]
    return {
        "shapes": [
            {
                "type": "line",
                "xref": "x domain",
                "x0": 0,
                "x1": 1,
                "yref": "y",
                "y0": value,
                "y1": value,
                "line": {"dash": "dash", "color": theme.TARGET, "width": 1},
            }
        ],
        "annotations": [
            {
                "text": text,
                "showarrow": False,
                "xref": "x domain",
                "x": 0 if side == "left" else 1,
                "xanchor": side,
                "yref": "y",
                "y": value,
                "yanchor": "bottom" if anchor == "top" else "top",
            }
        ],
    }


def no_data_figure(title: str) -> go.Figure:
    return _figure(
        [],
        title,
        height=200,
        xaxis={"visible": False},
        yaxis={"visible": False},
        annotations=[
            {
                "text": NO_DATA,
                "showarrow": False,
                "font": {"size": 18, "color": theme.NEUTRAL},
                "x": 0.5,
                "y": 0.5,
                "xref": "paper",
                "yref": "paper",
            }
        ],
    )


# Per grain: the x axis title and how a date axis ticks (every day, month, quarter or year, never hours).
GRAIN_AXES = {
    "daily": {"title": {"text": "Day"}, "tickformat": "%a %d %b", "dtick": 86_400_000},
    "weekly": {"title": {"text": "Week (starting Monday)"}, "tickformat": "%d %b %Y", "dtick": 7 * 86_400_000},
    "monthly": {"title": {"text": "Month"}, "tickformat": "%b %Y", "dtick": "M1"},
    "quarterly": {"title": {"text": "Quarter"}, "tickformat": "%Y-Q%q", "dtick": "M3"},
    "yearly": {"title": {"text": "Year"}, "tickformat": "%Y", "dtick": "M12"},
}


def _periods(first: date, last: date, grain: str) -> list[date]:
    """Every period start from `first` to `last`, so a period without data shows as a gap, not a straight line."""
    out, day = [], first
    while day <= last:
        out.append(day)
        if grain in ("daily", "weekly"):
            day = day + timedelta(days=1 if grain == "daily" else 7)
        else:
            day = add_months(day, {"monthly": 1, "quarterly": 3, "yearly": 12}[grain])
    return out


def period_text(start: date, grain: str) -> str:
    """A period as an axis label: 'Mar 2026', '2026-Q1', '2026', or the day."""
    if grain == "quarterly":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return start.strftime({"monthly": "%b %Y", "yearly": "%Y"}.get(grain, "%d %b %Y"))


def make_trend_figure(
    df: pl.DataFrame,
    column: str,
    title: str,
    grain: str,
    target: float | None = None,
    currency: str = DEFAULT_CURRENCY,
) -> go.Figure:
    """A KPI over time, one line per `series` (queue, or one line for all queues); `period_start` on the x axis."""
    if df.is_empty() or df[column].is_null().all():
        return no_data_figure(title)
    kpi = KPIS[column]
    traces = []
    series_names = df["series"].unique(maintain_order=True).to_list() if "series" in df.columns else [kpi.label]
    for name in series_names:
        part = df.filter(pl.col("series") == name) if "series" in df.columns else df
        by_period = dict(zip(part["period_start"].to_list(), part[column].to_list(), strict=True))
        periods = _periods(min(df["period_start"]), max(df["period_start"]), grain)
        values = [by_period.get(p) for p in periods]
        traces.append(
            go.Scatter(
                x=periods,
                y=values,
                name=str(name),
                mode="lines+markers",
                connectgaps=False,
                customdata=_people(kpi, values, currency),
                hovertemplate="%{customdata}",
            )
        )
    xaxis = {"type": "date", **GRAIN_AXES[grain]}
    if grain == "daily" and len(periods) > 14:  # over two weeks, a tick per Monday keeps the labels readable
        xaxis.update(dtick=7 * 86_400_000, tick0="2000-01-03")
    target_line = (
        {} if target is None else _target_line(target, f"target {fmt_value(kpi, target, currency)}", "top left")
    )
    return _figure(traces, title, yaxis=_axis(kpi, currency), xaxis=xaxis, **target_line)


def make_agent_bar_figure(
    df: pl.DataFrame, column: str, title: str, currency: str = DEFAULT_CURRENCY, limit: int | None = None
) -> go.Figure:
    """One horizontal bar per agent (`agent_id`), worst at the top, so the eye lands on who needs help. With `limit`,
    only that many of the worst, and the title says so (a bar per agent of a 1,000-agent center is a chart 22,000
    pixels tall)."""
    if df.is_empty() or df[column].is_null().all():
        return no_data_figure(title)
    kpi = KPIS[column]
    part = df.filter(pl.col(column).is_not_null())
    # Plotly draws the first category at the bottom: put the best first so the worst ends up on top.
    part = part.sort(column, descending=kpi.higher_is_better is not False)
    if limit is not None and part.height > limit:
        worst = "highest" if kpi.higher_is_better is False else "lowest"
        title = f"{title}: the {limit} {worst} of {fmt_count(part.height)} agents"
        part = part.tail(limit)
    values = part[column].to_list()
    bar = go.Bar(
        x=values,
        y=[str(a) for a in part["agent_id"].to_list()],
        orientation="h",
        name=kpi.label,
        customdata=_people(kpi, values, currency),
        hovertemplate="%{y}: %{customdata}<extra></extra>",
        text=_people(kpi, values, currency),
        textposition="auto",
    )
    return _figure(
        [bar],
        title,
        height=max(260, 80 + 22 * part.height),
        xaxis=_axis(kpi, currency),
        yaxis={"title": {"text": "Agent"}, "type": "category"},
        hovermode="closest",
    )


def make_budget_figure(df: pl.DataFrame, title: str, currency: str = DEFAULT_CURRENCY) -> go.Figure:
    """Money per `category` as grouped bars. With the year-end columns (`annual_budget_amount`,
    `actual_to_date_amount`, `projected_year_end_amount`) it shows the year: budget, actual to date and projection;
    without them, the period's `budget_amount` and `actual_amount`."""
    if df.is_empty():
        return no_data_figure(title)
    full_year = {"annual_budget_amount", "actual_to_date_amount", "projected_year_end_amount"} <= set(df.columns)
    bars = (
        [
            ("annual_budget_amount", "Budget, full year", theme.NEUTRAL),
            ("actual_to_date_amount", "Actual, year to date", theme.COLORWAY[0]),
            ("projected_year_end_amount", "Projection, full year", theme.COLORWAY[1]),
        ]
        if full_year
        else [("budget_amount", "Budget", theme.NEUTRAL), ("actual_amount", "Actual", theme.COLORWAY[0])]
    )
    traces = [
        go.Bar(
            x=df["category"].to_list(),
            y=df[column].to_list(),
            name=name,
            marker_color=colour,
            customdata=[fmt_money(v, currency) for v in df[column].to_list()],
            hovertemplate="%{customdata}",
        )
        for column, name, colour in bars
    ]
    return _figure(
        traces,
        title,
        height=380,
        barmode="group",
        xaxis={"title": {"text": "Cost category"}},
        yaxis={"title": {"text": f"Amount ({currency})"}, "tickformat": ",.0f"},
    )


def make_headcount_figure(df: pl.DataFrame, title: str, grain: str = "monthly") -> go.Figure:
    """Headcount at period end (line) with hires and terminations per period (bars), all on one axis of agents: one
    hire among forty agents is a fortieth of the headcount's height, as it is in the center (on an axis of its own a
    single hire would look like a crowd). Each bar carries its count. Columns: `period_start`, `headcount_end`,
    `hires`, `terminations`."""
    if df.is_empty():
        return no_data_figure(title)
    rows = {r["period_start"]: r for r in df.iter_rows(named=True)}
    periods = _periods(min(rows), max(rows), grain)
    # Periods as category labels: bars keep a sensible width however few periods have data.
    labels = [period_text(p, grain) for p in periods]

    def column(name: str) -> list:
        return [rows.get(p, {}).get(name) for p in periods]

    def bars(name: str, label: str, colour: str) -> go.Bar:
        values = column(name)
        return go.Bar(
            x=labels,
            y=values,
            name=label,
            marker_color=colour,
            opacity=0.85,
            text=[fmt_count(v) if v else "" for v in values],
            textposition="outside",
            cliponaxis=False,
        )

    traces = [
        go.Scatter(
            x=labels,
            y=column("headcount_end"),
            name="Headcount at period end",
            mode="lines+markers",
            line={"color": theme.COLORWAY[0]},
        ),
        bars("hires", "Hires", theme.GOOD),
        bars("terminations", "Terminations", theme.BAD),
    ]
    return _figure(
        traces,
        title,
        height=380,
        barmode="group",
        xaxis={"type": "category", "title": GRAIN_AXES[grain]["title"]},
        yaxis={"title": {"text": "People (agents)"}, "rangemode": "tozero", "tickformat": ",d"},
    )


# A right-hand y axis over the same plot, and the room left for it (as plotly's make_subplots(secondary_y) lays out).
SECONDARY_Y = {"overlaying": "y", "side": "right", "anchor": "x"}
SECONDARY_Y_X_DOMAIN = {"domain": [0.0, 0.94]}


def _day_selector(days: list[date], traces_per_day: int) -> dict:
    """Layout for a dropdown that shows one day's traces at a time (traces are in day order, `traces_per_day`
    each)."""
    buttons = []
    for i, day in enumerate(days):
        visible = [j // traces_per_day == i for j in range(len(days) * traces_per_day)]
        buttons.append({"label": day.strftime("%a %d %b"), "method": "update", "args": [{"visible": visible}]})
    # The menu sits under the title; the legend moves below the chart to leave it room.
    return {
        "updatemenus": [
            {
                "buttons": buttons,
                "active": 0,
                "x": 0.0,
                "xanchor": "left",
                "y": 1.02,
                "yanchor": "bottom",
                "showactive": True,
            }
        ],
        "margin": {"t": 100, "b": 90},
        "legend": {"y": -0.22, "yanchor": "top", "x": 0.0, "xanchor": "left"},
    }


def _epoch_ms(stamps: list[datetime]) -> np.ndarray:
    """Local timestamps as milliseconds since 1970 (a date axis reads them as they are). A numpy array is written
    into the page as packed binary, half the size of ISO strings: intraday pages must stay under 5 MB."""
    return np.array([(t - EPOCH).total_seconds() * 1000 for t in stamps], dtype=np.float64)


def _days(df: pl.DataFrame) -> list[date]:
    return sorted({ts.date() for ts in df["interval_start"].to_list()})


def make_staffing_figure(df: pl.DataFrame, title: str) -> go.Figure:
    """Per interval of the chosen day: calls offered (bars, left axis) against required, scheduled and staffed agents
    (steps, right axis, drawn over the bars). Columns: `interval_start`, `offered`, `required_agents`,
    `scheduled_agents`, `staffed_agents`."""
    if df.is_empty():
        return no_data_figure(title)
    df = df.sort("interval_start")
    days = _days(df)
    starts = df["interval_start"].to_list()
    steps = [b - a for a, b in pairwise(starts) if b > a]
    interval = min(steps) if steps else timedelta(minutes=15)
    traces = []
    lines = [
        ("required_agents", "Required agents", theme.TARGET, "dash"),
        ("scheduled_agents", "Scheduled agents", theme.COLORWAY[1], "dot"),
        ("staffed_agents", "Staffed agents", theme.COLORWAY[0], "solid"),
    ]
    for i, day in enumerate(days):
        part = df.filter(pl.col("interval_start").dt.date() == day)
        x = part["interval_start"].to_list()
        # Bars cover their interval [start, start + interval); steps repeat the last value to the interval's end.
        traces.append(
            go.Bar(
                x=_epoch_ms(x),
                y=part["offered"].to_list(),
                name="Calls offered",
                marker_color="#C9DCEB",
                offset=0,
                width=interval.total_seconds() * 1000,
                visible=i == 0,
                hovertemplate="%{y:.0f} calls offered",
            )
        )
        for column, name, colour, dash in lines:
            values = part[column].round(1).to_list()
            line = {"color": colour, "dash": dash, "width": 2.5}
            x_to_end = _epoch_ms(x + [x[-1] + interval])
            traces.append(
                step_line(x_to_end, values + values[-1:], name, "%{y:.1f} agents", line, visible=i == 0, yaxis="y2")
            )
    return _figure(
        traces,
        title,
        height=440,
        xaxis={
            "title": {"text": "Interval start (local time)"},
            "tickformat": "%H:%M",
            "type": "date",
            **SECONDARY_Y_X_DOMAIN,
        },
        yaxis={"title": {"text": "Calls offered (per interval)"}, "rangemode": "tozero"},
        yaxis2={
            "title": {"text": "Agents (time-weighted)"},
            "rangemode": "tozero",
            "tickmode": "auto",
            "showgrid": False,
            **SECONDARY_Y,
        },
        **_day_selector(days, 1 + len(lines)),
    )


def make_intraday_service_figure(df: pl.DataFrame, title: str, target: float | None = None) -> go.Figure:
    """Service level per interval of the chosen day. Columns: `interval_start`, `service_level`."""
    if df.is_empty() or df["service_level"].is_null().all():
        return no_data_figure(title)
    df = df.sort("interval_start")
    days = _days(df)
    traces = []
    for i, day in enumerate(days):
        part = df.filter(pl.col("interval_start").dt.date() == day)
        traces.append(
            go.Scatter(
                x=_epoch_ms(part["interval_start"].to_list()),
                y=part["service_level"].to_list(),
                name="Service level",
                mode="lines+markers",
                visible=i == 0,
                hovertemplate="%{y:.0%}",
                connectgaps=False,
            )
        )
    target_line = (
        {} if target is None else _target_line(target, f"target {fmt_value(KPIS['service_level'], target, '')}")
    )
    return _figure(
        traces,
        title,
        xaxis={"title": {"text": "Interval start (local time)"}, "tickformat": "%H:%M", "type": "date"},
        yaxis={"title": {"text": "Service level (%)"}, "tickformat": ".0%", "range": [0, 1.05]},
        **_day_selector(days, 1),
        **target_line,
    )


HEATMAP_FLOOR = 0.5  # adherence and occupancy live between 50 % and 100 %; lower values show as the darkest colour


def make_agent_heatmap_figure(df: pl.DataFrame, column: str, title: str) -> go.Figure:
    """A KPI per agent (rows) and day (columns). Columns: `agent_id`, `local_date`, the KPI column."""
    if df.is_empty() or df[column].is_null().all():
        return no_data_figure(title)
    kpi = KPIS[column]
    days = sorted(set(df["local_date"].to_list()))
    agents = sorted({str(a) for a in df["agent_id"].to_list()})
    cell = {(str(r["agent_id"]), r["local_date"]): r[column] for r in df.iter_rows(named=True)}
    z = [[cell.get((a, d)) for d in days] for a in agents]
    text = [[fmt_value(kpi, v, "") if v is not None else "" for v in row] for row in z]
    heatmap = go.Heatmap(
        x=[d.strftime("%a %d %b") for d in days],
        y=agents,
        z=z,
        text=text,
        texttemplate="%{text}",
        colorscale="cividis",
        zmin=HEATMAP_FLOOR,
        zmax=1,
        colorbar={"title": {"text": f"{kpi.label} (%)"}, "tickformat": ".0%"},
        hovertemplate="%{y}, %{x}: %{text}<extra></extra>",
        hoverongaps=False,
    )
    return heatmap_figure(heatmap, title, max(260, 110 + 26 * len(agents)), "Day", "Agent")
