"""The run report: what each dbt build built and tested, kept in `ops.build_results` and told on the terminal, and
what each build was built with (`ops.dbt_build_basis`), which decides when the next build must be a full refresh.

Ingest already records what it loaded and rejected (`ops.loads`, `ops.loaded_files`, `ops.rejected_files`); this adds
one row per dbt node (model, seed, test) of each build with its status, seconds and failing-row count, so the
published warehouse says what every version was built from. For a failed test it also reads a sample of the failing
rows by running the test's compiled query again (cheaper than `--store-failures` on a thousand passing tests).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

SAMPLE_ROWS = 5
FAILED_STATUSES = ("fail", "error")
BUILD_RESULTS_DDL = (
    "create table if not exists ops.build_results (run_id varchar, recorded_at timestamp, "
    "node_type varchar, node varchar, status varchar, seconds double, failures bigint, message varchar)"
)
BUILD_BASIS_DDL = (
    "create table if not exists ops.dbt_build_basis (run_id varchar primary key, started_at timestamp, "
    "finished_at timestamp, basis_key varchar, is_full_refresh boolean, rebuild_local_dates varchar[], "
    "status varchar)"
)


@contextmanager
def _ops_table(pipeline_db: Path, table_ddl: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the pipeline database, with the ops table of `table_ddl` created when it is missing."""
    con = duckdb.connect(str(pipeline_db))
    try:
        con.execute("create schema if not exists ops")
        con.execute(table_ddl)
        yield con
    finally:
        con.close()


@dataclass(frozen=True)
class FailedNode:
    """A dbt model or test that failed, with up to SAMPLE_ROWS failing rows for a test."""

    unique_id: str
    message: str
    sample: list[tuple]

    def lines(self) -> list[str]:
        kind, _, name = self.unique_id.split(".", 2)
        head = f"FAILED {kind} {name}: {self.message}"
        return [head] + [f"    failing row: {row}" for row in self.sample]


def record_build_results(pipeline_db: Path, run_id: str, run_results: dict[str, Any]) -> list[FailedNode]:
    """Append this build's nodes to `ops.build_results`; return the failed ones with sample rows."""
    now = datetime.now(UTC).replace(tzinfo=None)
    # unique_id is `<node type>.<project>.<name>`
    rows = [
        (
            run_id,
            now,
            r["unique_id"].split(".")[0],
            r["unique_id"].split(".", 2)[-1],
            r["status"],
            r.get("execution_time") or 0.0,
            r.get("failures"),
            r.get("message"),
        )
        for r in run_results.get("results", [])
    ]
    with _ops_table(pipeline_db, BUILD_RESULTS_DDL) as con:
        if rows:
            con.executemany("insert into ops.build_results values (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        failed = []
        for result in run_results.get("results", []):
            if result["status"] not in FAILED_STATUSES:
                continue
            sample: list[tuple] = []
            if result["unique_id"].startswith("test.") and result.get("compiled_code"):
                try:
                    sample = con.execute(f"select * from ({result['compiled_code']}) limit {SAMPLE_ROWS}").fetchall()
                except duckdb.Error:
                    sample = []  # the test's query itself is broken; its message says why
            failed.append(FailedNode(result["unique_id"], str(result.get("message") or result["status"]), sample))
        return failed


def summary_lines(pipeline_db: Path) -> list[str]:
    """Two lines for the end of a run: the latest load and the latest dbt build, from the pipeline's ops schema."""
    if not pipeline_db.exists():
        return []
    con = duckdb.connect(str(pipeline_db), read_only=True)
    try:
        tables = {
            t for (t,) in con.execute("select table_name from duckdb_tables() where schema_name = 'ops'").fetchall()
        }
        lines = []
        if "loads" in tables:
            load = con.execute(
                "select files_loaded, rows_loaded, files_skipped, files_rejected, "
                "epoch(finished_at - started_at), coalesce(rows_quarantined, 0) "
                "from ops.loads order by started_at desc limit 1"
            ).fetchone()
            if load:
                quarantined = f", {load[5]:,} rows quarantined (ops.quarantined_rows)" if load[5] else ""
                lines.append(
                    f"  loaded            : {load[0]} new files ({load[1]:,} rows), {load[2]} already known, "
                    f"{load[3]} rejected{quarantined}, in {load[4]:.1f} s"
                )
        if "build_results" in tables:
            build = con.execute(
                "select count(*) filter (node_type = 'model'), count(*) filter (node_type <> 'model'), "
                "count(*) filter (status in ('fail', 'error')), sum(seconds) from ops.build_results "
                "where run_id = (select run_id from ops.build_results order by recorded_at desc limit 1)"
            ).fetchone()
            if build[0] + build[1]:  # no rows yet when every build so far stopped before dbt built anything
                lines.append(
                    f"  built (last dbt)  : {build[0]} models, {build[1]} tests and seeds, {build[2]} failed, "
                    f"{build[3]:.1f} s of dbt node time"
                )
        return lines
    finally:
        con.close()


# --- the basis of the last dbt builds -------------------------------------------------------------------------------
# Incremental models keep rows built by earlier runs. Those rows are only right while the metric settings and the dbt
# code are the ones they were built with. A build that stopped half way is no reason to rebuild everything: each
# incremental model is replaced in one transaction and catches up from its own watermark (dbt/macros/incremental.sql),
# so what matters is only whether every build since the last successful one used the current basis.
# `ops.dbt_build_basis` keeps what each build was built with and whether it finished.
@dataclass(frozen=True)
class BuildBasis:
    run_id: str
    basis_key: str
    status: str  # started, success, failed


def build_bases_since_last_success(pipeline_db: Path) -> list[BuildBasis]:
    """The last successful dbt build and every build after it, oldest first; [] when no build was ever recorded."""
    if not pipeline_db.exists():
        return []
    con = duckdb.connect(str(pipeline_db), read_only=True)
    try:
        has = con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'ops' and table_name = 'dbt_build_basis'"
        ).fetchone()[0]
        if not has:
            return []
        rows = con.execute(
            "select run_id, basis_key, status from ops.dbt_build_basis where started_at >= coalesce("
            "(select max(started_at) from ops.dbt_build_basis where status = 'success'), "
            "'-infinity'::timestamp) order by started_at"
        ).fetchall()
        return [BuildBasis(*row) for row in rows]
    finally:
        con.close()


