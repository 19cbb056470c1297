"""End to end on generated data with realistic export faults: `tilsyn generate --faults` -> `tilsyn run` (the real
Dagster job, dbt build on a real DuckDB file, publish, dashboards) -> every page opened offline in headless Chromium.

The generator's faults (faults.json): a late file, a byte-identical duplicate, a corrected re-export of a day, and one
file with 5 bad rows. The run must land every good file, quarantine the 5 bad rows (naming them in ops), publish,
render, and exit 1 (published, with rows quarantined). Nothing is mocked; figures are reconciled against the export
files read by DuckDB directly.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
from datetime import date
from pathlib import Path

import duckdb
import pytest

from tests.support.tilsyn_command import TILSYN, pipeline_args

pytestmark = pytest.mark.e2e

AGENTS = 10


def _tilsyn(*args: str, env: dict[str, str] | None = None, expect_exit: int = 0) -> subprocess.CompletedProcess:
    result = subprocess.run([TILSYN, *args], env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == expect_exit, (
        f"tilsyn {args[0]} exited {result.returncode}:\n{result.stdout[-5000:]}\n{result.stderr[-5000:]}"
    )
    return result


@pytest.fixture(scope="module")
def center(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("center")
    paths = {"landing": root / "landing", "warehouse": root / "warehouse.duckdb", "dashboards": root / "dashboards"}
    # With the story's understaffed month: February 2026 (its first 4 days, compared with January's first 4), a
    # sickness wave in the first team.
    _tilsyn(
        "generate",
        *("--out", str(paths["landing"]), "--agents", str(AGENTS), "--days", "35", "--seed", "3", "--faults"),
        *("--understaffed-month", "2026-02"),
    )
    env = {**os.environ, "TILSYN_PSEUDONYM_KEY": "e2e-test-key"}
    # exit 1 ("published, with rows quarantined"): the file of bad rows costs its own rows (quarantined), the rest
    # lands and everything publishes (README "Exit status")
    run = _tilsyn(
        *pipeline_args(paths["landing"], paths["warehouse"], paths["dashboards"]),
        env=env,
        expect_exit=1,
    )
    paths["run_stdout"] = run.stdout  # type: ignore[assignment]
    return paths


def test_run_prints_steps_and_a_summary(center: dict) -> None:
    out = center["run_stdout"]
    for step in ("[ingest]", "[dbt]", "[publish]", "[dashboards]"):
        assert step in out
    assert "Tilsyn run finished" in out
    assert str(center["warehouse"]) in out


def test_bad_rows_are_quarantined_named_and_queryable(center: dict) -> None:
    # Was test_bad_file_is_quarantined_named_and_queryable (the whole file rejected and copied to quarantine); now
    # each bad row is set aside with its reason in ops.quarantined_rows (rule validate.set_aside, unit "row").
    faults = json.loads((center["landing"] / "faults.json").read_text())
    (bad_rows,) = [f for f in faults if f.startswith("bad rows: ")]
    bad = re.search(r"calls/(\S+\.csv) has 5 invalid rows", bad_rows).group(1)
    assert f"calls/{bad}: 0 rows loaded" in center["run_stdout"]
    assert "5 row(s) QUARANTINED" in center["run_stdout"]
    assert "5 rows quarantined (ops.quarantined_rows)" in center["run_stdout"]
    assert (center["landing"] / "calls" / bad).exists()  # landing files are immutable
    con = duckdb.connect(str(center["warehouse"]), read_only=True)
    try:
        rejected = con.execute("select source_file from ops.rejected_files").fetchall()
        quarantined = con.execute("select file, line, field, unit from ops.quarantined_rows").fetchall()
        daily = con.execute("select source, sum(quarantined_rows) from ops.quarantine_daily group by 1").fetchall()
    finally:
        con.close()
    assert rejected == []
    # faults.json: 5 bad rows, lines 2-6 under the header: no offset, bad direction, negative talk, missing
    # end_reason, unparseable timestamp (a line may break more than one rule: one row per problem)
    assert {(f, line, unit) for f, line, _, unit in quarantined} == {(f"calls/{bad}", n, "row") for n in range(2, 7)}
    assert {(2, "ended_at"), (3, "direction"), (4, "talk_seconds"), (5, "end_reason"), (6, "ended_at")} <= {
        (line, field) for _, line, field, _ in quarantined
    }
    assert daily == [("calls", 5)]


def test_offered_contacts_reconcile_with_the_raw_exports(center: dict) -> None:
    """Offered legs in the marts = distinct inbound legs with a queue in the good export files, counted by DuckDB alone
    (the duplicate and the corrected re-export repeat leg ids; every row of the bad-rows file is quarantined)."""
    raw = duckdb.sql(
        f"select count(distinct leg_id) from read_csv('{center['landing']}/calls/*.csv', all_varchar = true, "
        "filename = true) where direction = 'inbound' and coalesce(queue, '') <> '' "
        "and filename not like '%BAD_ROWS%'"
    ).fetchall()[0][0]
    con = duckdb.connect(str(center["warehouse"]), read_only=True)
    try:
        daily = con.execute("select sum(offered) from marts.kpi_service_daily").fetchone()[0]
        monthly = con.execute("select sum(offered) from marts.kpi_service_monthly").fetchone()[0]
        versions = con.execute("select count(distinct version_id) from ops.published_version").fetchone()[0]
    finally:
        con.close()
    assert raw > 1000  # 10 agents x 35 days: a real workload, not a trivially empty one
    assert daily == raw
    assert monthly == raw
    assert versions == 1


def test_run_keeps_a_forecast_and_publishes_it(center: dict) -> None:
    """The forecast step runs after dbt: the forecast made at the last generated day (2026-02-04), 42 days ahead, every
    method, one chosen per interval, is kept and published; the accuracy marts exist (empty until actuals arrive)."""
    assert "[forecast] forecast made at origin 2026-02-04" in center["run_stdout"]
    con = duckdb.connect(str(center["warehouse"]), read_only=True)
    try:
        origins, methods, first, last, horizon = con.execute(
            "select count(distinct origin_date), count(distinct method), min(local_date), max(local_date), "
            "max(horizon_days) from ops.interval_forecasts"
        ).fetchone()
        chosen_per_interval = con.execute(
            "select distinct count_if(is_chosen) from ops.interval_forecasts group by queue, interval_start"
        ).fetchall()
        queues = con.execute("select count(distinct queue) from ops.interval_forecasts").fetchone()[0]
        demand_queues = con.execute("select count(distinct queue) from marts.kpi_service_daily").fetchone()[0]
        accuracy = con.execute("select count(*) from marts.kpi_forecast_accuracy_daily").fetchone()[0]
    finally:
        con.close()
    assert (origins, methods, horizon) == (1, 3, 42)
    assert (first, last) == (date(2026, 2, 5), date(2026, 3, 18))
    assert chosen_per_interval == [(1,)]
    assert queues == demand_queues
    assert accuracy == 0  # the first run's forecasts have no actuals yet


def test_analyst_warehouse_has_only_published_schemas(center: dict) -> None:
    con = duckdb.connect(str(center["warehouse"]), read_only=True)
    try:
        # tables and views (the big facts are views over monthly Parquet files); duckdb_columns() has both
        schemas = {
            r[0]
            for r in con.execute(
                "select distinct table_schema from information_schema.tables "
                "where table_schema not in ('information_schema', 'pg_catalog')"
            ).fetchall()
        }
        views = {r[0] for r in con.execute("select view_name from duckdb_views() where not internal").fetchall()}
        columns = {
            r[0] for r in con.execute("select distinct column_name from duckdb_columns() where not internal").fetchall()
        }
    finally:
        con.close()
    assert schemas == {"marts", "ops"}
    assert "fct_contact_legs" in views
    assert not {"full_name", "termination_reason", "hourly_cost", "caller_number", "notes", "_built_at"} & columns


def _type_kind(data_type: str | None) -> str | None:
    """A DuckDB type, with every numeric type as "number": the marts' sums are HUGEINT or DECIMAL(38, s) where the
    hand-built warehouse says BIGINT or DOUBLE, and the dashboards read every number alike (a Polars number)."""
    if data_type is None:
        return None
    numeric = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UBIGINT", "UINTEGER", "FLOAT", "DOUBLE")
    return "number" if data_type in numeric or data_type.startswith("DECIMAL") else data_type


def test_dashboard_tests_build_the_marts_with_the_published_columns_and_types(center: dict, tmp_path: Path) -> None:
    """The dashboards' tests read a hand-built warehouse (tests/dashboards/warehouse.py): each of its columns exists
    in the warehouse this run published, with the same kind of type (number, text, date, timestamp, boolean), so a
    mart column renamed, removed or retyped to another kind fails here."""
    from tests.dashboards.warehouse import build_full_warehouse, build_today_warehouse, table_columns

    published = table_columns(center["warehouse"])
    hand_built = table_columns(build_full_warehouse(tmp_path / "dashboards.duckdb"))
    # the day in progress of the today pages' tests; the completeness record is ingest's (not built by this run yet)
    for table, columns in table_columns(build_today_warehouse(tmp_path / "today.duckdb")).items():
        if table != "ops.source_day_completeness":
            hand_built.setdefault(table, {}).update(columns)
    differing = {
        f"{table}.{column}": (data_type, published.get(table, {}).get(column))
        for table, columns in hand_built.items()
        for column, data_type in columns.items()
        if _type_kind(published.get(table, {}).get(column)) != _type_kind(data_type)
    }
    assert differing == {}  # column: (hand-built type, published type or None when missing)
    assert sum(len(columns) for columns in hand_built.values()) > 300  # the comparison covered the marts read


def test_every_dashboard_opens_offline_and_draws_data(center: dict, artifacts_dir: Path, browser) -> None:
    pages = sorted(center["dashboards"].glob("*.html"))
    names = {p.name for p in pages}
    assert "index.html" in names
    assert any(n.startswith("exec_") for n in names)
    checks = browser.check_pages_with_screenshots(pages, artifacts_dir / "screenshots" / "e2e")
    for page, check in zip(pages, checks, strict=True):
        assert not check.errors, (page.name, check.errors)
        assert not check.blocked_requests, (page.name, check.blocked_requests)
        # planning.html only says there is no plan yet; a today page has charts only while a day is in progress and
        # a forecast covers it (test_today_pages_read_the_published_marts)
        if page.name not in ("index.html", "planning.html") and not page.name.startswith("today"):
            assert check.charts, f"{page.name} has no charts"
            assert not check.empty_charts, (page.name, [c.title for c in check.empty_charts])


def test_why_it_moved_names_the_understaffed_team_the_generator_planted(center: dict) -> None:
    """The generator's story left the first team short in February 2026; the computed "why it moved" of that month
    must name that team, through its schedule adherence (its agents were scheduled and never logged in)."""
    from ingest.sample.center import plan_layout

    planted = next(iter(plan_layout(AGENTS).team_site))  # the story's default team: the first
    page = (center["dashboards"] / "exec_2026-02.html").read_text(encoding="utf-8")
    why = re.search(r'<ul class="why">(.*?)</ul>', page, re.S)
    assert why, "exec_2026-02.html has no why-it-moved list"
    lines = [html.unescape(li) for li in re.findall(r"<li>(.*?)</li>", why.group(1), re.S)]
    teams = [line for line in lines if " team " in line]
    assert len(teams) == 1, lines
    assert teams[0].startswith("Schedule adherence fell"), teams[0]
    assert f"team {planted} moved it most" in teams[0], teams[0]


def test_today_pages_read_the_published_marts(center: dict, tmp_path: Path, browser) -> None:
    """The run wrote a today page per team; replayed at 10:00 on the last generated day (4 February 2026), every
    query of the today pages runs on the published marts and the page shows the day up to that cutoff."""
    from datetime import datetime

    from dashboards.data import Warehouse
    from dashboards.site import Site
    from dashboards.supervisor import slug
    from dashboards.today import Today, TodaySettings, render_today

    wh = Warehouse(center["warehouse"])
    try:
        teams = sorted(
            t for (t,) in wh.con.execute("select distinct team from marts.dim_agent where team is not null").fetchall()
        )
        for team in teams:  # the generated days are over: no day in progress, or the last one as loaded
            page = (center["dashboards"] / f"today_{slug(team)}.html").read_text(encoding="utf-8")
            assert "No day in progress" in page or "Data up to" in page, team
        # 09:00 UTC is 10:00 in Oslo in February (UTC+1)
        replay = Today(date(2026, 2, 4), datetime(2026, 2, 4, 9, 0), datetime(2026, 2, 4, 10, 0), True, "a replay")
        pages = render_today(wh, Site(tmp_path, "e2e", None), teams, TodaySettings(), today=replay)
        offered = wh.con.execute(
            "select count(*) from marts.fct_contact_legs where is_offered and local_date = date '2026-02-04' "
            "and queued_at < timestamp '2026-02-04 09:00'"
        ).fetchone()[0]
    finally:
        wh.close()
    assert [name for name, _ in pages] == [f"today_{slug(t)}.html" for t in teams]
    assert {k: v for k, v in wh.missing.items() if k.startswith("today")} == {}
    check = browser.check_page(tmp_path / pages[0][0])
    assert check.errors == []
    assert "Data up to 10:00" in check.text and "Wednesday 04 February 2026" in check.text
    rows = browser.evaluate(
        "Array.from(document.querySelectorAll('#queues tbody tr')).map(tr => tr.children[1].textContent)"
    )
    # calls still queued or talking at 10:00 (queued before it, ended after) are not counted yet
    assert 0 < sum(int(n.replace("\u202f", "")) for n in rows) <= offered
