"""Figure functions on small frames, without a browser: every figure has a title, axis titles with units, and the
data it was given (gaps where a period has none)."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl

from dashboards import figures, theme


def axis_titles(fig) -> list[str]:
    layout = fig.to_dict()["layout"]
    return [v["title"]["text"] for k, v in layout.items() if k.startswith(("xaxis", "yaxis")) and "title" in v]


def test_trend_has_title_units_one_line_per_series_and_gaps():
    df = pl.DataFrame(
        {
            "period_start": [date(2026, 1, 1), date(2026, 3, 1), date(2026, 1, 1)],
            "series": ["sales", "sales", "support"],
            "service_level": [0.8, 0.7, 0.9],
        }
    )
    fig = figures.make_trend_figure(df, "service_level", "Service level per month", "monthly", target=0.8)
    assert fig.layout.title.text == "Service level per month"
    assert "Service level (%)" in axis_titles(fig) and "Month" in axis_titles(fig)
    assert fig.layout.template.layout.colorway == tuple(theme.COLORWAY)
    sales, support = fig.data
    # January to March with February empty: a gap, not a line from January straight to March.
    assert list(sales.x) == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    assert list(sales.y) == [0.8, None, 0.7]
    assert list(support.y) == [0.9, None, None]
    assert list(sales.customdata) == ["80\u00a0%", "", "70\u00a0%"]
    assert fig.layout.shapes[0].y0 == 0.8  # the target line


def test_seconds_and_money_axes_say_their_unit():
    df = pl.DataFrame({"period_start": [date(2026, 3, 1)], "aht_seconds": [333.3], "cost_per_call": [450.0]})
    assert "Average handle time (seconds)" in axis_titles(
        figures.make_trend_figure(df, "aht_seconds", "AHT", "monthly")
    )
    assert "Cost per call (EUR)" in axis_titles(
        figures.make_trend_figure(df, "cost_per_call", "Cost per call", "monthly", currency="EUR")
    )


def test_empty_frame_gives_a_titled_no_data_figure():
    fig = figures.make_trend_figure(pl.DataFrame(), "service_level", "Service level per day", "daily")
    assert fig.layout.title.text == "Service level per day"
    assert len(fig.data) == 0 and fig.layout.annotations[0].text == "no data"


def test_agent_bars_put_the_worst_on_top():
    df = pl.DataFrame({"agent_id": ["A1", "A2", "A3"], "adherence": [0.9, 0.8, 0.95]})
    fig = figures.make_agent_bar_figure(df, "adherence", "Adherence per agent")
    # Plotly draws the first category at the bottom: best (A3) first, worst (A2) last = on top.
    assert list(fig.data[0].y) == ["A3", "A1", "A2"]
    assert "Schedule adherence (%)" in axis_titles(fig)


def test_agent_bars_keep_only_the_worst_when_limited():
    df = pl.DataFrame({"agent_id": ["A1", "A2", "A3"], "adherence": [0.9, 0.8, 0.95], "aht_seconds": [300, 420, 360]})
    fig = figures.make_agent_bar_figure(df, "adherence", "Adherence per agent", limit=2)
    # The two lowest adherences, A2 (80 %) and A1 (90 %), worst on top; A3 (95 %) is left out.
    assert list(fig.data[0].y) == ["A1", "A2"]
    assert fig.layout.title.text == "Adherence per agent: the 2 lowest of 3 agents"
    fig = figures.make_agent_bar_figure(df, "aht_seconds", "AHT per agent", limit=2)
    # For AHT the worst are the slowest: A2 (420 s) on top, then A3 (360 s).
    assert list(fig.data[0].y) == ["A3", "A2"]
    assert fig.layout.title.text == "AHT per agent: the 2 highest of 3 agents"
    assert figures.make_agent_bar_figure(df, "adherence", "Adherence", limit=3).layout.title.text == "Adherence"


def test_budget_shows_the_year_when_the_mart_has_projection_columns():
    period = pl.DataFrame({"category": ["staff"], "budget_amount": [400000.0], "actual_amount": [410000.0]})
    year = period.with_columns(
        annual_budget_amount=pl.lit(4.8e6),
        actual_to_date_amount=pl.lit(1.17e6),
        projected_year_end_amount=pl.lit(4.77e6),
    )
    assert [t.name for t in figures.make_budget_figure(period, "Budget", "NOK").data] == ["Budget", "Actual"]
    fig = figures.make_budget_figure(year, "Budget", "NOK")
    assert [t.name for t in fig.data] == ["Budget, full year", "Actual, year to date", "Projection, full year"]
    assert list(fig.data[2].y) == [4.77e6]
    assert "Amount (NOK)" in axis_titles(fig)


def test_headcount_has_line_and_two_bar_series():
    df = pl.DataFrame(
        {
            "period_start": [date(2026, 2, 1), date(2026, 3, 1)],
            "headcount_end": [30, 31],
            "hires": [1, 3],
            "terminations": [0, 2],
        }
    )
    fig = figures.make_headcount_figure(df, "Headcount", "monthly")
    assert [t.name for t in fig.data] == ["Headcount at period end", "Hires", "Terminations"]
    assert "People (agents)" in axis_titles(fig)
    assert list(fig.data[1].text) == ["1", "3"] and list(fig.data[2].text) == ["", "2"]  # counts on the bars


def test_one_hire_and_one_leaver_share_the_headcount_axis():
    # 30 agents, one hire, one leaver: every trace on the one axis of agents, so each bar is 1/30 of the line's
    # height, not a full-height bar on an axis of its own.
    one_each = pl.DataFrame(
        {"period_start": [date(2026, 3, 1)], "headcount_end": [30], "hires": [1], "terminations": [1]}
    )
    fig = figures.make_headcount_figure(one_each, "Headcount", "monthly")
    assert {t.yaxis for t in fig.data} == {None}  # no trace on a y2
    assert "yaxis2" not in fig.layout.to_plotly_json()


def test_staffing_has_a_day_selector_and_bars_covering_their_interval():
    df = pl.DataFrame(
        {
            "interval_start": [datetime(2026, 3, 30, 9, 0), datetime(2026, 3, 30, 9, 15), datetime(2026, 3, 31, 9, 0)],
            "offered": [30, 32, 16],
            "required_agents": [9.0, 10.0, 5.0],
            "scheduled_agents": [8.0, 8.0, 6.0],
            "staffed_agents": [7.5, 7.5, 6.0],
        }
    )
    fig = figures.make_staffing_figure(df, "Staffing")
    assert len(fig.data) == 8  # per day: calls + required + scheduled + staffed
    assert [t.visible for t in fig.data] == [True] * 4 + [False] * 4
    buttons = fig.layout.updatemenus[0].buttons
    assert [b.label for b in buttons] == ["Mon 30 Mar", "Tue 31 Mar"]
    assert buttons[1].args[0]["visible"] == [False] * 4 + [True] * 4
    assert fig.data[0].width == 15 * 60 * 1000  # a bar spans its 15-minute interval
    # The step line repeats its last value to the end of the last interval (09:30); x in ms since 1970.
    assert list(fig.data[1].y) == [9.0, 10.0, 10.0]
    assert fig.data[1].x[-1] == (datetime(2026, 3, 30, 9, 30) - datetime(1970, 1, 1)).total_seconds() * 1000
    assert {"Calls offered (per interval)", "Agents (time-weighted)"} <= set(axis_titles(fig))


def test_intraday_service_and_heatmap():
    df = pl.DataFrame({"interval_start": [datetime(2026, 3, 30, 9, 0)], "service_level": [0.75]})
    fig = figures.make_intraday_service_figure(df, "Service level per interval", target=0.8)
    assert list(fig.data[0].y) == [0.75] and "Service level (%)" in axis_titles(fig)
    days = pl.DataFrame(
        {
            "agent_id": ["A1", "A1", "A2"],
            "local_date": [date(2026, 3, 30), date(2026, 3, 31), date(2026, 3, 30)],
            "adherence": [0.9, 0.95, 0.8],
        }
    )
    heat = figures.make_agent_heatmap_figure(days, "adherence", "Adherence per agent and day")
    assert [list(r) for r in heat.data[0].z] == [[0.9, 0.95], [0.8, None]]  # A2 has no row on the 31st
    assert heat.data[0].colorbar.title.text == "Schedule adherence (%)"


def test_a_full_week_of_intraday_charts_fits_in_a_team_page():
    # 7 days x 96 quarter-hours (a 24/7 center). A team page holds 8 weeks beside the packed plotly.js (2.0 MB):
    # under 120 KB a week keeps it near 3 MB.
    stamps = [datetime(2026, 3, 30) + i * (datetime(2026, 3, 30, 0, 15) - datetime(2026, 3, 30)) for i in range(672)]
    df = pl.DataFrame(
        {
            "interval_start": stamps,
            "offered": [37] * 672,
            "required_agents": [12.3] * 672,
            "scheduled_agents": [11.7] * 672,
            "staffed_agents": [10.9] * 672,
            "service_level": [0.8125] * 672,
        }
    )
    html = figures.make_staffing_figure(df, "Staffing").to_html(
        full_html=False, include_plotlyjs=False
    ) + figures.make_intraday_service_figure(df, "Service level").to_html(full_html=False, include_plotlyjs=False)
    assert len(html) < 120_000


def test_supervisor_file_names_keep_any_alphabet():
    from dashboards.supervisor import slug

    assert slug("Nord/Øst 2") == "nord-øst-2"
    assert slug("__") == "team"