def full_refresh_reason(bases: list[BuildBasis], basis_key: str) -> str | None:
    """Why the next build must rebuild everything (a progress line's words), or None when incremental is right."""
    if not bases:
        return "no earlier build recorded"
    if any(basis.basis_key != basis_key for basis in bases):
        return "settings or dbt code changed since the last build"
    return None  # a failed or killed build of the same basis: every model catches up from its own watermark


def record_build_basis(
    pipeline_db: Path,
    run_id: str,
    basis_key: str,
    status: str,
    full_refresh: bool = False,
    rebuild_local_dates: list[str] | None = None,
    run_scope: str | None = None,
    max_file_seq: int | None = None,
) -> None:
    """Record a dbt build as `started` before it runs, then as `success` or `failed` (same run_id) when it ends.

    With `run_scope` (slice or full, dagster_project/slice_run.py), a row of `ops.dbt_build_scope` tells the later
    steps of the run what to do, and its `max_file_seq` (the newest landed file the build saw) tells the next run
    which files are new since. A table of its own, so that a pipeline database stays readable by older code."""
    now = datetime.now(UTC).replace(tzinfo=None)
    with _ops_table(pipeline_db, BUILD_BASIS_DDL) as con:
        if status == "started":
            # A retried step starts again under the same run id: its earlier attempt is replaced.
            con.execute(
                "insert or replace into ops.dbt_build_basis values (?, ?, null, ?, ?, ?, 'started')",
                [run_id, now, basis_key, full_refresh, list(rebuild_local_dates or [])],
            )
            if run_scope is not None:
                con.execute(
                    "create table if not exists ops.dbt_build_scope (run_id varchar primary key, run_scope varchar, "
                    "max_file_seq bigint)"
                )
                con.execute(
                    "insert or replace into ops.dbt_build_scope values (?, ?, ?)", [run_id, run_scope, max_file_seq]
                )
        else:
            con.execute(
                "update ops.dbt_build_basis set status = ?, finished_at = ? where run_id = ?", [status, now, run_id]
            )
