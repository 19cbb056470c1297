"""Never stuck (issue 17, the dbt/publish side), end to end with `tilsyn run`: an odd export and a defect in one domain
cost that domain, never the whole warehouse.

One small generated center (4 agents, 2 days) goes through three runs that the tests share, in file order:
1. the first day, clean: everything publishes, exit 0;
2. the second day, plus (a) a WFM re-export of one agent's day with the same `published_at` and other segments, and
   (b) a defect in the finance domain: one ledger line in raw reads EUR, as a bug in ingest's currency rule would
   leave it (ingest lets no line of another currency land; the equals_center_currency test on
   int_finance_ledger_monthly.currency guards it). The run publishes: service and agent marts hold the second day,
   the re-export wins the tie, finance keeps the first run's version, every dashboard page says finance is stale,
   since when and why; exit 3 ("a defect blocked a domain");
3. no new files: succeeds, publishes nothing, changes nothing, exit 3 again (the warehouse is as it was).
Expected values come from the export files and the first run's warehouse, not from Tilsyn's code.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.ingest.ingest_fixtures import query
from tests.support.marts import marts_rows

pytestmark = pytest.mark.e2e

TILSYN = str(Path(sys.executable).parent / "tilsyn")
FINANCE_MARTS = ("kpi_finance_monthly", "kpi_finance_quarterly", "kpi_finance_yearly")
COST_PER_CALL_MARTS = ("kpi_cost_per_call_monthly", "kpi_cost_per_call_quarterly", "kpi_cost_per_call_yearly")
# The re-export of one agent's day: other segments than the first publication, the same published_at (local times).
REEXPORT_SEGMENTS = [("work", "08:30", "12:00"), ("lunch", "12:00", "12:30"), ("work", "12:30", "16:30")]


def _run(center: dict, expect_exit: int) -> str:
    result = subprocess.run([TILSYN, *center["args"]], env=center["env"], capture_output=True, text=True, timeout=900)
    assert result.returncode == expect_exit, (
        f"tilsyn run exited {result.returncode}, not {expect_exit}:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
    )
    return result.stdout


def _write_reexport(landing: Path, day: str) -> tuple[str, str]:
    """A second schedules file re-exporting one agent's `day` with the first publication's published_at; returns
    (agent, published_at). The agent is the first one scheduled to work that day."""
    (schedule_file,) = (landing / "schedules").glob("*.csv")
    rows = list(csv.DictReader(schedule_file.open()))
    first = next(r for r in rows if r["schedule_date"] == day and r["activity"] == "work")
    agent, published_at = first["agent_id"], first["published_at"]
    offset = published_at[-6:]  # the generator writes local times with their offset (+01:00 in January)
    with (landing / "schedules" / f"{schedule_file.stem}_reexport.csv").open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["agent_id", "schedule_date", "activity", "starts_at", "ends_at", "published_at"])
        for activity, start, end in REEXPORT_SEGMENTS:
            writer.writerow(
                [agent, day, activity, f"{day}T{start}:00{offset}", f"{day}T{end}:00{offset}", published_at]
            )
    return agent, published_at


def _snapshot(center: dict, name: str) -> Path:
    """A copy of the published warehouse as a run left it, so that each test reads the state of the run it is about
    in any order (the big facts' views point at version folders kept for 24 hours, which the copy reads)."""
    copy = center["root"] / f"{name}.duckdb"
    shutil.copy2(center["warehouse"], copy)
    return copy


def _version(warehouse: Path) -> str:
    ((version,),) = query(warehouse, "select distinct version_id from ops.published_version")
    return version


@pytest.fixture(scope="module")
def center(tmp_path_factory: pytest.TempPathFactory) -> dict:
    from ingest.sample import generate_center

    root = tmp_path_factory.mktemp("never_stuck")
    landing, held_back = root / "landing", root / "held_back"
    generate_center(landing, agents=4, days=2, seed=17)
    # the second day arrives with the second run
    second_day = "2026-01-02"
    held = [p for p in landing.glob(f"*/*{second_day}*") if p.is_file()]
    assert {p.parent.name for p in held} >= {"calls", "agent_states"}
    for path in held:
        (held_back / path.parent.name).mkdir(parents=True, exist_ok=True)
        path.rename(held_back / path.parent.name / path.name)
    warehouse = root / "warehouse.duckdb"
    return {
        "root": root,
        "landing": landing,
        "held_back": held_back,
        "second_day": second_day,
        "warehouse": warehouse,
        "pipeline": root / "warehouse.pipeline.duckdb",
        "dashboards": root / "dashboards",
        "env": {**os.environ, "TILSYN_PSEUDONYM_KEY": "never-stuck-test-key"},
        "args": [
            "run",
            "--landing",
            str(landing),
            "--warehouse",
            str(warehouse),
            "--dashboards",
            str(root / "dashboards"),
        ],
    }


@pytest.fixture(scope="module")
def first_run(center: dict) -> dict:
    out = _run(center, expect_exit=0)
    return {
        "stdout": out,
        "version": _version(center["warehouse"]),
        "marts": marts_rows(center["warehouse"]),
        "warehouse": _snapshot(center, "after_first_run"),
    }


@pytest.fixture(scope="module")
def second_run(center: dict, first_run: dict) -> dict:
    for path in center["held_back"].rglob("*.csv"):
        shutil.copy2(path, center["landing"] / path.parent.name / path.name)
    agent, published_at = _write_reexport(center["landing"], center["second_day"])
    # The defect: a ledger line in another currency in raw, as a bug in ingest's currency rule would land it. One row
    # changed in place, so that counts still reconcile: only the finance tests can see it.
    con = duckdb.connect(str(center["pipeline"]))
    try:
        (changed,) = con.execute(
            "update raw.ledger set currency = 'EUR' where line_id = (select min(line_id) from raw.ledger "
            "where scenario = 'actual')"
        ).fetchone()
    finally:
        con.close()
    assert changed == 1
    out = _run(center, expect_exit=3)
    snapshot = _snapshot(center, "after_second_run")
    dashboards = center["root"] / "after_second_run_dashboards"
    shutil.copytree(center["dashboards"], dashboards)
    return {
        "stdout": out,
        "agent": agent,
        "published_at": published_at,
        "version": _version(center["warehouse"]),
        "warehouse": snapshot,
        "dashboards": dashboards,
    }


@pytest.fixture(scope="module")
def third_run(center: dict, second_run: dict) -> dict:
    before = marts_rows(center["warehouse"])
    out = _run(center, expect_exit=3)
    return {"stdout": out, "before": before, "after": marts_rows(center["warehouse"])}


def test_clean_day_publishes_everything_with_exit_0(center: dict, first_run: dict) -> None:
    assert "exit status       : 0 (published everything)" in first_run["stdout"]
    statuses = query(first_run["warehouse"], "select domain, status from ops.domain_status order by 1")
    assert {status for _, status in statuses} == {"fresh"}
    assert {domain for domain, _ in statuses} >= {"service", "agent", "fcr", "quality", "people", "finance", "outbound"}
    assert first_run["marts"]["kpi_finance_monthly"], "the first run built finance"


def test_defect_in_finance_still_publishes_the_other_domains(center: dict, first_run: dict, second_run: dict) -> None:
    assert second_run["version"] != first_run["version"]
    out = second_run["stdout"]
    assert "exit status       : 3 (a defect blocked a domain; the other domains published)" in out
    # dbt tests are no Dagster asset checks: the run's log counts them and names the failing one with its rows
    (tests_line,) = [line for line in out.splitlines() if "[dbt] data tests: " in line]
    assert " fail" in tests_line and " pass" in tests_line, tests_line
    assert "[dbt] FAILED test " in out and "failing row: " in out
    # service and agent marts are fresh: they hold the second day, with every inbound leg of its export offered
    raw_offered = duckdb.sql(
        f"select count(distinct leg_id) from read_csv('{center['landing']}/calls/*{center['second_day']}*.csv', "
        "all_varchar = true) where direction = 'inbound' and coalesce(queue, '') <> ''"
    ).fetchall()[0][0]
    (offered,) = query(
        second_run["warehouse"],
        f"select sum(offered) from marts.kpi_service_daily where local_date = '{center['second_day']}'",
    )[0]
    assert raw_offered > 0 and offered == raw_offered
    assert (
        query(
            second_run["warehouse"],
            f"select count(*) from marts.kpi_agent_daily where local_date = '{center['second_day']}'",
        )[0][0]
        > 0
    )
    # finance (and cost per call, built from it) keep the first run's version, row for row
    marts = marts_rows(second_run["warehouse"])
    for table in FINANCE_MARTS + COST_PER_CALL_MARTS:
        assert marts[table] == first_run["marts"][table], table


def test_domain_status_says_which_since_when_and_why(center: dict, first_run: dict, second_run: dict) -> None:
    rows = query(
        second_run["warehouse"],
        "select domain, status, stale_since, fresh_as_of, reason, failing_nodes, sample_rows "
        "from ops.domain_status order by 1",
    )
    status = {row[0]: row for row in rows}
    stale = {domain for domain, row in status.items() if row[1] == "stale"}
    assert stale == {"finance", "cost_per_call"}  # cost per call is built from the ledger
    _, _, stale_since, fresh_as_of, reason, failing, sample = status["finance"]
    assert fresh_as_of < stale_since  # the first run's build, then the second's
    assert any("equals_center_currency_int_finance_ledger_monthly_currency" in node for node in failing)
    assert "defect" in reason and "equals_center_currency_int_finance_ledger_monthly_currency" in reason
    assert f"{fresh_as_of:%Y-%m-%d %H:%M}" in reason  # the numbers shown are from that build
    assert "EUR" in sample  # sample rows of the failing test
    assert "cost_per_call" in status and "finance" in status["cost_per_call"][4]  # built from finance
    for domain in ("service", "agent", "fcr", "quality", "people", "outbound", "staffing", "scorecard"):
        assert status[domain][1] == "fresh", status[domain]


def test_schedule_reexport_with_the_same_published_at_goes_to_the_later_file(center: dict, second_run: dict) -> None:
    segments = query(
        second_run["warehouse"],
        "select distinct activity, segment_started_at, segment_ended_at from marts.fct_schedule_segments "
        f"where agent_id = '{second_run['agent']}' and schedule_date = '{center['second_day']}' order by 2",
    )
    # the re-export's segments only (January: local = UTC + 1 h)
    expected = [
        (
            activity,
            f"{center['second_day']} {int(start[:2]) - 1:02d}:{start[3:]}:00",
            f"{center['second_day']} {int(end[:2]) - 1:02d}:{end[3:]}:00",
        )
        for activity, start, end in REEXPORT_SEGMENTS
    ]
    assert [(a, str(s), str(e)) for a, s, e in segments] == expected


def test_every_dashboard_page_says_finance_is_stale(center: dict, second_run: dict, browser) -> None:
    pages = sorted(second_run["dashboards"].glob("*.html"))
    assert len(pages) >= 3
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "Finance (budget and actuals) is stale since" in html, page.name
        assert "Service (calls, queues) is stale" not in html
    seen = browser.check_page(second_run["dashboards"] / "index.html", Path("test-artifacts") / "never_stuck_index.png")
    assert seen.errors == []
    assert "Not every number is current." in seen.text
    assert "Finance (budget and actuals) is stale since" in seen.text and "defect" in seen.text


def test_second_run_without_new_files_changes_nothing(center: dict, second_run: dict, third_run: dict) -> None:
    assert "no build, no publish" in third_run["stdout"]
    assert _version(center["warehouse"]) == second_run["version"]
    assert third_run["after"] == third_run["before"]
