"""Loading the landing folder into the pipeline's DuckDB: the trustworthy front door of Tilsyn.

`load_landing(...)` finds new export files under `<landing>/<source>/`, reads, validates and protects each one, and
lands its rows in `raw.<source>` together with its manifest row (`ops.loaded_files`). A worker thread prepares the
next files while the main thread lands; accepted files land in batches (files of one source, until `BATCH_ROWS` rows
wait in all), each batch in one DuckDB transaction, so a file is always either wholly loaded with its manifest row or
not at all; should a batch fail, its files are landed one by one so that only the faulty one is rejected.

A bad row costs the smallest unit that keeps the rest truthful (`validate.set_aside`): the row, or for agent_states and
schedules the agent's local day. Those lines are listed in `ops.quarantined_rows` (file, line, field, masked value,
reason, unit, local day), landed in the same transaction as the file's good rows, and counted per source and local
day in `ops.quarantine_daily`, so a partial day is not mistaken for a quiet one. Only a file that cannot be read at
all (empty, not CSV, a missing required column, a damaged gzip or Parquet file) is rejected whole: copied to the
quarantine folder with a problem report beside it and recorded in `ops.rejected_files` / `ops.row_problems`. The run
carries on either way. Each run adds a row to `ops.loads`.

The ledger's one currency (`ops.center_settings`): `metrics.center_currency` when set, else the one recorded by an
earlier load, else the most frequent currency of the first ledger file loaded; a line in another is quarantined.

Incremental and idempotent: a path already recorded with the same size and modification time is skipped without
reading it; other files are hashed and skipped when that content was loaded (or rejected) before. Restricted roster
columns go only to `restricted.roster` in the separate restricted database (mode 0600).
"""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import polars as pl

from ingest.contracts import LOAD_COLUMNS, SOURCES, SourceContract, raw_table_ddl
from ingest.protect import pseudonymise, redact_column, redact_text
from ingest.read import BROKEN, LINE, FileRejected, export_format, read_export
from ingest.slices import local_day_of_cutoff, local_midnight_after, read_name
from ingest.validate import PROBLEM_SCHEMA, UNIT_OF_SOURCE, set_aside, validate

# Problems kept per rejected file in `ops.row_problems` and its report (the count is always complete).
MAX_PROBLEMS_PER_FILE = 10_000

OPS_DDL = [
    """CREATE TABLE IF NOT EXISTS ops.loads (
        load_id VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP, files_loaded INTEGER, files_skipped INTEGER,
        files_rejected INTEGER, rows_loaded BIGINT, redactions BIGINT, ok BOOLEAN)""",
    """CREATE TABLE IF NOT EXISTS ops.loaded_files (
        source VARCHAR, path VARCHAR, size_bytes BIGINT, mtime_ns BIGINT, sha256 VARCHAR, rows BIGINT,
        load_id VARCHAR, loaded_at TIMESTAMP, file_seq BIGINT, redactions BIGINT, seconds DOUBLE)""",
    """CREATE TABLE IF NOT EXISTS ops.rejected_files (
        source VARCHAR, source_file VARCHAR, size_bytes BIGINT, mtime_ns BIGINT, sha256 VARCHAR, load_id VARCHAR,
        rejected_at TIMESTAMP, reason VARCHAR, problems BIGINT, quarantine_path VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS ops.row_problems (
        load_id VARCHAR, source VARCHAR, sha256 VARCHAR, file VARCHAR, "row" BIGINT, field VARCHAR, value VARCHAR,
        rule VARCHAR)""",
    # One row per quarantined line and problem of a landed file (a line set aside for its agent-day has field null
    # and a reason naming the line that caused it). Written with the file's rows, in one transaction.
    """CREATE TABLE IF NOT EXISTS ops.quarantined_rows (
        load_id VARCHAR, source VARCHAR, file VARCHAR, sha256 VARCHAR, file_seq BIGINT, line BIGINT, field VARCHAR,
        value VARCHAR, reason VARCHAR, unit VARCHAR, unit_key VARCHAR, local_date DATE, quarantined_at TIMESTAMP)""",
    # Settings Tilsyn resolved itself and keeps from run to run (today: center_currency).
    """CREATE TABLE IF NOT EXISTS ops.center_settings (
        name VARCHAR, value VARCHAR, origin VARCHAR, decided_at TIMESTAMP, load_id VARCHAR)""",
    # Databases made before quarantine counted per file and load.
    "ALTER TABLE ops.loaded_files ADD COLUMN IF NOT EXISTS quarantined_rows BIGINT",
    "ALTER TABLE ops.loads ADD COLUMN IF NOT EXISTS rows_quarantined BIGINT",
    # A quarantined unit that a later file sent again (`_mark_superseded`): kept for audit, no longer counted.
    "ALTER TABLE ops.quarantined_rows ADD COLUMN IF NOT EXISTS superseded_by_file_seq BIGINT",
    "ALTER TABLE ops.quarantined_rows ADD COLUMN IF NOT EXISTS superseded_by_file VARCHAR",
    # What each landed file of a time-sliced source says about the local days it covers (ingest/slices.py): one row
    # per file and local day, written with the file's rows. `ops.source_day_completeness` is built from it.
    """CREATE TABLE IF NOT EXISTS ops.loaded_file_cutoffs (
        source VARCHAR, file VARCHAR, file_seq BIGINT, local_date DATE, cutoff_at TIMESTAMPTZ, cutoff_from VARCHAR,
        recorded_at TIMESTAMPTZ)""",
]
# The one completeness record every domain reads (issue 21): per time-sliced source and local day, the instant its
# data is complete up to and whether the day is closed. A day closes when a slice's cutoff reaches the local
# midnight that ends it, a whole-day file of it lands, or a file of a later day of that source lands; a closed day's
# cutoff is that midnight. Rebuilt by every load from `ops.loaded_file_cutoffs` (published with `ops`).
SOURCE_DAY_COMPLETENESS_SQL = """
    CREATE OR REPLACE TABLE ops.source_day_completeness AS
    WITH per_day AS (
        SELECT
            source,
            local_date,
            max(cutoff_at) AS latest_cutoff_at,
            arg_max(cutoff_from, (cutoff_at, file_seq)) AS cutoff_from,
            max(recorded_at) AS recorded_at,
            bool_or(cutoff_from = 'whole_file') AS has_whole_file,
            -- the local midnight ending the day, as an instant ({tz} is the center's time zone)
            timezone('{tz}', CAST(local_date + 1 AS TIMESTAMP)) AS day_end_at
        FROM ops.loaded_file_cutoffs
        GROUP BY source, local_date
    ),
    decided AS (
        SELECT
            per_day.*,
            per_day.has_whole_file
                OR per_day.latest_cutoff_at >= per_day.day_end_at
                OR EXISTS (
                    SELECT 1 FROM ops.loaded_file_cutoffs AS later
                    WHERE later.source = per_day.source AND later.local_date > per_day.local_date
                ) AS is_closed
        FROM per_day
    )
    SELECT
        source,
        local_date,
        CASE WHEN is_closed THEN greatest(latest_cutoff_at, day_end_at) ELSE latest_cutoff_at END AS cutoff_at,
        cutoff_from,
        is_closed,
        recorded_at
    FROM decided
    ORDER BY source, local_date"""
