"""WFM schedules built from the forecast, and what agents actually do with them.

For each day: who works (weekday pattern, Saturday rotation, vacations, public holidays as paid time off, new-hire
training), each inbound agent's shift start chosen greedily to cover the pool's forecast curve, breaks, lunch and
the odd training/meeting/coaching, now and then a republished version. Then the agent's *base* timeline: the state
events of the day before any call (late login, overlong breaks, unscheduled aux, absence, early logout) and the
`ready` windows in which calls can reach the agent. `contacts` lays the calls over these windows.

Times are seconds after local midnight inside this module (`*_sod`); `contacts` turns them into UTC epochs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

import numpy as np

from ingest.sample.center import INTERVAL_SECONDS, INTERVALS_PER_DAY, Layout
from ingest.sample.people import Employee

ACTIVITY_STATE = {
    "work": "ready",
    "break": "break",
    "lunch": "lunch",
    "training": "training",
    "meeting": "meeting",
    "coaching": "coaching",
}
AUX_REASONS = ("personal", "system_issue", "email_backlog", "team_huddle")
NEW_HIRE_TRAINING_DAYS = 14
OUTBOUND_SHARE = 0.12  # of an inbound pool's agents working the day's campaigns
DIAL_HOURS = (9, 20)


@dataclass
class AgentDay:
    """One agent's planned and actual day."""

    agent: Employee
    agent_num: int
    team: str
    pool: int
    campaign: str | None  # set when the agent works the outbound campaign today
    segments: list[tuple[int, int, str]]  # final schedule (start_sod, end_sod, activity)
    original: list[tuple[int, int, str]] | None  # an earlier publication that the final one replaced
    events: list[tuple[int, str, str | None]]  # base state events (sod, state, reason)
    windows: list[tuple[int, int]]  # ready windows (start_sod, end_sod)
    tenure_days: int = 0  # new agents are slower

    @property
    def paid_seconds(self) -> int:
        return sum(e - s for s, e, _ in self.segments)


