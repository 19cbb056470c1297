"""Unattended operation, end to end: `tilsyn run` killed with SIGKILL during ingest and dbt, then a run that recovers
while a reader process queries the published warehouse in a loop; a run over no new files; publishing killed mid-copy;
readers across repeated version swaps.

One small generated center (4 agents x 6 days) goes through the steps in order: each step is a module fixture that
returns what it saw, and each test checks one step's findings (two full dbt builds in all, to keep the module cheap).
The process group is killed, as an out-of-memory kill or a lost machine would: dbt (a child process) dies with the
run. Expected results come from the export files read by DuckDB directly, not through Tilsyn's code.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.ingest.ingest_fixtures import query
from tests.support.tilsyn_command import TILSYN, pipeline_args

pytestmark = pytest.mark.e2e

# A reader as an analyst would be: open read-only, read the version manifest and count every table in the same
# connection, close, again. Any error or a count that differs from its version's manifest is recorded.
READER = r"""
import json, os, sys, time
import duckdb
warehouse, stop_file, out_file = sys.argv[1:4]
reads, errors, inconsistent, versions = 0, [], [], []
while not os.path.exists(stop_file):
    if not os.path.exists(warehouse):
        time.sleep(0.05)
        continue
    try:
        con = duckdb.connect(warehouse, read_only=True)
        try:
            manifest = con.execute("select version_id, table_name, row_count from ops.published_version").fetchall()
            for version_id, table, rows in manifest:
                counted = con.execute(f"select count(*) from {table}").fetchone()[0]
                if counted != rows:
                    inconsistent.append([version_id, table, rows, counted])
        finally:
            con.close()
        ids = sorted({m[0] for m in manifest})
        if len(ids) != 1:
            inconsistent.append(["manifest with versions", ids])
        elif not versions or versions[-1] != ids[0]:
            versions.append(ids[0])
        reads += 1
    except Exception as exc:
        errors.append(repr(exc))
    time.sleep(0.1)  # leave the cores to the run
json.dump({"reads": reads, "errors": errors, "inconsistent": inconsistent, "versions": versions},
          open(out_file, "w"))
