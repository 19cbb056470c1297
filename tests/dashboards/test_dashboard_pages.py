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
    "index.html",
]  # fmt: skip
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
    report = render_all(warehouse, root / "html", progress=lines.append)
    reader.close()
    return {"warehouse": warehouse, "out": root / "html", "report": report, "progress": lines}


@pytest.fixture(scope="module")
def checks(site, browser, screenshot_dir):
    """Each page opened once in the session's browser, its screenshot saved."""
    results = browser.check_pages(
        [(site["out"] / name, screenshot_dir / name.replace(".html", ".png")) for name in PAGES]
    )
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
    if name != "index.html":
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
        "Service level 73 %, target 80 %, down 11 points on February, down 6 points on March 2025",
    ),
    (
        "asa_seconds",
        "select sum(answered_wait_seconds) / sum(answered) from marts.kpi_service_monthly "
        "where period_start = '2026-03-01'",
        49500 / 1350,  # 36.7 s; Feb 26600/1140 = 23.3 s (+13.3); Mar 2025 25500/850 = 30 s (+6.7)
        "Average speed of answer 0:37, up 0:13 on February, up 0:07 on March 2025",
    ),
    (
        "abandonment_rate",
        "select (sum(abandoned) - sum(short_abandoned)) / (sum(offered) - sum(short_abandoned)) "
        "from marts.kpi_service_monthly where period_start = '2026-03-01'",
        130 / 1480,  # (150 - 20) / (1500 - 20) = 8.78 %; Feb 50/1190 = 4.20 %; Mar 2025 40/890 = 4.49 %
        "Abandonment 9 %, target 5 %, up 5 points on February, up 4 points on March 2025",
    ),
    (
        "aht_seconds",
        "select sum(handle_seconds) / sum(handled_legs) from marts.kpi_service_monthly "
        "where period_start = '2026-03-01'",
        450000 / 1350,  # 333.3 s = 5:33; Feb 342000/1140 = 300 s; Mar 2025 255000/850 = 300 s
        "Average handle time 5:33, target 5:00, up 0:33 on February, up 0:33 on March 2025",
    ),
    (
        "fcr_rate",
        "select 1 - sum(repeat_contacts) / sum(fcr_eligible_contacts) from marts.kpi_fcr_monthly "
        "where period_start = '2026-03-01'",
        1 - 140 / 1200,  # 88.33 %; Feb 1 - 100/1000 = 90 %; no March 2025 row
        "First-contact resolution 88 %, down 2 points on February",
    ),
    (
        "occupancy",
        "select sum(handle_seconds) / (sum(handle_seconds) + sum(ready_seconds)) from marts.kpi_agent_monthly "
        "where period_start = '2026-03-01'",
        324000 / 396000,  # 81.82 %; Feb 80000/100000 = 80 %; Mar 2025 90000/120000 = 75 %; no target
        "Occupancy 82 %, up 2 points on February, up 7 points on March 2025",
    ),
    (
        "adherence",
        "select sum(adherent_seconds) / sum(scheduled_seconds) from marts.kpi_agent_monthly "
        "where period_start = '2026-03-01'",
        381600 / 432000,  # 88.33 %; target 90 % (every team); Feb 90 %; Mar 2025 95 %
        "Schedule adherence 88 %, target 90 %, down 2 points on February, down 7 points on March 2025",
    ),
    (
        "annualised_attrition_rate",
        "with m as (select period_start, sum(terminations) / sum(average_headcount) as r from marts.kpi_people_monthly "
        "group by 1) select avg(r) * 12 from m where period_start > date '2025-03-01' and period_start <= '2026-03-01'",
        (2 / 30.5 + 0 / 29.5) / 2 * 12,  # 39.34 %; Feb (1/18 + 0)/2*12 = 33.3 %; Mar 2025 (0 + 1/18)/2*12 = 33.3 %
        "Attrition (annualised) 39 % (2 leaving in March 2026), target 30 %, up 6 points on February, "
        "up 6 points on March 2025",
    ),
    (
        "cost_per_call",
        "select sum(actual_cost) / sum(answered_contacts) from marts.kpi_cost_per_call_monthly "
        "where period_start = '2026-03-01'",
        540000 / 1200,  # NOK 450; Feb 480000/1100 = 436.36; Mar 2025 500000/1000 = 500
        "Cost per call NOK 450.00, up NOK 13.64 on February, down NOK 50.00 on March 2025",
    ),
    (
        "variance_pct",
        "select (sum(actual_amount) - sum(budget_amount)) / sum(budget_amount) from marts.kpi_finance_monthly "
        "where period_start = '2026-03-01'",
        40000 / 500000,  # (540000 - 500000) / 500000 = 8 %; Feb (480000 - 500000) / 500000 = -4 %
        "Budget variance 8 % (NOK 40 000 over budget), target 0 %, up 12 points on February",
    ),
    (
        "qa_score",
        "select sum(score_sum) / sum(max_score_sum) from marts.kpi_quality_monthly where period_start = '2026-03-01'",
        2000 / 2500,  # (850 + 700 + 450) / 2500 = 80 %; target 85 %; Feb 900/1000 = 90 %
        "QA score 80 %, target 85 %, down 10 points on February",
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


def test_quarter_and_year_compare_with_the_periods_they_have(checks):
    # 2026-Q1: (2100 + 1000) / (2660 + 1300) = 78.28 %; 2025-Q1: 2200/2580 = 85.27 % (-6.99); no 2025-Q4 row.
    assert "Service level 78 %, target 80 %, down 7 points on 2025-Q1" in plain(checks["exec_2026-Q1.html"].text)
    # 2026: 78.28 %; 2025: 8000/9900 = 80.81 % (-2.53); a year's previous period is last year, said once.
    assert "Service level 78 %, target 80 %, down 3 points on 2025\n" in plain(checks["exec_2026.html"].text) + "\n"
    # The data end on 31 March 2026: the year is in progress, the quarter is complete.
    assert "2026 is in progress: data through 31 March 2026." in checks["exec_2026.html"].text
    assert "in progress" not in checks["exec_2026-Q1.html"].text


def test_a_month_without_leavers_says_so(checks):
    # February 2026: no terminations; annualised (1/18 [Mar 2025] + 0/29.5) / 2 x 12 = 33.3 %; January 2026 has no
    # people row; February 2025's window holds only February 2025 (0 %): up 33 points.
    assert (
        "Attrition (annualised) 33 % (no one leaving in February 2026), target 30 %, up 33 points on February 2025"
    ) in plain(checks["exec_2026-02.html"].text)


def test_budget_variance_of_a_year_in_progress_covers_its_months_with_actuals(checks):
    # 2026 has actual costs in February and March only: budget 500000 + 500000, actual 480000 + 540000 ->
    # NOK 20 000 over, 2 % (not the full-year budget of 6 000 000 against 1 020 000 spent).
    assert "Budget variance 2 % (NOK 20 000 over budget), target 0 %" in plain(checks["exec_2026.html"].text)


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


def test_months_with_only_budget_lines_get_no_executive_page(site):
    # The fixture's ledger budgets April 2026 and 2026-Q2 (nothing booked) and its cost-per-call mart lists April with
    # zero cost and calls; the data end on 31 March 2026. A report on a month with nothing measured would be empty.
    names = {p.path.name for p in site["report"].pages}
    assert "exec_2026-04.html" not in names and "exec_2026-Q2.html" not in names
