"""A tiny analyst warehouse for the dashboard tests, with the columns of MARTS.md and hand-picked numbers.

Rows are given with their sums only; each ratio column is then filled from its numerator and denominator (as the
marts do), so the dashboards' own re-aggregation can be checked against numbers worked out by hand in the tests.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

# (table, columns with types) — MARTS.md columns, typed as the marts type them.
SERVICE = (
    "queue varchar, offered bigint, answered bigint, abandoned bigint, short_abandoned bigint, "
    "answered_within_threshold bigint, service_level_denominator bigint, service_level double, "
    "abandonment_rate double, answered_wait_seconds double, asa_seconds double, max_wait_seconds double, "
    "handled_legs bigint, handle_seconds double, aht_seconds double, transferred_legs bigint, "
    "transfer_rate double, held_legs bigint, hold_rate double, hold_seconds double, avg_hold_seconds double"
)
AGENT = (
    "agent_id varchar, team varchar, logged_in_seconds double, ready_seconds double, talk_seconds double, "
    "hold_seconds double, acw_seconds double, handle_seconds double, occupancy double, utilization double, "
    "scheduled_seconds double, adherent_seconds double, adherence double, conformance double, "
    "paid_scheduled_seconds double, productive_seconds double, shrinkage double, "
    "planned_shrinkage_seconds double, unplanned_shrinkage_seconds double, handled_legs bigint, "
    "aht_seconds double"
)

RATIOS = {
    "service": """
        update {t} set service_level = answered_within_threshold / nullif(service_level_denominator, 0),
            abandonment_rate = (abandoned - short_abandoned) / nullif(offered - short_abandoned, 0),
            asa_seconds = answered_wait_seconds / nullif(answered, 0),
            aht_seconds = handle_seconds / nullif(handled_legs, 0),
            avg_hold_seconds = hold_seconds / nullif(held_legs, 0)""",
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
# Held legs and their hold seconds per daily service row: (local_date, queue, held_legs, hold_seconds); average hold
# per held call 60, 90, 80 and 60 s.
HOLD_DAILY = [
    ("2026-03-30", "sales", 30, 1800),
    ("2026-03-30", "support", 10, 900),
    ("2026-03-31", "sales", 20, 1600),
    ("2026-03-31", "support", 5, 300),
]
SERVICE_COLUMNS = [
    "local_date",
    "period_start",
    "queue",
    "offered",
    "answered",
    "abandoned",
    "short_abandoned",
    "answered_within_threshold",
    "service_level_denominator",
    "answered_wait_seconds",
    "handled_legs",
    "handle_seconds",
]
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
AGENT_COLUMNS = [
    "local_date",
    "period_start",
    "agent_id",
    "team",
    "ready_seconds",
    "handle_seconds",
    "scheduled_seconds",
    "adherent_seconds",
    "handled_legs",
]


# The pages the daily warehouse renders, in their order: its two teams' supervisor and today pages beside the
# operations page, planning and the index (no executive page: no monthly marts).
DAILY_WAREHOUSE_PAGES = [
    "operations_daily.html",
    "supervisor_north.html",
    "supervisor_south.html",
    "planning.html",
    "today_north.html",
    "today_south.html",
    "index.html",
]


def build_daily_warehouse(path: Path) -> Path:
    """The first slice: only `kpi_service_daily` and `kpi_agent_daily`, as a center in its first week would have."""
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema marts")
        create(con, "kpi_service_daily", "local_date date, period_start date", SERVICE)
        insert(con, "kpi_service_daily", SERVICE_COLUMNS, [(r[0], r[0], *r[1:]) for r in SERVICE_DAILY])
        con.executemany(
            "update marts.kpi_service_daily set held_legs = ?, hold_seconds = ? where local_date = ? and queue = ?",
            [(held, seconds, day, queue) for day, queue, held, seconds in HOLD_DAILY],
        )
        create(con, "kpi_agent_daily", "local_date date, period_start date", AGENT)
        insert(con, "kpi_agent_daily", AGENT_COLUMNS, [(r[0], r[0], *r[1:]) for r in AGENT_DAILY])
        con.execute(RATIOS["service"].format(t="marts.kpi_service_daily"))
        con.execute(RATIOS["agent"].format(t="marts.kpi_agent_daily"))
    finally:
        con.close()
    return path


# --- the full warehouse: every mart the dashboards read ----------------------------------------------------------
# Monthly, quarterly and yearly service rows: (period_start, queue, offered, answered, abandoned, short_abandoned,
# within, denominator, answered_wait_seconds, handled_legs, handle_seconds).
SERVICE_PERIODS = {
    "monthly": [
        ("2025-02-01", "sales", 800, 780, 20, 5, 700, 795, 15600, 780, 234000),
        ("2025-03-01", "sales", 900, 850, 50, 10, 700, 890, 25500, 850, 255000),
        ("2026-02-01", "sales", 800, 760, 40, 10, 670, 790, 15200, 760, 228000),
        ("2026-02-01", "support", 400, 380, 20, 0, 330, 400, 11400, 380, 114000),
        ("2026-03-01", "sales", 1000, 900, 100, 20, 738, 980, 27000, 900, 270000),
        ("2026-03-01", "support", 500, 450, 50, 0, 342, 500, 22500, 450, 180000),
    ],
    "quarterly": [
        ("2025-01-01", "sales", 2600, 2500, 100, 20, 2200, 2580, 62500, 2500, 750000),
        ("2026-01-01", "sales", 2700, 2500, 200, 40, 2100, 2660, 75000, 2500, 750000),
        ("2026-01-01", "support", 1300, 1200, 100, 0, 1000, 1300, 48000, 1200, 480000),
    ],
    "yearly": [
        ("2025-01-01", "sales", 10000, 9500, 500, 100, 8000, 9900, 237500, 9500, 2850000),
        ("2026-01-01", "sales", 2700, 2500, 200, 40, 2100, 2660, 75000, 2500, 750000),
        ("2026-01-01", "support", 1300, 1200, 100, 0, 1000, 1300, 48000, 1200, 480000),
    ],
}
# FCR: (period_start, queue, fcr_eligible_contacts, repeat_contacts)
FCR_PERIODS = {
    "monthly": [
        ("2026-02-01", "sales", 700, 70),
        ("2026-02-01", "support", 300, 30),
        ("2026-03-01", "sales", 800, 80),
        ("2026-03-01", "support", 400, 60),
    ],
    "quarterly": [("2026-01-01", "sales", 2000, 200)],
    "yearly": [("2026-01-01", "sales", 2000, 200)],
    # The prior year's days: what the year 2026 in progress (to 31 March) is compared with, like for like.
    "daily": [("2025-02-10", "sales", 100, 5), ("2025-04-01", "sales", 100, 100)],
}
# Agents: (period_start, agent_id, team, ready_seconds, handle_seconds, scheduled_seconds, adherent_seconds,
# handled_legs)
AGENT_PERIODS = {
    "monthly": [
        ("2025-03-01", "A1", "North", 30000, 90000, 120000, 114000, 300),
        ("2026-02-01", "A1", "North", 20000, 80000, 100000, 90000, 260),
        ("2026-03-01", "A1", "North", 36000, 108000, 144000, 129600, 360),
        ("2026-03-01", "A2", "North", 18000, 126000, 144000, 115200, 400),
        ("2026-03-01", "A3", "South", 18000, 90000, 144000, 136800, 300),
    ],
    "quarterly": [("2026-01-01", "A1", "North", 60000, 240000, 360000, 324000, 800)],
    "yearly": [("2026-01-01", "A1", "North", 60000, 240000, 360000, 324000, 800)],
}
# QA: (period_start, agent_id, team, evaluations, score_sum, max_score_sum, critical_fails)
QUALITY_PERIODS = {
    "monthly": [
        ("2026-02-01", "A1", "North", 10, 900, 1000, 0),
        ("2026-03-01", "A1", "North", 10, 850, 1000, 1),
        ("2026-03-01", "A2", "North", 10, 700, 1000, 0),
        ("2026-03-01", "A3", "South", 5, 450, 500, 0),
    ],
    "quarterly": [("2026-01-01", "A1", "North", 20, 1750, 2000, 1)],
    "yearly": [("2026-01-01", "A1", "North", 20, 1750, 2000, 1)],
    "daily": [
        ("2025-02-03", "A1", "North", 4, 330, 400, 0),  # the prior year's days, to 31 March 2025 ...
        ("2025-04-01", "A1", "North", 4, 0, 400, 4),  # ... and a day after them, outside the like-for-like days
        ("2026-03-30", "A1", "North", 2, 150, 200, 1),
        ("2026-03-31", "A3", "South", 1, 90, 100, 0),
    ],
}
# People: (period_start, team, headcount_start, headcount_end, hires, terminations)
PEOPLE_PERIODS = {
    "monthly": [
        ("2025-02-01", "North", 18, 18, 0, 0),
        ("2025-03-01", "North", 18, 18, 1, 1),
        ("2026-02-01", "North", 19, 20, 1, 0),
        ("2026-02-01", "South", 10, 10, 0, 0),
        ("2026-03-01", "North", 20, 22, 3, 1),
        ("2026-03-01", "South", 10, 9, 0, 1),
    ],
    "quarterly": [("2026-01-01", "North", 19, 22, 4, 1), ("2026-01-01", "South", 10, 9, 0, 1)],
    "yearly": [("2026-01-01", "North", 19, 22, 4, 1), ("2026-01-01", "South", 10, 9, 0, 1)],
}
# Cost per call: (period_start, actual_cost, staff_cost, answered_contacts, handle_seconds)
COST_PER_CALL_PERIODS = {
    "monthly": [
        ("2025-03-01", 500000, 380000, 1000, 300000),
        ("2026-02-01", 480000, 380000, 1100, 342000),
        ("2026-03-01", 540000, 400000, 1200, 450000),
    ],
    "quarterly": [("2026-01-01", 1500000, 1160000, 3300, 1100000)],
    "yearly": [("2026-01-01", 1500000, 1160000, 3300, 1100000)],
}
# April 2026 is after the data (31 March): the ledger's budget reaches it, and a cost-per-call mart that lists every
# ledger month carries it with nothing booked. It must get no executive page.
COST_PER_CALL_PERIODS["monthly"].append(("2026-04-01", 0, 0, 0, 0))
# Finance: (period_start, cost_center, category, budget, actual, annual_budget, actual_to_date, projected_year_end)
FINANCE_PERIODS = {
    "monthly": [
        # The prior year: February and March 2025 booked.
        ("2025-02-01", "CC1", "staff", 400000, 380000, 4800000, 380000, 4780000),
        ("2025-02-01", "CC1", "tools", 100000, 90000, 1200000, 90000, 1190000),
        ("2025-03-01", "CC1", "staff", 400000, 400000, 4800000, 780000, 4780000),
        ("2025-03-01", "CC1", "tools", 100000, 100000, 1200000, 190000, 1190000),
        ("2026-02-01", "CC1", "staff", 400000, 380000, 4800000, 760000, 4760000),
        ("2026-02-01", "CC1", "tools", 100000, 100000, 1200000, 200000, 1200000),
        ("2026-03-01", "CC1", "staff", 400000, 400000, 4800000, 1160000, 4760000),
        ("2026-03-01", "CC1", "tools", 100000, 140000, 1200000, 340000, 1240000),
        # Budget lines only (the year's budget covers months not yet reached).
        ("2026-04-01", "CC1", "staff", 400000, 0, 4800000, 1170000, 4770000),
        ("2026-04-01", "CC1", "tools", 100000, 0, 1200000, 330000, 1230000),
    ],
    "quarterly": [
        ("2026-01-01", "CC1", "staff", 1200000, 1170000, 4800000, 1170000, 4770000),
        ("2026-01-01", "CC1", "tools", 300000, 330000, 1200000, 330000, 1230000),
        ("2026-04-01", "CC1", "staff", 1200000, 0, 4800000, 1170000, 4770000),
    ],
    "yearly": [
        ("2026-01-01", "CC1", "staff", 4800000, 1170000, 4800000, 1170000, 4770000),
        ("2026-01-01", "CC1", "tools", 1200000, 330000, 1200000, 330000, 1230000),
    ],
}
TARGETS = [  # rows of the kpi_targets seed (dbt/seeds/kpi_targets.csv)
    ("service_level", "center", "*", "2000-01-01", None, 0.80, "at_least"),
    ("aht_seconds", "center", "*", "2000-01-01", None, 300, "at_most"),
    ("abandonment_rate", "center", "*", "2000-01-01", None, 0.05, "at_most"),
    ("adherence", "team", "*", "2000-01-01", None, 0.90, "at_least"),
    ("qa_score", "team", "*", "2000-01-01", None, 0.85, "at_least"),
    ("annualised_attrition_rate", "team", "*", "2000-01-01", None, 0.30, "at_most"),
    ("variance_pct", "cost_center", "*", "2000-01-01", None, 0.00, "at_most"),
]
# Staffing per queue and interval: (interval_start, queue, offered, required, scheduled, staffed)
STAFFING = [
    ("2026-03-30 09:00", "sales", 20, 6.0, 5.0, 4.5),
    ("2026-03-30 09:15", "sales", 24, 7.0, 5.0, 5.0),
    ("2026-03-30 09:00", "support", 10, 3.0, 3.0, 3.0),
    ("2026-03-30 09:15", "support", 8, 3.0, 3.0, 2.5),
    ("2026-03-31 09:00", "sales", 16, 5.0, 6.0, 6.0),
    ("2026-03-31 09:15", "support", 6, 2.0, 2.0, 2.0),
]
# Contact legs offered to a queue: (interval_start, queue, is_abandoned, is_within, is_in_denominator) x count
LEGS = [
    (("2026-03-30 09:00", "sales", False, True, True), 3),
    (("2026-03-30 09:00", "sales", False, False, True), 1),
    (("2026-03-30 09:15", "sales", True, False, True), 1),
    (("2026-03-30 09:15", "support", False, True, True), 1),
    (("2026-03-31 09:00", "sales", False, True, True), 2),
]
# Monthly scorecards: (period_start, agent_id, team, aht_seconds, adherence, qa_score, conversion_rate, critical_fails,
# is_critical_fail_rate_above_target, is_low_qa_score_outlier, is_low_adherence_outlier, is_slow_aht_outlier,
# needs_coaching)
SCORECARDS = [
    ("2026-03-01", "A1", "North", 300.0, 0.90, 0.85, 0.20, 1, True, False, False, False, True),
    ("2026-03-01", "A2", "North", 315.0, 0.80, 0.70, 0.25, 0, False, True, True, False, True),
    ("2026-03-01", "A3", "South", 300.0, 0.95, 0.90, None, 0, False, False, False, False, False),
]
SCORECARD_COLUMNS = [
    "period_start",
    "agent_id",
    "team",
    "aht_seconds",
    "adherence",
    "qa_score",
    "conversion_rate",
    "critical_fails",
    "is_critical_fail_rate_above_target",
    "is_low_qa_score_outlier",
    "is_low_adherence_outlier",
    "is_slow_aht_outlier",
    "needs_coaching",
]

PEOPLE = (
    "team varchar, headcount_start bigint, headcount_end bigint, average_headcount double, hires bigint, "
    "terminations bigint, voluntary_terminations bigint, involuntary_terminations bigint, "
    "attrition_rate double, early_terminations bigint"
)
FINANCE = (
    "cost_center varchar, category varchar, budget_amount decimal(18,4), actual_amount decimal(18,4), "
    "variance_amount decimal(18,4), variance_pct double, annual_budget_amount decimal(18,4), "
    "actual_to_date_amount decimal(18,4), projected_year_end_amount decimal(18,4)"
)
COST_PER_CALL = (
    "actual_cost decimal(18,4), staff_cost decimal(18,4), answered_contacts bigint, "
    "handle_seconds double, cost_per_call double, staff_cost_per_call double, "
    "cost_per_handled_minute double"
)
QUALITY = (
    "agent_id varchar, team varchar, evaluations bigint, score_sum double, max_score_sum double, "
    "qa_score double, critical_fails bigint, critical_fail_rate double"
)
FCR = "queue varchar, fcr_eligible_contacts bigint, repeat_contacts bigint, fcr_rate double"
RATIOS.update(
    {
        "people": "update {t} set average_headcount = (headcount_start + headcount_end) / 2.0, "
        "attrition_rate = terminations / nullif((headcount_start + headcount_end) / 2.0, 0)",
        "finance": "update {t} set variance_amount = actual_amount - budget_amount, "
        "variance_pct = (actual_amount - budget_amount) / nullif(budget_amount, 0)",
        "cost_per_call": "update {t} set cost_per_call = actual_cost / nullif(answered_contacts, 0), "
        "staff_cost_per_call = staff_cost / nullif(answered_contacts, 0), "
        "cost_per_handled_minute = actual_cost / nullif(handle_seconds / 60, 0)",
        "quality": "update {t} set qa_score = score_sum / nullif(max_score_sum, 0), "
        "critical_fail_rate = critical_fails / nullif(evaluations, 0)",
        "fcr": "update {t} set fcr_rate = 1 - repeat_contacts / nullif(fcr_eligible_contacts, 0)",
    }
)


# The prior year's days in kpi_service_daily (same columns as SERVICE_DAILY): the first quarter of 2025, compared
# like for like with 2026 to 31 March, and 1 April 2025, after those days, that must not count.
SERVICE_DAILY_PRIOR_YEAR = [
    ("2025-01-15", "sales", 100, 95, 5, 1, 86, 99, 1900, 95, 28500),
    ("2025-03-31", "sales", 100, 90, 10, 0, 80, 100, 2700, 90, 27000),
    ("2025-04-01", "sales", 100, 50, 50, 0, 0, 100, 9000, 50, 5000),
]


# The staffing plan of the coming days, made after 2026-03-31 (ops.staffing_plan_interval; local time is UTC+2 in
# April in Oslo). Queue sales: 1 and 2 April are scheduled, 3 April is beyond the last published day (not yet
# scheduled: no scheduled agents, no gap); queue support has only 3 April (no published schedule ahead at all).
# Unplanned shrinkage 0.1, so required scheduled agents = required / 0.9: 5 -> 5.5556, 3 -> 3.3333.
# (queue, local interval start, offered, required, is_scheduled, scheduled agents, projected service level, status)
PLAN = [
    ("sales", "2026-04-01 09:00", 20.0, 5, True, 4.0, 0.62, "under"),
    ("sales", "2026-04-01 09:30", 18.0, 5, True, 7.0, 0.93, "over"),
    ("sales", "2026-04-01 10:00", 10.0, 3, True, 3.5, 0.82, "within"),
    ("sales", "2026-04-02 09:00", 20.0, 5, True, 6.0, 0.86, "within"),
    ("sales", "2026-04-02 09:30", 18.0, 5, True, 5.0, 0.79, "within"),
    ("sales", "2026-04-02 10:00", 10.0, 3, True, 3.0, 0.76, "within"),
    ("sales", "2026-04-03 09:00", 20.0, 5, False, None, None, "not_yet_scheduled"),
    ("sales", "2026-04-03 09:30", 18.0, 5, False, None, None, "not_yet_scheduled"),
    ("sales", "2026-04-03 10:00", 10.0, 3, False, None, None, "not_yet_scheduled"),
    ("support", "2026-04-03 09:00", 6.0, 2, False, None, None, "not_yet_scheduled"),
]
PLAN_COLUMNS = (
    "queue varchar, interval_start_at timestamp, interval_start timestamp, local_date date, interval_seconds bigint, "
    "forecast_offered double, forecast_aht_seconds double, patience_seconds double, staffing_model varchar, "
    "required_agents bigint, unplanned_shrinkage double, required_scheduled_agents double, is_scheduled boolean, "
    "scheduled_agents double, schedule_gap_agents double, projected_service_level double, "
    "projected_abandonment_rate double, staffing_status varchar, origin_date date"
)
# Agent A1's break in sales' understaffed 07:00 UTC (09:00 local) interval on 1 April moves 30 minutes later, into
# the 09:30 interval with agents to spare: a quarter hour of a half-hour interval is 0.5 agents, gap -1.56 -> -1.06.
MOVES = [
    (
        "A1", "break", "2026-04-01 07:05", "2026-04-01 07:20", "2026-04-01 07:35", "2026-04-01 07:50", 30, "sales",
        "2026-04-01 07:00", -1.5556, -1.0556, 0.62, 0.71,
    ),
]  # fmt: skip


def add_plan_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The staffing plan, and one week of forecast accuracy for sales (after add_forecasts, which makes the tables)."""
    # sales, one origin: chosen seasonal naive WAPE 20 / 200 = 10 %, bias -10 / 200 = -5 %; moving average 30 / 200.
    con.execute(
        "insert into marts.kpi_forecast_accuracy_weekly by name select * from (values "
        "('sales', date '2026-03-23', 1, 'seasonal_naive', true, date '2026-03-24', date '2026-03-30', 200, 20.0, "
        "-10.0), ('sales', date '2026-03-23', 1, 'moving_average_4w', false, date '2026-03-24', date '2026-03-30', "
        "200, 30.0, 30.0)) t(queue, origin_date, horizon_weeks, method, is_chosen, first_date, last_date, "
        "offered_actual, offered_absolute_error, offered_error)"
    )
    con.execute(f"create table ops.staffing_plan_interval ({PLAN_COLUMNS})")
    con.executemany(
        "insert into ops.staffing_plan_interval values (?, ?::timestamp - interval 2 hour, ?, ?::timestamp::date, "
        "1800, ?, 300, 120, 'erlang_a', ?, 0.1, ? / 0.9, ?, ?, ? - ? / 0.9, ?, 0.05, ?, '2026-03-31')",
        [
            (queue, t, t, t, offered, req, req, is_scheduled, agents, agents, req, sl, status)
            for queue, t, offered, req, is_scheduled, agents, sl, status in PLAN
        ],
    )
    con.execute("create table ops.staffing_break_moves (agent_id varchar, activity varchar, started_at timestamp, "
                "ended_at timestamp, suggested_started_at timestamp, suggested_ended_at timestamp, "
                "shift_minutes bigint, queue varchar, interval_start_at timestamp, schedule_gap_agents_before double, "
                "schedule_gap_agents_after double, projected_service_level_before double, "
                "projected_service_level_after double)")  # fmt: skip
    con.executemany(f"insert into ops.staffing_break_moves values ({', '.join('?' * 13)})", MOVES)
    con.execute(
        "create table ops.staffing_plan_summary as select date '2026-03-31' as origin_date, "
        "date '2026-04-02' as last_scheduled_date, 1 as understaffed_intervals_before, "
        "1 as understaffed_intervals_after, 1.56 as shortfall_agents_before, 1.06 as shortfall_agents_after, "
        "1 as breaks_moved"
    )


