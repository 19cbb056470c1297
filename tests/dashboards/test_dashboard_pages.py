"""The whole site on the tiny full warehouse (tests/dashboards/warehouse.py): every page opens offline in Chromium
without an error, every chart draws data, tiles say what the marts hold (checked by SQL and by hand), pages stay
under 5 MB, and a screenshot of each page lands in test-artifacts/screenshots/."""

from __future__ import annotations

import duckdb
import pytest

from dashboards.build import render_all
from tests.dashboards.warehouse import build_full_warehouse

PAGES = [
    "operations_daily.html",
    "exec_2026-03.html", "exec_2026-02.html", "exec_2025-03.html", "exec_2025-02.html",
    "exec_2026-Q1.html", "exec_2025-Q1.html",
    "exec_2026.html", "exec_2025.html",
    "supervisor_north.html", "supervisor_south.html",
    "planning_sales.html", "planning_support.html",
    "today_north.html", "today_south.html",
    "index.html",
]  # fmt: skip
CENTER_NAME = "Bergen Harbour Contact Center"
MAX_PAGE_BYTES = 2_500_000  # 2.0 MB of packed plotly.js leaves half a megabyte for data


def plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    warehouse = build_full_warehouse(root / "warehouse.duckdb")
    # A reader holding the file open read-only: the render must open it read-only too (DuckDB refuses a read-write
    # connection beside it).
    reader = duckdb.connect(str(warehouse), read_only=True)
    lines: list[str] = []
    report = render_all(warehouse, root / "html", progress=lines.append, center_name=CENTER_NAME)
    reader.close()
    return {"warehouse": warehouse, "out": root / "html", "report": report, "progress": lines}


@pytest.fixture(scope="module")
def checks(site, browser, screenshot_dir):
    """Each page opened once in the session's browser, its screenshot saved."""
    results = browser.check_pages_with_screenshots([site["out"] / name for name in PAGES], screenshot_dir)
    return dict(zip(PAGES, results, strict=True))


def test_render_writes_every_page_and_reports_it(site):
    report = site["report"]
    assert [p.path.name for p in report.pages] == PAGES
    assert len(site["progress"]) == len(PAGES)  # a progress line per page
    assert report.lines()[-1].startswith(f"{len(PAGES)} pages")
    # The full fixture has every table the pages read (it has no currency column: optional, NOK by default).
    assert report.missing == {}


@pytest.mark.parametrize("name", PAGES)
def test_page_opens_offline_draws_every_chart_and_shows_freshness(name, site, checks):
    check = checks[name]
    assert check.errors == []
    assert check.empty_charts == []
    # The full fixture's facts have no local_date, so its today pages say no day is in progress (the today pages'
    # charts are checked on a day in progress in test_dashboard_today.py).
    if name != "index.html" and not name.startswith("today_"):
        assert check.charts, "a report page without a chart"
    for chart in check.charts:  # every chart says what it shows and in which unit, e.g. "Service level (%)"
        assert chart.title and any("(" in t and ")" in t for t in chart.axis_titles), chart
    assert (
        "Data through Tuesday 31 March 2026 (last day loaded); warehouse published 2026-04-01 02:13 UTC" in check.text
    )
    assert check.screenshot is not None and check.screenshot.stat().st_size > 10_000
    size = (site["out"] / name).stat().st_size
    assert size < MAX_PAGE_BYTES, f"{name} is {size} bytes"


