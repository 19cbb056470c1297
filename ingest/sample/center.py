"""Layout and demand of the simulated center: sites, teams, routing pools, queues, campaigns, calendar, forecast.

Everything here is a plan known before the first day is simulated: which teams serve which queues, when the center
is open, and how many contacts the WFM forecast expects per queue and 15-minute interval. The forecast drives the
schedules (`workforce`), and the actual arrivals (`contacts`) are drawn around it with noise and the odd surge.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

INTERVAL_SECONDS = 900
INTERVALS_PER_DAY = 86400 // INTERVAL_SECONDS

# Base queue profiles: (name, talk mean seconds, share of calls put on hold, ACW mean seconds). Pools beyond the
# list reuse the profiles with a numeric suffix.
QUEUE_PROFILES = (
    ("billing", 180, 0.22, 30),
    ("support", 250, 0.35, 40),
    ("sales", 230, 0.15, 35),
    ("tech_support", 330, 0.45, 45),
    ("retention", 290, 0.25, 45),
    ("claims", 310, 0.30, 50),
    ("moving", 210, 0.20, 35),
    ("invoices", 170, 0.18, 25),
)
CAMPAIGN_NAMES = ("winback", "renewal", "survey", "upsell")
SITE_NAMES = ("oslo", "bergen", "trondheim")
AGENTS_PER_TEAM = 14
AGENTS_PER_POOL = 120

# Opening hours (local, hours) by ISO weekday; Sunday and public holidays are closed (IVR message only).
OPENING_HOURS = {1: (8, 20), 2: (8, 20), 3: (8, 20), 4: (8, 20), 5: (8, 20), 6: (10, 16)}
DAY_OF_WEEK_FACTOR = {1: 1.1, 2: 1.05, 3: 0.97, 4: 0.95, 5: 0.9, 6: 0.27, 7: 0.0}


@dataclass(frozen=True)
class Queue:
    name: str
    talk_mean_seconds: float
    hold_share: float
    acw_mean_seconds: float
    volume_share: float  # of the pool's inbound volume


@dataclass(frozen=True)
class Pool:
    """A routing group: a set of teams whose agents answer the pool's queues in one FIFO line."""

    index: int
    queues: tuple[Queue, ...]
    teams: tuple[str, ...]


@dataclass(frozen=True)
class Layout:
    sites: tuple[str, ...]
    team_site: dict[str, str]
    pools: tuple[Pool, ...]
    campaigns: tuple[str, ...]

    def cost_center(self, site: str) -> str:
        return f"CC-{site[:3].upper()}-CX"

    def pool_of_team(self, team: str) -> int:
        return next(p.index for p in self.pools if team in p.teams)


def plan_layout(agents: int) -> Layout:
    """Sites, teams, pools and campaigns for a center of `agents` agents (12 -> 1 site, 2 teams, 2 queues)."""
    n_sites = 1 if agents < 150 else 2 if agents < 500 else 3
    sites = SITE_NAMES[:n_sites]
    n_teams = max(2, math.ceil(agents / AGENTS_PER_TEAM))
    teams = [f"{sites[k % n_sites]}_{k // n_sites + 1:02d}" for k in range(n_teams)]
    n_pools = max(1, min(n_teams // 2, round(agents / AGENTS_PER_POOL)))
    pools = []
    for p in range(n_pools):
        queues = []
        for j, share in ((2 * p, 0.55), (2 * p + 1, 0.45)):
            _, talk, hold, acw = QUEUE_PROFILES[j % len(QUEUE_PROFILES)]
            queues.append(Queue(_numbered([q[0] for q in QUEUE_PROFILES], j), talk, hold, acw, share))
        pools.append(Pool(p, tuple(queues), tuple(t for k, t in enumerate(teams) if k % n_pools == p)))
    n_campaigns = 1 + agents // 300
    campaigns = tuple(_numbered(CAMPAIGN_NAMES, k) for k in range(n_campaigns))
    return Layout(tuple(sites), {t: sites[k % n_sites] for k, t in enumerate(teams)}, tuple(pools), campaigns)


def _numbered(names: tuple[str, ...] | list[str], k: int) -> str:
    """The k-th name, with `_2`, `_3`, ... once the list is used up (big centers)."""
    return names[k % len(names)] + (f"_{k // len(names) + 1}" if k >= len(names) else "")


def easter_sunday(year: int) -> date:
    """Gregorian Easter (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month = (h + el - 7 * m + 114) // 31
    day = (h + el - 7 * m + 114) % 31 + 1
    return date(year, month, day)


def public_holidays(year: int) -> set[date]:
    """Norwegian public holidays (the center closes; agents have paid time off)."""
    easter = easter_sunday(year)
    movable = {easter + timedelta(days=n) for n in (-3, -2, 1, 39, 50)}
    fixed = {date(year, 1, 1), date(year, 5, 1), date(year, 5, 17), date(year, 12, 25), date(year, 12, 26)}
    return movable | fixed


def opening_hours(day: date, holidays: set[date]) -> tuple[int, int] | None:
    if day in holidays:
        return None
    return OPENING_HOURS.get(day.isoweekday())


def intraday_weights(open_h: int, close_h: int, queue_index: int) -> np.ndarray:
    """Share of the day's calls per 15-minute interval: a morning peak and a smaller afternoon one."""
    hours = (np.arange(INTERVALS_PER_DAY) + 0.5) * INTERVAL_SECONDS / 3600
    shift = 0.25 * (queue_index % 3)  # queues peak at slightly different times
    w = np.exp(-(((hours - 10.3 - shift) / 1.5) ** 2)) + 0.75 * np.exp(-(((hours - 13.8 - shift) / 2.0) ** 2)) + 0.12
    w[(hours < open_h) | (hours >= close_h)] = 0.0
    return w / w.sum()


def daily_factor(day: date, queue_name: str, seasonal_amplitude: float = 0.12) -> float:
    """Day-of-week x yearly seasonality (a winter peak, `seasonal_amplitude` over the mean on 20 January) x the
    start-of-month bill effect on billing queues."""
    yearly = 1.0 + seasonal_amplitude * math.cos(2 * math.pi * (day.timetuple().tm_yday - 20) / 365.25)
    bills = 1.18 if queue_name.startswith(("billing", "invoices")) and day.day <= 5 else 1.0
    return DAY_OF_WEEK_FACTOR[day.isoweekday()] * yearly * bills


def local_day_start(day: date, tz: ZoneInfo) -> int:
    """UTC epoch seconds of local midnight, using the offset in force at noon.

    Opening hours never touch the 02:00-03:00 DST switch, so one offset per day places every business-hours
    timestamp correctly; timestamps are formatted with the true offset of their own instant.
    """
    noon = datetime.combine(day, time(12), tzinfo=tz)
    return int(noon.timestamp()) - 12 * 3600
