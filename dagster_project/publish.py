"""Publishing the analyst warehouse: a complete new version, swapped in atomically.

Analysts and dashboards read `warehouse.duckdb`; the pipeline never writes it in place. After a successful build the
schemas analysts may read (`marts`, `ops`) are copied from the pipeline's private database into a new file beside
the warehouse, which is then `os.replace`d over it. Readers that already hold the old file keep reading the old
version; new connections see the new one; a run that dies before the replace leaves the old version untouched (the
half-written `.next-*` file is removed by the next publish). DuckDB allows one writer or many readers per file, so
the published file only ever has readers. Plain module: Dagster and the CLI call it.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from dagster_project.settings import REBUILD_DATES_VAR

PUBLISHED_SCHEMAS = ("marts", "ops")
DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt"
# What a build's result depends on besides the landed files and the settings.
DBT_CODE_GLOBS = ("dbt_project.yml", "models/**/*", "macros/**/*", "seeds/**/*")


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


def build_basis_key(dbt_vars_json: str) -> str:
    """A digest of what gives a build its meaning: the metric settings (dbt vars) and the dbt code.

    `rebuild_local_dates` is left out: it says which days to rebuild, not how, so rebuilding a day never makes the
    next build a full refresh.
    """
    metric_vars = json.loads(dbt_vars_json)
    metric_vars.pop(REBUILD_DATES_VAR, None)
    digest = hashlib.sha256(json.dumps(metric_vars, sort_keys=True).encode())
    for pattern in DBT_CODE_GLOBS:
        for path in sorted(DBT_PROJECT_DIR.glob(pattern)):
            if path.is_file():
                digest.update(f"{path.relative_to(DBT_PROJECT_DIR)}\0".encode() + path.read_bytes())
    return digest.hexdigest()


def build_state_key(pipeline_db: Path, dbt_vars_json: str) -> str:
    """A digest of everything a build reads: the landed and rejected files, the metric settings, the dbt code.

    Equal keys mean a new build would publish the same warehouse, so a run over no new files can skip it.
    """
    digest = hashlib.sha256(build_basis_key(dbt_vars_json).encode())
    con = duckdb.connect(str(pipeline_db), read_only=True)
    try:
        for table in ("loaded_files", "rejected_files"):
            has = con.execute("select count(*) from duckdb_tables() where schema_name = 'ops' and table_name = ?",
                              [table]).fetchone()[0]
            if has:
                for (sha,) in con.execute(f"select sha256 from ops.{table} order by sha256").fetchall():
                    digest.update(f"{table}\0{sha}\n".encode())
    finally:
        con.close()
    return digest.hexdigest()


def published_state(warehouse: Path) -> tuple[str, str] | None:
    """(version_id, state key) of the published warehouse; None when there is none (or it predates state keys)."""
    if not warehouse.exists():
        return None
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("select any_value(version_id), any_value(state_key) from ops.published_version").fetchone()
    except duckdb.Error:
        return None
    finally:
        con.close()


def publish_warehouse(pipeline_db: Path, warehouse: Path, schemas: tuple[str, ...] = PUBLISHED_SCHEMAS,
                      progress: Callable[[str], None] = lambda line: None, state_key: str | None = None) -> PublishReport:
    """Copy `schemas` of `pipeline_db` into a fresh file and atomically replace `warehouse` with it."""
    started = time.perf_counter()
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    for stale in warehouse.parent.glob(warehouse.name + ".next-*"):
        stale.unlink()  # left by a run that died while publishing
    version_id = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:8]
    next_path = warehouse.with_name(f"{warehouse.name}.next-{version_id}")
    report = PublishReport(warehouse=warehouse, version_id=version_id)
    progress(f"building version {version_id} beside {warehouse.name} ({next_path.name})")

    # The same memory bound as dbt's (dbt/profiles.yml): copying a year of a 1,000-agent center unbounded peaked at
    # 11 GiB; bounded, DuckDB streams the copy and spills beside the new file.
    con = duckdb.connect(str(next_path), config={
        "memory_limit": os.environ.get("TILSYN_DUCKDB_MEMORY_LIMIT", "5GB"), "preserve_insertion_order": False})
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
            if len(report.table_rows) % 20 == 0:
                progress(f"{len(report.table_rows)} of {len(tables)} tables copied")
        # The version's own manifest, so a reader can check it sees one complete version.
        con.execute("create table ops.published_version (version_id varchar, published_at timestamp, "
                    "table_name varchar, row_count bigint, state_key varchar)")
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        con.executemany("insert into ops.published_version values (?, ?, ?, ?, ?)",
                        [(version_id, now, name, rows, state_key) for name, rows in report.table_rows.items()])
        con.execute("detach pipeline")
        con.execute("checkpoint")
    finally:
        con.close()
    with open(next_path, "rb") as f:
        os.fsync(f.fileno())
    os.replace(next_path, warehouse)
    report.seconds = time.perf_counter() - started
    return report
