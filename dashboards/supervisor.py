"""Supervisor pages: one file per team and ISO week (the most recent `SUPERVISOR_WEEKS` weeks), with a day selector.

Each page shows, per interval of the chosen day, calls offered against required, scheduled and staffed agents (the
staffing gap) and the service level; each agent's adherence and occupancy per day of the week; the month's agent
scorecards with who needs coaching highlighted; and the week's QA critical fails.
"""

from __future__ import annotations

import re
import statistics
import time
from datetime import date, datetime, timedelta

import polars as pl

from dashboards import figures
from dashboards.data import Warehouse
from dashboards.kpis import KPIS, NO_DATA, fmt_count, fmt_duration, fmt_pct, period_label
from dashboards.site import Card, Section, Site, Table, chart

SUPERVISOR_WEEKS = 8  # recent weeks get a page each; older weeks are in the executive reports
# Who needs coaching, when the scorecard mart does not say itself: below these (or the team's kpi_targets), or an
# AHT this far above the team's median, or a conversion this far below it.
COACHING_ADHERENCE = 0.90
COACHING_QA_SCORE = 0.85
COACHING_AHT_FACTOR = 1.20
COACHING_CONVERSION_FACTOR = 0.50
CONVERSION_COLUMN = re.compile(r"^(outbound_)?conversion_rate$")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "team"


def team_targets(targets: pl.DataFrame, team: str, day: date) -> dict[str, float]:
    """Targets for `team` on `day`: its own row, else the every-team ('*') row, else the center's."""
    best: dict[str, tuple[tuple, float]] = {}
    for row in targets.iter_rows(named=True):
        if row["valid_from"] > day or (row["valid_to"] is not None and row["valid_to"] < day):
            continue
        if row["scope_type"] == "team" and row["scope_value"] in (team, "*"):
            rank = (2 if row["scope_value"] == team else 1, row["valid_from"])
        elif row["scope_type"] == "center":
            rank = (0, row["valid_from"])
        else:
            continue
        if row["kpi"] not in best or rank > best[row["kpi"]][0]:
            best[row["kpi"]] = (rank, float(row["target_value"]))
    return {kpi: value for kpi, (_, value) in best.items()}


def coaching_reasons(row: dict, medians: dict[str, float], targets: dict[str, float], conversion: str | None) -> list[str]:
    """Why an agent's scorecard calls for coaching (empty: it does not)."""
    reasons = []
    adherence_target = targets.get("adherence", COACHING_ADHERENCE)
    if row.get("adherence") is not None and row["adherence"] < adherence_target:
        reasons.append(f"adherence below {fmt_pct(adherence_target)}")
    qa_target = targets.get("qa_score", COACHING_QA_SCORE)
    if row.get("qa_score") is not None and row["qa_score"] < qa_target:
        reasons.append(f"QA score below {fmt_pct(qa_target)}")
    if row.get("aht_seconds") is not None and "aht_seconds" in medians \
            and row["aht_seconds"] > COACHING_AHT_FACTOR * medians["aht_seconds"]:
        reasons.append(f"AHT over {COACHING_AHT_FACTOR:.0%} of the team's median")
    if conversion and row.get(conversion) is not None and conversion in medians \
            and row[conversion] < COACHING_CONVERSION_FACTOR * medians[conversion]:
        reasons.append(f"conversion under {COACHING_CONVERSION_FACTOR:.0%} of the team's median")
    if (row.get("critical_fails") or 0) > 0:
        reasons.append("QA critical fail")
    return reasons


def scorecard_table(scorecard: pl.DataFrame, targets: dict[str, float]) -> Table | None:
    if scorecard.is_empty():
        return None
    conversion = next((c for c in scorecard.columns if CONVERSION_COLUMN.match(c)), None)
    medians = {c: statistics.median(v) for c in ("aht_seconds", conversion) if c and c in scorecard.columns
               and (v := [x for x in scorecard[c].to_list() if x is not None])}
    columns = ["Agent", "AHT", "Adherence", "QA score", "Outbound conversion", "Critical fails", "Coaching"]
    rows, highlighted = [], []
    for row in scorecard.iter_rows(named=True):
        if "needs_coaching" in row and row["needs_coaching"] is not None:  # the mart's own verdict wins
            reasons = [str(row.get("coaching_reasons") or "flagged by the scorecard")] if row["needs_coaching"] else []
        else:
            reasons = coaching_reasons(row, medians, targets, conversion)
        rows.append([
            str(row["agent_id"]),
            fmt_duration(row.get("aht_seconds")),
            fmt_pct(row.get("adherence")),
            fmt_pct(row.get("qa_score")),
            fmt_pct(row.get(conversion)) if conversion else NO_DATA,
            fmt_count(row.get("critical_fails")),
            "; ".join(reasons) or "-",
        ])
        highlighted.append(bool(reasons))
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
    goals = team_targets(targets, team, week_start) if not targets.is_empty() else {}

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
                service, service_title, target=goals.get("service_level")), need="service_level"),
        ], note="Pick the day in the chart's menu. Staffing gap = staffed - required agents."),
        Section("Agents this week", [
            chart(f"{KPIS[c].label} per agent and day", agent_days,
                  lambda c=c: figures.make_agent_heatmap_figure(agent_days, c, f"{KPIS[c].label} per agent and day"),
                  need=c)
            for c in ("adherence", "occupancy")
        ]),
        Section(f"Scorecards, {period_label('monthly', month)}", [
            Card(f"Agent scorecards, {period_label('monthly', month)}", table=scorecard_table(scorecard, goals)),
        ], note="Highlighted rows need coaching: adherence or QA score under target, AHT over 120 % or conversion "
                "under 50 % of the team's median, or a QA critical fail."),
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
