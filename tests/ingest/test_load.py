"""`load_landing` end to end on hand-made landing folders: what lands, what is rejected, what is never written."""

from __future__ import annotations

import gzip
import json
import os
import stat
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest
from ingest_fixtures import TEST_KEY, Landing, csv_text, query, rows_of

from ingest.contracts import SOURCES
from ingest.load import IngestSetupError, load_landing
from tests.support.secret_scan import scan_text_columns
from tests.support.tables import fields

CARD = "4111 1111 1111 1111"
IBAN = "NO93 8601 1117 947"
SECRETS = [
    "+4791234567",
    "91234567",
    "cust-1",
    CARD,
    CARD.replace(" ", ""),
    "86011117947",
    "Kari Nordmann",
    "moved abroad",
    "310.00",
    "ssn-12345",
]

CALLS_ROWS = rows_of(
    "calls",
    dict(notes=f"paid with card {CARD}, refund to {IBAN}"),
    fields(
        """
        field          value
        leg_id         L2
        contact_id     C2
        caller_number  +47 912 34 567
        customer_id    cust-1
        queued_at      2026-03-10T08:10:00Z
        answered_at    2026-03-10T08:10:30Z
        ended_at       2026-03-10T08:13:50Z
        notes
        """
    ),
)
CALLS = csv_text(CALLS_ROWS)
ROSTER_ROWS = rows_of(
    "roster",
    {},
    fields(
        """
        field               value
        employee_id         S1
        agent_id
        full_name           Siri Berg
        role                supervisor
        termination_date    2026-04-30
        termination_type    voluntary
        termination_reason  moved abroad
        hourly_cost         420.00
        """
    ),
)
ROSTER = csv_text(ROSTER_ROWS)


def test_rows_land_typed_protected_with_load_metadata(landing: Landing) -> None:
    with_extra = [{**CALLS_ROWS[0], "vendor_ref": "V-1"}, {**CALLS_ROWS[1], "vendor_ref": ""}]
    landing.write("calls", "calls_2026-03-10.csv", csv_text(with_extra))
    report = landing.load()
    assert report.ok and report.rejected == []
    assert report.sources["calls"].files_loaded == 1 and report.sources["calls"].rows == 2
    assert report.sources["calls"].redactions == 2  # one card and one IBAN in L1's notes

    rows = query(
        landing.pipeline_db,
        "select leg_id, queued_at, ended_at, talk_seconds, caller_number, customer_id,"
        " notes, _file_seq, _source_file, _source_line, _extra_columns, _load_id from raw.calls order by 1",
    )
    l1, l2 = rows
    # L1 queued 09:00:00+01:00 -> 08:00:00 UTC; ended 09:05:40+01:00 -> 08:05:40 UTC.
    assert l1[1:4] == (datetime(2026, 3, 10, 8, 0, 0), datetime(2026, 3, 10, 8, 5, 40), 300)
    assert l2[1] == datetime(2026, 3, 10, 8, 10, 0)  # Z is UTC already
    assert len(l1[4]) == 64 and l1[4] == l2[4]  # "+4791234567" and "+47 912 34 567": one caller
    assert l1[5] == l2[5] and len(l1[5]) == 64
    assert l1[6] == "paid with card [card removed], refund to [iban removed]"
    assert l2[6] is None
    assert l1[7:10] == (1, "calls/calls_2026-03-10.csv", 2) and l2[9] == 3
    assert json.loads(l1[10]) == {"vendor_ref": "V-1"} and json.loads(l2[10]) == {"vendor_ref": None}
    assert l1[11] == report.load_id

    manifest = query(
        landing.pipeline_db,
        "select source, path, rows, file_seq, redactions, length(sha256), load_id from ops.loaded_files",
    )
    assert manifest == [("calls", "calls/calls_2026-03-10.csv", 2, 1, 2, 64, report.load_id)]
    assert query(landing.pipeline_db, "select files_loaded, rows_loaded, ok from ops.loads") == [(1, 2, True)]


