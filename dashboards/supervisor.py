"""Supervisor pages: one file per team (`supervisor_<team>.html`) holding its most recent `SUPERVISOR_WEEKS` ISO
weeks, one shown at a time and picked in the page's week menu (newest first).

Each week shows, per interval of the chosen day, calls offered against required, scheduled and staffed agents (the
staffing gap) and the service level; each agent's adherence and occupancy per day of the week; the month's agent
scorecards with who needs coaching highlighted; and the week's QA critical fails.

One page per team rather than per team and week: every page inlines plotly.js, so a page per team-week made a year
of a 1,000-agent center (80 teams) 640 supervisor pages, 3.1 GB and most of a 190 s render. Every query runs once for
all teams and weeks and is split here; the intraday charts are centre-wide (no mart maps queues to teams), so each
week's are built once and shared by every team's page.
"""

from __future__ import annotations

import re
import time
from datetime import date, datetime, timedelta

import polars as pl

from dashboards import figures, forecast_figures
from dashboards.data import Warehouse
from dashboards.executive import center_targets
from dashboards.kpis import KPIS, fmt_count, fmt_duration, fmt_pct, period_label
from dashboards.site import Card, Section, Site, Table, View, chart

SUPERVISOR_WEEKS = 8  # recent weeks are on the team pages; older weeks are in the executive reports
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
        rows.append(
            [
                str(row["agent_id"]),
                fmt_duration(row.get("aht_seconds")),
                fmt_pct(row.get("adherence")),
                fmt_pct(row.get("qa_score")),
                fmt_pct(row.get("conversion_rate")),
                fmt_count(row.get("critical_fails")),
                "; ".join(reasons) or "-",
            ]
        )
        highlighted.append(bool(row.get("needs_coaching")))
    return Table(columns, rows, highlighted, text_columns=(0, 6))


def intraday_cards(
    staffing: pl.DataFrame, service: pl.DataFrame, week_start: date, targets: pl.DataFrame
) -> list[Card]:
    """The week's centre-wide staffing and service charts (`staffing`, `service`: already cut to the week)."""
    service_target = center_targets(targets, week_start).get("service_level") if not targets.is_empty() else None
    staffing_title = "Calls offered and agents required, scheduled and staffed per interval (all queues)"
    service_title = "Service level per interval (all queues)"
    return [
        chart(staffing_title, staffing, lambda: figures.make_staffing_figure(staffing, staffing_title)),
        chart(
            service_title,
            service,
            lambda: figures.make_intraday_service_figure(
                service, service_title, target=service_target.value if service_target else None
            ),
            need="service_level",
        ),
    ]


def week_sections(
    intraday: list[Card],
    agent_days: pl.DataFrame,
    scorecard: pl.DataFrame,
    fails: pl.DataFrame,
    fails_known: bool,
    month: date,
) -> list[Section]:
    """One team's week: the shared intraday cards, then the team's agents, scorecards and critical fails."""
    return [
        Section(
            "Intraday: staffing gap and service",
            intraday,
            note="Pick the day in the chart's menu. Staffing gap = staffed - required agents.",
        ),
        Section(
            "Agents this week",
            [
                chart(
                    f"{KPIS[c].label} per agent and day",
                    agent_days,
                    lambda c=c: figures.make_agent_heatmap_figure(agent_days, c, f"{KPIS[c].label} per agent and day"),
                    need=c,
                )
                for c in ("adherence", "occupancy")
            ],
        ),
        Section(
            f"Scorecards, {period_label('monthly', month)}",
            [
                Card(f"Agent scorecards, {period_label('monthly', month)}", table=scorecard_table(scorecard)),
            ],
            note="Highlighted rows need coaching (the scorecard's needs_coaching): a QA critical fail, QA score or "
            "adherence under target, or AHT over target and among the slowest of the team.",
        ),
        Section(
            "QA critical fails this week",
            [
                Card(
                    "QA critical fails",
                    note="none this week" if fails_known else None,
                    table=Table(
                        ["Day", "Agent", "Evaluations", "Critical fails"],
                        [
                            [
                                f"{r['local_date']:%a %d %b}",
                                str(r["agent_id"]),
                                fmt_count(r["evaluations"]),
                                fmt_count(r["critical_fails"]),
                            ]
                            for r in fails.iter_rows(named=True)
                        ],
                        text_columns=(0, 1),
                    ),
                ),
            ],
        ),
    ]


