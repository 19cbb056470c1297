"""Supervisor pages: one file per team and ISO week (the most recent `SUPERVISOR_WEEKS` weeks), with a day selector.

Each page shows, per interval of the chosen day, calls offered against required, scheduled and staffed agents (the
staffing gap) and the service level; each agent's adherence and occupancy per day of the week; the month's agent
scorecards with who needs coaching highlighted; and the week's QA critical fails.
"""

from __future__ import annotations

import re
import time
from datetime import date, datetime, timedelta

import polars as pl

from dashboards import figures
from dashboards.data import Warehouse
from dashboards.executive import center_targets
from dashboards.kpis import KPIS, fmt_count, fmt_duration, fmt_pct, period_label
from dashboards.site import Card, Section, Site, Table, chart

SUPERVISOR_WEEKS = 8  # recent weeks get a page each; older weeks are in the executive reports
# The scorecard mart's coaching flags (its `needs_coaching` is their OR), as the page words them.
# The scorecard's coaching triggers (kpi_agent_scorecard_monthly; rule in its YAML) and how the page words them.
COACHING_FLAGS = {
    "is_critical_fail_rate_above_target": "QA critical-fail rate over target",
    "is_low_qa_score_outlier": "QA score under target and among the team's lowest",
    "is_low_adherence_outlier": "adherence under target and among the team's lowest",
    "is_slow_aht_outlier": "AHT over target and among the team's slowest",
}


def slug(text: str) -> str:
    """A team name as part of a file name: letters (any alphabet) and digits, the rest as dashes."""
    return re.sub(r"[\W_]+", "-", text.lower()).strip("-") or "team"


def scorecard_table(scorecard: pl.DataFrame) -> Table | None:
    """The team's scorecards; rows the mart flags `needs_coaching` are highlighted, with the reasons spelled out."""
    if scorecard.is_empty():
        return None
    columns = ["Agent", "AHT", "Adherence", "QA score", "Outbound conversion", "Critical fails", "Coaching"]
    rows, highlighted = [], []
    for row in scorecard.iter_rows(named=True):
        reasons = [text for flag, text in COACHING_FLAGS.items() if row.get(flag)]
        if row.get("needs_coaching") and not reasons:
            reasons = ["flagged by the scorecard"]
        rows.append([
            str(row["agent_id"]),
            fmt_duration(row.get("aht_seconds")),
            fmt_pct(row.get("adherence")),
            fmt_pct(row.get("qa_score")),
            fmt_pct(row.get("conversion_rate")),
            fmt_count(row.get("critical_fails")),
            "; ".join(reasons) or "-",
        ])
        highlighted.append(bool(row.get("needs_coaching")))
    return Table(columns, rows, highlighted, text_columns=(0, 6))


def render_team_week(wh: Warehouse, site: Site, team: str, week_start: date, targets: pl.DataFrame) -> str:
    started = time.perf_counter()
    week_end = week_start + timedelta(days=6)
    iso_year, iso_week, _ = week_start.isocalendar()
    label = f"{iso_year}-W{iso_week:02d}"
    begin = datetime(week_start.year, week_start.month, week_start.day)
    intervals = {"start": begin, "end": begin + timedelta(days=7)}
    days = {"team": team, "start": week_start, "end": week_end}
    month = week_start.replace(day=1)
    service_target = center_targets(targets, week_start).get("service_level") if not targets.is_empty() else None

    staffing = wh.query("staffing_intraday", intervals)
    service = wh.query("service_intraday", intervals)
    agent_days = wh.query("team_agent_days", days)
    scorecard = wh.query("team_scorecard", {"team": team, "month": month})
    fails = wh.query("team_critical_fails", days)

    staffing_title = "Calls offered and agents required, scheduled and staffed per interval (all queues)"
    service_title = "Service level per interval (all queues)"
    sections = [
        Section("Intraday: staffing gap and service", [
            chart(staffing_title, staffing, lambda: figures.make_staffing_figure(staffing, staffing_title)),
            chart(service_title, service, lambda: figures.make_intraday_service_figure(
                service, service_title, target=service_target.value if service_target else None), need="service_level"),
        ], note="Pick the day in the chart's menu. Staffing gap = staffed - required agents."),
        Section("Agents this week", [
            chart(f"{KPIS[c].label} per agent and day", agent_days,
                  lambda c=c: figures.make_agent_heatmap_figure(agent_days, c, f"{KPIS[c].label} per agent and day"),
                  need=c)
            for c in ("adherence", "occupancy")
        ]),
        Section(f"Scorecards, {period_label('monthly', month)}", [
            Card(f"Agent scorecards, {period_label('monthly', month)}", table=scorecard_table(scorecard)),
        ], note="Highlighted rows need coaching (the scorecard's needs_coaching): a QA critical fail, QA score or "
                "adherence under target, or AHT over target and among the slowest of the team."),
        Section("QA critical fails this week", [
            Card("QA critical fails", note="none this week" if "team_critical_fails" not in wh.missing else None,
                 table=Table(["Day", "Agent", "Evaluations", "Critical fails"],
                             [[f"{r['local_date']:%a %d %b}", str(r["agent_id"]), fmt_count(r["evaluations"]),
                               fmt_count(r["critical_fails"])] for r in fails.iter_rows(named=True)],
                             text_columns=(0, 1))),
        ]),
    ]
    return site.write(f"supervisor_{slug(team)}_{label}.html", f"Team {team}, week {label}", started, sections,
                      intro=f"Monday {week_start:%d %B} to Sunday {week_end:%d %B %Y}.")


def render_supervisors(wh: Warehouse, site: Site) -> dict[str, list[tuple[str, str]]]:
    """Write the supervisor pages of the recent weeks; returns (file, week label) links per team."""
    pairs = wh.query("team_weeks")
    if pairs.is_empty():
        return {}
    recent = sorted(set(pairs["week_start"].to_list()), reverse=True)[:SUPERVISOR_WEEKS]
    targets = wh.query("targets")
    links: dict[str, list[tuple[str, str]]] = {}
    for row in pairs.filter(pl.col("week_start").is_in(recent)).iter_rows(named=True):
        name = render_team_week(wh, site, row["team"], row["week_start"], targets)
        iso_year, iso_week, _ = row["week_start"].isocalendar()
        links.setdefault(row["team"], []).append((name, f"{iso_year}-W{iso_week:02d}"))
    return links
