"""KPI marts of the hand-worked fixture center (conftest.py), values worked out by hand from its rows.

Local time is Europe/Oslo: UTC+1 on 2026-03-02, and on 2026-03-29 UTC+1 until 01:00 UTC, UTC+2 after.
"""

from __future__ import annotations

import json
from datetime import date, datetime

import duckdb
import pytest


def one_row(con: duckdb.DuckDBPyConnection, query: str) -> dict:
    relation = con.sql(query)
    rows = relation.fetchall()
    assert len(rows) == 1, f"expected one row from {query!r}, got {len(rows)}"
    return dict(zip(relation.columns, rows[0], strict=True))


def test_service_daily_billing_counts_transfers_and_abandons(fixture_center) -> None:
    row = one_row(
        fixture_center, "select * from marts.kpi_service_daily where local_date = '2026-03-02' and queue = 'billing'"
    )
    # offered to billing: L1, L3, L4, L5, L6 (L2 went to support; L7 ended in the IVR; L8 is outbound)
    assert row["offered"] == 5
    assert row["answered"] == 2  # L1 (15 s), L4 (20 s)
    assert row["abandoned"] == 3  # L3 (3 s), L5 (40 s), L6 (10 s)
    assert row["short_abandoned"] == 1  # L3: 3 s < 5 s
    assert row["answered_within_threshold"] == 2  # 15 s and exactly 20 s both meet the 20 s threshold
    assert row["service_level_denominator"] == 4  # offered 5 - short abandons 1
    assert row["service_level"] == pytest.approx(0.5)  # 2 / 4
    assert row["abandonment_rate"] == pytest.approx(0.5)  # (3 - 1) / (5 - 1)
    assert row["answered_wait_seconds"] == 35  # 15 + 20
    assert row["asa_seconds"] == pytest.approx(17.5)  # 35 / 2
    assert row["max_wait_seconds"] == 40  # L5
    assert row["handled_legs"] == 2
    assert row["handle_seconds"] == 570  # L1 240+30+60 = 330, L4 200+0+40 = 240
    assert row["aht_seconds"] == pytest.approx(285.0)  # 570 / 2
    assert row["transferred_legs"] == 1  # L1
    assert row["transfer_rate"] == pytest.approx(0.5)
    assert row["held_legs"] == 1  # L1 held 30 s
    assert row["hold_rate"] == pytest.approx(0.5)
    assert row["hold_seconds"] == 30  # L1's 30 s; L4 held 0 s
    assert row["avg_hold_seconds"] == pytest.approx(30.0)  # 30 s / 1 held leg


def test_transferred_leg_is_offered_again_to_the_second_queue(fixture_center) -> None:
    row = one_row(
        fixture_center, "select * from marts.kpi_service_daily where local_date = '2026-03-02' and queue = 'support'"
    )
    # L2: C1 transferred from billing, waited 30 s, handled by A2 for 300 + 0 + 30 s
    assert (row["offered"], row["answered"], row["answered_within_threshold"]) == (1, 1, 0)
    assert row["service_level"] == pytest.approx(0.0)  # 0 / 1
    assert row["asa_seconds"] == pytest.approx(30.0)
    assert row["aht_seconds"] == pytest.approx(330.0)
    # queue figures add up to the center's: 6 offered legs on the day (5 billing + 1 support), for 5 inbound contacts
    total = one_row(
        fixture_center, "select sum(offered) as offered from marts.kpi_service_daily where local_date = '2026-03-02'"
    )
    assert total["offered"] == 6


def test_fcr_counts_a_repeat_call_of_the_same_customer(fixture_center) -> None:
    row = one_row(fixture_center, "select * from marts.kpi_fcr_daily where local_date = '2026-03-02'")
    # handled contacts with a customer: C1 (K1, first leg in billing) and C3 (K2); C2 (K1, abandoned) follows C1
    # within 7 days, so C1 is a repeat; C4 and C5 have no customer id and were not handled
    assert row["queue"] == "billing"
    assert (row["fcr_eligible_contacts"], row["repeat_contacts"]) == (2, 1)
    assert row["fcr_rate"] == pytest.approx(0.5)  # 1 - 1/2


