"""Hand-worked fixture for the area marts (people, finance, cost per call, quality, outbound, scorecard).

A temporary DuckDB gets the raw tables of `ingest.contracts` and a few rows per source; `dbt build` then builds the
area marts' models and everything upstream (their data tests included) into it. Every expected value below is worked
out by hand from the rows in this file, with the arithmetic in the comment beside the assertion.

Time zone: Europe/Oslo (UTC+1 in January to March 2026; DST starts 2026-03-29).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from ingest.contracts import LOAD_COLUMNS, SOURCES, raw_table_ddl
from tests.dbt.conftest import run_dbt
from tests.support.tables import by_first_column, table

REPO_ROOT = Path(__file__).resolve().parents[3]
DBT_DIR = REPO_ROOT / "dbt"

# The area marts' models with everything upstream, and the data and unit tests defined in the area folders. Tests
# of the upstream models are their owners' (`--indirect-selection empty` leaves them out).
AREA_MARTS_FOLDERS = ("people", "finance", "quality", "outbound", "scorecard")
AREA_MARTS_SELECTION = (
    [f"+path:models/marts/{folder}" for folder in AREA_MARTS_FOLDERS]
    + [f"path:models/{layer}/{folder}" for layer in ("intermediate", "marts") for folder in AREA_MARTS_FOLDERS]
    + ["path:seeds"]
)


def ts(text: str) -> datetime:
    """A naive UTC timestamp, as ingest lands them."""
    return datetime.fromisoformat(text.replace("Z", ""))


def d(text: str) -> date:
    return date.fromisoformat(text)


# --- roster: snapshots 2026-01-31 (file 1), 2026-02-28 (file 2), none for March, 2026-04-30 (file 3) -------------
def roster_row(as_of, employee_id, agent_id, role, team, hire, term=None, term_type=None):
    return {
        "as_of": d(as_of),
        "employee_id": employee_id,
        "agent_id": agent_id,
        "role": role,
        "team": team,
        "site": "Oslo",
        "supervisor_employee_id": None,
        "employment_type": "full_time",
        "fte": 1,
        "hire_date": d(hire),
        "termination_date": d(term) if term else None,
        "termination_type": term_type,
    }


ROSTER = {
    1: [  # as of 2026-01-31
        roster_row("2026-01-31", "E1", "a1", "agent", "A", "2025-06-01"),
        roster_row("2026-01-31", "E2", "a2", "agent", "A", "2025-09-01"),
        roster_row("2026-01-31", "E3", "a3", "agent", "A", "2026-01-10"),
        roster_row("2026-01-31", "E4", "a4", "agent", "B", "2025-01-01", "2026-01-20", "voluntary"),
        roster_row("2026-01-31", "E5", None, "team_lead", "A", "2020-01-01"),
        roster_row("2026-01-31", "E6", "a6", "agent", "B", "2025-03-01"),
    ],
    2: [  # as of 2026-02-28: E4 gone, E6 moved to team A
        roster_row("2026-02-28", "E1", "a1", "agent", "A", "2025-06-01"),
        roster_row("2026-02-28", "E2", "a2", "agent", "A", "2025-09-01", "2026-02-15", "voluntary"),
        roster_row("2026-02-28", "E3", "a3", "agent", "A", "2026-01-10"),
        roster_row("2026-02-28", "E5", None, "team_lead", "A", "2020-01-01"),
        roster_row("2026-02-28", "E6", "a6", "agent", "A", "2025-03-01"),
    ],
    3: [  # as of 2026-04-30: E2 dropped, E3 terminated in March, E4 re-hired under the same id
        roster_row("2026-04-30", "E1", "a1", "agent", "A", "2025-06-01"),
        roster_row("2026-04-30", "E3", "a3", "agent", "A", "2026-01-10", "2026-03-20", "involuntary"),
        roster_row("2026-04-30", "E4", "a4", "agent", "B", "2026-04-01"),
        roster_row("2026-04-30", "E5", None, "team_lead", "A", "2020-01-01"),
        roster_row("2026-04-30", "E6", "a6", "agent", "A", "2025-03-01"),
    ],
}


# --- ledger: cost center CC1, fiscal year 2026 -------------------------------------------------------------------
def ledger_row(line_id, period, scenario, category, amount, posted_on):
    return {
        "line_id": line_id,
        "period": period,
        "scenario": scenario,
        "cost_center": "CC1",
        "account": f"acc-{category}",
        "category": category,
        "amount": amount,
        "currency": "NOK",
        "posted_on": d(posted_on),
    }


LEDGER = {
    1: (
        [ledger_row(f"B-S-{m:02d}", f"2026-{m:02d}", "budget", "staff", 1000, "2025-12-01") for m in range(1, 13)]
        + [ledger_row(f"B-T-{m:02d}", f"2026-{m:02d}", "budget", "tools", 100, "2025-12-01") for m in range(1, 13)]
        + [
            ledger_row("A-S-01", "2026-01", "actual", "staff", 1100, "2026-02-05"),
            ledger_row("A-S-02", "2026-02", "actual", "staff", 950, "2026-03-05"),  # reposted in file 2
            ledger_row("A-T-01", "2026-01", "actual", "tools", 100, "2026-02-05"),
            ledger_row("A-T-02", "2026-02", "actual", "tools", 100, "2026-03-05"),
            ledger_row("F-S-12", "2026-12", "forecast", "staff", 1500, "2026-03-10"),
        ]
    ),
    2: [
        ledger_row("A-S-02", "2026-02", "actual", "staff", 900, "2026-03-20"),  # the repost: 950 -> 900
        ledger_row("A-S-03", "2026-03", "actual", "staff", 1000, "2026-04-05"),
        ledger_row("A-T-03", "2026-03", "actual", "tools", 120, "2026-04-05"),
        ledger_row("A-T-03C", "2026-03", "actual", "tools", -30, "2026-04-06"),  # a credit line
    ],
}


# --- calls --------------------------------------------------------------------------------------------------------
def call_row(
    leg_id,
    contact_id,
    direction,
    *,
    queue=None,
    campaign=None,
    queued=None,
    dialed=None,
    answered=None,
    ended,
    agent=None,
    talk=0,
    hold=0,
    acw=0,
    end_reason="customer_hangup",
    outcome=None,
):
    return {
        "leg_id": leg_id,
        "contact_id": contact_id,
        "direction": direction,
        "queue": queue,
        "campaign": campaign,
        "caller_number": None,
        "customer_id": None,
        "queued_at": ts(queued) if queued else None,
        "dialed_at": ts(dialed) if dialed else None,
        "answered_at": ts(answered) if answered else None,
        "ended_at": ts(ended),
        "agent_id": agent,
        "talk_seconds": talk,
        "hold_seconds": hold,
        "acw_seconds": acw,
        "end_reason": end_reason,
        "outcome": outcome,
        "notes": None,
    }


def call_rows(direction: str, text: str) -> list[dict]:
    """The legs of one direction, from a table: times UTC on the row's `day`; `queue` (inbound) or `campaign`
    (outbound), `queued` or `dialed`. A blank time is none (not answered), a blank number 0."""
    legs = []
    for row in table(text):
        times = {k: f"{row['day']}T{row[k]}Z" for k in ("queued", "dialed", "answered", "ended") if row.get(k)}
        legs.append(
            call_row(
                row["leg"],
                row["contact"],
                direction,
                queue=row.get("queue"),
                campaign=row.get("campaign"),
                agent=row["agent"],
                talk=int(row.get("talk") or 0),
                hold=int(row.get("hold") or 0),
                acw=int(row.get("acw") or 0),
                end_reason=row["end_reason"],
                outcome=row.get("outcome"),
                **times,
            )
        )
    return legs


CALLS = {
    1: call_rows(
        "inbound",
        """
        leg  contact  queue  day         queued    answered  ended     agent  talk  hold  acw  end_reason
        # C1: one answered leg, handle 240 + 30 + 30 = 300 s
        L1   C1       Q1     2026-01-15  08:00:00  08:00:10  08:05:10  a1     240   30    30   customer_hangup
        # C2: answered by a1 (120 s), transferred to Q2 and answered by a2 (240 s): one contact, two handled legs
        L2   C2       Q1     2026-01-15  09:00:00  09:00:05  09:02:05  a1     100         20   transfer
        L3   C2       Q2     2026-01-15  09:02:05  09:02:15  09:06:15  a2     200         40   customer_hangup
        # C3: abandoned, never answered
        L4   C3       Q1     2026-01-16  10:00:00            10:00:30                          abandon
        # C4: queued 23:30 UTC on Jan 31 = 00:30 local on Feb 1 -> February; handle 60 s
        L5   C4       Q1     2026-01-31  23:30:00  23:30:20  23:31:20  a2     60               customer_hangup
        # C5: February, handle 180 + 60 = 240 s
        L6   C5       Q1     2026-02-10  12:00:00  12:00:05  12:04:05  a1     180         60   customer_hangup
        # C6: April, when no actual cost is booked yet
        L7   C6       Q1     2026-04-15  12:00:00  12:00:05  12:02:05  a1     120              customer_hangup
        """,
    )
    + call_rows(
        "outbound",
        """
        leg  contact  campaign  day         dialed    answered  ended     agent  talk  end_reason       outcome
        # All on 2026-01-15 local: a3 dials 3x for CampX and 1x for CampY; one unassigned predictive dial (O5)
        O1   K1       CampX     2026-01-15  10:00:00  10:00:10  10:03:00  a3     170   agent_hangup     sale
        O2   K2       CampX     2026-01-15  10:05:00            10:05:30  a3           no_answer
        O3   K3       CampX     2026-01-15  10:10:00  10:10:05  10:12:00  a3     115   customer_hangup  callback
        O4   K4       CampY     2026-01-15  10:20:00  10:20:05  10:25:00  a3     295   customer_hangup  sale
        O5   K5       CampX     2026-01-15  10:30:00            10:30:30               no_answer
        """,
    )
}

# a3 is logged in 09:00-11:00 UTC on 2026-01-15 (ready, talk, ready, then logged_out): 7200 s
AGENT_STATES = {
    1: [
        {"agent_id": "a3", "event_at": ts("2026-01-15T09:00:00Z"), "state": "ready", "reason": None},
        {"agent_id": "a3", "event_at": ts("2026-01-15T10:00:00Z"), "state": "talk", "reason": None},
        {"agent_id": "a3", "event_at": ts("2026-01-15T10:03:00Z"), "state": "ready", "reason": None},
        {"agent_id": "a3", "event_at": ts("2026-01-15T11:00:00Z"), "state": "logged_out", "reason": None},
    ]
}


def qa_row(evaluation_id, contact_id, agent_id, evaluated, score, critical):
    return {
        "evaluation_id": evaluation_id,
        "contact_id": contact_id,
        "agent_id": agent_id,
        "evaluator_id": "Q9",
        "evaluated_at": ts(evaluated),
        "form": "standard",
        "score": score,
        "max_score": 10,
        "critical_fail": critical,
        "comments": None,
    }


QA = {
    1: [
        qa_row("QE1", "C1", "a1", "2026-01-20T10:00:00Z", 8, False),
        # evaluated 23:30 UTC on Jan 31 = Feb 1 local: a February evaluation
        qa_row("QE2", "C2", "a1", "2026-01-31T23:30:00Z", 5, True),
        qa_row("QE3", "C2", "a2", "2026-01-21T09:00:00Z", 9, False),
    ]
}

RAW = {"roster": ROSTER, "ledger": LEDGER, "calls": CALLS, "agent_states": AGENT_STATES, "qa_evaluations": QA}


def load_raw(con: duckdb.DuckDBPyConnection) -> None:
    """Create every raw table of the contract and insert the fixture rows, one 'file' per _file_seq."""
    con.execute("create schema if not exists raw")
    for contract in SOURCES.values():
        con.execute(raw_table_ddl(contract))
    for source, files in RAW.items():
        columns = [c.name for c in SOURCES[source].analyst_columns] + list(LOAD_COLUMNS)
        for file_seq, rows in files.items():
            for line, row in enumerate(rows, start=2):
                values = dict(
                    row,
                    _load_id=f"load-{file_seq}",
                    _file_seq=file_seq,
                    _source_file=f"{source}/file{file_seq}.csv",
                    _source_line=line,
                    _extra_columns=None,
                )
                placeholders = ", ".join("?" for _ in columns)
                con.execute(
                    f"insert into raw.{source} ({', '.join(columns)}) values ({placeholders})",
                    [values[c] for c in columns],
                )


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Path:
    """Build the area marts' models and their parents on the fixture; return the folder of the DB and dbt target."""
    tmp = tmp_path_factory.mktemp("area_marts")
    db_path = tmp / "fixture.pipeline.duckdb"
    with duckdb.connect(str(db_path)) as con:
        load_raw(con)
    # A separate process: dbt-duckdb keeps its connection open in-process, which would block reading the file here.
    completed = run_dbt(db_path, tmp, "build", "--indirect-selection", "empty", "--select", *AREA_MARTS_SELECTION)
    failures = [line for line in completed.stdout.splitlines() if "ERROR" in line or "FAIL" in line]
    assert completed.returncode == 0, "dbt build failed:\n" + "\n".join(failures or [completed.stdout[-3000:]])
    return tmp


