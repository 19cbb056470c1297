"""Render every dashboard of the analyst warehouse to self-contained offline HTML files.

`render_all(warehouse, out_dir)` opens the warehouse read-only, reads schema `marts` (and `ops` for freshness), and
writes one HTML file per page plus `index.html`. Each page embeds plotly.js once (its first chart), so it opens from
`file://` with no network. Missing or empty tables never fail a render: the part that needs them says "no data".
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import jinja2
import plotly.graph_objects as go
import polars as pl

from dashboards import figures
from dashboards.data import Warehouse
from dashboards.kpis import DEFAULT_CURRENCY

TEMPLATE_DIR = Path(__file__).parent / "templates"
DAILY_WINDOW_DAYS = 35  # the daily page shows the last five weeks: enough to see a trend, small enough to read
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}


@dataclass
class PageResult:
    path: Path
    bytes: int
    seconds: float


@dataclass
class RenderReport:
    pages: list[PageResult] = field(default_factory=list)
    missing: dict[str, str] = field(default_factory=dict)  # query -> why it returned nothing
    seconds: float = 0.0

    def lines(self) -> list[str]:
        out = [f"{p.path.name}: {p.bytes / 1e6:.2f} MB in {p.seconds:.2f} s" for p in self.pages]
        out += [f"no data for {key}: {reason}" for key, reason in sorted(self.missing.items())]
        total = sum(p.bytes for p in self.pages)
        out.append(f"{len(self.pages)} pages, {total / 1e6:.1f} MB, {self.seconds:.1f} s")
        return out


@dataclass
class Card:
    """One box on a page: a chart, an HTML table, or (neither) a "no data" note under its title."""

    title: str
    figure: go.Figure | None = None
    table_html: str | None = None
    reason: str | None = None
    html: str | None = None  # filled when the page is written


@dataclass
class Section:
    title: str
    cards: list[Card]
    note: str | None = None


def chart(title: str, df: pl.DataFrame, make: Callable[[], go.Figure], need: str | None = None) -> Card:
    """A chart card, or a "no data" card when the frame is empty (or its `need` column holds only nulls)."""
    if df.is_empty() or (need is not None and (need not in df.columns or df[need].is_null().all())):
        return Card(title)
    return Card(title, figure=make())


class Site:
    """Writes pages into `out_dir` with the shared header (freshness) and records their size and time."""

    def __init__(self, out_dir: Path, freshness: str, progress: Callable[[str], None] | None):
        self.out_dir = out_dir
        self.freshness = freshness
        self.progress = progress
        self.report = RenderReport()
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=True, undefined=jinja2.StrictUndefined
        )

    def write(self, name: str, title: str, started: float, sections: list[Section], **context) -> None:
        first_chart = True
        for card in (c for s in sections for c in s.cards):
            if card.figure is not None:
                # plotly.js goes into the page once, with the first chart; "cdn" would fail offline.
                card.html = card.figure.to_html(full_html=False, include_plotlyjs=first_chart, config=PLOTLY_CONFIG)
                first_chart = False
            elif card.table_html is not None:
                card.html = card.table_html
        context.setdefault("is_index", False)
        context.setdefault("tiles", [])
        context.setdefault("intro", None)
        template = "index.html.j2" if context["is_index"] else "page.html.j2"
        html = self.env.get_template(template).render(
            title=title, freshness=self.freshness, sections=sections, **context
        )
        path = self.out_dir / name
        path.write_text(html, encoding="utf-8")
        result = PageResult(path, path.stat().st_size, time.perf_counter() - started)
        self.report.pages.append(result)
        if self.progress:
            self.progress(f"wrote {name} ({result.bytes / 1e6:.2f} MB, {result.seconds:.2f} s)")


def data_range(wh: Warehouse) -> tuple[date | None, date | None]:
    """First and last local day in the daily service and agent marts."""
    firsts, lasts = [], []
    for table in ("kpi_service_daily", "kpi_agent_daily"):
        df = wh.query("data_range", table=table)
        if not df.is_empty():
            firsts += [d for d in df["first_day"].to_list() if d is not None]
            lasts += [d for d in df["last_day"].to_list() if d is not None]
    return (min(firsts) if firsts else None, max(lasts) if lasts else None)


def freshness_text(last_day: date | None, warehouse: Path) -> str:
    published = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(warehouse.stat().st_mtime))
    if last_day is None:
        return f"No call or agent data loaded yet; warehouse published {published}."
    return f"Data through {last_day:%A %d %B %Y} (last day loaded); warehouse published {published}."


def center_currency(wh: Warehouse) -> str:
    df = wh.query("currency")
    if df.is_empty() or df["currency"][0] is None:
        return DEFAULT_CURRENCY
    return str(df["currency"][0])


def render_daily(wh: Warehouse, site: Site, first_day: date, last_day: date, currency: str) -> str:
    """Service KPIs per day and queue, and agent KPIs per agent, over the last `DAILY_WINDOW_DAYS` days."""
    started = time.perf_counter()
    start = max(first_day, last_day - timedelta(days=DAILY_WINDOW_DAYS - 1))
    params = {"start": start, "end": last_day}
    service = wh.query("service", params, grain="daily", period="local_date", series="queue")
    agents = wh.query("agent_summary", params, grain="daily", period="local_date")
    service_cards = [
        chart(f"{label} per day and queue", service,
              lambda c=column, t=label: figures.make_trend_figure(service, c, f"{t} per day and queue", "daily",
                                                                  currency=currency), need=column)
        for column, label in [("service_level", "Service level"), ("asa_seconds", "Average speed of answer"),
                              ("abandonment_rate", "Abandonment"), ("aht_seconds", "Average handle time")]
    ]
    agent_cards = [
        chart(f"{label} per agent", agents,
              lambda c=column, t=label: figures.make_agent_bar_figure(agents, c, f"{t} per agent, {start} to "
                                                                      f"{last_day}", currency=currency), need=column)
        for column, label in [("occupancy", "Occupancy"), ("adherence", "Schedule adherence"),
                              ("aht_seconds", "Average handle time")]
    ]
    name = "operations_daily.html"
    site.write(name, "Service and agent KPIs per day", started,
               [Section("Service per day and queue", service_cards),
                Section("Agents", agent_cards, note="Whole window, ratios rebuilt from the agents' sums.")],
               intro=f"{start:%d %B %Y} to {last_day:%d %B %Y}.")
    return name


def render_all(warehouse: Path, out_dir: Path, progress: Callable[[str], None] | None = print) -> RenderReport:
    """Render every page of `warehouse` (an analyst DuckDB file, opened read-only) into `out_dir`."""
    started = time.perf_counter()
    warehouse = Path(warehouse)
    if not warehouse.is_file():
        raise FileNotFoundError(f"analyst warehouse {warehouse} does not exist: run the pipeline first")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    wh = Warehouse(warehouse)
    try:
        first_day, last_day = data_range(wh)
        site = Site(out_dir, freshness_text(last_day, warehouse), progress)
        currency = center_currency(wh)
        links = []
        if last_day is not None:
            links.append({"href": render_daily(wh, site, first_day, last_day, currency), "text": "Service and agent KPIs per day"})
        index_started = time.perf_counter()
        site.report.missing = dict(wh.missing)
        site.write("index.html", "Tilsyn reports", index_started, [], is_index=True,
                   groups=[{"title": "Operations", "links": links}], missing=sorted(wh.missing.items()))
    finally:
        wh.close()
    site.report.seconds = time.perf_counter() - started
    return site.report
