"""A hand-worked center for the KPI marts: raw rows inserted into a temp DuckDB, then the real `dbt build`.

The rows are small enough to work every mart value out by hand (see the comments beside the asserts in
test_kpi_marts.py). They cover a transfer, short and late abandons, an IVR-only and an outbound call, a state spanning
local midnight, a republished schedule, schedules published ahead of the loaded data, a team move in the roster and
both DST changes of Europe/Oslo (2026-03-29 and 2026-10-25).
All timestamps are UTC; Oslo is UTC+1 until 2026-03-29 01:00 UTC, UTC+2 until 2026-10-25 01:00 UTC, then UTC+1.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from ingest.contracts import SOURCES, raw_table_ddl
from tests.support.tables import table

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_DIR = REPO_ROOT / "dbt"
# The locked environment's dbt (the one this interpreter runs in), never one resolved again by `uv run`.
DBT = str(Path(sys.executable).parent / "dbt")
# Ample for these small fixtures even on a loaded 2-core machine; a hung dbt fails the test instead of the suite.
DBT_TIMEOUT_SECONDS = 900

# The models of this area and everything upstream of them (the area folders people/, finance/, quality/, outbound/,
# scorecard/ are tested in area_marts/).
KPI_SELECTION = [
    "+kpi_service_yearly",
    "+kpi_service_quarterly",
    "+kpi_service_monthly",
    "+kpi_service_weekly",
    "+kpi_agent_yearly",
    "+kpi_agent_quarterly",
    "+kpi_agent_monthly",
    "+kpi_agent_weekly",
    "+kpi_fcr_yearly",
    "+kpi_fcr_quarterly",
    "+kpi_fcr_monthly",
    "+kpi_fcr_weekly",
    "+kpi_staffing_interval",
    "+fct_agent_state_spans",
    "+dim_date",
    "+dim_interval",
    "+dim_queue",
    "+dim_team",
]


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


CALL_COLUMNS = (
    "leg_id",
    "contact_id",
    "direction",
    "queue",
    "campaign",
    "customer_id",
    "queued_at",
    "dialed_at",
    "answered_at",
    "ended_at",
    "agent_id",
    "talk_seconds",
    "hold_seconds",
    "acw_seconds",
    "end_reason",
)
CALLS = [
    # 2026-03-02 (CET). C1 is answered in billing after 15 s, transferred to support, answered there after 30 s.
    (
        "L1",
        "C1",
        "inbound",
        "billing",
        None,
        "K1",
        ts("2026-03-02 08:00:00"),
        None,
        ts("2026-03-02 08:00:15"),
        ts("2026-03-02 08:05:15"),
        "A1",
        240,
        30,
        60,
        "transfer",
    ),
    (
        "L2",
        "C1",
        "inbound",
        "support",
        None,
        "K1",
        ts("2026-03-02 08:05:15"),
        None,
        ts("2026-03-02 08:05:45"),
        ts("2026-03-02 08:10:45"),
        "A2",
        300,
        0,
        30,
        "customer_hangup",
    ),
    # the same customer calls again and hangs up after 3 s: a short abandon, and a repeat contact for C1
    (
        "L3",
        "C2",
        "inbound",
        "billing",
        None,
        "K1",
        ts("2026-03-02 09:00:00"),
        None,
        None,
        ts("2026-03-02 09:00:03"),
        None,
        0,
        0,
        0,
        "abandon",
    ),
    # answered after exactly 20 s: within the 20 s threshold
    (
        "L4",
        "C3",
        "inbound",
        "billing",
        None,
        "K2",
        ts("2026-03-02 09:10:00"),
        None,
        ts("2026-03-02 09:10:20"),
        ts("2026-03-02 09:14:20"),
        "A1",
        200,
        0,
        40,
        "customer_hangup",
    ),
    # abandoned after 40 s (a late abandon), no customer id
    (
        "L5",
        "C4",
        "inbound",
        "billing",
        None,
        None,
        ts("2026-03-02 09:20:00"),
        None,
        None,
        ts("2026-03-02 09:20:40"),
        None,
        0,
        0,
        0,
        "abandon",
    ),
    # abandoned after 10 s: neither short nor late
    (
        "L6",
        "C5",
        "inbound",
        "billing",
        None,
        None,
        ts("2026-03-02 09:30:00"),
        None,
        None,
        ts("2026-03-02 09:30:10"),
        None,
        0,
        0,
        0,
        "abandon",
    ),
    # ended in the IVR (never offered) and an outbound call: neither counts in service KPIs
    (
        "L7",
        "C6",
        "inbound",
        None,
        None,
        None,
        None,
        None,
        None,
        ts("2026-03-02 10:00:00"),
        None,
        0,
        0,
        0,
        "customer_hangup",
    ),
    (
        "L8",
        "C7",
        "outbound",
        None,
        "winback",
        None,
        None,
        ts("2026-03-02 10:00:00"),
        ts("2026-03-02 10:00:10"),
        ts("2026-03-02 10:02:00"),
        "A1",
        110,
        0,
        0,
        "agent_hangup",
    ),
    # 2026-03-29, the DST day: 00:30 UTC is 01:30 CET, 01:30 UTC is 03:30 CEST
    (
        "L9",
        "C8",
        "inbound",
        "billing",
        None,
        "K3",
        ts("2026-03-29 00:30:00"),
        None,
        ts("2026-03-29 00:30:05"),
        ts("2026-03-29 00:35:05"),
        "A2",
        250,
        0,
        50,
        "customer_hangup",
    ),
    (
        "L10",
        "C9",
        "inbound",
        "billing",
        None,
        "K4",
        ts("2026-03-29 01:30:00"),
        None,
        ts("2026-03-29 01:30:10"),
        ts("2026-03-29 01:33:10"),
        "A2",
        150,
        0,
        30,
        "customer_hangup",
    ),
    # 2026-10-25, the autumn DST day: 00:10 UTC is 02:10 CEST, 01:10 UTC is 02:10 CET (the repeated hour)
    (
        "L11",
        "C10",
        "inbound",
        "support",
        None,
        "K5",
        ts("2026-10-25 00:10:00"),
        None,
        ts("2026-10-25 00:10:05"),
        ts("2026-10-25 00:15:00"),
        "A3",
        200,
        0,
        0,
        "customer_hangup",
    ),
    (
        "L12",
        "C11",
        "inbound",
        "support",
        None,
        "K6",
        ts("2026-10-25 01:10:00"),
        None,
        ts("2026-10-25 01:10:05"),
        ts("2026-10-25 01:15:00"),
        "A3",
        200,
        0,
        0,
        "customer_hangup",
    ),
]

STATES = [
    # A1 on 2026-03-02 (local = UTC + 1 h)
    ("A1", ts("2026-03-02 07:45:00"), "ready"),
    ("A1", ts("2026-03-02 08:00:00"), "talk"),
    ("A1", ts("2026-03-02 08:10:00"), "acw"),
    ("A1", ts("2026-03-02 08:15:00"), "ready"),
    ("A1", ts("2026-03-02 09:00:00"), "break"),
    ("A1", ts("2026-03-02 09:15:00"), "ready"),
    ("A1", ts("2026-03-02 10:00:00"), "logged_out"),
    # a late session across local midnight: 23:30-00:30 local
    ("A1", ts("2026-03-02 22:30:00"), "ready"),
    ("A1", ts("2026-03-02 23:30:00"), "logged_out"),
    # A2 on the DST day: 00:00 CET to 03:00 CEST local, which is 2 hours
    ("A2", ts("2026-03-28 23:00:00"), "ready"),
    ("A2", ts("2026-03-29 01:00:00"), "logged_out"),
    # A3 on the autumn DST day: 01:30 CEST to 03:30 CET local, which is 3 hours
    ("A3", ts("2026-10-24 23:30:00"), "ready"),
    ("A3", ts("2026-10-25 02:30:00"), "logged_out"),
]

SCHEDULE_COLUMNS = ("agent_id", "schedule_date", "activity", "starts_at", "ends_at", "published_at")
SCHEDULES = [
    tuple(row.values())
    for row in table(
        """
        agent_id  schedule_date  activity  starts_at            ends_at              published_at
        # A1 2026-03-02, first publication: 08:00-10:00 UTC work (replaced below)
        A1        2026-03-02     work      2026-03-02 08:00:00  2026-03-02 10:00:00  2026-02-20 12:00:00
        # republished: work 07:45-09:00, break 09:00-09:10, work 09:10-10:00 UTC
        A1        2026-03-02     work      2026-03-02 07:45:00  2026-03-02 09:00:00  2026-02-25 12:00:00
        A1        2026-03-02     break     2026-03-02 09:00:00  2026-03-02 09:10:00  2026-02-25 12:00:00
        A1        2026-03-02     work      2026-03-02 09:10:00  2026-03-02 10:00:00  2026-02-25 12:00:00
        # A2 on the DST day: work 23:00-01:00 UTC (00:00-03:00 local), time off 01:00-02:00 UTC
        A2        2026-03-29     work      2026-03-28 23:00:00  2026-03-29 01:00:00  2026-03-20 12:00:00
        A2        2026-03-29     time_off  2026-03-29 01:00:00  2026-03-29 02:00:00  2026-03-20 12:00:00
        # Published ahead of the data's last loaded moment, 2026-10-25 02:30 UTC (A3's logged_out, the latest
        # state event or call end): A3 on 2026-10-25 work 02:00-03:00 UTC straddles it, so only 02:00-02:30
        # counts; A3 and A2 on 2026-10-26 lie wholly after it and count nowhere in the agent-time marts
        # (test_kpi_marts.py), until that day's states arrive (test_loaded_until.py)
        A3        2026-10-25     work      2026-10-25 02:00:00  2026-10-25 03:00:00  2026-10-15 12:00:00
        A3        2026-10-26     work      2026-10-26 07:00:00  2026-10-26 10:00:00  2026-10-15 12:00:00
        A3        2026-10-26     break     2026-10-26 10:00:00  2026-10-26 10:15:00  2026-10-15 12:00:00
        A3        2026-10-26     work      2026-10-26 10:15:00  2026-10-26 12:00:00  2026-10-15 12:00:00
        A2        2026-10-26     work      2026-10-26 08:00:00  2026-10-26 11:00:00  2026-10-15 12:00:00
        """,
        schedule_date=date.fromisoformat,
        starts_at=ts,
        ends_at=ts,
        published_at=ts,
    )
]

ROSTER_COLUMNS = ("as_of", "employee_id", "agent_id", "role", "team", "site", "employment_type", "fte", "hire_date")
ROSTER = [
    (date(2026, 3, 1), "E1", "A1", "agent", "Blue", "Oslo", "full_time", 1, date(2025, 6, 1)),
    (date(2026, 3, 1), "E2", "A2", "agent", "Blue", "Oslo", "full_time", 1, date(2025, 6, 1)),
    (date(2026, 3, 1), "E3", "A3", "agent", "Blue", "Oslo", "part_time", 0.5, date(2026, 2, 1)),
    # A1 moves to team Red from the snapshot of 2026-03-03
    (date(2026, 3, 3), "E1", "A1", "agent", "Red", "Oslo", "full_time", 1, date(2025, 6, 1)),
    (date(2026, 3, 3), "E2", "A2", "agent", "Blue", "Oslo", "full_time", 1, date(2025, 6, 1)),
    (date(2026, 3, 3), "E3", "A3", "agent", "Blue", "Oslo", "part_time", 0.5, date(2026, 2, 1)),
]


def create_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    for contract in SOURCES.values():
        con.execute(raw_table_ddl(contract))


def insert_rows(
    con: duckdb.DuckDBPyConnection, table: str, columns: tuple[str, ...], rows: list[tuple], file_seq: int = 1
) -> None:
    """Insert fixture rows as the loader would: every row from file `file_seq`, line = position + 2 (header is 1)."""
    names = ", ".join(columns + ("_file_seq", "_source_file", "_source_line"))
    marks = ", ".join("?" for _ in range(len(columns) + 3))
    for line, row in enumerate(rows, start=2):
        con.execute(
            f"insert into raw.{table} ({names}) values ({marks})",
            [*row, file_seq, f"{table}/fixture{file_seq}.csv", line],
        )


def run_dbt(db_path: Path, work_dir: Path, *args: str) -> subprocess.CompletedProcess:
    """The locked environment's `dbt <args>` on the pipeline database `db_path`, its target and logs in `work_dir`, in
    a process of its own (dbt-duckdb keeps its connection open in-process), within DBT_TIMEOUT_SECONDS."""
    return subprocess.run(
        [
            DBT,
            *args,
            "--project-dir",
            str(DBT_DIR),
            "--profiles-dir",
            str(DBT_DIR),
            "--target-path",
            str(work_dir / "target"),
            "--log-path",
            str(work_dir / "logs"),
        ],
        cwd=REPO_ROOT,
        env={**os.environ, "TILSYN_PIPELINE_DB": str(db_path)},
        capture_output=True,
        text=True,
        timeout=DBT_TIMEOUT_SECONDS,
    )


def run_dbt_build(
    db_path: Path,
    select: list[str] | None = None,
    dbt_vars: str | None = None,
    command: str = "build",
    full_refresh: bool = False,
    extra_args: tuple[str, ...] = (),
) -> None:
    """`dbt build` (or `command`) against `db_path`; fails the test with dbt's output when dbt fails."""
    args = [command]
    if select:
        # only the tests of what was built: a relationships test from an unselected model (e.g. a forecast mart's
        # queue to dim_queue) would read a table this build never made
        args += ["--select", *select, "--indirect-selection", "cautious"]
    if dbt_vars:
        args += ["--vars", dbt_vars]
    if full_refresh:
        args.append("--full-refresh")
    args += extra_args
    started = time.monotonic()
    result = run_dbt(db_path, db_path.parent, *args)
    print(f"dbt {command} on {db_path.name}: exit {result.returncode} in {time.monotonic() - started:.1f} s")
    if result.returncode != 0:
        pytest.fail(f"dbt build failed:\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}")


@pytest.fixture(scope="session")
def fixture_center_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-worked center, built through every KPI mart of this area."""
    db_path = tmp_path_factory.mktemp("kpi_fixture") / "center.pipeline.duckdb"
    with duckdb.connect(str(db_path)) as con:
        create_raw_tables(con)
        insert_rows(con, "calls", CALL_COLUMNS, CALLS)
        insert_rows(con, "agent_states", ("agent_id", "event_at", "state"), STATES)
        insert_rows(con, "schedules", SCHEDULE_COLUMNS, SCHEDULES)
        insert_rows(con, "roster", ROSTER_COLUMNS, ROSTER)
    run_dbt_build(db_path, select=KPI_SELECTION)
    return db_path


@pytest.fixture(scope="session")
def fixture_center(fixture_center_db: Path):
    """A read-only connection to the built fixture center."""
    con = duckdb.connect(str(fixture_center_db), read_only=True)
    yield con
    con.close()
