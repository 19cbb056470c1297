"""Helpers for the ingest tests: one valid hand-made row per source, CSV text, and a landing folder to load from."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from ingest.load import LoadReport, load_landing
from tests.support.query import query  # noqa: F401 (the ingest tests import it from here)
from tests.support.tables import fields

TEST_KEY = b"test-key-not-a-secret"

# One valid row per source (canonical form, SOURCES.md). Tests override single fields to break one rule at a time.
VALID_ROWS: dict[str, dict[str, str]] = {
    "calls": fields(
        """
        field          value
        leg_id         L1
        contact_id     C1
        direction      inbound
        queue          billing
        campaign
        caller_number  +4791234567
        customer_id    cust-1
        queued_at      2026-03-10T09:00:00+01:00
        dialed_at
        answered_at    2026-03-10T09:00:10+01:00
        ended_at       2026-03-10T09:05:40+01:00
        agent_id       a1
        talk_seconds   300
        hold_seconds   30
        acw_seconds    60
        end_reason     customer_hangup
        outcome        resolved
        notes          asked about an invoice
        """
    ),
    "agent_states": fields(
        """
        field     value
        agent_id  a1
        event_at  2026-03-10T08:55:00+01:00
        state     ready
        reason
        """
    ),
    "schedules": fields(
        """
        field          value
        agent_id       a1
        schedule_date  2026-03-10
        activity       work
        starts_at      2026-03-10T09:00:00+01:00
        ends_at        2026-03-10T09:45:00+01:00
        published_at   2026-03-09T12:00:00+01:00
        """
    ),
    "roster": fields(
        """
        field                   value
        as_of                   2026-03-01
        employee_id             E1
        agent_id                a1
        full_name               Kari Nordmann
        role                    agent
        team                    North
        site                    Oslo
        supervisor_employee_id  S1
        employment_type         full_time
        fte                     1.0
        hire_date               2025-06-01
        termination_date
        termination_type
        termination_reason
        hourly_cost             310.00
        currency                NOK
        """
    ),
    "ledger": fields(
        """
        field        value
        line_id      B-2026-03-1
        period       2026-03
        scenario     budget
        cost_center  CC1
        account      5000
        category     staff
        amount       -1250.50
        currency     NOK
        posted_on    2026-03-01
        """
    ),
    "qa_evaluations": fields(
        """
        field          value
        evaluation_id  Q1
        contact_id     C1
        agent_id       a1
        evaluator_id   S1
        evaluated_at   2026-03-11T10:00:00+01:00
        form           standard
        score          8.5
        max_score      10
        critical_fail  false
        comments       good call
        """
    ),
}


def csv_text(rows: list[dict[str, str]]) -> str:
    """CSV text of `rows` (header = the first row's keys), as an export would write it."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def rows_of(source: str, *changes: dict[str, str]) -> list[dict[str, str]]:
    """One valid row per `changes` entry, each with those fields overridden."""
    return [{**VALID_ROWS[source], **change} for change in changes]


class Landing:
    """A landing folder in tmp_path, the databases beside it, and `load()` running the real `load_landing`."""

    def __init__(self, root: Path):
        self.root = root
        self.dir = root / "landing"
        self.pipeline_db = root / "w.pipeline.duckdb"
        self.restricted_db = root / "w.restricted.duckdb"
        self.quarantine = root / "w.quarantine"
        self._clock = 1_773_000_000

    def write(self, source: str, name: str, content: str | bytes) -> Path:
        """Drop a file; each one arrives a second after the previous (its modification time)."""
        path = self.dir / source / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        self._clock += 1
        os.utime(path, (self._clock, self._clock))
        return path

    def load(self, **kwargs) -> LoadReport:
        return load_landing(
            self.dir, self.pipeline_db, self.restricted_db, self.quarantine, TEST_KEY, progress=None, **kwargs
        )
