"""The planning page's figures and tables (dashboards/planning_figures.py): pure functions on small frames."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest

from dashboards.planning_figures import (
    NOT_YET_SCHEDULED,
    daily_hours,
    make_capacity_figure,
    make_gap_heatmap_figure,
    make_hours_figure,
    moves_table,
    summary_table,
)


def plan() -> pl.DataFrame:
    """Two half-hour intervals on a scheduled day, one on a day not yet scheduled; a night gap between the days."""
    return pl.DataFrame(
        {
            "local_date": [date(2026, 4, 1), date(2026, 4, 1), date(2026, 4, 2)],
            "interval_start": [datetime(2026, 4, 1, 9), datetime(2026, 4, 1, 9, 30), datetime(2026, 4, 2, 9)],
            "interval_seconds": [1800, 1800, 1800],
            "forecast_offered": [20.0, 10.0, 20.0],
            "required_agents": [5, 3, 5],
            "unplanned_shrinkage": [0.1, 0.1, 0.1],
            "required_scheduled_agents": [5 / 0.9, 3 / 0.9, 5 / 0.9],
            "is_scheduled": [True, True, False],
            "scheduled_agents": [4.0, 4.0, None],
            "schedule_gap_agents": [4 - 5 / 0.9, 4 - 3 / 0.9, None],
            "staffing_status": ["under", "within", "not_yet_scheduled"],
        }
    )


def test_gap_heat_map_leaves_unscheduled_days_blank_with_a_note() -> None:
    fig = make_gap_heatmap_figure(plan(), "Gap")
    heatmap = fig.data[0]
    assert list(heatmap.x) == ["09:00", "09:30"]
    assert list(heatmap.y) == ["Wed 01 Apr", "Thu 02 Apr"]
    # 4 - 5 / 0.9 = -1.556, 4 - 3 / 0.9 = +0.667; 2 April: blank (None), never 0; 09:30 has no forecast row.
    assert heatmap.z[0] == pytest.approx((-1.5556, 0.6667), abs=1e-3)
    assert list(heatmap.z[1]) == [None, None]
    assert list(heatmap.customdata[1]) == [NOT_YET_SCHEDULED, "no forecast"]
    assert [a.text for a in fig.layout.annotations] == [NOT_YET_SCHEDULED]
    assert fig.layout.annotations[0].y == "Thu 02 Apr"
    # A symmetric colour scale around 0: the largest gap, 1.556, either way.
    assert (heatmap.zmin, heatmap.zmax) == pytest.approx((-1.5556, 1.5556), abs=1e-3)


def test_capacity_lines_stop_where_the_schedule_is_not_published_and_over_nights() -> None:
    fig = make_capacity_figure(plan(), "Capacity")
    forecast, required, scheduled = fig.data
    # A blank point at 10:00 on 1 April (the interval after the last before the night) breaks the lines.
    assert [str(x) for x in scheduled.x] == ["2026-04-01 09:00:00", "2026-04-01 09:30:00", "2026-04-01 10:00:00",
                                              "2026-04-02 09:00:00"]  # fmt: skip
    assert list(scheduled.y) == [4.0, 4.0, None, None]
    assert list(required.y) == [5.56, 3.33, None, 5.56]
    assert forecast.yaxis == "y2" and list(forecast.y) == [20.0, 10.0, None, 20.0]


def test_daily_hours_gross_required_fte_up_by_planned_and_unplanned_shrinkage() -> None:
    hours = daily_hours(plan(), planned_shrinkage=0.2)
    first, second = hours.iter_rows(named=True)
    # 1 April: required work hours (5 + 3) / 0.9 x 0.5 h = 4.444 h; FTE hours (5 + 3) x 0.5 / (1 - 0.2 - 0.1) = 5.714 h;
    # scheduled (4 + 4) x 0.5 = 4 h.
    assert first["required_work_hours"] == pytest.approx(4.4444, abs=1e-3)
    assert first["required_fte_hours"] == pytest.approx(5.7143, abs=1e-3)
    assert first["scheduled_work_hours"] == pytest.approx(4.0)
    # 2 April is not yet scheduled: no scheduled hours (not 0); required 5 / 0.9 x 0.5 = 2.778 h.
    assert second["scheduled_work_hours"] is None
    assert second["required_work_hours"] == pytest.approx(2.7778, abs=1e-3)
    fig = make_hours_figure(hours, "Hours")
    assert [t.name for t in fig.data] == [
        "Scheduled work hours",
        "Required work hours",
        "Required FTE hours (paid, incl. planned shrinkage)",
    ]
    assert list(fig.data[0].y) == [4.0, None]
    # Without a planned shrinkage history there is no FTE line.
    no_fte = daily_hours(plan(), planned_shrinkage=None)
    assert no_fte["required_fte_hours"].is_null().all()
    assert len(make_hours_figure(no_fte, "Hours").data) == 2


def test_moves_and_summary_tables() -> None:
    moves = pl.DataFrame(
        {
            "agent_id": ["A1"],
            "activity": ["lunch"],
            "interval_start": [datetime(2026, 4, 1, 12)],
            "started_at": [datetime(2026, 4, 1, 12)],
            "ended_at": [datetime(2026, 4, 1, 12, 30)],
            "suggested_started_at": [datetime(2026, 4, 1, 12, 30)],
            "suggested_ended_at": [datetime(2026, 4, 1, 13)],
            "shift_minutes": [30],
            "schedule_gap_agents_before": [-2.0],
            "schedule_gap_agents_after": [-1.0],
            "projected_service_level_before": [0.5],
            "projected_service_level_after": [0.75],
        }
    )
    table = moves_table(moves)
    assert table.rows == [
        [
            "A1",
            "lunch",
            "Wed 01 Apr 12:00-12:30",
            "12:30-13:00 (+30 min)",
            "12:00",
            "-2.0 -> -1.0",
            "50\u00a0% -> 75\u00a0%",
        ]
    ]
    assert moves_table(moves.clear()) is None
    summary = pl.DataFrame(
        {
            "understaffed_intervals_before": [267],
            "understaffed_intervals_after": [263],
            "shortfall_agents_before": [423.42],
            "shortfall_agents_after": [412.16],
            "breaks_moved": [15],
        }
    )
    rows = summary_table(summary, plan()).rows
    assert rows[0] == ["Understaffed intervals, all queues", "267", "263"]
    assert rows[1] == ["Shortfall (agents), all queues", "423.4", "412.2"]
    assert rows[3] == ["Understaffed intervals, this queue", "1", "-"]  # the plan's one `under` interval
    assert summary_table(summary.clear(), plan()) is None