def test_agent_day_with_a_republished_schedule(fixture_center) -> None:
    row = one_row(
        fixture_center, "select * from marts.kpi_agent_daily where local_date = '2026-03-02' and agent_id = 'A1'"
    )
    # states (UTC): ready 07:45-08:00 (900), talk 08:00-08:10 (600), acw 08:10-08:15 (300), ready 08:15-09:00
    # (2700), break 09:00-09:15 (900), ready 09:15-10:00 (2700), ready 22:30-23:00 (1800 before local midnight)
    assert row["logged_in_seconds"] == 9900
    assert row["ready_seconds"] == 8100  # 900 + 2700 + 2700 + 1800
    assert (row["talk_seconds"], row["hold_seconds"], row["acw_seconds"]) == (600, 0, 300)
    assert row["handle_seconds"] == 900
    assert row["occupancy"] == pytest.approx(0.1)  # 900 / (900 + 8100)
    assert row["utilization"] == pytest.approx(900 / 9900)
    # the republished schedule wins: work 07:45-09:00 (4500), break 09:00-09:10 (600), work 09:10-10:00 (3000);
    # the first publication (work 08:00-10:00, 7200 s) is ignored
    assert row["scheduled_seconds"] == 8100
    # in adherence: work 4500 (all productive) + break 600 (on break) + work 09:15-10:00 2700; out: 09:10-09:15 on
    # break during work (300)
    assert row["adherent_seconds"] == 7800
    assert row["adherence"] == pytest.approx(7800 / 8100)
    assert row["conformance"] == pytest.approx(9900 / 8100)
    assert row["paid_scheduled_seconds"] == 8100  # no time off
    assert row["productive_seconds"] == 7200  # 4500 + 2700 productive within scheduled time
    assert row["shrinkage"] == pytest.approx(1 - 7200 / 8100)
    assert row["planned_shrinkage_seconds"] == 600  # the scheduled break
    assert row["unplanned_shrinkage_seconds"] == 300  # 8100 - 7200 - 600
    # handled legs from call records: L1 (330) and L4 (240); the outbound L8 is not an inbound handled leg
    assert (row["handled_legs"], row["leg_handle_seconds"]) == (2, 570)
    assert row["aht_seconds"] == pytest.approx(285.0)
    assert row["team"] == "Blue"  # the roster moves A1 to Red from 2026-03-03
    # targets of the shipped seed: every team's adherence 0.90 (7800/8100 = 0.963 meets it), the center's AHT 300 s
    # at most (285 meets it); no occupancy target
    assert (row["adherence_target"], row["meets_adherence_target"]) == (pytest.approx(0.90), True)
    assert (row["aht_seconds_target"], row["meets_aht_seconds_target"]) == (pytest.approx(300.0), True)
    assert (row["occupancy_target"], row["meets_occupancy_target"]) == (None, None)


def test_state_spanning_midnight_lands_on_both_days(fixture_center) -> None:
    row = one_row(
        fixture_center, "select * from marts.kpi_agent_daily where local_date = '2026-03-03' and agent_id = 'A1'"
    )
    # ready 22:30-23:30 UTC = 23:30-00:30 local: 1800 s on 2 March (above), 1800 s on 3 March
    assert (row["logged_in_seconds"], row["ready_seconds"]) == (1800, 1800)
    assert row["occupancy"] == pytest.approx(0.0)  # 0 / (0 + 1800)
    assert row["adherence"] is None  # nothing scheduled: empty denominator
    assert row["team"] == "Red"


