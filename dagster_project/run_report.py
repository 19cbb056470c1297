"""The run report: what each dbt build built and tested, kept in `ops.build_results` and told on the terminal.

Ingest already records what it loaded and rejected (`ops.loads`, `ops.loaded_files`, `ops.rejected_files`); this adds
one row per dbt node (model, seed, test) of each build with its status, seconds and failing-row count, so the
published warehouse says what every version was built from. For a failed test it also reads a sample of the failing
rows by running the test's compiled query again (cheaper than `--store-failures` on a thousand passing tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import duckdb

SAMPLE_ROWS = 5
FAILED_STATUSES = ("fail", "error")


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
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    # unique_id is `<node type>.<project>.<name>`
    rows = [(run_id, now, r["unique_id"].split(".")[0], r["unique_id"].split(".", 2)[-1], r["status"],
             r.get("execution_time") or 0.0, r.get("failures"), r.get("message"))
            for r in run_results.get("results", [])]
    con = duckdb.connect(str(pipeline_db))
    try:
        con.execute("create schema if not exists ops")
        con.execute("create table if not exists ops.build_results (run_id varchar, recorded_at timestamp, "
                    "node_type varchar, node varchar, status varchar, seconds double, failures bigint, message varchar)")
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
    finally:
        con.close()
