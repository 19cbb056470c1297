"""Slice runs (issue 21): a run whose only new files are slices of a day that is still open does less work.

Most of a run is fixed cost (dbt start-up and ~250 data tests, the forecast and plan steps, publish of every mart,
every dashboard page), so a 15-minute slice cost 0.97 of a whole-day run. A **slice run** builds only the dbt models
of `dbt/selectors.yml` `slice_run` (what the today pages and the provisional marts read, with their parents) and the
data tests whose every parent is built, skips the forecast and the staffing plan (no day closed, so their origin
stands), publishes the tables it built and keeps every other table at its published version, and renders the today
pages only. The other models catch up from their own watermarks (dbt/macros/incremental.sql) at the next full run:
when the day closes, any file of a closed day or another source lands, the settings or dbt code change, a run finds
no new file (the nightly run after slices), or the nightly schedule runs.

`decide_run_scope` is the rule, in one plain function over facts read from the pipeline database
(`read_slice_facts`); the dbt step records its answer in `ops.dbt_build_scope` (beside `ops.dbt_build_basis`) for
the later steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import yaml

from dagster_project.settings import DBT_PROJECT_DIR
from ingest.load import SLICED_SOURCES  # the sources exported as time slices

SLICE_SELECTOR = "slice_run"
SELECTORS_PATH = DBT_PROJECT_DIR / "selectors.yml"
SLICE = "slice"
FULL = "full"


@dataclass(frozen=True)
class NewFile:
    """A file landed since the last successful build, with what its name says of the local days it covers."""

    source: str
    path: str
    # (local_date, cutoff_from) per local day the file covers; cutoff_from is 'file_name' for a slice
    days: tuple[tuple[date, str], ...] = ()


@dataclass(frozen=True)
class SliceFacts:
    """What the slice-run rule looks at (read_slice_facts reads them from the pipeline database)."""

    new_files: tuple[NewFile, ...]
    open_days: frozenset[tuple[str, date]]  # (source, local_date) not closed now (ops.source_day_completeness)
    # (source, local_date) with a slice landed by an earlier successful build: days that were open before this run
    days_sliced_before: frozenset[tuple[str, date]]
    last_build_recorded_files: bool = True  # the last successful build recorded the newest file it saw
    has_published: bool = True
    full_refresh_reason: str | None = None
    rebuild_dates: tuple[str, ...] = ()
    stale_domains: tuple[str, ...] = ()
    full_run_requested: str | None = None  # why a full run was asked for ("the nightly schedule", "--full")


@dataclass(frozen=True)
class RunScope:
    kind: str  # SLICE or FULL
    reason: str  # plain words for the run's output
    open_day: date | None = None
    files: tuple[str, ...] = field(default=())

    @property
    def is_slice(self) -> bool:
        return self.kind == SLICE


def decide_run_scope(facts: SliceFacts) -> RunScope:
    """A slice run when every file landed since the last successful build is a slice (its name states its cutoff) of
    calls or agent states, of a local day still open now that already had a slice before (so no day closed, not even
    by a later day's first file, and the forecast origin stands), and nothing else asks for a full run."""

    def full(reason: str) -> RunScope:
        return RunScope(FULL, reason)

    if facts.full_run_requested:
        return full(f"{facts.full_run_requested} builds everything")
    if facts.full_refresh_reason:
        return full(facts.full_refresh_reason)
    if facts.rebuild_dates:
        return full("local days to rebuild were asked for")
    if facts.stale_domains:
        return full(f"stale domains ({', '.join(facts.stale_domains)}) are rebuilt")
    if not facts.has_published:
        return full("no published warehouse to keep tables from")
    if not facts.last_build_recorded_files:
        return full("the last build did not record the files it saw")
    if not facts.new_files:
        return full("no new files since the last build (a run after slices completes every model)")
    open_days = set()
    for new in facts.new_files:
        if new.source not in SLICED_SOURCES:
            return full(f"{new.path}: {new.source} is not exported in slices")
        if len(new.days) != 1 or new.days[0][1] != "file_name":
            return full(f"{new.path} is not a slice of one day (no cutoff in its name)")
        day = new.days[0][0]
        if (new.source, day) not in facts.open_days:
            return full(f"{new.path} closes {day} or is of a closed day")
        if (new.source, day) not in facts.days_sliced_before:
            return full(f"{new.path} is the first slice of {day} (the day before it may close, the origin moves)")
        open_days.add(day)
    if len(open_days) > 1:
        return full(f"slices of {len(open_days)} open days ({', '.join(map(str, sorted(open_days)))})")
    return RunScope(
        SLICE, "only slices of an open day are new", open_days.pop(), tuple(f.path for f in facts.new_files)
    )


def _has_table(con: duckdb.DuckDBPyConnection, table: str, column: str | None = None) -> bool:
    sql = "select count(*) from duckdb_columns() where schema_name = 'ops' and table_name = ?"
    params = [table]
    if column:
        sql += " and column_name = ?"
        params.append(column)
    return con.execute(sql, params).fetchone()[0] > 0


def read_slice_facts(pipeline_db: Path, **decided: Any) -> SliceFacts:
    """The facts of `decide_run_scope` from the pipeline database; `decided` adds what the dbt step already knows
    (full_refresh_reason, rebuild_dates, stale_domains, has_published, full_run_requested)."""
    con = duckdb.connect(str(pipeline_db), read_only=True)
    try:
        if not all(_has_table(con, t) for t in ("dbt_build_scope", "loaded_file_cutoffs", "source_day_completeness")):
            return SliceFacts((), frozenset(), frozenset(), last_build_recorded_files=False, **decided)
        # the newest file the last successful build saw (none recorded: a build by code before slice runs)
        row = con.execute(
            "select scope.max_file_seq from ops.dbt_build_basis as basis "
            "left join ops.dbt_build_scope as scope on scope.run_id = basis.run_id "
            "where basis.status = 'success' order by basis.started_at desc limit 1"
        ).fetchone()
        if row is None or row[0] is None:
            return SliceFacts((), frozenset(), frozenset(), last_build_recorded_files=False, **decided)
        watermark = row[0]
        files: dict[tuple[str, str], list[tuple[date, str]]] = {}
        for source, path, local_date, cutoff_from in con.execute(
            "select f.source, f.path, c.local_date, c.cutoff_from from ops.loaded_files as f "
            "left join ops.loaded_file_cutoffs as c on c.file_seq = f.file_seq "
            "where f.file_seq > ? order by f.file_seq, c.local_date",
            [watermark],
        ).fetchall():
            days = files.setdefault((source, path), [])
            if local_date is not None:
                days.append((local_date, cutoff_from))
        open_days = con.execute(
            "select source, local_date from ops.source_day_completeness where not is_closed"
        ).fetchall()
        sliced_before = con.execute(
            "select distinct source, local_date from ops.loaded_file_cutoffs "
            "where cutoff_from = 'file_name' and file_seq <= ?",
            [watermark],
        ).fetchall()
    finally:
        con.close()
    return SliceFacts(
        tuple(NewFile(source, path, tuple(days)) for (source, path), days in files.items()),
        frozenset(open_days),
        frozenset(sliced_before),
        **decided,
    )


def newest_file_seq(pipeline_db: Path) -> int | None:
    """The newest landed file's number: what a build sees (recorded with it as `max_file_seq`)."""
    con = duckdb.connect(str(pipeline_db), read_only=True)
    try:
        if not _has_table(con, "loaded_files"):
            return 0
        return con.execute("select coalesce(max(file_seq), 0) from ops.loaded_files").fetchone()[0]
    finally:
        con.close()


def run_scope_of(pipeline_db: Path, run_id: str) -> str:
    """The scope the dbt step of run `run_id` recorded (SLICE or FULL); FULL when it recorded none."""
    if not pipeline_db.exists():
        return FULL
    con = duckdb.connect(str(pipeline_db), read_only=True)
    try:
        if not _has_table(con, "dbt_build_scope"):
            return FULL
        row = con.execute("select run_scope from ops.dbt_build_scope where run_id = ?", [run_id]).fetchone()
        return row[0] if row and row[0] else FULL
    finally:
        con.close()


# --- what a slice run builds ------------------------------------------------------------------------------------------
def slice_selector_models(selectors_path: Path = SELECTORS_PATH) -> list[str]:
    """The model names the `slice_run` selector names (each with its parents)."""
    selectors = yaml.safe_load(selectors_path.read_text())["selectors"]
    (selector,) = [s for s in selectors if s["name"] == SLICE_SELECTOR]
    names = []
    for criterion in selector["definition"]["union"]:
        if criterion.get("method") != "fqn" or not criterion.get("parents"):
            raise ValueError(f"{selectors_path}: {SLICE_SELECTOR} holds only fqn criteria with parents: {criterion}")
        names.append(criterion["value"])
    return names


def slice_run_nodes(manifest: Mapping[str, Any], selectors_path: Path = SELECTORS_PATH) -> set[str]:
    """unique_ids of the models and seeds a slice run builds: the selector's models and all their parents (as dbt
    resolves `parents: true`), read from the manifest."""
    nodes = manifest["nodes"]
    by_name = {n["name"]: uid for uid, n in nodes.items() if n["resource_type"] in ("model", "seed", "snapshot")}
    missing = [name for name in slice_selector_models(selectors_path) if name not in by_name]
    if missing:
        raise ValueError(f"{selectors_path}: {SLICE_SELECTOR} names models the dbt project lacks: {missing}")
    selected: set[str] = set()
    stack = [by_name[name] for name in slice_selector_models(selectors_path)]
    while stack:
        uid = stack.pop()
        if uid in selected or uid not in nodes:
            continue
        selected.add(uid)
        stack += nodes[uid].get("depends_on", {}).get("nodes", [])
    return {uid for uid in selected if nodes[uid]["resource_type"] in ("model", "seed", "snapshot")}


def relation_name(node: Mapping[str, Any]) -> str:
    """`schema.table` of a dbt node as published."""
    return f"{node['schema']}.{node.get('alias') or node['name']}"


def nodes_built_by_run(pipeline_db: Path, run_id: str) -> set[str]:
    """unique_ids of the models, seeds and snapshots dbt built in run `run_id`, as dbt reported them
    (`ops.build_results`): what a slice run's publish takes from the pipeline."""
    con = duckdb.connect(str(pipeline_db), read_only=True)
    try:
        if not _has_table(con, "build_results"):
            return set()
        rows = con.execute(
            "select node_type, node from ops.build_results where run_id = ? and status = 'success' "
            "and node_type in ('model', 'seed', 'snapshot')",
            [run_id],
        ).fetchall()
    finally:
        con.close()
    # ops.build_results names a node without its project (`kpi_service_daily`); unique_ids carry it
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["name"]
    return {f"{node_type}.{project}.{node}" for node_type, node in rows}


def tables_not_built_by_slice_run(
    manifest: Mapping[str, Any], built: set[str] | None = None, schemas: tuple[str, ...] = ("marts", "ops")
) -> set[str]:
    """`schema.table` of every dbt-built table in the published schemas that a slice run does not build (`built`:
    the nodes it did build; default: what the selector says): publish keeps their published version."""
    built = slice_run_nodes(manifest) if built is None else built
    return {
        relation_name(node)
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] in ("model", "seed", "snapshot")
        and node["schema"] in schemas
        and uid not in built
        and node.get("config", {}).get("materialized") != "ephemeral"
    }
