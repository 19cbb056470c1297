"""The intraday reforecast on hand-worked numbers (dagster_project/planning/intraday.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl
import pytest

from dagster_project.planning.intraday import (
    pace_so_far,
    reforecast_rest_of_day,
    required_for_rest_of_day,
    share_before,
)
from dagster_project.planning.staffing_plan import PlanSettings

DAY = date(2026, 3, 31)
T0 = datetime(2026, 3, 31, 8, 0)
Q = timedelta(minutes=15)
CUTOFF = T0 + 2 * Q + timedelta(minutes=7, seconds=30)  # 08:37:30, half-way through the 08:30 interval


def forecast(rows: list[tuple[str, datetime, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "queue": queue,
                "interval_start": start,
                "local_date": DAY,
                "interval_seconds": 900,
                "forecast_offered": offered,
                "forecast_aht_seconds": 300.0,
            }
            for queue, start, offered in rows
        ]
    )


# billing: 2.5 calls forecast in each of 08:00, 08:15, 08:30, 08:45; sales: nothing forecast before 09:00.
FORECAST = forecast(
    [("billing", T0 + i * Q, 2.5) for i in range(4)] + [("sales", T0 + 4 * Q, 4.0), ("sales", T0 + 5 * Q, 4.0)]
)
# Offered before the cutoff: billing 6 (2 + 3 + 1), sales 1.
ACTUAL = pl.DataFrame({"queue": ["billing", "sales"], "offered": [6, 1]})


def test_share_of_an_interval_before_the_cutoff():
    assert share_before(T0, 900, CUTOFF) == 1.0  # 08:00-08:15, over
    assert share_before(T0 + 2 * Q, 900, CUTOFF) == 0.5  # 08:30-08:45: 7.5 of 15 minutes before 08:37:30
    assert share_before(T0 + 3 * Q, 900, CUTOFF) == 0.0  # 08:45, not begun
    assert share_before(T0 + Q, 900, T0 + 2 * Q) == 1.0  # an interval ending exactly at the cutoff is over


def test_pace_is_actual_over_the_forecast_so_far():
    pace = {r["queue"]: r for r in pace_so_far(FORECAST, ACTUAL, CUTOFF).to_dicts()}
    # billing: forecast so far 2.5 (08:00) + 2.5 (08:15) + 2.5 x 0.5 (08:30, half gone) = 6.25; pace 6 / 6.25 = 0.96.
    assert pace["billing"]["forecast_offered_so_far"] == pytest.approx(6.25)
    assert pace["billing"]["actual_offered_so_far"] == 6
    assert pace["billing"]["pace"] == pytest.approx(0.96)
    # sales: nothing forecast before 09:00, so no pace (never a division by zero, never infinity).
    assert pace["sales"]["forecast_offered_so_far"] == 0.0
    assert pace["sales"]["pace"] is None


def test_rest_of_the_day_is_scaled_by_the_pace():
    pace = pace_so_far(FORECAST, ACTUAL, CUTOFF)
    rest = reforecast_rest_of_day(FORECAST, pace, CUTOFF)
    got = [(r["queue"], r["interval_start"].strftime("%H:%M"), r["reforecast_offered"]) for r in rest.to_dicts()]
    # billing 08:30 (cut by the cutoff, not over) and 08:45: 2.5 x 0.96 = 2.4; sales keeps its forecast (no pace).
    assert got == [
        ("billing", "08:30", pytest.approx(2.4)),
        ("billing", "08:45", pytest.approx(2.4)),
        ("sales", "09:00", 4.0),
        ("sales", "09:15", 4.0),
    ]


def test_required_agents_for_the_reforecast_with_erlang_c():
    # billing's forecast 2.5 per 15 minutes running at pace 1.2 (3 offered against 2.5 forecast by 08:15):
    # 2.5 x 1.2 = 3 calls in 900 s at AHT 300 s = load A = 1 Erlang.
    one = forecast([("billing", T0, 2.5), ("billing", T0 + Q, 2.5)])
    pace = pace_so_far(one, pl.DataFrame({"queue": ["billing"], "offered": [3]}), T0 + Q)
    rest = reforecast_rest_of_day(one, pace, T0 + Q)
    assert rest["reforecast_offered"].to_list() == [pytest.approx(3.0)]
    needed = required_for_rest_of_day(
        rest,
        scheduled=pl.DataFrame({"queue": ["billing"], "interval_start": [T0 + Q], "scheduled_agents": [3.0]}),
        patience=pl.DataFrame(schema={"queue": pl.String, "patience_seconds": pl.Float64}),  # none: Erlang C
        unplanned_shrinkage=0.25,
        settings=PlanSettings(),  # 80 % in 20 s, occupancy <= 85 %
    ).to_dicts()[0]
    # Erlang C, A = 1, AHT 300 s, threshold 20 s:
    #   N = 2: P(wait) = (A^2/2! x 2/(2-1)) / (1 + A + A^2/2! x 2/(2-1)) = 1 / 3;
    #          SL = 1 - 1/3 x exp(-(2-1) x 20/300) = 1 - 0.3333 x 0.9355 = 0.688 < 0.80
    #   N = 3: P(wait) = (1/6 x 3/2) / (1 + 1 + 1/2 + 1/4) = 0.25 / 2.75 = 0.0909;
    #          SL = 1 - 0.0909 x exp(-2 x 20/300) = 1 - 0.0909 x 0.8752 = 0.920 >= 0.80, occupancy 1/3
    assert needed["staffing_model"] == "erlang_c"
    assert needed["required_agents"] == 3
    # required scheduled = 3 / (1 - 0.25 unplanned shrinkage) = 4; 3 scheduled -> gap -1
    assert needed["required_scheduled_agents"] == pytest.approx(4.0)
    assert needed["schedule_gap_agents"] == pytest.approx(-1.0)
    # the unscaled forecast, 2.5 calls (A = 0.833): N = 2 gives P(wait) = (0.3472 x 2/1.167) / (1 + 0.833 +
    # 0.5952) = 0.5952 / 2.4286 = 0.245, SL = 1 - 0.245 x exp(-1.167 x 20/300) = 0.773 < 0.80; N = 3 meets it:
    # 3 / 0.75 = 4 as well
    assert needed["forecast_required_scheduled_agents"] == pytest.approx(4.0)


def test_no_published_schedule_leaves_scheduled_agents_blank():
    rest = reforecast_rest_of_day(FORECAST, pace_so_far(FORECAST, ACTUAL, CUTOFF), CUTOFF)
    needed = required_for_rest_of_day(
        rest,
        scheduled=pl.DataFrame(schema={"queue": pl.String, "interval_start": pl.Datetime, "scheduled_agents": float}),
        patience=pl.DataFrame(schema={"queue": pl.String, "patience_seconds": pl.Float64}),
        unplanned_shrinkage=0.0,
        settings=PlanSettings(),
        is_scheduled=False,
    )
    assert needed["scheduled_agents"].null_count() == needed.height == 4
    assert needed["schedule_gap_agents"].null_count() == 4
