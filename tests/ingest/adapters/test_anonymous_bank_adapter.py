"""The Anonymous Bank adapter on the real February 1999 call log.

Data: the Anonymous Bank call center log, collected by the Service Enterprise Engineering (SEE) lab of the Technion;
we acknowledge Avi Mandelbaum and the Technion SEE lab, who made it free for use with acknowledgement (analysed in
Brown et al., "Statistical Analysis of a Telephone Call Center: A Queueing-Science Perspective", JASA 100, 2005).

Expected figures are computed here by plain DuckDB queries over the raw file (not through the adapter), from the data
README's column meanings; the quirk counts are the README's documented counts.
"""

from __future__ import annotations

import csv
from datetime import datetime

import duckdb
import pytest

from ingest.adapters.anonymous_bank import import_anonymous_bank
from ingest.contracts import CALLS
from tests.support.landing_files import ANONYMOUS_BANK_FEBRUARY, load_into_scratch

RAW_FILE = ANONYMOUS_BANK_FEBRUARY


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    landing = tmp_path_factory.mktemp("landing")
    lines: list[str] = []
    report = import_anonymous_bank(RAW_FILE, landing, progress=lines.append)
    return landing, report, lines


def _per_queue(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, tuple]:
    return {row[0]: tuple(row[1:]) for row in con.sql(sql).fetchall()}


def test_queue_figures_match_a_plain_query_over_the_raw_file(imported):
    landing, _, _ = imported
    con = duckdb.connect()
    # Straight from the README: PHANTOM excluded; a call reached the queue when it was served (AGENT) or waited in
    # it (q_time > 0); abandoned = HANG that waited; service seconds = ser_time of served calls.
    expected = _per_queue(
        con,
        f"""
        select type,
               count(*) filter (where outcome = 'AGENT' or q_time > 0) as offered,
               count(*) filter (where outcome = 'AGENT') as answered,
               count(*) filter (where outcome = 'HANG' and q_time > 0) as abandoned,
               sum(ser_time) filter (where outcome = 'AGENT') as service_seconds
        from read_csv('{RAW_FILE}', delim = '\t', header = true,
                      types = {{'q_time': 'BIGINT', 'ser_time': 'BIGINT'}})
        where outcome <> 'PHANTOM'
        group by type order by type""",
    )
    actual = _per_queue(
        con,
        f"""
        select queue,
               count(*) as offered,
               count(answered_at) as answered,
               count(*) filter (where answered_at is null) as abandoned,
               sum(talk_seconds) as service_seconds
        from read_csv('{landing}/calls/*.csv', all_varchar = true, header = true,
                      types = {{'talk_seconds': 'BIGINT'}})
        where queue is not null
        group by queue order by queue""",
    )
    assert set(expected) == {"IN", "NE", "NW", "PE", "PS", "TT"}
    assert actual == expected
    # And the month's total, as a sanity anchor: 33,344 rows - 278 PHANTOM - 1,972 HANG never queued = 31,094.
    assert sum(v[0] for v in actual.values()) == 31_094


def test_import_report_counts_every_documented_quirk(imported):
    _, report, lines = imported
    assert report.input_rows == 33_344
    assert report.excluded == {"PHANTOM (ghost call)": 278}
    assert report.rows_written == {"calls": 33_344 - 278}
    # The data README's documented counts.
    assert report.quirks["negative_vru_time"] == 25
    assert report.quirks["queue_wait_past_midnight"] == 2
    assert report.quirks["service_past_midnight"] == 16
    assert report.quirks["hang_never_queued"] == 1_972
    assert report.quirks["agent_served_without_queueing"] == 13_066
    assert report.quirks["agent_no_server"] == 491
    # Checks made and found clean: durations agree with their start and exit times (after the midnight roll-over).
    assert report.quirks["vru_time_mismatch"] == 0
    assert report.quirks["q_time_mismatch"] == 0
    assert report.quirks["ser_time_mismatch"] == 0
    assert any("quirk 25: negative_vru_time" in line for line in report.lines())
    assert any("wrote 33,066 legs" in line for line in lines)