# Tiles of exec_2026-03.html: the KPI, the SQL that gives its March 2026 value from the marts, the value worked out by
# hand from tests/dashboards/warehouse.py, and the sentence the tile must show.
MARCH_TILES = [
    (
        "service_level",
        "select sum(answered_within_threshold) / sum(service_level_denominator) from marts.kpi_service_monthly "
        "where period_start = '2026-03-01'",
        1080 / 1480,  # (738 + 342) / (980 + 500) = 72.97 %; Feb 1000/1190 = 84.03 %; Mar 2025 700/890 = 78.65 %
        "Service level\n73 %\ntarget 80 % · misses target\ndown 11 points on February (worse)\n"
        "down 6 points on March 2025 (worse)",
    ),
    (
        "asa_seconds",
        "select sum(answered_wait_seconds) / sum(answered) from marts.kpi_service_monthly "
        "where period_start = '2026-03-01'",
        49500 / 1350,  # 36.7 s; Feb 26600/1140 = 23.3 s (+13.3); Mar 2025 25500/850 = 30 s (+6.7)
        "Average speed of answer\n0:37\nno target\nup 0:13 on February (worse)\nup 0:07 on March 2025 (worse)",
    ),
    (
        "abandonment_rate",
        "select (sum(abandoned) - sum(short_abandoned)) / (sum(offered) - sum(short_abandoned)) "
        "from marts.kpi_service_monthly where period_start = '2026-03-01'",
        130 / 1480,  # (150 - 20) / (1500 - 20) = 8.78 %; Feb 50/1190 = 4.20 %; Mar 2025 40/890 = 4.49 %
        "Abandonment\n9 %\ntarget 5 % · misses target\nup 5 points on February (worse)\n"
        "up 4 points on March 2025 (worse)",
    ),
    (
        "aht_seconds",
        "select sum(handle_seconds) / sum(handled_legs) from marts.kpi_service_monthly "
        "where period_start = '2026-03-01'",
        450000 / 1350,  # 333.3 s = 5:33; Feb 342000/1140 = 300 s; Mar 2025 255000/850 = 300 s
        "Average handle time\n5:33\ntarget 5:00 · misses target\nup 0:33 on February (worse)\n"
        "up 0:33 on March 2025 (worse)",
    ),
    (
        "fcr_rate",
        "select 1 - sum(repeat_contacts) / sum(fcr_eligible_contacts) from marts.kpi_fcr_monthly "
        "where period_start = '2026-03-01'",
        1 - 140 / 1200,  # 88.33 %; Feb 1 - 100/1000 = 90 %; no March 2025 row
        "First-contact resolution\n88 %\nno target\ndown 2 points on February (worse)\n"
        "no data for March 2025 to compare",
    ),
    (
        "occupancy",
        "select sum(handle_seconds) / (sum(handle_seconds) + sum(ready_seconds)) from marts.kpi_agent_monthly "
        "where period_start = '2026-03-01'",
        324000 / 396000,  # 81.82 %; Feb 80000/100000 = 80 %; Mar 2025 90000/120000 = 75 %; no target
        "Occupancy\n82 %\nno target\nup 2 points on February (neither better nor worse)\n"
        "up 7 points on March 2025 (neither better nor worse)",
    ),
    (
        "adherence",
        "select sum(adherent_seconds) / sum(scheduled_seconds) from marts.kpi_agent_monthly "
        "where period_start = '2026-03-01'",
        381600 / 432000,  # 88.33 %; target 90 % (every team); Feb 90 %; Mar 2025 95 %
        "Schedule adherence\n88 %\ntarget 90 % · misses target\ndown 2 points on February (worse)\n"
        "down 7 points on March 2025 (worse)",
    ),
    (
        "annualised_attrition_rate",
        "with m as (select period_start, sum(terminations) / sum(average_headcount) as r from marts.kpi_people_monthly "
        "group by 1) select avg(r) * 12 from m where period_start > date '2025-03-01' and period_start <= '2026-03-01'",
        # 39.34 %, from 2 leavers (March 2026) in its window of April 2025 to March 2026: too few for a rate, so the
        # count is the headline and the counts are compared: February 2026's window holds March 2025's 1 leaver,
        # March 2025's window (February and March 2025) 1 leaver too.
        (2 / 30.5 + 0 / 29.5) / 2 * 12,
        "Attrition (annualised)\n2 leavers\nin 2 months among 30 agents on average: too few to read as a rate "
        "(annualised 39 %)\ntarget 30 % · too few to judge\nup 1 on February (worse)\nup 1 on March 2025 (worse)",
    ),
    (
        "cost_per_call",
        "select sum(actual_cost) / sum(answered_contacts) from marts.kpi_cost_per_call_monthly "
        "where period_start = '2026-03-01'",
        540000 / 1200,  # NOK 450; Feb 480000/1100 = 436.36; Mar 2025 500000/1000 = 500
        "Cost per call\nNOK 450.00\nno target\nup NOK 13.64 on February (worse)\ndown NOK 50.00 on March 2025 (better)",
    ),
    (
        "variance_pct",
        "select (sum(actual_amount) - sum(budget_amount)) / sum(budget_amount) from marts.kpi_finance_monthly "
        "where period_start = '2026-03-01'",
        40000 / 500000,  # (540000 - 500000) / 500000 = 8 %; Feb (480000 - 500000) / 500000 = -4 %; Mar 2025 0 %
        "Budget variance\n8 %\nNOK 40 000 over budget\ntarget 0 % · misses target\nup 12 points on February (worse)\n"
        "up 8 points on March 2025 (worse)",
    ),
    (
        "qa_score",
        "select sum(score_sum) / sum(max_score_sum) from marts.kpi_quality_monthly where period_start = '2026-03-01'",
        2000 / 2500,  # (850 + 700 + 450) / 2500 = 80 %; target 85 %; Feb 900/1000 = 90 %
        "QA score\n80 %\ntarget 85 % · misses target\ndown 10 points on February (worse)\n"
        "no data for March 2025 to compare",
    ),
]


