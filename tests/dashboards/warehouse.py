"""A tiny analyst warehouse for the dashboard tests, with the columns of MARTS.md and hand-picked numbers.

Rows are given with their sums only; each ratio column is then filled from its numerator and denominator (as the
marts do), so the dashboards' own re-aggregation can be checked against numbers worked out by hand in the tests.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

# (table, columns with types) — MARTS.md columns, typed as the marts type them.
SERVICE = ("queue varchar, offered bigint, answered bigint, abandoned bigint, short_abandoned bigint, "
           "answered_within_threshold bigint, service_level_denominator bigint, service_level double, "
           "abandonment_rate double, answered_wait_seconds double, asa_seconds double, max_wait_seconds double, "
           "handled_legs bigint, handle_seconds double, aht_seconds double, transferred_legs bigint, "
           "transfer_rate double, held_legs bigint, hold_rate double")
AGENT = ("agent_id varchar, team varchar, logged_in_seconds double, ready_seconds double, talk_seconds double, "
         "hold_seconds double, acw_seconds double, handle_seconds double, occupancy double, utilization double, "
         "scheduled_seconds double, adherent_seconds double, adherence double, conformance double, "
         "paid_scheduled_seconds double, productive_seconds double, shrinkage double, "
         "planned_shrinkage_seconds double, unplanned_shrinkage_seconds double, handled_legs bigint, "
         "aht_seconds double")

RATIOS = {
    "service": """
        update {t} set service_level = answered_within_threshold / nullif(service_level_denominator, 0),
            abandonment_rate = (abandoned - short_abandoned) / nullif(offered - short_abandoned, 0),
            asa_seconds = answered_wait_seconds / nullif(answered, 0),
            aht_seconds = handle_seconds / nullif(handled_legs, 0)""",
    "agent": """
        update {t} set occupancy = handle_seconds / nullif(handle_seconds + ready_seconds, 0),
            adherence = adherent_seconds / nullif(scheduled_seconds, 0),
            aht_seconds = handle_seconds / nullif(handled_legs, 0)""",
}


def create(con: duckdb.DuckDBPyConnection, table: str, period_columns: str, columns: str) -> None:
    con.execute(f"create table marts.{table} ({period_columns}, {columns})")


def insert(con: duckdb.DuckDBPyConnection, table: str, columns: list[str], rows: list[tuple]) -> None:
    placeholders = ", ".join("?" for _ in columns)
    con.executemany(f"insert into marts.{table} ({', '.join(columns)}) values ({placeholders})", rows)


# Daily service rows: (local_date, queue, offered, answered, abandoned, short_abandoned, within, denominator,
# answered_wait_seconds, handled_legs, handle_seconds)
SERVICE_DAILY = [
    ("2026-03-30", "sales", 100, 90, 10, 2, 72, 98, 2700, 90, 27000),
    ("2026-03-30", "support", 50, 40, 10, 0, 20, 50, 2400, 40, 16000),
    ("2026-03-31", "sales", 80, 80, 0, 0, 76, 80, 800, 80, 20000),
    ("2026-03-31", "support", 20, 15, 5, 1, 9, 19, 600, 15, 6000),
]
SERVICE_COLUMNS = ["local_date", "period_start", "queue", "offered", "answered", "abandoned", "short_abandoned",
                   "answered_within_threshold", "service_level_denominator", "answered_wait_seconds", "handled_legs",
                   "handle_seconds"]
# Daily agent rows: (local_date, agent_id, team, ready_seconds, handle_seconds, scheduled_seconds, adherent_seconds,
# handled_legs)
AGENT_DAILY = [
    ("2026-03-30", "A1", "North", 7200, 18000, 28800, 25920, 60),
    ("2026-03-30", "A2", "North", 3600, 21600, 28800, 23040, 54),
    ("2026-03-30", "A3", "South", 1800, 16200, 28800, 27360, 30),
    ("2026-03-31", "A1", "North", 5400, 19800, 28800, 27360, 66),
    ("2026-03-31", "A2", "North", 3600, 21600, 28800, 25920, 72),
    ("2026-03-31", "A3", "South", 3600, 14400, 28800, 28800, 24),
]
AGENT_COLUMNS = ["local_date", "period_start", "agent_id", "team", "ready_seconds", "handle_seconds",
                 "scheduled_seconds", "adherent_seconds", "handled_legs"]


def build_daily_warehouse(path: Path) -> Path:
    """The first slice: only `kpi_service_daily` and `kpi_agent_daily`, as a center in its first week would have."""
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema marts")
        create(con, "kpi_service_daily", "local_date date, period_start date", SERVICE)
        insert(con, "kpi_service_daily", SERVICE_COLUMNS, [(r[0], r[0], *r[1:]) for r in SERVICE_DAILY])
        create(con, "kpi_agent_daily", "local_date date, period_start date", AGENT)
        insert(con, "kpi_agent_daily", AGENT_COLUMNS, [(r[0], r[0], *r[1:]) for r in AGENT_DAILY])
        con.execute(RATIOS["service"].format(t="marts.kpi_service_daily"))
        con.execute(RATIOS["agent"].format(t="marts.kpi_agent_daily"))
    finally:
        con.close()
    return path
