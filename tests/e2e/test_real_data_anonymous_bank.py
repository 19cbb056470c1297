"""A real center's month end to end: the Anonymous Bank call log (February 1999) through `tilsyn import`,
`tilsyn run` and the dashboards in headless Chromium.

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
import sys
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.e2e

TILSYN = str(Path(sys.executable).parent / "tilsyn")
RAW_FILE = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "data"
    / "anonymous_bank"
    / "data_anonymous_bank_february.txt"
)


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
            "run",
            "--landing",
            str(landing),
            "--warehouse",
            str(warehouse),
            "--dashboards",
            str(pages),
            "--set",
            "metrics.center_timezone=Asia/Jerusalem",
        ],
    ):
        result = subprocess.run([TILSYN, *args], env=env, capture_output=True, text=True, timeout=900)
        assert result.returncode == 0, f"tilsyn {args[0]}:\n{result.stdout[-5000:]}\n{result.stderr[-5000:]}"
    return {"warehouse": warehouse, "pages": pages}


def test_february_service_figures_per_queue_match_the_raw_file(bank: dict) -> None:
    expected = {
        row[0]: row[1:]
        for row in duckdb.sql(
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
    }
    con = duckdb.connect(str(bank["warehouse"]), read_only=True)
    try:
        marts = {
            row[0]: row[1:]
            for row in con.execute(
                "select queue, offered, answered, abandoned, handle_seconds, short_abandoned, "
                "answered_within_threshold, answered_wait_seconds, max_wait_seconds from marts.kpi_service_monthly "
                "where period_start = date '1999-02-01'"
            ).fetchall()
        }
    finally:
        con.close()
    assert set(expected) == {"PS", "PE", "IN", "NE", "NW", "TT"}
    assert marts == expected
    # The data README: 33,344 calls, 278 PHANTOM, 1,972 HANG never queued -> 31,094 offered in all.
    assert sum(v[0] for v in marts.values()) == 33_344 - 278 - 1_972


def test_dashboards_open_offline_and_say_no_data_for_missing_sources(bank: dict, browser, artifacts_dir: Path) -> None:
    pages = sorted(bank["pages"].glob("*.html"))
    assert "exec_1999-02.html" in {p.name for p in pages}
    shots = artifacts_dir / "screenshots" / "real_data"
    shots.mkdir(parents=True, exist_ok=True)
    checks = browser.check_pages([(p, shots / f"{p.stem}.png") for p in pages])
    for page, check in zip(pages, checks, strict=True):
        assert not check.errors, (page.name, check.errors)
        assert not check.empty_charts, (page.name, [c.title for c in check.empty_charts])
    exec_page = checks[[p.name for p in pages].index("exec_1999-02.html")]
    assert exec_page.charts, "the executive page drew no chart"
    assert "no data" in exec_page.text.lower()  # budget, people, QA: this center sent none of them