@pytest.mark.parametrize(("kpi", "sql", "by_hand", "sentence"), MARCH_TILES, ids=[t[0] for t in MARCH_TILES])
def test_march_tiles_show_what_the_marts_hold(kpi, sql, by_hand, sentence, site, checks):
    con = duckdb.connect(str(site["warehouse"]), read_only=True)
    try:
        from_marts = float(con.sql(sql).fetchall()[0][0])
    finally:
        con.close()
    assert from_marts == pytest.approx(by_hand)
    assert sentence in plain(checks["exec_2026-03.html"].text)


def test_tiles_judge_against_target(site):
    html = (site["out"] / "exec_2026-03.html").read_text(encoding="utf-8")
    # Service level 73 % < 80 %: misses; occupancy has no target: neutral.
    assert 'class="tile bad" data-kpi="service_level"' in html
    assert 'class="tile neutral" data-kpi="occupancy"' in html


def test_quarter_compares_with_the_periods_it_has_and_says_which_it_lacks(checks):
    # 2026-Q1: (2100 + 1000) / (2660 + 1300) = 78.28 %; no 2025-Q4 row; 2025-Q1: 2200/2580 = 85.27 % (-6.99).
    assert (
        "Service level\n78 %\ntarget 80 % · misses target\nno data for 2025-Q4 to compare\n"
        "down 7 points on 2025-Q1 (worse)"
    ) in plain(checks["exec_2026-Q1.html"].text)
    assert "in progress" not in checks["exec_2026-Q1.html"].text  # the data end on 31 March: the quarter is complete


