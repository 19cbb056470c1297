"""Intraday slices at ingest (issue 21): the cutoff a file name states, and the one completeness record per source
and local day (`ops.source_day_completeness`) that every domain reads."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from ingest_fixtures import csv_text, query, rows_of

from ingest.slices import local_day_of_cutoff, read_name

OSLO = "Europe/Oslo"


@pytest.mark.parametrize(
    ("name", "cutoff_utc", "whole_day"),
    [
        ("calls_2026-03-10_0815.csv", datetime(2026, 3, 10, 7, 15), None),  # CET: UTC+1
        ("agent_states_2026-07-01_0930.csv.gz", datetime(2026, 7, 1, 7, 30), None),  # CEST: UTC+2
        ("calls_2026-03-10_2400.parquet", datetime(2026, 3, 10, 23, 0), None),  # the next local midnight
        ("calls_2026-03-11_0000.csv", datetime(2026, 3, 10, 23, 0), None),  # the same instant, named by its own day
        ("calls_2026-10-25T021500+0100.csv", datetime(2026, 10, 25, 1, 15), None),  # the second 02:15 of that night
        ("calls_2026-03-10T08:15:00+01:00.csv", datetime(2026, 3, 10, 7, 15), None),
        ("calls_2026-03-10T0815Z.csv", datetime(2026, 3, 10, 8, 15), None),
        ("calls_2026-03-10.csv", None, date(2026, 3, 10)),  # a whole-day file
        ("amazon_connect_2026-03.csv", None, None),  # a monthly export states no cutoff
        ("export.csv", None, None),
        ("calls_2026-03-10_2415.csv", None, None),  # no such time: the name states nothing
        ("calls_2026-13-10_0815.csv", None, None),
    ],
)
def test_a_file_name_states_a_cutoff_or_a_whole_day(name, cutoff_utc, whole_day):
    named = read_name(name, OSLO)
    assert (named.cutoff_at, named.whole_day) == (cutoff_utc, whole_day)


def test_a_slice_belongs_to_the_day_before_its_cutoff():
    assert local_day_of_cutoff(datetime(2026, 3, 10, 23, 0), OSLO) == date(2026, 3, 10)  # 24:00 of 10 March
    assert local_day_of_cutoff(datetime(2026, 3, 10, 23, 15), OSLO) == date(2026, 3, 11)  # 00:15 of 11 March


def _completeness(landing) -> list[tuple]:
    return query(
        landing.pipeline_db,
        "select source, local_date, strftime(timezone('Europe/Oslo', cutoff_at), '%Y-%m-%d %H:%M:%S'), cutoff_from, "
        "is_closed from ops.source_day_completeness order by all",
    )


def _state(agent: str, at: str, state: str = "ready") -> dict[str, str]:
    return {"agent_id": agent, "event_at": at, "state": state}


def test_slices_move_the_cutoff_until_the_day_closes(landing):
    landing.write("agent_states", "agent_states_2026-03-10.csv", csv_text(rows_of("agent_states", {})))
    landing.write(
        "agent_states",
        "agent_states_2026-03-11_0815.csv",
        csv_text(rows_of("agent_states", _state("a1", "2026-03-11T08:01:00+01:00"))),
    )
    landing.write("calls", "calls_2026-03-11_0815.csv", "leg_id,contact_id,direction,ended_at,end_reason\n")
    landing.load(center_timezone=OSLO)
    assert _completeness(landing) == [
        # a whole-day file closes its day at the next local midnight
        ("agent_states", date(2026, 3, 10), "2026-03-11 00:00:00", "whole_file", True),
        # a slice's cutoff comes from its name (not from its latest event, 08:01)
        ("agent_states", date(2026, 3, 11), "2026-03-11 08:15:00", "file_name", False),
        # a slice with no rows (a quiet quarter hour) still moves the cutoff
        ("calls", date(2026, 3, 11), "2026-03-11 08:15:00", "file_name", False),
    ]
    landing.write(
        "agent_states",
        "agent_states_2026-03-11_0830.csv",
        csv_text(rows_of("agent_states", _state("a1", "2026-03-11T08:20:00+01:00", "talk"))),
    )
    landing.write("calls", "calls_2026-03-11_2400.csv", "leg_id,contact_id,direction,ended_at,end_reason\n")
    landing.load(center_timezone=OSLO)
    assert _completeness(landing)[1:] == [
        ("agent_states", date(2026, 3, 11), "2026-03-11 08:30:00", "file_name", False),
        # the day's last slice reaches local midnight: the day is closed
        ("calls", date(2026, 3, 11), "2026-03-12 00:00:00", "file_name", True),
    ]
    # both slices' events are in raw (a slice adds to its day; latest file wins key by key in staging)
    assert query(landing.pipeline_db, "select count(*) from raw.agent_states where event_at >= '2026-03-11'") == [(2,)]
    # a file of a later day closes the day, which is then complete up to its midnight
    landing.write(
        "agent_states",
        "agent_states_2026-03-12_0015.csv",
        csv_text(rows_of("agent_states", _state("a1", "2026-03-12T00:05:00+01:00", "logged_out"))),
    )
    landing.load(center_timezone=OSLO)
    assert _completeness(landing)[1:3] == [
        ("agent_states", date(2026, 3, 11), "2026-03-12 00:00:00", "file_name", True),
        ("agent_states", date(2026, 3, 12), "2026-03-12 00:15:00", "file_name", False),
    ]


def test_a_file_without_a_pattern_is_complete_up_to_its_latest_timestamp(landing):
    landing.write(
        "agent_states",
        "export.csv",
        csv_text(
            rows_of(
                "agent_states",
                _state("a1", "2026-03-10T17:00:00+01:00"),
                _state("a1", "2026-03-11T09:12:30+01:00", "talk"),
                _state("a2", "2026-03-11T09:40:00+01:00"),
            )
        ),
    )
    landing.load(center_timezone=OSLO)
    assert _completeness(landing) == [
        # the file reaches past 10 March: that day is closed
        ("agent_states", date(2026, 3, 10), "2026-03-11 00:00:00", "latest_timestamp", True),
        ("agent_states", date(2026, 3, 11), "2026-03-11 09:40:00", "latest_timestamp", False),
    ]
    # other sources are published documents, not time slices: no record
    landing.write("schedules", "schedules_2026-03-10_0815.csv", csv_text(rows_of("schedules", {})))
    landing.load(center_timezone=OSLO)
    assert [r[0] for r in _completeness(landing)] == ["agent_states", "agent_states"]
