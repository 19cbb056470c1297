"""The simulated HR roster: who is employed when, in which team, at what pay, and how each agent behaves.

The whole employment history (a year before the first generated day up to the last) is simulated up front; it is
small (one object per person). Hires come in waves, terminations follow a daily hazard that is higher in the first
90 days, some leavers are re-hired under the same employee_id, agents move teams and pay rises each May. Monthly
roster snapshots are read from it with `Roster.snapshot`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from ingest.sample.center import Layout

FIRST_NAMES = (
    "Ingrid",
    "Ola",
    "Kari",
    "Lars",
    "Nora",
    "Emil",
    "Sofie",
    "Jonas",
    "Maja",
    "Henrik",
    "Ida",
    "Magnus",
    "Sara",
    "Sander",
    "Thea",
    "Mathias",
    "Emma",
    "Aksel",
    "Leah",
    "Tobias",
    "Amina",
    "Ali",
    "Julie",
    "Even",
)
LAST_NAMES = (
    "Hansen",
    "Johansen",
    "Olsen",
    "Larsen",
    "Andersen",
    "Pedersen",
    "Nilsen",
    "Kristiansen",
    "Jensen",
    "Karlsen",
    "Berg",
    "Haugen",
    "Hagen",
    "Eriksen",
    "Bakke",
    "Dahl",
    "Lie",
    "Moen",
    "Strand",
    "Solberg",
)
VOLUNTARY_REASONS = ("new job", "relocation", "studies", "career change", "personal reasons")
INVOLUNTARY_REASONS = ("performance", "attendance", "conduct", "end of contract")
# Rough hourly cost of a full-time agent (incl. employer costs) in NOK, and NOK per unit of a few currencies.
AGENT_HOURLY_COST_NOK = 330.0
NOK_PER_UNIT = {"NOK": 1.0, "SEK": 0.97, "DKK": 1.55, "EUR": 11.6, "USD": 10.7, "GBP": 13.6}
ROLE_PAY_FACTOR = {"agent": 1.0, "team_lead": 1.3, "supervisor": 1.6, "manager": 2.1}
EARLY_TENURE_DAYS = 90
MONTHLY_VOLUNTARY_RATE = 0.022
MONTHLY_INVOLUNTARY_RATE = 0.006


@dataclass
class Employee:
    employee_id: str
    agent_id: str | None
    full_name: str
    role: str
    site: str
    employment_type: str
    fte: float
    # Employment spells: (hire_date, termination_date or None, termination_type, termination_reason)
    spells: list[list] = field(default_factory=list)
    teams: list[tuple[date, str]] = field(default_factory=list)  # (effective from, team)
    pay: list[tuple[date, float]] = field(default_factory=list)  # (effective from, hourly cost)
    # Behaviour (agents): personal handle-time factor, QA mean score, adherence habits.
    handle_factor: float = 1.0
    quality_mean: float = 0.85
    late_login_mean_seconds: float = 60.0
    break_overrun_mean_seconds: float = 60.0
    aux_spells_per_day: float = 0.5
    absence_rate: float = 0.03

    def spell_on(self, day: date) -> list | None:
        """The spell in force on `day` (employed on hire_date .. termination_date - 1)."""
        for spell in self.spells:
            if spell[0] <= day and (spell[1] is None or day < spell[1]):
                return spell
        return None

    def team_on(self, day: date) -> str:
        return [t for d, t in self.teams if d <= day][-1] if self.teams[0][0] <= day else self.teams[0][1]

    def handle_time_factor(self, tenure_days: int) -> float:
        """Multiplier on talk and after-call work: personal pace, and up to 40 % slower in the first weeks."""
        return self.handle_factor * (1 + 0.4 * math.exp(-tenure_days / 45))

    def pay_on(self, day: date) -> float:
        return [p for d, p in self.pay if d <= day][-1] if self.pay[0][0] <= day else self.pay[0][1]


@dataclass
class Roster:
    employees: list[Employee]
    team_leads: dict[str, Employee]

    def agents_on(self, day: date) -> list[Employee]:
        return [e for e in self.employees if e.role == "agent" and e.spell_on(day) is not None]

    def staff_on(self, day: date) -> list[Employee]:
        """Employees who are not agents (their cost is a monthly salary, not scheduled hours)."""
        return [e for e in self.employees if e.role != "agent" and e.spell_on(day) is not None]

    def snapshot(self, as_of: date, currency: str) -> list[dict]:
        """The full roster as HR exports it on `as_of`: everyone hired by then, leavers with their termination."""
        rows = []
        for e in self.employees:
            spells = [s for s in e.spells if s[0] <= as_of]
            if not spells:
                continue
            hire, term, term_type, reason = spells[-1]
            known = term is not None and term <= as_of  # a future leaving date is not in the export yet
            team = e.team_on(min(as_of, term - timedelta(days=1)) if known else as_of)
            lead = self.team_leads.get(team)
            supervisor = _supervisor_of(self, e, team, lead)
            rows.append(
                {
                    "as_of": as_of,
                    "employee_id": e.employee_id,
                    "agent_id": e.agent_id,
                    "full_name": e.full_name,
                    "role": e.role,
                    "team": team,
                    "site": e.site,
                    "supervisor_employee_id": supervisor,
                    "employment_type": e.employment_type,
                    "fte": e.fte,
                    "hire_date": hire,
                    "termination_date": term if known else None,
                    "termination_type": term_type if known else None,
                    "termination_reason": reason if known else None,
                    "hourly_cost": round(e.pay_on(as_of), 2),
                    "currency": currency,
                }
            )
        return rows


def _supervisor_of(roster: Roster, e: Employee, team: str, lead: Employee | None) -> str | None:
    if e.role == "agent":
        return lead.employee_id if lead else None
    by_role = {x.role: x for x in roster.employees if x.role in ("supervisor", "manager") and x.site == e.site}
    manager = next(x for x in roster.employees if x.role == "manager")
    if e.role == "team_lead":
        return by_role.get("supervisor", manager).employee_id
    if e.role == "supervisor":
        return manager.employee_id
    return None


def build_roster(
    layout: Layout, agents: int, start: date, end: date, currency: str, rng: np.random.Generator
) -> Roster:
    """Simulate employment from a year before `start` to `end` (inclusive) for a center of `agents` agents."""
    history_start = start - timedelta(days=365)
    nok_per_unit = NOK_PER_UNIT.get(currency, 1.0)
    employees: list[Employee] = []
    teams = list(layout.team_site)

    def new_employee(role: str, team: str, hire: date, tenure_years: float) -> Employee:
        n = len(employees) + 1
        kind = (
            rng.choice(["full_time", "part_time", "contractor"], p=[0.75, 0.2, 0.05])
            if role == "agent"
            else "full_time"
        )
        fte = float(rng.choice([0.5, 0.6, 0.8])) if kind == "part_time" else 1.0
        base = AGENT_HOURLY_COST_NOK / nok_per_unit * ROLE_PAY_FACTOR[role]
        pay = base * (1 + 0.015 * min(tenure_years, 10)) * float(rng.normal(1.0, 0.04))
        e = Employee(
            employee_id=f"E{10000 + n}",
            agent_id=f"a{n:04d}" if role == "agent" else None,
            full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            role=role,
            site=layout.team_site[team],
            employment_type=str(kind),
            fte=fte,
            spells=[[hire, None, None, None]],
            teams=[(hire, team)],
            pay=[(hire, pay)],
            handle_factor=float(rng.lognormal(0, 0.12)),
            quality_mean=float(np.clip(rng.normal(0.84, 0.05), 0.6, 0.97)),
            late_login_mean_seconds=float(rng.choice([30, 60, 120, 300], p=[0.4, 0.3, 0.2, 0.1])),
            break_overrun_mean_seconds=float(rng.choice([20, 60, 150], p=[0.5, 0.35, 0.15])),
            aux_spells_per_day=float(rng.choice([0.2, 0.6, 1.5], p=[0.5, 0.35, 0.15])),
            absence_rate=float(rng.choice([0.01, 0.03, 0.07], p=[0.5, 0.35, 0.15])),
        )
        employees.append(e)
        return e

    # Leaders: one manager, a supervisor per site, a team lead per team; long-serving.
    long_ago = history_start - timedelta(days=int(rng.integers(800, 3000)))
    new_employee("manager", teams[0], long_ago, 8.0)
    for site in layout.sites:
        new_employee("supervisor", next(t for t in teams if layout.team_site[t] == site), long_ago, 6.0)
    team_leads = {t: new_employee("team_lead", t, long_ago + timedelta(days=30 * k), 4.0) for k, t in enumerate(teams)}

    # Agents active on `start`: mostly seasoned, some hired in the last four months (so early attrition happens).
    for k in range(agents):
        recent = rng.random() < 0.2
        tenure_days = int(rng.integers(20, 120)) if recent else 120 + int(rng.exponential(900))
        new_employee("agent", teams[k % len(teams)], start - timedelta(days=tenure_days), tenure_days / 365)

    # Leavers of the year before `start`, so attrition history exists from the first snapshot.
    for k in range(max(2, round(agents * 0.3))):
        term = history_start + timedelta(days=int(rng.integers(30, 365)))
        tenure_days = int(rng.integers(20, 90)) if rng.random() < 0.4 else int(rng.integers(90, 1500))
        e = new_employee(
            "agent", teams[int(rng.integers(len(teams)))], term - timedelta(days=tenure_days), tenure_days / 365
        )
        voluntary = k % 4 != 1  # at least one of each type
        e.spells[0][1:] = [
            term,
            "voluntary" if voluntary else "involuntary",
            str(rng.choice(VOLUNTARY_REASONS if voluntary else INVOLUNTARY_REASONS)),
        ]

    _simulate_period(employees, layout, agents, start, end, rng, new_employee)
    _pay_settlements(employees, history_start, end)
    return Roster(employees, team_leads)


def _simulate_period(
    employees: list[Employee],
    layout: Layout,
    agents: int,
    start: date,
    end: date,
    rng: np.random.Generator,
    new_employee,
) -> None:
    """Terminations, hire waves, re-hires and team moves on the generated days."""
    teams = list(layout.team_site)
    days = (end - start).days + 1
    first_wave = start + timedelta(days=14 + (7 - (start + timedelta(days=14)).weekday()) % 7)  # a Monday
    terminated_in_period = 0
    moved_in_period = 0
    for offset in range(days):
        day = start + timedelta(days=offset)
        active = [e for e in employees if e.role == "agent" and e.spell_on(day) is not None]
        for e in active:
            tenure = (day - e.spell_on(day)[0]).days
            early = 3.0 if tenure < EARLY_TENURE_DAYS else 1.0
            u = rng.random()
            if u < early * MONTHLY_VOLUNTARY_RATE / 30:
                _terminate(e, day, "voluntary", rng)
                terminated_in_period += 1
            elif u < early * (MONTHLY_VOLUNTARY_RATE + MONTHLY_INVOLUNTARY_RATE) / 30:
                _terminate(e, day, "involuntary", rng)
                terminated_in_period += 1
            elif u > 1 - 0.005 / 30 and len(teams) > 1:
                _move(e, day, teams, rng)
                moved_in_period += 1
        if day >= first_wave and (day - first_wave).days % 42 == 0:
            # A hire class: replace leavers and add a small buffer for the attrition to come.
            active = [e for e in employees if e.role == "agent" and e.spell_on(day) is not None]
            n_hires = max(1, agents - len(active) + round(0.03 * agents))
            leavers = [
                e
                for e in employees
                if e.role == "agent"
                and e.spells[-1][1] is not None
                and e.spells[-1][2] == "voluntary"
                and (day - e.spells[-1][1]).days > 60
            ]
            counts = {t: 0 for t in teams}
            for e in active:
                counts[e.team_on(day)] += 1
            for _ in range(n_hires):
                team = min(counts, key=counts.get)
                counts[team] += 1
                if leavers and rng.random() < 0.15:
                    e = leavers.pop(int(rng.integers(len(leavers))))
                    e.spells.append([day, None, None, None])  # re-hire: same employee_id, new spell
                    e.teams.append((day, team))
                else:
                    new_employee("agent", team, day, 0.0)
        # A short demo still shows a leaver and a team move.
        if offset == int(days * 0.6) and days >= 28:
            candidates = sorted(
                (e for e in employees if e.role == "agent" and e.spell_on(day) is not None), key=lambda e: e.employee_id
            )
            if terminated_in_period == 0 and candidates:
                _terminate(candidates[len(candidates) // 2], day, "voluntary", rng)
            if moved_in_period == 0 and len(teams) > 1 and len(candidates) > 1:
                _move(candidates[1], day, teams, rng)


def _terminate(e: Employee, day: date, kind: str, rng: np.random.Generator) -> None:
    reasons = VOLUNTARY_REASONS if kind == "voluntary" else INVOLUNTARY_REASONS
    e.spells[-1][1:] = [day, kind, str(rng.choice(reasons))]


def _move(e: Employee, day: date, teams: list[str], rng: np.random.Generator) -> None:
    current = e.team_on(day)
    same_site = [t for t in teams if t != current and t.split("_")[0] == current.split("_")[0]]
    e.teams.append((day, same_site[int(rng.integers(len(same_site)))] if same_site else current))


def _pay_settlements(employees: list[Employee], history_start: date, end: date) -> None:
    """The yearly pay settlement on 1 May raises everyone employed then by 3.5 %."""
    for year in range(history_start.year, end.year + 1):
        settlement = date(year, 5, 1)
        if not history_start <= settlement <= end:
            continue
        for e in employees:
            if e.spell_on(settlement) is not None:
                e.pay.append((settlement, e.pay_on(settlement) * 1.035))
