"""`schedules_ahead`: the schedules a WFM team has published by the last generated day, for the days after it."""

from __future__ import annotations

from datetime import date

import polars as pl

from ingest.sample import generate_center


def _schedules(folder) -> pl.DataFrame:
    return pl.concat([pl.read_csv(p, infer_schema=False) for p in sorted((folder / "schedules").glob("*.csv"))])


def test_schedules_ahead_reach_the_weeks_published_by_the_last_day(tmp_path):
    ahead_run, plain_run = tmp_path / "ahead", tmp_path / "plain"
    generate_center(ahead_run, agents=6, days=14, start=date(2026, 1, 1), seed=5, schedules_ahead=True, progress=None)
    generate_center(plain_run, agents=6, days=14, start=date(2026, 1, 1), seed=5, progress=None)
    schedules = _schedules(ahead_run)
    ahead = schedules.filter(pl.col("schedule_date") > "2026-01-14")
    # 14 January is a Wednesday: the week of 19 January was published on Thursday 8 January, the week of 26 January
    # only on 15 January, after the last generated day; so the schedules reach the week ending Sunday 25 January
    # (the center is closed on Sundays: Saturday 24 January is the last scheduled day)
    assert ahead["schedule_date"].min() == "2026-01-15" and ahead["schedule_date"].max() == "2026-01-24"
    # nothing published after the last generated day (republications not made yet are left out)
    assert (ahead["published_at"] < "2026-01-15").all()
    # agent-days ahead are planned as any day is (work, breaks, training...); the days up to the last day untouched
    assert (ahead["activity"] == "work").sum() > ahead.select("agent_id", "schedule_date").n_unique() / 2
    assert (
        schedules.filter(pl.col("schedule_date") <= "2026-01-14")
        .sort(pl.all())
        .equals(_schedules(plain_run).sort(pl.all()))
    )
    # the other sources do not reach past the last day
    calls = pl.concat([pl.read_csv(p, infer_schema=False) for p in (ahead_run / "calls").glob("*.csv")])
    assert calls["ended_at"].max() < "2026-01-16"
