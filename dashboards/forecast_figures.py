"""Forecast figures and tables for the supervisor pages: pure functions of query frames (no I/O)."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboards import theme
from dashboards.figures import _figure, no_data_figure
from dashboards.kpis import fmt_count, fmt_pct
from dashboards.site import Table


def make_forecast_volume_figure(df: pl.DataFrame, title: str) -> go.Figure:
    """Forecast offered contacts per day, a line per queue. Columns: `local_date`, `queue`, `offered_forecast`."""
    if df.is_empty():
        return no_data_figure(title)
    traces = []
    for i, queue in enumerate(sorted(set(df["queue"].to_list()))):
        part = df.filter(pl.col("queue") == queue).sort("local_date")
        traces.append(
            go.Scatter(
                x=part["local_date"].to_list(),
                y=part["offered_forecast"].round(0).to_list(),
                name=queue,
                mode="lines+markers",
                line={"color": theme.COLORWAY[i % len(theme.COLORWAY)]},
                hovertemplate="%{x|%a %d %b}: %{y:.0f} contacts forecast<extra>" + queue + "</extra>",
            )
        )
    return _figure(
        traces,
        title,
        height=380,
        xaxis={"title": {"text": "Day"}, "type": "date"},
        yaxis={"title": {"text": "Contacts offered (forecast)"}, "rangemode": "tozero"},
    )


def forecast_accuracy_table(df: pl.DataFrame) -> Table | None:
    """Per queue: one-week-ahead WAPE and bias of the chosen method beside the 4-week moving average's."""
    if df.is_empty():
        return None
    rows = [
        [
            str(r["queue"]),
            f"{r['first_date']:%d %b} to {r['last_date']:%d %b}",
            fmt_count(r["origins"]),
            fmt_count(r["offered_actual"]),
            fmt_pct(r["chosen_wape"], 1),
            fmt_pct(r["chosen_bias"], 1),
            fmt_pct(r["moving_average_wape"], 1),
        ]
        for r in df.iter_rows(named=True)
    ]
    columns = ["Queue", "Days", "Forecasts", "Contacts", "WAPE", "Bias", "WAPE, 4-week average"]
    return Table(columns, rows, text_columns=(0, 1))