# The sources exported as time slices and the timestamp that places a row in its slice (as ACDs export them: calls
# when they ended, state events when they happened).
SLICED_SOURCES = {"calls": "ended_at", "agent_states": "event_at"}
# Quarantined lines per source and local day (rebuilt by every load; publish copies ops tables to analysts). Only
# lines still missing count: one a later file sent again (superseded) is kept in ops.quarantined_rows for audit and
# counted apart.
QUARANTINE_DAILY_SQL = """
    CREATE OR REPLACE TABLE ops.quarantine_daily AS
    SELECT
        source,
        local_date,
        count(DISTINCT CASE WHEN superseded_by_file_seq IS NULL THEN (file, line) END) AS quarantined_rows,
        count(DISTINCT CASE WHEN unit = 'agent-day' AND superseded_by_file_seq IS NULL THEN unit_key END)
            AS quarantined_agent_days,
        count(DISTINCT CASE WHEN superseded_by_file_seq IS NULL THEN file END) AS files,
        max(quarantined_at) AS last_quarantined_at,
        count(DISTINCT CASE WHEN superseded_by_file_seq IS NOT NULL THEN (file, line) END) AS superseded_rows
    FROM ops.quarantined_rows
    GROUP BY ALL
    ORDER BY source, local_date NULLS FIRST"""


def _unit_of_raw_row(source: str, timezone: str) -> tuple[str, str]:
    """(unit_key, local_date) of a raw row as `validate.set_aside` writes them for a quarantined line of `source`:
    the key columns as text joined by " | " (unit row), or the agent and its local day (unit agent-day)."""
    contract = SOURCES[source]
    if UNIT_OF_SOURCE[source] == "row":
        return " || ' | ' || ".join(f"CAST(r.{k} AS VARCHAR)" for k in contract.key), "NULL"
    day = (
        "r.schedule_date"
        if source == "schedules"
        else f"CAST(timezone('{timezone}', timezone('UTC', r.event_at)) AS DATE)"
    )
    return "r.agent_id", day


def _mark_superseded(con: duckdb.DuckDBPyConnection, load_id: str, timezone: str) -> int:
    """Mark the quarantined units that a file of this load sent again, later than the file they were set aside from:
    a row whose key a later file holds (unit row), an agent's day a later file holds rows of (unit agent-day). The
    later file's rows replace them ("latest file wins"), so the old quarantine is superseded: kept for audit, no
    longer counted (ops.quarantine_daily, the exit status). A unit whose key or day could not be told (unit agent, a
    line without its key) is never superseded. Returns the lines marked."""
    marked = 0
    for source in SOURCES:
        key, day = _unit_of_raw_row(source, timezone)
        unit = UNIT_OF_SOURCE[source]
        same_day = "AND l.r_day = q.local_date" if unit == "agent-day" else ""
        (count,) = con.execute(
            f"""
            UPDATE ops.quarantined_rows AS q SET superseded_by_file_seq = hit.by_seq, superseded_by_file = hit.by_file
            FROM (
                SELECT q.file, q.line, min(l._file_seq) AS by_seq, arg_min(l._source_file, l._file_seq) AS by_file
                FROM ops.quarantined_rows AS q
                JOIN (
                    SELECT {key} AS r_key, {day} AS r_day, r._file_seq, r._source_file
                    FROM raw.{source} AS r
                    WHERE r._file_seq IN (SELECT file_seq FROM ops.loaded_files WHERE load_id = ? AND source = ?)
                ) AS l ON l.r_key = q.unit_key {same_day} AND l._file_seq > q.file_seq
                WHERE q.source = ? AND q.unit = ? AND q.superseded_by_file_seq IS NULL
                GROUP BY ALL
            ) AS hit
            WHERE q.source = ? AND q.file = hit.file AND q.line = hit.line AND q.superseded_by_file_seq IS NULL
            """,
            [load_id, source, source, unit, source],
        ).fetchone()
        marked += count
    return marked


