"""Incremental builds give the same marts as a full build (issue 9).

A generated month (with the generator's export faults: a late file, a duplicate, a corrected re-export, bad rows, and
republished weekly schedules) arrives in two batches, in the order of the files' arrival times, each followed by
`tilsyn run` on one warehouse: the second build is incremental. The last batch also carries corrections
made here for the cases an incremental build gets wrong most easily:

* an agent state event of an old day corrected to `logged_out`: the span it started is no longer time worked, so its
  agent-day loses rows;
* the first leg of an old transferred contact corrected to another contact id: the leg moves, and the legs left behind
  are numbered again from 1.

A second warehouse gets every file in one `tilsyn run` (a full build). Every table of `marts` must be equal in both,
row for row, apart from `_file_seq` (load numbers depend on the order files were loaded in) and the last bits of
doubles (sums in another order).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import polars as pl
import pytest

from tests.support.marts import marts_rows

pytestmark = pytest.mark.e2e

TILSYN = str(Path(sys.executable).parent / "tilsyn")
ENV = {**os.environ, "TILSYN_PSEUDONYM_KEY": "e2e-incremental-key"}
DAYS = 24
BATCH_CUTOFFS = ("2026-01-15",)  # files that arrived before each date; the rest come last


def _tilsyn(*args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([TILSYN, *args], env=ENV, capture_output=True, text=True, timeout=900)
    # exit 1 when a file was rejected (the generator's file of bad rows): everything else is built and published
    assert result.returncode in (0, 1), f"tilsyn {args[0]} exited {result.returncode}:\n{result.stdout[-4000:]}"
    if result.returncode == 1:
        assert "REJECTED" in result.stdout or "rejected files" in result.stdout, result.stdout[-4000:]
    return result


def _arrival(path: Path) -> str:
    return datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).date().isoformat()


def _write_corrections(landing: Path) -> dict:
    """Correction files for two old days, arriving after everything else (names sort after the originals too)."""
    latest_mtime = max(p.stat().st_mtime for p in landing.rglob("*") if p.is_file())
    states = pl.read_csv(landing / "agent_states" / "agent_states_2026-01-05.csv", infer_schema=False)
    # a mid-day `ready` that is followed by another event of the same agent
    ready = states.with_row_index().filter(
        (pl.col("state") == "ready") & (pl.col("agent_id") == pl.col("agent_id").shift(-1))).row(10, named=True)
    states_fix = landing / "agent_states" / "agent_states_2026-01-05_corrected.csv"
    states.filter(pl.col("event_at") == ready["event_at"], pl.col("agent_id") == ready["agent_id"]).with_columns(
        pl.lit("logged_out").alias("state")).write_csv(states_fix)

    calls = pl.read_csv(landing / "calls" / "calls_2026-01-06.csv", infer_schema=False)
    transferred = calls.filter(pl.col("contact_id").is_duplicated()).sort("queued_at")
    first_leg = transferred.filter(pl.col("contact_id") == transferred["contact_id"][0]).sort("queued_at").head(1)
    calls_fix = landing / "calls" / "calls_2026-01-06_corrected_contact.csv"
    first_leg.with_columns(pl.lit("C-MOVED-1").alias("contact_id")).write_csv(calls_fix)

    for k, path in enumerate((states_fix, calls_fix)):
        os.utime(path, (latest_mtime + 3600 * (k + 1),) * 2)
    return {"agent_id": ready["agent_id"],
            "event_at_utc": datetime.fromisoformat(ready["event_at"]).astimezone(timezone.utc).replace(tzinfo=None),
            "moved_leg_id": first_leg["leg_id"][0], "left_contact_id": first_leg["contact_id"][0]}


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("incremental")
    source = root / "generated"
    subprocess.run([TILSYN, "generate", "--out", str(source), "--agents", "8", "--days", str(DAYS), "--seed", "11",
                    "--faults"], check=True, capture_output=True, env=ENV, timeout=300)
    corrections = _write_corrections(source)
    files = sorted((p for p in source.rglob("*") if p.is_file() and p.name != "faults.json"),
                   key=lambda p: (p.stat().st_mtime, str(p)))

    incremental = {"landing": root / "inc" / "landing", "warehouse": root / "inc" / "warehouse.duckdb"}
    outputs = []
    for cutoff in (*BATCH_CUTOFFS, None):
        for path in files:
            if cutoff is None or _arrival(path) < cutoff:
                target = incremental["landing"] / path.relative_to(source)
                if not target.exists():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, target)
        outputs.append(_tilsyn("run", "--landing", str(incremental["landing"]), "--warehouse",
                               str(incremental["warehouse"]), "--dashboards", str(root / "inc" / "dashboards")).stdout)

    full = {"warehouse": root / "full" / "warehouse.duckdb"}
    _tilsyn("run", "--landing", str(incremental["landing"]), "--warehouse", str(full["warehouse"]),
            "--dashboards", str(root / "full" / "dashboards"))
    return {"incremental": incremental["warehouse"], "full": full["warehouse"], "outputs": outputs,
            "corrections": corrections}


def test_the_batches_each_brought_new_files(month: dict) -> None:
    con = duckdb.connect(str(month["incremental"]), read_only=True)
    try:
        loads = con.execute("select load_id, count(*) from ops.loaded_files group by 1 order by min(file_seq)").fetchall()
    finally:
        con.close()
    assert len(loads) == len(BATCH_CUTOFFS) + 1 and all(files > 0 for _, files in loads), loads
    # the first build builds everything, the later ones only what their files touched
    first, *later = month["outputs"]
    assert "[dbt] no earlier build recorded: full refresh" in first
    assert later and not any("full refresh" in output for output in later)


def test_incremental_marts_equal_a_full_build(month: dict) -> None:
    incremental, full = (marts_rows(month[build], without=("_file_seq",)) for build in ("incremental", "full"))
    assert sorted(incremental) == sorted(full)
    differing = {table: (len(incremental[table]), len(full[table]))
                 for table in full if incremental[table] != full[table]}
    assert not differing, f"tables that differ (incremental rows, full rows): {differing}"


def test_the_corrections_took_effect(month: dict) -> None:
    """The corrected cases are really in the data, so the equality above covers them."""
    fix = month["corrections"]
    con = duckdb.connect(str(month["incremental"]), read_only=True)
    try:
        # the moved leg is alone in its new contact; the legs it left behind are numbered again from 1
        assert con.execute("select contact_id, leg_number from marts.fct_contact_legs where leg_id = ?",
                           [fix["moved_leg_id"]]).fetchall() == [("C-MOVED-1", 1)]
        (left,) = con.execute("select list(leg_number order by leg_number) from marts.fct_contact_legs "
                              "where contact_id = ?", [fix["left_contact_id"]]).fetchall()[0]
        assert left == list(range(1, len(left) + 1)) and len(left) >= 1
        # the state that became logged_out is no longer time worked: no span starts at its event
        assert con.execute("select count(*) from marts.fct_agent_state_spans where agent_id = ? "
                           "and state_started_at = ?", [fix["agent_id"], fix["event_at_utc"]]).fetchall() == [(0,)]
    finally:
        con.close()
