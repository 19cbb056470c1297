"""Publishing the analyst warehouse: a complete new version, swapped in atomically.

Analysts and dashboards read `warehouse.duckdb`; the pipeline never writes it in place. After a successful build the
schemas analysts may read (`marts`, `ops`) are copied from the pipeline's private database into a new file beside
the warehouse, which is then `os.replace`d over it. Readers that already hold the old file keep reading the old
version; new connections see the new one; a run that dies before the replace leaves the old version untouched (the
half-written `.next-*` file is removed by the next publish). DuckDB allows one writer or many readers per file, so
the published file only ever has readers. Plain module: Dagster and the CLI call it.
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb

PUBLISHED_SCHEMAS = ("marts", "ops")


@dataclass
class PublishReport:
    warehouse: Path
    version_id: str
    table_rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        rows = sum(self.table_rows.values())
        return [f"published {len(self.table_rows)} tables ({rows:,} rows) to {self.warehouse} "
                f"[version {self.version_id}] in {self.seconds:.1f} s"]


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def publish_warehouse(pipeline_db: Path, warehouse: Path, schemas: tuple[str, ...] = PUBLISHED_SCHEMAS) -> PublishReport:
    """Copy `schemas` of `pipeline_db` into a fresh file and atomically replace `warehouse` with it."""
    started = time.perf_counter()
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    for stale in warehouse.parent.glob(warehouse.name + ".next-*"):
        stale.unlink()  # left by a run that died while publishing
    version_id = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:8]
    next_path = warehouse.with_name(f"{warehouse.name}.next-{version_id}")
    report = PublishReport(warehouse=warehouse, version_id=version_id)

    con = duckdb.connect(str(next_path))
    try:
        con.execute(f"ATTACH '{pipeline_db}' AS pipeline (READ_ONLY)")
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'pipeline' "
            f"and schema_name in ({', '.join('?' for _ in schemas)}) order by 1, 2",
            list(schemas),
        ).fetchall()
        for schema in schemas:
            con.execute(f"create schema if not exists {_quote(schema)}")
        for schema, table in tables:
            target = f"{_quote(schema)}.{_quote(table)}"
            con.execute(f"create table {target} as select * from pipeline.{target}")
            report.table_rows[f"{schema}.{table}"] = con.execute(f"select count(*) from {target}").fetchone()[0]
        # The version's own manifest, so a reader can check it sees one complete version.
        con.execute("create table ops.published_version (version_id varchar, published_at timestamp, "
                    "table_name varchar, row_count bigint)")
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        con.executemany("insert into ops.published_version values (?, ?, ?, ?)",
                        [(version_id, now, name, rows) for name, rows in report.table_rows.items()])
        con.execute("detach pipeline")
        con.execute("checkpoint")
    finally:
        con.close()
    with open(next_path, "rb") as f:
        os.fsync(f.fileno())
    os.replace(next_path, warehouse)
    report.seconds = time.perf_counter() - started
    return report