RESTRICTED_ALIAS = "restricted_db"


class IngestSetupError(Exception):
    """Ingest cannot start (database locked, bad arguments); the message says what to do."""


@dataclass
class SourceStats:
    files_loaded: int = 0
    files_skipped: int = 0  # already loaded (same path, size and time, or same content)
    files_rejected: int = 0  # rejected in this run
    files_still_rejected: int = 0  # rejected in an earlier run, content unchanged: not retried
    rows: int = 0
    rows_quarantined: int = 0  # lines of landed files set aside (listed in ops.quarantined_rows)
    redactions: int = 0
    seconds: float = 0.0


@dataclass
class Rejection:
    source: str
    file: str  # relative to the landing folder
    reason: str
    problems: int
    quarantine_path: str

    def __str__(self) -> str:
        return f"{self.file}: {self.reason}"


@dataclass
class LoadReport:
    load_id: str
    sources: dict[str, SourceStats] = field(default_factory=dict)
    rejected: list[Rejection] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when no file was rejected in this run (earlier rejections are listed by `lines`, not counted)."""
        return not self.rejected

    @property
    def rows(self) -> int:
        return sum(s.rows for s in self.sources.values())

    @property
    def rows_quarantined(self) -> int:
        return sum(s.rows_quarantined for s in self.sources.values())

    def source_metadata(self, source: str) -> dict[str, int | float | str]:
        """One source's figures for this run (Dagster materialization metadata, dashboards of ops)."""
        stats = self.sources.get(source, SourceStats())
        rejected = [r.file for r in self.rejected if r.source == source]
        return {
            **asdict(stats),
            "seconds": round(stats.seconds, 3),
            "load_id": self.load_id,
            "rejected_files": ", ".join(rejected),
        }

    def lines(self) -> list[str]:
        quarantined = f", {self.rows_quarantined:,} rows quarantined" if self.rows_quarantined else ""
        out = [
            f"load {self.load_id}: {'ok' if self.ok else f'{len(self.rejected)} file(s) REJECTED'}, "
            f"{self.rows:,} rows in {self.seconds:.1f} s{quarantined}"
        ]
        for name, s in self.sources.items():
            rate = f", {s.rows / s.seconds:,.0f} rows/s" if s.rows and s.seconds else ""
            still = f", {s.files_still_rejected} still in quarantine" if s.files_still_rejected else ""
            out.append(
                f"  {name}: {s.files_loaded} loaded, {s.files_skipped} skipped, {s.files_rejected} rejected"
                f"{still}; {s.rows:,} rows, {s.redactions} redactions{rate}"
                + (f"; {s.rows_quarantined:,} rows quarantined (ops.quarantined_rows)" if s.rows_quarantined else "")
            )
        for r in self.rejected:
            where = f" (report: {r.quarantine_path}.problems.csv)" if r.quarantine_path else ""
            out.append(f"  REJECTED {r.file}: {r.reason}{where}")
        return out


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class _Capsule:
    """Hands a Polars frame to DuckDB through the Arrow C stream interface (no pyarrow needed)."""

    def __init__(self, frame: pl.DataFrame):
        self.frame = frame

    def __arrow_c_stream__(self, requested_schema=None):
        return self.frame.__arrow_c_stream__(requested_schema)


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    con.register("__rows", _Capsule(frame))
    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM __rows")
    # Not in a `finally`: after a failed insert the transaction is aborted and refuses the unregister, which would
    # hide the real error; the caller's ROLLBACK drops the registration with the rest of the transaction.
    con.unregister("__rows")


INGEST_CHECKPOINT_THRESHOLD = "256MB"


def _connect(pipeline_db: Path, restricted_db: Path) -> duckdb.DuckDBPyConnection:
    """The pipeline database, with the restricted one attached as `restricted_db` (created private, mode 0600)."""
    try:
        con = duckdb.connect(str(pipeline_db))
    except duckdb.Error as e:
        raise IngestSetupError(
            f"cannot open the pipeline database {pipeline_db}: {e}. If another process (dbt, "
            "Dagster, an open notebook) holds it, close that and run again."
        ) from None
    # No progress bar in the middle of our own progress lines.
    con.execute("SET enable_progress_bar = false")
    # DuckDB checkpoints at a commit once the WAL passes 16 MB: nearly every batch's COMMIT then waited for a
    # checkpoint. A bounded larger threshold checkpoints a few times per load; the rows not yet checkpointed stay in
    # memory, so it bounds memory however large the load (DECISIONLOG 2026-12-06 "make demo within two minutes").
    con.execute(f"SET checkpoint_threshold = '{INGEST_CHECKPOINT_THRESHOLD}'")
    try:
        quoted = str(restricted_db).replace("'", "''")
        con.execute(f"ATTACH '{quoted}' AS {RESTRICTED_ALIAS}")
    except duckdb.Error as e:
        con.close()
        raise IngestSetupError(
            f"cannot open the restricted database {restricted_db}: {e}. If another process "
            "holds it, close that and run again."
        ) from None
    os.chmod(restricted_db, 0o600)
    return con