"""


@pytest.fixture(scope="module")
def center(tmp_path_factory: pytest.TempPathFactory) -> dict:
    from ingest.sample import generate_center

    root = tmp_path_factory.mktemp("operations")
    landing = root / "landing"
    generate_center(landing, agents=4, days=6, seed=11)
    env = {**os.environ, "TILSYN_PSEUDONYM_KEY": "operations-test-key"}
    warehouse = root / "warehouse.duckdb"
    args = pipeline_args(landing, warehouse, root / "dashboards")
    return {
        "root": root,
        "landing": landing,
        "warehouse": warehouse,
        "env": env,
        "args": args,
        "pipeline": root / "warehouse.pipeline.duckdb",
    }


def _run_and_kill_at(center: dict, pattern: str, command: list[str] | None = None) -> list[str]:
    """Start `tilsyn run` (or `command`), SIGKILL its process group at the first output line matching `pattern`."""
    proc = subprocess.Popen(
        command or [TILSYN, *center["args"]],
        env=center["env"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if re.search(pattern, line):
            os.killpg(proc.pid, signal.SIGKILL)
            break
    proc.stdout.close()
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, f"the run ended before {pattern!r}:\n{''.join(lines[-30:])}"
    _wait_until_gone(proc.pid)  # dbt, a child, holds the database lock until the kernel has ended it too
    return lines


def _wait_until_gone(process_group: int, timeout_seconds: float = 30) -> None:
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(process_group, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    raise AssertionError(f"process group {process_group} still alive {timeout_seconds} s after SIGKILL")


def _run(center: dict) -> str:
    result = subprocess.run([TILSYN, *center["args"]], env=center["env"], capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"tilsyn run failed:\n{result.stdout[-5000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def _published_version(warehouse: Path) -> str:
    (version,) = query(warehouse, "select distinct version_id from ops.published_version")
    return version[0]


def _export_hashes(landing: Path) -> set[str]:
    return {hashlib.sha256(p.read_bytes()).hexdigest() for p in landing.glob("*/*") if p.is_file()}


class Reader:
    """The READER script in its own process, until `stop()`; then its findings."""

    def __init__(self, center: dict, name: str):
        self.stop_file, self.out = center["root"] / f"stop-{name}", center["root"] / f"{name}.json"
        self.process = subprocess.Popen(
            [sys.executable, "-c", READER, str(center["warehouse"]), str(self.stop_file), str(self.out)]
        )

    def stop(self) -> dict:
        self.stop_file.touch()
        self.process.wait(timeout=60)
        return json.loads(self.out.read_text())


def _publish_command(center: dict) -> list[str]:
    """The publish step of a run, alone: the marts of the last build are in the pipeline file."""
    code = (
        "from pathlib import Path; from dagster_project.publish import publish_warehouse; "
        f"report = publish_warehouse(Path({str(center['pipeline'])!r}), Path({str(center['warehouse'])!r}), "
        "progress=lambda line: print('[publish]', line, flush=True)); "
        "print('[publish]', report.lines()[0], flush=True)"
    )
    return [sys.executable, "-c", code]


# Each step below is a module fixture that takes the center one step further and returns what it saw then. A test
# reads only what its step (and the steps before it) returned, never the state another test left: the tests run in
# any order, and any one of them alone builds the steps it needs.


@pytest.fixture(scope="module")
def killed_during_ingest(center: dict) -> dict:
    """Step 1: the first run, killed once its first file has landed."""
    lines = _run_and_kill_at(center, r"^\[ingest\]   \S+/\S+: .* rows loaded")
    per_file = query(
        center["pipeline"],
        """
        select f.source, f.rows, coalesce(c.n, 0) + coalesce(s.n, 0) + coalesce(sc.n, 0) + coalesce(r.n, 0)
            + coalesce(l.n, 0) + coalesce(q.n, 0)
        from ops.loaded_files as f
        left join (select _file_seq, count(*) as n from raw.calls group by 1) as c on c._file_seq = f.file_seq
        left join (select _file_seq, count(*) as n from raw.agent_states group by 1) as s on s._file_seq = f.file_seq
        left join (select _file_seq, count(*) as n from raw.schedules group by 1) as sc on sc._file_seq = f.file_seq
        left join (select _file_seq, count(*) as n from raw.roster group by 1) as r on r._file_seq = f.file_seq
        left join (select _file_seq, count(*) as n from raw.ledger group by 1) as l on l._file_seq = f.file_seq
        left join (select _file_seq, count(*) as n from raw.qa_evaluations group by 1) as q on q._file_seq = f.file_seq
    """,
    )
    return {"lines": lines, "per_file": per_file, "published": center["warehouse"].exists()}


@pytest.fixture(scope="module")
def killed_during_dbt(center: dict, killed_during_ingest: dict) -> dict:
    """Step 2: the next run, killed once dbt has built 10 models."""
    _run_and_kill_at(center, r"^\[dbt\]\s+10 built ")
    hashes = [h for (h,) in query(center["pipeline"], "select sha256 from ops.loaded_files")]
    return {"hashes": hashes, "published": center["warehouse"].exists()}


@pytest.fixture(scope="module")
def recovered(center: dict, killed_during_dbt: dict) -> dict:
    """Step 3: a run after the kills, while a reader queries the published warehouse in a loop."""
    reader = Reader(center, "reader-full-run")
    try:
        out = _run(center)
    finally:
        seen = reader.stop()
    warehouse = center["warehouse"]
    return {
        "out": out,
        "seen": seen,
        "version": _published_version(warehouse),
        "offered": query(warehouse, "select sum(offered) from marts.kpi_service_daily")[0][0],
        "loads": query(warehouse, "select count(*), count(distinct sha256) from ops.loaded_files")[0],
        "statuses": dict(
            query(
                warehouse,
                "select status, count(*) from ops.build_results "
                "where run_id = (select max(run_id) from ops.build_results) "
                "group by 1",
            )
        ),
    }


@pytest.fixture(scope="module")
def quiet_night(center: dict, recovered: dict) -> dict:
    """Step 4: a run over no new files."""
    return {"out": _run(center), "version": _published_version(center["warehouse"])}


@pytest.fixture(scope="module")
def killed_while_publishing(center: dict, quiet_night: dict) -> dict:
    """Step 5: the publish step alone, killed once it has copied 20 tables."""
    _run_and_kill_at(center, r"^\[publish\] 20 of \d+ tables copied", command=_publish_command(center))
    return {
        "version": _published_version(center["warehouse"]),
        "leftovers": list(center["root"].glob("warehouse.duckdb.next-*")),
    }


@pytest.fixture(scope="module")
def three_publishes(center: dict, killed_while_publishing: dict) -> dict:
    """Step 6: three publishes in a row while a reader queries in a loop."""
    reader = Reader(center, "reader-swaps")
    published, month_files = [killed_while_publishing["version"]], []
    try:
        for _ in range(3):
            out = subprocess.run(_publish_command(center), check=True, capture_output=True, text=True, timeout=120)
            published += re.findall(r"building version (\S+)", out.stdout)
            month_files += re.findall(r"Parquet files: (\d+) written \(\d+ of them days\), (\d+) linked", out.stdout)
    finally:
        seen = reader.stop()
    warehouse = center["warehouse"]
    (view,) = query(warehouse, "select sql from duckdb_views() where view_name = 'fct_contact_legs'")
    return {
        "published": published,
        "month_files": month_files,
        "seen": seen,
        "version": _published_version(warehouse),
        "leftovers": list(center["root"].glob("warehouse.duckdb.next-*")),
        "version_folders": [p.name for p in (center["root"] / "warehouse.duckdb.parts").iterdir() if p.is_dir()],
        "legs_view": view[0],
    }


def test_kill_during_ingest_keeps_every_landed_file_whole(killed_during_ingest: dict) -> None:
    # killed once the first file has landed (each file's rows and manifest row commit in one transaction)
    assert sum("rows loaded" in line for line in killed_during_ingest["lines"]) == 1
    per_file = killed_during_ingest["per_file"]
    assert len(per_file) >= 1
    assert all(manifest_rows == raw_rows for _, manifest_rows, raw_rows in per_file), per_file
    assert not killed_during_ingest["published"]  # nothing was ever published


def test_kill_during_dbt_publishes_nothing(center: dict, killed_during_dbt: dict) -> None:
    assert not killed_during_dbt["published"]
    # ingest finished in this run: every export file is landed exactly once
    hashes = killed_during_dbt["hashes"]
    assert len(hashes) == len(set(hashes))
    assert set(hashes) == _export_hashes(center["landing"])


def test_run_after_the_kills_publishes_the_right_result_while_a_reader_queries(center: dict, recovered: dict) -> None:
    assert "[checks] reconciliation: passed" in recovered["out"]
    # the reader waited for the first version, then read it whole on every read, never failing
    seen = recovered["seen"]
    assert seen["errors"] == [] and seen["inconsistent"] == []
    assert seen["reads"] >= 1 and seen["versions"] == [recovered["version"]]

    raw_offered = duckdb.sql(
        f"select count(distinct leg_id) from read_csv('{center['landing']}/calls/*.csv', all_varchar = true) "
        "where direction = 'inbound' and coalesce(queue, '') <> ''"
    ).fetchall()[0][0]
    assert raw_offered > 100  # a real workload
    assert recovered["offered"] == raw_offered
    loads = recovered["loads"]
    assert loads[0] == loads[1] == len(_export_hashes(center["landing"]))  # nothing loaded twice, nothing lost
    # the run report: every dbt node of the build, none failed
    statuses = recovered["statuses"]
    assert set(statuses) <= {"success", "pass"} and statuses["success"] > 50


def test_a_run_over_no_new_files_is_a_no_op(recovered: dict, quiet_night: dict) -> None:
    """What the nightly schedule does on a quiet night: ingest finds nothing, no build, the same version stays."""
    assert f"[dbt] nothing new since published version {recovered['version']}" in quiet_night["out"]
    assert "[publish]" not in quiet_night["out"]
    assert quiet_night["version"] == recovered["version"]


def test_kill_while_publishing_keeps_the_previous_version(recovered: dict, killed_while_publishing: dict) -> None:
    assert killed_while_publishing["version"] == recovered["version"]
    assert killed_while_publishing["leftovers"]  # the half-built next version, beside it


def test_readers_across_version_swaps_see_whole_versions_only(center: dict, three_publishes: dict) -> None:
    seen, published, month_files = three_publishes["seen"], three_publishes["published"], three_publishes["month_files"]
    assert seen["errors"] == [] and seen["inconsistent"] == []
    assert len(published) == 4 and published[-1] == three_publishes["version"]
    # versions appear in publishing order, each read whole; the reader saw at least one swap happen
    assert len(seen["versions"]) >= 2
    assert seen["versions"] == [v for v in published if v in seen["versions"]]
    assert not three_publishes["leftovers"]  # the killed publish's leftover is gone
    # the big facts are Parquet files (months, days); the pipeline did not change, so every file was linked
    assert len(month_files) == 3 and all(written == "0" and int(linked) > 0 for written, linked in month_files)
    # every version's folder is kept (superseded less than the retention ago); the views read the current one's
    assert set(published) <= set(three_publishes["version_folders"])
    parts = center["root"] / "warehouse.duckdb.parts"
    assert f"{parts / published[-1]}/fct_contact_legs/" in three_publishes["legs_view"]
