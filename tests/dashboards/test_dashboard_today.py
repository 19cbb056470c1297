"""The today pages (dashboards/today.py) on a hand-built day in progress (tests/dashboards/warehouse.py,
build_today_warehouse), opened offline in Chromium. Every expected number is worked out by hand beside it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dashboards.build import render_all
from dashboards.today import TodaySettings
from tests.dashboards.warehouse import build_today_warehouse

OSLO = ZoneInfo("Europe/Oslo")
TRACES_JS = """
() => Array.from(document.querySelectorAll('.plotly-graph-div')).map(div => ({
  title: div._fullLayout.title.text,
  traces: Object.fromEntries(div._fullData.map(t => [t.name, {
    x: Array.from(t.x || []).map(v => String(v).slice(11, 16)), y: Array.from(t.y || [])}]))}))
"""
TABLE_JS = """
id => Array.from(document.querySelectorAll('#' + id + ' tbody tr'))
  .map(tr => Array.from(tr.querySelectorAll('td')).map(td => td.textContent.trim()))
"""


@pytest.fixture(scope="module")
def today_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("today")
    out = root / "html"
    report = render_all(build_today_warehouse(root / "warehouse.duckdb"), out, progress=None)
    assert {"today_north.html", "today_south.html"} <= {p.path.name for p in report.pages}
    return out


def test_the_day_so_far_per_queue_against_the_forecast(today_site, browser, screenshot_dir):
    check = browser.check_page(today_site / "today_north.html", screenshot_dir / "today_north.png")
    assert check.errors == [] and check.empty_charts == []
    # The record: calls up to 07:45 UTC, agent states up to 07:50 UTC, neither closed -> the earlier, 09:45 in Oslo
    # (UTC+2 on 31 March 2026).
    assert "Data up to 09:45" in check.text
    assert "Tuesday 31 March 2026" in check.text
    rows = browser.evaluate(f"({TABLE_JS})('queues')")
    # sales, legs that ended by the cutoff: 09:00 12 (10 within 20 s, 2 late), 09:15 12 (11 within, 1 abandoned
    # after 90 s), 09:30 12 (9 within, 2 late, 1 short abandon after 3 s); the 09:30 leg that ended at 09:46 waits
    # for the next slice. Offered 36; forecast so far 3 intervals x 10 = 30 (09:45 has not begun): pace 120 %.
    # Service level 30 within / (36 - 1 short abandon) = 85.7 %; abandoned (2 - 1 short) / (36 - 1) = 2.9 %;
    # longest wait 90 s.
    # support: 09:00 3 within, 09:15 2 within and 1 abandoned after 200 s, 09:30 none. Offered 6; forecast so far
    # 3 x 5 = 15: pace 40 %. Service level 5 / 6 = 83.3 %; abandoned 1 / 6 = 16.7 %; longest wait 200 s = 3:20.
    assert rows == [
        ["sales", "36", "30", "120\u00a0%", "86\u00a0%", "2.9\u00a0%", "1:30"],
        ["support", "6", "15", "40\u00a0%", "83\u00a0%", "16.7\u00a0%", "3:20"],
    ]
    # The essentials (cutoff, queues, the not-ready list) need no scrolling on a 1400 x 900 screen.
    assert browser.evaluate("document.getElementById('long-aux').getBoundingClientRect().bottom") <= 900


def test_long_not_ready_states_per_team_by_agent_id(today_site, browser):
    # At the 09:45 cutoff (07:45 UTC), longer than 15 minutes and not ready: A1 in aux since 09:20 (25 min, North),
    # A3 at lunch since 09:15 (30 min, South). Not listed: A2's break (10 min), A5's aux (over at 09:30), A6 (ready),
    # A7's training (exactly 15 min: not longer).
    browser.check_page(today_site / "today_north.html")
    assert browser.evaluate(f"({TABLE_JS})('long-aux')") == [["A1", "aux (personal)", "25 min", "09:20"]]
    south = browser.check_page(today_site / "today_south.html")
    assert south.errors == []
    assert browser.evaluate(f"({TABLE_JS})('long-aux')") == [["A3", "lunch", "30 min", "09:15"]]
    assert "Not ready for more than 15 min, team South" in south.text


def test_rest_of_the_day_is_reforecast_and_intervals_after_the_cutoff_are_blank(today_site, browser):
    browser.check_page(today_site / "today_north.html")
    charts = {c["title"].split(":")[0]: c["traces"] for c in browser.evaluate(TRACES_JS)}
    sales, support = charts["Queue sales"], charts["Queue support"]
    # Offered per interval, 09:00 to 10:15: actuals up to the cutoff, blank (never 0) after it; support's 09:30
    # had no call, a real 0.
    assert sales["Offered so far"]["y"] == [12, 12, 12, None, None, None]
    assert support["Offered so far"]["y"] == [3, 3, 0, None, None, None]
    # Reforecast of 09:45, 10:00, 10:15: the forecast x the pace: sales 10 x 1.2 = 12, support 5 x 0.4 = 2.
    assert sales["Reforecast"]["x"] == ["09:45", "10:00", "10:15"]
    assert sales["Reforecast"]["y"] == [12, 12, 12]
    assert support["Reforecast"]["y"] == [2, 2, 2]
    # Required agents, Erlang C (no patience in the plan), 80 % in 20 s, AHT 300 s, then / (1 - 12.5 %):
    # sales 12 calls = 4 Erlangs: N = 6 gives SL 0.751, N = 7 gives 1 - 0.1351 x exp(-3 x 20/300) = 0.889 -> 7,
    #   7 / 0.875 = 8; the forecast's 10 calls (3.33 Erlangs) need 6 (N = 5: SL 0.708; N = 6: 0.876): 6.86.
    # support 2 calls = 0.667 Erlangs: N = 1 gives SL 0.348, N = 2 gives 1 - 0.1667 x exp(-1.333 x 20/300) = 0.847
    #   -> 2, 2 / 0.875 = 2.29.
    assert sales["Required (reforecast)"]["y"] == [8, 8, 8]
    assert sales["Required (forecast)"]["y"] == [6.86, 6.86, 6.86]
    assert support["Required (reforecast)"]["y"] == [2.29, 2.29, 2.29]
    # Scheduled (work, allocated by handled legs): A1 and A2 handle sales only, A3 one sales and one support leg.
    # 09:45-10:30 local: A1 + A2 + A3 / 2 = 2.5 sales agents; support A3 / 2 = 0.5.
    assert sales["Scheduled agents"]["y"] == [2.5, 2.5, 2.5]
    assert support["Scheduled agents"]["y"] == [0.5, 0.5, 0.5]


def test_index_links_the_today_pages(today_site):
    index = (today_site / "index.html").read_text(encoding="utf-8")
    assert "Today: the day in progress" in index
    assert 'href="today_north.html"' in index and 'href="today_south.html"' in index


def test_a_closed_day_says_no_day_is_in_progress_not_zeros(tmp_path, browser):
    out = tmp_path / "html"
    render_all(build_today_warehouse(tmp_path / "warehouse.duckdb", closed=True), out, progress=None)
    check = browser.check_page(out / "today_north.html")
    assert check.errors == [] and check.charts == []
    assert "No day in progress" in check.text
    assert "The latest day with data, Tuesday 31 March 2026, is complete" in check.text
    assert "Offered" not in check.text and "Not ready for more than" not in check.text


def test_without_a_completeness_record_the_last_loaded_moment_is_the_cutoff(tmp_path):
    warehouse = build_today_warehouse(tmp_path / "warehouse.duckdb", with_completeness=False)
    # The latest call end loaded is 07:46 UTC (the sales leg that ended at 09:46), the latest state change 07:50:
    # the earlier is the cutoff, 09:46 in Oslo. The day is in progress when it is today by the clock.
    render_all(warehouse, tmp_path / "now", None, TodaySettings(now=datetime(2026, 3, 31, 10, 0, tzinfo=OSLO)))
    page = (tmp_path / "now" / "today_north.html").read_text(encoding="utf-8")
    assert "Data up to 09:46" in page and "cutoff from the last loaded call or state change" in page
    # Two days later by the clock, the latest data (31 March) is not a day in progress.
    render_all(warehouse, tmp_path / "later", None, TodaySettings(now=datetime(2026, 4, 2, 8, 0, tzinfo=OSLO)))
    page = (tmp_path / "later" / "today_north.html").read_text(encoding="utf-8")
    assert "No day in progress" in page and 'id="queues"' not in page


def test_long_aux_minutes_sets_the_threshold(tmp_path):
    out = tmp_path / "html"
    warehouse = build_today_warehouse(tmp_path / "warehouse.duckdb")
    render_all(warehouse, out, None, TodaySettings(long_aux_minutes=5))
    page = (out / "today_north.html").read_text(encoding="utf-8")
    # Over 5 minutes at 09:45: A1 (25 min), A7 (15 min), A2 (10 min), longest first.
    assert "Not ready for more than 5 min, team North" in page
    assert page.index(">A1<") < page.index(">A7<") < page.index(">A2<")


def test_a_source_behind_holds_the_cutoff_back(tmp_path):
    import duckdb

    from dashboards.data import Warehouse
    from dashboards.today import cutoff_text, find_today
    from tests.dashboards.warehouse import COMPLETENESS_DDL

    path = tmp_path / "record.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create schema ops")
    con.execute(COMPLETENESS_DDL)
    # Calls of Tuesday are in up to 09:45 local; agent states have sent nothing of Tuesday yet (Monday closed at
    # midnight, 22:00 UTC): today is Tuesday, in progress, and its data reach only 00:00.
    con.execute(
        "insert into ops.source_day_completeness values "
        "('calls', '2026-03-31', '2026-03-31 07:45:00+00', 'file_name', false, now()), "
        "('agent_states', '2026-03-30', '2026-03-30 22:00:00+00', 'file_name', true, now())"
    )
    con.close()
    wh = Warehouse(path)
    try:
        today = find_today(wh, TodaySettings())
    finally:
        wh.close()
    assert (str(today.day), str(today.cutoff_at), today.in_progress) == ("2026-03-31", "2026-03-30 22:00:00", True)
    assert cutoff_text(today) == "Data up to 00:00"
