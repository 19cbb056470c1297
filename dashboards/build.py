"""Render every dashboard of the analyst warehouse to self-contained offline HTML files.

`render_all(warehouse, out_dir)` opens the warehouse read-only, reads schema `marts` (and `ops` for freshness, the
staffing plan and the status of each domain), and writes: `operations_daily.html` (service per day and queue, agents),
the executive reports (`exec_<period>.html` per month, quarter and year with data), the supervisor pages
(`supervisor_<team>.html`, the team's recent weeks in one page), the planning pages (`planning_<queue>.html`, the
coming weeks' staffing plan) and `index.html` linking them all. Each page embeds plotly.js once, so it opens from
`file://` with no network, and says in a banner which domain is stale, since when and why (`ops.domain_status`).
Missing or empty tables never fail a render: the part that needs them says "no data", and `RenderReport.missing`
says why.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from dashboards import figures
from dashboards.data import Warehouse
from dashboards.executive import render_executive
from dashboards.kpis import DEFAULT_CURRENCY, KPIS
from dashboards.planning import NO_PLAN, render_planning
from dashboards.site import RenderReport, Section, Site, chart
from dashboards.supervisor import render_supervisors, slug, supervisor_teams
from dashboards.today import TodaySettings, render_today

__all__ = ["RenderReport", "render_all", "render_today_pages"]

STALE_PATTERNS = ("operations_daily.html", "exec_*.html", "supervisor_*.html", "planning*.html", "today*.html")
DAILY_WINDOW_DAYS = 35  # the daily page shows the last five weeks: enough to see a trend, small enough to read
AGENT_BARS = 30  # agents per bar chart on the daily page, the worst: a chart a person reads, whatever the center's size


def data_range(wh: Warehouse) -> tuple[date | None, date | None]:
    """First and last local day in the daily service and agent marts."""
    firsts, lasts = [], []
    for table in ("kpi_service_daily", "kpi_agent_daily"):
        df = wh.query("data_range", table=table)
        if not df.is_empty():
            firsts += [d for d in df["first_day"].to_list() if d is not None]
            lasts += [d for d in df["last_day"].to_list() if d is not None]
    return (min(firsts) if firsts else None, max(lasts) if lasts else None)


def freshness_text(wh: Warehouse, last_day: date | None) -> str:
    """The line every page shows: the last day loaded and when this warehouse version was published."""
    published_df = wh.query("published", optional=True)
    if not published_df.is_empty() and published_df["published_at"][0] is not None:
        published = f"{published_df['published_at'][0]:%Y-%m-%d %H:%M} UTC"
    else:  # a warehouse not made by the pipeline's publish step: its file time is the best we have
        published = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(wh.path.stat().st_mtime))
    if last_day is None:
        return f"No daily call or agent data loaded yet; warehouse published {published}."
    return f"Data through {last_day:%A %d %B %Y} (last day loaded); warehouse published {published}."


DOMAIN_NAMES = {
    "service": "Service (calls, queues)",
    "agent": "Agents (states, schedules, adherence)",
    "fcr": "First-contact resolution",
    "quality": "Quality (QA evaluations)",
    "people": "People (roster, attrition)",
    "finance": "Finance (budget and actuals)",
    "outbound": "Outbound campaigns",
    "cost_per_call": "Cost per call",
    "scorecard": "Agent scorecard",
    "staffing": "Staffing",
    "reference": "Calendar, intervals and targets",
}


def stale_domain_notes(wh: Warehouse) -> list[str]:
    """One sentence per stale domain for every page's header: which, since when, why (ops.domain_status)."""
    df = wh.query("domain_status", optional=True)
    return [
        f"{DOMAIN_NAMES.get(row['domain'], row['domain'])} is stale since {row['stale_since']:%Y-%m-%d %H:%M} UTC, "
        f"{row['reason']}"
        for row in df.iter_rows(named=True)
    ]


def center_currency(wh: Warehouse) -> str:
    df = wh.query("currency", optional=True)
    if df.is_empty() or df["center_currency"][0] is None:
        return DEFAULT_CURRENCY
    return str(df["center_currency"][0])


def render_daily(wh: Warehouse, site: Site, first_day: date, last_day: date, currency: str) -> str:
    """Service KPIs per day and queue, and agent KPIs per agent, over the last `DAILY_WINDOW_DAYS` days."""
    started = time.perf_counter()
    start = max(first_day, last_day - timedelta(days=DAILY_WINDOW_DAYS - 1))
    params = {"start": start, "end": last_day}
    service = wh.query("service", params, grain="daily", period="local_date", series="queue")
    agents = wh.query("agent_summary", params, grain="daily", period="local_date")
    service_cards = [
        chart(
            f"{KPIS[c].label} per day and queue",
            service,
            lambda c=c: figures.make_trend_figure(
                service, c, f"{KPIS[c].label} per day and queue", "daily", currency=currency
            ),
            need=c,
        )
        for c in ("service_level", "asa_seconds", "abandonment_rate", "aht_seconds", "avg_hold_seconds")
    ]
    agent_title = "{label} per agent, " + f"{start:%d %b} to {last_day:%d %b %Y}"
    agent_cards = [
        chart(
            agent_title.format(label=KPIS[c].label),
            agents,
            lambda c=c: figures.make_agent_bar_figure(
                agents, c, agent_title.format(label=KPIS[c].label), currency=currency, limit=AGENT_BARS
            ),
            need=c,
        )
        for c in ("occupancy", "adherence", "aht_seconds")
    ]
    return site.write(
        "operations_daily.html",
        "Service and agent KPIs per day",
        started,
        [
            Section("Service per day and queue", service_cards),
            Section("Agents", agent_cards, note="Whole window; ratios rebuilt from the agents' sums."),
        ],
        intro=f"{start:%d %B %Y} to {last_day:%d %B %Y}, every queue and agent.",
    )


