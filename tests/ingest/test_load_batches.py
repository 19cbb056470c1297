"""Files of a source land in batches (one transaction each), prepared a few files ahead: what must still hold file
by file.

- a file that fails while landing is rejected alone; the other files of its batch land, restricted rows included;
- files are decided in arrival order (numbers, copies of a content) whatever was prepared ahead;
- a kill at any moment leaves every file either wholly in `raw` with its manifest row or not at all, and a later run
  completes the load to the same contents as an uninterrupted one.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest
from ingest_fixtures import TEST_KEY, Landing, csv_text, query, rows_of

import ingest.load
from ingest.contracts import SOURCES, raw_table_ddl
from ingest.sample import generate_center


def _with_check(landing: Landing, source: str, check: str) -> None:
    """Create `raw.<source>` ahead of ingest with a CHECK constraint: a database that refuses some valid rows, so a
    file fails while landing (after validation) without changing any code."""
    landing.pipeline_db.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(landing.pipeline_db))
    try:
        con.execute("CREATE SCHEMA raw")
        con.execute(raw_table_ddl(SOURCES[source]).rstrip().removesuffix(")") + f", CHECK ({check}))")
    finally:
        con.close()


def test_a_file_failing_to_land_is_rejected_alone_and_its_batch_mates_land(landing: Landing) -> None:
    _with_check(landing, "calls", "leg_id <> 'L-refused'")
    for name, leg in (("a.csv", "L1"), ("b.csv", "L-refused"), ("c.csv", "L3")):
        landing.write("calls", name, csv_text(rows_of("calls", dict(leg_id=leg))))
    report = landing.load()

    assert [r.file for r in report.rejected] == ["calls/b.csv"]
    assert report.rejected[0].reason.startswith("internal error (ConstraintException")
    assert report.rejected[0].reason.endswith("the file will be retried on the next run")
    assert report.sources["calls"].files_loaded == 2 and report.sources["calls"].rows == 2
    # Numbers are given in arrival order when a file is accepted: b.csv had 2 before it failed to land.
    assert query(landing.pipeline_db, "select leg_id, _file_seq, _source_file from raw.calls order by 1") == [
        ("L1", 1, "calls/a.csv"),
        ("L3", 3, "calls/c.csv"),
    ]
    assert query(landing.pipeline_db, "select path, rows, file_seq from ops.loaded_files order by 3") == [
        ("calls/a.csv", 1, 1),
        ("calls/c.csv", 1, 3),
    ]


def test_restricted_rows_follow_their_file_when_a_batch_fails(landing: Landing) -> None:
    _with_check(landing, "roster", "employee_id <> 'E-refused'")
    for name, employee in (("r1.csv", "E1"), ("r2.csv", "E-refused"), ("r3.csv", "E3")):
        landing.write("roster", name, csv_text(rows_of("roster", dict(employee_id=employee))))
    report = landing.load()

    assert [r.file for r in report.rejected] == ["roster/r2.csv"]
    assert query(landing.pipeline_db, "select employee_id, _file_seq from raw.roster order by 1") == [
        ("E1", 1),
        ("E3", 3),
    ]
    # The refused file's restricted rows were committed with its first attempt and are gone again.
    assert query(
        landing.restricted_db, "select employee_id, full_name, _file_seq from restricted.roster order by 1"
    ) == [("E1", "Kari Nordmann", 1), ("E3", "Kari Nordmann", 3)]


def test_files_land_whenever_the_rows_waiting_reach_the_budget(
    landing: Landing, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest.load, "BATCH_ROWS", 4)
    for i in range(3):  # arriving c0, s0, c1, s1, c2, s2 with 2 + 1 rows each
        landing.write("calls", f"c{i}.csv", csv_text(rows_of("calls", dict(leg_id=f"L{i}a"), dict(leg_id=f"L{i}b"))))
        landing.write("agent_states", f"s{i}.csv", csv_text(rows_of("agent_states", dict(agent_id=f"a{i}"))))
    said: list[str] = []
    report = ingest.load.load_landing(
        landing.dir, landing.pipeline_db, landing.restricted_db, landing.quarantine, TEST_KEY, progress=said.append
    )

    assert report.ok and report.sources["calls"].rows == 6 and report.sources["agent_states"].rows == 3
    # c0 + s0 + c1 = 5 >= 4 rows wait once c1 is accepted: c0 and c1 land in one transaction, then s0 in another;
    # s1 + c2 + s2 = 4 rows when s2 is accepted: s1 and s2 land, then c2. The progress lines show the order in which
    # files land; the numbers follow arrival whatever the batch.
    assert [line.split(":")[0].strip() for line in said if "rows loaded" in line] == [
        "calls/c0.csv",
        "calls/c1.csv",
        "agent_states/s0.csv",
        "agent_states/s1.csv",
        "agent_states/s2.csv",
        "calls/c2.csv",
    ]
    assert query(landing.pipeline_db, "select path, rows, file_seq from ops.loaded_files order by 3") == [
        ("calls/c0.csv", 2, 1),
        ("agent_states/s0.csv", 1, 2),
        ("calls/c1.csv", 2, 3),
        ("agent_states/s1.csv", 1, 4),
        ("calls/c2.csv", 2, 5),
        ("agent_states/s2.csv", 1, 6),
    ]
    assert query(landing.pipeline_db, "select _file_seq, count(*) from raw.calls group by 1 order by 1") == [
        (1, 2),
        (3, 2),
        (5, 2),
    ]


def test_copies_prepared_ahead_are_decided_in_arrival_order(landing: Landing) -> None:
    # Files are read, validated and protected a few ahead of the decisions: a copy of a content arriving while the
    # first is still being prepared must be decided as if the first had already been loaded or rejected.
    # An unreadable file (a required column missing: rejected whole; a bad row would only be quarantined now).
    bad = csv_text([{k: v for k, v in row.items() if k != "ended_at"} for row in rows_of("calls", dict(leg_id="L1"))])
    good = csv_text(rows_of("calls", dict(leg_id="L2")))
    for name, text in (("bad.csv", bad), ("bad_copy.csv", bad), ("good.csv", good), ("good_copy.csv", good)):
        landing.write("calls", name, text)
    report = landing.load()

    stats = report.sources["calls"]
    assert [r.file for r in report.rejected] == ["calls/bad.csv"]
    assert (stats.files_rejected, stats.files_still_rejected, stats.files_loaded, stats.files_skipped) == (1, 1, 1, 1)
    assert query(landing.pipeline_db, "select path, file_seq from ops.loaded_files") == [("calls/good.csv", 1)]


# Runs the real load_landing in its own process (so it can be killed), with small batches to have many commits.
LOADER = """
import sys
from pathlib import Path
import ingest.load
ingest.load.BATCH_ROWS = 400
root = Path(sys.argv[1])
ingest.load.load_landing(root / "landing", root / "w.pipeline.duckdb", root / "w.restricted.duckdb",
                         root / "w.quarantine", b"kill-test-key", progress=lambda line: print(line, flush=True))
