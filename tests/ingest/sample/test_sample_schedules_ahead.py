"""`schedules_ahead`: the schedules a WFM team has published by the last generated day, for the days after it."""

from __future__ import annotations

from datetime import date

import polars as pl

from ingest.sample import generate_center


def _schedules(folder) -> pl.DataFrame:
    return pl.concat([pl.read_csv(p, infer_schema=False) for p in sorted((folder / "schedules").glob("*.csv"))])


def test_schedules_ahead_are_those_the_longer_run_published_by_then(tmp_path):
    short, long = tmp_path / "short", tmp_path / "long"
    generate_center(short, agents=6, days=14, start=date(2026, 1, 1), seed=5, schedules_ahead=True, progress=None)
    generate_center(long, agents=6, days=35, start=date(2026, 1, 1), seed=5, progress=None)
    ahead = _schedules(short).filter(pl.col("schedule_date") > "2026-01-14")
    # 14 January is a Wednesday: the week of 19 January was published on Thursday 8 January, the week of 26 January
    # only on 15 January, after the last generated day; so the schedules reach the week ending Sunday 25 January
    # (the center is closed on Sundays: Saturday 24 January is the last scheduled day)
    assert ahead["schedule_date"].min() == "2026-01-15" and ahead["schedule_date"].max() == "2026-01-24"
    assert (ahead["published_at"] < "2026-01-15").all()
    # the same rows the longer generation publishes for those days by then (later republications are not made yet)
    published_by_then = (
        _schedules(long)
        .filter(pl.col("schedule_date").is_between("2026-01-15", "2026-01-25"))
        .filter(pl.col("published_at") < "2026-01-15")
    )
    columns = ["agent_id", "schedule_date", "activity", "starts_at", "ends_at", "published_at"]
    assert ahead.select(columns).sort(columns).equals(published_by_then.select(columns).sort(columns))
    # without the option nothing is written after the last day
    assert _schedules(long).filter(pl.col("schedule_date") > "2026-02-04").height == 0