def week_span(weeks: list[str]) -> str:
    """Sorted ISO week labels as the index names them: '2026-W14', or '2026-W07 to 2026-W14'."""
    return weeks[0] if len(weeks) == 1 else f"{weeks[0]} to {weeks[-1]}"


def remove_stale_pages(out_dir: Path, written: set[str], progress: Callable[[str], None] | None) -> None:
    """Delete report pages of earlier renders that this one did not write (a week that aged out, a team that is
    gone), so the folder holds what the index links. Only this module's file names are touched."""
    stale = [p for pattern in STALE_PATTERNS for p in out_dir.glob(pattern) if p.name not in written]
    for page in stale:
        page.unlink()
    if stale and progress:
        progress(f"removed {len(stale)} page(s) of earlier renders")


def render_all(
    warehouse: Path,
    out_dir: Path,
    progress: Callable[[str], None] | None = print,
    today_settings: TodaySettings | None = None,
    center_name: str = "",
) -> RenderReport:
    """Render every page of `warehouse` (an analyst DuckDB file, opened read-only) into `out_dir`; `today_settings`
    (the center's time zone, plan settings and `long_aux_minutes`; default: the defaults) shape the today pages;
    `center_name` (settings `[center] name`) heads every page, on screen and in print."""
    started = time.perf_counter()
    warehouse = Path(warehouse)
    if not warehouse.is_file():
        raise FileNotFoundError(f"analyst warehouse {warehouse} does not exist: run the pipeline first")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    wh = Warehouse(warehouse)
    try:
        first_day, last_day = data_range(wh)
        site = Site(
            out_dir, freshness_text(wh, last_day), progress, stale_notes=stale_domain_notes(wh), center_name=center_name
        )
        currency = center_currency(wh)
        operations = []
        if last_day is not None:
            operations.append(
                {
                    "href": render_daily(wh, site, first_day, last_day, currency),
                    "text": "Service and agent KPIs per day",
                }
            )
        executive = render_executive(wh, site, currency, last_day)
        supervisors = render_supervisors(wh, site)
        planning = render_planning(wh, site, has_data=last_day is not None)
        today = render_today(wh, site, sorted(supervisors), today_settings or TodaySettings())
        index_started = time.perf_counter()
        groups = [{"title": "Operations", "links": operations}]
        if today:
            groups.append(
                {
                    "title": "Today: the day in progress, a page per team (rebuilt every run, for a wall screen)",
                    "links": [{"href": href, "text": text} for href, text in today],
                }
            )
        groups += [
            {
                "title": f"Executive reports, {kind}",
                "links": [{"href": href, "text": text} for href, text in executive[grain]],
            }
            for grain, kind in (("monthly", "months"), ("quarterly", "quarters"), ("yearly", "years"))
        ]
        # Weeks named once in the heading; a team whose weeks differ (new, or gone quiet) says which it has.
        all_weeks = sorted({w for _, weeks in supervisors.values() for w in weeks})
        groups.append(
            {
                "title": "Supervisors: a page per team" + (f", weeks {week_span(all_weeks)}" if all_weeks else ""),
                "links": [
                    {
                        "href": href,
                        "text": f"Team {team}"
                        + ("" if sorted(weeks) == all_weeks else f", {week_span(sorted(weeks))}"),
                    }
                    for team, (href, weeks) in sorted(supervisors.items())
                ],
            }
        )
        groups.append(
            {
                "title": "Planning: the coming weeks' staffing plan, a page per queue",
                "links": [{"href": href, "text": text} for href, text in planning],
                "note": None if planning else NO_PLAN,
            }
        )
        site.report.missing = dict(wh.missing)
        site.write(
            "index.html",
            "Tilsyn reports",
            index_started,
            [],
            is_index=True,
            groups=groups,
            missing=sorted(wh.missing.items()),
        )
        remove_stale_pages(out_dir, {p.path.name for p in site.report.pages}, progress)
    finally:
        wh.close()
    site.report.seconds = time.perf_counter() - started
    return site.report


def render_today_pages(
    warehouse: Path,
    out_dir: Path,
    progress: Callable[[str], None] | None = print,
    today_settings: TodaySettings | None = None,
    center_name: str = "",
) -> RenderReport | None:
    """A slice run's render (dagster_project/slice_run.py): rewrite the today pages only, as `render_all` writes
    them. The other pages show closed days, which a slice of the open day does not change; they are rendered when
    the day closes or by the nightly run. None, with nothing written, when the today pages would not be the ones the
    index links (a team came or went, or no full render yet): then the caller renders everything."""
    started = time.perf_counter()
    warehouse, out_dir = Path(warehouse), Path(out_dir)
    if not warehouse.is_file() or not (out_dir / "index.html").is_file():
        return None
    wh = Warehouse(warehouse)
    try:
        teams = supervisor_teams(wh.query("team_weeks"))
        expected = {f"today_{slug(team)}.html" for team in teams} if teams else {"today.html"}
        if expected != {page.name for page in out_dir.glob("today*.html")}:
            return None
        _, last_day = data_range(wh)
        site = Site(
            out_dir, freshness_text(wh, last_day), progress, stale_notes=stale_domain_notes(wh), center_name=center_name
        )
        render_today(wh, site, teams, today_settings or TodaySettings())
        site.report.missing = dict(wh.missing)
        site.report.tables_read = set(wh.tables_read)
    finally:
        wh.close()
    site.report.seconds = time.perf_counter() - started
    return site.report