def test_agent_without_states_gets_null_ratios(fixture_center) -> None:
    row = one_row(
        fixture_center, "select * from marts.kpi_agent_daily where local_date = '2026-03-02' and agent_id = 'A2'"
    )
    # A2 handled L2 but has no state events or schedule that day
    assert (row["logged_in_seconds"], row["handled_legs"], row["leg_handle_seconds"]) == (0, 1, 330)
    assert row["occupancy"] is None and row["utilization"] is None and row["adherence"] is None


def test_dst_day_has_23_hours_of_intervals(fixture_center) -> None:
    row = one_row(
        fixture_center,
        "select count(*) as intervals, sum(interval_seconds) as seconds, "
        "count(*) filter (where hour(interval_start) = 2) as two_oclock "
        "from marts.dim_interval where local_date = '2026-03-29'",
    )
    # 23 hours x 4 quarter hours; 02:00-03:00 local does not exist
    assert (row["intervals"], row["seconds"], row["two_oclock"]) == (92, 82800, 0)


def test_agent_day_across_the_dst_change(fixture_center) -> None:
    row = one_row(
        fixture_center, "select * from marts.kpi_agent_daily where local_date = '2026-03-29' and agent_id = 'A2'"
    )
    # ready 23:00-01:00 UTC = 00:00 CET to 03:00 CEST: three hours on the clock, 7200 s
    assert row["logged_in_seconds"] == 7200
    # scheduled work 7200 s all ready (adherent); time off 01:00-02:00 UTC (3600) is paid, not scheduled
    assert (row["scheduled_seconds"], row["adherent_seconds"], row["paid_scheduled_seconds"]) == (7200, 7200, 10800)
    assert row["shrinkage"] == pytest.approx(1 - 7200 / 10800)
    assert (row["planned_shrinkage_seconds"], row["unplanned_shrinkage_seconds"]) == (3600, 0)
    spans = fixture_center.sql(
        "select interval_start, duration_seconds from marts.fct_agent_state_spans "
        "where agent_id = 'A2' order by started_at"
    ).fetchall()
    # eight quarter hours of 900 s, 00:00 to 01:45 local, then the clock jumps from 02:00 to 03:00
    assert [s[0] for s in spans] == [datetime(2026, 3, 29, h, m) for h in (0, 1) for m in (0, 15, 30, 45)]
    assert {s[1] for s in spans} == {900}


def test_staffing_interval_required_agents_by_erlang_c(fixture_center) -> None:
    row = one_row(
        fixture_center,
        "select * from marts.kpi_staffing_interval where queue = 'billing' and interval_start = '2026-03-02 09:00:00'",
    )
    # L1 alone: A = 1 x 330 s / 900 s = 0.3667 Erlang. N = 1: P(wait) = A = 0.3667,
    # SL = 1 - 0.3667 x exp(-(1 - 0.3667) x 20 / 330) = 0.647 < 0.80. N = 2: Erlang B(2) = 0.0469,
    # C = 2 x 0.0469 / (2 - 0.3667 x 0.9531) = 0.0568, SL = 1 - 0.0568 x exp(-1.6333 x 20 / 330) = 0.949 -> 2 agents
    assert row["offered"] == 1
    assert row["traffic_erlangs"] == pytest.approx(330 / 900)
    assert row["required_agents"] == 2
    # A1 handled only billing legs (share 1): scheduled for work and productive (talk, acw) all of 08:00-08:15 UTC
    assert row["scheduled_agents"] == pytest.approx(1.0)
    assert row["staffed_agents"] == pytest.approx(1.0)
    assert row["staffing_gap"] == pytest.approx(-1.0)
    # A1 is the only agent scheduled on 2 March: planned shrinkage break 600 / paid 8100; unplanned 300 / 8100
    # (paid 8100 - productive 7200 - planned 600, see the agent-day test). The schedule's work segments already leave
    # the break out, so only unplanned shrinkage grosses up: required scheduled = 2 / (1 - 300/8100) = 2.077
    assert row["planned_shrinkage"] == pytest.approx(600 / 8100)
    assert row["unplanned_shrinkage"] == pytest.approx(300 / 8100)
    assert row["required_scheduled_agents"] == pytest.approx(2 / (1 - 300 / 8100))