def _create_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute("CREATE SCHEMA IF NOT EXISTS ops")
    for ddl in OPS_DDL:
        con.execute(ddl)
    for contract in SOURCES.values():
        con.execute(raw_table_ddl(contract))
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {RESTRICTED_ALIAS}.restricted")
    con.execute(raw_table_ddl(SOURCES["roster"], schema=f"{RESTRICTED_ALIAS}.restricted", restricted=True))
    # Restricted rows are committed just before their file's pipeline transaction; drop any whose file never
    # made it into the manifest (a crash between the two).
    con.execute(
        f"DELETE FROM {RESTRICTED_ALIAS}.restricted.roster WHERE _file_seq NOT IN "
        "(SELECT file_seq FROM ops.loaded_files)"
    )


@dataclass
class _Candidate:
    source: str
    path: Path
    rel: str
    size: int
    mtime_ns: int


def _find_files(landing_dir: Path, sources: list[str], progress: Callable[[str], None]) -> list[_Candidate]:
    found = []
    for source in sources:
        folder = landing_dir / source
        if not folder.is_dir():
            continue
        ignored = []
        for path in folder.iterdir():
            if path.name.startswith(".") or not path.is_file():
                continue
            if export_format(path) is None:
                ignored.append(path.name)
                continue
            st = path.stat()
            found.append(_Candidate(source, path, path.relative_to(landing_dir).as_posix(), st.st_size, st.st_mtime_ns))
        if ignored:
            progress(
                f"  {source}: ignoring {len(ignored)} file(s) that are not .csv/.csv.gz/.parquet: "
                + ", ".join(sorted(ignored)[:5])
            )
    # Arrival order: modification time, then name.
    return sorted(found, key=lambda f: (f.mtime_ns, f.path.name, f.rel))


def _protect(
    typed: pl.DataFrame, text: pl.DataFrame, contract: SourceContract, key: bytes
) -> tuple[pl.DataFrame, pl.Series, int]:
    """Pseudonymise and redact the typed rows; the unknown extra columns as JSON (redacted too); redaction count."""
    redactions = 0
    replaced = []
    for col in contract.columns:
        if col.pseudonymised:
            replaced.append(pseudonymise(typed[col.name], key, phone=col.name == "caller_number"))
        elif col.free_text or (col.restricted and col.type == "string"):  # names and reasons are text people type
            values, n = redact_column(typed[col.name])
            replaced.append(values)
            redactions += n
    extras_names = [n for n in text.columns if n != LINE and n not in contract.column_names]
    extras = pl.Series("_extra_columns", [None] * text.height, dtype=pl.String)
    if extras_names:
        redacted = []
        for name in extras_names:
            values, n = redact_column(text[name])
            redacted.append(values)
            redactions += n
        extras = pl.DataFrame(redacted).select(pl.struct(pl.all()).struct.json_encode())
        extras = extras.to_series().alias("_extra_columns")
    return typed.with_columns(replaced), extras, redactions


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_landing(
    landing_dir: Path,
    pipeline_db: Path,
    restricted_db: Path,
    quarantine_dir: Path,
    pseudonym_key: bytes,
    progress: Callable[[str], None] | None = print,
    sources: Iterable[str] | None = None,
    center_currency: str | None = None,
    center_timezone: str = "UTC",
) -> LoadReport:
    """Load every new file of `<landing_dir>/<source>/` into `raw.<source>`; quarantine bad rows, reject unreadable
    files.

    `center_currency` is `metrics.center_currency` (None or "" = unset: the recorded one, else the first ledger
    file's); `center_timezone` dates quarantined rows on the center's local day. Never raises for a bad input file
    (it is rejected and reported); raises `IngestSetupError` when the databases cannot be opened or the arguments are
    wrong.
    """
    started = time.perf_counter()
    say = progress or (lambda _msg: None)
    names = list(SOURCES) if sources is None else list(sources)
    unknown = [n for n in names if n not in SOURCES]
    if unknown:
        raise IngestSetupError(f"unknown source(s) {', '.join(unknown)}; the sources are {', '.join(SOURCES)}")
    if not pseudonym_key:
        raise IngestSetupError("the pseudonym key is empty; see ingest.protect.load_pseudonym_key")
    configured = (center_currency or "").strip() or None
    if configured is not None and not (len(configured) == 3 and configured.isascii() and configured.isupper()):
        raise IngestSetupError(
            f"metrics.center_currency = {center_currency!r} is not an ISO 4217 code (three capital letters); "
            "set it to e.g. NOK, or leave it unset to take the first ledger file's currency"
        )
    try:
        pl.select(pl.lit(datetime(2026, 1, 1)).dt.replace_time_zone("UTC").dt.convert_time_zone(center_timezone))
    except Exception:
        raise IngestSetupError(f"metrics.center_timezone = {center_timezone!r} is not a time zone name") from None
    landing_dir, quarantine_dir = Path(landing_dir), Path(quarantine_dir)
    load_id = f"{_now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    report = LoadReport(load_id, {n: SourceStats() for n in names})
    started_at = _now()

    # Files made while loading (the databases and their WALs, quarantined raw exports and reports) are private to
    # the user; the folders, which the analyst warehouse may share, are made first with the usual mode.
    pipeline_db, restricted_db = Path(pipeline_db), Path(restricted_db)
    for folder in (pipeline_db.parent, restricted_db.parent, quarantine_dir.parent):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise IngestSetupError(f"cannot create the folder {folder}: {e.strerror}") from None
    old_umask = os.umask(0o077)
    try:
        con = _connect(pipeline_db, restricted_db)
        try:
            _create_tables(con)
            currency = _Currency.resolve(con, configured, load_id)
            options = _Options(pseudonym_key, currency, center_timezone)
            _load_new_files(con, landing_dir, quarantine_dir, options, report, say)
            currency.record(con)
            superseded = _mark_superseded(con, load_id, center_timezone)
            if superseded:
                say(f"{superseded:,} quarantined lines superseded by later files (kept in ops.quarantined_rows)")
            if (
                report.rows_quarantined
                or superseded
                or not con.execute(  # missing, or made before superseded lines were counted apart
                    "SELECT count(*) FROM duckdb_columns() WHERE schema_name = 'ops'"
                    " AND table_name = 'quarantine_daily' AND column_name = 'superseded_rows'"
                ).fetchall()[0][0]
            ):
                con.execute(QUARANTINE_DAILY_SQL)
            con.execute(SOURCE_DAY_COMPLETENESS_SQL.format(tz=center_timezone.replace("'", "''")))
            report.seconds = time.perf_counter() - started
            totals = [
                sum(getattr(s, f) for s in report.sources.values())
                for f in ("files_loaded", "files_skipped", "files_rejected", "rows", "redactions", "rows_quarantined")
            ]
            con.execute(
                "INSERT INTO ops.loads (load_id, started_at, finished_at, files_loaded, files_skipped, files_rejected,"
                " rows_loaded, redactions, rows_quarantined, ok) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [load_id, started_at, _now(), *totals, report.ok],
            )
        finally:
            con.close()
    finally:
        os.umask(old_umask)
    return report