def works_on(rank: int, day: date) -> bool:
    """The rota of the agent at `rank` in their pool: Monday-Friday, and every third Saturday with a Wednesday,
    Thursday or Friday off that week. Rotating by rank keeps each day's crew even, however small the pool."""
    weekday = day.isoweekday()
    saturday_week = (rank + day.isocalendar().week) % 3 == 0
    if weekday == 7:
        return False
    if weekday == 6:
        return saturday_week
    return not (saturday_week and weekday == 3 + (rank // 3) % 3)


def on_vacation(e: Employee, day: date, seed: int) -> bool:
    """About 6 % of weeks as vacation (more in July), clustered by ISO week; a cheap stable hash, not an RNG."""
    iso = day.isocalendar()
    h = (int(e.agent_id[1:]) * 2654435761 + iso.year * 7919 + iso.week * 40503 + seed * 97) % 1000
    return h < (250 if day.month == 7 else 50)


def carve(segments: list[tuple[int, int, str]], start: int, end: int, activity: str) -> list[tuple[int, int, str]]:
    """Put `activity` in [start, end) when it falls inside one work segment; else leave the schedule as it is."""
    for k, (s, e, act) in enumerate(segments):
        if act == "work" and s <= start and end <= e:
            pieces = [(s, start, "work"), (start, end, activity), (end, e, "work")]
            return segments[:k] + [p for p in pieces if p[1] > p[0]] + segments[k + 1 :]
    return segments


def shift_segments(
    start_sod: int, length_seconds: int, rng: np.random.Generator, training_only: bool
) -> list[tuple[int, int, str]]:
    """A shift with its breaks, lunch and the odd training/meeting/coaching, as non-overlapping segments."""
    segs = [(start_sod, start_sod + length_seconds, "work")]
    hours = length_seconds / 3600
    jitter = lambda: int(rng.integers(-1, 2)) * INTERVAL_SECONDS  # noqa: E731 - small local shorthand
    if hours >= 6:
        early_break = start_sod + 7200 + jitter()
        segs = carve(segs, early_break, early_break + 900, "break")
        lunch = start_sod + int(hours / 2 * 3600) + jitter()
        segs = carve(segs, lunch, lunch + 1800, "lunch")
        if hours >= 7:
            late_break = start_sod + length_seconds - 5400 + jitter()
            segs = carve(segs, late_break, late_break + 900, "break")
    else:
        mid = start_sod + length_seconds // 2 - 450
        segs = carve(segs, mid, mid + 900, "break")
    if training_only:
        return [(s, e, "training" if a == "work" else a) for s, e, a in segs]
    u = rng.random()
    extra = (
        ("coaching", 1800) if u < 0.06 else ("meeting", 2700) if u < 0.13 else ("training", 5400) if u < 0.16 else None
    )
    if extra is not None and hours >= 6:
        at = start_sod + int(rng.integers(1, max(2, int(hours) - 1))) * 3600
        segs = carve(segs, at, at + extra[1], extra[0])
    return segs


def plan_day(
    day: date,
    employees: list[Employee],
    layout: Layout,
    forecast_by_pool: dict[int, np.ndarray],
    open_hours: tuple[int, int] | None,
    is_holiday: bool,
    seed: int,
    rng: np.random.Generator,
) -> list[AgentDay]:
    """Schedules and base timelines of every agent employed on `day`."""
    days: list[AgentDay] = []
    by_pool: dict[int, list[tuple[Employee, str]]] = {}
    ranks: dict[int, int] = {}
    for e in sorted(employees, key=lambda e: e.agent_id):
        team = e.team_on(day)
        pool = layout.pool_of_team(team)
        rank = ranks[pool] = ranks.get(pool, -1) + 1
        if not works_on(rank, day) and not (is_holiday and day.isoweekday() <= 5):
            continue
        if is_holiday or on_vacation(e, day, seed):
            # Paid time off covering the agent's usual hours.
            segs = [(8 * 3600, 8 * 3600 + int(8 * 3600 * e.fte), "time_off")]
            days.append(AgentDay(e, int(e.agent_id[1:]), team, pool, None, segs, None, [], []))
            continue
        if open_hours is None:
            continue
        by_pool.setdefault(pool, []).append((e, team))

    for pool, members in by_pool.items():
        # New hires in their classroom weeks come last: they neither dial nor cover the forecast.
        tenure = {e.agent_id: (day - e.spell_on(day)[0]).days for e, _ in members}
        order = rng.permutation(len(members))
        members = sorted((members[k] for k in order), key=lambda m: tenure[m[0].agent_id] < NEW_HIRE_TRAINING_DAYS)
        n_ready = sum(1 for e, _ in members if tenure[e.agent_id] >= NEW_HIRE_TRAINING_DAYS)
        weekday_campaigns = layout.campaigns if day.isoweekday() <= 5 else ()
        n_out = int(round(OUTBOUND_SHARE * n_ready)) if weekday_campaigns else 0
        open_sod, close_sod = open_hours[0] * 3600, open_hours[1] * 3600
        demand = forecast_by_pool[pool].copy()
        lengths = [_shift_length(e, open_sod, close_sod) for e, _ in members]
        inbound_intervals = sum(lengths[n_out:n_ready]) / INTERVAL_SECONDS
        demand *= inbound_intervals / max(demand.sum(), 1e-9)
        covered = np.zeros(INTERVALS_PER_DAY)
        for k, (e, team) in enumerate(members):
            length = lengths[k]
            training = k >= n_ready
            if training:
                campaign = None
                start_sod = (
                    open_sod + int(rng.integers(0, 3)) * 1800 if close_sod - open_sod > length + 3600 else open_sod
                )
            elif k < n_out:
                campaign = weekday_campaigns[k % len(weekday_campaigns)]
                start_sod = max(open_sod, DIAL_HOURS[0] * 3600 + int(rng.integers(0, 3)) * 1800)
                start_sod = min(start_sod, close_sod - length)
            else:
                campaign = None
                # Someone opens and someone closes the lines; the rest follow the forecast.
                edge = k - n_out
                start_sod = (
                    open_sod
                    if edge == 0
                    else close_sod - length
                    if edge == 1
                    else _best_start(demand - covered, open_sod, close_sod, length)
                )
                first = start_sod // INTERVAL_SECONDS
                covered[first : first + length // INTERVAL_SECONDS] += 1
            segs = shift_segments(start_sod, length, rng, training)
            original = None
            if rng.random() < 0.04:
                move = int(rng.choice([-1800, 1800]))
                if open_sod <= start_sod + move and start_sod + move + length <= close_sod:
                    original = [(s + move, en + move, a) for s, en, a in segs]
            events, windows = actual_day(segs, e, rng)
            days.append(
                AgentDay(
                    e, int(e.agent_id[1:]), team, pool, campaign, segs, original, events, windows, tenure[e.agent_id]
                )
            )
    return days


def expected_ready_seconds(e: Employee) -> float:
    """What WFM expects of an agent on a working day, from their history: the shift less breaks, lunch and the odd
    meeting, less their usual late logins, overlong breaks and aux, times the days they are present."""
    paid = 8 * 3600 * e.fte
    planned = 3600 if paid >= 7 * 3600 else 2700 if paid >= 6 * 3600 else 900
    habits = e.late_login_mean_seconds + 2.5 * e.break_overrun_mean_seconds + e.aux_spells_per_day * 360 * paid / 25200
    return (paid - planned - 400 - habits) * (1 - e.absence_rate) * 0.94  # 0.94: vacation weeks


def _shift_length(e: Employee, open_sod: int, close_sod: int) -> int:
    """8 h x FTE in whole quarter hours, never longer than the opening hours."""
    quarters = int(round(8 * 4 * e.fte))
    return min(quarters * INTERVAL_SECONDS, close_sod - open_sod)


def _best_start(gap: np.ndarray, open_sod: int, close_sod: int, length: int) -> int:
    """The half-hour start whose shift covers the most still-uncovered forecast demand."""
    n = length // INTERVAL_SECONDS
    cum = np.concatenate([[0.0], np.cumsum(gap)])
    starts = np.arange(open_sod // INTERVAL_SECONDS, (close_sod - length) // INTERVAL_SECONDS + 1, 2)
    gains = cum[starts + n] - cum[starts]
    return int(starts[int(np.argmax(gains))]) * INTERVAL_SECONDS


def actual_day(
    segs: list[tuple[int, int, str]], e: Employee, rng: np.random.Generator
) -> tuple[list[tuple[int, str, str | None]], list[tuple[int, int]]]:
    """Base state events and ready windows of an agent following `segs` imperfectly (empty when absent)."""
    if rng.random() < e.absence_rate:
        return [], []
    events: list[tuple[int, str, str | None]] = []
    previous = None
    for k, (s, end, act) in enumerate(segs):
        t = s
        if k == 0:
            t = s + int(rng.exponential(e.late_login_mean_seconds)) - int(rng.integers(0, 90))
        elif previous in ("break", "lunch"):
            t = s + min(int(rng.exponential(e.break_overrun_mean_seconds)), (end - s) // 2)
        events.append((t, ACTIVITY_STATE[act], None))
        if act == "work":
            for _ in range(rng.poisson(e.aux_spells_per_day * (end - s) / 25200)):
                if end - s < 1800:
                    break
                at = int(rng.integers(s + 300, end - 900))
                events.append((at, "aux", str(rng.choice(AUX_REASONS))))
                events.append((at + int(rng.integers(120, 600)), "ready", None))
        previous = act
    shift_end = segs[-1][1]
    logout = (
        shift_end - int(rng.integers(900, 5400)) if rng.random() < 0.03 else shift_end + int(rng.integers(-120, 240))
    )
    events = [ev for ev in sorted(events, key=lambda ev: ev[0]) if ev[0] < logout]
    events.append((logout, "logged_out", None))
    clean: list[tuple[int, str, str | None]] = []
    for ev in events:  # strictly increasing times; nested aux spells collapse into the earlier event
        if not clean or ev[0] > clean[-1][0]:
            clean.append(ev)
    windows = [(a[0], b[0]) for a, b in pairwise(clean) if a[1] == "ready" and b[0] > a[0]]
    return clean, windows


def schedule_published_at(day: date) -> tuple[date, int]:
    """The regular publication: the Thursday 11 days before the schedule's ISO week, at 14:00 local."""
    monday = day - timedelta(days=day.weekday())
    return monday - timedelta(days=11), 14 * 3600
