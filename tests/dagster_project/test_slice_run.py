"""Slice runs (dagster_project/slice_run.py): the rule that says a run is one, the facts it reads from a pipeline
database, and what a slice run builds (dbt/selectors.yml) covering what the today pages and provisional marts need.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

from dagster_project.dbt_project import MANIFEST_PATH, ensure_dbt_manifest
from dagster_project.run_report import record_build_basis, record_build_results
from dagster_project.slice_run import (
    FULL,
    SLICE,
    NewFile,
    SliceFacts,
    decide_run_scope,
    nodes_built_by_run,
    read_slice_facts,
    relation_name,
    run_scope_of,
    slice_run_nodes,
    tables_not_built_by_slice_run,
)

DAY, BEFORE = date(2026, 11, 25), date(2026, 11, 24)
OPEN = frozenset({("calls", DAY), ("agent_states", DAY)})


def _slice(source: str, cutoff: str, day: date = DAY) -> NewFile:
    return NewFile(source, f"{source}/{source}_{day}_{cutoff}.csv", ((day, "file_name"),))


def _facts(*files: NewFile, **changes) -> SliceFacts:
    return SliceFacts(tuple(files), OPEN, OPEN, **changes)


def test_slices_of_a_day_already_open_make_a_slice_run() -> None:
    scope = decide_run_scope(_facts(_slice("calls", "0815"), _slice("agent_states", "0815")))
    assert (scope.kind, scope.open_day) == (SLICE, DAY)
    assert scope.files == ("calls/calls_2026-11-25_0815.csv", "agent_states/agent_states_2026-11-25_0815.csv")


@pytest.mark.parametrize(
    ("facts", "words"),
    [
        # the day's last slice: its cutoff reached midnight, the day is closed now
        (SliceFacts((_slice("calls", "2400"),), frozenset({("agent_states", DAY)}), OPEN), "closes 2026-11-25"),
        # a re-sent slice of yesterday (closed): a closed day's data changed
        (_facts(_slice("calls", "1000", BEFORE)), "closed day"),
        # the first slice of a day: the day before may close with it and the forecast origin moves
        (SliceFacts((_slice("calls", "0015"),), OPEN, frozenset()), "first slice of 2026-11-25"),
        (_facts(NewFile("schedules", "schedules/schedules_2026-W48.csv")), "not exported in slices"),
        (_facts(NewFile("calls", "calls/calls_2026-11-25.csv", ((DAY, "whole_file"),))), "not a slice"),
        (
            _facts(NewFile("calls", "calls/export.csv", ((BEFORE, "latest_timestamp"), (DAY, "latest_timestamp")))),
            "not a slice",
        ),
        (_facts(), "no new files"),  # the nightly run after slices: every model catches up
        (_facts(_slice("calls", "0815"), full_refresh_reason="settings or dbt code changed"), "settings or dbt code"),
        (_facts(_slice("calls", "0815"), rebuild_dates=("2026-11-20",)), "local days to rebuild"),
        (_facts(_slice("calls", "0815"), stale_domains=("service",)), "stale domains (service)"),
        (_facts(_slice("calls", "0815"), has_published=False), "no published warehouse"),
        (_facts(_slice("calls", "0815"), last_build_recorded_files=False), "did not record"),
        (_facts(_slice("calls", "0815"), full_run_requested="the scheduled (nightly) run"), "nightly"),
        (
            SliceFacts(
                (_slice("calls", "0815"), _slice("calls", "0015", date(2026, 11, 26))),
                OPEN | {("calls", date(2026, 11, 26))},
                OPEN | {("calls", date(2026, 11, 26))},
            ),
            "2 open days",
        ),
    ],
)
def test_anything_else_makes_a_full_run(facts: SliceFacts, words: str) -> None:
    scope = decide_run_scope(facts)
    assert scope.kind == FULL and words in scope.reason, scope


def _pipeline_db(path: Path) -> Path:
    """The ops tables ingest writes, by hand: yesterday whole, today's slices to 08:00 (files 1-4) landed by a
    successful build, then the 08:15 slices (5, 6)."""
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema ops")
        con.execute("create table ops.loaded_files (source varchar, path varchar, file_seq bigint)")
        con.execute(
            "create table ops.loaded_file_cutoffs (source varchar, file varchar, file_seq bigint, local_date date, "
            "cutoff_at timestamptz, cutoff_from varchar, recorded_at timestamptz)"
        )
        files = [
            (1, "calls", f"calls/calls_{BEFORE}.csv", BEFORE, "whole_file"),
            (2, "agent_states", f"agent_states/agent_states_{BEFORE}.csv", BEFORE, "whole_file"),
            (3, "calls", f"calls/calls_{DAY}_0800.csv", DAY, "file_name"),
            (4, "agent_states", f"agent_states/agent_states_{DAY}_0800.csv", DAY, "file_name"),
            (5, "calls", f"calls/calls_{DAY}_0815.csv", DAY, "file_name"),
            (6, "agent_states", f"agent_states/agent_states_{DAY}_0815.csv", DAY, "file_name"),
        ]
        for seq, source, name, day, cutoff_from in files:
            con.execute("insert into ops.loaded_files values (?, ?, ?)", [source, name, seq])
            con.execute(
                "insert into ops.loaded_file_cutoffs values (?, ?, ?, ?, now(), ?, now())",
                [source, name, seq, day, cutoff_from],
            )
        con.execute(
            "create table ops.source_day_completeness as select source, local_date, local_date < date '2026-11-25' "
            "as is_closed from ops.loaded_file_cutoffs group by all"
        )
    finally:
        con.close()
    return path


def test_the_facts_come_from_the_files_landed_since_the_last_successful_build(tmp_path: Path) -> None:
    db = _pipeline_db(tmp_path / "p.duckdb")
    # a build by code before slice runs recorded no scope: a full run, which records what it saw
    record_build_basis(db, "run-0", "A", "started")
    record_build_basis(db, "run-0", "A", "success")
    assert decide_run_scope(read_slice_facts(db)).reason == "the last build did not record the files it saw"
    record_build_basis(db, "run-1", "A", "started", run_scope=FULL, max_file_seq=4)
    record_build_basis(db, "run-1", "A", "success")
    facts = read_slice_facts(db)
    assert [f.path for f in facts.new_files] == [
        f"calls/calls_{DAY}_0815.csv",
        f"agent_states/agent_states_{DAY}_0815.csv",
    ]
    assert facts.days_sliced_before == OPEN and facts.open_days == OPEN
    assert decide_run_scope(facts).kind == SLICE
    # a failed build since does not move the watermark: its files are still new
    record_build_basis(db, "run-2", "A", "started", run_scope=SLICE, max_file_seq=6)
    record_build_basis(db, "run-2", "A", "failed")
    assert len(read_slice_facts(db).new_files) == 2
    assert (run_scope_of(db, "run-2"), run_scope_of(db, "run-1"), run_scope_of(db, "no-such-run")) == (
        SLICE,
        FULL,
        FULL,
    )


# --- what a slice run builds ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def manifest() -> dict:
    ensure_dbt_manifest()
    return json.loads(MANIFEST_PATH.read_text())


def test_a_slice_run_builds_every_mart_the_today_pages_read_and_every_provisional_mart(manifest, tmp_path) -> None:
    """A new query of the today pages or a new model with `is_provisional` fails here until dbt/selectors.yml
    covers it (a slice run would otherwise leave it at its last full run's version, silently)."""
    from dashboards.build import render_all, render_today_pages
    from tests.dashboards.warehouse import build_today_warehouse

    warehouse, html = build_today_warehouse(tmp_path / "warehouse.duckdb"), tmp_path / "html"
    render_all(warehouse, html, progress=None)
    before = {page.name: page.stat().st_mtime_ns for page in html.glob("*.html")}
    report = render_today_pages(warehouse, html, progress=None)
    assert report is not None and report.tables_read
    # only the today pages were written (the index links the same ones); every other page is as it was
    assert sorted(p.path.name for p in report.pages) == ["today_north.html", "today_south.html"]
    after = {page.name: page.stat().st_mtime_ns for page in html.glob("*.html")}
    assert {name for name in before if after[name] != before[name]} == {"today_north.html", "today_south.html"}
    assert len(before) > 5 and after.keys() == before.keys()
    # a team without its today page yet (the index would not link it): nothing written, the caller renders all
    (html / "today_south.html").unlink()
    assert render_today_pages(warehouse, html, progress=None) is None
    assert after["today_north.html"] == (html / "today_north.html").stat().st_mtime_ns
    built = {relation_name(manifest["nodes"][uid]) for uid in slice_run_nodes(manifest)}
    dbt_tables = {
        relation_name(node) for node in manifest["nodes"].values() if node["resource_type"] in ("model", "seed")
    }
    read_by_today = {table for table in report.tables_read if table in dbt_tables}
    assert {"marts.fct_contact_legs", "marts.fct_agent_state_spans", "marts.dim_agent"} <= read_by_today
    assert read_by_today - built == set()
    provisional = {
        relation_name(node)
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and "is_provisional" in node.get("columns", {})
    }
    assert {"marts.kpi_service_daily", "marts.fct_adherence_spans"} <= provisional
    assert provisional - built == set()
    # and it is a real cut: most marts wait for the day's close
    assert len(tables_not_built_by_slice_run(manifest)) > len(built & {t for t in dbt_tables if t.startswith("marts.")})


def test_publish_keeps_what_dbt_did_not_report_built(manifest, tmp_path: Path) -> None:
    db = tmp_path / "p.duckdb"
    results = [("model.tilsyn.kpi_service_daily", "success"), ("model.tilsyn.fct_contact_legs", "error")]
    results += [("test.tilsyn.not_null_x", "pass"), ("seed.tilsyn.kpi_targets", "success")]
    record_build_results(db, "run-1", {"results": [{"unique_id": u, "status": s} for u, s in results]})
    built = nodes_built_by_run(db, "run-1")
    assert built == {"model.tilsyn.kpi_service_daily", "seed.tilsyn.kpi_targets"}
    kept = tables_not_built_by_slice_run(manifest, built)
    assert "marts.kpi_service_daily" not in kept and "marts.kpi_targets" not in kept
    assert {"marts.fct_contact_legs", "marts.kpi_service_weekly"} <= kept  # failed, or not selected