def test_monthly_team_is_the_latest_team_of_the_month(fixture_center) -> None:
    row = one_row(fixture_center, "select * from marts.kpi_agent_monthly where agent_id = 'A1'")
    assert row["period_start"] == date(2026, 3, 1)
    assert row["team"] == "Red"  # team on 3 March, A1's latest day with activity in March
    assert row["logged_in_seconds"] == 9900 + 1800


@pytest.mark.parametrize(
    "family, keys",
    [
        ("service", ["queue"]),
        ("agent", ["agent_id"]),
        ("fcr", ["queue"]),
    ],
)
def test_monthly_mart_equals_reaggregated_daily_mart(fixture_center, family: str, keys: list[str]) -> None:
    """Monthly sums equal the daily sums per month, and monthly ratios are rebuilt from them, not averaged."""
    monthly = fixture_center.sql(f"select * from marts.kpi_{family}_monthly")
    daily_columns = set(fixture_center.sql(f"select * from marts.kpi_{family}_daily").columns)
    additive = [
        c
        for c in monthly.columns
        if c in daily_columns
        and c not in keys + ["period_start", "team", "max_wait_seconds"]
        and not c.endswith(
            (
                "_rate",
                "_level",
                "occupancy",
                "utilization",
                "adherence",
                "conformance",
                "shrinkage",
                "asa_seconds",
                "aht_seconds",
                "avg_hold_seconds",
                "_target",
            )
        )
    ]
    key_list = ", ".join(keys)
    sums = ", ".join(f"sum({c}) as {c}" for c in additive)
    daily_rolled = fixture_center.sql(
        f"select date_trunc('month', local_date)::date as period_start, {key_list}, {sums} "
        f"from marts.kpi_{family}_daily group by all order by all"
    ).fetchall()
    monthly_rows = fixture_center.sql(
        f"select period_start, {key_list}, {', '.join(additive)} from marts.kpi_{family}_monthly order by all"
    ).fetchall()
    assert monthly_rows == daily_rolled
    assert len(monthly_rows) > 0


def test_monthly_service_level_is_a_ratio_of_sums(fixture_center) -> None:
    row = one_row(fixture_center, "select * from marts.kpi_service_monthly where queue = 'billing'")
    # March: 2 March (2 within threshold / denominator 4) and 29 March (L9 5 s and L10 10 s: 2 / 2).
    # Ratio of sums: 4 / 6 = 0.667, where the mean of the daily ratios would be 0.75.
    assert (row["answered_within_threshold"], row["service_level_denominator"]) == (4, 6)
    assert row["service_level"] == pytest.approx(4 / 6)
    assert row["max_wait_seconds"] == 40


def test_autumn_dst_day_repeats_the_two_oclock_hour(fixture_center) -> None:
    days = one_row(
        fixture_center,
        "select count(*) as intervals, sum(interval_seconds) as seconds "
        "from marts.dim_interval where local_date = '2026-10-25'",
    )
    assert (days["intervals"], days["seconds"]) == (100, 90000)  # 25 hours x 4 quarter hours
    rows = fixture_center.sql(
        "select interval_start_at, offered, staffed_agents from marts.kpi_staffing_interval "
        "where queue = 'support' and interval_start = '2026-10-25 02:00:00' "
        "order by interval_start_at"
    ).fetchall()
    # L11 (02:10 CEST) and L12 (02:10 CET) fall in two different 02:00 intervals, told apart by their UTC start;
    # A3 (support only) is ready through both
    assert rows == [(datetime(2026, 10, 25, 0, 0), 1, 1.0), (datetime(2026, 10, 25, 1, 0), 1, 1.0)]
    agent = one_row(
        fixture_center,
        "select logged_in_seconds from marts.kpi_agent_daily where agent_id = 'A3' and local_date = '2026-10-25'",
    )
    assert agent["logged_in_seconds"] == 10800  # 01:30 CEST to 03:30 CET is three hours


