"""A hand-worked center: seven calls, two agents, one day, through the real `tilsyn run`.

Day: Tuesday 2026-03-10, Europe/Oslo (UTC+01:00, before the DST change). Queues `billing` and `support`; agents a1
(team North) and a2 (team South). Only calls, agent states, schedules and roster are sent: the other source folders
are absent, which must not break the run. Every expected value below is worked out by hand from the rows in this file
(METRICS.md definitions, defaults: 20 s threshold, 5 s short abandons, denominator offered - short abandons).

Calls (local times)
| leg | contact | queue   | queued   | answered | ended    | wait | talk/hold/acw | agent | end             |
| L1  | C1      | billing | 09:00:00 | 09:00:10 | 09:05:40 | 10   | 300/30/60     | a1    | customer_hangup |
| L2  | C2      | billing | 09:10:00 | 09:10:30 | 09:13:50 | 30   | 200/0/40      | a2    | transfer        |
| L3  | C2      | support | 09:13:50 | 09:14:00 | 09:16:00 | 10   | 120/0/30      | a1    | customer_hangup |
| L4  | C3      | billing | 09:20:00 |          | 09:20:03 | 3    | short abandon |       | abandon         |
| L5  | C4      | billing | 09:30:00 |          | 09:30:45 | 45   | abandon       |       | abandon         |
| L6  | C5      | support | 10:00:00 | 10:00:20 | 10:03:40 | 20   | 180/20/0      | a2    | agent_hangup    |
| L7  | C6      | (IVR only, no queue: never offered)     |      |               |       | system          |

billing: offered 4 (L1 L2 L4 L5), answered 2, abandoned 2, short 1 (L4), within 20 s 1 (L1; L2 waited 30),
  SL denominator 4-1 = 3, SL 1/3; abandonment (2-1)/(4-1) = 1/3; answered wait 10+30 = 40, ASA 20; max wait 45;
  handled 2, handle (300+30+60)+(200+0+40) = 630, AHT 315; transferred 1 -> 1/2; held 1 (L1) -> 1/2.
support: offered 2 (L3 L6), answered 2, abandoned 0, within 2 (10 s, and exactly 20 s meets a 20 s threshold),
  SL 2/2 = 1; abandonment 0/2 = 0; answered wait 10+20 = 30, ASA 15; max wait 20; handled 2,
  handle (120+0+30)+(180+20+0) = 350, AHT 175; transferred 0; held 1 (L6) -> 1/2.

Agent a1: ready 08:55:00; talk 09:00:10 (300 s), hold 09:05:10 (30), acw 09:05:40 (60), ready 09:06:40; talk
  09:14:00 (120), acw 09:16:00 (30), ready 09:16:30; break 09:45:00; ready 10:00:00; logged_out 10:30:00.
  logged in 08:55-10:30 = 5700; talk 420, hold 30, acw 90, break 900; ready 310+440+1710+1800 = 4260.
  handle 540; occupancy 540/(540+4260) = 0.1125; utilization 540/5700 = 0.0947368.
  Schedule: work 09:00-09:45, break 09:45-10:00, work 10:00-10:30 -> scheduled 5400, all adherent -> 1.0;
  conformance 5700/5400; productive within paid time 2700+1800 = 4500, shrinkage 1-4500/5400 = 1/6,
  planned 900 (the break), unplanned 0. Handled legs L1, L3: 2, AHT (390+150)/2 = 270.
Agent a2: ready 09:05:00 (late); talk 09:10:30 (200), acw 09:13:50 (40), ready 09:14:30; break 09:30:00; ready
  09:50:00 (5 min over); talk 10:00:20 (180), hold 10:03:20 (20), ready 10:03:40; logged_out 10:20:00 (early).
  logged in 09:05-10:20 = 4500; talk 380, hold 20, acw 40, break 1200; ready 330+930+620+980 = 2860.
  handle 440; occupancy 440/3300 = 0.133333; utilization 440/4500 = 0.097778.
  Schedule published twice; the later publication wins: work 09:00-09:30, break 09:30-09:45, work 09:45-10:30
  (the first said work 09:00-11:00) -> scheduled 5400. Adherent: work 09:05-09:30 = 1500, break 900,
  work 09:50-10:20 = 1800 -> 4200; adherence 4200/5400 = 0.777778; conformance 4500/5400 = 0.833333;
  productive within paid time 1500+1800 = 3300, shrinkage 2100/5400 = 0.388889, planned 900 (the break),
  unplanned 1200 (late login 300 + overlong break 300 + early logout 600). Handled L2, L6: AHT (240+200)/2 = 220.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import duckdb
import pytest

from tests.support.query import query_dicts
from tests.support.secret_scan import scan_text_columns
from tests.support.tables import assert_measures
from tests.support.tilsyn_command import TILSYN, pipeline_args

pytestmark = pytest.mark.e2e

SECRETS = ["+4791234567", "+4798765432", "4111 1111 1111 1111", "cust-1", "Kari Nordmann", "moved abroad"]

CALLS = """leg_id,contact_id,direction,queue,campaign,caller_number,customer_id,queued_at,dialed_at,answered_at,ended_at,agent_id,talk_seconds,hold_seconds,acw_seconds,end_reason,outcome,notes
L1,C1,inbound,billing,,+4791234567,cust-1,2026-03-10T09:00:00+01:00,,2026-03-10T09:00:10+01:00,2026-03-10T09:05:40+01:00,a1,300,30,60,customer_hangup,resolved,paid with card 4111 1111 1111 1111 today
L2,C2,inbound,billing,,+4798765432,cust-2,2026-03-10T09:10:00+01:00,,2026-03-10T09:10:30+01:00,2026-03-10T09:13:50+01:00,a2,200,0,40,transfer,,
L3,C2,inbound,support,,+4798765432,cust-2,2026-03-10T09:13:50+01:00,,2026-03-10T09:14:00+01:00,2026-03-10T09:16:00+01:00,a1,120,0,30,customer_hangup,resolved,
L4,C3,inbound,billing,,+4790000003,cust-3,2026-03-10T09:20:00+01:00,,,2026-03-10T09:20:03+01:00,,0,0,0,abandon,,
L5,C4,inbound,billing,,+4790000004,,2026-03-10T09:30:00+01:00,,,2026-03-10T09:30:45+01:00,,0,0,0,abandon,,
L6,C5,inbound,support,,+4791234567,cust-1,2026-03-10T10:00:00+01:00,,2026-03-10T10:00:20+01:00,2026-03-10T10:03:40+01:00,a2,180,20,0,agent_hangup,resolved,
L7,C6,inbound,,,+4790000006,,,,,2026-03-10T10:10:00+01:00,,0,0,0,system,,
"""

STATES = """agent_id,event_at,state,reason
a1,2026-03-10T08:55:00+01:00,ready,
a1,2026-03-10T09:00:10+01:00,talk,
a1,2026-03-10T09:05:10+01:00,hold,
a1,2026-03-10T09:05:40+01:00,acw,
a1,2026-03-10T09:06:40+01:00,ready,
a1,2026-03-10T09:14:00+01:00,talk,
a1,2026-03-10T09:16:00+01:00,acw,
a1,2026-03-10T09:16:30+01:00,ready,
a1,2026-03-10T09:45:00+01:00,break,
a1,2026-03-10T10:00:00+01:00,ready,
a1,2026-03-10T10:30:00+01:00,logged_out,
a2,2026-03-10T09:05:00+01:00,ready,
a2,2026-03-10T09:10:30+01:00,talk,
a2,2026-03-10T09:13:50+01:00,acw,
a2,2026-03-10T09:14:30+01:00,ready,
a2,2026-03-10T09:30:00+01:00,break,
a2,2026-03-10T09:50:00+01:00,ready,
a2,2026-03-10T10:00:20+01:00,talk,
a2,2026-03-10T10:03:20+01:00,hold,
a2,2026-03-10T10:03:40+01:00,ready,
a2,2026-03-10T10:20:00+01:00,logged_out,
"""

SCHEDULES = """agent_id,schedule_date,activity,starts_at,ends_at,published_at
a1,2026-03-10,work,2026-03-10T09:00:00+01:00,2026-03-10T09:45:00+01:00,2026-03-09T12:00:00+01:00
a1,2026-03-10,break,2026-03-10T09:45:00+01:00,2026-03-10T10:00:00+01:00,2026-03-09T12:00:00+01:00
a1,2026-03-10,work,2026-03-10T10:00:00+01:00,2026-03-10T10:30:00+01:00,2026-03-09T12:00:00+01:00
a2,2026-03-10,work,2026-03-10T09:00:00+01:00,2026-03-10T11:00:00+01:00,2026-03-09T12:00:00+01:00
"""

# The republication for a2 arrives the next morning as a file of its own.
SCHEDULES_REPUBLISHED = """agent_id,schedule_date,activity,starts_at,ends_at,published_at
a2,2026-03-10,work,2026-03-10T09:00:00+01:00,2026-03-10T09:30:00+01:00,2026-03-10T07:00:00+01:00
a2,2026-03-10,break,2026-03-10T09:30:00+01:00,2026-03-10T09:45:00+01:00,2026-03-10T07:00:00+01:00
a2,2026-03-10,work,2026-03-10T09:45:00+01:00,2026-03-10T10:30:00+01:00,2026-03-10T07:00:00+01:00
"""

ROSTER = """as_of,employee_id,agent_id,full_name,role,team,site,supervisor_employee_id,employment_type,fte,hire_date,termination_date,termination_type,termination_reason,hourly_cost,currency
2026-03-01,E1,a1,Kari Nordmann,agent,North,Oslo,S1,full_time,1.0,2025-06-01,,,,310.00,NOK
2026-03-01,E2,a2,Ola Hansen,agent,South,Oslo,S1,full_time,1.0,2025-06-01,,,,305.00,NOK
2026-03-01,S1,,Siri Berg,supervisor,North,Oslo,,full_time,1.0,2024-01-01,2026-04-30,voluntary,moved abroad,420.00,NOK
"""


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("one_day_center")
    landing = root / "landing"
    files = [
        ("calls", CALLS),
        ("agent_states", STATES),
        ("schedules", SCHEDULES),
        ("roster", ROSTER),
        ("schedules", SCHEDULES_REPUBLISHED),
    ]
    for seq, (source, text) in enumerate(files):
        (landing / source).mkdir(parents=True, exist_ok=True)
        path = landing / source / f"{source}_{seq}.csv"
        path.write_text(text, encoding="utf-8")
        os.utime(path, (1_773_000_000 + seq, 1_773_000_000 + seq))  # arrival order = list order
    env = {**os.environ, "TILSYN_PSEUDONYM_KEY": "test-key-not-secret"}
    result = subprocess.run(
        [TILSYN, *pipeline_args(landing, root / "warehouse.duckdb", root / "dashboards")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "analyst warehouse" in result.stdout  # the closing summary says where the results are
    return root / "warehouse.duckdb"


def test_service_daily_matches_hand_worked_values(warehouse: Path) -> None:
    rows = {r["queue"]: r for r in query_dicts(warehouse, "select * from marts.kpi_service_daily order by queue")}
    assert set(rows) == {"billing", "support"}  # the IVR-only call L7 is never offered
    billing, support = rows["billing"], rows["support"]
    assert str(billing["local_date"]) == "2026-03-10"
    assert_measures(
        rows,
        """
        measure                    billing  support
        offered                    4        2
        answered                   2        2
        abandoned                  2        0
        short_abandoned            1        0
        answered_within_threshold  1        2
        service_level_denominator  3        2
        answered_wait_seconds      40       30
        max_wait_seconds           45       20
        handled_legs               2        2
        handle_seconds             630      350
        transferred_legs           1        0
        held_legs                  1        1
        """,
    )
    assert billing["service_level"] == pytest.approx(1 / 3)
    assert billing["abandonment_rate"] == pytest.approx(1 / 3)
    assert billing["asa_seconds"] == pytest.approx(20)
    assert billing["aht_seconds"] == pytest.approx(315)
    assert billing["transfer_rate"] == pytest.approx(0.5)
    assert billing["hold_rate"] == pytest.approx(0.5)
    assert support["service_level"] == pytest.approx(1.0)
    assert support["abandonment_rate"] == pytest.approx(0.0)
    assert support["asa_seconds"] == pytest.approx(15)
    assert support["aht_seconds"] == pytest.approx(175)
    assert support["transfer_rate"] == pytest.approx(0.0)


def test_agent_daily_matches_hand_worked_values(warehouse: Path) -> None:
    rows = {r["agent_id"]: r for r in query_dicts(warehouse, "select * from marts.kpi_agent_daily order by agent_id")}
    assert set(rows) == {"a1", "a2"}
    assert (rows["a1"]["team"], rows["a2"]["team"]) == ("North", "South")
    assert_measures(
        rows,
        """
        measure                      a1    a2
        logged_in_seconds            5700  4500
        ready_seconds                4260  2860
        talk_seconds                 420   380
        hold_seconds                 30    20
        acw_seconds                  90    40
        handle_seconds               540   440
        scheduled_seconds            5400  5400
        adherent_seconds             5400  4200
        paid_scheduled_seconds       5400  5400
        productive_seconds           4500  3300
        planned_shrinkage_seconds    900   900
        unplanned_shrinkage_seconds  0     1200
        handled_legs                 2     2
        """,
    )
    a1, a2 = rows["a1"], rows["a2"]
    assert a1["occupancy"] == pytest.approx(0.1125)
    assert a1["utilization"] == pytest.approx(540 / 5700)
    assert a1["adherence"] == pytest.approx(1.0)
    assert a1["conformance"] == pytest.approx(5700 / 5400)
    assert a1["shrinkage"] == pytest.approx(1 / 6)
    assert a1["aht_seconds"] == pytest.approx(270)
    assert a2["occupancy"] == pytest.approx(440 / 3300)
    assert a2["utilization"] == pytest.approx(440 / 4500)
    assert a2["adherence"] == pytest.approx(4200 / 5400)
    assert a2["conformance"] == pytest.approx(4500 / 5400)
    assert a2["shrinkage"] == pytest.approx(2100 / 5400)
    assert a2["aht_seconds"] == pytest.approx(220)


def test_analyst_warehouse_holds_no_secrets(warehouse: Path) -> None:
    """Every text value of every table and view in the analyst warehouse is free of the fixture's personal data (the
    big facts are views over monthly Parquet files: duckdb_columns() lists the columns of both)."""
    scan = scan_text_columns(warehouse, SECRETS)
    assert scan.columns, "the warehouse has no text columns at all: nothing was checked"
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        views = {v for (v,) in con.execute("select view_name from duckdb_views() where not internal").fetchall()}
    finally:
        con.close()
    assert "fct_contact_legs" in views and ("marts", "fct_contact_legs", "leg_id") in scan.columns
    assert not scan.found, scan.found