def build_full_warehouse(path: Path) -> Path:
    """Every mart the dashboards read, at every grain they read, plus `ops.published_version`."""
    build_daily_warehouse(path)
    con = duckdb.connect(str(path))
    try:
        insert(con, "kpi_service_daily", SERVICE_COLUMNS, [(r[0], r[0], *r[1:]) for r in SERVICE_DAILY_PRIOR_YEAR])
        con.execute(RATIOS["service"].format(t="marts.kpi_service_daily"))
        families = [
            ("service", SERVICE, SERVICE_PERIODS, SERVICE_COLUMNS[1:]),
            ("fcr", FCR, FCR_PERIODS, ["period_start", "queue", "fcr_eligible_contacts", "repeat_contacts"]),
            ("agent", AGENT, AGENT_PERIODS, AGENT_COLUMNS[1:]),
            (
                "quality",
                QUALITY,
                QUALITY_PERIODS,
                ["period_start", "agent_id", "team", "evaluations", "score_sum", "max_score_sum", "critical_fails"],
            ),
            (
                "people",
                PEOPLE,
                PEOPLE_PERIODS,
                ["period_start", "team", "headcount_start", "headcount_end", "hires", "terminations"],
            ),
            (
                "cost_per_call",
                COST_PER_CALL,
                COST_PER_CALL_PERIODS,
                ["period_start", "actual_cost", "staff_cost", "answered_contacts", "handle_seconds"],
            ),
            (
                "finance",
                FINANCE,
                FINANCE_PERIODS,
                [
                    "period_start",
                    "cost_center",
                    "category",
                    "budget_amount",
                    "actual_amount",
                    "annual_budget_amount",
                    "actual_to_date_amount",
                    "projected_year_end_amount",
                ],
            ),
        ]
        for family, columns, periods, insert_columns in families:
            for grain, rows in periods.items():
                table = f"kpi_{family}_{grain}"
                daily = grain == "daily"
                create(con, table, "local_date date, period_start date" if daily else "period_start date", columns)
                names = (["local_date"] if daily else []) + insert_columns
                insert(con, table, names, [((r[0],) if daily else ()) + r for r in rows])
                con.execute(RATIOS[family].format(t=f"marts.{table}"))
        con.execute(
            "create table marts.kpi_targets (kpi varchar, scope_type varchar, scope_value varchar, "
            "valid_from date, valid_to date, target_value double, direction varchar, note varchar)"
        )
        insert(
            con,
            "kpi_targets",
            ["kpi", "scope_type", "scope_value", "valid_from", "valid_to", "target_value", "direction"],
            TARGETS,
        )
        con.execute(
            "create table marts.kpi_staffing_interval (queue varchar, interval_start timestamp, "
            "offered bigint, handle_seconds double, required_agents double, scheduled_agents double, "
            "staffed_agents double, staffing_gap double)"
        )
        insert(
            con,
            "kpi_staffing_interval",
            ["interval_start", "queue", "offered", "required_agents", "scheduled_agents", "staffed_agents"],
            STAFFING,
        )
        con.execute("update marts.kpi_staffing_interval set staffing_gap = staffed_agents - required_agents")
        con.execute(
            "create table marts.fct_contact_legs (interval_start timestamp, queue varchar, is_offered boolean, "
            "is_abandoned boolean, is_answered_within_threshold boolean, "
            "is_in_service_level_denominator boolean)"
        )
        insert(
            con,
            "fct_contact_legs",
            [
                "interval_start",
                "queue",
                "is_abandoned",
                "is_answered_within_threshold",
                "is_in_service_level_denominator",
                "is_offered",
            ],
            [(*leg, True) for leg, count in LEGS for _ in range(count)],
        )
        con.execute(
            "create table marts.kpi_agent_scorecard_monthly (period_start date, agent_id varchar, "
            "team varchar, aht_seconds double, adherence double, qa_score double, conversion_rate double, "
            "critical_fails bigint, is_critical_fail_rate_above_target boolean, is_low_qa_score_outlier boolean, "
            "is_low_adherence_outlier boolean, is_slow_aht_outlier boolean, needs_coaching boolean)"
        )
        insert(con, "kpi_agent_scorecard_monthly", SCORECARD_COLUMNS, SCORECARDS)
        con.execute("create schema ops")
        con.execute(
            "create table ops.published_version (version_id varchar, published_at timestamp, "
            "table_name varchar, row_count bigint)"
        )
        con.execute("insert into ops.published_version values ('v1', '2026-04-01 02:13:00', 'marts.x', 1)")
        add_forecasts(con)
        add_plan_tables(con)
    finally:
        con.close()
    return path


