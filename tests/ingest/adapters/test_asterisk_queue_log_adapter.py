"""The Asterisk queue_log adapter: one test per event type and call path, the personal-data rules, the realtime CSV
form with its DST rule, rotated logs, and errors that name the line.

tests/fixtures/asterisk_queue_log/queue_log is hand-written (times below as offsets from 2026-03-02 08:00:00Z; the
members log their names, log_membername_as_agent; member_map.csv maps names, and the interfaces a center without
that option would see, to A1 / A2):
- 60 call 1 enters support (caller name "Kari Nordmann" logged), 72 Anna connects (holdtime 12), 172 COMPLETECALLER
  (calltime 100).
- 100 call 2 enters support, 130 RINGCANCELED (Bjorn) and ABANDON (waittime 30).
- 200 call 3 enters billing from an anonymous caller, 500 EXITWITHTIMEOUT (waittime 300).
- 300 call 4 enters support, 308 EXITWITHKEY (key 1, waittime 8).
- 400 call 5 enters support, 415 RINGNOANSWER (Anna), 420 Bjorn connects (20), 620 COMPLETEAGENT (calltime 200).
- 600 call 6 enters support, 605 Anna connects (5), 725 BLINDTRANSFER (calltime 120); the same channel enters billing
  at 725, 740 Bjorn connects (15), 920 COMPLETECALLER (180).
- 800 call 7 enters billing, 806 Anna connects (6), 906 ATTENDEDTRANSFER (calltime 100).
- 1000 call 8 enters support, 1003 EXITEMPTY (3). 1000 Anna pauses everywhere for "Lunch" (PAUSEALL, then PAUSE
  per queue, as app_queue.c writes them), 2800 unpauses. 1100-1200 Bjorn pauses in billing only (still takes
  support calls).
- 1300-1320 FULL, CLOSED, JOINEMPTY (Wazo). 3000 call 9 enters support, CONNECT is written at 3010 but says holdtime
  8, COMPLETEAGENT at 3070 (calltime 62). 3600 both members removed from both queues. QUEUESTART, CONFIGRELOAD.
"""

from __future__ import annotations

import csv
import gzip
import re
from pathlib import Path

import pytest

from ingest.adapters.asterisk_queue_log import (
    UnmappedMemberError,
    import_asterisk_queue_log,
    read_member_map,
)
from tests.support.queue_log_sim import DOCUMENTED_ARGUMENTS, QueueLogSimulator, asternic_counts, simulate_month

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "asterisk_queue_log"
T = 1772438400  # 2026-03-02T08:00:00Z
MEMBERS = {"Anna Berg": "A1", "PJSIP/201": "A1", "Bjorn Dahl": "A2", "PJSIP/202": "A2"}


def _read(path: Path) -> list[dict]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def _import(tmp_path: Path, files: list[Path], **kwargs):
    landing = tmp_path / "landing"
    report = import_asterisk_queue_log(files, landing, progress=None, **kwargs)
    legs = {r["leg_id"]: r for p in sorted((landing / "calls").glob("*.csv")) for r in _read(p)}
    states = [r for p in sorted((landing / "agent_states").glob("*.csv")) for r in _read(p)]
    return legs, states, report


def _log(tmp_path: Path, lines: str, name: str = "queue_log") -> Path:
    path = tmp_path / name
    path.write_text("".join(f"{T + int(off)}|{rest}\n" for off, rest in (r.split("|", 1) for r in lines.split())))
    return path