def forecast_section(forecast: pl.DataFrame, accuracy: pl.DataFrame) -> Section:
    """The coming weeks' forecast volume per queue and how accurate the last weeks' forecasts were (centre-wide)."""
    origin = f" (made after {forecast['origin_date'][0]:%a %d %b %Y})" if not forecast.is_empty() else ""
    title = f"Forecast contacts per queue and day{origin}"
    return Section(
        "Forecast: the coming weeks",
        [
            chart(title, forecast, lambda: forecast_figures.make_forecast_volume_figure(forecast, title)),
            Card(
                "Forecast accuracy one week ahead, last 4 weeks of forecasts",
                table=forecast_figures.forecast_accuracy_table(accuracy),
                note=None if not accuracy.is_empty() else "no forecast has met its actuals yet",
            ),
        ],
        note="The method the best pick chose per queue and horizon week (lowest WAPE on earlier weeks). WAPE = sum of "
        "|forecast - actual| / actual contacts; bias = sum of (forecast - actual) / actual contacts.",
    )


def recent_weeks(pairs: pl.DataFrame) -> list[date]:
    """The newest SUPERVISOR_WEEKS week starts of `team_weeks`, newest first."""
    return sorted(set(pairs["week_start"].to_list()), reverse=True)[:SUPERVISOR_WEEKS]


def supervisor_teams(pairs: pl.DataFrame) -> list[str]:
    """The teams with a supervisor page (and a today page): those with activity in the recent weeks."""
    if pairs.is_empty():
        return []
    return sorted(set(pairs.filter(pl.col("week_start").is_in(recent_weeks(pairs)))["team"].to_list()))


def render_supervisors(wh: Warehouse, site: Site) -> dict[str, tuple[str, list[str]]]:
    """Write one page per team with its recent weeks; returns, per team, the file and its week labels (newest
    first)."""
    pairs = wh.query("team_weeks")
    if pairs.is_empty():
        return {}
    started = time.perf_counter()
    weeks = recent_weeks(pairs)
    first, last = min(weeks), max(weeks) + timedelta(days=6)
    first_at = datetime(first.year, first.month, first.day)
    intervals = {"start": first_at, "end": first_at + timedelta(days=(last - first).days + 1)}
    staffing = wh.query("staffing_intraday", intervals)
    service = wh.query("service_intraday", intervals)
    agent_days = wh.query("team_agent_days", {"start": first, "end": last})
    scorecards = wh.query("team_scorecard", {"first_month": first.replace(day=1), "last_month": last.replace(day=1)})
    fails = wh.query("team_critical_fails", {"start": first, "end": last})
    fails_known = "team_critical_fails" not in wh.missing
    targets = wh.query("targets")
    forecast = forecast_section(wh.query("forecast_daily"), wh.query("forecast_accuracy"))

    def in_week(df: pl.DataFrame, column: str, week_start: date) -> pl.DataFrame:
        if df.is_empty():
            return df
        day = pl.col(column).dt.date() if df.schema[column] == pl.Datetime else pl.col(column)
        return df.filter(day.is_between(week_start, week_start + timedelta(days=6)))

    def of_team(df: pl.DataFrame, team: str) -> pl.DataFrame:
        return df if df.is_empty() else df.filter(pl.col("team") == team)

    intraday = {
        week: intraday_cards(
            in_week(staffing, "interval_start", week), in_week(service, "interval_start", week), week, targets
        )
        for week in weeks
    }
    pages: dict[str, tuple[str, list[str]]] = {}
    for team in supervisor_teams(pairs):
        team_weeks = sorted(pairs.filter(pl.col("team") == team)["week_start"].to_list(), reverse=True)
        team_weeks = [w for w in team_weeks if w in intraday]
        days, cards, team_fails = of_team(agent_days, team), of_team(scorecards, team), of_team(fails, team)
        views = []
        for week in team_weeks:
            month = week.replace(day=1)
            scorecard = cards if cards.is_empty() else cards.filter(pl.col("period_start") == month)
            sections = week_sections(
                intraday[week],
                in_week(days, "local_date", week),
                scorecard,
                in_week(team_fails, "local_date", week),
                fails_known,
                month,
            )
            iso_year, iso_week, _ = week.isocalendar()
            label = f"{iso_year}-W{iso_week:02d}"
            end = week + timedelta(days=6)
            views.append(View(label, f"{label}: Monday {week:%d %B} to Sunday {end:%d %B %Y}", sections))
        labels = [v.key for v in views]
        name = site.write(
            f"supervisor_{slug(team)}.html",
            f"Team {team}",
            started,
            [forecast],
            views=views,
            view_prompt="Week",
            intro=f"The team's {len(views)} most recent week(s) with activity, {labels[-1]} to "
            f"{labels[0]}: pick one in the menu below.",
        )
        pages[team] = (name, labels)
        started = time.perf_counter()
    return pages