# The year 2026 is in progress (data to 31 March 2026): each tile is compared with the same days of 2025, 1 January
# to 31 March 2025, from the daily marts (tests/dashboards/warehouse.py: SERVICE_DAILY_PRIOR_YEAR, FCR and QA daily
# rows of 2025; the rows of 1 April 2025 must not count), and money with the same months, January to March 2025.
YEAR_TO_DATE_TILES = [
    # 2026: 3100/3960 = 78.28 %; 2025 to 31 March: (86 + 80) / (99 + 100) = 83.42 % -> -5.14 (with 1 April 2025's
    # 0/100 it would be 166/299 = 55.5 %).
    "Service level\n78 %\ntarget 80 % · misses target\ndown 5 points on 1 January to 31 March 2025 (worse)",
    # (75000 + 48000) / 3700 = 33.2 s; (1900 + 2700) / (95 + 90) = 24.9 s -> +8.4 s.
    "Average speed of answer\n0:33\nno target\nup 0:08 on 1 January to 31 March 2025 (worse)",
    # (160 + 100) / (2660 + 1300) = 6.57 %; (4 + 10) / (99 + 100) = 7.04 % -> -0.47 points.
    "Abandonment\n7 %\ntarget 5 % · misses target\ndown 0.5 points on 1 January to 31 March 2025 (better)",
    # 1230000 / 3700 = 332.4 s; (28500 + 27000) / 185 = 300 s.
    "Average handle time\n5:32\ntarget 5:00 · misses target\nup 0:32 on 1 January to 31 March 2025 (worse)",
    # 1 - 200/2000 = 90 %; 10 February 2025: 1 - 5/100 = 95 % (1 April 2025, all repeats, left out).
    "First-contact resolution\n90 %\nno target\ndown 5 points on 1 January to 31 March 2025 (worse)",
    # No agent rows in early 2025: said in words.
    "Occupancy\n80 %\nno target\nno data for 1 January to 31 March 2025 to compare",
    # 1500000 / 3300 = 454.55; January to March 2025: March 2025 only, 500000 / 1000 = 500.
    "Cost per call\nNOK 454.55\nno target\ndown NOK 45.45 on January to March 2025 (better)",
    # Months with actuals: 2026 (480000 + 540000) / (500000 + 500000) - 1 = +2 %; 2025 February and March
    # (470000 + 500000) / 1000000 - 1 = -3 % -> +5 points.
    "Budget variance\n2 %\nNOK 20 000 over budget\ntarget 0 % · misses target\n"
    "up 5 points on January to March 2025 (worse)",
    # 1750/2000 = 87.5 %; 3 February 2025: 330/400 = 82.5 % -> +5 (1 April 2025's 0/400 left out).
    "QA score\n88 %\ntarget 85 % · meets target\nup 5 points on 1 January to 31 March 2025 (better)",
]


@pytest.mark.parametrize("tile", YEAR_TO_DATE_TILES, ids=[t.split("\n")[0] for t in YEAR_TO_DATE_TILES])
def test_a_year_in_progress_is_compared_with_the_same_days_of_last_year(tile, checks):
    assert tile in plain(checks["exec_2026.html"].text)


def test_a_year_in_progress_says_so(checks):
    assert "2026 is in progress: data through 31 March 2026, so it is compared with the same days" in (
        checks["exec_2026.html"].text
    )


def test_few_leavers_are_counted_not_made_a_rate(checks):
    # February 2026: annualised (1/18 [Mar 2025] + 0/29.5) / 2 x 12 = 33.3 % from 1 leaver in the 2 months with
    # people rows (March 2025, February 2026; average headcount (18 + 29.5) / 2 = 23.75): the count is the headline.
    # January 2026 has no people row; February 2025's window (February 2025 alone) has no leaver: up 1.
    assert (
        "Attrition (annualised)\n1 leaver\nin 2 months among 24 agents on average: too few to read as a rate "
        "(annualised 33 %)\ntarget 30 % · too few to judge\nno data for January to compare\n"
        "up 1 on February 2025 (worse)"
    ) in plain(checks["exec_2026-02.html"].text)


