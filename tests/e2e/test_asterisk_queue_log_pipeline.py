"""An Asterisk center end to end: the hand-written queue_log of tests/fixtures/asterisk_queue_log (its story is in
tests/ingest/adapters/test_asterisk_queue_log_adapter.py) through `tilsyn import asterisk-queue-log`, `tilsyn run` and
the dashboards in headless Chromium. One pipeline run is shared by every test of this module.

Hand-worked service figures of 2026-03-02 (waits from the log's own holdtime / waittime):
- support: legs of calls 1 (answered, wait 12, talk 100), 2 (abandoned, 30), 4 (key exit, 8), 5 (answered, 20, talk
  200), 6 (answered, 5, talk 120, blind transfer), 8 (exit empty, 3: a short abandon), 9 (answered, 8, talk 62).
  offered 7, answered 4, abandoned 3 (2, 4, 8), short 1 (8), within 20 s 4, denominator 7 - 1 = 6, answered wait
  12 + 20 + 5 + 8 = 45, max wait 30, handled 4, handle 100 + 200 + 120 + 62 = 482 (talk only: queue_log reports no
  hold or after-call work), transferred 1, talk-only legs 4.
- billing: calls 3 (timeout after 300 s), 6's second leg (answered, 15, talk 180), 7 (answered, 6, talk 100, attended
  transfer). offered 3, answered 2, abandoned 1, short 0, within 2, denominator 3, answered wait 21, max wait 300,
  handled 2, handle 280, transferred 1, talk-only legs 2.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import duckdb
import pytest

from tests.support.query import query_dicts
from tests.support.tables import assert_measures
from tests.support.tilsyn_command import TILSYN, pipeline_args

pytestmark = pytest.mark.e2e

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "asterisk_queue_log"
NAMES = ("Anna Berg", "Bjorn Dahl", "Kari Nordmann", "PJSIP/201", "+4791000001")


@pytest.fixture(scope="module")
def center(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("asterisk")
    landing, warehouse, pages = root / "landing", root / "warehouse.duckdb", root / "dashboards"
    env = {**os.environ, "TILSYN_PSEUDONYM_KEY": "asterisk-test-key"}
    runs = {}
    for args in (
        ["import", "asterisk-queue-log", str(FIXTURE / "queue_log"), "--landing", str(landing)]
        + ["--member-map", str(FIXTURE / "member_map.csv"), "--pause-reason", "Lunch=lunch"],
        pipeline_args(landing, warehouse, pages),
    ):
        result = subprocess.run([TILSYN, *args], env=env, capture_output=True, text=True, timeout=900)
        assert result.returncode == 0, f"tilsyn {args[0]}:\n{result.stdout[-5000:]}\n{result.stderr[-5000:]}"
        runs[args[0]] = result.stdout
    return {"warehouse": warehouse, "pages": pages, "stdout": runs}


def test_import_reports_what_it_skipped(center: dict) -> None:
    out = center["stdout"]["import"]
    assert "wrote 10 rows to calls" in out and "wrote 18 rows to agent_states" in out
    for verb in ("FULL", "CLOSED", "JOINEMPTY", "RINGNOANSWER", "RINGCANCELED", "QUEUESTART", "CONFIGRELOAD"):
        assert f"excluded 1: {verb}:" in out


def test_service_daily_matches_hand_worked_values(center: dict) -> None:
    rows = {r["queue"]: r for r in query_dicts(center["warehouse"], "select * from marts.kpi_service_daily")}
    assert set(rows) == {"support", "billing"}
    assert_measures(
        rows,
        """
        measure                    support  billing
        offered                    7        3
        answered                   4        2
        abandoned                  3        1
        short_abandoned            1        0
        answered_within_threshold  4        2
        service_level_denominator  6        3
        answered_wait_seconds      45       21
        max_wait_seconds           30       300
        handled_legs               4        2
        handle_seconds             482      280
        transferred_legs           1        1
        held_legs                  0        0
        talk_only_handled_legs     4        2
        """,
    )
    assert {str(rows[queue]["local_date"]) for queue in rows} == {"2026-03-02"}
    assert rows["support"]["service_level"] == pytest.approx(4 / 6)
    assert rows["support"]["abandonment_rate"] == pytest.approx((3 - 1) / (7 - 1))
    assert rows["support"]["aht_seconds"] == pytest.approx(482 / 4)
    assert rows["billing"]["aht_seconds"] == pytest.approx(280 / 2)
    monthly = query_dicts(center["warehouse"], "select sum(talk_only_handled_legs) as n from marts.kpi_service_monthly")
    assert monthly == [{"n": 6}]


def test_transfer_is_two_legs_of_one_contact_and_the_lunch_is_one_span(center: dict) -> None:
    legs = query_dicts(
        center["warehouse"],
        "select queue, leg_number, end_reason, has_hold_and_wrap_data from marts.fct_contact_legs "
        "where contact_id = '1772439000.8' order by leg_number",
    )
    assert legs == [
        {"queue": "support", "leg_number": 1, "end_reason": "transfer", "has_hold_and_wrap_data": False},
        {"queue": "billing", "leg_number": 2, "end_reason": "customer_hangup", "has_hold_and_wrap_data": False},
    ]
    lunch = query_dicts(
        center["warehouse"],
        "select agent_id, sum(duration_seconds) as seconds from marts.fct_agent_state_spans "
        "where state = 'lunch' group by agent_id",
    )
    assert lunch == [{"agent_id": "A1", "seconds": 1800}]  # PAUSEALL at 1000 s to UNPAUSEALL at 2800 s


def test_no_member_or_caller_name_reaches_the_analyst_warehouse(center: dict) -> None:
    con = duckdb.connect(str(center["warehouse"]), read_only=True)
    try:
        columns = con.execute(
            "select schema_name, table_name, column_name from duckdb_columns() "
            "where data_type = 'VARCHAR' and not internal"
        ).fetchall()
        assert ("marts", "fct_contact_legs", "agent_id") in columns
        for schema, table, column in columns:
            for (value,) in con.execute(f'select distinct "{column}" from "{schema}"."{table}"').fetchall():
                for name in NAMES:
                    assert value is None or name not in value, (schema, table, column, name)
    finally:
        con.close()


def test_dashboards_open_offline(center: dict, browser, artifacts_dir: Path) -> None:
    rendered = {p.name for p in center["pages"].glob("*.html")}
    assert {"exec_2026-03.html", "operations_daily.html"} <= rendered
    # the two pages that read this center's calls and agent states (the other periods draw the same marts)
    pages = [center["pages"] / "exec_2026-03.html", center["pages"] / "operations_daily.html"]
    checks = browser.check_pages_with_screenshots(pages, artifacts_dir / "screenshots" / "asterisk")
    for page, check in zip(pages, checks, strict=True):
        assert not check.errors, (page.name, check.errors)
        assert not check.empty_charts, (page.name, [c.title for c in check.empty_charts])