def test_restricted_roster_columns_go_only_to_the_restricted_database(landing: Landing) -> None:
    landing.write("roster", "roster.csv", ROSTER)
    assert landing.load().ok
    raw_columns = {
        c
        for (c,) in query(
            landing.pipeline_db,
            "select column_name from information_schema.columns where table_schema = 'raw' and table_name = 'roster'",
        )
    }
    assert not raw_columns & {"full_name", "termination_reason", "hourly_cost", "currency"}
    assert query(landing.pipeline_db, "select employee_id, fte from raw.roster order by 1") == [("E1", 1), ("S1", 1)]
    assert query(
        landing.restricted_db,
        "select employee_id, full_name, termination_reason, hourly_cost, currency, "
        "_source_line from restricted.roster order by 1",
    ) == [
        ("E1", "Kari Nordmann", None, pytest.approx(310), "NOK", 2),
        ("S1", "Siri Berg", "moved abroad", pytest.approx(420), "NOK", 3),
    ]
    assert stat.S_IMODE(landing.restricted_db.stat().st_mode) == 0o600


def test_all_raw_and_ops_tables_exist_without_any_landing_folder(landing: Landing) -> None:
    report = landing.load()
    assert report.ok and report.rows == 0
    tables = set(query(landing.pipeline_db, "select table_schema, table_name from information_schema.tables"))
    assert {("raw", s) for s in SOURCES} | {
        ("ops", t) for t in ("loads", "loaded_files", "rejected_files", "row_problems")
    } <= tables


def test_nothing_written_holds_a_secret(landing: Landing) -> None:
    landing.write("calls", "calls.csv", CALLS)
    # An unknown HR column (a national id) stays out of the pipeline database like the restricted ones.
    landing.write("roster", "roster.csv", csv_text([{**r, "national_id": "ssn-12345"} for r in ROSTER_ROWS]))
    # Quarantined rows whose reported values would be secrets: a restricted value, a card number in a bad field and
    # in an id (the row is set aside, never redacted in place); an unreadable file whose report would show them.
    landing.write("roster", "bad_roster.csv", csv_text(rows_of("roster", dict(hourly_cost="310.00x"))))
    landing.write(
        "calls",
        "bad_calls.csv",
        csv_text(
            rows_of(
                "calls",
                dict(leg_id="L9", direction=CARD, caller_number="+4791234567"),
                dict(leg_id="L10", contact_id=CARD.replace(" ", "")),
            )
        ),
    )
    landing.write("roster", "unreadable.csv", b"employee_id,full_name\nE1,Kari Nordmann\n")
    said: list[str] = []
    report = load_landing(
        landing.dir, landing.pipeline_db, landing.restricted_db, landing.quarantine, TEST_KEY, progress=said.append
    )
    assert {r.file for r in report.rejected} == {"roster/unreadable.csv"}
    assert query(landing.pipeline_db, "select file, line, field from ops.quarantined_rows order by 1, 2, 3") == [
        ("calls/bad_calls.csv", 2, "direction"),
        ("calls/bad_calls.csv", 2, "direction"),
        ("calls/bad_calls.csv", 3, "contact_id"),
        ("roster/bad_roster.csv", 2, "hourly_cost"),
    ]

    scan = scan_text_columns(landing.pipeline_db, SECRETS, schemas=("raw", "ops"))
    assert len(scan.columns) > 40
    assert not scan.found, scan.found
    reports = [p.read_text() for p in landing.quarantine.rglob("*.problems.csv")]
    assert len(reports) == 1
    for text in reports + said + report.lines():
        for secret in SECRETS:
            assert secret not in text


def test_second_run_changes_nothing_and_new_files_are_picked_up(landing: Landing) -> None:
    first_file = landing.write("calls", "a.csv", CALLS)
    landing.load()
    before = query(landing.pipeline_db, "select * from raw.calls order by leg_id")
    again = landing.load()
    assert again.ok and again.sources["calls"].files_skipped == 1 and again.rows == 0
    assert query(landing.pipeline_db, "select * from raw.calls order by leg_id") == before

    # Known paths are not read again: garble the loaded file keeping its size and time; it is still skipped.
    st = first_file.stat()
    first_file.write_bytes(b"x" * st.st_size)
    os.utime(first_file, ns=(st.st_atime_ns, st.st_mtime_ns))
    landing.write("calls", "b.csv", csv_text(rows_of("calls", dict(leg_id="L3"))))
    landing.write("calls", "b_copy.csv", csv_text(rows_of("calls", dict(leg_id="L3"))))  # same content again
    third = landing.load()
    assert (third.sources["calls"].files_loaded, third.sources["calls"].files_skipped) == (1, 2)
    assert query(landing.pipeline_db, "select leg_id, _file_seq, _source_file from raw.calls order by 1") == [
        ("L1", 1, "calls/a.csv"),
        ("L2", 1, "calls/a.csv"),
        ("L3", 2, "calls/b.csv"),
    ]
    assert query(landing.pipeline_db, "select count(*) from ops.loads") == [(3,)]


