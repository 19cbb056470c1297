"""A warehouse with missing or empty marts renders without failing: pages say "no data" and the report says why."""

from __future__ import annotations

import duckdb
import pytest

from dashboards.build import render_all
from tests.dashboards.warehouse import AGENT, SERVICE


def test_empty_marts_schema_gives_an_index_that_says_no_data(tmp_path, browser, screenshot_dir):
    warehouse = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(warehouse)).execute("create schema marts").close()
    report = render_all(warehouse, tmp_path / "html", progress=None)
    assert [p.path.name for p in report.pages] == ["index.html"]
    assert "data_range(table=kpi_service_daily)" in report.missing
    check = browser.check_page(tmp_path / "html" / "index.html", screenshot_dir / "missing_marts_index.png")
    assert check.errors == []
    assert "No daily call or agent data loaded yet" in check.text
    assert "Not in the warehouse (yet)" in check.text


def test_pages_of_earlier_renders_are_removed_but_other_files_kept(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(warehouse)).execute("create schema marts").close()
    out = tmp_path / "html"
    out.mkdir()
    for name in ("exec_2020-01.html", "supervisor_gone_2020-W01.html", "notes.html"):
        (out / name).write_text("old")
    lines: list[str] = []
    render_all(warehouse, out, progress=lines.append)
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "notes.html"]
    assert "removed 2 page(s) of earlier renders" in lines


def test_tables_without_rows_render_no_pages_but_do_not_fail(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("create schema marts")
    for grain in ("daily", "monthly", "quarterly", "yearly"):
        period = "local_date date, period_start date" if grain == "daily" else "period_start date"
        con.execute(f"create table marts.kpi_service_{grain} ({period}, {SERVICE})")
        con.execute(f"create table marts.kpi_agent_{grain} ({period}, {AGENT})")
    con.close()
    report = render_all(warehouse, tmp_path / "html", progress=None)
    assert [p.path.name for p in report.pages] == ["index.html"]


def test_a_center_with_only_calls_gets_exec_pages_whose_other_parts_say_no_data(tmp_path, browser, screenshot_dir):
    warehouse = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("create schema marts")
    con.execute(f"create table marts.kpi_service_monthly (period_start date, {SERVICE})")
    # One month, one queue: service level 72/98 = 73.5 %.
    con.execute(
        "insert into marts.kpi_service_monthly (period_start, queue, offered, answered, abandoned, "
        "short_abandoned, answered_within_threshold, service_level_denominator, answered_wait_seconds, "
        "handled_legs, handle_seconds) values ('2026-03-01', 'sales', 100, 90, 10, 2, 72, 98, 2700, 90, 27000)"
    )
    con.close()
    render_all(warehouse, tmp_path / "html", progress=None)
    check = browser.check_page(tmp_path / "html" / "exec_2026-03.html", screenshot_dir / "calls_only_exec.png")
    assert check.errors == [] and check.empty_charts == []
    text = check.text.replace("\u00a0", " ")
    # 72 / 98 = 73.47 %; nothing to compare with, and it says so.
    assert "Service level\n73 %\nno target\nno data for February to compare\nno data for March 2025 to compare" in text
    assert "Cost per call\nno data" in text and "QA score\nno data" in text
    assert "Budget and actual by category, March 2026: no data." in text


def test_a_missing_warehouse_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist: run the pipeline first"):
        render_all(tmp_path / "nope.duckdb", tmp_path / "html", progress=None)
