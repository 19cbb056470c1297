"""`generate_center`: simulate a call center day by day and write its exports in the canonical form.

Order of work: plan the layout and the whole HR history (small), write the budget, then for each day build the
schedules from the forecast, simulate arrivals and routing, and write that day's calls and agent states at once
(memory stays flat however many days). Schedules are flushed per ISO week, QA evaluations per month, roster
snapshots and ledger actuals at each month end. With `faults=True` a few realistic export problems are added at the
end and listed in `<out_dir>/faults.json`.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import polars as pl

from ingest.contracts import SOURCES
from ingest.sample.center import (
    INTERVALS_PER_DAY,
    Layout,
    daily_factor,
    intraday_weights,
    local_day_start,
    opening_hours,
    plan_layout,
    public_holidays,
)
from ingest.sample.contacts import CustomerBook, simulate_day
from ingest.sample.money import (
    AGENT_WAGES,
    LEADER_HOURS_PER_WEEKDAY,
    LEADER_WAGES,
    StaffCosts,
    actual_lines,
    budget_lines,
)
from ingest.sample.output import TIMESTAMP_FORMAT, ExportWriter, GenerationSummary
from ingest.sample.people import Roster, build_roster
from ingest.sample.quality import evaluate
from ingest.sample.slicing import DaySlicer
from ingest.sample.story import Story, sick_today
from ingest.sample.workforce import (
    NEW_HIRE_TRAINING_DAYS,
    OUTBOUND_SHARE,
    AgentDay,
    expected_ready_seconds,
    plan_day,
    schedule_published_at,
)

PROGRESS_EVERY_DAYS = 7


def generate_center(
    out_dir: Path,
    *,
    agents: int = 12,
    days: int = 31,
    start: date = date(2026, 1, 1),
    seed: int = 7,
    fmt: str = "csv",
    timezone: str = "Europe/Oslo",
    currency: str = "NOK",
    faults: bool = False,
    story: Story | None = None,
    schedules_ahead: bool = False,
    slice_minutes: int | None = None,
    slice_from: date | None = None,
    progress: Callable[[str], None] | None = print,
) -> GenerationSummary:
    """Write a simulated center's exports into `<out_dir>/<source>/<file>.<fmt>`; the same seed gives the same files.

    agents    agents employed on `start` (hires keep the headcount near it); 12 gives 2 teams, 2 queues, 1 campaign
    days      generated days from `start`; files per day (calls, agent_states), per ISO week (schedules), per month
              (roster snapshot at each month end plus one on `start`, ledger actuals, QA) and a budget per year
    fmt       "csv" (timestamps ISO 8601 with the center's offset) or "parquet" (time-zone-aware timestamps)
    timezone  IANA name of the center's zone; opening hours and shifts are local
    currency  ISO 4217 code of pay and ledger amounts (NOK, SEK, DKK, EUR, USD, GBP are converted; others as NOK)
    faults    also write a late file, a duplicate file, a corrected re-export and a file of bad rows, listed in
              `<out_dir>/faults.json`; without faults every row passes the SOURCES.md rules
    story     a stronger seasonal peak, an understaffed month, a budget overrun (ingest/sample/story.py); default none
    schedules_ahead  also write the schedules already published by the last generated day for the days after it
              (WFM publishes each ISO week on the Thursday 11 days before it: two to three weeks ahead), as a
              planning team would have them (planned like any day; a longer run of the same seed plans those days
              from its own volume levels and roster, so it may differ)
    slice_minutes  write calls and agent states as intraday slices of this many minutes, as an ACD exporting every
              few minutes would (ingest/slices.py): `calls_<day>_<HHMM>` holds the legs that ENDED in the slice,
              `agent_states_<day>_<HHMM>` the events that happened in it, each file's modification time one minute
              after its cutoff; a slice with nothing in it is a header-only file. Default None: one file per day
    slice_from  with `slice_minutes`, slice only the days from this one on (earlier days are whole-day files, as a
              center's history would be); default: every day
    progress  called with a line every few days (None: silent)

    Raises ValueError for a bad option and FileExistsError when a source folder of `out_dir` already has files.
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    _check_arguments(out_dir, agents, days, fmt, timezone, currency)
    if slice_minutes is not None and not (0 < slice_minutes <= 1440 and 1440 % slice_minutes == 0):
        raise ValueError(f"slice_minutes must divide a day (1440 minutes) evenly, not {slice_minutes}")
    slicer = DaySlicer(writer_tz=timezone, minutes=slice_minutes) if slice_minutes else None
    say = progress or (lambda _line: None)
    story = story or Story()
    tz = ZoneInfo(timezone)
    end = start + timedelta(days=days - 1)
    layout = plan_layout(agents)
    roster = build_roster(layout, agents, start, end, currency, np.random.default_rng([seed, 1]))
    summary = GenerationSummary(out_dir)
    writer = ExportWriter(out_dir, fmt, timezone, summary)
    holidays = set().union(*(public_holidays(y) for y in range(start.year - 1, end.year + 2)))
    levels = _volume_levels(layout, roster, start, end, story.seasonal_amplitude)
    customers = CustomerBook(max(20_000, agents * 20_000))
    team_lead_of = {team: lead.employee_id for team, lead in roster.team_leads.items()}
    first_team = next(iter(layout.team_site))
    costs = StaffCosts()
    say(
        f"generate: {agents} agents in {len(layout.team_site)} teams, {sum(len(p.queues) for p in layout.pools)} "
        f"queues, {len(layout.campaigns)} campaign(s), {days} days from {start} ({timezone}) into {out_dir}"
    )

    try:
        for year in range(start.year, end.year + 1):
            plan = max(start, date(year, 1, 1))
            writer.write(
                "ledger",
                f"budget_{year}",
                budget_lines(layout, roster, year, plan, currency),
                _at(date(year - 1, 12, 15), 10, tz),
            )
        _write_roster(writer, roster, start, currency, tz)

        week_rows: list[dict] = []
        week_updates: list[dict] = []
        qa_by_month: dict[tuple[int, int], list[pl.DataFrame]] = defaultdict(list)
        legs_total = 0
        for offset in range(days):
            day = start + timedelta(days=offset)
            day_start = local_day_start(day, tz)
            day_key = day.strftime("%Y%m%d")
            rng = np.random.default_rng([seed, 2, day.toordinal()])
            hours = opening_hours(day, holidays)
            lam_by_queue, forecast_by_pool = _forecast(layout, levels, day, hours, story.seasonal_amplitude)
            agent_days = plan_day(
                day, roster.agents_on(day), layout, forecast_by_pool, hours, day in holidays, seed, rng
            )
            sick = sick_today(story, day, agent_days, first_team, seed)
            for a in agent_days:
                if a.agent.agent_id in sick:  # scheduled, never logs in: the team is short that day
                    a.events, a.windows = [], []
            actual_lam = _actual_arrivals(layout, lam_by_queue, rng)
            after_hours = (
                0.03 * sum(float(v.sum()) for v in lam_by_queue.values()) if hours else 0.02 * sum(levels.values())
            )
            result = simulate_day(day_key, day_start, layout, agent_days, actual_lam, after_hours, customers, rng)
            export_at = _at(day + timedelta(days=1), 2, tz)
            if slicer is not None and (slice_from is None or day >= slice_from):
                slicer.write_day(writer, day_start, local_day_start(day + timedelta(days=1), tz), result)
            else:
                writer.write("calls", f"calls_{day}", result.legs, export_at)
                writer.write("agent_states", f"agent_states_{day}", result.states, export_at)
            legs_total += result.legs.height

            rows, updates = _schedule_rows(agent_days, day, day_start, tz, rng)
            week_rows += rows
            week_updates += updates
            if day.isoweekday() == 7 or day == end:
                _write_schedules(writer, day, week_rows, week_updates, tz)
                week_rows, week_updates = [], []

            _add_costs(costs, roster, agent_days, day)
            answered = result.legs.filter(pl.col("answered_at").is_not_null())
            qa = evaluate(day_key, day_start, answered, agent_days, team_lead_of, rng)
            # Evaluations after the last generated day have not happened yet.
            qa = qa.filter(pl.col("evaluated_at") < local_day_start(end + timedelta(days=1), tz))
            month = pl.from_epoch("evaluated_at", time_unit="s")
            for (y, m), part in (
                qa.with_columns(month.dt.year().alias("_y"), month.dt.month().alias("_m"))
                .partition_by(["_y", "_m"], as_dict=True)
                .items()
            ):
                qa_by_month[(int(y), int(m))].append(part.drop("_y", "_m"))

            if (day + timedelta(days=1)).day == 1 or day == end:
                if day != start:  # the snapshot of `start` is already written
                    _write_roster(writer, roster, day, currency, tz)
                _write_actuals(writer, layout, roster, costs, day, currency, seed, tz, story)
                for key in [k for k in qa_by_month if k <= (day.year, day.month)]:
                    _write_qa(writer, key, qa_by_month.pop(key), tz)
            if (offset + 1) % PROGRESS_EVERY_DAYS == 0 or day == end:
                say(
                    f"generate: day {offset + 1}/{days} ({day}): {legs_total:,} legs, "
                    f"{time.perf_counter() - started:.1f} s"
                )
        for key in sorted(qa_by_month):
            _write_qa(writer, key, qa_by_month[key], tz)
        if slicer is not None:
            slicer.flush(writer)
        if schedules_ahead:
            ahead = _write_schedules_ahead(writer, layout, roster, levels, holidays, story, seed, end, tz)
            say(f"generate: schedules published ahead for {ahead} days after {end}")
    finally:
        writer.finish()  # also when a day fails, so no writer thread is left behind
    if faults:
        summary.faults = _inject_faults(writer, start, days, tz, seed)
    summary.seconds = time.perf_counter() - started
    return summary


def _check_arguments(out_dir: Path, agents: int, days: int, fmt: str, timezone: str, currency: str) -> None:
    if agents < 2:
        raise ValueError(f"agents must be at least 2, got {agents}")
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"fmt must be 'csv' or 'parquet', got {fmt!r}")
    if not (len(currency) == 3 and currency.isalpha() and currency.isupper()):
        raise ValueError(f"currency must be an ISO 4217 code such as NOK, got {currency!r}")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {timezone!r} (use an IANA name such as Europe/Oslo)") from None
    used = [out_dir / s for s in SOURCES if (out_dir / s).is_dir() and any((out_dir / s).iterdir())]
    if used:
        raise FileExistsError(
            f"{used[0]} already holds files; generate into an empty directory so exports of different runs do not mix"
        )


def _at(day: date, hour: int, tz: ZoneInfo) -> int:
    """Epoch seconds of a local hour on a day."""
    return local_day_start(day, tz) + hour * 3600


def _volume_levels(layout: Layout, roster: Roster, start: date, end: date, amplitude: float) -> dict[int, float]:
    """Calls per pool on a day of seasonal factor 1, sized so the pool's inbound agents run at a healthy occupancy."""
    span = [start + timedelta(days=k) for k in range(min((end - start).days + 1, 365))]
    levels = {}
    for pool in layout.pools:
        # Agents past their classroom weeks, with the pace their tenure gives them.
        agents = [
            (e, (start - e.spell_on(start)[0]).days)
            for e in roster.agents_on(start)
            if layout.pool_of_team(e.team_on(start)) == pool.index
        ]
        agents = [(e, tenure) for e, tenure in agents if tenure >= NEW_HIRE_TRAINING_DAYS]
        fte = sum(e.fte for e, _ in agents)
        pace = sum(e.fte * e.handle_time_factor(tenure) for e, tenure in agents) / max(fte, 1e-9)
        occupancy = min(0.92, 0.47 + 0.087 * np.log(max(fte, 1.0)))
        capacity_week = sum(expected_ready_seconds(e) for e, _ in agents) * 5 * (1 - OUTBOUND_SHARE) * occupancy
        aht = sum(
            q.volume_share * (q.talk_mean_seconds * pace + q.hold_share * 50 + q.acw_mean_seconds * pace)
            for q in pool.queues
        )
        week_factor = 7 * float(
            np.mean([sum(q.volume_share * daily_factor(d, q.name, amplitude) for q in pool.queues) for d in span])
        )
        levels[pool.index] = max(capacity_week, 1.0) / (aht * week_factor)
    return levels


def _forecast(
    layout: Layout, levels: dict[int, float], day: date, hours: tuple[int, int] | None, amplitude: float
) -> tuple[dict[str, np.ndarray], dict[int, np.ndarray]]:
    """Expected calls per queue and 15-minute interval, and their sum per pool (what WFM schedules against)."""
    lam_by_queue: dict[str, np.ndarray] = {}
    by_pool: dict[int, np.ndarray] = {}
    for pool in layout.pools:
        total = np.zeros(INTERVALS_PER_DAY)
        for k, q in enumerate(pool.queues):
            lam = (
                np.zeros(INTERVALS_PER_DAY)
                if hours is None
                else levels[pool.index]
                * q.volume_share
                * daily_factor(day, q.name, amplitude)
                * intraday_weights(*hours, k)
            )
            lam_by_queue[q.name] = lam
            total += lam
        by_pool[pool.index] = total
    return lam_by_queue, by_pool


def _actual_arrivals(
    layout: Layout, lam_by_queue: dict[str, np.ndarray], rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """The forecast with daily noise per pool and, now and then, a surge of a few hours on one queue."""
    out = {}
    for pool in layout.pools:
        noise = float(rng.lognormal(0, 0.07))
        surge_queue = int(rng.integers(len(pool.queues))) if rng.random() < 0.04 else -1
        for k, q in enumerate(pool.queues):
            lam = lam_by_queue[q.name] * noise
            if k == surge_queue:
                first = int(rng.integers(36, 56))  # 09:00-14:00
                lam = lam.copy()
                lam[first : first + int(rng.integers(8, 17))] *= float(rng.uniform(1.4, 2.0))
            out[q.name] = lam
    return out


def _schedule_rows(
    agent_days: list[AgentDay], day: date, day_start: int, tz: ZoneInfo, rng: np.random.Generator
) -> tuple[list[dict], list[dict]]:
    """Schedule segments: the regular publication, and republications that replace an agent's day."""
    pub_day, pub_sod = schedule_published_at(day)
    published = local_day_start(pub_day, tz) + pub_sod
    rows, updates = [], []
    for a in agent_days:
        first = a.original if a.original is not None else a.segments
        rows += [
            {
                "agent_id": a.agent.agent_id,
                "schedule_date": day,
                "activity": act,
                "starts_at": day_start + s,
                "ends_at": day_start + e,
                "published_at": published,
            }
            for s, e, act in first
        ]
        if a.original is not None:
            republished = local_day_start(day - timedelta(days=int(rng.integers(1, 5))), tz) + int(
                rng.integers(9 * 3600, 16 * 3600)
            )
            updates += [
                {
                    "agent_id": a.agent.agent_id,
                    "schedule_date": day,
                    "activity": act,
                    "starts_at": day_start + s,
                    "ends_at": day_start + e,
                    "published_at": republished,
                }
                for s, e, act in a.segments
            ]
    return rows, updates


def _write_schedules_ahead(
    writer: ExportWriter,
    layout: Layout,
    roster: Roster,
    levels: dict[int, float],
    holidays: set[date],
    story: Story,
    seed: int,
    end: date,
    tz: ZoneInfo,
) -> int:
    """The days after `end` whose schedule is published by the end of `end`, with the publications made by then.

    Each day is planned as a generated day is (its random stream `[seed, 2, ordinal]`, this run's volume levels and
    roster)."""
    cutoff = local_day_start(end + timedelta(days=1), tz)
    rows: list[dict] = []
    updates: list[dict] = []
    day = end + timedelta(days=1)
    days = 0
    while local_day_start(schedule_published_at(day)[0], tz) + schedule_published_at(day)[1] < cutoff:
        rng = np.random.default_rng([seed, 2, day.toordinal()])
        hours = opening_hours(day, holidays)
        _, forecast_by_pool = _forecast(layout, levels, day, hours, story.seasonal_amplitude)
        agent_days = plan_day(day, roster.agents_on(day), layout, forecast_by_pool, hours, day in holidays, seed, rng)
        day_rows, day_updates = _schedule_rows(agent_days, day, local_day_start(day, tz), tz, rng)
        rows += day_rows
        updates += [u for u in day_updates if u["published_at"] < cutoff]  # republications not made yet are left out
        days += 1
        day += timedelta(days=1)
    if rows:
        _write_schedule_files(
            writer, f"schedules_ahead_{end + timedelta(days=1)}_{day - timedelta(days=1)}", rows, updates
        )
    return days


def _write_schedules(writer: ExportWriter, day: date, rows: list[dict], updates: list[dict], tz: ZoneInfo) -> None:
    iso = day.isocalendar()
    _write_schedule_files(writer, f"schedules_{iso.year}-W{iso.week:02d}", rows, updates)


def _write_schedule_files(writer: ExportWriter, stem: str, rows: list[dict], updates: list[dict]) -> None:
    """A publication's file and, when some agent-days were republished, the `_update` file, each exported ten
    minutes after its last publication."""
    schema = {"schedule_date": pl.Date, "starts_at": pl.Int64, "ends_at": pl.Int64, "published_at": pl.Int64}
    for name, part in ((stem, rows), (f"{stem}_update", updates)):
        if part:
            frame = pl.DataFrame(part, schema_overrides=schema)
            writer.write("schedules", name, frame, max(r["published_at"] for r in part) + 600)


def _write_roster(writer: ExportWriter, roster: Roster, as_of: date, currency: str, tz: ZoneInfo) -> None:
    rows = roster.snapshot(as_of, currency)
    df = pl.DataFrame(
        rows,
        schema_overrides={
            "agent_id": pl.String,
            "supervisor_employee_id": pl.String,
            "termination_date": pl.Date,
            "termination_type": pl.String,
            "termination_reason": pl.String,
        },
    )
    writer.write("roster", f"roster_{as_of}", df, _at(as_of + timedelta(days=1), 6, tz))


def _write_actuals(
    writer: ExportWriter,
    layout: Layout,
    roster: Roster,
    costs: StaffCosts,
    day: date,
    currency: str,
    seed: int,
    tz: ZoneInfo,
    story: Story,
) -> None:
    """Month end (or the last generated day): the month's ledger actuals, now and then with a revision; the story's
    overrun multiplies its category's lines."""
    actual, revision = actual_lines(
        layout, roster, day.year, day.month, costs, currency, np.random.default_rng([seed, 3, day.year, day.month])
    )
    factor = story.overrun(day.year, day.month, story.overrun_category)
    if factor != 1.0:
        actual = actual.with_columns(
            pl.when(pl.col("category") == story.overrun_category)
            .then((pl.col("amount") * factor).round(2))
            .otherwise(pl.col("amount"))
            .alias("amount")
        )
    writer.write("ledger", f"actual_{day:%Y-%m}", actual, _at(actual["posted_on"][0], 7, tz))
    if revision is not None:
        writer.write("ledger", f"actual_{day:%Y-%m}_revision", revision, _at(revision["posted_on"][0], 7, tz))


def _write_qa(writer: ExportWriter, key: tuple[int, int], parts: list[pl.DataFrame], tz: ZoneInfo) -> None:
    df = pl.concat(parts).sort("evaluated_at")
    year, month = key
    next_month = date(year + month // 12, month % 12 + 1, 1)
    writer.write("qa_evaluations", f"qa_evaluations_{year}-{month:02d}", df, _at(next_month, 3, tz))


def _add_costs(costs: StaffCosts, roster: Roster, agent_days: list[AgentDay], day: date) -> None:
    """Payroll of the day: agents' paid scheduled hours x pay; leaders' salary on weekdays."""
    for a in agent_days:
        costs.add(day, a.agent.site, AGENT_WAGES, a.paid_seconds / 3600 * a.agent.pay_on(day))
    if day.isoweekday() <= 5:
        for e in roster.staff_on(day):
            costs.add(day, e.site, LEADER_WAGES, e.fte * LEADER_HOURS_PER_WEEKDAY * e.pay_on(day))
    for e in roster.employees:
        if e.role == "agent" and any(s[0] == day for s in e.spells):
            costs.hires[(day.year, day.month, e.site)] += 1


def _write_fault_file(writer: ExportWriter, source: str, frame: pl.DataFrame, target: Path, arrives: int) -> None:
    """A fault's file, written as it is (not typed by the writer: it may hold broken values), arriving at `arrives`
    (its modification time, which orders the load), counted in the summary."""
    frame.write_csv(target) if target.suffix == ".csv" else frame.write_parquet(target)
    os.utime(target, (arrives, arrives))
    writer.summary.files[source] += 1
    writer.summary.rows[source] += frame.height


def _inject_faults(writer: ExportWriter, start: date, days: int, tz: ZoneInfo, seed: int) -> list[str]:
    """Realistic export problems: a late file, a duplicate file, a corrected re-export, a file of bad rows."""
    out = []
    rng = np.random.default_rng([seed, 4])
    late_day = start + timedelta(days=min(days - 1, days // 3))
    late = writer.path("calls", f"calls_{late_day}")
    arrives = _at(start + timedelta(days=days), 9, tz)
    os.utime(late, (arrives, arrives))
    out.append(f"late file: {late.relative_to(writer.out_dir)} arrives after the last day's exports")

    dup_day = start + timedelta(days=min(days - 1, days // 2))
    original = writer.path("agent_states", f"agent_states_{dup_day}")
    duplicate = original.with_name(f"agent_states_{dup_day}_copy{original.suffix}")
    shutil.copy2(original, duplicate)
    writer.summary.files["agent_states"] += 1
    out.append(f"duplicate file: {duplicate.relative_to(writer.out_dir)} is a byte-identical copy of {original.name}")

    # The busiest day is re-exported with corrections (a quiet Sunday would correct nothing).
    path = max(
        (writer.path("calls", f"calls_{start + timedelta(days=k)}") for k in range(days)),
        key=lambda p: (p.stat().st_size, p.name),
    )
    fix_day = path.stem.removeprefix("calls_")
    legs = pl.read_csv(path, infer_schema=False) if writer.fmt == "csv" else pl.read_parquet(path)
    fixed = pl.Series(rng.random(legs.height) < 0.05)
    corrected = legs.with_columns(
        pl.when(fixed & pl.col("outcome").is_not_null())
        .then(pl.lit("resolved"))
        .otherwise(pl.col("outcome"))
        .alias("outcome")
    )
    stem = f"calls_{fix_day}_corrected"
    target = writer.path("calls", stem)
    _write_fault_file(writer, "calls", corrected, target, arrives + 3600)
    out.append(
        f"corrected re-export: {target.relative_to(writer.out_dir)} replaces {path.name} "
        f"({int(fixed.sum())} outcomes corrected)"
    )

    bad = writer.out_dir / "calls" / f"calls_{fix_day}_BAD_ROWS.csv"
    text = legs.head(5).with_columns(pl.col(pl.Datetime).dt.strftime(TIMESTAMP_FORMAT)).cast(pl.String)
    rows = text.to_dicts()
    breakage = (
        ("ended_at", lambda v: v[:19], "no offset"),
        ("direction", lambda v: "sideways", "bad direction"),
        ("talk_seconds", lambda v: "-40", "negative talk_seconds"),
        ("end_reason", lambda v: None, "missing end_reason"),
        ("ended_at", lambda v: "2026-13-45T25:61:00+01:00", "unparseable timestamp"),
    )
    for k, (row, (column, spoil, _)) in enumerate(zip(rows, breakage, strict=True)):
        row["leg_id"] = f"BAD{k + 1}"
        row[column] = spoil(row[column])
    bad_rows = pl.DataFrame(rows, schema={c: pl.String for c in legs.columns})
    _write_fault_file(writer, "calls", bad_rows, bad, arrives + 7200)
    out.append(
        f"bad rows: {bad.relative_to(writer.out_dir)} has {bad_rows.height} invalid rows "
        f"({', '.join(b[2] for b in breakage[: bad_rows.height])})"
    )
    (writer.out_dir / "faults.json").write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    return out