def test_bad_row_is_quarantined_and_the_rest_of_its_file_lands(landing: Landing) -> None:
    # Was test_bad_file_is_quarantined_and_the_run_carries_on, which expected the whole file rejected; the rule is
    # now per row (validate.set_aside, unit "row" for calls): the rest of the file lands.
    landing.write("calls", "a.csv", CALLS)
    landing.load()
    # A correction of L1 with a bad row on line 3 (L5 answered without an agent), and a good agent_states file.
    bad_text = csv_text(rows_of("calls", dict(outcome="corrected"), dict(leg_id="L5", agent_id="")))
    bad = landing.write("calls", "b.csv", bad_text)
    landing.write("agent_states", "s.csv", csv_text(rows_of("agent_states", {})))
    report = landing.load()

    assert report.ok and report.rejected == []
    assert report.sources["calls"].rows == 1 and report.sources["calls"].rows_quarantined == 1
    assert any("1 rows quarantined (ops.quarantined_rows)" in line for line in report.lines())
    assert report.source_metadata("calls")["rows_quarantined"] == 1
    assert report.source_metadata("agent_states")["rows"] == 1
    # The correction of L1 landed; L5 did not; the landing file stays as it is.
    assert query(landing.pipeline_db, "select leg_id, outcome, _file_seq from raw.calls order by 1, 3") == [
        ("L1", "resolved", 1),
        ("L1", "corrected", 2),
        ("L2", "resolved", 1),
    ]
    assert bad.read_text() == bad_text
    assert query(
        landing.pipeline_db,
        "select source, file, file_seq, line, field, value, reason, unit, unit_key, local_date, load_id"
        " from ops.quarantined_rows",
    ) == [
        (
            "calls",
            "calls/b.csv",
            2,
            3,
            "agent_id",
            None,
            "required when answered (answered_at is set)",
            "row",
            "L5",
            date(2026, 3, 10),  # queued 09:00+01:00: the UTC day, as the load was given no time zone
            report.load_id,
        )
    ]
    assert query(landing.pipeline_db, "select * exclude (last_quarantined_at) from ops.quarantine_daily") == [
        ("calls", date(2026, 3, 10), 1, 0, 1, 0)
    ]
    assert query(landing.pipeline_db, "select path, rows, quarantined_rows from ops.loaded_files order by 1") == [
        ("agent_states/s.csv", 1, 0),
        ("calls/a.csv", 2, 0),
        ("calls/b.csv", 1, 1),
    ]
    assert query(landing.pipeline_db, "select ok, rows_quarantined from ops.loads order by started_at") == [
        (True, 0),
        (True, 1),
    ]
    assert query(landing.pipeline_db, "select count(*) from ops.rejected_files") == [(0,)]

    # The same content under another name is skipped, quarantine and all.
    landing.write("calls", "b_again.csv", bad_text)
    later = landing.load()
    assert later.sources["calls"].files_skipped == 3 and later.rows == 0
    assert query(landing.pipeline_db, "select count(*) from ops.quarantined_rows") == [(1,)]

    # The corrected export loads normally and wins over the earlier file (higher _file_seq).
    landing.write("calls", "c.csv", csv_text(rows_of("calls", dict(outcome="corrected"), dict(leg_id="L5"))))
    fixed = landing.load()
    assert fixed.ok and fixed.sources["calls"].files_loaded == 1
    assert query(landing.pipeline_db, "select leg_id, outcome, _file_seq from raw.calls order by 1, 3") == [
        ("L1", "resolved", 1),
        ("L1", "corrected", 2),
        ("L1", "corrected", 4),
        ("L2", "resolved", 1),
        ("L5", "resolved", 4),
    ]
    # L5's quarantine is superseded by c.csv: kept for audit, no longer counted on its day.
    assert query(
        landing.pipeline_db, "select line, superseded_by_file, superseded_by_file_seq from ops.quarantined_rows"
    ) == [(3, "calls/c.csv", 4)]
    assert query(landing.pipeline_db, "select * exclude (last_quarantined_at) from ops.quarantine_daily") == [
        ("calls", date(2026, 3, 10), 0, 0, 0, 1)
    ]