class _Currency:
    """The ledger's one currency: configured, recorded by an earlier load, or decided by the first ledger file.

    The worker thread prepares files one at a time in arrival order, so "the first ledger file" is the same file
    whatever the timing; `decide` is only ever called from there."""

    NAME = "center_currency"

    def __init__(self, value: str | None, origin: str | None, recorded: tuple[str, str] | None, load_id: str):
        self.value, self.origin, self.recorded, self.load_id = value, origin, recorded, load_id

    @classmethod
    def resolve(cls, con: duckdb.DuckDBPyConnection, configured: str | None, load_id: str) -> _Currency:
        rows = con.execute(
            "SELECT value, origin FROM ops.center_settings WHERE name = ? ORDER BY decided_at DESC LIMIT 1", [cls.NAME]
        ).fetchall()
        recorded = (rows[0][0], rows[0][1]) if rows else None
        if configured:
            return cls(configured, "metrics.center_currency", recorded, load_id)
        if recorded:
            return cls(recorded[0], recorded[1], recorded, load_id)
        return cls(None, None, None, load_id)

    def decide(self, typed: pl.DataFrame, text: pl.DataFrame, file: str) -> None:
        """Unset and unrecorded: the most frequent currency of this (the first) ledger file, ties to the first."""
        if self.value is not None:
            return
        codes = (
            typed.filter(text[BROKEN].is_null())
            .select(pl.col("currency").str.strip_chars())
            .filter(pl.col("currency").str.contains(r"^[A-Z]{3}$"))
            .with_row_index("i")
            .group_by("currency")
            .agg(pl.len().alias("n"), pl.col("i").min())
            .sort(["n", "i"], descending=[True, False])
        )
        if codes.height:
            self.value, self.origin = codes["currency"][0], f"first ledger file loaded: {file}"

    def record(self, con: duckdb.DuckDBPyConnection) -> None:
        if self.value is None or self.recorded == (self.value, self.origin):
            return
        con.execute("BEGIN TRANSACTION")
        con.execute("DELETE FROM ops.center_settings WHERE name = ?", [self.NAME])
        con.execute(
            "INSERT INTO ops.center_settings VALUES (?, ?, ?, ?, ?)",
            [self.NAME, self.value, self.origin, _now(), self.load_id],
        )
        con.execute("COMMIT")
        self.recorded = (self.value, self.origin)


@dataclass
class _Options:
    key: bytes
    currency: _Currency
    timezone: str


# Rejections for a fault of Tilsyn rather than of the file are retried on the next run.
INTERNAL_ERROR = "internal error"

# Accepted files wait, per source, to land together in one transaction per source; they land once the rows waiting
# (all sources) reach this many. A commit per file was the largest single cost of ingest on daily exports
# (docs/benchmarks.md, "Ingest tuning"); the bound keeps the rows waiting in memory to a few hundred MiB.
BATCH_ROWS = 250_000
# Files read, validated and protected ahead of the one being decided (each holds its rows in memory meanwhile).
PREPARED_AHEAD = 2


@dataclass
class _Prepared:
    """One file read, validated and protected, waiting to land with other files of its source."""

    cand: _Candidate
    sha: str
    data: bytes  # kept for the quarantine copy, should landing fail
    rows: pl.DataFrame  # analyst columns and load metadata except `_file_seq` (given when the file is accepted)
    restricted: pl.DataFrame | None  # key, restricted columns and load metadata except `_file_seq`
    quarantined: pl.DataFrame  # `validate.QUARANTINE_SCHEMA`: the lines set aside, one row per line and problem
    redactions: int
    seconds: float  # reading, hashing, validating and protecting (not the time spent waiting for the worker)
    cutoffs: list[tuple[date, datetime, str]]  # `file_cutoffs`: the local days it covers, up to when
    seq: int = 0


