"""`tilsyn forecast backtest`: the forecasts the pipeline would have made at given origins, from any interval series.

Input CSV: `interval_start` (ISO 8601 with an offset, e.g. 2003-03-03T07:00:00-05:00 or ...Z), `queue`, `offered`,
optional `handle_seconds` (sum over the interval's contacts) and `handled` (contacts those seconds belong to; default
`offered`). The local wall-clock time of each row is its interval; the output keeps the offset of the input's last
row on or before each origin (a series that changes offset, for daylight saving, gets that one offset ahead).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from dagster_project.forecasting.calendar import calendar_span, default_calendar, read_calendar
from dagster_project.forecasting.forecast import forecast_at_origins

OFFSET_PATTERN = r"(Z|[+-]\d{2}:?\d{2})$"


def read_series_csv(path: Path | str) -> pl.DataFrame:
    """The series with local `interval_start` and its `utc_offset` text; errors name file, line and field."""
    raw = pl.read_csv(path, infer_schema=False).with_row_index("line", offset=2)
    missing = {"interval_start", "queue", "offered"} - set(raw.columns)
    if missing:
        raise ValueError(f"{path}: missing column(s) {sorted(missing)}")
    text = pl.col("interval_start").str.strip_chars()
    parsed = raw.with_columns(
        text.str.extract(OFFSET_PATTERN, 1).alias("utc_offset"),
        text.str.replace(OFFSET_PATTERN, "").str.to_datetime("%Y-%m-%dT%H:%M:%S", strict=False).alias("local_start"),
        *[
            pl.col(c).str.strip_chars().cast(pl.Float64, strict=False).alias(f"{c}_value")
            for c in ("offered", "handle_seconds", "handled")
            if c in raw.columns
        ],
    )
    bad = parsed.filter(pl.col("utc_offset").is_null() | pl.col("local_start").is_null())
    if not bad.is_empty():
        row = bad.row(0, named=True)
        raise ValueError(
            f"{path}, line {row['line']}, field interval_start: {row['interval_start']!r} is not an ISO 8601 "
            "timestamp with an offset (YYYY-MM-DDTHH:MM:SS+HH:MM or Z)"
        )
    for c in ("offered", "handle_seconds", "handled"):
        if c not in raw.columns:
            continue
        bad = parsed.filter(pl.col(c).is_not_null() & (pl.col(c) != "") & pl.col(f"{c}_value").is_null())
        bad = bad.vstack(parsed.filter(pl.col(f"{c}_value") < 0))
        if c == "offered":
            bad = bad.vstack(parsed.filter(pl.col("offered_value").is_null()))
        if not bad.is_empty():
            row = bad.sort("line").row(0, named=True)
            raise ValueError(f"{path}, line {row['line']}, field {c}: {row[c]!r} is not a count >= 0")
    return parsed.select(
        pl.col("queue"),
        pl.col("local_start").alias("interval_start"),
        pl.col("utc_offset").replace("Z", "+00:00"),
        *[pl.col(f"{c}_value").alias(c) for c in ("offered", "handle_seconds", "handled") if c in raw.columns],
    )


def run_backtest(
    history: Path,
    origins: list[date],
    horizon_days: int,
    out: Path,
    calendar_file: Path | None = None,
    interval_minutes: int = 30,
    progress: Callable[[str], None] = print,
) -> pl.DataFrame:
    started = time.perf_counter()
    series = read_series_csv(history)
    first, last = series["interval_start"].min().date(), series["interval_start"].max().date()
    progress(f"read {series.height:,} rows, {series['queue'].n_unique()} queues, {first} to {last} from {history}")
    calendar = (
        read_calendar(calendar_file)
        if calendar_file
        else default_calendar(*calendar_span(first, max(origins) + timedelta(days=horizon_days)))
    )
    made = forecast_at_origins(series, origins, horizon_days, interval_minutes, calendar)
    offsets = (
        series.sort("interval_start")
        .with_columns(pl.col("interval_start").dt.date().alias("day"))
        .group_by("day")
        .agg(pl.col("utc_offset").last())
        .sort("day")
    )
    made = (
        made.sort("origin_date")
        .join_asof(offsets, left_on="origin_date", right_on="day", strategy="backward")
        .with_columns(
            (pl.col("interval_start").dt.strftime("%Y-%m-%dT%H:%M:%S") + pl.col("utc_offset")).alias("interval_start")
        )
        .drop("day", "utc_offset")
        .sort("origin_date", "queue", "interval_start", "method")
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    made.write_csv(out)
    progress(
        f"wrote {made.height:,} forecast rows ({len(set(origins))} origins x {horizon_days} days) to {out} "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return made
