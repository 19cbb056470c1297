"""Row and field validation: each fixture breaks one rule and the exact (row, field, rule) must be reported.

Rows are numbered as a person sees them in an editor: the header is line 1, the first data row line 2.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ingest_fixtures import VALID_ROWS, csv_text, rows_of

from ingest.contracts import SOURCES
from ingest.read import read_export
from ingest.validate import validate


def problems_of(source: str, rows: list[dict[str, str]]) -> list[tuple[int, str, str, str | None]]:
    text = csv_text(rows)
    frame = read_export(Path("x.csv"), text.encode(), SOURCES[source])
    _, problems = validate(frame, SOURCES[source], f"{source}/x.csv")
    assert set(problems["file"]) <= {f"{source}/x.csv"}
    return [(r["row"], r["field"], r["rule"], r["value"]) for r in problems.iter_rows(named=True)]


def test_valid_rows_of_every_source_pass() -> None:
    for source in SOURCES:
        assert problems_of(source, [VALID_ROWS[source]]) == [], source


NOT_ANSWERED = dict(
    answered_at="", agent_id="", talk_seconds="0", hold_seconds="0", acw_seconds="0", end_reason="abandon"
)
OUTBOUND = dict(direction="outbound", queue="", queued_at="", campaign="winback", dialed_at="2026-03-10T09:00:00+01:00")

# (source, changes per row, expected problems as (row, field, start of the rule, value shown))
CASES = {
    "required field empty": ("calls", [dict(leg_id="")], [(2, "leg_id", "required", None)]),
    "enumeration": (
        "calls",
        [{}, dict(leg_id="L2", direction="inbond")],
        [(3, "direction", "not one of inbound / outbound", "inbond")],
    ),
    "end_reason enumeration": (
        "calls",
        [dict(end_reason="hung up")],
        [(2, "end_reason", "not one of customer_hangup", "hung up")],
    ),
    "timestamp without offset": (
        "calls",
        [dict(ended_at="2026-03-10T09:05:40")],
        [(2, "ended_at", "timestamp without an offset", "2026-03-10T09:05:40")],
    ),
    "timestamp not ISO": (
        "calls",
        [dict(queued_at="10/03/2026 09:00")],
        [(2, "queued_at", "not an ISO 8601 timestamp", "10/03/2026 09:00")],
    ),
    "impossible timestamp": (
        "calls",
        [dict(ended_at="2026-02-30T09:05:40+01:00")],
        [(2, "ended_at", "not an ISO 8601 timestamp", "2026-02-30T09:05:40+01:00")],
    ),
    "negative duration": ("calls", [dict(acw_seconds="-5")], [(2, "acw_seconds", "must be >= 0", "-5")]),
    "fractional seconds": ("calls", [dict(talk_seconds="12.5")], [(2, "talk_seconds", "not a whole number", "12.5")]),
    "agent required when answered": ("calls", [dict(agent_id="")], [(2, "agent_id", "required when answered", None)]),
    "queue required when queued": ("calls", [dict(queue="")], [(2, "queue", "required for an inbound leg", None)]),
    "queued_at required with a queue": (
        "calls",
        [dict(queued_at="")],
        [(2, "queued_at", "required for an inbound leg with a queue", None)],
    ),
    "campaign required for outbound": (
        "calls",
        [{**OUTBOUND, "campaign": ""}],
        [(2, "campaign", "required for an outbound leg", None)],
    ),
    "answered before queued": (
        "calls",
        [dict(answered_at="2026-03-10T08:59:59+01:00")],
        [(2, "answered_at", "must be >= queued_at", "2026-03-10T08:59:59+01:00")],
    ),
    # 08:00:05Z = 09:00:05+01:00: after the queue entry (09:00:00+01:00), before the answer (09:00:10+01:00).
    "ended before answered (offsets compared in UTC)": (
        "calls",
        [dict(ended_at="2026-03-10T08:00:05Z")],
        [(2, "ended_at", "must be >= answered_at", "2026-03-10T08:00:05Z")],
    ),
    "talk when not answered": (
        "calls",
        [{**NOT_ANSWERED, "talk_seconds": "10"}],
        [(2, "talk_seconds", "must be 0 or empty when the leg was not answered", "10")],
    ),
    # A key repeated within a file is no problem any more: the later line wins, as between files (rule
    # `latest_file_wins_rank`, dbt/macros/latest_file_wins.sql); this case used to expect "duplicate key".
    "duplicate key": ("calls", [{}, dict(leg_id="L2"), {}], []),
    "card number in a shown value is redacted": (
        "calls",
        [dict(direction="4111 1111 1111 1111")],
        [(2, "direction", "not one of", "[card removed]"), (2, "direction", "holds a card", "[card removed]")],
    ),
    "state enumeration": ("agent_states", [dict(state="lunchbreak")], [(2, "state", "not one of", "lunchbreak")]),
    # 09:00+01:00 and 08:00Z are the same instant: the same key once timestamps are in UTC.
    "duplicate key across offsets": (
        "agent_states",
        [dict(event_at="2026-03-10T09:00:00+01:00"), dict(event_at="2026-03-10T08:00:00Z")],
        [],  # the same key twice: the later line wins (was "duplicate key"; rule `latest_file_wins_rank`)
    ),
    "comma decimal": ("ledger", [dict(amount="-1250,50")], [(2, "amount", "comma decimal", "-1250,50")]),
    "thousands separator": ("ledger", [dict(amount="1,250.50")], [(2, "amount", "thousands separator", "1,250.50")]),
    "thousands separator in a count": (
        "calls",
        [dict(talk_seconds="1 300")],
        [(2, "talk_seconds", "thousands separator", "1 300")],
    ),
    "card number in an id": (
        "calls",
        [dict(contact_id="4111111111111111")],
        [(2, "contact_id", "holds a card or bank number", "[card removed]")],
    ),
    "control character": (
        "calls",
        [dict(outcome="res\x00olved")],
        [(2, "outcome", "holds a control character", "res\x00olved")],
    ),
    "far future": (
        "agent_states",
        [dict(event_at="2226-03-10T08:55:00+01:00")],
        [(2, "event_at", "outside the plausible range", "2226-03-10T08:55:00+01:00")],
    ),
    "far past": ("roster", [dict(as_of="1926-03-01")], [(2, "as_of", "outside the plausible range", "1926-03-01")]),
    "absurd talk time": ("calls", [dict(talk_seconds="900000")], [(2, "talk_seconds", "must be <= 86400", "900000")]),
    "leg longer than a day": (
        "calls",
        [dict(ended_at="2026-03-12T09:05:40+01:00")],
        [(2, "ended_at", "a leg lasting more than a day", "2026-03-12T09:05:40+01:00")],
    ),
    "schedule ends at its start": (
        "schedules",
        [dict(ends_at="2026-03-10T09:00:00+01:00")],
        [(2, "ends_at", "must be after starts_at", "2026-03-10T09:00:00+01:00")],
    ),
    "impossible date": (
        "schedules",
        [dict(schedule_date="2026-02-30")],
        [(2, "schedule_date", "not a date", "2026-02-30")],
    ),
    # 09:00-09:45 (line 2), then 09:30-10:00 (line 3) starts inside it; line 4 (10:00-10:30) touches, no overlap.
    "overlapping segments": (
        "schedules",
        [
            {},
            dict(activity="break", starts_at="2026-03-10T09:30:00+01:00", ends_at="2026-03-10T10:00:00+01:00"),
            dict(starts_at="2026-03-10T10:00:00+01:00", ends_at="2026-03-10T10:30:00+01:00"),
        ],
        [(3, "starts_at", "overlaps the segment at line 2", "2026-03-10T09:30:00+01:00")],
    ),
    # Line 3 (09:10-09:20) lies inside line 2 (09:00-09:45), line 4 (09:30-09:40) too, though it starts after
    # line 3 ended: the running end of earlier segments counts, not only the previous one.
    "nested segments": (
        "schedules",
        [
            {},
            dict(starts_at="2026-03-10T09:10:00+01:00", ends_at="2026-03-10T09:20:00+01:00"),
            dict(starts_at="2026-03-10T09:30:00+01:00", ends_at="2026-03-10T09:40:00+01:00"),
        ],
        [
            (3, "starts_at", "overlaps the segment at line 2", "2026-03-10T09:10:00+01:00"),
            (4, "starts_at", "overlaps the segment at line 3", "2026-03-10T09:30:00+01:00"),
        ],
    ),
    "fte above 1": ("roster", [dict(fte="1.2")], [(2, "fte", "must be between 0 and 1", "1.2")]),
    "termination before hire": (
        "roster",
        [dict(termination_date="2025-05-31", termination_type="voluntary")],
        [(2, "termination_date", "must be >= hire_date", "2025-05-31")],
    ),
    "termination type required": (
        "roster",
        [dict(termination_date="2026-04-30")],
        [(2, "termination_type", "required when termination_date is set", None)],
    ),
    "termination date required with a type": (
        "roster",
        [dict(termination_type="voluntary")],
        [(2, "termination_date", "required when termination_type", None)],
    ),
    "agent_id required for agents": (
        "roster",
        [dict(agent_id="")],
        [(2, "agent_id", "required when role is agent", None)],
    ),
    # currency is restricted: its value is never shown.
    "restricted value masked": (
        "roster",
        [dict(currency="kr")],
        [(2, "currency", "not an ISO 4217 code", "<masked, 2 chars>")],
    ),
    "negative pay masked": (
        "roster",
        [dict(hourly_cost="-1")],
        [(2, "hourly_cost", "must be >= 0", "<masked, 2 chars>")],
    ),
    "employment type": ("roster", [dict(employment_type="temp")], [(2, "employment_type", "not one of", "temp")]),
    "period month 13": ("ledger", [dict(period="2026-13")], [(2, "period", "not a period YYYY-MM", "2026-13")]),
    "ledger currency": ("ledger", [dict(currency="Kroner")], [(2, "currency", "not an ISO 4217", "Kroner")]),
    "score above max": ("qa_evaluations", [dict(score="11")], [(2, "score", "must be <= max_score", "11")]),
    "negative score": ("qa_evaluations", [dict(score="-1")], [(2, "score", "must be >= 0", "-1")]),
    "max_score zero": ("qa_evaluations", [dict(score="0", max_score="0")], [(2, "max_score", "must be > 0", "0")]),
    "boolean": ("qa_evaluations", [dict(critical_fail="maybe")], [(2, "critical_fail", "not a boolean", "maybe")]),
}


@pytest.mark.parametrize("case", CASES)
def test_each_rule_reports_exact_row_and_field(case: str) -> None:
    source, changes, expected = CASES[case]
    found = problems_of(source, rows_of(source, *changes))
    assert [(row, field, value) for row, field, _, value in found] == [
        (row, field, value) for row, field, _, value in expected
    ]
    for (*_, rule, _), (*_, rule_start, _) in zip(found, expected, strict=True):
        assert rule.startswith(rule_start), (rule, rule_start)


def test_valid_variants_pass() -> None:
    # Offsets written as Z, -05:00 and +0100; an IVR-only call (no queue, no queued_at); an outbound call not
    # connected; an abandoned call; credits in the ledger; boolean spellings; fte 0.5; a terminated employee.
    calls = rows_of(
        "calls",
        dict(ended_at="2026-03-10T08:05:40Z"),
        dict(leg_id="L2", queued_at="2026-03-10T03:00:00-05:00", answered_at="2026-03-10T09:00:10+0100"),
        dict(
            leg_id="L3",
            queue="",
            queued_at="",
            **{k: v for k, v in NOT_ANSWERED.items() if k != "end_reason"},
            end_reason="system",
        ),
        dict(
            leg_id="L4",
            **OUTBOUND,
            **{k: v for k, v in NOT_ANSWERED.items() if k != "end_reason"},
            end_reason="no_answer",
        ),
        dict(leg_id="L5", **NOT_ANSWERED),
    )
    assert problems_of("calls", calls) == []
    assert problems_of("ledger", rows_of("ledger", dict(amount="-0.5"), dict(line_id="x", amount=".25"))) == []
    qa = rows_of(
        "qa_evaluations",
        *(dict(evaluation_id=str(i), critical_fail=v) for i, v in enumerate(["TRUE", "False", "1", "0", "yes"])),
    )
    assert problems_of("qa_evaluations", qa) == []
    roster = rows_of(
        "roster",
        dict(fte="0.5", termination_date="2026-04-30", termination_type="involuntary"),
        dict(employee_id="S1", agent_id="", role="supervisor"),
    )
    assert problems_of("roster", roster) == []


def test_republished_schedule_in_one_file_is_not_an_overlap() -> None:
    # Same agent and day, two publications: each publication is checked on its own.
    rows = rows_of("schedules", {}, dict(published_at="2026-03-10T07:00:00+01:00", ends_at="2026-03-10T09:30:00+01:00"))
    assert problems_of("schedules", rows) == []


def test_line_numbers_follow_quoted_line_breaks() -> None:
    # Line 2 holds a note spanning lines 2-4, so the next row starts on line 5.
    rows = rows_of("calls", dict(notes="first\nsecond\nthird"), dict(leg_id="L2", direction="sideways"))
    assert [(r, f) for r, f, *_ in problems_of("calls", rows)] == [(5, "direction")]