def _load_new_files(
    con: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    quarantine_dir: Path,
    options: _Options,
    report: LoadReport,
    say: Callable[[str], None],
) -> None:
    if not landing_dir.is_dir():
        say(f"ingest {report.load_id}: the landing folder {landing_dir} does not exist; nothing to load")
        return
    try:
        quarantine_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise IngestSetupError(f"cannot create the quarantine folder {quarantine_dir}: {e.strerror}") from None
    say(f"ingest {report.load_id}: scanning {landing_dir}")
    seen = f"WHERE reason IS NULL OR reason NOT LIKE '{INTERNAL_ERROR}%'"
    loaded_paths = set(con.sql("SELECT path, size_bytes, mtime_ns FROM ops.loaded_files").fetchall())
    rejected_paths = set(con.sql(f"SELECT source_file, size_bytes, mtime_ns FROM ops.rejected_files {seen}").fetchall())
    loaded_hashes = {h for (h,) in con.sql("SELECT sha256 FROM ops.loaded_files").fetchall()}
    rejected_hashes = {h for (h,) in con.sql(f"SELECT sha256 FROM ops.rejected_files {seen}").fetchall()}
    next_seq = con.sql("SELECT coalesce(max(file_seq), 0) + 1 FROM ops.loaded_files").fetchall()[0][0]

    def reject(cand: _Candidate, sha: str, data: bytes, reason: str, problems: pl.DataFrame | None) -> None:
        report.rejected.append(_reject(con, cand, sha, data, reason, problems, report.load_id, quarantine_dir))
        rejected_hashes.add(sha)
        report.sources[cand.source].files_rejected += 1
        say(f"  {cand.rel}: REJECTED, {reason}")

    def land(batch: list[_Prepared]) -> None:
        try:
            seconds = _land(con, batch, report.load_id)
        except Exception as e:  # a fault of Tilsyn (the rows were validated): nothing of the batch landed
            if len(batch) > 1:  # one file's fault must not keep the others out: each alone, in arrival order
                for prepared in batch:
                    land([prepared])
                return
            # A copy of this content met in this run was skipped; its path is not recorded, so it is read again and
            # loaded on the next run (internal errors are retried).
            loaded_hashes.discard(batch[0].sha)
            reject(batch[0].cand, batch[0].sha, batch[0].data, _internal_error(e), None)
            return
        for prepared, file_seconds in zip(batch, seconds, strict=True):
            stats = report.sources[prepared.cand.source]
            stats.files_loaded += 1
            stats.rows += prepared.rows.height
            stats.redactions += prepared.redactions
            stats.seconds += file_seconds
            set_aside_lines = prepared.quarantined["row"].n_unique()
            stats.rows_quarantined += set_aside_lines
            say(
                f"  {prepared.cand.rel}: {prepared.rows.height:,} rows loaded in {file_seconds:.2f} s"
                + (f", {prepared.redactions} card/bank number(s) redacted" if prepared.redactions else "")
                + (f", {set_aside_lines:,} row(s) QUARANTINED" if set_aside_lines else "")
            )

    pending: dict[str, list[_Prepared]] = {}
    cutoff_files = set(con.sql("SELECT source, file FROM ops.loaded_file_cutoffs").fetchall())

    def record_named_cutoff(cand: _Candidate) -> None:
        """A slice with the same bytes as an earlier one (two quiet quarter hours are the same header-only file)
        lands no rows, but its name still moves its day's cutoff."""
        if (cand.source, cand.rel) in cutoff_files or cand.source not in SLICED_SOURCES:
            return
        cutoffs = [c for c in file_cutoffs(cand.source, cand.path.name, None, options.timezone) if c[2] != _LATEST]
        if cutoffs:
            con.executemany(
                "INSERT INTO ops.loaded_file_cutoffs VALUES (?, ?, NULL, ?, ?, ?, ?)",
                [[cand.source, cand.rel, d, c, f, _now().replace(tzinfo=UTC)] for d, c, f in cutoffs],
            )
            cutoff_files.add((cand.source, cand.rel))

    def accept(cand: _Candidate, data: bytes, sha: str, preparing: Future[_Prepared] | None) -> None:
        """Decide one file, in arrival order: skip, reject, or add it to its source's batch (landed when full)."""
        nonlocal next_seq
        stats = report.sources[cand.source]
        if sha in loaded_hashes:
            stats.files_skipped += 1
            say(f"  {cand.rel}: same content as a file already loaded, skipped")
            record_named_cutoff(cand)
            return
        if sha in rejected_hashes:
            stats.files_still_rejected += 1
            return
        assert preparing is not None  # only a later copy of a content is not prepared, and it is decided above
        try:
            prepared = preparing.result()
        except FileRejected as e:
            reject(cand, sha, data, str(e), e.problems)
            return
        except Exception as e:
            reject(cand, sha, data, _internal_error(e), None)
            return
        # Numbered in arrival order as accepted, so numbers stay dense and, within a source, follow arrival.
        prepared.seq = next_seq
        next_seq += 1
        loaded_hashes.add(sha)
        pending.setdefault(cand.source, []).append(prepared)
        if sum(p.rows.height for batch in pending.values() for p in batch) >= BATCH_ROWS:
            for batch in pending.values():
                land(batch)
            pending.clear()

    # The worker thread reads, validates and protects the next files (Polars, and the HMACs in Python) while this
    # thread lands a batch in DuckDB, which releases the GIL: on two cores the two overlap. Every decision is still
    # taken here, in arrival order; the worker only computes.
    waiting: deque[tuple[_Candidate, bytes, str, Future[_Prepared] | None]] = deque()
    submitted: set[str] = set()
    worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-prepare")
    try:
        for cand in _find_files(landing_dir, list(report.sources), say):
            stats = report.sources[cand.source]
            if (cand.rel, cand.size, cand.mtime_ns) in loaded_paths:
                stats.files_skipped += 1
                continue
            if (cand.rel, cand.size, cand.mtime_ns) in rejected_paths:
                stats.files_still_rejected += 1
                continue
            t0 = time.perf_counter()
            try:
                data = cand.path.read_bytes()
            except OSError as e:  # not recorded: the file is tried again on the next run
                report.rejected.append(Rejection(cand.source, cand.rel, f"cannot be read ({e.strerror})", 0, ""))
                stats.files_rejected += 1
                say(f"  {cand.rel}: REJECTED, cannot be read ({e.strerror})")
                continue
            sha = _sha256(data)
            read_seconds = time.perf_counter() - t0
            known = sha in loaded_hashes or sha in rejected_hashes or sha in submitted
            submitted.add(sha)
            preparing = (
                None if known else worker.submit(_prepare, cand, data, sha, options, report.load_id, read_seconds)
            )
            waiting.append((cand, data, sha, preparing))
            if len(waiting) > PREPARED_AHEAD:
                accept(*waiting.popleft())
        while waiting:
            accept(*waiting.popleft())
        for batch in pending.values():
            land(batch)
    finally:
        worker.shutdown(cancel_futures=True)