def test_a_bad_event_costs_the_agents_local_day(landing: Landing) -> None:
    # Agent a1 on 10 March (Oslo): three events, one of them without an offset; a1 on 11 March and a2 on 10 March
    # are untouched. 23:30Z on 10 March is already 11 March in Oslo.
    rows = rows_of(
        "agent_states",
        dict(event_at="2026-03-10T08:00:00+01:00"),
        dict(event_at="2026-03-10T09:00:00"),
        dict(event_at="2026-03-10T10:00:00+01:00", state="lunch"),
        dict(event_at="2026-03-10T23:30:00Z"),
        dict(agent_id="a2", event_at="2026-03-10T09:00:00+01:00"),
    )
    landing.write("agent_states", "s.csv", csv_text(rows))
    report = landing.load(center_timezone="Europe/Oslo")
    assert report.sources["agent_states"].rows == 2 and report.sources["agent_states"].rows_quarantined == 3
    assert query(landing.pipeline_db, "select agent_id, _source_line from raw.agent_states order by 2") == [
        ("a1", 5),
        ("a2", 6),
    ]
    assert query(
        landing.pipeline_db, "select line, field, reason, unit, unit_key, local_date from ops.quarantined_rows"
    ) == [
        (
            2,
            None,
            "same agent-day as line 3 (event_at: timestamp without an offset (add e.g. +01:00 or Z))",
            "agent-day",
            "a1",
            date(2026, 3, 10),
        ),
        (3, "event_at", "timestamp without an offset (add e.g. +01:00 or Z)", "agent-day", "a1", date(2026, 3, 10)),
        (
            4,
            None,
            "same agent-day as line 3 (event_at: timestamp without an offset (add e.g. +01:00 or Z))",
            "agent-day",
            "a1",
            date(2026, 3, 10),
        ),
    ]
    assert query(landing.pipeline_db, "select * exclude (last_quarantined_at) from ops.quarantine_daily") == [
        ("agent_states", date(2026, 3, 10), 3, 1, 1, 0)
    ]

    # A corrected export of a1's 10 March (Oslo) replaces the day: the quarantine is superseded, kept for audit and
    # no longer counted. A file for a2's day, or a1's 11 March, supersedes nothing.
    landing.write(
        "agent_states",
        "other_days.csv",
        csv_text(rows_of("agent_states", dict(agent_id="a2"), dict(event_at="2026-03-11T09:00:00+01:00"))),
    )
    landing.load(center_timezone="Europe/Oslo")
    assert query(landing.pipeline_db, "select count(*) from ops.quarantined_rows where superseded_by_file is null") == [
        (3,)
    ]
    corrected = rows_of(
        "agent_states", dict(event_at="2026-03-10T08:00:00+01:00"), dict(event_at="2026-03-10T09:00:00+01:00")
    )
    landing.write("agent_states", "corrected.csv", csv_text(corrected))
    landing.load(center_timezone="Europe/Oslo")
    assert query(
        landing.pipeline_db,
        "select line, superseded_by_file, superseded_by_file_seq from ops.quarantined_rows order by 1",
    ) == [
        (2, "agent_states/corrected.csv", 3),
        (3, "agent_states/corrected.csv", 3),
        (4, "agent_states/corrected.csv", 3),
    ]
    assert query(landing.pipeline_db, "select * exclude (last_quarantined_at) from ops.quarantine_daily") == [
        ("agent_states", date(2026, 3, 10), 0, 0, 0, 3)
    ]


@pytest.mark.parametrize(
    "name, content, line, reason",
    [
        ("latin1.csv", "agent_id,event_at,state\na1,2026-03-10T08:55:00Z,p\xe6use\n".encode("latin-1"), 2, "not UTF-8"),
        ("cut.csv", b"agent_id,event_at,state\na2,2026-03-10T08:55:00Z,ready\na1,2026-03-10T0", 3, "truncated last"),
    ],
)
def test_a_broken_line_is_quarantined_not_its_file(
    landing: Landing, name: str, content: bytes, line: int, reason: str
) -> None:
    # These two used to reject the whole file (test_unreadable_file_is_rejected_with_its_reason); now the broken
    # line costs its agent's day (read.BROKEN + validate.set_aside); the cut line's day is told by the date its
    # timestamp starts with.
    landing.write("agent_states", name, content)
    report = landing.load()
    assert report.ok
    assert query(landing.pipeline_db, "select line, field, unit from ops.quarantined_rows") == [
        (line, None, "agent-day")
    ]
    assert query(landing.pipeline_db, "select reason from ops.quarantined_rows")[0][0].startswith(reason)
    assert query(landing.pipeline_db, "select count(*) from raw.agent_states") == [(0 if line == 2 else 1,)]


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("latin1.csv", "agent_id,event_at,st\xe6te\na1,2026-03-10T08:55:00Z,p\xe6use\n".encode("latin-1"), "not UTF-8"),
        ("empty.csv", b"", "empty file"),
        ("no_state.csv", b"agent_id,event_at\na1,2026-03-10T08:55:00Z\n", "missing required column(s) state"),
    ],
)
def test_unreadable_file_is_rejected_with_its_reason(landing: Landing, name: str, content: bytes, reason: str) -> None:
    landing.write("agent_states", name, content)
    report = landing.load()
    assert not report.ok
    assert report.rejected[0].file == f"agent_states/{name}"
    assert report.rejected[0].reason.startswith(reason)
    assert query(landing.pipeline_db, 'select "row", rule from ops.row_problems')[0][1].startswith(reason)