def test_every_column_of_the_kpi_marts_is_documented(fixture_center, fixture_center_db) -> None:
    """Every column of the service, agent and FCR marts (targets included) is described in its model's YAML."""
    manifest = json.loads((fixture_center_db.parent / "target" / "manifest.json").read_text())
    documented = {
        node["name"]: {name for name, column in node["columns"].items() if column.get("description")}
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }
    tables = fixture_center.sql(
        "select table_name, list(column_name) from information_schema.columns "
        "where regexp_matches(table_name, '^kpi_(service|agent|fcr)_(daily|weekly|monthly|"
        "quarterly|yearly)$') group by table_name"
    ).fetchall()
    assert len(tables) == 15  # 3 families x 5 grains
    assert {
        table: sorted(set(columns) - documented[table]) for table, columns in tables if set(columns) - documented[table]
    } == {}


def test_schedules_after_the_last_loaded_moment_are_not_counted(fixture_center) -> None:
    # The data's last loaded moment is 2026-10-25 02:30 UTC: A3's logged_out, later than every other state event and
    # every call end (L12 ends 01:15). A3's work 02:00-03:00 UTC that day straddles it; the 2026-10-26 schedules of A3
    # (work 07:00-10:00, break 10:00-10:15, work 10:15-12:00) and A2 (work 08:00-11:00) lie wholly after it.
    assert fixture_center.sql("select loaded_until_at from intermediate.int_loaded_until").fetchall() == [
        (datetime(2026, 10, 25, 2, 30),)
    ]
    row = one_row(
        fixture_center, "select * from marts.kpi_agent_daily where agent_id = 'A3' and local_date = '2026-10-25'"
    )
    # only 02:00-02:30 counts (1800 s), and A3 is ready through it: not 1800 s out of adherence for 02:30-03:00
    assert (row["scheduled_seconds"], row["paid_scheduled_seconds"], row["adherent_seconds"]) == (1800, 1800, 1800)
    assert row["adherence"] == pytest.approx(1.0)
    assert row["conformance"] == pytest.approx(10800 / 1800)
    assert (row["productive_seconds"], row["planned_shrinkage_seconds"], row["unplanned_shrinkage_seconds"]) == (
        1800,
        0,
        0,
    )
    assert row["shrinkage"] == pytest.approx(0.0)
    # no agent-day, adherence piece or staffing interval after the moment: not a day of 0 % adherence
    assert fixture_center.sql("select * from marts.kpi_agent_daily where local_date > '2026-10-25'").fetchall() == []
    assert fixture_center.sql("select max(ended_at) from marts.fct_adherence_spans").fetchall() == [
        (datetime(2026, 10, 25, 2, 30),)
    ]
    assert (
        fixture_center.sql("select * from marts.kpi_staffing_interval where local_date > '2026-10-25'").fetchall() == []
    )
    # support intervals (15 min) of A3's counted work: 02:00 and 02:15 UTC, one scheduled agent each; 02:30 and 02:45
    # have neither work counted nor calls, so no row
    rows = fixture_center.sql(
        "select interval_start_at, scheduled_work_seconds, scheduled_agents from marts.kpi_staffing_interval "
        "where queue = 'support' and interval_start_at >= '2026-10-25 02:00:00' order by 1"
    ).fetchall()
    assert rows == [(datetime(2026, 10, 25, 2, 0), 900, 1.0), (datetime(2026, 10, 25, 2, 15), 900, 1.0)]
    # the published schedule itself keeps every future segment (the staffing plan reads it): A3 10800 + 900 + 6300,
    # A2 10800
    assert fixture_center.sql(
        "select agent_id, sum(duration_seconds) from marts.fct_schedule_segments "
        "where schedule_date = '2026-10-26' group by 1 order by 1"
    ).fetchall() == [("A2", 10800), ("A3", 18000)]