def _internal_error(e: Exception) -> str:
    # The message may quote a value: at least no card or bank number may reach the report.
    detail = redact_text(str(e).splitlines()[0] if str(e) else "")[0]
    return f"{INTERNAL_ERROR} ({type(e).__name__}: {detail}); the file will be retried on the next run"


def _prepare(
    cand: _Candidate, data: bytes, sha: str, options: _Options, load_id: str, read_seconds: float
) -> _Prepared:
    """Read, validate and protect one file (nothing is written); the bad rows' units are set aside. Raises
    `FileRejected` when the file cannot be read at all."""
    t0 = time.perf_counter()
    contract = SOURCES[cand.source]
    text = read_export(cand.path, data, contract)
    if contract.name == "ledger" and options.currency.value is None:
        options.currency.decide(validate(text, contract, cand.rel)[0], text, cand.rel)
    typed, problems = validate(text, contract, cand.rel, center_currency=options.currency.value)
    quarantined = set_aside(typed, text, problems, contract, options.timezone)
    if quarantined.height:
        kept = ~text[LINE].is_in(quarantined["row"].unique().implode())
        typed, text = typed.filter(kept), text.filter(kept)
    text = text.drop(BROKEN)
    rows, extras, redactions = _protect(typed, text, contract, options.key)
    rows = rows.with_columns(
        pl.lit(load_id).alias("_load_id"),
        pl.lit(cand.rel).alias("_source_file"),
        pl.col(LINE).alias("_source_line"),
        extras,
    )
    metadata = [n for n in LOAD_COLUMNS if n != "_file_seq"]
    restricted = None
    if contract.restricted_columns:
        restricted = rows.select(*contract.key, *(c.name for c in contract.restricted_columns), *metadata)
        # Unknown columns of an HR export may be personal data too: they stay in the restricted database.
        rows = rows.with_columns(pl.lit(None, dtype=pl.String).alias("_extra_columns"))
    rows = rows.select(*(c.name for c in contract.analyst_columns), *metadata)
    cutoffs = file_cutoffs(cand.source, cand.path.name, typed, options.timezone)
    return _Prepared(
        cand, sha, data, rows, restricted, quarantined, redactions, read_seconds + time.perf_counter() - t0, cutoffs
    )


_LATEST = "latest_timestamp"


def file_cutoffs(
    source: str, name: str, typed: pl.DataFrame | None, time_zone: str
) -> list[tuple[date, datetime, str]]:
    """What a file of a time-sliced source says about its local days: (local_date, cutoff_at as aware UTC,
    cutoff_from) for each. A slice's name gives its cutoff and its one day; a whole-day name its day, complete to
    midnight; otherwise every local day its rows reach, each complete up to its latest timestamp (ingest/slices.py).
    Other sources: none."""
    if source not in SLICED_SOURCES:
        return []
    named = read_name(name, time_zone)
    if named.cutoff_at is not None:
        day = local_day_of_cutoff(named.cutoff_at, time_zone)
        return [(day, named.cutoff_at.replace(tzinfo=UTC), "file_name")]
    if named.whole_day is not None:
        return [(named.whole_day, local_midnight_after(named.whole_day, time_zone).replace(tzinfo=UTC), "whole_file")]
    if typed is None:
        return [(None, None, _LATEST)]
    column = SLICED_SOURCES[source]
    latest = (
        typed.select(pl.col(column).dt.convert_time_zone("UTC"))
        .drop_nulls()
        .group_by(pl.col(column).dt.convert_time_zone(time_zone).dt.date().alias("local_date"))
        .agg(pl.col(column).max().alias("cutoff_at"))
        .sort("local_date")
    )
    return [(d, c, _LATEST) for d, c in latest.iter_rows()]


