"""Fuzzing the pipeline (issue 17, "Fuzzing as a test", pipeline level): batched `tilsyn run`s through ingest, the
real dbt build, publish and the dashboards, each run carrying every fault class of the catalogue at once.

The faults come from the same generators as the ingest fuzz (tests/support/fault_catalogue.py): Hypothesis draws
`BATCH_EXAMPLES` examples (derandomized: the same every run), each composing every class of `CATALOGUE` with its own
key prefix; all their files land beside a small generated center (4 agents x 2 days, 9-10 March 2026, the day the
catalogue's rows are on). Two runs go side by side (two processes, so two cores share the cost):
- the faulty run: the generated center plus every fault file, in the generators' arrival order;
- the clean-twin run: the same generated center plus one plain file per source holding the clean twins of the rows
  that must win (what the generators say should survive: a valid oddity's rows, a re-sent or tied file's winners, a
  faulty file's rows minus its quarantined lines or agent-days).
Properties:
- both publish: the clean-twin run exits 0, the faulty run 1 ("published, with rows quarantined or files rejected");
- the faulty run's marts equal the clean-twin run's, table for table, row for row: the faults cost exactly the rows
  and agent-days `ops.quarantined_rows` lists, and that list is exactly the lines the generators broke (no more, no
  fewer), `ops.quarantine_daily` counts them per source and day, and `ops.rejected_files` holds exactly the files
  that cannot be read;
- no card number, IBAN or restricted roster value (the catalogue's and the generated center's names, pay and
  termination reasons) is readable anywhere in the analyst warehouse or the dashboards' HTML;
- a second run with no new files succeeds and changes nothing;
- every catalogue class was exercised (each one contributes files to the batch).
"""

from __future__ import annotations

import csv
import hashlib
import os
import resource
import shutil
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from ingest.contracts import SOURCES
from tests.ingest.ingest_fixtures import query
from tests.support.fault_catalogue import CATALOGUE, SECRETS, Outcome, csv_bytes
from tests.support.marts import marts_rows
from tests.support.secret_scan import scan_text_columns

pytestmark = pytest.mark.e2e

TILSYN = str(Path(sys.executable).parent / "tilsyn")
BATCH_EXAMPLES = 3  # each composes every class once: 3 x 31 faults in one run
START = date(2026, 3, 9)  # the catalogue's rows are on 10 March 2026 (Oslo)
# Tables of ops that record the run itself (when, which load or version), not the data: not compared across runs.
RUN_RECORDS = {"loads", "loaded_files", "build_results", "dbt_build_basis", "published_version", "published_parts"}
# Lineage columns of the facts (MARTS.md): which export file a row came from and when it was built differ by design
# between the faulty run (a row's winning file) and the clean-twin run (one file per source).
LINEAGE = ("_file_seq", "_built_at")


def draw_batch() -> tuple[Outcome, Counter]:
    """`BATCH_EXAMPLES` Hypothesis examples, each every class of the catalogue with its own key prefix, as one Outcome
    whose files carry `e<example>c<class>_` in their names."""
    batch, exercised = Outcome(), Counter()

    @settings(
        max_examples=BATCH_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def example(data: st.DataObject) -> None:
        n = len(exercised_examples)
        exercised_examples.append(n)
        for k, name in enumerate(sorted(CATALOGUE)):
            part = CATALOGUE[name](data.draw, f"e{n}c{k}")
            if part.files:
                exercised[name] += 1
            prefix = f"e{n}c{k}_"
            for source, file, content in part.files:
                batch.add(source, prefix + file, content)
            batch.quarantined |= {(_renamed(f, prefix), line) for f, line in part.quarantined}
            batch.superseded |= {(_renamed(f, prefix), line) for f, line in part.superseded}
            batch.rejected |= {_renamed(f, prefix) for f in part.rejected}
            for source, rows in part.winners.items():
                batch.win(source, rows)

    exercised_examples: list[int] = []
    example()
    assert len(exercised_examples) == BATCH_EXAMPLES
    return batch, exercised


def _renamed(rel: str, prefix: str) -> str:
    source, name = rel.split("/", 1)
    return f"{source}/{prefix}{name}"


def _land(landing: Path, template: Path, files: list[tuple[str, str, bytes]]) -> None:
    """The generated center (in its own order), then `files` in arrival order, a second apart."""
    shutil.copytree(template, landing)
    clock = int(time.time()) - 3_600
    generated = sorted((p for p in landing.rglob("*") if p.is_file()), key=lambda p: (p.stat().st_mtime_ns, p.name))
    for path in generated:
        clock += 1
        os.utime(path, (clock, clock))
    for source, name, content in files:
        path = landing / source / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        clock += 1
        os.utime(path, (clock, clock))


def _twin_files(batch: Outcome) -> list[tuple[str, str, bytes]]:
    files = []
    for source in SOURCES:
        rows = batch.winners.get(source, [])
        if rows:
            columns = list(dict.fromkeys(k for r in rows for k in r))
            files.append((source, "clean_twins.csv", csv_bytes(rows, columns=columns)))
    return files


def _args(root: Path) -> list[str]:
    return [
        TILSYN,
        "run",
        "--landing",
        str(root / "landing"),
        "--warehouse",
        str(root / "warehouse.duckdb"),
        "--dashboards",
        str(root / "dashboards"),
    ]


def _finish(process: subprocess.Popen, started: float) -> dict:
    stdout, stderr = process.communicate(timeout=900)
    return {"exit": process.returncode, "stdout": stdout, "stderr": stderr, "seconds": time.perf_counter() - started}


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _explain(run: dict) -> str:
    return f"exit {run['exit']}:\n{run['stdout'][-6000:]}\n{run['stderr'][-3000:]}"


def _ops_rows(warehouse: Path) -> dict[str, list]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'ops' order by 1"
            ).fetchall()
            if t not in RUN_RECORDS
        ]
        return {t: sorted(con.execute(f"select * from ops.{t}").fetchall(), key=repr) for t in tables}
    finally:
        con.close()


