"""Tilsyn's own checks beside the dbt tests: source freshness and row reconciliation across the layers.

Plain functions over the pipeline database (read-only); `assets.py` wires them as Dagster asset checks. Each returns
the problems it found (an empty list means the check passed) so a failure names what is wrong with sample rows.

- Freshness: a source that has sent files before but none for more than N days (settings `schedule.freshness_days`)
  fails. A source a center never sends is not stale, it is absent.
- Reconciliation: the rows of every landed file (manifest `ops.loaded_files`) = the rows in `raw.<source>` (nothing
  lost, nothing loaded twice); the distinct keys in raw = the rows of `staging.stg_<source>` (latest file wins keeps
  one row per key); staging calls = contact legs in `marts.fct_contact_legs`; per local day, the offered legs of the
  fact = `offered` summed in `marts.kpi_service_daily`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from ingest.contracts import SOURCES

# The key each staging model deduplicates on ("latest file wins"): the source contract's key.
STAGING_KEYS = {name: ", ".join(contract.key) for name, contract in SOURCES.items()}
SAMPLE_ROWS = 5


@dataclass(frozen=True)
class Mismatch:
    """Two counts that should be equal and are not."""

    what: str
    expected: int
    actual: int

    def __str__(self) -> str:
        return f"{self.what}: {self.expected:,} vs {self.actual:,}"


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {f"{s}.{t}" for s, t in con.execute("select schema_name, table_name from duckdb_tables() "
                                               "union all select schema_name, view_name from duckdb_views()").fetchall()}


def stale_sources(pipeline_db: Path, freshness_days: float, now: datetime | None = None) -> dict[str, float]:
    """{source: days since its newest file landed} for the sources older than `freshness_days`."""
    now = (now or datetime.now(timezone.utc)).replace(tzinfo=None)  # loaded_at is naive UTC
    con = duckdb.connect(str(pipeline_db), read_only=True)
    try:
        if "ops.loaded_files" not in _tables(con):
            return {}
        newest = con.execute("select source, max(loaded_at) from ops.loaded_files group by source").fetchall()
    finally:
        con.close()
    ages = {source: (now - loaded_at).total_seconds() / 86400 for source, loaded_at in newest}
    return {source: round(age, 1) for source, age in sorted(ages.items()) if age > freshness_days}


def _compare(found: list[Mismatch], what: str, expected: int, actual: int) -> None:
    if expected != actual:
        found.append(Mismatch(what, expected, actual))


def reconciliation_mismatches(pipeline_db: Path) -> list[Mismatch]:
    """Every count that does not reconcile across manifest, raw, staging and marts (first SAMPLE_ROWS days each)."""
    con = duckdb.connect(str(pipeline_db), read_only=True)
    try:
        tables = _tables(con)
        found: list[Mismatch] = []
        for source, key in STAGING_KEYS.items():
            if f"raw.{source}" not in tables:
                continue
            manifest, raw, keys = con.execute(
                f"select (select coalesce(sum(rows), 0) from ops.loaded_files where source = ?), "
                f"(select count(*) from raw.{source}), (select count(*) from (select distinct {key} from raw.{source}))",
                [source],
            ).fetchone()
            _compare(found, f"{source}: rows in landed files vs raw.{source}", manifest, raw)
            if f"staging.stg_{source}" in tables:
                staged = con.execute(f"select count(*) from staging.stg_{source}").fetchone()[0]
                _compare(found, f"{source}: distinct keys in raw vs staging.stg_{source}", keys, staged)
        if {"staging.stg_calls", "marts.fct_contact_legs", "marts.kpi_service_daily"} <= tables:
            staged, legs = con.execute("select (select count(*) from staging.stg_calls), "
                                       "(select count(*) from marts.fct_contact_legs)").fetchone()
            _compare(found, "calls: staging.stg_calls vs marts.fct_contact_legs", staged, legs)
            days = con.execute(
                "select coalesce(f.local_date, k.local_date), coalesce(f.offered, 0), coalesce(k.offered, 0) "
                "from (select local_date, count(*) as offered from marts.fct_contact_legs where is_offered "
                "      group by 1) as f "
                "full join (select local_date, sum(offered) as offered from marts.kpi_service_daily group by 1) as k "
                "    on k.local_date = f.local_date "
                "where coalesce(f.offered, 0) <> coalesce(k.offered, 0) order by 1 limit ?",
                [SAMPLE_ROWS],
            ).fetchall()
            found += [Mismatch(f"offered on {day}: fct_contact_legs vs kpi_service_daily", int(fact), int(kpi))
                      for day, fact, kpi in days]
        return found
    finally:
        con.close()
