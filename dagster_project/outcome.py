"""What a run left behind, as one exit status a scheduler can act on (`tilsyn run`, README "Exit status").

| code | meaning |
| --- | --- |
| 0 | published everything: every domain fresh, nothing set aside |
| 1 | published, with source conditions: rows quarantined or files rejected by this run's load, or a source sent no
|   | file for `freshness_days` (its domain is stale for want of data) |
| 2 | bad usage (a missing landing folder, a bad option) |
| 3 | a defect blocked a domain: its marts keep their last good version, the other domains published |
| 4 | nothing published: the run failed before or while publishing (the previous version stays) |

The code describes the warehouse as it stands after the run, so a run over no new files that publishes nothing
repeats the last run's code (a domain blocked by a defect stays blocked until a build succeeds). Plain module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from dagster_project.domains import DomainStatus, read_domain_statuses

EXIT_PUBLISHED = 0
EXIT_SOURCE_CONDITIONS = 1
EXIT_USAGE = 2
EXIT_DEFECT_BLOCKED_DOMAIN = 3
EXIT_NOTHING_PUBLISHED = 4

MEANINGS = {
    EXIT_PUBLISHED: "published everything",
    EXIT_SOURCE_CONDITIONS: "published, with rows quarantined, files rejected or a source overdue",
    EXIT_USAGE: "bad usage",
    EXIT_DEFECT_BLOCKED_DOMAIN: "a defect blocked a domain; the other domains published",
    EXIT_NOTHING_PUBLISHED: "nothing published",
}


@dataclass
class RunOutcome:
    """The facts the exit status is made of."""

    run_succeeded: bool
    stale_domains: list[DomainStatus] = field(default_factory=list)
    quarantined_rows: dict[str, int] = field(default_factory=dict)  # per source, this run's load
    rejected_files: dict[str, int] = field(default_factory=dict)  # per source, this run's load
    overdue_sources: dict[str, float] = field(default_factory=dict)  # source: days without a new file

    @property
    def exit_code(self) -> int:
        if not self.run_succeeded:
            return EXIT_NOTHING_PUBLISHED
        if self.stale_domains:
            return EXIT_DEFECT_BLOCKED_DOMAIN
        if self.quarantined_rows or self.rejected_files or self.overdue_sources:
            return EXIT_SOURCE_CONDITIONS
        return EXIT_PUBLISHED

    def lines(self) -> list[str]:
        lines = [f"  exit status       : {self.exit_code} ({MEANINGS[self.exit_code]})"]
        for status in self.stale_domains:
            lines.append(f"  stale domain      : {status.domain}, since {status.stale_since:%Y-%m-%d %H:%M} UTC")
            lines.append(f"                      {status.reason}")
        if self.quarantined_rows:
            lines.append(
                "  rows quarantined  : "
                + ", ".join(f"{source} {rows:,}" for source, rows in sorted(self.quarantined_rows.items()))
            )
        if self.overdue_sources:
            lines.append(
                "  overdue sources   : "
                + ", ".join(f"{source} ({days:.0f} days)" for source, days in sorted(self.overdue_sources.items()))
            )
        return lines


def _table_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> set[str]:
    return {
        name
        for (name,) in con.execute(
            "select column_name from duckdb_columns() where schema_name = ? and table_name = ?", [schema, table]
        ).fetchall()
    }


def latest_load_counts(pipeline_db: Path) -> tuple[dict[str, int], dict[str, int]]:
    """({source: rows quarantined}, {source: files rejected}) by the latest load that brought a file; empty when none
    were.

    `ops.quarantined_rows` (source, file, line, field, value, reason, ...) is written by ingest's per-row quarantine;
    until a pipeline database has it, there are no quarantined rows. Its rows belong to the latest load by `load_id`
    when it has one, else by the file they came from.
    """
    if not pipeline_db.exists():
        return {}, {}
    con = duckdb.connect(str(pipeline_db), read_only=True)
    try:
        if not _table_columns(con, "ops", "loads"):
            return {}, {}
        # The latest load that brought a file (landed or rejected): a load over no new files changes nothing, so the
        # run repeats the code of the warehouse it leaves instead of reporting it clean.
        brought = ["select load_id from ops.loaded_files"]
        if _table_columns(con, "ops", "rejected_files"):
            brought.append("select load_id from ops.rejected_files")
        (load_id,) = con.execute(
            f"select load_id from ops.loads where load_id in ({' union '.join(brought)}) "
            "order by started_at desc limit 1"
        ).fetchone() or (None,)
        quarantined: dict[str, int] = {}
        columns = _table_columns(con, "ops", "quarantined_rows")
        if {"source", "file"} <= columns:
            # a line a later file sent again (in the same load) is superseded: kept for audit, not counted
            open_only = " and superseded_by_file_seq is null" if "superseded_by_file_seq" in columns else ""
            if "load_id" in columns:
                query = f"select source, count(*) from ops.quarantined_rows where load_id = ?{open_only} group by 1"
            else:
                query = (
                    "select q.source, count(*) from ops.quarantined_rows as q where q.file in ("
                    "select path from ops.loaded_files where load_id = ? union all "
                    "select source_file from ops.rejected_files where load_id = ?) group by 1"
                )
            params = [load_id] if "load_id" in columns else [load_id, load_id]
            quarantined = dict(con.execute(query, params).fetchall())
        rejected: dict[str, int] = {}
        if _table_columns(con, "ops", "rejected_files"):
            rejected = dict(
                con.execute(
                    "select source, count(*) from ops.rejected_files where load_id = ? group by 1", [load_id]
                ).fetchall()
            )
        return quarantined, rejected
    finally:
        con.close()


def run_outcome(run_succeeded: bool, warehouse: Path, pipeline_db: Path, freshness_days: float) -> RunOutcome:
    """The outcome of a run that ended (`run_succeeded`: every step of the Dagster run succeeded)."""
    from dagster_project.checks import stale_sources

    if not run_succeeded:
        return RunOutcome(False)
    stale = [s for s in read_domain_statuses(warehouse).values() if s.status == "stale"]
    quarantined, rejected = latest_load_counts(pipeline_db)
    overdue = stale_sources(pipeline_db, freshness_days) if pipeline_db.exists() else {}
    return RunOutcome(True, stale, quarantined, rejected, overdue)
