"""Pages and their parts: cards (a chart, a table or a "no data" note) in sections, written with Jinja2 templates.

`Site.write` inlines plotly.js once in the head of every page with a chart ("cdn" would fail offline),
gzip-compressed and base64-encoded: 2.0 MB instead of 4.8 MB. The page unpacks it with the browser's
DecompressionStream and queues the charts' `Plotly.newPlot` calls until it has run (templates/base.html.j2). Each
chart becomes HTML with `fig.to_html(full_html=False, include_plotlyjs=False)` once per card, so a card shown on many
pages (a week's centre-wide intraday chart) is converted once. The page template adds the shared header (the data's
freshness), and the file's size and render time go into the `RenderReport`. A page may hold `View`s: alternative
sets of sections (a team's recent weeks), one shown at a time, picked in a menu.
"""

from __future__ import annotations

import base64
import functools
import gzip
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import markupsafe
import plotly.graph_objects as go
import polars as pl
from plotly.offline import get_plotlyjs

TEMPLATE_DIR = Path(__file__).parent / "templates"
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
    tables_read: set[str] = field(default_factory=set)  # `schema.table` the render's queries named

    def lines(self) -> list[str]:
        out = [f"{p.path.name}: {p.bytes / 1e6:.2f} MB in {p.seconds:.2f} s" for p in self.pages]
        out += [f"no data for {key}: {reason}" for key, reason in sorted(self.missing.items())]
        total = sum(p.bytes for p in self.pages)
        out.append(f"{len(self.pages)} pages, {total / 1e6:.1f} MB, {self.seconds:.1f} s")
        return out


@dataclass
class Table:
    """An HTML table: header cells, rows of cells, per row whether it is highlighted (needs coaching), and the
    columns holding text (left-aligned; numbers are right-aligned)."""

    columns: list[str]
    rows: list[list[str]]
    highlighted: list[bool] = field(default_factory=list)
    text_columns: tuple[int, ...] = (0,)


@dataclass
class Card:
    """One box on a page: a chart, a table, or (neither) a "no data" note under its title."""

    title: str
    figure: go.Figure | None = None
    table: Table | None = None
    note: str | None = None
    html: str | None = None  # the chart's HTML, filled when the page is written


@dataclass
class Section:
    title: str
    cards: list[Card]
    note: str | None = None


@dataclass
class View:
    """One of a page's alternative sets of sections (e.g. one week), picked in the page's menu by its label."""

    key: str  # unique on the page, letters, digits and dashes (the element id)
    label: str
    sections: list[Section]


def css_string(text: str) -> markupsafe.Markup:
    """`text` as a quoted CSS string (the print header's content): quotes, backslashes, anything outside printable
    ASCII and the characters HTML would read (<, >, &) as CSS escapes."""
    escaped = "".join(c if (" " <= c <= "~" and c not in "\\\"'<>&") else f"\\{ord(c):x} " for c in str(text))
    return markupsafe.Markup(f'"{escaped}"')


@functools.cache
def packed_plotlyjs() -> markupsafe.Markup:
    """plotly.js, gzip-compressed (level 6: 0.4 s, within 0.3 % of level 9's size) and base64-encoded for a page.

    Markup: base64's letters, digits, `+`, `/` and `=` need no HTML escaping, and escaping the 2 MB on every page
    cost 6.7 ms a page (1.2 s of the 182 pages at 1,000 agents)."""
    packed = base64.b64encode(gzip.compress(get_plotlyjs().encode("utf-8"), compresslevel=6, mtime=0)).decode("ascii")
    return markupsafe.Markup(packed)


def chart(title: str, df: pl.DataFrame, make: Callable[[], go.Figure], need: str | None = None) -> Card:
    """A chart card, or a "no data" card when the frame is empty (or its `need` column holds only nulls)."""
    if df.is_empty() or (need is not None and (need not in df.columns or df[need].is_null().all())):
        return Card(title)
    return Card(title, figure=make())


class Site:
    """Writes pages into `out_dir` with the shared header (freshness) and records their size and time."""

    def __init__(
        self,
        out_dir: Path,
        freshness: str,
        progress: Callable[[str], None] | None,
        stale_notes: Sequence[str] = (),
        center_name: str = "",
    ):
        self.out_dir = out_dir
        self.center_name = center_name
        self.freshness = freshness
        self.stale_notes = list(stale_notes)  # every page says which domain is stale, since when and why
        self.progress = progress
        self.report = RenderReport()
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=True, undefined=jinja2.StrictUndefined
        )
        self.env.filters["css_string"] = css_string

    def write(
        self, name: str, title: str, started: float, sections: list[Section], views: Sequence[View] = (), **context
    ) -> str:
        """Write page `name`; `started` is the perf_counter when its queries began (for the render time). With
        `views`, the page shows the first view's sections and a menu to pick another."""
        cards = [c for s in [*sections, *(s for v in views for s in v.sections)] for c in s.cards]
        for card in cards:
            if card.figure is not None and card.html is None:
                card.html = card.figure.to_html(full_html=False, include_plotlyjs=False, config=PLOTLY_CONFIG)
        context.setdefault("is_index", False)
        context.setdefault("tiles", [])
        context.setdefault("intro", None)
        context.setdefault("refresh_seconds", None)
        template = context.pop("template", None) or ("index.html.j2" if context["is_index"] else "page.html.j2")
        html = self.env.get_template(template).render(
            title=title,
            freshness=self.freshness,
            center_name=self.center_name,
            stale_notes=self.stale_notes,
            sections=sections,
            views=views,
            plotlyjs_packed=packed_plotlyjs() if any(c.html for c in cards) else None,
            **context,
        )
        path = self.out_dir / name
        # written beside and renamed over: a browser reloading the page (a wall screen) never reads half a page
        partial = path.with_name(f".{name}.partial")
        partial.write_text(html, encoding="utf-8")
        os.replace(partial, path)
        result = PageResult(path, path.stat().st_size, time.perf_counter() - started)
        self.report.pages.append(result)
        if self.progress:
            self.progress(f"wrote {name} ({result.bytes / 1e6:.2f} MB, {result.seconds:.2f} s)")
        return name