def test_mapping_of_single_rows(imported):
    landing, _, _ = imported
    rows = {r["leg_id"]: r for r in csv.DictReader(open(landing / "calls" / "anonymous_bank_1999-02.csv"))}

    # AA0101 34536, 990201: AGENT, never queued, served 7:02:55-7:05:41 (166 s) by DORIT; customer 0.
    served = rows["990201-AA0101-34536-1"]
    assert served["contact_id"] == "990201-AA0101-34536"
    assert (served["queue"], served["direction"], served["agent_id"]) == ("PS", "inbound", "DORIT")
    assert served["queued_at"] == served["answered_at"] == "1999-02-01T07:02:55+02:00"  # wait 0
    assert served["ended_at"] == "1999-02-01T07:05:41+02:00"
    assert (served["talk_seconds"], served["hold_seconds"], served["acw_seconds"]) == ("166", "0", "0")
    assert served["customer_id"] == "" and served["caller_number"] == ""
    assert served["end_reason"] == "customer_hangup"

    # AA0101 34537: AGENT served by NO_SERVER, kept as an unidentified agent.
    assert rows["990201-AA0101-34537-1"]["agent_id"] == "NO_SERVER"

    # AA0101 34539: HANG after queueing 8:09:22-8:09:27, customer 23317894: abandoned at q_exit.
    abandoned = rows["990201-AA0101-34539-1"]
    assert (abandoned["queue"], abandoned["end_reason"], abandoned["agent_id"]) == ("PS", "abandon", "")
    assert abandoned["queued_at"] == "1999-02-01T08:09:22+02:00"
    assert abandoned["answered_at"] == ""
    assert abandoned["ended_at"] == "1999-02-01T08:09:27+02:00"
    assert abandoned["customer_id"] == "23317894"

    # AA0101 34868, 990205: HANG with q_start = q_exit = 8:26:10 and q_time 0: ended in the VRU, never offered.
    vru_only = rows["990205-AA0101-34868-1"]
    assert (vru_only["queue"], vru_only["queued_at"], vru_only["answered_at"]) == ("", "", "")
    assert vru_only["ended_at"] == "1999-02-05T08:26:10+02:00"

    # AA0102 31056, 990215: VRU 23:59:54, queued 0:00:00-0:00:27 (q_time 27), served 0:00:26-0:01:33 (67 s): all on
    # 16 February. The log's own wait wins: answered at q_start + q_time = 0:00:27, not at ser_start 0:00:26.
    midnight = rows["990215-AA0102-31056-1"]
    assert midnight["queued_at"] == "1999-02-16T00:00:00+02:00"
    assert midnight["answered_at"] == "1999-02-16T00:00:27+02:00"
    assert midnight["ended_at"] == "1999-02-16T00:01:33+02:00"
    assert midnight["talk_seconds"] == "67"

    # AA0102 30392, 990204: queued 19:56:51-19:57:47 (q_time 56) but served from 19:56:50: the queue entry and the
    # stated wait are kept (answered 19:57:47), the service ends at 20:00:13, talk is ser_time 203.
    early = rows["990204-AA0102-30392-1"]
    assert (early["queued_at"], early["answered_at"]) == ("1999-02-04T19:56:51+02:00", "1999-02-04T19:57:47+02:00")
    assert (early["ended_at"], early["talk_seconds"]) == ("1999-02-04T20:00:13+02:00", "203")


def test_rows_whose_service_start_disagrees_with_q_time_are_counted(imported):
    _, report, _ = imported
    # Served rows that queued, whose ser_start - q_start (a time more than 12 h before vru_entry is on the next day)
    # is not q_time, counted over the raw file by DuckDB; and those whose service ended before q_start + q_time.
    seconds = "(split_part({c}, ':', 1)::int * 3600 + split_part({c}, ':', 2)::int * 60 + split_part({c}, ':', 3)::int)"
    rolled = "(case when {s} < {v} - 43200 then {s} + 86400 else {s} end)"
    vru = seconds.format(c="vru_entry")
    q_start, ser_start, ser_exit = (
        rolled.format(s=seconds.format(c=c), v=vru) for c in ("q_start", "ser_start", "ser_exit")
    )
    disagree, ended_early = duckdb.sql(
        f"""
        select count(*) filter (where {ser_start} - {q_start} <> q_time::int),
               count(*) filter (where {ser_exit} < {q_start} + q_time::int)
        from read_csv('{RAW_FILE}', delim = '\t', header = true, all_varchar = true)
        where outcome = 'AGENT' and q_time::int > 0 and (ser_start <> '0:00:00' or ser_time::int > 0)
        """
    ).fetchall()[0]
    assert report.quirks["service_start_disagrees_with_q_time (answered_at = q_start + q_time)"] == disagree
    assert report.quirks["service_ended_before_stated_answer (ended_at = answered_at)"] == ended_early
    assert (disagree, ended_early) == (10_956, 13)