# Why March 2026 moved against February 2026, worked by hand from tests/dashboards/warehouse.py (midpoint mix/rate
# split, dashboards/decomposition.py):
# - queues, service level 1000/1190 = 84.0 % -> 1080/1480 = 73.0 %. sales 670/790 = 84.8 % -> 738/980 = 75.3 %,
#   weight 0.6639 -> 0.6622: rate -0.0950 x 0.6630 = -6.30 points, mix -0.003 points. support: rate -0.141 x 0.3370
#   = -4.75 points. Abandonment's largest part (sales +2.9) and FCR's (support -1.6) are smaller: service level, sales.
# - teams, adherence 90 % -> 381600/432000 = 88.3 %. North 90 % -> 244800/288000 = 85 %, weight 1 -> 0.667: rate
#   -0.05 x 0.833 = -4.17, mix -0.333 x (0.875 - 0.8917) = +0.56 -> -3.61 points. South (new, 95 %): mix
#   0.333 x (0.95 - 0.8917) = +1.94. Occupancy's largest (North +1.16) is smaller. Hours scheduled: 100000 s = 28 h,
#   288000 s = 80 h.
# - cost categories, variance -4 % -> +8 %: weights 0.8 / 0.2 both months; staff 0.95 -> 1.00: +4 points; tools
#   1.00 -> 1.40: 0.40 x 0.2 = +8 points.
MARCH_WHY = [
    "Service level fell 11 points on February (worse), from 84 % to 73 %; queue sales moved it most, 6 points down "
    "(mostly its own rate): its own service level went from 85 % to 75 % (790 then 980 calls).",
    "Schedule adherence fell 2 points on February (worse), from 90 % to 88 %; team North moved it most, 4 points down "
    "(mostly its own rate): its own schedule adherence went from 90 % to 85 % (28 then 80 hours scheduled).",
    "Budget variance rose 12 points on February (worse), from -4 % to 8 %; cost category tools moved it most, 8 points "
    "up (mostly its own rate): its own budget variance went from 0 % to 40 % (actual NOK 140 000 against a budget of "
    "NOK 100 000).",
]
# 2026 (in progress) against 1 January to 31 March 2025: FCR 95 % -> 90 %, all of it sales (the one queue with FCR
# rows in both: -5 points), larger than service level's largest part (sales: rate (78.9 - 83.4) x 0.836 = -3.74,
# mix -0.11 -> -3.85). No team sentence: no agent rows in early 2025. Money, months with actuals: staff
# 780000/800000 both years (rate 0), tools 190000/200000 = 95 % -> 240000/200000 = 120 %: 0.25 x 0.2 = +5 points.
YEAR_WHY = [
    "First-contact resolution fell 5 points on 1 January to 31 March 2025 (worse), from 95 % to 90 %; queue sales "
    "moved it most, 5 points down (mostly its own rate): its own first-contact resolution went from 95 % to 90 % "
    "(100 then 2 000 contacts).",
    "Budget variance rose 5 points on January to March 2025 (worse), from -3 % to 2 %; cost category tools moved it "
    "most, 5 points up (mostly its own rate): its own budget variance went from -5 % to 20 % (actual NOK 240 000 "
    "against a budget of NOK 200 000).",
]


def why_lines(text: str) -> list[str]:
    """The sentences under the page's "Why it moved" heading."""
    after = plain(text).split("Why it moved: ", 1)[1].split("\n")[1:]
    return [line for line in after[: next(i for i, line in enumerate(after) if line.startswith("Each change"))] if line]


def test_why_it_moved_names_the_largest_contributors_worked_by_hand(checks):
    assert "Why it moved: March 2026 against February" in checks["exec_2026-03.html"].text
    assert why_lines(checks["exec_2026-03.html"].text) == MARCH_WHY
    assert "Why it moved: 2026 against 1 January to 31 March 2025" in checks["exec_2026.html"].text
    assert why_lines(checks["exec_2026.html"].text) == YEAR_WHY


def test_budget_variance_of_a_year_in_progress_covers_its_months_with_actuals(checks):
    # 2026 has actual costs in February and March only: budget 500000 + 500000, actual 480000 + 540000 ->
    # NOK 20 000 over, 2 % (not the full-year budget of 6 000 000 against 1 020 000 spent).
    assert "Budget variance\n2 %\nNOK 20 000 over budget\ntarget 0 %" in plain(checks["exec_2026.html"].text)