def _land(con: duckdb.DuckDBPyConnection, batch: list[_Prepared], load_id: str) -> list[float]:
    """Land the rows of `batch` (files of one source) and their manifest rows in one transaction: each file is then
    either wholly in `raw` with its manifest row, or not at all. Returns each file's seconds (its preparation plus
    its share, by rows, of the landing)."""
    t0 = time.perf_counter()
    contract = SOURCES[batch[0].cand.source]
    seqs = [p.seq for p in batch]

    def numbered(frames: list[pl.DataFrame]) -> pl.DataFrame:
        return pl.concat(
            [
                f.with_columns(pl.lit(p.seq, dtype=pl.Int64).alias("_file_seq"))
                for f, p in zip(frames, batch, strict=True)
            ],
            rechunk=False,
        )

    if contract.restricted_columns:
        # DuckDB writes one database per transaction: restricted rows are committed first and deleted again if the
        # pipeline transaction fails (after a crash, `_create_tables` drops those whose file is not in the manifest).
        _insert(con, f"{RESTRICTED_ALIAS}.restricted.{contract.name}", numbered([p.restricted for p in batch]))
    try:
        con.execute("BEGIN TRANSACTION")
        _insert(con, f"raw.{contract.name}", numbered([p.rows for p in batch]))
        landing = time.perf_counter() - t0
        total_rows = sum(p.rows.height for p in batch)
        seconds = [p.seconds + landing * (p.rows.height / total_rows if total_rows else 1 / len(batch)) for p in batch]
        now = _now()
        quarantined = [
            p.quarantined.select(
                pl.lit(load_id).alias("load_id"),
                pl.lit(p.cand.source).alias("source"),
                pl.lit(p.cand.rel).alias("file"),
                pl.lit(p.sha).alias("sha256"),
                pl.lit(p.seq, dtype=pl.Int64).alias("file_seq"),
                pl.col("row").alias("line"),
                "field",
                "value",
                pl.col("rule").alias("reason"),
                "unit",
                "unit_key",
                "local_date",
                pl.lit(now).alias("quarantined_at"),
            )
            for p in batch
            if p.quarantined.height
        ]
        if quarantined:
            _insert(con, "ops.quarantined_rows", pl.concat(quarantined))
        cutoff_rows = [
            [p.cand.source, p.cand.rel, p.seq, day, cutoff, cutoff_from, now.replace(tzinfo=UTC)]
            for p in batch
            for day, cutoff, cutoff_from in p.cutoffs
        ]
        if cutoff_rows:
            con.executemany("INSERT INTO ops.loaded_file_cutoffs VALUES (?, ?, ?, ?, ?, ?, ?)", cutoff_rows)
        con.executemany(
            "INSERT INTO ops.loaded_files (source, path, size_bytes, mtime_ns, sha256, rows, load_id, loaded_at,"
            " file_seq, redactions, seconds, quarantined_rows) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    p.cand.source,
                    p.cand.rel,
                    p.cand.size,
                    p.cand.mtime_ns,
                    p.sha,
                    p.rows.height,
                    load_id,
                    now,
                    p.seq,
                    p.redactions,
                    s,
                    p.quarantined["row"].n_unique(),
                ]
                for p, s in zip(batch, seconds, strict=True)
            ],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        if contract.restricted_columns:
            con.execute(
                f"DELETE FROM {RESTRICTED_ALIAS}.restricted.{contract.name} WHERE list_contains(?, _file_seq)", [seqs]
            )
        raise
    return seconds


def _reject(
    con: duckdb.DuckDBPyConnection,
    cand: _Candidate,
    sha: str,
    data: bytes,
    reason: str,
    problems: pl.DataFrame | None,
    load_id: str,
    quarantine_dir: Path,
) -> Rejection:
    """Copy the file to quarantine with its problem report; record it. The landing file stays as it is."""
    folder = quarantine_dir / cand.source
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / cand.path.name
    if target.exists() and _sha256(target.read_bytes()) != sha:
        target = folder / f"{sha[:12]}-{cand.path.name}"
    target.write_bytes(data)  # private (umask 077): a raw export may hold secrets that never reach the warehouse
    if problems is None:
        problems = pl.DataFrame(
            [{"file": cand.rel, "row": None, "field": None, "value": None, "rule": reason}], schema=PROBLEM_SCHEMA
        )
    kept = problems.head(MAX_PROBLEMS_PER_FILE)
    kept.write_csv(Path(f"{target}.problems.csv"))
    con.execute("BEGIN TRANSACTION")
    con.execute(
        "INSERT INTO ops.rejected_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [cand.source, cand.rel, cand.size, cand.mtime_ns, sha, load_id, _now(), reason, problems.height, str(target)],
    )
    _insert(
        con,
        "ops.row_problems",
        kept.select(
            pl.lit(load_id).alias("load_id"),
            pl.lit(cand.source).alias("source"),
            pl.lit(sha).alias("sha256"),
            "file",
            "row",
            "field",
            "value",
            "rule",
        ),
    )
    con.execute("COMMIT")
    return Rejection(cand.source, cand.rel, reason, problems.height, str(target))
