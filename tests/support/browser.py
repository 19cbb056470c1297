"""Open a rendered page in headless Chromium, offline, and report what a person would see.

Drives Debian's `/usr/bin/chromium` through Playwright (never `playwright install`). Every request that is not a
`file:` URL is aborted, so a page that needs the network fails here as it would on an offline laptop. The check
collects console errors, page errors and failed requests, waits until every Plotly chart has drawn (`_fullLayout`
and an `svg.main-svg`), reports per chart its title, axis titles and the traces that hold data, and keeps the
page text for tile checks.

Tests use the session's one browser (the `browser` fixture in tests/conftest.py): Playwright's sync API allows one
instance per thread, so a second `Browser` opened while the session's is alive fails ("Sync API inside the asyncio
loop"), and only in some test orders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DRAW_TIMEOUT_MS = 20_000
PRINT_WIDTH_PX = 718  # A4 less 10 mm margins each side: 190 mm at 96 px per inch

# Runs in the page: for each chart, its title, trace count and how many traces carry at least one data point.
CHARTS_JS = """
() => Array.from(document.querySelectorAll('.plotly-graph-div')).map(div => {
  const traces = div.data || [];
  const hasData = t => ['x', 'y', 'z', 'values', 'lat', 'r'].some(k => {
    const v = t[k];
    if (v === undefined || v === null) return false;
    if (typeof v.length === 'number') return v.length > 0;
    if (v.bdata !== undefined) return v.bdata.length > 0;  // typed-array spec before Plotly decodes it
    return false;
  });
  const layout = div._fullLayout || {};
  const title = layout.title ? (layout.title.text || '') : '';
  // Axis titles, and colour-bar titles (a heatmap's unit lives there).
  const axisTitles = Object.keys(layout).filter(k => /^[xy]axis[0-9]*$/.test(k))
    .map(k => (layout[k].title && layout[k].title.text) || '')
    .concat(traces.map(t => (t.colorbar && t.colorbar.title && t.colorbar.title.text) || ''))
    .filter(t => t !== '');
  return {id: div.id, title: title, axis_titles: axisTitles, traces: traces.length,
          traces_with_data: traces.filter(hasData).length};
})
"""
# Runs in the page under print media: each tile's and card's key text (tile label, chart or card title) and height.
PRINT_BOXES_JS = """
() => Array.from(document.querySelectorAll('.tile, .card')).map(box => {
  const chart = box.querySelector('.plotly-graph-div');
  const isTile = box.classList.contains('tile');
  const keyElement = isTile ? box.querySelector('.label')
    : chart ? chart.querySelector('.gtitle') : (box.querySelector('strong, h3') || box);
  const boxRect = box.getBoundingClientRect(), keyRect = keyElement.getBoundingClientRect();
  return {kind: isTile ? 'tile' : 'card', key: keyElement.textContent.trim(), height_px: boxRect.height,
          key_bottom_px: keyRect.bottom - boxRect.top};
})
"""
DRAWN_JS = """
() => Array.from(document.querySelectorAll('.plotly-graph-div'))
        .every(div => div._fullLayout !== undefined && div.querySelector('svg.main-svg') !== null)