def test_files_follow_the_calls_contract(imported):
    landing, report, _ = imported
    assert report.files_written == [landing / "calls" / "anonymous_bank_1999-02.csv"]
    with open(report.files_written[0], newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == CALLS.column_names
        rows = list(reader)
    assert len({r["leg_id"] for r in rows}) == len(rows)
    for column in CALLS.columns:
        values = [r[column.name] for r in rows]
        if column.required:
            assert all(values), column.name
        if column.allowed:
            assert set(values) - {""} <= set(column.allowed), column.name
        if column.type == "timestamp":
            # Every timestamp carries an offset (a naive one is an error in the contract).
            assert all(datetime.fromisoformat(v).utcoffset() is not None for v in values if v), column.name
        if column.type == "integer":
            assert all(int(v) >= 0 for v in values), column.name
    for r in rows:
        if r["answered_at"]:
            assert r["agent_id"]
            assert r["queued_at"] <= r["answered_at"] <= r["ended_at"]
        if r["queued_at"]:
            assert r["queued_at"] <= r["ended_at"]


def test_malformed_row_names_file_line_and_field(tmp_path):
    bad = tmp_path / "calls.txt"
    lines = RAW_FILE.read_text().splitlines()[:4]
    lines[2] = lines[2].replace("7:31:45", "7:3x:45")  # line 3 of the file, field vru_entry
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match=r"calls\.txt: line 3, field vru_entry: cannot parse '7:3x:45'"):
        import_anonymous_bank(bad, tmp_path / "landing", progress=None)
    lines[2] = lines[2] + "\textra"
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match=r"calls\.txt: cannot be read .*: line 3 has 18 fields, the header 17"):
        import_anonymous_bank(bad, tmp_path / "landing", progress=None)


def test_written_file_passes_the_loader(imported, tmp_path):
    landing, _, _ = imported
    load = load_into_scratch(landing, tmp_path)
    assert load.ok, load.lines()
    assert load.sources["calls"].rows == 33_066


def test_daylight_saving_changes_and_unknown_time_zone(tmp_path):
    # Israel 1999: clocks went 02:00 -> 03:00 on 2 April and 02:00 -> 01:00 on 3 September (time zone database).
    log = tmp_path / "calls.txt"
    header = RAW_FILE.read_text().splitlines()[0]
    log.write_text(
        "\n".join(
            [
                header,
                "AA0101\t1\t0\t0\tPS\t990402\t2:29:50\t2:30:00\t10\t2:30:00\t2:30:20\t20\tAGENT\t2:30:20\t2:31:00\t40\tDORIT",
                "AA0101\t2\t0\t0\tPS\t990903\t1:10:00\t1:10:10\t10\t1:10:10\t1:10:40\t30\tHANG\t0:00:00\t0:00:00\t0\tNO_SERVER",
            ]
        )
        + "\n"
    )
    report = import_anonymous_bank(log, tmp_path / "landing", progress=None)
    rows = {r["leg_id"]: r for path in report.files_written for r in csv.DictReader(open(path))}
    # 2:30 on 2 April does not exist on the wall clock: read one hour later, in summer time (+03:00).
    spring = rows["990402-AA0101-1-1"]
    assert (spring["queued_at"], spring["answered_at"], spring["ended_at"]) == (
        "1999-04-02T03:30:00+03:00",
        "1999-04-02T03:30:20+03:00",
        "1999-04-02T03:31:00+03:00",
    )
    # 1:10 on 3 September happened twice: the earlier (summer time, +03:00) is taken.
    autumn = rows["990903-AA0101-2-1"]
    assert (autumn["queued_at"], autumn["ended_at"]) == ("1999-09-03T01:10:10+03:00", "1999-09-03T01:10:40+03:00")
    assert report.quirks["local_time_in_dst_gap (read one hour later)"] == 1
    assert report.quirks["local_time_repeated_by_dst_end (earlier offset used)"] == 1
    assert [p.name for p in report.files_written] == ["anonymous_bank_1999-04.csv", "anonymous_bank_1999-09.csv"]

    with pytest.raises(ValueError, match="unknown time zone 'Asia/Jerusalme'"):
        import_anonymous_bank(log, tmp_path / "landing", timezone="Asia/Jerusalme", progress=None)
