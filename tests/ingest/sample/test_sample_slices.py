"""`slice_minutes`: a generated day as intraday slice files, named and stamped as an ACD exporting every 15 minutes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest

from ingest.sample import generate_center
from ingest.slices import read_name


def _rows(folder, source: str, pattern: str) -> pl.DataFrame:
    return pl.concat([pl.read_csv(p, infer_schema=False) for p in sorted((folder / source).glob(pattern))])


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("slices")
    sliced, whole = root / "sliced", root / "whole"
    generate_center(
        sliced, agents=6, days=2, start=date(2026, 1, 6), seed=3, slice_minutes=15, slice_from=date(2026, 1, 7),
        progress=None,
    )  # fmt: skip
    generate_center(whole, agents=6, days=2, start=date(2026, 1, 6), seed=3, progress=None)
    return sliced, whole


def test_slices_hold_the_same_rows_as_the_whole_day(runs):
    sliced, whole = runs
    for source in ("calls", "agent_states"):
        names = sorted(p.name for p in (sliced / source).iterdir())
        # the history day stays one whole-day file; the sliced day has 96 slices (00:15 ... 24:00 local time)
        assert f"{source}_2026-01-06.csv" in names
        day = [n for n in names if n.startswith(f"{source}_2026-01-07_")]
        assert len(day) == 96 and day[0].endswith("_0015.csv") and day[-1].endswith("_2400.csv")
        a = _rows(sliced, source, f"{source}_2026-01-07_*.csv").sort(pl.all())
        b = _rows(whole, source, f"{source}_2026-01-07.csv").sort(pl.all())
        assert a.height > 100 and a.equals(b)
    # the other sources are written exactly as without slices
    for source in ("schedules", "roster", "ledger"):
        assert sorted(p.name for p in (sliced / source).iterdir()) == sorted(p.name for p in (whole / source).iterdir())


def test_each_slice_holds_what_ended_or_happened_before_its_cutoff(runs):
    sliced, _ = runs
    spanning_calls = 0
    for source, column in (("calls", "ended_at"), ("agent_states", "event_at")):
        previous = datetime(2026, 1, 6, 23, 0, tzinfo=UTC)  # 2026-01-07 00:00 in Oslo (UTC+1)
        for path in sorted((sliced / source).glob(f"{source}_2026-01-07_*.csv")):
            cutoff = read_name(path.name, "Europe/Oslo").cutoff_at.replace(tzinfo=UTC)
            # stamped one minute after its cutoff, as the ACD's export job would write it
            assert path.stat().st_mtime == cutoff.timestamp() + 60
            rows = pl.read_csv(path, infer_schema=False)
            moments = [datetime.fromisoformat(t) for t in rows[column]]
            assert all(previous <= m < cutoff for m in moments), path.name
            if source == "calls":  # a call queued in an earlier slice than the one it ended in
                spanning_calls += sum(datetime.fromisoformat(q) < previous for q in rows["queued_at"].drop_nulls())
            previous = cutoff
    assert spanning_calls > 0


def test_slice_minutes_must_divide_the_day(tmp_path):
    with pytest.raises(ValueError, match="slice_minutes"):
        generate_center(tmp_path / "x", agents=6, days=1, slice_minutes=7, progress=None)
