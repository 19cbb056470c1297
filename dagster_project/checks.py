"""Tilsyn's own checks beside the dbt tests: source freshness and row reconciliation across the layers.

Plain functions over the pipeline database; `assets.py` wires them as Dagster asset checks. The checks read the
database read-only; only `record_reconciled` writes (the state of a passed reconciliation). A failed check names
what is wrong with sample rows.

- Freshness: a source that has sent files before but none for more than N days (settings `schedule.freshness_days`)
  fails. A source a center never sends is not stale, it is absent.
- Reconciliation (`reconcile`): the rows of every landed file (manifest `ops.loaded_files`) = the rows in
  `raw.<source>` (nothing lost, nothing loaded twice); the distinct keys in raw = the rows of `staging.stg_<source>`
  (latest file wins keeps one row per key); staging calls = contact legs in `marts.fct_contact_legs`; per local
  day, the offered legs of the fact = `offered` summed in `marts.kpi_service_daily`.

  Counting the distinct keys of every raw table is nearly all the cost (6-9 s at 1,000 agents x 365 days); every
  other count is a whole-table count or a small aggregate and is always taken in full. So a passed check is recorded
  (`record_reconciled`, table `ops.reconciliations`): per source, the newest landed file it covered
  (`through_file_seq`), a digest of the source's manifest rows up to there, its raw rows and its distinct keys. Raw is
  append-only by file (`_file_seq` grows with each landed file), so the next check counts the keys of raw as the
  recorded keys plus the keys of newer files found in no older row: an anti-join whose build side is the new keys.
  The full count runs instead when there is no recorded state, when a dbt full refresh started since it was taken,
  or when the files up to the recorded one are not what they were (manifest digest or raw row count differs).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest.contracts import SOURCES

# The key each staging model deduplicates on ("latest file wins"): the source contract's key.
STAGING_KEYS = {name: ", ".join(contract.key) for name, contract in SOURCES.items()}
SAMPLE_ROWS = 5
STATE_TABLE = "ops.reconciliations"
STATE_DDL = (
    f"create table if not exists {STATE_TABLE} (reconciled_at timestamp, through_file_seq bigint, "
    "source varchar, key_columns varchar, files_digest varchar, raw_rows bigint, raw_keys bigint, "
    "full_check boolean)"
)
# How long `record_reconciled` waits for another process to let go of the pipeline database.
RECORD_WAIT_SECONDS = 60.0


@dataclass(frozen=True)
class Mismatch:
    """Two counts that should be equal and are not."""

    what: str
    expected: int
    actual: int

    def __str__(self) -> str:
        return f"{self.what}: {self.expected:,} vs {self.actual:,}"


@dataclass(frozen=True)
class SourceState:
    """What a reconciliation found for one source, up to and including file `through_file_seq` of its check."""

    source: str
    key_columns: str
    files_digest: str  # the source's manifest rows (file_seq, sha256, rows) up to through_file_seq
    raw_rows: int
    raw_keys: int


@dataclass(frozen=True)
class Reconciliation:
    """The result of `reconcile`: the mismatches, how much was counted, and the state to record when it passed."""

    mismatches: list[Mismatch]
    checked_at: datetime  # naive UTC, when the check opened the database
    through_file_seq: int | None  # newest landed file; None when the database has no file sequence numbers
    since_file_seq: int | None  # keys counted only for files above this one; None: every key was counted
    full_reason: str | None  # why every key was counted
    sources: tuple[SourceState, ...]  # empty when there is nothing a later check could build on

    @property
    def passed(self) -> bool:
        return not self.mismatches

    def scope(self) -> str:
        if self.since_file_seq is None:
            return f"all keys counted: {self.full_reason}"
        if self.since_file_seq == self.through_file_seq:
            return f"no file since the last reconciliation (up to file {self.since_file_seq})"
        return f"new keys counted in files {self.since_file_seq + 1}-{self.through_file_seq}"


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        f"{s}.{t}"
        for s, t in con.execute(
            "select schema_name, table_name from duckdb_tables() "
            "union all select schema_name, view_name from duckdb_views()"
        ).fetchall()
    }


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    schema, name = table.split(".")
    return {
        c
        for (c,) in con.execute(
            "select column_name from duckdb_columns() where schema_name = ? and table_name = ?", [schema, name]
        ).fetchall()
    }


def stale_sources(pipeline_db: Path, freshness_days: float, now: datetime | None = None) -> dict[str, float]:
    """{source: days since its newest file landed} for the sources older than `freshness_days`."""
    now = (now or datetime.now(UTC)).replace(tzinfo=None)  # loaded_at is naive UTC
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


def _files_digest(con: duckdb.DuckDBPyConnection, source: str, through: int) -> str:
    return con.execute(
        "select coalesce(md5(string_agg(concat_ws(':', file_seq, sha256, rows), ',' "
        "order by file_seq)), '') from ops.loaded_files where source = ? and file_seq <= ?",
        [source, through],
    ).fetchone()[0]


def _raw_rows(con: duckdb.DuckDBPyConnection, tables: set[str], source: str, above: int | None = None) -> int:
    if f"raw.{source}" not in tables:
        return 0
    if above is None:
        return con.execute(f"select count(*) from raw.{source}").fetchone()[0]
    # the files above `above` only: their row groups are the newest, found by their min/max alone
    return con.execute(f"select count(*) from raw.{source} where _file_seq > ?", [above]).fetchone()[0]


def _previous_state(con: duckdb.DuckDBPyConnection, tables: set[str]) -> tuple[dict[str, SourceState], int, str]:
    """({source: state}, its through_file_seq, '') of the last recorded reconciliation when this check can build on
    it, else ({}, 0, why not)."""
    if STATE_TABLE not in tables:
        return {}, 0, "no earlier reconciliation recorded"
    try:
        rows = con.execute(
            f"select reconciled_at, through_file_seq, source, key_columns, files_digest, raw_rows, raw_keys "
            f"from {STATE_TABLE} where reconciled_at = (select max(reconciled_at) from {STATE_TABLE})"
        ).fetchall()
    except duckdb.Error as exc:  # a state table of another shape: count everything, the next record starts afresh
        return {}, 0, f"the recorded state cannot be read ({exc})"
    if not rows:
        return {}, 0, "no earlier reconciliation recorded"
    reconciled_at, since = rows[0][0], rows[0][1]
    if (
        "ops.dbt_build_basis" in tables
        and con.execute(
            "select count(*) from ops.dbt_build_basis where is_full_refresh and started_at >= ?", [reconciled_at]
        ).fetchone()[0]
    ):
        return {}, 0, "a dbt full refresh since the last reconciliation"
    previous = {row[2]: SourceState(*row[2:]) for row in rows}
    for source, key in STAGING_KEYS.items():
        state = previous.get(source)
        if state is None or state.key_columns != key:
            return {}, 0, f"no reconciled state of {source} with key ({key})"
        # Raw is append-only by file: the files up to the recorded one must be the ones it counted, else its key
        # count says nothing about raw any more (a file unloaded by hand, a manifest edited).
        if _files_digest(con, source, since) != state.files_digest:
            return {}, 0, f"the landed {source} files up to file {since} changed since they were reconciled"
        old_rows = _raw_rows(con, tables, source) - _raw_rows(con, tables, source, above=since)
        if old_rows != state.raw_rows:
            return (
                {},
                0,
                (
                    f"raw.{source} holds {old_rows:,} rows of files up to {since}, "
                    f"{state.raw_rows:,} when they were reconciled"
                ),
            )
    return previous, since, ""


def _new_keys(con: duckdb.DuckDBPyConnection, source: str, since: int) -> int:
    """Distinct keys of the rows of files above `since` that no row of an older file has."""
    columns = SOURCES[source].key
    bounds = con.execute(
        f"select count(*), {', '.join(f'min({c}), max({c})' for c in columns)} from raw.{source} where _file_seq > ?",
        [since],
    ).fetchone()
    if not bounds[0]:
        return 0
    # An older row can only match a new key inside the new keys' range on every key column. Given as constants,
    # these ranges let DuckDB skip older row groups by their min/max (a day's events and date-stamped leg ids sit
    # together): 0.02 s instead of a 0.5 s scan of every leg id at 1,000 x 365. Keys are required, never NULL.
    matches = " and ".join(f"old.{c} between ? and ? and old.{c} = new.{c}" for c in columns)
    return con.execute(
        f"select count(*) from (select distinct {STAGING_KEYS[source]} from raw.{source} where _file_seq > ?) as new "
        f"where not exists (select 1 from raw.{source} as old where old._file_seq <= ? and {matches})",
        [since, since, *bounds[1:]],
    ).fetchone()[0]


def reconcile(pipeline_db: Path, full: bool = False) -> Reconciliation:
    """Every count that does not reconcile across manifest, raw, staging and marts (first SAMPLE_ROWS days each).

    Distinct raw keys are counted in full when `full`, or when the last recorded reconciliation cannot be built on
    (see the module docstring); otherwise only the keys of newer files are counted.
    """
    checked_at = datetime.now(UTC).replace(tzinfo=None)
    con = duckdb.connect(str(pipeline_db), read_only=True)
    try:
        tables = _tables(con)
        # Only a manifest with file numbers and raw tables with `_file_seq` (all that ingest writes) can be
        # reconciled file by file; hand-made databases without them are always checked in full.
        sequenced = (
            "ops.loaded_files" in tables
            and {"file_seq", "sha256"} <= _columns(con, "ops.loaded_files")
            and all("_file_seq" in _columns(con, f"raw.{s}") for s in SOURCES if f"raw.{s}" in tables)
        )
        through = (
            con.execute("select coalesce(max(file_seq), 0) from ops.loaded_files").fetchone()[0] if sequenced else None
        )
        if full:
            previous, since, reason = {}, 0, "asked for"
        elif not sequenced:
            previous, since, reason = {}, 0, "no file sequence numbers in the pipeline database"
        else:
            previous, since, reason = _previous_state(con, tables)
        found: list[Mismatch] = []
        states: list[SourceState] = []
        for source, key in STAGING_KEYS.items():
            if f"raw.{source}" not in tables:
                if sequenced:  # ingest creates every raw table; still, an absent one is an empty one for later checks
                    states.append(SourceState(source, key, _files_digest(con, source, through), 0, 0))
                continue
            manifest, raw = con.execute(
                f"select (select coalesce(sum(rows), 0) from ops.loaded_files where source = ?), "
                f"(select count(*) from raw.{source})",
                [source],
            ).fetchone()
            _compare(found, f"{source}: rows in landed files vs raw.{source}", manifest, raw)
            if previous:
                keys = previous[source].raw_keys + _new_keys(con, source, since)
            else:
                keys = con.execute(f"select count(*) from (select distinct {key} from raw.{source})").fetchone()[0]
            if f"staging.stg_{source}" in tables:
                staged = con.execute(f"select count(*) from staging.stg_{source}").fetchone()[0]
                _compare(found, f"{source}: distinct keys in raw vs staging.stg_{source}", keys, staged)
            if sequenced:
                states.append(SourceState(source, key, _files_digest(con, source, through), raw, keys))
        # Whole-table counts and a group by of the fact's offered legs by day: 0.1 s at 1,000 x 365, taken in full
        # so that a day a corrected leg moved away from is checked as well as the days of new legs.
        if {"staging.stg_calls", "marts.fct_contact_legs", "marts.kpi_service_daily"} <= tables:
            staged, legs = con.execute(
                "select (select count(*) from staging.stg_calls), (select count(*) from marts.fct_contact_legs)"
            ).fetchone()
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
            found += [
                Mismatch(f"offered on {day}: fct_contact_legs vs kpi_service_daily", int(fact), int(kpi))
                for day, fact, kpi in days
            ]
        return Reconciliation(
            found, checked_at, through, since if previous else None, None if previous else reason, tuple(states)
        )
    finally:
        con.close()


def reconciliation_mismatches(pipeline_db: Path, full: bool = False) -> list[Mismatch]:
    """The mismatches of `reconcile`."""
    return reconcile(pipeline_db, full).mismatches


def record_reconciled(pipeline_db: Path, result: Reconciliation, wait_seconds: float = RECORD_WAIT_SECONDS) -> bool:
    """Record a passed reconciliation in `ops.reconciliations`, so that the next check counts only newer keys.

    Returns False, recording nothing, for a failed check or one with nothing to build on. The record is the
    database as the check read it, so files landed in between are simply newer files to the next check. Waits up to
    `wait_seconds` for another process's hold on the database, then raises its duckdb.IOException. Not recording is
    always safe: the next check starts from the last recorded state, or counts in full.
    """
    if not result.passed or not result.sources:
        return False
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            con = duckdb.connect(str(pipeline_db))
            break
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(1.0)
    try:
        con.execute("create schema if not exists ops")
        con.execute(STATE_DDL)
        con.execute("begin transaction")
        # reconciled_at is when the check read the database: a dbt full refresh that started after that is seen
        # by the next check even when this record was written later
        con.executemany(
            f"insert into {STATE_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    result.checked_at,
                    result.through_file_seq,
                    s.source,
                    s.key_columns,
                    s.files_digest,
                    s.raw_rows,
                    s.raw_keys,
                    result.since_file_seq is None,
                ]
                for s in result.sources
            ],
        )
        con.execute("commit")
    finally:
        con.close()
    return True


# --- the domain checks ------------------------------------------------------------------------------------------------
# Domains written by Python steps after dbt (assets.py `_run_planning_step`): not in the dbt manifest.
PYTHON_STEP_DOMAINS = ("forecast", "staffing_plan")
SAMPLE_TEXT_CHARS = 2000  # of a stale domain's failing rows, in its check's metadata


@dataclass(frozen=True)
class DomainOutcome:
    """What a domain's asset check on the analyst warehouse reports after a publish: passed = the domain is fresh
    (this build's marts published), failed = stale (its marts keep their last good version), with the failing dbt
    tests or models named."""

    domain: str
    passed: bool
    description: str
    metadata: dict[str, str]


def check_domains(manifest_domains: set[str] | frozenset[str]) -> list[str]:
    """Every domain a check is defined for: those of the dbt models and seeds, and those of the Python steps."""
    return sorted(set(manifest_domains) | set(PYTHON_STEP_DOMAINS))


def domain_outcomes(domains: list[str], statuses: dict) -> list[DomainOutcome]:
    """One outcome per domain from `ops.domain_status` (domains.read_domain_statuses). A domain without a row is
    fresh: a Python step's domain has one only while its step failed."""
    outcomes = []
    for domain in domains:
        status = statuses.get(domain)
        if status is None or status.status == "fresh":
            as_of = f"{status.fresh_as_of:%Y-%m-%d %H:%M} UTC" if status and status.fresh_as_of else None
            description = f"fresh: its marts are from the build of {as_of}" if as_of else "fresh: no failure recorded"
            metadata = {"status": "fresh", "fresh_as_of": as_of or "", "failing_nodes": "none"}
        else:
            description = status.reason
            metadata = {
                "status": "stale",
                "fresh_as_of": f"{status.fresh_as_of:%Y-%m-%d %H:%M} UTC" if status.fresh_as_of else "",
                "stale_since": f"{status.stale_since:%Y-%m-%d %H:%M} UTC" if status.stale_since else "",
                "failing_nodes": "\n".join(status.failing_nodes) or "none",
                "sample_rows": (status.sample_rows or "none")[:SAMPLE_TEXT_CHARS],
                "marts_kept": ", ".join(status.marts) or "none",
            }
        outcomes.append(DomainOutcome(domain, status is None or status.status == "fresh", description, metadata))
    return outcomes