@pytest.fixture(scope="module")
def marts(build) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the built fixture database."""
    con = duckdb.connect(str(build / "fixture.pipeline.duckdb"), read_only=True)
    yield con
    con.close()


def one(con, sql: str) -> dict:
    """The single row of `sql` as a dict (fails when there is not exactly one)."""
    rel = con.sql(sql)
    rows = rel.fetchall()
    assert len(rows) == 1, f"expected one row, got {len(rows)}: {sql}"
    return dict(zip(rel.columns, rows[0], strict=True))


# ------------------------------------------------------------------------------------------------------------------
# People. Team A spells: E1 (hired 2025-06-01), E2 (2025-09-01 -> 2026-02-15 voluntary), E3 (2026-01-10 ->
# 2026-03-20 involuntary), E6 (2025-03-01; in team B in January's snapshot, team A in its latest: counted in A).
# Team B: E4 spell 1 (2025-01-01 -> 2026-01-20 voluntary), E4 spell 2 (re-hired 2026-04-01). E5 is a team lead.
# Coverage: 2026-01-01 (month of the first snapshot) to 2026-04-30 (latest snapshot); March has no snapshot.
# ------------------------------------------------------------------------------------------------------------------
def test_people_monthly_team_a(marts):
    rows = by_first_column(
        marts.sql(
            "select period_start, headcount_start, headcount_end, average_headcount, hires, terminations, "
            "voluntary_terminations, involuntary_terminations, attrition_rate from marts.kpi_people_monthly "
            "where team = 'A' order by period_start"
        ).fetchall()
    )
    # Jan: Jan 1 = E1, E2, E6 = 3; Jan 31 = + E3 = 4; avg 3.5; hire E3; no terminations -> 0 / 3.5 = 0
    assert rows[d("2026-01-01")] == (3, 4, 3.5, 1, 0, 0, 0, 0.0)
    # Feb: Feb 1 = 4; Feb 28 = 3 (E2 out from Feb 15); avg 3.5; 1 voluntary -> 1 / 3.5
    assert rows[d("2026-02-01")][:7] == (4, 3, 3.5, 0, 1, 1, 0)
    assert rows[d("2026-02-01")][7] == pytest.approx(1 / 3.5)
    # Mar (no snapshot, dates as given): Mar 1 = 3; Mar 31 = 2 (E3 out from Mar 20); avg 2.5; 1 involuntary -> 0.4
    assert rows[d("2026-03-01")] == (3, 2, 2.5, 0, 1, 0, 1, pytest.approx(0.4))
    # Apr: 2 and 2, nothing happens -> 0
    assert rows[d("2026-04-01")] == (2, 2, 2.0, 0, 0, 0, 0, 0.0)
    tenure = one(
        marts,
        "select tenure_days_sum_end, average_tenure_days_end from marts.kpi_people_monthly "
        "where team = 'A' and period_start = date '2026-04-01'",
    )
    # On Apr 30: E1 (hired 2025-06-01) 30+31+31+30+31+30+31+31+28+31+29 = 333 days, E6 (2025-03-01) 333 + 31 + 30
    # + 31 = 425 days -> 758, average 379
    assert tenure == {"tenure_days_sum_end": 758, "average_tenure_days_end": 379.0}


def test_people_rehire_counts_two_spells(marts):
    rows = by_first_column(
        marts.sql(
            "select period_start, headcount_start, headcount_end, hires, terminations, attrition_rate "
            "from marts.kpi_people_monthly where team = 'B' order by period_start"
        ).fetchall()
    )
    # Jan: E4 spell 1 on Jan 1 = 1, gone Jan 20 -> 0; avg 0.5; 1 termination -> 1 / 0.5 = 2.0.
    # Feb and Mar: nobody in team B -> no rows. Apr: E4 re-hired on Apr 1: 1 and 1, one hire, rate 0.
    assert rows == {d("2026-01-01"): (1, 0, 0, 1, 2.0), d("2026-04-01"): (1, 1, 1, 0, 0.0)}


def test_people_annualised_attrition_partial_year(marts):
    got = dict(
        marts.sql(
            "select team, annualised_attrition_rate from marts.kpi_people_monthly "
            "where period_start = date '2026-04-01'"
        ).fetchall()
    )
    # Team A: 4 months of rates 0, 1/3.5, 0.4, 0 -> mean 0.685714 / 4 x 12 = 2.057143
    assert got["A"] == pytest.approx((1 / 3.5 + 0.4) / 4 * 12)
    # Team B: months with a rate: Jan 2.0, Apr 0 -> mean 1.0 x 12 = 12.0
    assert got["B"] == pytest.approx(12.0)


def test_people_quarter_and_year(marts):
    q1 = one(
        marts,
        "select headcount_start, headcount_end, average_headcount, terminations, attrition_rate, "
        "annualised_attrition_rate from marts.kpi_people_quarterly "
        "where team = 'A' and period_start = date '2026-01-01'",
    )
    # Q1 A: Jan 1 = 3, Mar 31 = 2, avg 2.5, 2 terminations -> 0.8 (not the mean of the monthly rates);
    # annualised = March's monthly figure: (0 + 1/3.5 + 0.4) / 3 x 12 = 2.742857
    assert (q1["headcount_start"], q1["headcount_end"], q1["average_headcount"], q1["terminations"]) == (3, 2, 2.5, 2)
    assert q1["attrition_rate"] == pytest.approx(0.8)
    assert q1["annualised_attrition_rate"] == pytest.approx((1 / 3.5 + 0.4) / 3 * 12)
    y = one(
        marts,
        "select headcount_start, headcount_end, hires, terminations, attrition_rate, covered_to "
        "from marts.kpi_people_yearly where team = 'A'",
    )
    # 2026 A, covered to Apr 30: start 3, end 2, 1 hire, 2 terminations, 2 / 2.5 = 0.8
    assert y == {
        "headcount_start": 3,
        "headcount_end": 2,
        "hires": 1,
        "terminations": 2,
        "attrition_rate": pytest.approx(0.8),
        "covered_to": d("2026-04-30"),
    }


def test_people_early_attrition_cohort(marts):
    jan = one(
        marts,
        "select hires, early_terminations, early_attrition_rate, meets_early_attrition_rate_target "
        "from marts.kpi_people_monthly where team = 'A' and period_start = date '2026-01-01'",
    )
    # January cohort of A: E3, hired Jan 10, left Mar 20 = 69 days <= 90 -> 1 / 1 = 1.0; target 0.15 at_most -> False
    assert jan == {
        "hires": 1,
        "early_terminations": 1,
        "early_attrition_rate": 1.0,
        "meets_early_attrition_rate_target": False,
    }
    cohort = one(
        marts,
        "select hires, early_terminations, early_attrition_rate, is_early_window_complete "
        "from marts.kpi_people_hire_cohorts where team = 'A' and cohort_month = date '2026-01-01'",
    )
    # Jan 10 + 90 days = Apr 10 <= Apr 30 (latest snapshot): the cohort's figure is final
    assert cohort == {
        "hires": 1,
        "early_terminations": 1,
        "early_attrition_rate": 1.0,
        "is_early_window_complete": True,
    }
    b = one(
        marts,
        "select hires, early_terminations, is_early_window_complete from marts.kpi_people_hire_cohorts "
        "where team = 'B' and cohort_month = date '2026-04-01'",
    )
    # E4's second spell, hired Apr 1: Apr 1 + 90 = Jun 30 > Apr 30 -> not final yet
    assert b == {"hires": 1, "early_terminations": 0, "is_early_window_complete": False}


# ------------------------------------------------------------------------------------------------------------------
# Finance. Budget: staff 1000 and tools 100 every month of 2026 (annual 12000 and 1200). Actuals: staff Jan 1100,
# Feb 900 (950 reposted as 900), Mar 1000; tools Jan 100, Feb 100, Mar 120 - 30 credit = 90. Forecast: staff Dec 1500.
# Actuals are booked through March.
# ------------------------------------------------------------------------------------------------------------------
def test_finance_monthly_staff(marts):
    rows = by_first_column(
        marts.sql(
            "select period_start, budget_amount, actual_amount, variance_amount, variance_pct, ytd_actual_amount, "
            "projected_year_end_amount, run_rate_year_end_amount, forecast_year_end_amount, meets_variance_pct_target "
            "from marts.kpi_finance_monthly where cost_center = 'CC1' and category = 'staff'"
        ).fetchall()
    )
    # Jan: 1100 vs 1000 -> +100, +10%; projection 1100 + 11 x 1000 = 12100; run rate 1100 x 12 = 13200;
    # forecast 1100 + Feb..Nov budget 10 x 1000 + Dec forecast 1500 = 12600; 10% > 0% target -> not met
    assert rows[d("2026-01-01")] == (1000, 1100, 100, pytest.approx(0.1), 1100, 12100, 13200, 12600, False)
    # Feb: the repost wins: 900 vs 1000 -> -100, -10%; YTD 2000; projection 2000 + 10 x 1000 = 12000
    assert rows[d("2026-02-01")] == (1000, 900, -100, pytest.approx(-0.1), 2000, 12000, 12000, 12500, True)
    # Dec (not booked): no actual yet -> no variance (not 0 - 1000); projections are as of March:
    # 3000 + 9 x 1000 = 12000; run rate 3000 / 3 x 12 = 12000
    assert rows[d("2026-12-01")][2:4] == (None, None)
    assert rows[d("2026-12-01")][5:8] == (12000, 12000, 12500)


def test_finance_credit_line_and_quarter(marts):
    mar = one(
        marts,
        "select currency, actual_amount, variance_amount, variance_pct, actual_lines from marts.kpi_finance_monthly "
        "where category = 'tools' and period_start = date '2026-03-01'",
    )
    # 120 - 30 = 90 vs 100 -> -10, -10%, two actual lines
    assert mar == {
        "currency": "NOK",
        "actual_amount": 90,
        "variance_amount": -10,
        "variance_pct": pytest.approx(-0.1),
        "actual_lines": 2,
    }
    q1 = one(
        marts,
        "select budget_amount, actual_amount, variance_pct, ytd_actual_amount, projected_year_end_amount, "
        "run_rate_year_end_amount, is_projected_within_budget from marts.kpi_finance_quarterly "
        "where category = 'tools' and period_start = date '2026-01-01'",
    )
    # Q1 tools: 300 budget vs 100 + 100 + 90 = 290 -> -10 / 300; projection 290 + 9 x 100 = 1190 <= 1200;
    # run rate 290 / 3 x 12 = 1160
    assert q1 == {
        "budget_amount": 300,
        "actual_amount": 290,
        "variance_pct": pytest.approx(-10 / 300),
        "ytd_actual_amount": 290,
        "projected_year_end_amount": 1190,
        "run_rate_year_end_amount": pytest.approx(1160),
        "is_projected_within_budget": True,
    }
    y = one(
        marts,
        "select budget_amount, booked_budget_amount, actual_amount, variance_amount, months, "
        "actualised_months, annual_budget_amount, ytd_variance_amount "
        "from marts.kpi_finance_yearly where category = 'staff'",
    )
    # 2026 staff: 12 x 1000 budget, 1100 + 900 + 1000 = 3000 actual, 3 of 12 months booked -> compared with the
    # booked months' 3 x 1000: variance 0; December is not booked -> no year-to-date variance
    assert y == {
        "budget_amount": 12000,
        "booked_budget_amount": 3000,
        "actual_amount": 3000,
        "variance_amount": 0,
        "months": 12,
        "actualised_months": 3,
        "annual_budget_amount": 12000,
        "ytd_variance_amount": None,
    }


def test_cost_per_call(marts):
    rows = by_first_column(
        marts.sql(
            "select period_start, actual_cost, staff_cost, answered_contacts, handle_seconds, cost_per_call, "
            "staff_cost_per_call, cost_per_handled_minute from marts.kpi_cost_per_call_monthly"
        ).fetchall()
    )
    # Jan: cost 1100 + 100 = 1200 (staff 1100); answered contacts C1, C2 (two legs, one contact) = 2;
    # handle 300 + 120 + 240 = 660 s = 11 min -> 600 per call, 550 staff, 1200 / 11 per minute
    assert rows[d("2026-01-01")] == (1200, 1100, 2, 660, 600.0, 550.0, pytest.approx(1200 / 11))
    # Feb: cost 900 + 100 = 1000; C4 (00:30 local Feb 1) and C5 = 2; handle 60 + 240 = 300 s = 5 min
    assert rows[d("2026-02-01")] == (1000, 900, 2, 300, 500.0, 450.0, 200.0)
    # Mar: cost 1000 + 90 = 1090 but no answered contact -> NULL, not 0
    assert rows[d("2026-03-01")] == (1090, 1000, 0, 0, None, None, None)
    # Apr: C6 answered, but April's costs are not booked: no cost per call (not 0 / 1 = 0)
    assert rows[d("2026-04-01")] == (0, 0, 1, 120, None, None, None)
    q1 = one(
        marts,
        "select actual_cost, answered_contacts, cost_per_call, cost_per_handled_minute "
        "from marts.kpi_cost_per_call_quarterly where period_start = date '2026-01-01'",
    )
    # Q1: 3290 / 4 = 822.5; 3290 / (960 s = 16 min) = 205.625
    assert q1 == {
        "actual_cost": 3290,
        "answered_contacts": 4,
        "cost_per_call": 822.5,
        "cost_per_handled_minute": 205.625,
    }


# ------------------------------------------------------------------------------------------------------------------
# Quality. QE1 (C1, a1, Jan 20, 8/10), QE2 (C2, a1, Feb 1 local, 5/10, critical), QE3 (C2, a2, Jan 21, 9/10).
# Handled contacts: a1 C1, C2 (Jan), C5 (Feb); a2 C2 (Jan), C4 (Feb 1 local).
# ------------------------------------------------------------------------------------------------------------------
def test_quality_agent_quarter(marts):
    a1 = one(
        marts,
        "select team, evaluations, score_sum, max_score_sum, qa_score, critical_fails, critical_fail_rate, "
        "handled_contacts, evaluated_handled_contacts, evaluation_coverage, qa_score_target, "
        "meets_qa_score_target from marts.kpi_quality_quarterly "
        "where agent_id = 'a1' and period_start = date '2026-01-01'",
    )
    # a1 Q1: 2 evaluations, 13 / 20 = 0.65, 1 critical of 2 = 0.5; handled C1, C2, C5 = 3, evaluated C1, C2 = 2;
    # target 0.85 at_least -> not met
    assert a1 == {
        "team": "A",
        "evaluations": 2,
        "score_sum": 13,
        "max_score_sum": 20,
        "qa_score": 0.65,
        "critical_fails": 1,
        "critical_fail_rate": 0.5,
        "handled_contacts": 3,
        "evaluated_handled_contacts": 2,
        "evaluation_coverage": pytest.approx(2 / 3),
        "qa_score_target": 0.85,
        "meets_qa_score_target": False,
    }


def test_quality_daily_and_team(marts):
    feb1 = one(
        marts,
        "select evaluations, qa_score, critical_fails from marts.kpi_quality_daily "
        "where agent_id = 'a1' and local_date = date '2026-02-01'",
    )
    # QE2 was made at 00:30 local on Feb 1
    assert feb1 == {"evaluations": 1, "qa_score": 0.5, "critical_fails": 1}
    a2_feb = one(
        marts,
        "select evaluations, qa_score, handled_contacts, evaluation_coverage "
        "from marts.kpi_quality_daily where agent_id = 'a2' and local_date = date '2026-02-01'",
    )
    # a2 handled C4 on Feb 1 local, not evaluated, no evaluation that day -> QA score NULL, coverage 0
    assert a2_feb == {"evaluations": 0, "qa_score": None, "handled_contacts": 1, "evaluation_coverage": 0.0}
    rows = by_first_column(
        marts.sql(
            "select period_start, evaluations, qa_score, meets_qa_score_target, handled_contacts, evaluation_coverage "
            "from marts.kpi_quality_team_monthly where team = 'A'"
        ).fetchall()
    )
    # Jan: QE1 + QE3 = 17 / 20 = 0.85 >= 0.85 -> met; handled C1, C2 (a1), C2 (a2) = 3, all evaluated
    assert rows[d("2026-01-01")] == (2, 0.85, True, 3, 1.0)
    # Feb: QE2 = 0.5; handled C5 (a1), C4 (a2), none evaluated
    assert rows[d("2026-02-01")] == (1, 0.5, False, 2, 0.0)


# ------------------------------------------------------------------------------------------------------------------
# Outbound on 2026-01-15: a3 logged in 7200 s; dials CampX 3x (O1 sale, O2 no answer, O3 callback), CampY 1x (sale);
# O5 is an unassigned CampX dial. a3's 7200 s are shared 3 : 1 -> CampX 5400 s (1.5 h), CampY 1800 s (0.5 h).
# ------------------------------------------------------------------------------------------------------------------
def test_outbound_agent_daily(marts):
    x = one(
        marts,
        "select team, attempts, connected_attempts, successful_attempts, logged_in_seconds, contact_rate, "
        "conversion_rate, attempts_per_agent_hour, attempts_per_agent_hour_target, "
        "meets_attempts_per_agent_hour_target, meets_contact_rate_target from marts.kpi_outbound_daily "
        "where campaign = 'CampX' and agent_id = 'a3'",
    )
    # 3 attempts, 2 connected (O1, O3), 1 sale -> 2/3, 1/2; 3 / 1.5 h = 2.0 per hour, quota 30 -> not met;
    # contact rate 2/3 >= 0.25 -> met
    assert x == {
        "team": "A",
        "attempts": 3,
        "connected_attempts": 2,
        "successful_attempts": 1,
        "logged_in_seconds": 5400.0,
        "contact_rate": pytest.approx(2 / 3),
        "conversion_rate": 0.5,
        "attempts_per_agent_hour": 2.0,
        "attempts_per_agent_hour_target": 30.0,
        "meets_attempts_per_agent_hour_target": False,
        "meets_contact_rate_target": True,
    }
    y = one(
        marts,
        "select attempts, logged_in_seconds, conversion_rate, attempts_per_agent_hour "
        "from marts.kpi_outbound_daily where campaign = 'CampY'",
    )
    # 1 attempt in 0.5 h = 2.0 per hour; 1 sale of 1 connected
    assert y == {"attempts": 1, "logged_in_seconds": 1800.0, "conversion_rate": 1.0, "attempts_per_agent_hour": 2.0}


def test_outbound_campaign_rollup(marts):
    x = one(
        marts,
        "select attempts, connected_attempts, logged_in_hours, contact_rate, attempts_per_agent_hour "
        "from marts.kpi_outbound_campaign_daily where campaign = 'CampX'",
    )
    # CampX: a3's 3 + the unassigned O5 = 4 attempts, 2 connected -> 0.5; 4 / 1.5 h = 2.6667 per hour
    assert x == {
        "attempts": 4,
        "connected_attempts": 2,
        "logged_in_hours": 1.5,
        "contact_rate": 0.5,
        "attempts_per_agent_hour": pytest.approx(4 / 1.5),
    }
    hours = marts.sql("select sum(logged_in_seconds) from marts.kpi_outbound_monthly where agent_id = 'a3'").fetchall()[
        0
    ]
    # the shares add back up to a3's 7200 logged-in seconds
    assert hours[0] == pytest.approx(7200)


# ------------------------------------------------------------------------------------------------------------------
# Scorecard, January 2026, team A: a1 handled L1 (300 s) and L2 (120 s), QA 8/10; a2 handled L3 (240 s), QA 9/10;
# a3 only dialled (4 attempts in 7200 logged-in seconds). No schedules, so no adherence.
# ------------------------------------------------------------------------------------------------------------------
def test_scorecard_january(marts):
    rows = by_first_column(
        marts.sql(
            "select agent_id, team_agents, aht_seconds, aht_seconds_team_rank, aht_seconds_team_percentile, qa_score, "
            "qa_score_team_rank, qa_score_team_percentile, outbound_attempts, attempts_per_agent_hour, needs_coaching "
            "from marts.kpi_agent_scorecard_monthly where period_start = date '2026-01-01' and team = 'A'"
        ).fetchall()
    )
    # a1: AHT 420 / 2 = 210, fastest -> rank 1, percentile 2/2 = 1.0; QA 0.8 second of 2 -> rank 2, 1/2 = 0.5;
    # 0.8 is under the 0.85 target, but 0.5 is not in the bottom 0.2 of the team -> no coaching flag
    assert rows["a1"] == (3, 210.0, 1, 1.0, 0.8, 2, 0.5, 0, None, False)
    # a2: AHT 240 (<= 300 target, percentile 0.5), QA 0.9 best -> rank 1, 1.0; nothing to coach
    assert rows["a2"] == (3, 240.0, 2, 0.5, 0.9, 1, 1.0, 0, None, False)
    # a3: no inbound legs or QA -> not ranked there; 4 attempts / 2 h = 2.0 per hour; no flag
    assert rows["a3"] == (3, None, None, None, None, None, None, 4, 2.0, False)


def test_scorecard_critical_fail_flags_coaching(marts):
    feb = one(
        marts,
        "select has_critical_fail, critical_fail_rate, is_critical_fail_rate_above_target, "
        "is_below_qa_target, is_low_qa_score_outlier, is_slow_aht_outlier, coaching_flags, needs_coaching "
        "from marts.kpi_agent_scorecard_monthly where agent_id = 'a1' and period_start = date '2026-02-01'",
    )
    # QE2 (Feb 1 local): 1 critical fail of 1 evaluation = 1.0 > 0.05 target -> flagged. Its 5/10 is under 0.85, but
    # a1 is the only agent of A with a February QA score (cume_dist 1.0) -> not a QA outlier; a1's only February
    # leg L6 is 240 s <= 300 -> no AHT flag. One flag -> needs coaching.
    assert feb == {
        "has_critical_fail": True,
        "critical_fail_rate": 1.0,
        "is_critical_fail_rate_above_target": True,
        "is_below_qa_target": True,
        "is_low_qa_score_outlier": False,
        "is_slow_aht_outlier": False,
        "coaching_flags": 1,
        "needs_coaching": True,
    }


def test_every_column_is_documented(build, marts):
    """Every column of every area mart is described in its model's YAML (MARTS.md is a public interface)."""
    manifest = json.loads((build / "target" / "manifest.json").read_text())
    documented = {
        node["name"]: {name for name, column in node["columns"].items() if column.get("description")}
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and any(f"/{folder}/" in node["original_file_path"] for folder in AREA_MARTS_FOLDERS)
    }
    assert len(documented) >= 37  # 6 intermediate models and 31 marts
    tables = marts.sql(
        "select table_name, list(column_name) from information_schema.columns group by table_name"
    ).fetchall()
    missing = {table: sorted(set(columns) - documented[table]) for table, columns in tables if table in documented}
    assert {table: cols for table, cols in missing.items() if cols} == {}


