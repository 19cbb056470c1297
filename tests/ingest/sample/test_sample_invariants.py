"""Invariants of the simulated center: states agree with calls, schedules are sound, staff cost follows pay.

Each test states a rule the real systems would keep (an ACD never gives an agent two calls at once) and checks it
on every row of the demo center with a DuckDB query.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingest.sample import generate_center

SPANS = """
    SELECT agent_id, state, event_at AS starts_at,
           lead(event_at) OVER (PARTITION BY agent_id ORDER BY event_at) AS ends_at
    FROM agent_states
"""


def test_state_events_agree_with_every_answered_leg(demo_db: duckdb.DuckDBPyConnection) -> None:
    # For each answered leg, the agent's talk/hold/acw seconds inside [answered_at, answered_at + handle) equal the
    # leg's talk/hold/acw seconds, and the agent turns to talk at answered_at.
    mismatches = demo_db.execute(f"""
        WITH spans AS ({SPANS}),
        legs AS (
            SELECT leg_id, agent_id, answered_at, talk_seconds, hold_seconds, acw_seconds,
                   answered_at + to_seconds(talk_seconds + hold_seconds + acw_seconds) AS busy_until
            FROM calls WHERE answered_at IS NOT NULL
        ),
        seen AS (
            SELECT l.leg_id,
                   sum(CASE WHEN s.state = 'talk' THEN date_diff('second', greatest(s.starts_at, l.answered_at),
                            least(s.ends_at, l.busy_until)) ELSE 0 END) AS talk,
                   sum(CASE WHEN s.state = 'hold' THEN date_diff('second', greatest(s.starts_at, l.answered_at),
                            least(s.ends_at, l.busy_until)) ELSE 0 END) AS hold,
                   sum(CASE WHEN s.state = 'acw' THEN date_diff('second', greatest(s.starts_at, l.answered_at),
                            least(s.ends_at, l.busy_until)) ELSE 0 END) AS acw,
                   bool_or(s.starts_at = l.answered_at AND s.state = 'talk') AS starts_talking
            FROM legs l JOIN spans s
              ON s.agent_id = l.agent_id AND s.starts_at < l.busy_until AND s.ends_at > l.answered_at
            GROUP BY l.leg_id
        )
        SELECT count(*) FROM legs l LEFT JOIN seen USING (leg_id)
        WHERE seen.leg_id IS NULL OR seen.talk <> l.talk_seconds OR seen.hold <> l.hold_seconds
           OR seen.acw <> l.acw_seconds OR NOT seen.starts_talking
    """).fetchone()[0]
    assert mismatches == 0
    # ...and no talk, hold or acw happens outside an answered leg.
    states, legs = demo_db.execute(f"""
        SELECT (SELECT sum(date_diff('second', starts_at, ends_at)) FROM ({SPANS})
                WHERE state IN ('talk', 'hold', 'acw')),
               (SELECT sum(talk_seconds + hold_seconds + acw_seconds) FROM calls)
    """).fetchone()
    assert states == legs


def test_no_agent_handles_two_calls_at_once(demo_db: duckdb.DuckDBPyConnection) -> None:
    overlaps = demo_db.execute("""
        SELECT count(*) FROM (
            SELECT answered_at, answered_at + to_seconds(talk_seconds + hold_seconds + acw_seconds) AS busy_until,
                   lead(answered_at) OVER (PARTITION BY agent_id ORDER BY answered_at) AS next_answer
            FROM calls WHERE answered_at IS NOT NULL
        ) WHERE next_answer < busy_until
    """).fetchone()[0]
    assert overlaps == 0


def test_each_agent_day_ends_logged_out(demo_db: duckdb.DuckDBPyConnection) -> None:
    not_out = demo_db.execute("""
        SELECT count(*) FROM (
            SELECT state, row_number() OVER (PARTITION BY agent_id, (event_at AT TIME ZONE 'Europe/Oslo')::DATE
                                             ORDER BY event_at DESC) AS n
            FROM agent_states
        ) WHERE n = 1 AND state <> 'logged_out'
    """).fetchone()[0]
    assert not_out == 0


def test_schedule_segments_lie_within_one_shift_and_do_not_overlap(demo_db: duckdb.DuckDBPyConnection) -> None:
    bad = demo_db.execute("""
        WITH s AS (
            SELECT *, lead(starts_at) OVER w AS next_start, lag(ends_at) OVER w AS previous_end
            FROM schedules WINDOW w AS (PARTITION BY agent_id, schedule_date, published_at ORDER BY starts_at)
        )
        SELECT count(*) FILTER (WHERE ends_at <= starts_at) AS empty_segments,
               count(*) FILTER (WHERE next_start < ends_at) AS overlaps,
               count(*) FILTER (WHERE previous_end IS NOT NULL AND previous_end <> starts_at) AS gaps_in_shift,
               count(*) FILTER (WHERE (starts_at AT TIME ZONE 'Europe/Oslo')::DATE <> schedule_date) AS wrong_day,
               count(*) FILTER (WHERE date_diff('hour', starts_at, ends_at) > 10) AS overlong
        FROM s
    """).fetchone()
    assert bad == (0, 0, 0, 0, 0)


def test_every_answered_legs_agent_is_employed_that_day(demo_db: duckdb.DuckDBPyConnection) -> None:
    # The month-end snapshot covering the leg's day holds the agent's employment spell.
    unemployed = demo_db.execute("""
        WITH legs AS (
            SELECT DISTINCT agent_id, (answered_at AT TIME ZONE 'Europe/Oslo')::DATE AS day
            FROM calls WHERE answered_at IS NOT NULL
        ),
        covering AS (
            SELECT l.agent_id, l.day, min(r.as_of) AS as_of
            FROM legs l JOIN (SELECT DISTINCT as_of FROM roster) r ON r.as_of >= l.day GROUP BY ALL
        )
        SELECT count(*) FROM covering c LEFT JOIN roster r ON r.as_of = c.as_of AND r.agent_id = c.agent_id
        WHERE r.agent_id IS NULL OR r.hire_date > c.day OR r.termination_date <= c.day
    """).fetchone()[0]
    assert unemployed == 0


def test_ledger_staff_cost_follows_paid_hours_times_pay(demo_db: duckdb.DuckDBPyConnection) -> None:
    # Paid hours = the latest publication of every agent-day (time off included) x the hourly cost in the
    # month-end roster; the ledger's agent wages must be within 3 %.
    rows = demo_db.execute("""
        WITH latest AS (
            SELECT * FROM schedules
            QUALIFY published_at = max(published_at) OVER (PARTITION BY agent_id, schedule_date)
        ),
        paid AS (
            SELECT strftime(schedule_date, '%Y-%m') AS period, agent_id,
                   sum(date_diff('second', starts_at, ends_at)) / 3600 AS hours
            FROM latest GROUP BY ALL
        ),
        cost AS (
            SELECT p.period, sum(p.hours * r.hourly_cost) AS expected
            FROM paid p JOIN roster r ON r.agent_id = p.agent_id AND strftime(r.as_of, '%Y-%m') = p.period
                 AND r.as_of = last_day(r.as_of)
            GROUP BY ALL
        ),
        booked AS (
            SELECT period, arg_max(amount, posted_on) AS amount FROM ledger
            WHERE scenario = 'actual' AND account = '5000 agent wages' GROUP BY period
        )
        SELECT c.period, c.expected, b.amount FROM cost c JOIN booked b USING (period)
    """).fetchall()
    assert rows
    for period, expected, booked in rows:
        assert abs(float(booked) / expected - 1) < 0.03, period


def test_no_timestamp_without_an_offset(demo_dir: Path) -> None:
    # read_csv would parse a naive timestamp silently; look at the text itself.
    con = duckdb.connect()
    for source, columns in (
        ("calls", ("queued_at", "dialed_at", "answered_at", "ended_at")),
        ("agent_states", ("event_at",)),
        ("schedules", ("starts_at", "ends_at", "published_at")),
        ("qa_evaluations", ("evaluated_at",)),
    ):
        checks = ", ".join(f"count(*) FILTER (WHERE NOT regexp_matches({c}, '[+-]\\d\\d:\\d\\d$'))" for c in columns)
        naive = con.execute(f"SELECT {checks} FROM read_csv('{demo_dir / source}/*.csv', all_varchar = true)")
        assert naive.fetchone() == (0,) * len(columns), source


def test_demo_figures_are_plausible(demo_db: duckdb.DuckDBPyConnection) -> None:
    # Realism, not exact values: the demo must look like a healthy center on the dashboards.
    sl, aht, abandon = demo_db.execute("""
        WITH c AS (
            SELECT *, date_diff('second', queued_at, coalesce(answered_at, ended_at)) AS wait
            FROM calls WHERE direction = 'inbound' AND queue IS NOT NULL
        )
        SELECT count(*) FILTER (WHERE answered_at IS NOT NULL AND wait <= 20)
                 / count(*) FILTER (WHERE NOT (answered_at IS NULL AND wait < 5)),
               avg(talk_seconds + hold_seconds + acw_seconds) FILTER (WHERE answered_at IS NOT NULL),
               count(*) FILTER (WHERE answered_at IS NULL AND wait >= 5)
                 / count(*) FILTER (WHERE NOT (answered_at IS NULL AND wait < 5))
        FROM c
    """).fetchone()
    assert 0.7 <= sl <= 0.9
    assert 120 <= aht <= 480
    assert abandon < 0.1
    occupancy = demo_db.execute(f"""
        SELECT sum(date_diff('second', starts_at, ends_at)) FILTER (WHERE state IN ('talk', 'hold', 'acw'))
             / sum(date_diff('second', starts_at, ends_at)) FILTER (WHERE state IN ('talk', 'hold', 'acw', 'ready'))
        FROM ({SPANS})
    """).fetchone()[0]
    assert 0.6 <= occupancy <= 0.92
    variance = demo_db.execute("""
        WITH latest AS (SELECT * FROM ledger QUALIFY posted_on = max(posted_on) OVER (PARTITION BY line_id))
        SELECT period,
               sum(amount) FILTER (WHERE scenario = 'actual') / sum(amount) FILTER (WHERE scenario = 'budget') - 1
        FROM latest GROUP BY period HAVING count(*) FILTER (WHERE scenario = 'actual') > 0
    """).fetchall()
    assert variance and all(abs(v) <= 0.1 for _, v in variance)


def test_same_seed_same_files_other_seed_other_files(tmp_path: Path) -> None:
    kwargs = dict(agents=4, days=3, start=__import__("datetime").date(2026, 3, 2), progress=None)
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate_center(a, seed=3, **kwargs)
    generate_center(b, seed=3, **kwargs)
    generate_center(c, seed=4, **kwargs)
    files = sorted(p.relative_to(a) for p in a.rglob("*.csv"))
    assert files == sorted(p.relative_to(b) for p in b.rglob("*.csv"))
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files)
    assert any((a / f).read_bytes() != (c / f).read_bytes() for f in files if (c / f).exists())
