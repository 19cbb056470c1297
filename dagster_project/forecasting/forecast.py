"""From an interval series to forecasts at origins: every method, and the best pick per queue and horizon week.

The series is every queue's offered contacts (and handle seconds) per local interval. An origin is a local day: the
forecast made at it sees only the days up to it (the matrices are cut there) and covers the `horizon_days` after it.
The best pick for horizon week k at origin O compares the methods on the backtests whose week k ended by O: the
forecasts made at O-7j (j >= k, the latest `BEST_PICK_BACKTESTS` of them), scored by WAPE of offered contacts over
that week's intervals. Without any such backtest the suites' default is chosen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

from dagster_project.forecasting.methods import (
    AFTER_SPECIAL,
    DEFAULT_METHOD,
    METHODS,
    MISSING,
    ORDINARY,
    SPECIAL,
    MethodForecast,
    QueueHistory,
    Targets,
)

BEST_PICK_BACKTESTS = 8
# Backtest origins need this many days of history before them to count (a method needs 4 weeks of its weekday).
MIN_BACKTEST_HISTORY_DAYS = 28

SERIES_SCHEMA = {
    "queue": pl.String,
    "interval_start": pl.Datetime("us"),  # local wall-clock start, no zone
    "offered": pl.Float64,
    "handle_seconds": pl.Float64,
    "handled": pl.Float64,
}
FORECAST_SCHEMA = {
    "origin_date": pl.Date,
    "queue": pl.String,
    "interval_start": pl.Datetime("us"),
    "local_date": pl.Date,
    "horizon_days": pl.Int32,
    "method": pl.String,
    "offered_forecast": pl.Float64,
    "aht_seconds_forecast": pl.Float64,
    "is_chosen": pl.Boolean,
}


@dataclass
class Series:
    """Every queue's day x slot matrices from `first_day` to `last_day` (the latest origin)."""

    first_day: date
    interval_minutes: int
    offered: dict[str, np.ndarray]
    handle_seconds: dict[str, np.ndarray]
    handled: dict[str, np.ndarray]
    first_row_index: dict[str, int]  # a queue takes part from the first day it has a row
    known: np.ndarray  # (days,) some queue has a row that day
    calendar: dict[date, str]

    @property
    def slots(self) -> int:
        return 1440 // self.interval_minutes

    def day(self, index: int) -> date:
        return self.first_day + timedelta(days=index)

    def index(self, day: date) -> int:
        return (day - self.first_day).days


def build_series(frame: pl.DataFrame, interval_minutes: int, calendar: dict[date, str], last_day: date) -> Series:
    """Matrices of the rows up to `last_day` (rows after it are dropped: they cannot shape any origin's forecast).

    A missing `handle_seconds` column is unknown handle time; a missing `handled` column is read as `offered`.
    """
    if 1440 % interval_minutes:
        raise ValueError(f"interval_minutes {interval_minutes} does not divide a day")
    for column, dtype in SERIES_SCHEMA.items():
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=dtype).alias(column))
    rows = (
        frame.select(list(SERIES_SCHEMA))
        .cast(SERIES_SCHEMA)
        .with_columns(pl.col("interval_start").dt.date().alias("local_date"))
        .filter(pl.col("local_date") <= last_day)
        .with_columns(
            (
                (pl.col("interval_start").dt.hour().cast(pl.Int32) * 60 + pl.col("interval_start").dt.minute())
                // interval_minutes
            ).alias("slot"),
            pl.col("handled").fill_null(pl.col("offered")),
        )
    )
    if rows.is_empty():
        raise ValueError(f"no rows on or before {last_day}")
    first_day = rows["local_date"].min()
    days = (last_day - first_day).days + 1
    slots = 1440 // interval_minutes
    rows = rows.with_columns((pl.col("local_date") - pl.lit(first_day)).dt.total_days().alias("day_index"))
    per_slot = rows.group_by("queue", "day_index", "slot").agg(
        pl.col("offered").sum(),
        pl.col("handle_seconds").sum(),
        pl.col("handled").filter(pl.col("handle_seconds").is_not_null()).sum(),
    )
    known = np.zeros(days, dtype=bool)
    known[rows["day_index"].unique().to_numpy()] = True
    series = Series(first_day, interval_minutes, {}, {}, {}, {}, known, calendar)
    for (queue,), part in per_slot.sort("queue").group_by("queue", maintain_order=True):
        d = part["day_index"].to_numpy()
        s = part["slot"].to_numpy()
        for name, store in (
            ("offered", series.offered),
            ("handle_seconds", series.handle_seconds),
            ("handled", series.handled),
        ):
            matrix = np.zeros((days, slots))
            matrix[d, s] = part[name].fill_null(0).to_numpy()
            store[queue] = matrix
        series.first_row_index[queue] = int(d.min())
    return series


