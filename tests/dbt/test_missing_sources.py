"""Centers that send only some sources (or none) build the whole dbt project; marts of missing sources are empty.

Built from the rows of the hand-worked center (conftest.py): its calls with two QA evaluations (no roster: every agent
is missing from it, so its team is NULL in the agent and team marts alike), its calls and agent states only, and a
center that sent no file at all.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from ingest.contracts import SOURCES
from tests.dbt.conftest import CALL_COLUMNS, CALLS, STATES, create_raw_tables, insert_rows, run_dbt_build

QA_COLUMNS = SOURCES["qa_evaluations"].required_header  # every column but the free-text comments
QA = [
    # both on 2026-03-02 local: C1 (leg L1) and C3 (leg L4), both handled by A1
    ("QE1", "C1", "A1", "Q9", datetime(2026, 3, 2, 12, 0), "standard", 8, 10, False),
    ("QE2", "C3", "A1", "Q9", datetime(2026, 3, 2, 13, 0), "standard", 6, 10, True),
]


def marts_row_counts(db_path: Path) -> dict[str, int]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        tables = [
            name
            for (name,) in con.sql(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        return {table: con.sql(f"select count(*) from marts.{table}").fetchall()[0][0] for table in tables}


def build_center(db_path: Path, sources: dict[str, tuple[tuple[str, ...], list[tuple]]]) -> Path:
    """Raw tables of every source, rows only for `sources` ({table: (columns, rows)}), then the whole dbt build."""
    with duckdb.connect(str(db_path)) as con:
        create_raw_tables(con)
        for table, (columns, rows) in sources.items():
            insert_rows(con, table, columns, rows)
    run_dbt_build(db_path)  # the whole project, every test
    return db_path


def test_agents_missing_from_the_roster_form_a_null_team(tmp_path: Path) -> None:
    db_path = build_center(
        tmp_path / "calls_and_qa.pipeline.duckdb", {"calls": (CALL_COLUMNS, CALLS), "qa_evaluations": (QA_COLUMNS, QA)}
    )
    with duckdb.connect(str(db_path), read_only=True) as con:
        team_days = con.sql(
            "select local_date::varchar, team, evaluations, score_sum, qa_score, critical_fails, "
            "handled_contacts, evaluated_handled_contacts from marts.kpi_quality_team_daily "
            "order by local_date"
        ).fetchall()
        agent_teams = con.sql("select distinct team from marts.kpi_agent_daily").fetchall()
    # 2026-03-02: QE1 8/10 + QE2 6/10 -> 14/20 = 0.7, one critical fail; handled contacts C1/A1, C1/A2 (the transfer
    # leg L2), C3/A1 = 3, of which C1/A1 and C3/A1 are evaluated. 2026-03-29: C8/A2, C9/A2; 2026-10-25: C10/A3,
    # C11/A3; no evaluations on either. Every agent-day is in team NULL, one row per day.
    assert team_days == [
        ("2026-03-02", None, 2, 14, pytest.approx(0.7), 1, 3, 2),
        ("2026-03-29", None, 0, 0, None, 0, 2, 0),
        ("2026-10-25", None, 0, 0, None, 0, 2, 0),
    ]
    assert agent_teams == [(None,)]  # kpi_agent_daily: the same NULL team


def test_marts_of_missing_sources_are_empty(tmp_path: Path) -> None:
    db_path = build_center(
        tmp_path / "calls_and_states.pipeline.duckdb",
        {"calls": (CALL_COLUMNS, CALLS), "agent_states": (("agent_id", "event_at", "state"), STATES)},
    )
    counts = marts_row_counts(db_path)
    no_qa = [
        f"kpi_quality{team}_{grain}"
        for team in ("", "_team")
        for grain in ("daily", "weekly", "monthly", "quarterly", "yearly")
    ]
    no_roster = [
        "dim_agent",
        "dim_team",
        "kpi_people_monthly",
        "kpi_people_quarterly",
        "kpi_people_yearly",
        "kpi_people_hire_cohorts",
    ]
    no_ledger = [
        "kpi_finance_monthly",
        "kpi_finance_quarterly",
        "kpi_finance_yearly",
        "kpi_cost_per_call_monthly",
        "kpi_cost_per_call_quarterly",
        "kpi_cost_per_call_yearly",
    ]
    no_schedules = ["fct_schedule_segments", "fct_adherence_spans"]
    empty = no_qa + no_roster + no_ledger + no_schedules
    assert {table: counts[table] for table in empty} == dict.fromkeys(empty, 0)
    # what calls and states do give: billing and support on 2026-03-02, billing on 03-29, support on 10-25; agent
    # days A1 on 03-02 (states, legs L1 L4) and 03-03 (states after local midnight), A2 on 03-02 (leg L2) and 03-29
    # (states, legs L9 L10), A3 on 10-25 (states, legs L11 L12)
    assert (counts["kpi_service_daily"], counts["kpi_agent_daily"]) == (4, 5)


def test_a_center_without_any_file_builds_empty_marts(tmp_path: Path) -> None:
    counts = marts_row_counts(build_center(tmp_path / "empty.pipeline.duckdb", {}))
    assert len(counts) > 50  # every mart was built
    assert {table: rows for table, rows in counts.items() if rows and table != "kpi_targets"} == {}
