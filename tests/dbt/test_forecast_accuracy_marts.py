"""The forecast accuracy marts (dbt/models/marts/forecast) on hand-made kept forecasts and demand: the real dbt
build of those three models (and their tests) on a temp DuckDB that holds only what they read."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from dagster_project.forecasting.snapshots import SNAPSHOT_DDL
from tests.dbt.conftest import run_dbt_build
from tests.support.query import query

FORECAST_MARTS = [
    "int_rebuilt_local_days",  # the log the incremental fact reads and writes
    "fct_interval_forecast_accuracy",
    "kpi_forecast_accuracy_daily",
    "kpi_forecast_accuracy_weekly",
]


def dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


# Loaded demand of queue billing: 2026-03-02 and 2026-03-03 (the last loaded day).
DEMAND = [
    ("billing", dt("2026-03-02 09:00"), date(2026, 3, 2), 10, 10, 2000.0),
    ("billing", dt("2026-03-02 09:15"), date(2026, 3, 2), 4, 4, 800.0),
    ("billing", dt("2026-03-03 09:00"), date(2026, 3, 3), 6, 5, 1500.0),
]
# Kept at origin 2026-03-01: (interval_start, horizon_days, method, is_chosen, offered_forecast)
KEPT = [
    (dt("2026-03-02 09:00"), 1, "moving_average_4w", True, 12.0),
    (dt("2026-03-02 09:15"), 1, "moving_average_4w", True, 4.0),
    (dt("2026-03-02 09:30"), 1, "moving_average_4w", True, 2.0),  # no contacts came: actual 0
    (dt("2026-03-03 09:00"), 2, "moving_average_4w", True, 5.0),
    (dt("2026-03-04 09:00"), 3, "moving_average_4w", True, 7.0),  # not loaded at the first build
    (dt("2026-03-09 09:00"), 8, "moving_average_4w", False, 7.0),
    (dt("2026-03-02 09:00"), 1, "seasonal_naive", False, 8.0),
    (dt("2026-03-03 09:00"), 2, "seasonal_naive", False, 9.0),
]


@pytest.fixture(scope="module")
def accuracy_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("forecast_marts") / "pipeline.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create schema intermediate; create schema marts; create schema ops")
    con.execute(
        "create table intermediate.int_queue_interval_demand (queue varchar, interval_start timestamp, "
        "local_date date, offered bigint, handled_legs bigint, handle_seconds double)"
    )
    con.executemany("insert into intermediate.int_queue_interval_demand values (?, ?, ?, ?, ?, ?)", DEMAND)
    # the interval spine, read only when an input was built from scratch (every day rebuilt): not the case here
    con.execute("create table intermediate.int_intervals (local_date date, interval_start timestamp)")
    con.execute(SNAPSHOT_DDL)
    con.executemany(
        "insert into ops.interval_forecasts values (?, 'billing', ?, ?, ?, ?, ?, 180.0, ?, 15, ?, ?, 120, ?)",
        [
            (date(2026, 3, 1), start, start.date(), h, m, f, c, date(2026, 1, 1), date(2026, 3, 1), dt("2026-03-02"))
            for start, h, m, c, f in KEPT
        ],
    )
    con.close()
    run_dbt_build(db, select=FORECAST_MARTS)
    return db


@pytest.fixture(scope="module")
def accuracy_after_one_more_day(accuracy_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The next night: 2026-03-04 arrives (9 contacts at 09:00) and the demand logs that day; an incremental build.
    On a copy, so the tests of the first build see it as it was, in any order."""
    copy = tmp_path_factory.mktemp("forecast_marts_next_night") / "pipeline.duckdb"
    shutil.copyfile(accuracy_db, copy)
    accuracy_db = copy
    con = duckdb.connect(str(accuracy_db))
    con.execute(
        "insert into intermediate.int_queue_interval_demand values ('billing', '2026-03-04 09:00', '2026-03-04', 9, 9, "
        "1800.0)"
    )
    con.execute(
        "insert into intermediate.int_rebuilt_local_days values ('int_queue_interval_demand', '2026-03-04', now())"
    )
    con.close()
    run_dbt_build(accuracy_db, select=FORECAST_MARTS[1:])
    return accuracy_db


