"""Publishing the analyst warehouse: a complete new version, swapped in atomically.

Analysts and dashboards read `warehouse.duckdb`; the pipeline never writes it in place. After a successful build the
schemas analysts may read (`marts`, `ops`) are published from the pipeline's private database into a new file beside
the warehouse, which is then `os.replace`d over it. Readers that already hold the old file keep reading the old
version; new connections see the new one; a run that dies before the replace leaves the old version untouched (the
half-written `.next-*` file is removed by the next publish). DuckDB allows one writer or many readers per file, so
the published file only ever has readers. Plain module: Dagster and the CLI call it.

Big facts as Parquet files: closed months, and the days of the newest month
----------------------------------------------------------------------------
A table with a `local_date` (DATE) and a `_built_at` (TIMESTAMP) column is *partitioned*: it is published as Parquet
files in a version folder beside the warehouse, `<warehouse>.parts/<version_id>/<table>/`: one file per day of its
newest month (`<YYYY-MM-DD>.parquet`), one per earlier month (`<YYYY-MM>.parquet`) and the rows without a date in
`null.parquet`; the warehouse holds a view `select * from read_parquet([<that version's files>])` under the table's
name. The newest month is the one the next runs change, a day at a time (a nightly run adds a day, a slice run
rewrites the open day), so a run writes a day's file where it used to rewrite the month's; once a later month has
rows, the month is closed and the next publish writes it as one month file (its days were files of earlier versions
only). A table may be split by another DATE column instead of `local_date` (`PARTITION_COLUMNS`: the forecast
snapshots by `origin_date`, written once per origin). `_built_at` (which dbt build last wrote a row) is internal and
never published. Every other table is copied into the warehouse file; so is a partitioned table without rows
(`read_parquet` of no files is an error).

A publish writes only the files whose rows changed since the published version and hard-links the others from the
published version's folder (a copy where the file system refuses links). `ops.published_parts` of each version lists
its files (`part_grain` month or day, `part_start` its first day) with their row count, newest `_built_at` and a
signature of the columns (names, types, file format). A file is unchanged when, in the pipeline, its month or day has
the same row count, no row newer than the published newest `_built_at`, the same columns signature, and the published
file still exists. Why that is sound: every row an incremental build writes carries that build's stamp (a full refresh
stamps every row), and rows are only ever removed inside a scope that build rewrites; so a month or day whose content
changed either holds a row newer than what was published or, when rows were only removed, has a different row count.
A file without any stamp (NULL) is always rewritten. A month published as days and now closed has no month file to
compare with: it is written.

A version is complete (every file written and fsync'd) before its warehouse file replaces the old one, and version
folders are never changed once written, so readers that hold the old warehouse file keep reading the old folder. A
folder is deleted only when the current warehouse does not refer to it and it is older than `VERSION_RETENTION_SECONDS`
(24 h, counted from when it stopped being current: a publish touches the folder it supersedes; folders of publishes
that died count from their last write). Each version folder is whole on its own (unchanged files are links, not
references), so deleting one never affects another. The views hold absolute paths: moving the warehouse and its
`.parts` folder needs a new publish (`published_state` finds the moved warehouse's views unreadable, so the next run
publishes; its files moved along and are linked, `file_name` being relative to the `.parts` folder).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from dagster_project.settings import REBUILD_DATES_VAR

PUBLISHED_SCHEMAS = ("marts", "ops")
DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt"
# What a build's result depends on besides the landed files and the settings.
DBT_CODE_GLOBS = ("dbt_project.yml", "models/**/*", "macros/**/*", "seeds/**/*")

# Partitioned tables: a `local_date` DATE column and a `_built_at` TIMESTAMP column (the dbt build that wrote the row).
PARTITION_COLUMN, BUILT_AT_COLUMN = "local_date", "_built_at"
# Tables split by another DATE column: the forecast snapshots are written once per origin and never changed, so by
# origin a night writes one day file; by local_date (the forecast's target day, up to 42 days ahead) it rewrote the
# two or three months the new origin's horizon touches, each holding the rows of every origin aimed at them.
PARTITION_COLUMNS = {"ops.interval_forecasts": "origin_date"}
# Folders of superseded versions (and of publishes that died) stay this long: readers holding an old warehouse file
# read its folder. A reader that keeps a connection open longer than this after a newer publish loses its old version.
VERSION_RETENTION_SECONDS = 24 * 3600
# Measured on a 1,000-agent year (one month of fct_contact_legs, 1.9 M rows): ZSTD 58 MB vs Snappy (the default)
# 90 MB at about the same write time (1.6 s vs 0.9-1.9 s) and read time; 36 % less disk and page cache for ZSTD.
PARQUET_OPTIONS = "FORMAT parquet, COMPRESSION zstd"
# Part of every columns signature: changing how the files are written (options, stored types) rewrites them all.
# ("month-parts" predates day files, which are written the same way: the name stays, so month files stay linked.)
PARTS_FORMAT = f"tilsyn-month-parts-1; {PARQUET_OPTIONS}"
VERSION_ID_PATTERN = re.compile(r"^(\d{8}T\d{6}Z)-[0-9a-f]{8}$")
NULL_PART_FILE = "null.parquet"
# `ops.published_parts.part_grain`: a file holds a month's rows or a day's (the days of a table's newest month).
MONTH, DAY = "month", "day"
PartKey = tuple[str, str, date | None]  # (table_name, part_grain, part_start)
# The state key of a version a slice run published (dagster_project/slice_run.py): only part of it was built from
# every landed file, so it never equals a pipeline's key and the next run over no new files builds everything.
SLICE_STATE_KEY_PREFIX = "slice-run:"


@dataclass
class PublishReport:
    warehouse: Path
    version_id: str
    table_rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    files_written: int = 0  # Parquet files of partitioned tables: months, days, undated rows
    day_files_written: int = 0  # of those, day files
    files_linked: int = 0

    def lines(self) -> list[str]:
        rows = sum(self.table_rows.values())
        return [
            f"published {len(self.table_rows)} tables ({rows:,} rows) to {self.warehouse} "
            f"[version {self.version_id}] in {self.seconds:.1f} s; "
            f"Parquet files: {self.files_written} written ({self.day_files_written} of them days), "
            f"{self.files_linked} linked"
        ]


@dataclass(frozen=True)
class PublishedPart:
    """A row of `ops.published_parts`: one Parquet file of a partitioned table (a month, a day, or no date)."""

    table_name: str
    month_start: date | None  # the month the file's rows are in (NULL: the rows without a date)
    row_count: int
    max_built_at: datetime | None
    file_name: str  # relative to the `.parts` folder: <version_id>/<table>/<YYYY-MM>.parquet or <YYYY-MM-DD>.parquet
    columns_signature: str
    part_grain: str = MONTH  # MONTH or DAY
    part_start: date | None = None  # the file's first day: the month's first day, or the day

    @property
    def key(self) -> PartKey:
        return (self.table_name, self.part_grain, self.part_start)


@dataclass(frozen=True)
class PlannedPart:
    """A file a partitioned table is to be published as, with the pipeline's count and newest stamp of its rows."""

    grain: str
    start: date | None
    row_count: int
    max_built_at: datetime | None

    @property
    def month_start(self) -> date | None:
        return None if self.start is None else self.start.replace(day=1)

    @property
    def file_name(self) -> str:
        if self.start is None:
            return NULL_PART_FILE
        return f"{self.start:%Y-%m-%d}.parquet" if self.grain == DAY else f"{self.start:%Y-%m}.parquet"

    def where(self, partition_column: str) -> str:
        """The SQL condition selecting the part's rows."""
        column = _quote(partition_column)
        if self.start is None:
            return f"{column} is null"
        if self.grain == DAY:
            return f"{column} = date '{self.start.isoformat()}'"
        following = date(self.start.year + self.start.month // 12, self.start.month % 12 + 1, 1)
        return f"{column} >= date '{self.start.isoformat()}' and {column} < date '{following.isoformat()}'"


def plan_parts(day_counts: list[tuple[date | None, int, datetime | None]]) -> list[PlannedPart]:
    """The files of a partitioned table from its (day, row count, newest `_built_at`) per partition day: one per day of
    its newest month (the open one, which the next runs change a day at a time), one per earlier month, one for the
    rows without a date. Months first, then days, then the undated rows."""
    dated = sorted(row for row in day_counts if row[0] is not None)
    open_month = dated[-1][0].replace(day=1) if dated else None
    months: dict[date, tuple[int, datetime | None]] = {}
    days = []
    for day, rows, max_built_at in dated:
        if day >= open_month:
            days.append(PlannedPart(DAY, day, rows, max_built_at))
            continue
        month = day.replace(day=1)
        month_rows, month_built_at = months.get(month, (0, None))
        stamps = [stamp for stamp in (month_built_at, max_built_at) if stamp is not None]
        months[month] = (month_rows + rows, max(stamps) if stamps else None)
    parts = [PlannedPart(MONTH, month, rows, built_at) for month, (rows, built_at) in months.items()] + days
    parts += [PlannedPart(MONTH, None, rows, max_built_at) for day, rows, max_built_at in day_counts if day is None]
    return parts


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def parts_root(warehouse: Path) -> Path:
    """The folder of the Parquet files of every published version: `<warehouse>.parts` beside the warehouse."""
    return warehouse.with_name(warehouse.name + ".parts")


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
            has = con.execute(
                "select count(*) from duckdb_tables() where schema_name = 'ops' and table_name = ?", [table]
            ).fetchone()[0]
            if has:
                for (sha,) in con.execute(f"select sha256 from ops.{table} order by sha256").fetchall():
                    digest.update(f"{table}\0{sha}\n".encode())
    finally:
        con.close()
    return digest.hexdigest()


def published_state(warehouse: Path) -> tuple[str, str] | None:
    """(version_id, state key) of the published warehouse; None when there is none, it predates state keys, or one of
    its views cannot be read (its Parquet files are not where the views look: the warehouse was moved), so that the
    next run publishes again instead of finding nothing new."""
    if not warehouse.exists():
        return None
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        state = con.execute("select any_value(version_id), any_value(state_key) from ops.published_version").fetchone()
        for schema, view in con.execute(
            "select schema_name, view_name from duckdb_views() where not internal"
        ).fetchall():
            con.execute(f"select count(*) from {_quote(schema)}.{_quote(view)}").fetchone()  # Parquet footers only
        return state
    except duckdb.Error:
        return None
    finally:
        con.close()


def published_parts(warehouse: Path) -> tuple[str | None, dict[PartKey, PublishedPart]]:
    """(version_id, {(table, grain, first day): part}) of the published warehouse; (None, {}) when there is none, it
    predates Parquet files, or it cannot be read (then the next publish writes every file). A version published before
    day files lists month files only (its `month_start` is each file's first day)."""
    if not warehouse.exists():
        return None, {}
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error:
        return None, {}
    columns = "table_name, month_start, row_count, max_built_at, file_name, columns_signature"
    try:
        (version_id,) = con.execute("select any_value(version_id) from ops.published_version").fetchone()
        try:
            rows = con.execute(f"select {columns}, part_grain, part_start from ops.published_parts").fetchall()
        except duckdb.BinderException:  # published before day files
            rows = con.execute(f"select {columns}, 'month', month_start from ops.published_parts").fetchall()
    except duckdb.Error:
        return None, {}
    finally:
        con.close()
    parts = [PublishedPart(*row) for row in rows]
    return version_id, {part.key: part for part in parts}


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _stored(name: str, data_type: str) -> str:
    """A column as written to Parquet. DuckDB writes HUGEINT/UHUGEINT as DOUBLE (lossy above 2^53): they are stored as
    text and cast back in the view, exact for every value."""
    return f"cast({_quote(name)} as varchar) as {_quote(name)}" if "HUGEINT" in data_type else _quote(name)


def _unchanged(previous: PublishedPart | None, planned: PlannedPart, signature: str, root: Path) -> bool:
    return (
        previous is not None
        and previous.row_count == planned.row_count
        and planned.max_built_at is not None
        and previous.max_built_at is not None
        and planned.max_built_at <= previous.max_built_at
        and previous.columns_signature == signature
        and (root / previous.file_name).is_file()
    )


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links, or another device
        shutil.copyfile(source, target)
        _fsync(target)


def _publish_partitioned(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    columns: list[tuple[str, str]],
    partition_column: str,
    version_dir: Path,
    root: Path,
    previous: dict[PartKey, PublishedPart],
    report: PublishReport,
) -> list[PublishedPart] | None:
    """Publish one partitioned table as a view over its Parquet files; None when it has no rows (copy it instead)."""
    source = f"pipeline.{_quote(schema)}.{_quote(table)}"
    name = f"{schema}.{table}"
    day_counts = con.execute(
        f"select {_quote(partition_column)}, count(*), max({_quote(BUILT_AT_COLUMN)}) from {source} group by 1"
    ).fetchall()
    if not day_counts:
        return None
    # another partition column splits the rows otherwise: never compared with files split by local_date
    basis = [PARTS_FORMAT, columns] + ([] if partition_column == PARTITION_COLUMN else [partition_column])
    signature = hashlib.sha256(json.dumps(basis).encode()).hexdigest()
    folder = table if schema == "marts" else name  # names are unique per schema; marts are the common case
    table_dir = version_dir / folder
    table_dir.mkdir(parents=True)
    stored = ", ".join(_stored(column, data_type) for column, data_type in columns)
    parts = []
    for planned in plan_parts(day_counts):
        file_name = f"{version_dir.name}/{folder}/{planned.file_name}"
        target = root / file_name
        before = previous.get((name, planned.grain, planned.start))
        if _unchanged(before, planned, signature, root):
            _link_or_copy(root / before.file_name, target)
            report.files_linked += 1
        else:
            (written,) = con.execute(
                f"copy (select {stored} from {source} where {planned.where(partition_column)}) "
                f"to {_literal(str(target))} ({PARQUET_OPTIONS})"
            ).fetchone()
            if written != planned.row_count:
                raise RuntimeError(
                    f"{name} {planned.file_name}: {written:,} rows written, {planned.row_count:,} counted"
                )
            _fsync(target)
            report.files_written += 1
            report.day_files_written += planned.grain == DAY
        parts.append(
            PublishedPart(
                name,
                planned.month_start,
                planned.row_count,
                planned.max_built_at,
                file_name,
                signature,
                planned.grain,
                planned.start,
            )
        )
    _fsync(table_dir)

    files = "[" + ", ".join(_literal(str(root / part.file_name)) for part in parts) + "]"
    stored_types = dict(
        con.execute(f"select column_name, column_type from (describe select * from read_parquet({files}))").fetchall()
    )
    if all(stored_types.get(column) == data_type for column, data_type in columns):
        select = "*"
    else:  # a type Parquet does not keep (HUGEINT, ENUM, TIMESTAMP_S, fixed-size arrays, ...): cast it back
        select = ", ".join(
            _quote(column)
            if stored_types.get(column) == data_type
            else f"cast({_quote(column)} as {data_type}) as {_quote(column)}"
            for column, data_type in columns
        )
    con.execute(f"create view {_quote(schema)}.{_quote(table)} as select {select} from read_parquet({files})")
    seen = con.execute(
        f"select column_name, column_type from (describe select * from {_quote(schema)}.{_quote(table)})"
    ).fetchall()
    if seen != columns:
        raise RuntimeError(f"{name}: the Parquet files read back as {seen}, not {columns}")
    return parts


def _keep_published(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    columns: list[tuple[str, str]],
    has_previous: bool,
    version_dir: Path,
    root: Path,
    previous: dict[PartKey, PublishedPart],
    previous_version: str | None,
) -> list[PublishedPart] | None:
    """Publish a table of a stale domain as it is in the published version (attached as `published`).

    A view over Parquet files: the files are linked into the new version's folder and the view is created again over
    them (a version folder is whole on its own); its `ops.published_parts` rows go along, so the next publish compares
    the pipeline with them as usual. A copied table: copied. Never published (the domain has never been built
    successfully): an empty table with the pipeline's columns, so queries keep working; None means "copied".
    """
    name = f"{schema}.{table}"
    target = f"{_quote(schema)}.{_quote(table)}"
    kept_parts = sorted(
        (part for part in previous.values() if part.table_name == name),
        key=lambda part: part.file_name,
    )
    if has_previous and kept_parts and previous_version is not None:
        (view_sql,) = con.execute(
            "select sql from duckdb_views() where database_name = 'published' and schema_name = ? and view_name = ?",
            [schema, table],
        ).fetchone()
        folder = kept_parts[0].file_name.split("/")[1]
        (version_dir / folder).mkdir(parents=True)
        parts = []
        for part in kept_parts:
            file_name = f"{version_dir.name}/{part.file_name.split('/', 1)[1]}"
            _link_or_copy(root / part.file_name, root / file_name)
            parts.append(replace(part, file_name=file_name))
        _fsync(version_dir / folder)
        old_prefix, new_prefix = str(root / previous_version) + "/", str(root / version_dir.name) + "/"
        con.execute(view_sql.replace(_literal(old_prefix)[:-1], _literal(new_prefix)[:-1]))
        return parts
    exists = (
        has_previous
        and con.execute(
            "select count(*) from duckdb_tables() "
            "where database_name = 'published' and schema_name = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )
    if exists:
        con.execute(f"create table {target} as select * from published.{target}")
    else:
        names = ", ".join(_quote(column) for column, _ in columns)
        con.execute(f"create table {target} as select {names} from pipeline.{target} limit 0")
    return None


def _version_age_seconds(folder: Path, now: float) -> float:
    """How long ago a version folder was last current or written: the younger of its id's time and its mtime."""
    ages = [now - folder.stat().st_mtime]
    match = VERSION_ID_PATTERN.match(folder.name)
    if match:
        stamp = datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        ages.append(now - stamp.timestamp())
    return min(ages)


def _remove_old_versions(root: Path, current: str, progress: Callable[[str], None]) -> None:
    """Delete version folders the current warehouse does not refer to once they are older than the retention."""
    if not root.is_dir():
        return
    now = time.time()
    for folder in sorted(root.iterdir()):
        if folder.name == current or not folder.is_dir() or not VERSION_ID_PATTERN.match(folder.name):
            continue
        try:
            if _version_age_seconds(folder, now) > VERSION_RETENTION_SECONDS:
                shutil.rmtree(folder)
                progress(
                    f"removed version folder {folder.name} (superseded over {VERSION_RETENTION_SECONDS / 3600:g} h ago)"
                )
        except OSError as exc:  # the new version is published; a folder left behind goes at the next publish
            progress(f"could not remove version folder {folder.name}: {exc}")


def publish_warehouse(
    pipeline_db: Path,
    warehouse: Path,
    schemas: tuple[str, ...] = PUBLISHED_SCHEMAS,
    progress: Callable[[str], None] = lambda line: None,
    state_key: str | None = None,
    kept_tables: frozenset[str] = frozenset(),
    unchanged_tables: frozenset[str] = frozenset(),
) -> PublishReport:
    """Publish `schemas` of `pipeline_db` as a new version and atomically replace `warehouse` with it.

    `kept_tables` ("marts.<table>", the marts of stale domains) are taken from the published version instead of the
    pipeline: their last good version, unchanged (see `_keep_published`). `unchanged_tables` (what a slice run did
    not build) are taken from it the same way, without a line each. `ops.published_version.kept_from_version` names,
    for every table taken from an earlier version, the version that last published it from the pipeline.
    """
    kept_tables = kept_tables | unchanged_tables
    started = time.perf_counter()
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    for stale in warehouse.parent.glob(warehouse.name + ".next-*"):
        # left by a run that died while publishing (the database, its WAL, its spill folder)
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    version_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:8]
    next_path = warehouse.with_name(f"{warehouse.name}.next-{version_id}")
    root = parts_root(warehouse.absolute())
    version_dir = root / version_id
    previous_version, previous = published_parts(warehouse)
    report = PublishReport(warehouse=warehouse, version_id=version_id)
    progress(f"building version {version_id} beside {warehouse.name} ({next_path.name})")

    # The same memory bound as dbt's (dbt/profiles.yml): copying a year of a 1,000-agent center unbounded peaked at
    # 11 GiB; bounded, DuckDB streams the copy and spills beside the new file.
    con = duckdb.connect(
        str(next_path),
        config={"memory_limit": os.environ.get("TILSYN_DUCKDB_MEMORY_LIMIT", "5GB"), "preserve_insertion_order": False},
    )
    parts: list[PublishedPart] = []
    try:
        con.execute(f"ATTACH {_literal(str(pipeline_db))} AS pipeline (READ_ONLY)")
        has_previous = bool(kept_tables) and previous_version is not None
        kept_from: dict[str, str] = {}
        if has_previous:
            con.execute(f"ATTACH {_literal(str(warehouse))} AS published (READ_ONLY)")
            try:
                kept_from = dict(
                    con.execute(
                        "select table_name, kept_from_version from published.ops.published_version "
                        "where kept_from_version is not null"
                    ).fetchall()
                )
            except duckdb.Error:  # a version published before the column
                kept_from = {}
        placeholders = ", ".join("?" for _ in schemas)
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'pipeline' "
            f"and schema_name in ({placeholders}) order by 1, 2",
            list(schemas),
        ).fetchall()
        all_columns: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for schema, table, column, data_type in con.execute(
            "select schema_name, table_name, column_name, data_type from duckdb_columns() "
            f"where database_name = 'pipeline' and schema_name in ({placeholders}) order by column_index",
            list(schemas),
        ).fetchall():
            all_columns.setdefault((schema, table), []).append((column, data_type))
        for schema in schemas:
            con.execute(f"create schema if not exists {_quote(schema)}")
        for schema, table in tables:
            target = f"{_quote(schema)}.{_quote(table)}"
            types = dict(all_columns[(schema, table)])
            partition_column = PARTITION_COLUMNS.get(f"{schema}.{table}", PARTITION_COLUMN)
            columns = [(c, t) for c, t in all_columns[(schema, table)] if c != BUILT_AT_COLUMN]
            table_parts = None
            if f"{schema}.{table}" in kept_tables:
                table_parts = _keep_published(
                    con, schema, table, columns, has_previous, version_dir, root, previous, previous_version
                )
                if f"{schema}.{table}" not in unchanged_tables:
                    progress(f"{schema}.{table}: last good version kept (its domain is stale)")
            elif types.get(partition_column) == "DATE" and types.get(BUILT_AT_COLUMN) == "TIMESTAMP":
                table_parts = _publish_partitioned(
                    con, schema, table, columns, partition_column, version_dir, root, previous, report
                )
            if table_parts is None and f"{schema}.{table}" in kept_tables:
                pass  # copied from the published version by _keep_published
            elif table_parts is None:
                exclude = f" exclude ({_quote(BUILT_AT_COLUMN)})" if BUILT_AT_COLUMN in types else ""
                con.execute(f"create table {target} as select *{exclude} from pipeline.{target}")
            else:
                parts += table_parts
                progress(f"{schema}.{table}: {len(table_parts)} Parquet files")
            rows = report.table_rows[f"{schema}.{table}"] = con.execute(f"select count(*) from {target}").fetchone()[0]
            if table_parts is not None and rows != sum(part.row_count for part in table_parts):
                raise RuntimeError(
                    f"{schema}.{table}: its Parquet files hold {rows:,} rows, the pipeline "
                    f"{sum(part.row_count for part in table_parts):,}"
                )
            if len(report.table_rows) % 20 == 0:
                progress(f"{len(report.table_rows)} of {len(tables)} tables copied")
        # The version's own manifest, so a reader can check it sees one complete version.
        con.execute(
            "create table ops.published_version (version_id varchar, published_at timestamp, "
            "table_name varchar, row_count bigint, state_key varchar, kept_from_version varchar)"
        )
        now = datetime.now(UTC).replace(tzinfo=None)
        if report.table_rows:  # one statement, as below
            con.execute(
                "insert into ops.published_version values "
                + ", ".join("(?, ?, ?, ?, ?, ?)" for _ in report.table_rows),
                [
                    value
                    for name, rows in report.table_rows.items()
                    for value in (
                        version_id,
                        now,
                        name,
                        rows,
                        state_key,
                        (kept_from.get(name) or previous_version) if name in kept_tables and has_previous else None,
                    )
                ],
            )
        # Its Parquet files, which the next publish compares with the pipeline to write only the changed ones.
        con.execute(
            "create table ops.published_parts (table_name varchar, month_start date, row_count bigint, "
            "max_built_at timestamp, file_name varchar, columns_signature varchar, part_grain varchar, "
            "part_start date)"
        )
        if parts:  # one statement (executemany took ~3 ms a row)
            con.execute(
                "insert into ops.published_parts values " + ", ".join("(?, ?, ?, ?, ?, ?, ?, ?)" for _ in parts),
                [
                    value
                    for p in parts
                    for value in (
                        p.table_name,
                        p.month_start,
                        p.row_count,
                        p.max_built_at,
                        p.file_name,
                        p.columns_signature,
                        p.part_grain,
                        p.part_start,
                    )
                ],
            )
        con.execute("detach pipeline")
        if has_previous:
            con.execute("detach published")
        con.execute("checkpoint")
    finally:
        con.close()
    _fsync(next_path)
    if version_dir.exists():
        _fsync(version_dir)
        _fsync(root)
    _fsync(warehouse.parent)  # the new file's and the `.parts` folder's entries
    superseded = root / previous_version if previous_version else None
    if superseded is not None and superseded.is_dir():
        os.utime(superseded)  # its retention counts from now (it is still current: touching it early is safe)
    os.replace(next_path, warehouse)
    _fsync(warehouse.parent)
    if superseded is not None and superseded.is_dir():
        os.utime(superseded)
    _remove_old_versions(root, version_id, progress)
    report.seconds = time.perf_counter() - started
    return report
