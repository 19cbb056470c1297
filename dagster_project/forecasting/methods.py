"""Forecasting methods on one queue's history: a day x slot matrix of offered contacts up to the origin.

Every method sees only the days up to and including the origin (`QueueHistory` is cut there before a method runs)
and returns, for each of the next `horizon_days` days and each slot of the day, offered contacts and AHT seconds.

- `seasonal_naive`: the same slot on the last ordinary day of the same weekday.
- `moving_average_4w`: the WFM suites' default, the mean of the same slot on the last 4 ordinary days of the same
  weekday.
- `weighted_profile`: the day's total from the last weeks' totals of the same weekday (weighted towards recent weeks)
  times the weekday's intraday shape from more weeks (each slot's share of the day: far less noisy than 4 counts);
  the days after a special day, and the first and last worked days of a month, are kept out of that history and
  forecast with the uplift seen on earlier such days.

Special days (calendar) are out of every method's ordinary history and are forecast from their own history: the last
occurrence of the same name; failing that, closed (zero) when the center was closed on every earlier special day
(at least two); failing that, as an ordinary day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

ORDINARY, SPECIAL, AFTER_SPECIAL, MISSING = 0, 1, 2, 3


@dataclass(frozen=True)
class QueueHistory:
    """One queue's days from the first day of the series to the origin (the last row)."""

    offered: np.ndarray  # (days, slots) contacts offered; rows of MISSING days are zero and never read
    handle_seconds: np.ndarray  # (days, slots)
    handled: np.ndarray  # (days, slots) contacts the handle seconds belong to
    kinds: np.ndarray  # (days,) ORDINARY / SPECIAL / AFTER_SPECIAL / MISSING
    weekdays: np.ndarray  # (days,) 0 = Monday
    special_names: tuple[str | None, ...]  # (days,)
    month_turns: np.ndarray  # (days,) bool: the first or the last worked day of its month


@dataclass(frozen=True)
class Targets:
    """The days to forecast: the `horizon_days` after the origin."""

    weekdays: np.ndarray
    kinds: np.ndarray  # ORDINARY, SPECIAL or AFTER_SPECIAL
    special_names: tuple[str | None, ...]
    month_turns: np.ndarray
    need_aht: bool = True  # backtests score offered contacts only: they skip the AHT (most of their time)


@dataclass(frozen=True)
class MethodForecast:
    offered: np.ndarray  # (horizon_days, slots)
    aht_seconds: np.ndarray  # (horizon_days, slots), NaN where no handle time is known


def _last_days(history: QueueHistory, weekday: int, count: int, kinds: tuple[int, ...]) -> np.ndarray:
    """Indices of the last `count` days of `weekday` whose kind is in `kinds`, most recent first."""
    allowed = np.zeros(4, dtype=bool)
    allowed[list(kinds)] = True  # a lookup, not np.isin: this runs thousands of times a night
    mask = (history.weekdays == weekday) & allowed[history.kinds]
    return np.flatnonzero(mask)[::-1][:count]


