"""The next day's data moves the last loaded moment on: an incremental build then counts the schedules it passed over,
an absent agent's included, exactly as a full build of all the data does.

Starts from the hand-worked fixture center (conftest.py, loaded until 2026-10-25 02:30 UTC, with schedules published
for 2026-10-26) and loads 2026-10-26's state events as a second file. Oslo is UTC+1 on both days.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from tests.dbt.conftest import (
    CALL_COLUMNS,
    CALLS,
    ROSTER,
    ROSTER_COLUMNS,
    SCHEDULE_COLUMNS,
    SCHEDULES,
    STATES,
    create_raw_tables,
    insert_rows,
    run_dbt_build,
    ts,
)

# the models the cutoff touches and their inputs (seeds included), without data tests: the fixture's build ran them
AGENT_TIME_MODELS = ["+kpi_agent_daily", "+kpi_staffing_interval"]
WITHOUT_TESTS = ("--exclude-resource-type", "test", "unit_test")
STATE_COLUMNS = ("agent_id", "event_at", "state")
# 2026-10-26: A3 works its schedule; A2, scheduled 08:00-11:00 UTC, sends no event at all (absent)
NEXT_DAY_STATES = [
    ("A3", ts("2026-10-26 07:00:00"), "ready"),
    ("A3", ts("2026-10-26 10:00:00"), "break"),
    ("A3", ts("2026-10-26 10:15:00"), "ready"),
    ("A3", ts("2026-10-26 11:30:00"), "logged_out"),
]
COMPARED = {
    "marts": ["fct_schedule_segments", "fct_adherence_spans", "kpi_agent_daily", "kpi_staffing_interval"],
    "intermediate": ["int_agent_daily_seconds"],
}


@pytest.fixture(scope="module")
def incremental_and_full(fixture_center_db: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("loaded_until")
    incremental = root / "incremental" / "center.pipeline.duckdb"
    incremental.parent.mkdir()
    shutil.copy(fixture_center_db, incremental)
    with duckdb.connect(str(incremental)) as con:
        insert_rows(con, "agent_states", STATE_COLUMNS, NEXT_DAY_STATES, file_seq=2)
    run_dbt_build(incremental, select=AGENT_TIME_MODELS, extra_args=WITHOUT_TESTS)

    full = root / "full" / "center.pipeline.duckdb"
    full.parent.mkdir()
    with duckdb.connect(str(full)) as con:
        create_raw_tables(con)
        insert_rows(con, "calls", CALL_COLUMNS, CALLS)
        insert_rows(con, "agent_states", STATE_COLUMNS, STATES)
        insert_rows(con, "schedules", SCHEDULE_COLUMNS, SCHEDULES)
        insert_rows(con, "roster", ROSTER_COLUMNS, ROSTER)
        insert_rows(con, "agent_states", STATE_COLUMNS, NEXT_DAY_STATES, file_seq=2)
    run_dbt_build(full, select=AGENT_TIME_MODELS, extra_args=WITHOUT_TESTS)
    return incremental, full


def _rows(db: Path, table: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        # when a row was built and from which file differ between the two paths by design
        columns = [c for c in con.sql(f"select * from {table} limit 0").columns if c not in ("_built_at", "_file_seq")]
        relation = con.sql(f"select {', '.join(columns)} from {table}")
        return sorted(
            (tuple(float(f"{v:.9g}") if isinstance(v, float) else v for v in row) for row in relation.fetchall()),
            key=repr,
        )


def _agent_day(db: Path, agent_id: str, local_date: str) -> dict:
    with duckdb.connect(str(db), read_only=True) as con:
        relation = con.sql(
            f"select * from marts.kpi_agent_daily where agent_id = '{agent_id}' and local_date = '{local_date}'"
        )
        rows = relation.fetchall()
        assert len(rows) == 1, f"{agent_id} {local_date}: {rows}"
        return dict(zip(relation.columns, rows[0], strict=True))


def test_the_next_day_counts_its_schedules_and_an_absence(incremental_and_full: tuple[Path, Path]) -> None:
    incremental, _ = incremental_and_full
    with duckdb.connect(str(incremental), read_only=True) as con:
        # the moment moved to A3's logged_out; the scope of the incremental adherence build holds A2's day although A2
        # has no state event: it came from the moment moving over A2's schedule
        assert con.sql("select loaded_until_at from intermediate.int_loaded_until").fetchall() == [
            (datetime(2026, 10, 26, 11, 30),)
        ]
        scope = con.sql("select agent_id, local_date from rebuild_scopes.fct_adherence_spans order by 1, 2").fetchall()
    assert [(agent, str(day)) for agent, day in scope] == [
        ("A2", "2026-10-26"),
        ("A3", "2026-10-25"),
        ("A3", "2026-10-26"),
    ]
    # A2 absent: work 08:00-11:00 scheduled (10800 s), nothing logged, so 0 adherence and all of it shrinkage
    a2 = _agent_day(incremental, "A2", "2026-10-26")
    assert (a2["scheduled_seconds"], a2["adherent_seconds"], a2["logged_in_seconds"]) == (10800, 0, 0)
    assert a2["adherence"] == pytest.approx(0.0)
    assert a2["shrinkage"] == pytest.approx(1.0)
    assert a2["unplanned_shrinkage_seconds"] == 10800
    # A3: work 07:00-10:00 (10800), break 10:00-10:15 (900), work 10:15-12:00 cut at 11:30 (4500): 16200 scheduled,
    # all of it matched by its states; productive = ready in work 10800 + 4500
    a3 = _agent_day(incremental, "A3", "2026-10-26")
    assert (a3["scheduled_seconds"], a3["adherent_seconds"], a3["logged_in_seconds"]) == (16200, 16200, 16200)
    assert (a3["productive_seconds"], a3["planned_shrinkage_seconds"], a3["unplanned_shrinkage_seconds"]) == (
        15300,
        900,
        0,
    )
    # A3 on 2026-10-25, before the moment: now the whole 02:00-03:00 work counts, 02:30-03:00 logged out
    a3_before = _agent_day(incremental, "A3", "2026-10-25")
    assert (a3_before["scheduled_seconds"], a3_before["adherent_seconds"]) == (3600, 1800)
    assert a3_before["adherence"] == pytest.approx(0.5)


@pytest.mark.parametrize("table", [f"{schema}.{t}" for schema, tables in COMPARED.items() for t in tables])
def test_the_incremental_build_equals_a_full_build(incremental_and_full: tuple[Path, Path], table: str) -> None:
    incremental, full = incremental_and_full
    assert _rows(incremental, table) == _rows(full, table)
