"""The ledger: a budget file per year and monthly actuals, by cost center (one per site) and category.

Staff actuals are the simulated payroll: each agent's paid scheduled hours (time off included) times the agent's
hourly cost that day, plus a monthly salary for team leads, supervisors and the manager. The budget plans the same
from the roster on the first generated day. The other categories cost per seat or per site, with noise; a revision
file now and then reposts a line (same line_id, later posted_on) and credit notes come in as negative lines.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import numpy as np
import polars as pl

from ingest.sample.center import Layout
from ingest.sample.people import NOK_PER_UNIT, Roster

LEADER_HOURS_PER_WEEKDAY = 7.5
# account -> (category, monthly NOK per agent seat, monthly NOK per site)
OTHER_ACCOUNTS = {
    "6540 software licences": ("tools", 950.0, 0.0),
    "6550 telephony": ("tools", 420.0, 3000.0),
    "6300 rent": ("facilities", 2600.0, 15000.0),
    "6340 electricity": ("utilities", 140.0, 6000.0),
    "6800 office supplies": ("supplies", 90.0, 1500.0),
    "7790 other costs": ("other", 150.0, 4000.0),
}
TRAINING_ACCOUNT = "6860 training courses"
TRAINING_NOK_PER_HIRE = 9000.0
AGENT_WAGES = "5000 agent wages"
LEADER_WAGES = "5010 leader wages"


class StaffCosts:
    """Payroll accumulated day by day: (year, month, site, account) -> amount."""

    def __init__(self) -> None:
        self.amounts: dict[tuple[int, int, str, str], float] = defaultdict(float)
        self.hires: dict[tuple[int, int, str], int] = defaultdict(int)

    def add(self, day: date, site: str, account: str, amount: float) -> None:
        self.amounts[(day.year, day.month, site, account)] += amount


def weekdays_in_month(year: int, month: int) -> int:
    first = date(year, month, 1)
    nxt = date(year + month // 12, month % 12 + 1, 1)
    return sum(1 for k in range((nxt - first).days) if (first + timedelta(days=k)).isoweekday() <= 5)


def budget_lines(layout: Layout, roster: Roster, year: int, plan_day: date, currency: str) -> pl.DataFrame:
    """The year's budget, approved in mid-December of the year before."""
    unit = 1 / NOK_PER_UNIT.get(currency, 1.0)
    agents = roster.agents_on(plan_day)
    staff = roster.staff_on(plan_day)
    rows = []
    for month in range(1, 13):
        settlement = 1.035 if month >= 5 and plan_day < date(year, 5, 1) else 1.0
        weekdays = weekdays_in_month(year, month)
        for site in layout.sites:
            site_agents = [e for e in agents if e.site == site]
            wages = sum(e.fte * 8 * weekdays * e.pay_on(plan_day) for e in site_agents) * settlement
            leaders = (
                sum(e.fte * LEADER_HOURS_PER_WEEKDAY * weekdays * e.pay_on(plan_day) for e in staff if e.site == site)
                * settlement
            )
            seats = len(site_agents)
            lines = {
                AGENT_WAGES: ("staff", wages),
                LEADER_WAGES: ("staff", leaders),
                TRAINING_ACCOUNT: ("training", TRAINING_NOK_PER_HIRE * unit * seats * 0.03),
            }
            for account, (category, per_seat, per_site) in OTHER_ACCOUNTS.items():
                lines[account] = (category, (per_seat * seats + per_site) * unit)
            for account, (category, amount) in lines.items():
                rows.append(
                    _line(
                        f"B{year}-{month:02d}-{layout.cost_center(site)}-{account[:4]}",
                        year,
                        month,
                        "budget",
                        layout.cost_center(site),
                        account,
                        category,
                        amount,
                        currency,
                        date(year - 1, 12, 15),
                    )
                )
    return pl.DataFrame(rows)


def actual_lines(
    layout: Layout, roster: Roster, year: int, month: int, costs: StaffCosts, currency: str, rng: np.random.Generator
) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """The month's actuals, and now and then a revision that reposts one line with a corrected amount."""
    unit = 1 / NOK_PER_UNIT.get(currency, 1.0)
    month_end = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    posted = month_end + timedelta(days=5)
    seats_by_site = defaultdict(int)
    for e in roster.agents_on(month_end):
        seats_by_site[e.site] += 1
    rows = []
    for site in layout.sites:
        cc = layout.cost_center(site)
        prefix = f"A{year}-{month:02d}-{cc}"
        seats = seats_by_site[site]
        for account in (AGENT_WAGES, LEADER_WAGES):
            rows.append(
                _line(
                    f"{prefix}-{account[:4]}",
                    year,
                    month,
                    "actual",
                    cc,
                    account,
                    "staff",
                    costs.amounts[(year, month, site, account)],
                    currency,
                    posted,
                )
            )
        hires = costs.hires[(year, month, site)]
        rows.append(
            _line(
                f"{prefix}-{TRAINING_ACCOUNT[:4]}",
                year,
                month,
                "actual",
                cc,
                TRAINING_ACCOUNT,
                "training",
                TRAINING_NOK_PER_HIRE * unit * hires * float(rng.normal(1, 0.1)),
                currency,
                posted,
            )
        )
        for account, (category, per_seat, per_site) in OTHER_ACCOUNTS.items():
            amount = (per_seat * seats + per_site) * unit * float(rng.normal(1.0, 0.05))
            rows.append(
                _line(f"{prefix}-{account[:4]}", year, month, "actual", cc, account, category, amount, currency, posted)
            )
        if rng.random() < 0.5 or month == 1:
            # A supplier's credit note on the licences.
            credit = -(950.0 * seats * unit) * float(rng.uniform(0.05, 0.2))
            rows.append(
                _line(
                    f"{prefix}-6540-CR",
                    year,
                    month,
                    "actual",
                    cc,
                    "6540 software licences",
                    "tools",
                    credit,
                    currency,
                    posted,
                )
            )
    actual = pl.DataFrame(rows)
    revision = None
    if rng.random() < 0.35 or month == 1:
        line = actual.filter(pl.col("account") == "6340 electricity").head(1)
        revision = line.with_columns(
            (pl.col("amount") * float(rng.uniform(0.9, 1.1))).round(2),
            pl.lit(posted + timedelta(days=9)).alias("posted_on"),
        )
    return actual, revision


def _line(
    line_id: str,
    year: int,
    month: int,
    scenario: str,
    cc: str,
    account: str,
    category: str,
    amount: float,
    currency: str,
    posted_on: date,
) -> dict:
    return {
        "line_id": line_id,
        "period": f"{year}-{month:02d}",
        "scenario": scenario,
        "cost_center": cc,
        "account": account,
        "category": category,
        "amount": round(amount, 2),
        "currency": currency,
        "posted_on": posted_on,
    }