LATEST_WINS = """
    select * exclude (_load_id, _file_seq, _source_file) from raw.calls
    qualify row_number() over (partition by leg_id order by _file_seq desc, _source_line desc) = 1
    order by leg_id"""


def test_arrival_order_and_repeated_files_give_the_same_contents(tmp_path: Path) -> None:
    files = [
        ("a.csv", csv_text(rows_of("calls", {}, dict(leg_id="L2")))),
        ("b.csv", csv_text(rows_of("calls", dict(leg_id="L3"), dict(leg_id="L4")))),
    ]
    results = []
    for run, order in enumerate([files, files[::-1]]):
        landing = Landing(tmp_path / str(run))
        for name, text in order:
            landing.write("calls", name, text)
        landing.load()
        landing.load()  # the same files twice
        results.append(query(landing.pipeline_db, LATEST_WINS))
    assert [r[0] for r in results[0]] == ["L1", "L2", "L3", "L4"]
    assert results[0] == results[1]


def test_parquet_and_gzip_exports_load(landing: Landing, tmp_path: Path) -> None:
    text = csv_text(rows_of("ledger", {}, dict(line_id="B-2", amount="10")))
    landing.write("ledger", "l.csv.gz", gzip.compress(text.encode()))
    parquet = tmp_path / "l.parquet"
    pl.read_csv(text.replace("B-", "P-").encode(), infer_schema=False).write_parquet(parquet)
    landing.write("ledger", "l.parquet", parquet.read_bytes())
    landing.write("ledger", "notes.txt", "not an export")
    report = landing.load()
    assert report.ok and report.sources["ledger"].files_loaded == 2
    assert query(landing.pipeline_db, "select line_id, amount from raw.ledger order by 1") == [
        ("B-2", pytest.approx(10)),
        ("B-2026-03-1", pytest.approx(-1250.5)),
        ("P-2", pytest.approx(10)),
        ("P-2026-03-1", pytest.approx(-1250.5)),
    ]


def test_sources_filter_and_unknown_source(landing: Landing) -> None:
    landing.write("calls", "a.csv", CALLS)
    landing.write("agent_states", "s.csv", csv_text(rows_of("agent_states", {})))
    report = landing.load(sources=["agent_states"])
    assert list(report.sources) == ["agent_states"] and report.rows == 1
    with pytest.raises(IngestSetupError, match="unknown source"):
        landing.load(sources=["cals"])


def test_locked_database_is_a_clear_setup_error(landing: Landing) -> None:
    landing.load()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('locked', flush=True); time.sleep(30)",
            str(landing.pipeline_db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(IngestSetupError, match="cannot open the pipeline database .* close that and run again"):
            landing.load()
    finally:
        holder.kill()
        holder.wait()


def test_arrival_order_is_modification_time_then_name(landing: Landing) -> None:
    # z.csv is written first but carries the latest time; a.csv and b.csv arrive together (same time).
    paths = [
        landing.write("calls", name, csv_text(rows_of("calls", dict(leg_id=name))))
        for name in ("z.csv", "b.csv", "a.csv")
    ]
    for path, seconds in zip(paths, (1_800_000_000, 1_700_000_000, 1_700_000_000), strict=True):
        os.utime(path, (seconds, seconds))
    landing.load()
    assert query(landing.pipeline_db, "select _source_file, _file_seq from raw.calls order by 2") == [
        ("calls/a.csv", 1),
        ("calls/b.csv", 2),
        ("calls/z.csv", 3),
    ]
    # A file arriving in a later run comes after all of them, whatever its time.
    late = landing.write("calls", "0.csv", csv_text(rows_of("calls", dict(leg_id="late"))))
    os.utime(late, (1_600_000_000, 1_600_000_000))
    landing.load()
    assert query(landing.pipeline_db, "select _file_seq from raw.calls where leg_id = 'late'") == [(4,)]