def add_forecasts(con: duckdb.DuckDBPyConnection) -> None:
    """A forecast kept at origin 2026-03-31 (two queues, the chosen method, 09:00 of three days) and one week of
    accuracy (the supervisor page's forecast section)."""
    from dagster_project.forecasting.snapshots import SNAPSHOT_DDL

    con.execute(SNAPSHOT_DDL)
    # publish writes tables with local_date as monthly Parquet files without the build stamp
    con.execute("alter table ops.interval_forecasts drop column _built_at")
    con.execute(
        "insert into ops.interval_forecasts select '2026-03-31', queue, d + interval 9 hour, d, "
        "date_diff('day', date '2026-03-31', d), 'weighted_profile', offered, 200.0, true, 15, '2026-01-01', "
        "'2026-03-31', 100 "
        "from (values ('billing', 120.0), ('support', 80.0)) q(queue, offered), "
        "(select unnest([date '2026-04-01', date '2026-04-02', date '2026-04-03']) as d)"
    )
    con.execute(
        "create table marts.kpi_forecast_accuracy_weekly as select date '2026-03-23' as origin_date, "
        "'billing' as queue, 'weighted_profile' as method, 1 as horizon_weeks, date '2026-03-24' as first_date, "
        "date '2026-03-30' as last_date, true as is_chosen, 1000.0 as offered_forecast, 1040 as offered_actual, "
        "62.0 as offered_absolute_error, -40.0 as offered_error, 0.0596 as wape, -0.0385 as bias, 300 as intervals"
    )