def test_supervisor_page_shows_intraday_days_scorecards_and_critical_fails(checks):
    check = checks["supervisor_north.html"]
    text = plain(check.text)
    staffing = next(c for c in check.charts if c.title.startswith("Calls offered"))
    assert staffing.traces_with_data == 8  # two days x (calls + required + scheduled + staffed)
    # Team North's scorecards only (A3 is in South); both need coaching, for the mart's reasons.
    assert "A1\t5:00\t90 %\t85 %\t20 %\t1\tQA critical-fail rate over target" in text
    assert (
        "A2\t5:15\t80 %\t70 %\t25 %\t0\tQA score under target and among the team's lowest; "
        "adherence under target and among the team's lowest"
    ) in text
    assert "A3\t" not in text
    assert "Mon 30 Mar\tA1\t2\t1" in text  # the week's critical fail
    south = plain(checks["supervisor_south.html"].text)
    assert "QA critical fails: none this week." in south


def test_index_links_every_page(site, checks):
    html = (site["out"] / "index.html").read_text(encoding="utf-8")
    for name in PAGES[:-1]:
        assert f'href="{name}"' in html
    # Both teams have the one week: it is named in the heading only.
    assert "Supervisors: a page per team, weeks 2026-W14\n" in checks["index.html"].text
    assert "Team North\n" in checks["index.html"].text + "\n"


# What the planning page's heat map holds, read from the drawn chart in the browser.
HEATMAP_JS = """
() => {
  const div = Array.from(document.querySelectorAll('.plotly-graph-div'))
    .find(d => d._fullLayout.title.text.startsWith('Schedule gap'));
  const trace = div._fullData[0];
  return {x: Array.from(trace.x), y: Array.from(trace.y), z: trace.z.map(row => Array.from(row)),
          notes: Array.from(div.querySelectorAll('.annotation-text')).map(a => a.textContent)};
}
"""


def test_planning_page_shows_the_gap_heat_map_the_unscheduled_day_and_the_breaks_to_move(site, checks, browser):
    text = plain(checks["planning_sales.html"].text)
    page = browser._browser.new_page()  # a tab of its own to read the chart's data (tests/support/browser.py)
    try:
        page.goto((site["out"] / "planning_sales.html").resolve().as_uri())
        page.wait_for_function("() => document.querySelector('.plotly-graph-div svg.main-svg') !== null")
        heatmap = page.evaluate(HEATMAP_JS)
    finally:
        page.close()
    assert heatmap["x"] == ["09:00", "09:30", "10:00"]
    assert heatmap["y"] == ["Wed 01 Apr", "Thu 02 Apr", "Fri 03 Apr"]
    # scheduled - required / 0.9 (tests/dashboards/warehouse.py PLAN): 4 - 5.556, 7 - 5.556, 3.5 - 3.333; then
    # 6 - 5.556, 5 - 5.556, 3 - 3.333; 3 April is not yet scheduled: blank, not 0.
    expected = [[-1.5556, 1.4444, 0.1667], [0.4444, -0.5556, -0.3333]]
    for row, want in zip(heatmap["z"][:2], expected, strict=True):
        assert row == pytest.approx(want, abs=1e-3)
    assert heatmap["z"][2] == [None, None, None]
    assert heatmap["notes"] == ["not yet scheduled"]
    assert "blank cells from Fri 03 Apr are not yet scheduled (no gap yet, not a gap of 0)" in text
    # The break to move, in local time (stored 07:05 UTC; Oslo is UTC+2 in April), and the summary.
    assert "A1\tbreak\tWed 01 Apr 09:05-09:20\t09:35-09:50 (+30 min)\t09:00\t-1.6 -> -1.1\t62 % -> 71 %" in text
    assert "Understaffed intervals, all queues\t1\t1" in text
    assert "Shortfall (agents), all queues\t1.6\t1.1" in text
    # Accuracy of the last weeks: 20 / 200 = 10 % WAPE, -10 / 200 = -5 % bias, the 4-week average 30 / 200 = 15 %.
    assert "sales\t24 Mar to 30 Mar\t1\t200\t10.0 %\t-5.0 %\t15.0 %" in text
    support = plain(checks["planning_support.html"].text)
    assert "No published schedule ahead for this queue" in support
    assert "no published schedule ahead, so no breaks to move yet" in support
    index = checks["index.html"].text
    assert "Queue sales\n" in index and "Queue support: no published schedule ahead" in index


