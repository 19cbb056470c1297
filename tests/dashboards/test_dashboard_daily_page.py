"""The first slice: a warehouse with only daily service and agent marts renders a daily page and an index that open
offline in Chromium, log no error, and draw data in every chart."""

from __future__ import annotations

import base64
import gzip
from datetime import date
from pathlib import Path

import pytest
from plotly.offline import get_plotlyjs

from dashboards.build import render_all
from tests.dashboards.warehouse import DAILY_WAREHOUSE_PAGES, build_daily_warehouse


@pytest.fixture(scope="module")
def daily_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("daily")
    warehouse = build_daily_warehouse(root / "warehouse.duckdb")
    out = root / "html"
    report = render_all(warehouse, out, progress=None)
    assert [p.path.name for p in report.pages] == DAILY_WAREHOUSE_PAGES
    return out


def test_daily_page_opens_offline_and_draws_every_chart(daily_site, browser, screenshot_dir):
    check = browser.check_page(daily_site / "operations_daily.html", screenshot_dir / "daily_only_operations.png")
    assert check.errors == []
    # Five service charts (service level, ASA, abandonment, AHT, average hold per held call) and three agent charts
    # (occupancy, adherence, AHT).
    assert len(check.charts) == 8
    assert check.empty_charts == []
    # Two queues, two days: one line per queue in each service chart.
    service_charts = [c for c in check.charts if "per day and queue" in c.title]
    assert [c.traces_with_data for c in service_charts] == [2, 2, 2, 2, 2]
    assert "Data through Tuesday 31 March 2026" in check.text


def test_supervisor_page_draws_agents_and_says_no_data_for_the_rest(daily_site, browser, screenshot_dir):
    check = browser.check_page(daily_site / "supervisor_north.html", screenshot_dir / "daily_only_supervisor_north.png")
    assert check.errors == [] and check.empty_charts == []
    # Adherence and occupancy heatmaps from kpi_agent_daily; no staffing, legs, scorecard or QA marts.
    assert [c.title for c in check.charts] == ["Schedule adherence per agent and day", "Occupancy per agent and day"]
    assert "Agent scorecards, March 2026: no data." in check.text
    assert "QA critical fails: no data." in check.text


def test_planning_page_says_there_is_no_plan_yet(daily_site, browser, screenshot_dir):
    # The daily-only warehouse has no forecast and so no ops.staffing_plan_interval.
    check = browser.check_page(daily_site / "planning.html", screenshot_dir / "daily_only_planning.png")
    assert check.errors == [] and check.charts == []
    assert "No staffing plan yet: the pipeline makes one after its first forecast" in check.text
    assert 'href="planning.html"' in (daily_site / "index.html").read_text(encoding="utf-8")


def test_plotly_is_embedded_once_compressed_and_no_cdn(daily_site):
    html = (daily_site / "operations_daily.html").read_text(encoding="utf-8")
    # plotly.js is inlined once, gzip + base64, and unpacks to exactly the library plotly ships; nothing is loaded
    # from elsewhere.
    opening = '<script type="application/gzip;base64" id="plotlyjs-gzip">'
    assert html.count(opening) == 1
    packed = html.split(opening)[1].split("</script>")[0]
    assert gzip.decompress(base64.b64decode(packed)).decode("utf-8") == get_plotlyjs()
    assert "<script src=" not in html and 'src="http' not in html
    assert len(html) < 2_100_000  # 2.0 MB of packed plotly.js and a few charts (4.85 MB with it inlined as text)


def test_index_links_the_daily_page(daily_site, browser, screenshot_dir):
    check = browser.check_page(daily_site / "index.html", screenshot_dir / "daily_only_index.png")
    assert check.errors == []
    assert "Service and agent KPIs per day" in check.text
    assert 'href="operations_daily.html"' in (daily_site / "index.html").read_text(encoding="utf-8")


def test_a_browser_that_cannot_unpack_plotly_says_so(daily_site, browser):
    # A browser without DecompressionStream (before Chrome 80, Firefox 113, Safari 16.4) gets a sentence, not a
    # silently empty page. A tab of its own, so the stand-in browser does not leak into other tests.
    page = browser._browser.new_page()  # the session's Chromium (tests/support/browser.py)
    try:
        page.add_init_script("delete window.DecompressionStream")
        page.goto((daily_site / "operations_daily.html").resolve().as_uri())
        page.wait_for_selector("p.nodata", timeout=10_000)
        assert "could not unpack the charts' library" in page.inner_text("p.nodata")
    finally:
        page.close()


def test_average_hold_per_held_call_per_day_and_queue(tmp_path: Path) -> None:
    from dashboards.data import Warehouse

    wh = Warehouse(build_daily_warehouse(tmp_path / "warehouse.duckdb"))
    try:
        both_days = wh.query(
            "service",
            {"start": date(2026, 3, 30), "end": date(2026, 3, 31)},
            grain="daily",
            period="period_start",
            series="queue",
        )
    finally:
        wh.close()
    # worked by hand from HOLD_DAILY in tests/dashboards/warehouse.py
    by_row = {(str(r["period_start"]), r["series"]): r["avg_hold_seconds"] for r in both_days.iter_rows(named=True)}
    assert by_row == {
        ("2026-03-30", "sales"): pytest.approx(60.0),  # 1800 s / 30 held legs
        ("2026-03-30", "support"): pytest.approx(90.0),  # 900 / 10
        ("2026-03-31", "sales"): pytest.approx(80.0),  # 1600 / 20
        ("2026-03-31", "support"): pytest.approx(60.0),  # 300 / 5
    }