def table_columns(path: Path, schemas: tuple[str, ...] = ("marts", "ops")) -> dict[str, dict[str, str]]:
    """`schema.table` -> {column: DuckDB type} of the tables and views of a warehouse file, for comparing the one
    built here with the marts dbt builds."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(
            "select table_schema || '.' || table_name, column_name, data_type from information_schema.columns "
            f"where table_schema in ({', '.join('?' for _ in schemas)}) order by 1, ordinal_position",
            list(schemas),
        ).fetchall()
    finally:
        con.close()
    columns: dict[str, dict[str, str]] = {}
    for table, column, data_type in rows:
        columns.setdefault(table, {})[column] = data_type
    return columns


# --- the day in progress: the today pages ------------------------------------------------------------------------
# Tuesday 31 March 2026 in Europe/Oslo (UTC+2 since 29 March): local 09:45 is 07:45 UTC. The record says calls are
# in up to 07:45 UTC and agent states up to 07:50 UTC, neither closed: the cutoff is the earlier, 09:45 local.
TODAY = "2026-03-31"
COMPLETENESS = [  # (source, local_date, cutoff_at, cutoff_from, is_closed)
    ("calls", "2026-03-30", "2026-03-30 22:00:00+00", "file_name", True),  # Monday, closed at local midnight
    ("agent_states", "2026-03-30", "2026-03-30 22:00:00+00", "file_name", True),
    ("calls", TODAY, "2026-03-31 07:45:00+00", "file_name", False),
    ("agent_states", TODAY, "2026-03-31 07:50:00+00", "latest_timestamp", False),
]
COMPLETENESS_DDL = (
    "create table ops.source_day_completeness (source varchar, local_date date, cutoff_at timestamptz, "
    "cutoff_from varchar, is_closed boolean, recorded_at timestamptz)"
)
# Offered legs of today: (queue, local interval start, minutes into the interval it ended, wait seconds, outcome,
# handling agent) x count. Outcomes: "within" (answered within 20 s), "late" (answered after), "abandon", "short"
# (abandoned within 5 s). Every leg's end is before the 07:45 UTC cutoff except the one marked below.
TODAY_LEGS = [
    (("sales", "09:00", 5, 10, "within", "A1"), 10),
    (("sales", "09:00", 6, 60, "late", "A2"), 2),
    (("sales", "09:15", 5, 10, "within", "A2"), 10),
    (("sales", "09:15", 5, 10, "within", "A3"), 1),  # A3's one sales leg: A3 is half sales, half support
    (("sales", "09:15", 4, 90, "abandon", None), 1),
    (("sales", "09:30", 8, 10, "within", "A1"), 9),
    (("sales", "09:30", 9, 45, "late", "A1"), 2),
    (("sales", "09:30", 1, 3, "short", None), 1),
    (("sales", "09:30", 16, 10, "within", "A1"), 1),  # ends 09:46 local, after the cutoff: not counted yet
    (("support", "09:00", 5, 10, "within", "A4"), 3),
    (("support", "09:15", 5, 10, "within", "A4"), 1),
    (("support", "09:15", 5, 10, "within", "A3"), 1),
    (("support", "09:15", 8, 200, "abandon", None), 1),
]
# The forecasts kept for today: the chosen method of the forecast made after Monday (origin 2026-03-30), 09:00 to
# 10:15 local, sales 10 and support 5 contacts per interval, AHT 300 s. Decoys the page must not read: another
# method of that origin, an older origin and one made at today itself (not a complete day).
TODAY_FORECASTS = [  # (origin_date, method, is_chosen, queue, offered)
    ("2026-03-30", "weighted_profile", True, "sales", 10.0),
    ("2026-03-30", "weighted_profile", True, "support", 5.0),
    ("2026-03-30", "moving_average_4w", False, "sales", 50.0),
    ("2026-03-29", "weighted_profile", True, "sales", 100.0),
    ("2026-03-31", "weighted_profile", True, "sales", 1000.0),
]
# Work segments of today (UTC): A1 07:00-09:00, A2 07:45-08:30, A3 07:00-08:30, split at 15-minute intervals.
TODAY_SCHEDULE = [("A1", "07:00", "09:00"), ("A2", "07:45", "08:30"), ("A3", "07:00", "08:30")]
# Agent states (UTC) of today, each state's pieces as fct_agent_state_spans splits them at interval boundaries; a
# state open at the states' cutoff (07:50) lasts until it. (agent_id, state, reason, is_productive, state start,
# state end)
TODAY_STATES = [
    ("A1", "aux", "personal", False, "07:20", "07:50"),  # 25 min at the 07:45 cutoff: listed (North)
    ("A2", "break", None, False, "07:35", "07:50"),  # 10 min: not yet long
    ("A3", "lunch", None, False, "07:15", "07:50"),  # 30 min: listed, on South's page
    ("A5", "aux", "meeting room", False, "07:00", "07:30"),  # 30 min, but over before the cutoff
    ("A6", "ready", None, True, "07:00", "07:50"),  # ready: productive
    ("A7", "training", None, False, "07:30", "07:50"),  # exactly 15 min at the cutoff: not longer than 15
]
TEAMS = {"A1": "North", "A2": "North", "A5": "North", "A6": "North", "A7": "North", "A3": "South", "A4": "South"}


def _utc(clock: str) -> str:
    return f"{TODAY} {clock}:00"


def _pieces(started: str, ended: str) -> list[tuple[str, str]]:
    """[started, ended) split at quarter hours (UTC clock strings HH:MM)."""
    from datetime import datetime, timedelta

    start, end = datetime.fromisoformat(_utc(started)), datetime.fromisoformat(_utc(ended))
    out = []
    while start < end:
        boundary = start.replace(minute=start.minute // 15 * 15, second=0) + timedelta(minutes=15)
        out.append((start, min(boundary, end)))
        start = min(boundary, end)
    return out


def build_today_warehouse(path: Path, with_completeness: bool = True, closed: bool = False) -> Path:
    """build_daily_warehouse (teams North and South) plus today's facts, forecast, plan inputs and, unless
    `with_completeness` is False, the completeness record (`closed`: every source has closed today)."""
    from datetime import datetime, timedelta

    from dagster_project.forecasting.snapshots import SNAPSHOT_DDL

    build_daily_warehouse(path)
    con = duckdb.connect(str(path))
    try:
        con.execute(
            "create table marts.fct_contact_legs (leg_id varchar, queue varchar, agent_id varchar, "
            "queued_at timestamp, answered_at timestamp, ended_at timestamp, local_date date, "
            "interval_start timestamp, wait_seconds double, is_offered boolean, is_answered boolean, "
            "is_abandoned boolean, is_short_abandon boolean, is_answered_within_threshold boolean, "
            "is_in_service_level_denominator boolean, is_handled boolean)"
        )
        rows = []
        for (queue, clock, ended_minute, wait, outcome, agent), count in TODAY_LEGS:
            local_start = datetime.fromisoformat(f"{TODAY} {clock}:00")
            for i in range(count):
                ended = local_start - timedelta(hours=2) + timedelta(minutes=ended_minute)
                queued = ended - timedelta(seconds=wait + 120 if outcome in ("within", "late") else wait)
                answered = queued + timedelta(seconds=wait) if outcome in ("within", "late") else None
                rows.append(
                    (f"{queue}-{clock}-{outcome}-{agent}-{i}", queue, agent, queued, answered, ended, TODAY,
                     local_start, wait, True, answered is not None, answered is None, outcome == "short",
                     outcome == "within", outcome != "short", answered is not None)
                )  # fmt: skip
        con.executemany(f"insert into marts.fct_contact_legs values ({', '.join('?' * 16)})", rows)
        con.execute(
            "create table marts.fct_schedule_segments (agent_id varchar, started_at timestamp, ended_at timestamp, "
            "duration_seconds double, schedule_date date, activity varchar, interval_start_at timestamp, "
            "interval_start timestamp, local_date date, is_scheduled boolean, is_work boolean)"
        )
        con.executemany(
            "insert into marts.fct_schedule_segments values (?, ?, ?, date_diff('second', ?::timestamp, "
            "?::timestamp), ?, 'work', ?, ?::timestamp + interval 2 hour, ?, true, true)",
            [
                (agent, a, b, a, b, TODAY, a, a, TODAY)
                for agent, start, end in TODAY_SCHEDULE
                for a, b in _pieces(start, end)
            ],
        )
        con.execute(
            "create table marts.fct_agent_state_spans (agent_id varchar, started_at timestamp, ended_at timestamp, "
            "duration_seconds double, state varchar, reason varchar, state_started_at timestamp, "
            "state_ended_at timestamp, interval_start timestamp, local_date date, is_productive boolean)"
        )
        con.executemany(
            "insert into marts.fct_agent_state_spans values (?, ?, ?, date_diff('second', ?::timestamp, "
            "?::timestamp), ?, ?, ?, ?, ?::timestamp + interval 2 hour, ?, ?)",
            [
                (agent, a, b, a, b, state, reason, _utc(start), _utc(end), a, TODAY, productive)
                for agent, state, reason, productive, start, end in TODAY_STATES
                for a, b in _pieces(start, end)
            ],
        )
        con.execute(
            "create table marts.dim_agent (agent_id varchar, valid_from date, valid_to date, is_current boolean, "
            "team varchar)"
        )
        con.executemany("insert into marts.dim_agent values (?, '2026-01-01', null, true, ?)", list(TEAMS.items()))
        con.execute("create schema ops")
        con.execute(SNAPSHOT_DDL)
        con.execute("alter table ops.interval_forecasts drop column _built_at")  # as published
        con.executemany(
            "insert into ops.interval_forecasts select ?, ?, t, t::date, 1, ?, ?, 300.0, ?, 15, '2026-01-01', ?, 100 "
            "from generate_series(timestamp '2026-03-31 09:00', timestamp '2026-03-31 10:15', interval 15 minute) "
            "s(t)",
            [
                (origin, queue, method, offered, chosen, origin)
                for origin, method, chosen, queue, offered in TODAY_FORECASTS
            ],
        )
        # The plan's inputs: no patience estimate (Erlang C) and 12.5 % unplanned shrinkage (tomorrow's plan rows).
        con.execute(f"create table ops.staffing_plan_interval ({PLAN_COLUMNS})")
        con.execute(
            "insert into ops.staffing_plan_interval select queue, timestamp '2026-04-01 07:00', "
            "timestamp '2026-04-01 09:00', date '2026-04-01', 900, 10.0, 300.0, null, 'erlang_c', 6, 0.125, 6 / 0.875, "
            "false, null, null, null, null, 'not_yet_scheduled', date '2026-03-31' "
            "from (values ('sales'), ('support')) q(queue)"
        )
        if with_completeness:
            con.execute(COMPLETENESS_DDL)
            con.executemany(
                "insert into ops.source_day_completeness values (?, ?, ?, ?, ?, now())",
                [(s, d, c, f, closed or is_closed) for s, d, c, f, is_closed in COMPLETENESS],
            )
    finally:
        con.close()
    return path