"""


@dataclass
class ChartCheck:
    id: str
    title: str
    axis_titles: list[str]  # axis and colour-bar titles, e.g. "Service level (%)"
    traces: int
    traces_with_data: int


@dataclass
class PageCheck:
    url: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    blocked_requests: list[str] = field(default_factory=list)
    charts: list[ChartCheck] = field(default_factory=list)
    text: str = ""
    screenshot: Path | None = None

    @property
    def errors(self) -> list[str]:
        """Everything that went wrong, in one list (empty for a clean page)."""
        return (
            [f"console: {e}" for e in self.console_errors]
            + [f"page error: {e}" for e in self.page_errors]
            + [f"request failed: {e}" for e in self.failed_requests]
            + [f"network request blocked: {e}" for e in self.blocked_requests]
        )

    @property
    def empty_charts(self) -> list[ChartCheck]:
        return [c for c in self.charts if c.traces_with_data == 0]


class _Tab:
    """A browser tab reused for page after page (its renderer keeps plotly.js compiled, which saves about a third
    of the time); its listeners report into the PageCheck of the page it is on."""

    def __init__(self, browser):
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.check = PageCheck(url="about:blank")
        self.page.route("**/*", self._route)
        self.page.on("console", lambda m: self.check.console_errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.check.page_errors.append(str(e)))
        # An aborted request also fires `requestfailed`; it is reported once, as blocked.
        self.page.on(
            "requestfailed",
            lambda r: (
                None
                if r.url in self.check.blocked_requests
                else self.check.failed_requests.append(f"{r.url}: {r.failure}")
            ),
        )

    def _route(self, route) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            self.check.blocked_requests.append(route.request.url)
            route.abort()

    def start(self, html_path: Path) -> None:
        """Start loading a page; `finish` waits for it."""
        # Leave the previous page first: a page that reloads itself (the today pages, every minute) may be reloading,
        # and that request, aborted by this navigation, belongs to the previous page's check, not to this one.
        self.page.goto("about:blank")
        self.check = PageCheck(url=Path(html_path).resolve().as_uri())
        self.page.goto(self.check.url, wait_until="commit")

    def finish(self, screenshot_path: Path | None) -> PageCheck:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        check = self.check
        self.page.wait_for_load_state("load")
        try:
            self.page.wait_for_function(DRAWN_JS, timeout=DRAW_TIMEOUT_MS)
        except PlaywrightTimeout:  # reported with the page's other errors, so the test says which page and why
            check.page_errors.append(f"charts not drawn within {DRAW_TIMEOUT_MS / 1000:.0f} s")
        check.charts = [ChartCheck(**c) for c in self.page.evaluate(CHARTS_JS)]
        check.text = self.page.inner_text("body")
        if screenshot_path is not None:
            screenshot_path = Path(screenshot_path)
            screenshot_path.parent.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(screenshot_path), full_page=True)
            check.screenshot = screenshot_path
        return check


class Browser:
    """One headless Chromium for many page checks. Use as a context manager."""

    def __enter__(self) -> Browser:
        from playwright.sync_api import sync_playwright  # imported here so collecting tests needs no browser

        if not CHROMIUM.exists():
            raise RuntimeError(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)")
        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        self._tabs: list[_Tab] = []
        return self

    def __exit__(self, *exc) -> None:
        self._browser.close()
        self._playwright.stop()

    def _tab(self, index: int) -> _Tab:
        while len(self._tabs) <= index:
            self._tabs.append(_Tab(self._browser))
        return self._tabs[index]

    def check_page(self, html_path: Path, screenshot_path: Path | None = None) -> PageCheck:
        """Open one page, wait for its charts, and report (and screenshot) it."""
        return self.check_pages([(html_path, screenshot_path)])[0]

    def evaluate(self, expression: str):
        """Evaluate a JavaScript expression in the page the last `check_page` opened (its first tab), e.g. to read
        a chart's data points or where an element is laid out."""
        return self._tab(0).page.evaluate(expression)

    def check_pages_with_screenshots(self, pages: list[Path], screenshot_dir: Path) -> list[PageCheck]:
        """Check `pages`, each screenshotted as `<screenshot_dir>/<page stem>.png` (the folder is made)."""
        screenshot_dir.mkdir(parents=True, exist_ok=True)
        return self.check_pages([(page, screenshot_dir / f"{page.stem}.png") for page in pages])

    def print_pdf(self, html_path: Path, pdf_path: Path) -> list[dict]:
        """Print a page to PDF as "Print to PDF" does (print media, the page's own @page size), after its charts have
        drawn and refitted to the printed width; returns each tile's and card's key text and height (CSS px) as laid
        out for print, and writes the PDF to `pdf_path`."""
        tab = self._tab(0)
        tab.start(html_path)
        tab.finish(None)
        page = tab.page
        page.set_viewport_size({"width": PRINT_WIDTH_PX, "height": 1000})
        page.emulate_media(media="print")
        page.wait_for_timeout(300)  # the charts' relayout to the printed width
        boxes = page.evaluate(PRINT_BOXES_JS)
        Path(pdf_path).parent.mkdir(parents=True, exist_ok=True)
        page.pdf(path=str(pdf_path), prefer_css_page_size=True, print_background=True)
        page.emulate_media(media="screen")
        page.set_viewport_size({"width": 1400, "height": 900})
        return boxes

    def check_pages(self, pages: list[tuple[Path, Path | None]], parallel: int = 2) -> list[PageCheck]:
        """Check (page, screenshot) pairs in `parallel` tabs: while Python waits on one, the others parse and draw
        (each tab has its own renderer process)."""
        results = []
        for at in range(0, len(pages), parallel):
            batch = pages[at : at + parallel]
            for i, (html_path, _) in enumerate(batch):
                self._tab(i).start(html_path)
            results += [self._tab(i).finish(screenshot_path) for i, (_, screenshot_path) in enumerate(batch)]
        return results