def _at(offset: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(T + offset, UTC).isoformat().replace("+00:00", "Z")


@pytest.fixture(scope="module")
def fixture_import(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("aq")
    return _import(
        tmp,
        [FIXTURE / "queue_log"],
        member_map=read_member_map(FIXTURE / "member_map.csv"),
        pause_reasons={"Lunch": "lunch"},
    )


# Every leg, worked out by hand from the fixture (module docstring). queued/answered/ended as offsets.
# leg_id: (contact, queue, queued, answered, ended, agent, talk, hold, acw, end_reason, caller)
EXPECTED = {
    "1772438460.1/support/1": ("1772438460.1", "support", 60, 72, 172, "A1", "100", "", "", "customer_hangup", "01"),
    "1772438500.3/support/1": ("1772438500.3", "support", 100, None, 130, "", "0", "0", "0", "abandon", "02"),
    "1772438600.4/billing/1": ("1772438600.4", "billing", 200, None, 500, "", "0", "0", "0", "no_answer", ""),
    "1772438700.5/support/1": ("1772438700.5", "support", 300, None, 308, "", "0", "0", "0", "system", "04"),
    "1772438800.6/support/1": ("1772438800.6", "support", 400, 420, 620, "A2", "200", "", "", "agent_hangup", "05"),
    "1772439000.8/support/1": ("1772439000.8", "support", 600, 605, 725, "A1", "120", "", "", "transfer", "06"),
    "1772439000.8/billing/1": ("1772439000.8", "billing", 725, 740, 920, "A2", "180", "", "", "customer_hangup", "06"),
    "1772439200.12/billing/1": ("1772439200.12", "billing", 800, 806, 906, "A1", "100", "", "", "transfer", "07"),
    "1772439400.14/support/1": ("1772439400.14", "support", 1000, None, 1003, "", "0", "0", "0", "system", "08"),
    # CONNECT written at 3010, but its holdtime says 8: answered_at = 3000 + 8 (the vendor's wait wins)
    "1772441400.18/support/1": ("1772441400.18", "support", 3000, 3008, 3070, "A1", "62", "", "", "agent_hangup", "01"),
}  # fmt: skip


def test_every_leg_matches_the_hand_worked_values(fixture_import) -> None:
    legs, _, _ = fixture_import
    assert set(legs) == set(EXPECTED)
    for leg_id, (contact, queue, queued, answered, ended, agent, talk, hold, acw, reason, caller) in EXPECTED.items():
        leg = legs[leg_id]
        got = (leg["contact_id"], leg["queue"], leg["queued_at"], leg["answered_at"], leg["ended_at"], leg["agent_id"])
        want = (contact, queue, _at(queued), _at(answered) if answered is not None else "", _at(ended), agent)
        assert got == want, leg_id
        assert (leg["talk_seconds"], leg["hold_seconds"], leg["acw_seconds"]) == (talk, hold, acw), leg_id
        caller = f"+47910000{caller}" if caller else ""  # the table keeps the last two digits
        assert (leg["end_reason"], leg["caller_number"], leg["direction"]) == (reason, caller, "inbound"), leg_id


def test_transfer_to_another_queue_is_two_legs_of_one_contact(fixture_import) -> None:
    legs, _, _ = fixture_import
    contact = [leg for leg in legs.values() if leg["contact_id"] == "1772439000.8"]
    assert [(leg["queue"], leg["end_reason"]) for leg in sorted(contact, key=lambda r: r["queued_at"])] == [
        ("support", "transfer"),
        ("billing", "customer_hangup"),
    ]


def test_agent_states_one_agent_across_queues_with_the_pause_mid_shift(fixture_import) -> None:
    _, states, _ = fixture_import
    got = [(s["agent_id"], s["event_at"], s["state"], s["reason"]) for s in states]
    # Anna: added at 10 (ready), calls 72-172, 605-725, 806-906, lunch 1000-2800 (PAUSEALL + one PAUSE per queue:
    # one row), call 3010-3070, removed from both queues at 3600 (logged out after the second).
    anna = [(10, "ready", ""), (72, "talk", ""), (172, "ready", ""), (605, "talk", ""), (725, "ready", "")]
    anna += [(806, "talk", ""), (906, "ready", ""), (1000, "lunch", "Lunch"), (2800, "ready", "")]
    anna += [(3010, "talk", ""), (3070, "ready", ""), (3600, "logged_out", "")]
    # Bjorn: paused in billing only at 1100-1200 while still a support member: stays ready (no row).
    bjorn = [(20, "ready", ""), (420, "talk", ""), (620, "ready", ""), (740, "talk", ""), (920, "ready", "")]
    bjorn += [(3600, "logged_out", "")]
    want = [("A1", _at(t), s, r) for t, s, r in anna] + [("A2", _at(t), s, r) for t, s, r in bjorn]
    assert got == want


def test_skipped_events_and_disagreements_are_counted(fixture_import) -> None:
    _, _, report = fixture_import
    counted = {name.split(":")[0]: n for name, n in report.excluded.items()}
    assert counted == {
        "QUEUESTART": 1,
        "CONFIGRELOAD": 1,
        "RINGCANCELED": 1,
        "RINGNOANSWER": 1,
        "FULL": 1,
        "CLOSED": 1,
        "JOINEMPTY": 1,
    }
    assert report.quirks == {"CONNECT time disagrees with queued_at + holdtime by > 1 s (holdtime kept)": 1}
    assert report.input_rows == 49
    assert report.rows_written == {"calls": 10, "agent_states": 18}


def test_no_name_reaches_the_canonical_files(fixture_import) -> None:
    legs, states, report = fixture_import
    text = "".join(p.read_text() for p in report.files_written)
    for name in ("Anna", "Bjorn", "Kari", "Nordmann", "PJSIP"):
        assert name not in text


def test_member_names_without_a_member_map_are_an_error(tmp_path: Path) -> None:
    with pytest.raises(UnmappedMemberError, match=r"look like personal names .*queue_log:2"):
        _import(tmp_path, [FIXTURE / "queue_log"])
    with pytest.raises(UnmappedMemberError, match="not in the member map: 'Bjorn Dahl'"):
        _import(tmp_path, [FIXTURE / "queue_log"], member_map={k: v for k, v in MEMBERS.items() if k != "Bjorn Dahl"})
    assert not (tmp_path / "landing").exists()  # nothing written


def test_interfaces_need_no_member_map_and_agent_login_events(tmp_path: Path) -> None:
    log = _log(
        tmp_path,
        """0|NONE|NONE|Agent/3001|AGENTLOGIN|PJSIP/201
        5|NONE|NONE|Agent/3002|AGENTCALLBACKLOGIN|202@from-internal
        60|NONE|NONE|Agent/3001|AGENTLOGOFF|PJSIP/201|60
        70|NONE|NONE|Agent/3002|AGENTCALLBACKLOGOFF|202@from-internal|65|Autologoff""",
    )
    _, states, _ = _import(tmp_path, [log])
    assert [(s["agent_id"], s["event_at"], s["state"]) for s in states] == [
        ("Agent/3001", _at(0), "ready"),
        ("Agent/3001", _at(60), "logged_out"),
        ("Agent/3002", _at(5), "ready"),
        ("Agent/3002", _at(70), "logged_out"),
    ]


def test_pause_reason_without_a_map_is_aux_and_unpause_returns_to_ready(tmp_path: Path) -> None:
    log = _log(
        tmp_path,
        """0|NONE|q1|PJSIP/201|ADDMEMBER|
        10|NONE|q1|PJSIP/201|PAUSE|Training
        20|NONE|q1|PJSIP/201|UNPAUSE|
        30|NONE|q1|PJSIP/201|PAUSE|
        40|NONE|q1|PJSIP/201|PAUSE|Break
        50|NONE|q1|PJSIP/201|UNPAUSE|""",
    )
    _, states, _ = _import(tmp_path, [log], pause_reasons={"Break": "break"})
    assert [(s["event_at"], s["state"], s["reason"]) for s in states] == [
        (_at(0), "ready", ""),
        (_at(10), "aux", "Training"),
        (_at(20), "ready", ""),
        (_at(30), "aux", ""),  # a pause without a reason
        (_at(40), "break", "Break"),
        (_at(50), "ready", ""),
    ]


def test_queuemetrics_hold_verbs_give_hold_seconds_and_hold_state(tmp_path: Path) -> None:
    # answered at 10 after 10 s, on hold 40-70 and 100-110 (40 s), COMPLETECALLER at 210 with calltime 200:
    # Asterisk's calltime is the whole bridge, so talk = 200 - 40 = 160, hold = 40.
    log = _log(
        tmp_path,
        """0|c1|q1|NONE|ENTERQUEUE||+4791000001|1
        10|c1|q1|PJSIP/201|CONNECT|10|c2|1
        40|c1|q1|PJSIP/201|CALLERONHOLD|
        70|c1|q1|PJSIP/201|CALLEROFFHOLD|
        100|c1|q1|PJSIP/201|CALLERONHOLD|
        110|c1|q1|PJSIP/201|CALLEROFFHOLD|
        210|c1|q1|PJSIP/201|COMPLETECALLER|10|200|1""",
    )
    legs, states, _ = _import(tmp_path, [log])
    leg = legs["c1/q1/1"]
    assert (leg["talk_seconds"], leg["hold_seconds"], leg["acw_seconds"]) == ("160", "40", "")
    assert [(s["event_at"], s["state"]) for s in states] == [
        (_at(10), "talk"),
        (_at(40), "hold"),
        (_at(70), "talk"),
        (_at(100), "hold"),
        (_at(110), "talk"),
        (_at(210), "ready"),
    ]


def test_syscompat_agentdump_and_unknown_verbs(tmp_path: Path) -> None:
    log = _log(
        tmp_path,
        """0|c1|q1|NONE|ENTERQUEUE||+4791000001|1
        5|c1|q1|PJSIP/201|AGENTDUMP|
        9|c1|q1|PJSIP/201|SYSCOMPAT|
        10|c2|q1|NONE|DID|4721000000
        11|c2|q1|NONE|WHATEVER|x""",
    )
    legs, _, report = _import(tmp_path, [log])
    leg = legs["c1/q1/1"]
    assert (leg["answered_at"], leg["ended_at"], leg["end_reason"], leg["talk_seconds"]) == ("", _at(9), "system", "0")
    assert report.excluded["AGENTDUMP: member hung up during the announcement (the caller stays in the queue)"] == 1
    assert report.excluded["DID: QueueMetrics: dialled number of the call (not used)"] == 1
    assert report.excluded[f"WHATEVER: event type Tilsyn does not know (first at {log}:5)"] == 1


def test_the_vendor_durations_win_and_disagreements_are_counted(tmp_path: Path) -> None:
    # ABANDON written at 50 says waittime 45: ended_at = 0 + 45. COMPLETEAGENT written at 300 says calltime 200 after
    # an answer at 10: talk 200, ended_at the event's own time 300 (counted: 300 - 10 != 200).
    log = _log(
        tmp_path,
        """0|c1|q1|NONE|ENTERQUEUE||+4791000001|1
        50|c1|q1|NONE|ABANDON|1|1|45
        0|c2|q1|NONE|ENTERQUEUE||+4791000002|1
        10|c2|q1|PJSIP/201|CONNECT|10|x|1
        300|c2|q1|PJSIP/201|COMPLETEAGENT|10|200|1""",
    )
    legs, _, report = _import(tmp_path, [log])
    assert legs["c1/q1/1"]["ended_at"] == _at(45)
    assert (legs["c2/q1/1"]["talk_seconds"], legs["c2/q1/1"]["ended_at"]) == ("200", _at(300))
    assert report.quirks == {
        "ABANDON time disagrees with queued_at + waittime by > 1 s (waittime kept)": 1,
        "ending time disagrees with answered_at + calltime by > 1 s (calltime kept)": 1,
    }


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("60|c1|q1|NONE", r"queue_log:2: 4 field\(s\)"),
        ("x60|c1|q1|NONE|ABANDON|1|1|5", r"queue_log:2: field time: 'x\d+' is neither epoch seconds"),
        ("60|c1|q1|NONE|ABANDON|1|1|five", r"queue_log:2: ABANDON field data3 \(waittime\): 'five'"),
    ],
)
def test_bad_lines_are_errors_naming_file_line_and_field(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "queue_log"
    path.write_text(f"{T}|c1|q1|NONE|ENTERQUEUE||+4791000001|1\n{line.replace('60|', f'{T + 60}|', 1)}\n")
    with pytest.raises(ValueError, match=message):
        _import(tmp_path, [path])


def test_realtime_csv_dump_needs_the_time_zone_and_follows_the_dst_rule(tmp_path: Path) -> None:
    # Europe/Oslo: 2026-03-29 02:30 does not exist (clocks go 02:00 -> 03:00): read at +01:00 -> 01:30Z.
    # 2026-10-25 02:30 happens twice: the first (summer, +02:00) -> 00:30Z. 2026-03-02 09:00 -> 08:00Z.
    dump = tmp_path / "queue_log.csv"
    dump.write_text(
        "time,callid,queuename,agent,event,data1,data2,data3,data4,data5\n"
        "2026-03-02 09:00:00.250000,c1,q1,NONE,ENTERQUEUE,,+4791000001,1,,\n"
        "2026-03-02 09:00:20.250000,c1,q1,NONE,ABANDON,1,1,20,,\n"
        "2026-03-29 02:30:00,c2,q1,NONE,ENTERQUEUE,,+4791000002,1,,\n"
        "2026-03-29 02:30:10,c2,q1,NONE,ABANDON,1,1,10,,\n"
        "2026-10-25 02:30:00,c3,q1,NONE,ENTERQUEUE,,+4791000003,1,,\n"
        "2026-10-25 02:30:07,c3,q1,NONE,EXITWITHTIMEOUT,1,1,7,,\n"
    )
    with pytest.raises(ValueError, match=r"queue_log.csv:2: field time: .*--timezone"):
        _import(tmp_path, [dump])
    legs, _, report = _import(tmp_path, [dump], timezone="Europe/Oslo")
    assert legs["c1/q1/1"]["queued_at"] == "2026-03-02T08:00:00.250Z"
    assert legs["c2/q1/1"]["queued_at"] == "2026-03-29T01:30:00Z"
    assert legs["c3/q1/1"]["queued_at"] == "2026-10-25T00:30:00Z"
    assert report.quirks == {
        "local time skipped by a DST change (offset before the change taken)": 2,
        "local time repeated by a DST change (first occurrence taken)": 2,
    }


def test_realtime_dump_with_one_data_column_and_gzip(tmp_path: Path) -> None:
    dump = tmp_path / "queue_log.csv.gz"
    dump.write_bytes(
        gzip.compress(
            b"id,time,callid,queuename,agent,event,data\n"
            b'1,2026-03-02 09:00:00,c1,q1,NONE,ENTERQUEUE,"|+4791000001|1"\n'
            b'2,2026-03-02 09:00:09,c1,q1,PJSIP/201,CONNECT,"9|c9|1"\n'
            b'3,2026-03-02 09:01:09,c1,q1,PJSIP/201,COMPLETECALLER,"9|60|1"\n'
        )
    )
    legs, _, _ = _import(tmp_path, [dump], timezone="Europe/Oslo")
    leg = legs["c1/q1/1"]
    assert (leg["answered_at"], leg["talk_seconds"], leg["caller_number"]) == (
        "2026-03-02T08:00:09Z",
        "60",
        "+4791000001",
    )


def test_rotated_and_reimported_logs_key_every_leg_the_same(tmp_path: Path) -> None:
    whole = (FIXTURE / "queue_log").read_text().splitlines(keepends=True)
    older, newer = tmp_path / "queue_log.1", tmp_path / "queue_log"
    older.write_text("".join(whole[:19]))  # cut while calls 3 (billing timeout) and 5 (Bjorn's call) are open
    newer.write_text("".join(whole[19:]))
    mapping = read_member_map(FIXTURE / "member_map.csv")
    together, _, _ = _import(tmp_path / "together", [older, newer], member_map=mapping)
    first, _, report1 = _import(tmp_path / "first", [older], member_map=mapping)
    second, _, report2 = _import(tmp_path / "second", [newer], member_map=mapping)
    again, _, report_again = _import(tmp_path / "second", [newer], member_map=mapping)
    assert set(together) == set(EXPECTED)
    assert set(first) | set(second) == set(together)  # the legs open at the cut are written by the later import
    for leg_id, leg in {**first, **second}.items():
        # the same key and times; only a leg whose ENTERQUEUE was in the earlier file lacks the caller number
        assert {k: v for k, v in leg.items() if k != "caller_number"} == {
            k: v for k, v in together[leg_id].items() if k != "caller_number"
        }
    assert (
        report1.excluded["leg still in the queue or on a call at the end of the files (a later import writes it)"] == 2
    )
    assert report2.quirks["leg whose ENTERQUEUE is in an earlier file (queued_at from the stated durations)"] == 2
    assert report_again.files_written == report2.files_written  # same input, same file: loaded once


def test_simulator_writes_the_documented_arguments_for_every_call_path() -> None:
    sim = simulate_month(agents=4, days=1, start_epoch=T)
    verbs = set()
    for _, _, line in sim.lines:
        fields = line.split("|")
        assert re.fullmatch(r"\d+", fields[0]) and len(fields) >= 5, line
        verbs.add(fields[4])
        assert len(fields) - 5 == max(len(DOCUMENTED_ARGUMENTS[fields[4]]), 1), line
    assert verbs >= {"ENTERQUEUE", "CONNECT", "COMPLETECALLER", "COMPLETEAGENT", "ABANDON", "EXITWITHTIMEOUT"}
    assert verbs >= {"EXITWITHKEY", "RINGNOANSWER", "RINGCANCELED", "BLINDTRANSFER", "ATTENDEDTRANSFER", "PAUSE"}


def test_asternic_reference_counts_differ_from_tilsyn_where_the_note_says(fixture_import) -> None:
    # Asternic: answered = COMPLETECALLER + COMPLETEAGENT (calls 1, 5, 6's billing leg, 9 = 4), unanswered = ABANDON +
    # EXITWITHTIMEOUT (calls 2, 3 = 2). Tilsyn: answered = legs with an answer (those 4 + the two transferred legs
    # = 6), abandoned = offered legs never answered (calls 2, 3, 4 key exit, 8 exit empty = 4).
    counts = asternic_counts((FIXTURE / "queue_log").read_text())
    assert counts == {"answered": 4, "unanswered": 2, "mean_wait_seconds": (12 + 20 + 5 + 15 + 6 + 8) / 6}
    legs, _, _ = fixture_import
    assert sum(1 for leg in legs.values() if leg["answered_at"]) == 6
    assert sum(1 for leg in legs.values() if not leg["answered_at"]) == 4


def test_simulator_round_trip_counts(tmp_path: Path) -> None:
    sim = QueueLogSimulator()
    sim.answered(T, "q1", "PJSIP/201", "+4791000001", 12, 100)
    sim.abandoned(T + 5, "q1", "+4791000002", 30, ringing="PJSIP/202")
    sim.timeout(T + 6, "q1", "+4791000003", 300)
    sim.key_exit(T + 7, "q1", "+4791000004", 8)
    sim.ring_no_answer_then_answered(T + 8, "q1", "PJSIP/202", "PJSIP/201", "+4791000005", 15, 20, 60)
    sim.blind_transfer(T + 9, "q1", "PJSIP/203", "+4791000006", 5, 50, "q2", "PJSIP/202", 10, 40)
    sim.attended_transfer(T + 10, "q2", "PJSIP/204", "+4791000007", 6, 70)
    path = tmp_path / "queue_log"
    path.write_text(sim.text())
    legs, _, _ = _import(tmp_path, [path])
    assert sorted(leg["end_reason"] for leg in legs.values()) == sorted(
        ["customer_hangup", "abandon", "no_answer", "system", "agent_hangup", "transfer", "customer_hangup", "transfer"]
    )


def test_cli_lists_the_importer_and_names_the_line_of_a_name_without_a_map(tmp_path: Path, capsys, monkeypatch) -> None:
    from dagster_project.cli import build_parser, main

    monkeypatch.setenv("COLUMNS", "200")  # argparse wraps the help at the terminal's width
    assert "asterisk-queue-log" in build_parser().format_help()
    assert main(["import", "asterisk-queue-log", str(FIXTURE / "queue_log"), "--landing", str(tmp_path)]) == 2
    assert "queue_log:2" in capsys.readouterr().out
    args = ["import", "asterisk-queue-log", str(FIXTURE / "queue_log"), "--landing", str(tmp_path / "l")]
    args += ["--member-map", str(FIXTURE / "member_map.csv"), "--pause-reason", "Lunch=lunch"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "wrote 10 rows to calls" in out and "excluded 1: FULL:" in out


def test_two_changes_of_one_agent_in_one_instant_keep_one_row_even_between_other_agents(tmp_path: Path) -> None:
    # at 10: 201 connects, 202 is added, 201's call ends (calltime 0): 201 ends the instant as it began it (ready), so
    # it has no row at 10; at 20 the same with 202 added between a talk and a pause: 201's one row at 20 is the pause
    log = _log(
        tmp_path,
        """0|NONE|q1|PJSIP/201|ADDMEMBER|
        5|c1|q1|NONE|ENTERQUEUE||+4791000001|1
        10|c1|q1|PJSIP/201|CONNECT|5|c2|1
        10|NONE|q1|PJSIP/202|ADDMEMBER|
        10|c1|q1|PJSIP/201|COMPLETEAGENT|5|0|1
        15|c3|q1|NONE|ENTERQUEUE||+4791000002|1
        20|c3|q1|PJSIP/201|CONNECT|5|c4|1
        20|NONE|q1|PJSIP/202|PAUSE|
        20|c3|q1|PJSIP/201|COMPLETEAGENT|5|0|1
        20|NONE|q1|PJSIP/201|PAUSE|""",
    )
    _, states, report = _import(tmp_path, [log])
    assert [(s["agent_id"], s["event_at"], s["state"]) for s in states] == [
        ("PJSIP/201", _at(0), "ready"),
        ("PJSIP/201", _at(20), "aux"),
        ("PJSIP/202", _at(10), "ready"),
        ("PJSIP/202", _at(20), "aux"),
    ]
    assert report.quirks["agent_state_changes_in_the_same_instant (last kept)"] == 2


def test_a_member_added_paused_is_paused_until_unpaused(tmp_path: Path) -> None:
    # app_queue.c logs ADDMEMBER with data1 PAUSED for a member added paused; PAUSE then gives the reason
    log = _log(
        tmp_path,
        """0|NONE|q1|PJSIP/201|ADDMEMBER|PAUSED
        10|NONE|q1|PJSIP/201|UNPAUSE|
        20|NONE|q1|PJSIP/202|ADDMEMBER|""",
    )
    _, states, _ = _import(tmp_path, [log])
    assert [(s["agent_id"], s["event_at"], s["state"]) for s in states] == [
        ("PJSIP/201", _at(0), "aux"),
        ("PJSIP/201", _at(10), "ready"),
        ("PJSIP/202", _at(20), "ready"),
    ]


def test_transfer_of_older_asterisk_ends_the_leg_as_a_transfer(tmp_path: Path) -> None:
    # TRANSFER(extension|context|holdtime|calltime|origposition), written before Asterisk 12's BLIND/ATTENDED verbs
    log = _log(
        tmp_path,
        """0|c1|q1|NONE|ENTERQUEUE||+4791000001|1
        7|c1|q1|PJSIP/201|CONNECT|7|c2|1
        97|c1|q1|PJSIP/201|TRANSFER|2000|from-internal|7|90|1""",
    )
    legs, _, report = _import(tmp_path, [log])
    leg = legs["c1/q1/1"]
    assert (leg["answered_at"], leg["ended_at"], leg["talk_seconds"], leg["end_reason"]) == (
        _at(7),
        _at(97),
        "90",
        "transfer",
    )
    assert report.quirks == {}