@pytest.fixture(scope="module")
def fuzz(tmp_path_factory: pytest.TempPathFactory) -> dict:
    from ingest.sample import generate_center

    root = tmp_path_factory.mktemp("fuzz_pipeline")
    template = root / "generated"
    generate_center(template, agents=4, days=2, start=START, seed=17, progress=None)
    batch, exercised = draw_batch()
    faulty, twins = root / "faulty", root / "twins"
    _land(faulty / "landing", template, batch.files)
    _land(twins / "landing", template, _twin_files(batch))
    env = {**os.environ, "TILSYN_PSEUDONYM_KEY": "fuzz-pipeline-test-key"}
    started, cpu = time.perf_counter(), _children_cpu_seconds()
    running = {
        name: subprocess.Popen(_args(folder), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name, folder in (("faulty", faulty), ("twins", twins))
    }
    runs = {name: _finish(process, started) for name, process in running.items()}
    seconds, cpu = time.perf_counter() - started, _children_cpu_seconds() - cpu
    print(f"fuzz pipeline: {len(batch.files)} fault files, both runs side by side in {seconds:.1f} s ({cpu:.1f} s CPU)")
    generated_roster = [r for p in (template / "roster").glob("*.csv") for r in csv.DictReader(p.open())]
    return {
        "root": root,
        "batch": batch,
        "exercised": exercised,
        "faulty": faulty,
        "twins": twins,
        "runs": runs,
        "env": env,
        "generated_roster": generated_roster,
        # each test reads these, never the live warehouse (the rerun below replaces nothing, but may publish)
        "faulty_marts": marts_rows(faulty / "warehouse.duckdb", without=LINEAGE),
        "faulty_ops": _ops_rows(faulty / "warehouse.duckdb"),
    }


@pytest.fixture(scope="module")
def rerun(fuzz: dict) -> dict:
    """The faulty center run again with no new files."""
    warehouse = fuzz["faulty"] / "warehouse.duckdb"
    (version,) = {v for (v,) in query(warehouse, "select distinct version_id from ops.published_version")}
    started, cpu = time.perf_counter(), _children_cpu_seconds()
    run = _finish(
        subprocess.Popen(
            _args(fuzz["faulty"]), env=fuzz["env"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        ),
        started,
    )
    (after,) = {v for (v,) in query(warehouse, "select distinct version_id from ops.published_version")}
    print(f"fuzz pipeline: rerun in {run['seconds']:.1f} s ({_children_cpu_seconds() - cpu:.1f} s of CPU)")
    return {**run, "version_before": version, "version_after": after}


def test_both_runs_publish_the_faulty_one_with_exit_1(fuzz: dict) -> None:
    twins, faulty = fuzz["runs"]["twins"], fuzz["runs"]["faulty"]
    assert twins["exit"] == 0, _explain(twins)
    assert faulty["exit"] == 1, _explain(faulty)
    assert "exit status       : 1 (published" in faulty["stdout"]
    statuses = query(fuzz["faulty"] / "warehouse.duckdb", "select domain, status from ops.domain_status")
    assert statuses and {s for _, s in statuses} == {"fresh"}, statuses


def test_ops_lists_exactly_the_lines_the_faults_broke(fuzz: dict) -> None:
    warehouse = fuzz["faulty"] / "warehouse.duckdb"
    listed = set(query(warehouse, "select file, line from ops.quarantined_rows"))
    expected = fuzz["batch"].quarantined
    assert listed == expected, sorted(listed ^ expected)
    # a line a later file sent again is superseded: listed for audit, not counted
    superseded = set(
        query(warehouse, "select file, line from ops.quarantined_rows where superseded_by_file is not null")
    )
    assert superseded == fuzz["batch"].superseded, sorted(superseded ^ fuzz["batch"].superseded)
    # the others are counted on the day each belongs to, per source
    per_source = Counter(f.split("/")[0] for f, _ in expected - superseded)
    counted = dict(query(warehouse, "select source, sum(quarantined_rows) from ops.quarantine_daily group by 1"))
    assert counted == per_source
    contents = {f"{s}/{n}": c for s, n, c in fuzz["batch"].files}
    rejected = {h for (h,) in query(warehouse, "select sha256 from ops.rejected_files")}
    assert rejected == {hashlib.sha256(contents[f]).hexdigest() for f in fuzz["batch"].rejected}
    twins = fuzz["twins"] / "warehouse.duckdb"
    assert query(twins, "select count(*) from ops.quarantined_rows") == [(0,)]
    assert query(twins, "select count(*) from ops.rejected_files") == [(0,)]


def test_faulty_marts_are_the_clean_twins_marts(fuzz: dict) -> None:
    twins = marts_rows(fuzz["twins"] / "warehouse.duckdb", without=LINEAGE)
    faulty = fuzz["faulty_marts"]
    assert set(faulty) == set(twins)
    differing = {t for t in twins if faulty[t] != twins[t]}
    assert not differing, {t: (len(faulty[t]), len(twins[t])) for t in sorted(differing)}
    assert sum(len(rows) for rows in faulty.values()) > 1_000  # the marts are not empty
    for table in ("fct_contact_legs", "kpi_service_daily", "kpi_agent_daily", "fct_schedule_segments"):
        assert faulty[table], table


def _restricted_values(fuzz: dict) -> list[str]:
    """The catalogue's secrets, and the generated center's names, pay and termination reasons."""
    values = list(SECRETS)
    for row in fuzz["generated_roster"]:
        values += [row["full_name"], row["termination_reason"], row["hourly_cost"]]
    return sorted({v for v in values if v and len(v) >= 5})


def test_no_card_iban_or_restricted_value_is_readable_in_the_warehouse_or_the_dashboards(fuzz: dict) -> None:
    secrets = _restricted_values(fuzz)
    assert any("." in s and s[0].isdigit() for s in secrets) and "Kari Fuzzmann" in secrets
    for run in ("faulty", "twins"):
        scan = scan_text_columns(fuzz[run] / "warehouse.duckdb", secrets)
        assert len(scan.columns) > 100
        assert not scan.found, (run, scan.found)
        pages = sorted((fuzz[run] / "dashboards").glob("*.html"))
        assert len(pages) >= 5
        for page in pages:
            html = page.read_text(encoding="utf-8")
            found = [s for s in secrets if s in html]
            assert not found, (run, page.name, found)


def test_a_second_run_with_no_new_files_changes_nothing(fuzz: dict, rerun: dict) -> None:
    assert rerun["exit"] == 1, _explain(rerun)  # the warehouse it leaves has this load's quarantined rows
    assert "no build, no publish" in rerun["stdout"]
    assert rerun["version_after"] == rerun["version_before"]
    warehouse = fuzz["faulty"] / "warehouse.duckdb"
    assert marts_rows(warehouse, without=LINEAGE) == fuzz["faulty_marts"]
    assert _ops_rows(warehouse) == fuzz["faulty_ops"]


def test_every_catalogue_class_was_exercised(fuzz: dict) -> None:
    runs = fuzz["runs"]
    print(
        f"fuzz pipeline: {BATCH_EXAMPLES} examples x {len(CATALOGUE)} classes, {len(fuzz['batch'].files)} files, "
        f"{len(fuzz['batch'].quarantined)} lines quarantined; runs (side by side) "
        + ", ".join(f"{name} {run['seconds']:.1f} s" for name, run in runs.items())
    )
    assert len(CATALOGUE) >= 25
    assert set(fuzz["exercised"]) == set(CATALOGUE), sorted(set(CATALOGUE) - set(fuzz["exercised"]))
    assert all(count == BATCH_EXAMPLES for count in fuzz["exercised"].values())