def _aht(history: QueueHistory, days: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Handle seconds per handled contact per slot over `days`; the days' overall AHT where a slot had none."""
    slots = history.offered.shape[1]
    if len(days) == 0:
        return np.full(slots, np.nan)
    w = np.ones(len(days)) if weights is None else weights
    handle = (history.handle_seconds[days] * w[:, None]).sum(axis=0)
    handled = (history.handled[days] * w[:, None]).sum(axis=0)
    overall = handle.sum() / handled.sum() if handled.sum() > 0 else np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(handled > 0, handle / np.where(handled > 0, handled, 1), overall)


def _special_day(history: QueueHistory, name: str | None) -> np.ndarray | None:
    """A special day's offered contacts from its own history, or None to forecast it as an ordinary day."""
    named = [d for d in np.flatnonzero(history.kinds == SPECIAL) if history.special_names[d] == name]
    if named:
        return history.offered[named[-1]].copy()
    specials = np.flatnonzero(history.kinds == SPECIAL)
    if len(specials) >= 2 and history.offered[specials].sum() == 0:
        return np.zeros(history.offered.shape[1])
    return None


def _per_day(
    history: QueueHistory,
    targets: Targets,
    ordinary_day: Callable[[int, int, bool], tuple[np.ndarray, np.ndarray]],
) -> MethodForecast:
    """Run `ordinary_day(weekday, kind, month_turn) -> (offered, aht)` per target day; special days from their own
    history."""
    slots = history.offered.shape[1]
    offered = np.zeros((len(targets.weekdays), slots))
    aht = np.full((len(targets.weekdays), slots), np.nan)
    cache: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
    for t, (weekday, kind, turn) in enumerate(
        zip(targets.weekdays.tolist(), targets.kinds.tolist(), targets.month_turns.tolist(), strict=True)
    ):
        if kind == SPECIAL:
            own = _special_day(history, targets.special_names[t])
            if own is not None:
                offered[t] = own
                if targets.need_aht:
                    aht[t] = _aht(history, np.flatnonzero(history.kinds == ORDINARY)[-7:])
                continue
            kind = ORDINARY
        key = (weekday, kind, turn)
        if key not in cache:
            cache[key] = ordinary_day(*key)
        offered[t], aht[t] = cache[key]
    return MethodForecast(offered, aht)


def seasonal_moving_average(history: QueueHistory, targets: Targets, weeks: int) -> MethodForecast:
    """Mean of the same slot over the last `weeks` ordinary days of the target's weekday (days after a special day
    count as ordinary here, as in the suites)."""

    def day(weekday: int, _kind: int, _turn: bool) -> tuple[np.ndarray, np.ndarray]:
        days = _last_days(history, weekday, weeks, (ORDINARY, AFTER_SPECIAL))
        if len(days) == 0:
            return np.zeros(history.offered.shape[1]), np.full(history.offered.shape[1], np.nan)
        aht = _aht(history, days) if targets.need_aht else np.full(history.offered.shape[1], np.nan)
        return history.offered[days].mean(axis=0), aht

    return _per_day(history, targets, day)


def seasonal_naive(history: QueueHistory, targets: Targets) -> MethodForecast:
    return seasonal_moving_average(history, targets, weeks=1)


def moving_average_4w(history: QueueHistory, targets: Targets) -> MethodForecast:
    return seasonal_moving_average(history, targets, weeks=4)


@dataclass(frozen=True)
class ProfileParams:
    """Tuned on bank_calls origins May-July 2003 (bench/forecast_backtest.py), then left alone."""

    level_weeks: int = 10  # same-weekday day totals the day's total is estimated from
    level_decay: float = 0.7  # weight of each older week's total relative to the next newer one
    shape_weeks: int = 20  # same-weekday days the intraday shape is estimated from
    shape_decay: float = 0.9
    uplift_days: int = 3  # earlier days-after-a-special-day (and month turns) an uplift is estimated from
    use_month_turns: bool = True


def _weights(count: int, decay: float) -> np.ndarray:
    return decay ** np.arange(count)


def weighted_profile(history: QueueHistory, targets: Targets, params: ProfileParams | None = None) -> MethodForecast:
    p = params or ProfileParams()
    totals = history.offered.sum(axis=1)

    plain = (history.kinds == ORDINARY) & ~(history.month_turns & p.use_month_turns)

    def expected_total(weekday: int, before: int | None = None) -> float:
        """Weighted mean of the last level_weeks plain totals of `weekday` (before day index `before`)."""
        mask = (history.weekdays == weekday) & plain
        if before is not None:
            mask[before:] = False
        days = np.flatnonzero(mask)[::-1][: p.level_weeks]
        if len(days) == 0:
            return 0.0
        w = _weights(len(days), p.level_decay)
        return float((totals[days] * w).sum() / w.sum())

    def uplift(days_like: np.ndarray) -> float:
        """Mean ratio of such a day's total to what its weekday's plain days gave before it."""
        ratios = []
        for d in np.flatnonzero(days_like)[::-1][: p.uplift_days]:
            base = expected_total(int(history.weekdays[d]), before=int(d))
            if base > 0:
                ratios.append(totals[d] / base)
        return float(np.mean(ratios)) if ratios else 1.0

    after_special_uplift = uplift(history.kinds == AFTER_SPECIAL) if (targets.kinds == AFTER_SPECIAL).any() else 1.0
    month_turn_uplift = 1.0
    if p.use_month_turns and targets.month_turns.any():
        month_turn_uplift = uplift(history.month_turns & (history.kinds == ORDINARY))

    def day(weekday: int, kind: int, turn: bool) -> tuple[np.ndarray, np.ndarray]:
        slots = history.offered.shape[1]
        days = np.flatnonzero((history.weekdays == weekday) & plain)[::-1][: p.shape_weeks]
        if len(days) == 0:
            return np.zeros(slots), np.full(slots, np.nan)
        w = _weights(len(days), p.shape_decay)
        day_sum = (totals[days] * w).sum()
        shape = (history.offered[days] * w[:, None]).sum(axis=0) / day_sum if day_sum > 0 else np.zeros(slots)
        total = expected_total(weekday) * (after_special_uplift if kind == AFTER_SPECIAL else 1.0)
        total *= month_turn_uplift if turn and p.use_month_turns else 1.0
        return shape * total, _aht(history, days, w) if targets.need_aht else np.full(slots, np.nan)

    return _per_day(history, targets, day)


METHODS: dict[str, Callable[[QueueHistory, Targets], MethodForecast]] = {
    "seasonal_naive": seasonal_naive,
    "moving_average_4w": moving_average_4w,
    "weighted_profile": weighted_profile,
}
# The suites' default: chosen when no backtest can tell the methods apart yet (a short history), and on ties.
DEFAULT_METHOD = "moving_average_4w"