"""

PER_FILE = " union all ".join(
    f"select '{s}' as source, _file_seq, count(*) as n from raw.{s} group by 2" for s in SOURCES
)


def _run_loader(root: Path, kill_at_landed_file: int | None) -> None:
    """Run the loader to its end, or SIGKILL it as soon as it reports its `kill_at_landed_file`-th landed file."""
    proc = subprocess.Popen(
        [sys.executable, "-c", LOADER, str(root)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(ingest.load.__file__).parents[1],
    )
    if kill_at_landed_file is None:
        assert proc.wait(timeout=120) == 0
        return
    landed = 0
    for line in proc.stdout:
        landed += " rows loaded in " in line
        if landed == kill_at_landed_file:
            # The loader goes on between its print and the kill: the kill falls in the next file's preparation or
            # transaction, never after the end (asserted below).
            proc.send_signal(signal.SIGKILL)
            break
    proc.stdout.close()
    assert proc.wait(timeout=60) == -signal.SIGKILL, f"the load ended before its file {kill_at_landed_file} landed"


def _files_whole(pipeline_db: Path) -> None:
    """Every manifest row's rows are in raw under its number, and raw holds no row of a file not in the manifest."""
    manifest = query(pipeline_db, "select source, file_seq, rows from ops.loaded_files where rows > 0")
    landed = query(pipeline_db, PER_FILE)
    assert sorted(manifest) == sorted(landed)


def _contents(root: Path) -> list:
    """What was loaded, independent of load ids and numbering: per file its rows, and every raw row's identity."""
    db = root / "w.pipeline.duckdb"
    files = query(db, "select source, path, rows from ops.loaded_files order by 2")
    rows = query(
        db,
        " union all ".join(f"select '{s}', _source_file, _source_line from raw.{s}" for s in SOURCES)
        + " order by 2, 3",
    )
    restricted = query(
        root / "w.restricted.duckdb",
        "select _source_file, _source_line, full_name, hourly_cost from restricted.roster order by 1, 2",
    )
    return [files, rows, restricted]


def test_a_kill_at_any_moment_leaves_whole_files_and_a_rerun_completes_the_load(tmp_path: Path) -> None:
    # 29 files in batches of at most 400 rows. Each killed run is killed as it reports its 1st, 2nd, 3rd, 5th landed
    # file: the kill falls while it reads, prepares or commits the next batch, after known progress, on any machine.
    generate_center(tmp_path / "whole" / "landing", agents=30, days=8, start=date(2026, 1, 27), seed=3, progress=None)
    _run_loader(tmp_path / "whole", kill_at_landed_file=None)
    expected = _contents(tmp_path / "whole")
    assert len(expected[0]) >= 25 and expected[2]  # roster snapshots reached the restricted database

    killed = tmp_path / "killed"
    generate_center(killed / "landing", agents=30, days=8, start=date(2026, 1, 27), seed=3, progress=None)
    landed_before = 0
    for kill_at in (1, 2, 3, 5):  # each run lands the files the killed ones left, and is killed in its turn
        _run_loader(killed, kill_at_landed_file=kill_at)
        _files_whole(killed / "w.pipeline.duckdb")
        landed = query(killed / "w.pipeline.duckdb", "select count(*) from ops.loaded_files")[0][0]
        assert landed_before + kill_at <= landed < len(expected[0])  # killed after its files landed, before the end
        landed_before = landed
    _run_loader(killed, kill_at_landed_file=None)
    _files_whole(killed / "w.pipeline.duckdb")
    # Restricted rows of files killed before their manifest row were dropped when the next run started.
    assert _contents(killed) == expected