def day_kinds(series: Series, origin: int, horizon_days: int) -> tuple[np.ndarray, tuple[str | None, ...], np.ndarray]:
    """Kind, special-day name and month-turn flag of each day from the first to origin + horizon, as known at the
    origin (a month turn is the first or the last day of its month that the center works and is not special).

    A day after a special day is the first day after it (or after a run of them) whose weekday the center works,
    skipping the weekdays it does not work (no volume on any ordinary day up to the origin).
    """
    n = origin + 1 + horizon_days
    names = tuple(series.calendar.get(series.day(i)) for i in range(n))
    is_special = np.array([name is not None for name in names])
    weekdays = (series.first_day.weekday() + np.arange(n)) % 7
    total = sum(m[: origin + 1].sum(axis=1) for m in series.offered.values())
    worked = series.known[: origin + 1] & ~is_special[: origin + 1] & (total > 0)
    open_weekdays = set(np.unique(weekdays[: origin + 1][worked]).tolist())
    kinds = np.full(n, ORDINARY, dtype=np.int8)
    kinds[: origin + 1][~series.known[: origin + 1]] = MISSING
    kinds[is_special] = SPECIAL
    for i in range(1, n):
        if kinds[i] == SPECIAL or weekdays[i] not in open_weekdays:
            continue
        j = i - 1
        while j > 0 and j > i - 7 and not is_special[j] and weekdays[j] not in open_weekdays:
            j -= 1
        if is_special[j] and kinds[i] != MISSING:
            kinds[i] = AFTER_SPECIAL
    worked_days = np.isin(weekdays, list(open_weekdays)) & ~is_special
    month_turns = np.zeros(n, dtype=bool)
    day = series.first_day.replace(day=1)
    while series.index(day) < n:
        following = (day + timedelta(days=32)).replace(day=1)
        first, last = series.index(day), series.index(following) - 1
        days = np.flatnonzero(worked_days[max(first, 0) : min(last, n - 1) + 1]) + max(first, 0)
        # a month cut by the series' start or the horizon's end has no turn on the cut side
        if len(days) and first >= 0:
            month_turns[days[0]] = True
        if len(days) and last <= n - 1:
            month_turns[days[-1]] = True
        day = following
    return kinds, names, month_turns