def test_interval_accuracy_fills_in_loaded_days_only(accuracy_db: Path) -> None:
    rows = query(
        accuracy_db,
        "select interval_start, offered_actual, offered_absolute_error, offered_error, aht_seconds_actual "
        "from marts.fct_interval_forecast_accuracy where method = 'moving_average_4w' order by interval_start",
    )
    assert rows == [
        (dt("2026-03-02 09:00"), 10, 2.0, 2.0, 200.0),  # 12 vs 10; 2000 s / 10
        (dt("2026-03-02 09:15"), 4, 0.0, 0.0, 200.0),
        (dt("2026-03-02 09:30"), 0, 2.0, 2.0, None),  # loaded day, no contacts
        (dt("2026-03-03 09:00"), 6, 1.0, -1.0, 300.0),  # 5 vs 6; 1500 s / 5 handled
    ]  # 2026-03-04 and 03-09 are after the last loaded day: no rows yet


def test_daily_and_weekly_wape_and_bias_by_hand(accuracy_db: Path) -> None:
    daily = query(
        accuracy_db,
        "select local_date, horizon_days, offered_forecast, offered_actual, round(wape, 6), round(bias, 6), intervals "
        "from marts.kpi_forecast_accuracy_daily where method = 'moving_average_4w' order by local_date",
    )
    # 03-02: forecast 12 + 4 + 2 = 18, actual 14, |errors| 2 + 0 + 2 = 4: WAPE = bias = 4/14
    # 03-03: 5 vs 6: WAPE 1/6, bias -1/6. 03-04 and 03-09 are not loaded: no row yet.
    assert daily == [
        (date(2026, 3, 2), 1, 18.0, 14, round(4 / 14, 6), round(4 / 14, 6), 3),
        (date(2026, 3, 3), 2, 5.0, 6, round(1 / 6, 6), round(-1 / 6, 6), 1),
    ]
    weekly = query(
        accuracy_db,
        "select method, horizon_weeks, first_date, last_date, is_chosen, offered_forecast, offered_actual, "
        "round(wape, 6), round(bias, 6) from marts.kpi_forecast_accuracy_weekly order by method, horizon_weeks",
    )
    # moving average, week 1 (loaded intervals): forecast 23, actual 20, |errors| 5, errors +3: WAPE 0.25, bias 0.15
    # seasonal naive: 8 vs 10 and 9 vs 6: |errors| 5 over 16, errors +1: WAPE 0.3125, bias 0.0625
    assert weekly == [
        ("moving_average_4w", 1, date(2026, 3, 2), date(2026, 3, 3), True, 23.0, 20, 0.25, 0.15),
        ("seasonal_naive", 1, date(2026, 3, 2), date(2026, 3, 3), False, 17.0, 16, 0.3125, 0.0625),
    ]


def test_one_more_day_fills_in_its_actuals_only(accuracy_after_one_more_day: Path) -> None:
    db = accuracy_after_one_more_day
    rows = query(
        db,
        "select interval_start, offered_actual, offered_error from marts.fct_interval_forecast_accuracy "
        "where method = 'moving_average_4w' order by interval_start",
    )
    # 03-04: forecast 7, 9 came: error -2; the earlier days are as before; 03-09 is still ahead
    assert [r[0] for r in rows][-1] == dt("2026-03-04 09:00")
    assert rows[-1][1:] == (9, -2.0)
    assert len(rows) == 5
    (week,) = query(
        db,
        "select offered_forecast, offered_actual, round(wape, 6) from marts.kpi_forecast_accuracy_weekly "
        "where method = 'moving_average_4w'",
    )
    # week 1 now: forecast 23 + 7 = 30, actual 20 + 9 = 29, |errors| 5 + 2 = 7: WAPE 7/29
    assert week == (30.0, 29, round(7 / 29, 6))
