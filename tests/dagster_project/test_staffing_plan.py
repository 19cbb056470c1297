"""The staffing plan on hand-worked intervals (dagster_project/planning/staffing_plan.py)."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

import polars as pl
import pytest

from dagster_project.planning.staffing_plan import PlanSettings, plan_intervals, suggest_break_moves

T0 = datetime(2026, 3, 2, 8, 0)
Q = timedelta(minutes=15)


def forecast(rows):
    return pl.DataFrame(
        [
            {
                "queue": queue,
                "interval_start_at": start,
                "interval_start": start + timedelta(hours=1),
                "local_date": day,
                "interval_seconds": 900,
                "forecast_offered": offered,
                "forecast_aht_seconds": aht,
            }
            for queue, start, day, offered, aht in rows
        ]
    )


NO_PATIENCE = pl.DataFrame(
    {"queue": ["billing"], "patience_seconds": [None]}, schema_overrides={"patience_seconds": pl.Float64}
)


def test_plan_against_the_schedule_and_not_yet_scheduled():
    plan = plan_intervals(
        forecast(
            [
                ("billing", T0, date(2026, 3, 2), 1.0, 330),
                ("billing", T0 + timedelta(days=1), date(2026, 3, 3), 1.0, 330),
            ]
        ),
        pl.DataFrame({"queue": ["billing"], "interval_start_at": [T0], "scheduled_agents": [1.0]}),
        NO_PATIENCE,
        unplanned_shrinkage=0.2,
        last_scheduled_date=date(2026, 3, 2),
        settings=PlanSettings(),
    ).to_dicts()
    today, tomorrow = plan
    # A = 1 x 330 / 900 = 0.3667 Erlang; Erlang C N = 1 gives SL 0.647 < 0.80, N = 2 gives 0.949 -> 2 agents
    assert today["staffing_model"] == "erlang_c"
    assert today["required_agents"] == 2
    # 2 / (1 - 0.2 unplanned shrinkage) = 2.5; scheduled 1.0 -> gap -1.5, beyond the 1-agent tolerance
    assert today["required_scheduled_agents"] == pytest.approx(2.5)
    assert today["schedule_gap_agents"] == pytest.approx(-1.5)
    assert today["staffing_status"] == "under"
    # with 1.0 x (1 - 0.2) = 0.8 agents there: 0.8 of Erlang C's N = 1 service level, 1 - 0.3667 x exp(-0.6333 x 20
    # / 330) = 0.6471, and 0.2 of N = 0 (nobody answered)
    sl_one = 1 - (330 / 900) * math.exp(-(1 - 330 / 900) * 20 / 330)
    assert today["projected_service_level"] == pytest.approx(0.8 * sl_one)
    assert today["projected_abandonment_rate"] == pytest.approx(0.2)
    # the day after the last published schedule is not yet scheduled: no agents, no gap (not a gap of -2.5)
    assert tomorrow["staffing_status"] == "not_yet_scheduled"
    assert tomorrow["scheduled_agents"] is None and tomorrow["schedule_gap_agents"] is None
    assert tomorrow["required_agents"] == 2


def test_erlang_a_for_a_queue_with_patience_needs_no_more_agents():
    rows = [("billing", T0, date(2026, 3, 2), 120.0, 300)]
    scheduled = pl.DataFrame({"queue": ["billing"], "interval_start_at": [T0], "scheduled_agents": [40.0]})
    with_a = plan_intervals(
        forecast(rows),
        scheduled,
        pl.DataFrame({"queue": ["billing"], "patience_seconds": [90.0]}),
        0.0,
        date(2026, 3, 2),
        PlanSettings(),
    ).row(0, named=True)
    with_c = plan_intervals(forecast(rows), scheduled, NO_PATIENCE, 0.0, date(2026, 3, 2), PlanSettings()).row(
        0, named=True
    )
    assert with_a["staffing_model"] == "erlang_a" and with_c["staffing_model"] == "erlang_c"
    assert with_a["required_agents"] <= with_c["required_agents"]
    # a setting of erlang_c ignores the patience
    forced = plan_intervals(
        forecast(rows),
        scheduled,
        pl.DataFrame({"queue": ["billing"], "patience_seconds": [90.0]}),
        0.0,
        date(2026, 3, 2),
        PlanSettings(staffing_model="erlang_c"),
    ).row(0, named=True)
    assert forced["required_agents"] == with_c["required_agents"]


def test_a_break_moves_to_the_neighbouring_interval_with_agents_to_spare():
    # gaps 08:00 0.0, 08:15 -1.5 (under), 08:30 +2.0 (over); agent X (billing only) has a break 08:15-08:30
    plan = pl.DataFrame(
        {
            "queue": ["billing"] * 3,
            "interval_start_at": [T0, T0 + Q, T0 + 2 * Q],
            "interval_seconds": [900] * 3,
            "is_scheduled": [True] * 3,
            "schedule_gap_agents": [0.0, -1.5, 2.0],
            "forecast_offered": [0.0] * 3,
            "forecast_aht_seconds": [300.0] * 3,
            "patience_seconds": [None] * 3,
            "scheduled_agents": [3.0, 1.5, 5.0],
            "unplanned_shrinkage": [0.0] * 3,
            "projected_service_level": [None] * 3,
        },
        schema_overrides={"patience_seconds": pl.Float64, "projected_service_level": pl.Float64},
    )
    breaks = pl.DataFrame({"agent_id": ["X"], "activity": ["break"], "started_at": [T0 + Q], "ended_at": [T0 + 2 * Q]})
    shares = pl.DataFrame({"agent_id": ["X"], "queue": ["billing"], "queue_share": [1.0]})
    moves, summary = suggest_break_moves(plan, breaks, shares, PlanSettings(break_window_minutes=30))
    # 15 minutes earlier would leave 08:00 at -1.0 (< 0): rejected; 15 minutes later leaves 08:30 at +1.0: taken
    assert moves.height == 1
    move = moves.row(0, named=True)
    assert move["shift_minutes"] == 15
    assert move["suggested_started_at"] == T0 + 2 * Q
    assert move["schedule_gap_agents_before"] == pytest.approx(-1.5)
    assert move["schedule_gap_agents_after"] == pytest.approx(-0.5)
    assert summary == {
        "understaffed_intervals_before": 1,
        "understaffed_intervals_after": 0,
        "shortfall_agents_before": 1.5,
        "shortfall_agents_after": 0.0,
        "breaks_moved": 1,
    }
    # with no interval to spare within the window, nothing moves
    none, summary = suggest_break_moves(plan, breaks, shares, PlanSettings(break_window_minutes=0))
    assert none.height == 0 and summary["understaffed_intervals_after"] == 1
