"""A team's supervisor page holds its most recent weeks (at most `SUPERVISOR_WEEKS`), newest first, one shown at a
time: every week's charts are drawn when the page opens, and picking a week shows it at the page's width."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pytest

from dashboards.build import render_all
from tests.dashboards.warehouse import DAILY_WAREHOUSE_PAGES, build_daily_warehouse

# The daily fixture has week 2026-W14 (Mon 30 and Tue 31 March) for teams North and South. Add one Monday each for
# North's nine weeks before it (W05 to W13): A1 ready 3600 s, handle 21600 s, scheduled 28800 s, adherent 27000 s.
EARLIER_MONDAYS = [date(2026, 3, 23) - timedelta(weeks=k) for k in range(9)]  # 23 Mar (W13) back to 26 Jan (W05)


@pytest.fixture(scope="module")
def team_pages(tmp_path_factory):
    root = tmp_path_factory.mktemp("weeks")
    warehouse = build_daily_warehouse(root / "warehouse.duckdb")
    con = duckdb.connect(str(warehouse))
    con.executemany(
        "insert into marts.kpi_agent_daily (local_date, period_start, agent_id, team, ready_seconds, handle_seconds, "
        "scheduled_seconds, adherent_seconds, handled_legs) "
        "values (?, ?, 'A1', 'North', 3600, 21600, 28800, 27000, 50)",
        [(d, d) for d in EARLIER_MONDAYS],
    )
    con.close()
    report = render_all(warehouse, root / "html", progress=None)
    return root / "html", report


def test_one_page_per_team_with_its_eight_most_recent_weeks(team_pages):
    out, report = team_pages
    assert [p.path.name for p in report.pages] == DAILY_WAREHOUSE_PAGES
    html = (out / "supervisor_north.html").read_text(encoding="utf-8")
    # W14 and the seven before it (W07 to W13), newest first; W05 and W06 are older than eight weeks.
    keys = [f"2026-W{w:02d}" for w in range(14, 6, -1)]
    positions = [html.index(f'<option value="{key}">') for key in keys]
    assert positions == sorted(positions)
    assert "2026-W06" not in html and "2026-W05" not in html
    assert '<option value="2026-W13">2026-W13: Monday 23 March to Sunday 29 March 2026</option>' in html
    # South has activity in W14 only.
    assert (out / "supervisor_south.html").read_text(encoding="utf-8").count("<option ") == 1
    index = (out / "index.html").read_text(encoding="utf-8")
    # North has all eight weeks, named in the heading; South, with one, says which.
    assert "Supervisors: a page per team, weeks 2026-W07 to 2026-W14<" in index
    assert ">Team North<" in index and ">Team South, 2026-W14<" in index


def test_every_week_is_drawn_and_a_picked_week_fits_the_page(team_pages, browser, screenshot_dir):
    out, _ = team_pages
    check = browser.check_page(out / "supervisor_north.html", screenshot_dir / "supervisor_weeks_north.png")
    assert check.errors == [] and check.empty_charts == []
    assert len(check.charts) == 16  # 8 weeks x (adherence, occupancy) heatmaps; no intraday marts in this fixture
    page = browser._tab(0).page  # the checker's tab is still on the page (tests/support/browser.py)
    page.select_option("#view-picker", "2026-W13")
    # Drawn while hidden at Plotly's default 700 px; Plotly resizes on a short timer once the week is shown.
    page.wait_for_function(
        "() => { const c = document.querySelector('#view-2026-W13 .plotly-graph-div');"
        " return c._fullLayout.width === c.clientWidth; }",
        timeout=5_000,
    )
    week = page.evaluate("""() => {
        const view = document.getElementById('view-2026-W13');
        const chart = view.querySelector('.plotly-graph-div');
        return {hidden: view.hidden, others_hidden: [...document.querySelectorAll('div.view')]
                    .filter(v => v !== view).every(v => v.hidden),
                title: chart._fullLayout.title.text, z: chart.data[0].z,
                width: chart._fullLayout.width, room: chart.clientWidth};
    }""")
    assert not week["hidden"] and week["others_hidden"]
    assert week["title"] == "Schedule adherence per agent and day"
    assert week["z"] == [[27000 / 28800]]  # A1 on Monday 23 March: 93.75 %
    assert week["width"] == week["room"] < 700  # fits its card, no longer the width it was drawn at while hidden
    page.screenshot(path=str(screenshot_dir / "supervisor_weeks_north_w13.png"), full_page=True)
