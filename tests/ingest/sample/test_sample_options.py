"""Options of `generate_center`: injected export faults, Parquet output, and clear errors for bad arguments."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from ingest.contracts import SOURCES
from ingest.sample import GenerationSummary, generate_center
from tests.ingest.sample.source_rules import read_text, violations


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerationSummary]:
    out = tmp_path_factory.mktemp("faults") / "landing"
    return out, generate_center(out, agents=6, days=9, start=date(2026, 3, 2), faults=True, progress=None)


def test_faults_are_listed_and_only_the_bad_rows_file_breaks_the_rules(faulty: tuple[Path, GenerationSummary]) -> None:
    out, summary = faulty
    listed = json.loads((out / "faults.json").read_text())
    assert listed == summary.faults and len(listed) == 4
    for source in SOURCES:
        for path in sorted((out / source).glob("*.csv")):
            problems = violations(source, read_text(path))
            if path.name.endswith("_BAD_ROWS.csv"):
                # One problem per row: no offset, bad direction, negative talk, missing end_reason, bad timestamp.
                assert sorted({p.split(":")[0] for p in problems}) == [f"row {n}" for n in range(1, 6)], problems
            else:
                assert problems == [], path.name


def test_fault_files_look_like_what_a_loader_meets(faulty: tuple[Path, GenerationSummary]) -> None:
    out, _ = faulty
    calls = out / "calls"
    copies = list((out / "agent_states").glob("*_copy.csv"))
    assert len(copies) == 1
    assert copies[0].read_bytes() == copies[0].with_name(copies[0].name.replace("_copy", "")).read_bytes()
    corrected = next(calls.glob("*_corrected.csv"))
    original = corrected.with_name(corrected.name.replace("_corrected", ""))
    a, b = read_text(original), read_text(corrected)
    assert a["leg_id"].to_list() == b["leg_id"].to_list()  # same keys: latest file wins
    assert (a["outcome"].fill_null("") != b["outcome"].fill_null("")).sum() > 0
    # The late file arrives after every other daily export.
    late = sorted(calls.glob("calls_2026-03-0?.csv"), key=lambda p: p.stat().st_mtime)[-1]
    assert late.stat().st_mtime > max(
        p.stat().st_mtime for p in (out / "agent_states").glob("*.csv") if "_copy" not in p.name
    )


def test_parquet_output_keeps_types_and_offsets(tmp_path: Path) -> None:
    summary = generate_center(tmp_path, agents=4, days=3, start=date(2026, 3, 2), fmt="parquet", progress=None)
    assert summary.rows["calls"] > 0 and summary.files["calls"] == 3
    calls = pl.read_parquet(tmp_path / "calls" / "calls_2026-03-02.parquet")
    assert calls.columns == SOURCES["calls"].column_names
    assert calls.schema["ended_at"] == pl.Datetime("us", "Europe/Oslo")
    assert calls.schema["talk_seconds"] == pl.Int64
    roster = pl.read_parquet(next((tmp_path / "roster").glob("*.parquet")))
    assert roster.schema["hire_date"] == pl.Date and isinstance(roster.schema["fte"], pl.Decimal)


@pytest.mark.parametrize("start, days", [(date(2026, 3, 2), 2), (date(2026, 1, 31), 1)])  # 1 day: first = last
def test_summary_counts_what_was_written(tmp_path: Path, start: date, days: int) -> None:
    summary = generate_center(tmp_path, agents=4, days=days, start=start, progress=None)
    for source in SOURCES:
        paths = list((tmp_path / source).glob("*.csv"))
        assert summary.files[source] == len(paths)
        assert summary.rows[source] == sum(read_text(p).height for p in paths)
    assert summary.lines()[0].startswith("generated ")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"agents": 1}, "agents must be at least 2"),
        ({"days": 0}, "days must be at least 1"),
        ({"fmt": "xlsx"}, "fmt must be 'csv' or 'parquet'"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone 'Mars/Olympus'"),
        ({"currency": "kroner"}, "ISO 4217"),
    ],
)
def test_bad_arguments_are_named(tmp_path: Path, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        generate_center(tmp_path, progress=None, **kwargs)


def test_refuses_to_mix_with_earlier_exports(tmp_path: Path) -> None:
    (tmp_path / "calls").mkdir()
    (tmp_path / "calls" / "old.csv").write_text("leg_id\n")
    with pytest.raises(FileExistsError, match="calls"):
        generate_center(tmp_path, agents=4, days=1, progress=None)


def test_local_hours_and_offsets_follow_daylight_saving(tmp_path: Path) -> None:
    # 2026-03-29 is the spring switch in Oslo: Saturday the 28th is +01:00 and opens 10:00, Monday the 30th is
    # +02:00 and opens 08:00; no schedule starts before opening in local time.
    generate_center(tmp_path, agents=6, days=3, start=date(2026, 3, 28), progress=None)
    schedules = pl.concat([read_text(p) for p in (tmp_path / "schedules").glob("*.csv")])
    worked = schedules.filter(pl.col("activity") != "time_off").with_columns(
        pl.col("starts_at").str.slice(11, 5).alias("local_start"), pl.col("starts_at").str.slice(19).alias("offset")
    )
    saturday = worked.filter(pl.col("schedule_date") == "2026-03-28")
    monday = worked.filter(pl.col("schedule_date") == "2026-03-30")
    assert saturday.height and monday.height
    assert set(saturday["offset"]) == {"+01:00"} and saturday["local_start"].min() >= "10:00"
    assert set(monday["offset"]) == {"+02:00"} and monday["local_start"].min() >= "08:00"