class Forecaster:
    """Forecasts of one series at any origin, each origin computed once (backtests share them)."""

    def __init__(self, series: Series, horizon_days: int):
        self.series = series
        self.horizon_days = horizon_days
        self._made: dict[int, dict[str, dict[str, MethodForecast]]] = {}
        self._with_aht: dict[int, bool] = {}

    def methods_at(self, origin: int, need_aht: bool = False) -> dict[str, dict[str, MethodForecast]]:
        """queue -> method -> forecast of the horizon after day index `origin`, from days <= origin only (AHT only
        when `need_aht`: a backtest scores offered contacts)."""
        if origin not in self._made or (need_aht and not self._with_aht.get(origin)):
            s = self.series
            kinds, names, turns = day_kinds(s, origin, self.horizon_days)
            weekdays = (s.first_day.weekday() + np.arange(len(kinds))) % 7
            targets = Targets(
                weekdays[origin + 1 :], kinds[origin + 1 :], names[origin + 1 :], turns[origin + 1 :], need_aht
            )
            made = {}
            for queue, offered in s.offered.items():
                if s.first_row_index[queue] > origin:
                    continue
                history = QueueHistory(
                    offered[: origin + 1],
                    s.handle_seconds[queue][: origin + 1],
                    s.handled[queue][: origin + 1],
                    kinds[: origin + 1],
                    weekdays[: origin + 1],
                    names[: origin + 1],
                    turns[: origin + 1],
                )
                made[queue] = {name: method(history, targets) for name, method in METHODS.items()}
            self._made[origin] = made
            self._with_aht[origin] = need_aht
        return self._made[origin]

    def chosen(self, origin: int, queue: str) -> list[str]:
        """The method chosen for each horizon week at `origin`, from backtests that ended by the origin."""
        s = self.series
        weeks = -(-self.horizon_days // 7)
        picks = []
        for week in range(1, weeks + 1):
            errors = dict.fromkeys(METHODS, 0.0)
            actual_sum = 0.0
            for j in range(week, week + BEST_PICK_BACKTESTS):
                backtest = origin - 7 * j
                if backtest < MIN_BACKTEST_HISTORY_DAYS or queue not in self.methods_at(backtest):
                    break
                first, last = backtest + 7 * (week - 1) + 1, min(backtest + 7 * week, backtest + self.horizon_days)
                days = np.arange(first, last + 1)
                days = days[s.known[days]]
                actual = s.offered[queue][days]
                actual_sum += actual.sum()
                for name, made in self.methods_at(backtest)[queue].items():
                    errors[name] += np.abs(made.offered[days - backtest - 1] - actual).sum()
            if actual_sum > 0:
                best = min(errors.values())
                picks.append(DEFAULT_METHOD if errors[DEFAULT_METHOD] <= best else min(errors, key=errors.get))
            else:
                picks.append(DEFAULT_METHOD)
        return picks

    def frame(self, origin_day: date) -> pl.DataFrame:
        """One row per queue, interval, method of the forecast made at `origin_day` (intervals every method
        forecasts as zero are left out: closed hours)."""
        s = self.series
        origin = s.index(origin_day)
        parts = []
        slot_offsets = np.arange(s.slots) * s.interval_minutes
        for queue, made in self.methods_at(origin, need_aht=True).items():
            picks = self.chosen(origin, queue)
            open_slots = np.any([m.offered > 0 for m in made.values()], axis=0)
            day_index, slot = np.nonzero(open_slots)
            if len(day_index) == 0:
                continue
            days_ahead = day_index + 1
            starts = (
                np.datetime64(origin_day, "m") + (days_ahead * 1440 + slot_offsets[slot]).astype("timedelta64[m]")
            ).astype("datetime64[us]")
            week_pick = np.array(picks)[(days_ahead - 1) // 7]
            for name, m in made.items():
                parts.append(
                    pl.DataFrame(
                        {
                            "origin_date": [origin_day] * len(day_index),
                            "queue": [queue] * len(day_index),
                            "interval_start": starts,
                            "horizon_days": days_ahead.astype(np.int32),
                            "method": [name] * len(day_index),
                            "offered_forecast": m.offered[day_index, slot],
                            "aht_seconds_forecast": m.aht_seconds[day_index, slot],
                            "is_chosen": week_pick == name,
                        }
                    )
                )
        if not parts:
            return pl.DataFrame(schema=FORECAST_SCHEMA)
        out = pl.concat(parts).with_columns(
            pl.col("interval_start").dt.date().alias("local_date"),
            pl.col("aht_seconds_forecast").fill_nan(None),
        )
        return out.select(list(FORECAST_SCHEMA)).cast(FORECAST_SCHEMA).sort("queue", "interval_start", "method")


def forecast_at_origins(
    frame: pl.DataFrame,
    origins: list[date],
    horizon_days: int,
    interval_minutes: int,
    calendar: dict[date, str],
) -> pl.DataFrame:
    """The forecasts made at each origin (columns FORECAST_SCHEMA), each from the rows of `frame` (SERIES_SCHEMA)
    up to that origin only."""
    series = build_series(frame, interval_minutes, calendar, max(origins))
    forecaster = Forecaster(series, horizon_days)
    made = [forecaster.frame(origin) for origin in sorted(set(origins)) if origin >= series.first_day]
    return pl.concat(made) if made else pl.DataFrame(schema=FORECAST_SCHEMA)