# The grains of each area family (finance, cost per call and people start at the month), and the summed columns the
# agent and team (or campaign) families share.
ALL_GRAINS = ("daily", "weekly", "monthly", "quarterly", "yearly")
MONTH_AND_UP = ("monthly", "quarterly", "yearly")
QUALITY_SUMS = "evaluations, score_sum, max_score_sum, critical_fails, handled_contacts, evaluated_handled_contacts"
OUTBOUND_SUMS = "attempts, connected_attempts, successful_attempts, logged_in_seconds"


@pytest.mark.parametrize(
    ("family", "grains", "keys", "sums"),
    [
        ("kpi_quality", ALL_GRAINS, "agent_id", QUALITY_SUMS),
        ("kpi_quality_team", ALL_GRAINS, "team", QUALITY_SUMS),
        ("kpi_outbound", ALL_GRAINS, "campaign, agent_id", OUTBOUND_SUMS),
        ("kpi_outbound_campaign", ALL_GRAINS, "campaign", OUTBOUND_SUMS),
        ("kpi_finance", MONTH_AND_UP, "cost_center, category", "budget_amount, actual_amount, forecast_amount"),
        ("kpi_cost_per_call", MONTH_AND_UP, "'center'", "actual_cost, staff_cost, answered_contacts, handle_seconds"),
        (
            "kpi_people",
            MONTH_AND_UP,
            "team",
            "hires, terminations, voluntary_terminations, involuntary_terminations, early_terminations, "
            "headcount_day_sum",
        ),
    ],
)
def test_every_grain_adds_up_to_the_same_totals(marts, family, grains, keys, sums):
    """The roll-up pattern: summed over the whole fixture, every grain of a family has the same numerators and
    denominators (a period's figures are sums of the finer periods', never averages)."""
    totals = {
        grain: marts.sql(
            f"select {keys}, {', '.join(f'sum({c})' for c in sums.split(', '))} "
            f"from marts.{family}_{grain} group by all order by all"
        ).fetchall()
        for grain in grains
    }
    finest = totals[grains[0]]
    assert finest, f"{family}_{grains[0]} is empty in the fixture"
    for grain in grains[1:]:
        assert totals[grain] == finest, f"{family}_{grain} does not add up to {family}_{grains[0]}"
