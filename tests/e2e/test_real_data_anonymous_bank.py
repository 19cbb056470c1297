"""A real center's month end to end: the Anonymous Bank call log (February 1999) through `tilsyn import`,
`tilsyn run` and the dashboards in headless Chromium; the same run carries the Genesys Cloud fixture
(tests/fixtures/genesys_cloud, 2 March 2026) through `tilsyn import genesys-cloud`, so that one pipeline run covers
both importers (their months do not overlap: each vendor's figures are asserted on its own month).

Data: Anonymous Bank call center, collected by the Service Enterprise Engineering (SEE) lab of the Technion; we thank
Avi Mandelbaum and the Technion SEE lab (free for use with this acknowledgement). Analysed in Brown et al.,
"Statistical Analysis of a Telephone Call Center: A Queueing-Science Perspective", JASA 100 (2005).

The center sends only calls: no agent states, schedules, roster, ledger or QA. Those marts are empty and the pages say
"no data" for them, and no step fails. The expected figures are computed in this test by a plain DuckDB query over the
raw tab-separated file, not through the adapter: offered = AGENT rows + HANG rows that queued (`q_time > 0`), answered =
AGENT rows, abandoned = HANG rows that queued, handle seconds = `ser_time` of AGENT rows (hold and ACW are not in the
log); PHANTOM rows are ghost calls and excluded (the data's README). The wait is the log's own `q_time` (0 for a call
that never queued), never `ser_start - q_start`: short abandons = queued HANG rows with `q_time < 5`, answered within
threshold = AGENT rows with `q_time <= 20`, answered wait seconds = the sum of `q_time` over AGENT rows, longest wait
= the largest `q_time`.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import duckdb
import pytest

from tests.support.landing_files import ANONYMOUS_BANK_FEBRUARY
from tests.support.query import query
from tests.support.tables import by_first_column
from tests.support.tilsyn_command import TILSYN, pipeline_args

pytestmark = pytest.mark.e2e

RAW_FILE = ANONYMOUS_BANK_FEBRUARY

GENESYS = Path(__file__).resolve().parents[1] / "fixtures" / "genesys_cloud"


@pytest.fixture(scope="module")
def bank(tmp_path_factory: pytest.TempPathFactory) -> dict:
    if not RAW_FILE.exists():
        pytest.fail(f"the real data file {RAW_FILE} is missing: shared/ must sit beside the repository")
    root = tmp_path_factory.mktemp("anonymous_bank")
    landing, warehouse, pages = root / "landing", root / "warehouse.duckdb", root / "dashboards"
    env = {**os.environ, "TILSYN_PSEUDONYM_KEY": "real-data-test-key"}
    for args in (
        ["import", "anonymous-bank", str(RAW_FILE), "--landing", str(landing)],
        [
            "import",
            "genesys-cloud",
            "--conversations",
            str(GENESYS / "conversations"),
            "--user-details",
            str(GENESYS / "user_details"),
            "--landing",
            str(landing),
        ],
        pipeline_args(landing, warehouse, pages, "metrics.center_timezone=Asia/Jerusalem"),
    ):
        result = subprocess.run([TILSYN, *args], env=env, capture_output=True, text=True, timeout=900)
        assert result.returncode == 0, f"tilsyn {args[0]}:\n{result.stdout[-5000:]}\n{result.stderr[-5000:]}"
    return {"warehouse": warehouse, "pages": pages}


def test_february_service_figures_per_queue_match_the_raw_file(bank: dict) -> None:
    expected = by_first_column(
        duckdb.sql(
            f"""
            select type,
                   count(*) filter (where outcome = 'AGENT' or (outcome = 'HANG' and q_time > 0)) as offered,
                   count(*) filter (where outcome = 'AGENT') as answered,
                   count(*) filter (where outcome = 'HANG' and q_time > 0) as abandoned,
                   sum(ser_time) filter (where outcome = 'AGENT') as handle_seconds,
                   count(*) filter (where outcome = 'HANG' and q_time > 0 and q_time < 5) as short_abandoned,
                   count(*) filter (where outcome = 'AGENT' and q_time <= 20) as answered_within_threshold,
                   sum(q_time) filter (where outcome = 'AGENT') as answered_wait_seconds,
                   max(q_time) as max_wait_seconds
            from read_csv('{RAW_FILE}', delim = '\t', header = true, all_varchar = false)
            where outcome <> 'PHANTOM'
            group by type
            """
        ).fetchall()
    )
    marts = by_first_column(
        query(
            bank["warehouse"],
            "select queue, offered, answered, abandoned, handle_seconds, short_abandoned, "
            "answered_within_threshold, answered_wait_seconds, max_wait_seconds from marts.kpi_service_monthly "
            "where period_start = date '1999-02-01'",
        )
    )
    marts = {queue: figures for queue, figures in marts.items() if not queue.startswith("queue-")}  # Genesys's
    assert set(expected) == {"PS", "PE", "IN", "NE", "NW", "TT"}
    assert marts == expected
    # The data README: 33,344 calls, 278 PHANTOM, 1,972 HANG never queued -> 31,094 offered in all.
    assert sum(v[0] for v in marts.values()) == 33_344 - 278 - 1_972


def test_dashboards_open_offline_and_say_no_data_for_missing_sources(bank: dict, browser, artifacts_dir: Path) -> None:
    pages = sorted(bank["pages"].glob("*.html"))
    assert "exec_1999-02.html" in {p.name for p in pages}
    checks = browser.check_pages_with_screenshots(pages, artifacts_dir / "screenshots" / "real_data")
    for page, check in zip(pages, checks, strict=True):
        assert not check.errors, (page.name, check.errors)
        assert not check.empty_charts, (page.name, [c.title for c in check.empty_charts])
    assert "exec_2026-03.html" in {p.name for p in pages}  # the Genesys Cloud month
    exec_page = checks[[p.name for p in pages].index("exec_1999-02.html")]
    assert exec_page.charts, "the executive page drew no chart"
    assert "no data" in exec_page.text.lower()  # budget, people, QA: this center sent none of them


def test_genesys_cloud_service_figures_match_the_hand_worked_fixture(bank: dict) -> None:
    # Worked from tests/fixtures/genesys_cloud (its README tells the story), local day 2026-03-02 (UTC+2):
    # queue-support offered conv-1, conv-2's first leg, conv-3 (abandoned after tAbandon 90 s) and conv-7 (flowed out
    # after tAcd 60 s: ended before answered, so abandoned by METRICS.md); answered conv-1 (tAcd 30 s) and conv-2
    # (tAcd 15 s): wait 45 s, 1 within 20 s; handle (240 + 20 + 30) + (105 + 0 + 10) = 405 s; 1 leg ends in a transfer.
    # queue-billing: conv-2's second leg, tAcd 30 s (its queue segment says 31.5 s: the stated figure wins), handle
    # 255 + 15 + 45 = 315 s.
    rows = query(
        bank["warehouse"],
        "select queue, offered, answered, abandoned, short_abandoned, answered_within_threshold, "
        "answered_wait_seconds, max_wait_seconds, handled_legs, handle_seconds, transferred_legs "
        "from marts.kpi_service_daily where local_date = date '2026-03-02' order by queue",
    )
    assert rows == [
        ("queue-billing", 1, 1, 0, 0, 0, 30, 30, 1, 315, 0),
        ("queue-support", 4, 2, 2, 0, 1, 45, 90, 2, 405, 1),
    ]


def test_genesys_cloud_agent_time_matches_the_hand_worked_fixture(bank: dict) -> None:
    # From the user details split by the agents' voice segments (EXPECTED_STATES in
    # tests/ingest/adapters/test_genesys_cloud_adapter.py):
    # anna ready 07:56-08:00:30 (270) + 08:05:30-08:10 (270) + 08:50-09:00 (600) = 1140 s; talk 08:00:30-08:02:00 (90)
    # + 08:02:20-08:05:00 (160) = 250 s; hold 20 s; ACW 30 s; one leg of 290 s handle by the call record.
    # carla ready 08:00-08:04:25 (265) + 08:09:45-09:00 (3015) = 3280 s; talk 35 + 225 = 260 s; hold 15; ACW 45;
    # one leg of 315 s.
    rows = query(
        bank["warehouse"],
        "select agent_id, ready_seconds, talk_seconds, hold_seconds, acw_seconds, handled_legs, leg_handle_seconds "
        "from marts.kpi_agent_daily where local_date = date '2026-03-02' and agent_id in ('user-anna', 'user-carla') "
        "order by agent_id",
    )
    assert rows == [("user-anna", 1140, 250, 20, 30, 1, 290), ("user-carla", 3280, 260, 15, 45, 1, 315)]