def test_months_with_only_budget_lines_get_no_executive_page(site):
    # The fixture's ledger budgets April 2026 and 2026-Q2 (nothing booked) and its cost-per-call mart lists April with
    # zero cost and calls; the data end on 31 March 2026. A report on a month with nothing measured would be empty.
    names = {p.path.name for p in site["report"].pages}
    assert "exec_2026-04.html" not in names and "exec_2026-Q2.html" not in names


# Print to PDF: A4 pages (595 x 842 pt), a 22 mm top margin holding the header and a 14 mm bottom margin
# (dashboards/templates/base.html.j2 @page).
A4_POINTS = (595.3, 841.9)
CONTENT_TOP_POINTS, CONTENT_BOTTOM_POINTS = 22 / 25.4 * 72, 841.9 - 14 / 25.4 * 72
POINTS_PER_PX = 0.75
SLACK_POINTS = 6  # a text run's baseline against its box's bottom edge


@pytest.mark.parametrize("name", ["exec_2026-03.html", "exec_2026-Q1.html", "exec_2026.html"])
def test_print_to_pdf_gives_a4_pages_with_the_header_on_each_and_no_box_cut_in_two(name, site, browser, artifacts_dir):
    import pypdf

    pdf = artifacts_dir / "print" / name.replace(".html", ".pdf")
    boxes = browser.print_pdf(site["out"] / name, pdf)
    reader = pypdf.PdfReader(pdf)
    title = {"exec_2026-03.html": "Monthly executive report: March 2026", "exec_2026-Q1.html": "Quarterly executive "
             "report: 2026-Q1", "exec_2026.html": "Yearly executive report: 2026"}[name]  # fmt: skip
    runs: list[tuple[int, float, str]] = []  # (page, baseline from the page's top in points, text)
    for number, page in enumerate(reader.pages):
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4_POINTS, abs=1)
        text = plain(page.extract_text())
        # The header on every page: the center, the report and period, and the data's freshness.
        assert f"Tilsyn · {CENTER_NAME} · {title}" in text, (number, text[:200])
        assert "Data through Tuesday 31 March 2026 (last day loaded)" in text, number

        def visit(run, cm, tm, font, size, number=number, height=float(page.mediabox.height)):
            if run.strip():
                runs.append((number, height - (tm[5] * cm[3] + cm[5]), run.strip()))

        page.extract_text(visitor_text=visit)
    assert len(reader.pages) >= 3
    assert len(boxes) == 11 + 13  # every tile and every card
    for box in boxes:
        found = [(number, y) for number, y, run in runs if run == box["key"]]
        assert len(found) == 1, (box["key"], found)
        page_number, baseline = found[0]
        top = baseline - box["key_bottom_px"] * POINTS_PER_PX
        bottom = top + box["height_px"] * POINTS_PER_PX
        # The whole box on one page, inside its margins.
        assert top >= CONTENT_TOP_POINTS - SLACK_POINTS, (box, page_number, top)
        assert bottom <= CONTENT_BOTTOM_POINTS + SLACK_POINTS, (box, page_number, bottom)


def test_supervisor_page_shows_the_forecast_and_its_accuracy(checks):
    # tests/dashboards/warehouse.py add_forecasts: billing 120 and support 80 contacts at 09:00 of 1-3 April, kept at
    # origin 31 March; one week of accuracy for billing: 62 / 1040 = 6.0 % WAPE, -40 / 1040 = -3.8 % bias, against
    # no moving-average row ("no data").
    check = checks["supervisor_north.html"]
    forecast = next(c for c in check.charts if c.title.startswith("Forecast contacts per queue and day"))
    assert forecast.traces_with_data == 2  # billing and support
    assert "made after Tue 31 Mar 2026" in forecast.title
    text = plain(check.text)
    assert "billing\t24 Mar to 30 Mar\t1\t1 040\t6.0 %\t-3.8 %\t" in text
