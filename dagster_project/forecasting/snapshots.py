"""The pipeline's forecasts: made once per origin and kept in `ops.interval_forecasts` of the pipeline database.

`ops` is never built by dbt (a full refresh drops nothing there) and is published to the analyst warehouse with the
marts; a table with `local_date` and `_built_at` is published as monthly Parquet files (dagster_project/publish.py).
A forecast already written for an origin is never rewritten: a later change of code or settings shapes later origins
only, so accuracy is always measured on what was actually forecast. The origin is the last complete local day
loaded: the newest day with demand, but never the center's today (its files may still be arriving).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import polars as pl

from dagster_project.forecasting.calendar import calendar_span, default_calendar, read_calendar
from dagster_project.forecasting.forecast import forecast_at_origins

SNAPSHOT_TABLE = "ops.interval_forecasts"
SNAPSHOT_DDL = f"""
create table if not exists {SNAPSHOT_TABLE} (
    origin_date date not null,
    queue varchar not null,
    interval_start timestamp not null,
    local_date date not null,
    horizon_days integer not null,
    method varchar not null,
    offered_forecast double not null,
    aht_seconds_forecast double,
    is_chosen boolean not null,
    interval_minutes integer not null,
    history_first_date date not null,
    history_last_date date not null,
    history_rows bigint not null,
    _built_at timestamp not null
)
"""
DEMAND_QUERY = """
select queue, interval_start, offered::double as offered, handle_seconds::double as handle_seconds,
       handled_legs::double as handled
from intermediate.int_queue_interval_demand
where local_date <= ?
"""


@dataclass
class SnapshotReport:
    origin: date | None
    written_rows: int
    already_written: bool
    seconds: float

    def line(self) -> str:
        if self.origin is None:
            return f"no demand loaded yet: no forecast ({self.seconds:.1f} s)"
        if self.already_written:
            return f"forecast made at origin {self.origin} already kept: nothing written ({self.seconds:.1f} s)"
        return f"forecast made at origin {self.origin}: {self.written_rows:,} rows kept ({self.seconds:.1f} s)"


def origin_day(con: duckdb.DuckDBPyConnection, center_timezone: str, now: datetime | None = None) -> date | None:
    """The last complete local day: the newest day with demand, not today, and not a day whose calls are still
    arriving as intraday slices (int_source_day_cutoffs: an intraday run never refits the forecast on a part-day)."""
    open_days = ""
    (has_cutoffs,) = con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'intermediate' "
        "and table_name = 'int_source_day_cutoffs'"
    ).fetchall()[0]
    if has_cutoffs:
        open_days = (
            " where local_date not in (select local_date from intermediate.int_source_day_cutoffs"
            " where source = 'calls' and not is_closed)"
        )
    (newest,) = con.execute(
        f"select max(local_date) from intermediate.int_queue_interval_demand{open_days}"
    ).fetchall()[0]
    if newest is None:
        return None
    today = (now or datetime.now(UTC)).astimezone(ZoneInfo(center_timezone)).date()
    return min(newest, today - timedelta(days=1))


def write_forecast_snapshot(
    pipeline_db: Path,
    center_timezone: str,
    interval_minutes: int,
    horizon_days: int,
    calendar: dict[date, str] | None = None,
    special_days_file: Path | None = None,
    now: datetime | None = None,
    progress: Callable[[str], None] = lambda line: None,
) -> SnapshotReport:
    """Forecast at the origin and keep it, unless a forecast made at that origin is kept already.

    The calendar: `calendar` when given, else the generator's holidays plus the rows of `special_days_file`."""
    started = time.perf_counter()
    con = duckdb.connect(str(pipeline_db))
    try:
        con.execute("create schema if not exists ops")
        con.execute(SNAPSHOT_DDL)
        origin = origin_day(con, center_timezone, now)
        if origin is None:
            return SnapshotReport(None, 0, False, time.perf_counter() - started)
        (kept,) = con.execute(f"select count(*) from {SNAPSHOT_TABLE} where origin_date = ?", [origin]).fetchall()[0]
        if kept:
            return SnapshotReport(origin, 0, True, time.perf_counter() - started)
        # (no pyarrow here: numpy arrays in, a Parquet file out)
        history = pl.DataFrame(con.execute(DEMAND_QUERY, [origin]).fetchnumpy())
        progress(f"read {history.height:,} demand rows up to origin {origin}")
        first = history["interval_start"].min().date()
        if calendar is None:
            calendar = default_calendar(*calendar_span(first, origin + timedelta(days=horizon_days)))
            calendar.update(read_calendar(special_days_file) if special_days_file else {})
        made = forecast_at_origins(history, [origin], horizon_days, interval_minutes, calendar)
        built_at = datetime.now(UTC).replace(tzinfo=None)
        made = made.with_columns(
            pl.lit(interval_minutes, dtype=pl.Int32).alias("interval_minutes"),
            pl.lit(first).alias("history_first_date"),
            pl.lit(origin).alias("history_last_date"),
            pl.lit(history.height, dtype=pl.Int64).alias("history_rows"),
            pl.lit(built_at).alias("_built_at"),
        )
        with tempfile.TemporaryDirectory(prefix="tilsyn-forecast-") as folder:
            made.write_parquet(Path(folder) / "made.parquet")
            con.execute(
                f"insert into {SNAPSHOT_TABLE} by name select * from read_parquet(?)",
                [str(Path(folder) / "made.parquet")],
            )
        return SnapshotReport(origin, made.height, False, time.perf_counter() - started)
    finally:
        con.close()
