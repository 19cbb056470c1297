"""The Amazon Connect adapter on the hand-built fixture of tests/fixtures/amazon_connect/.

No real export is public, so the fixture was written by hand from the documented data models (contact records and
agent event stream of the Amazon Connect administrator guide). Its story, on 2026-03-02 (UTC):
- c-001: inbound to Support, anna answers after 30 s, 240 s talk, 20 s hold, 30 s ACW; delivered twice, the copy
  read last being the older one (LastUpdateTimestamp 08:05:01 < 08:05:31) and lacking ACW and outcome.
- c-002 -> c-003: bjorn answers in Support and transfers to Billing, where carla answers (InitialContactId c-002);
  c-003 is delivered again later with a newer LastUpdateTimestamp and an `outcome` attribute added.
- c-004: abandoned in Support after 90 s. c-005 -> c-006: the caller leaves Support for a queued callback, which
  carla takes from the Callbacks queue. c-009: ended in the flow (never queued).
- c-007: outbound by bjorn for campaign `renewals`, answered after 12 s, sale. c-008: outbound, not answered, with
  5 s of ACW (set to 0 as the contract asks). c-010: a chat (excluded).
- Agent events: anna and bjorn log in, go Available, take c-001 / c-002 (talk, hold, ACW), anna goes to Lunch and
  then to the custom status "Coffee run"; one heartbeat, one event delivered twice.
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from ingest.adapters.amazon_connect import UnmappedAgentStatusError, _json_objects, import_amazon_connect
from tests.support.landing_files import load_into_scratch, read_csv_rows

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "amazon_connect"
MAPPING = {"Lunch": "lunch", "Coffee run": "aux"}
T = "2026-03-02T"

# Every leg, worked out by hand from the fixture's records (times UTC).
EXPECTED_LEGS = {
    # leg    contact  dir        queue        campaign    caller          customer  queued_at  dialed_at answered  ended
    #        agent    talk hold acw end_reason         outcome
    "c-001": (
        "c-001",
        "inbound",
        "Support",
        "",
        "+4791234567",
        "C-1001",
        "08:00:10",
        "",
        "08:00:40",
        "08:05:00",
        "anna",
        "240",
        "20",
        "30",
        "customer_hangup",
        "resolved",
    ),
    "c-002": (
        "c-002",
        "inbound",
        "Support",
        "",
        "+4792000002",
        "C-2002",
        "08:02:00",
        "",
        "08:02:15",
        "08:04:00",
        "bjorn",
        "105",
        "0",
        "10",
        "transfer",
        "",
    ),
    "c-003": (
        "c-002",
        "inbound",
        "Billing",
        "",
        "+4792000002",
        "C-2002",
        "08:04:00",
        "",
        "08:04:30",
        "08:09:00",
        "carla",
        "255",
        "15",
        "45",
        "customer_hangup",
        "resolved",
    ),
    "c-004": (
        "c-004",
        "inbound",
        "Support",
        "",
        "+4790000004",
        "",
        "08:10:00",
        "",
        "",
        "08:11:30",
        "",
        "0",
        "0",
        "0",
        "abandon",
        "",
    ),
    "c-005": (
        "c-005",
        "inbound",
        "Support",
        "",
        "+4790000005",
        "C-5005",
        "08:12:00",
        "",
        "",
        "08:13:00",
        "",
        "0",
        "0",
        "0",
        "transfer",
        "",
    ),
    "c-006": (
        "c-005",
        "inbound",
        "Callbacks",
        "",
        "+4790000005",
        "C-5005",
        "08:13:00",
        "",
        "08:30:00",
        "08:36:00",
        "carla",
        "340",
        "0",
        "20",
        "agent_hangup",
        "callback",
    ),
    "c-007": (
        "c-007",
        "outbound",
        "",
        "renewals",
        "+4790000007",
        "C-7007",
        "",
        "09:00:00",
        "09:00:12",
        "09:03:00",
        "bjorn",
        "168",
        "0",
        "25",
        "customer_hangup",
        "sale",
    ),
    "c-008": (
        "c-008",
        "outbound",
        "",
        "Outbound",
        "+4790000008",
        "",
        "",
        "09:05:00",
        "",
        "09:05:30",
        "bjorn",
        "0",
        "0",
        "0",
        "no_answer",
        "",
    ),
    "c-009": ("c-009", "inbound", "", "", "+4790000009", "", "", "", "", "08:20:00", "", "0", "0", "0", "system", ""),
}

# anna: talk 08:00:40-08:02:00 (80 s) + 08:02:20-08:05:00 (160 s) = 240 s, hold 20 s, ACW 30 s: the CTR's figures.
EXPECTED_STATES = [
    ("anna", "07:55:00", "logged_out", ""),
    ("anna", "07:56:00.250", "ready", ""),
    ("anna", "08:00:40", "talk", ""),
    ("anna", "08:02:00", "hold", ""),
    ("anna", "08:02:20", "talk", ""),
    ("anna", "08:05:00", "acw", ""),
    ("anna", "08:05:30", "ready", ""),  # the 08:07:30 heartbeat changes nothing
    ("anna", "08:10:00", "lunch", "Lunch"),
    ("anna", "08:40:00", "aux", "Coffee run"),
    ("anna", "08:50:00", "ready", ""),
    ("anna", "09:00:00", "logged_out", ""),
    ("bjorn", "08:00:00", "logged_out", ""),
    ("bjorn", "08:00:05", "ready", ""),
    ("bjorn", "08:02:15", "talk", ""),  # c-002: 105 s of talk, then 10 s ACW
    ("bjorn", "08:04:00", "acw", ""),
    ("bjorn", "08:04:10", "ready", ""),
]


def _utc(clock: str) -> str:
    return f"{T}{clock}+00:00" if clock else ""


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    landing = tmp_path_factory.mktemp("landing")
    report = import_amazon_connect(FIXTURE / "ctr", FIXTURE / "agent_events", landing, MAPPING, progress=None)
    return landing, report


def test_every_leg_and_field_is_mapped(imported):
    landing, _ = imported
    legs = {r["leg_id"]: r for r in read_csv_rows(landing / "calls" / "amazon_connect_2026-03.csv")}
    assert set(legs) == set(EXPECTED_LEGS)  # c-010 (chat) excluded
    for leg_id, expected in EXPECTED_LEGS.items():
        (
            contact,
            direction,
            queue,
            campaign,
            caller,
            customer,
            queued,
            dialed,
            answered,
            ended,
            agent,
            talk,
            hold,
            acw,
            reason,
            outcome,
        ) = expected
        want = {
            "leg_id": leg_id,
            "contact_id": contact,
            "direction": direction,
            "queue": queue,
            "campaign": campaign,
            "caller_number": caller,
            "customer_id": customer,
            "queued_at": _utc(queued),
            "dialed_at": _utc(dialed),
            "answered_at": _utc(answered),
            "ended_at": _utc(ended),
            "agent_id": agent,
            "talk_seconds": talk,
            "hold_seconds": hold,
            "acw_seconds": acw,
            "end_reason": reason,
            "outcome": outcome,
            "notes": "",
        }
        assert legs[leg_id] == want, leg_id


def test_dedup_transfer_and_callback(imported):
    landing, report = imported
    legs = {r["leg_id"]: r for r in read_csv_rows(landing / "calls" / "amazon_connect_2026-03.csv")}
    # c-001's older copy (read last) lost to the newer one: ACW 30 and outcome kept; c-003's newer copy won.
    assert (legs["c-001"]["acw_seconds"], legs["c-001"]["outcome"]) == ("30", "resolved")
    assert legs["c-003"]["outcome"] == "resolved"
    excluded = report.excluded
    assert excluded["older copy of a contact record (deduplicated on ContactId by LastUpdateTimestamp)"] == 2
    assert excluded["non-voice contact (CHAT, TASK)"] == 1
    # The transfer: two legs, one contact; the first ends in `transfer`, the second is offered to Billing.
    assert [(legs[i]["contact_id"], legs[i]["queue"], legs[i]["end_reason"]) for i in ("c-002", "c-003")] == [
        ("c-002", "Support", "transfer"),
        ("c-002", "Billing", "customer_hangup"),
    ]
    # The callback is the second leg of c-005, queued in Callbacks for 17 minutes.
    assert (legs["c-006"]["contact_id"], legs["c-006"]["queue"]) == ("c-005", "Callbacks")
    assert report.quirks["durations_on_unanswered_leg (set to 0)"] == 1  # c-008's 5 s ACW
    assert report.input_rows == 12 + 18  # 12 contact records (2 copies), 18 agent events (1 copy)
    assert report.rows_written == {"calls": 9, "agent_states": 16}


def test_agent_states_from_statuses_and_contact_states(imported):
    landing, report = imported
    states = [
        (r["agent_id"], r["event_at"], r["state"], r["reason"])
        for r in read_csv_rows(landing / "agent_states" / "amazon_connect_2026-03.csv")
    ]
    assert states == [(agent, _utc(clock), state, reason) for agent, clock, state, reason in EXPECTED_STATES]
    assert report.excluded["duplicate agent event (same EventId)"] == 1
    assert report.excluded["agent event without a state change (heartbeats, configuration changes)"] == 1


def test_unknown_custom_status_is_a_clear_error_and_writes_nothing(tmp_path):
    with pytest.raises(UnmappedAgentStatusError) as error:
        import_amazon_connect(FIXTURE / "ctr", FIXTURE / "agent_events", tmp_path, {"Lunch": "lunch"}, progress=None)
    message = str(error.value)
    assert "'Coffee run' (1 event(s), first at " in message
    assert "tilsyn-agent-events-1-2026-03-02-09-05-00-5b6c7d8e:4" in message  # 4th line of the second file
    assert "{'Coffee run': 'aux'}" in message
    assert not any(tmp_path.rglob("*.csv"))
    # Without any mapping both custom statuses are listed.
    with pytest.raises(UnmappedAgentStatusError, match=r"'Coffee run'.*'Lunch'"):
        import_amazon_connect(FIXTURE / "ctr", FIXTURE / "agent_events", tmp_path, progress=None)
    with pytest.raises(ValueError, match=r"'Lunch': 'lunchtime'"):
        import_amazon_connect(FIXTURE / "ctr", None, tmp_path, {"Lunch": "lunchtime"}, progress=None)


def test_gzipped_objects_and_bad_json_name_the_file(tmp_path):
    ctr_dir = tmp_path / "ctr"
    shutil.copytree(FIXTURE / "ctr", ctr_dir)
    for path in list(ctr_dir.rglob("*-*")):
        if path.is_file():
            path.with_name(path.name + ".gz").write_bytes(gzip.compress(path.read_bytes()))
            path.unlink()
    report = import_amazon_connect(ctr_dir, None, tmp_path / "landing", progress=None)
    assert report.rows_written == {"calls": 9}

    bad = ctr_dir / "2026" / "03" / "02" / "10" / "broken"
    bad.parent.mkdir(parents=True)
    bad.write_text('{"ContactId": "c-100"}\n{"ContactId": \n')
    with pytest.raises(
        ValueError,
        match=r"broken: the JSON object starting at line 2 is not valid JSON: "
        r"Expecting value at line 3",
    ):
        import_amazon_connect(ctr_dir, None, tmp_path / "landing", progress=None)


def test_written_files_pass_the_loader(imported, tmp_path):
    landing, _ = imported
    load = load_into_scratch(landing, tmp_path)
    assert load.ok, load.lines()
    assert (load.sources["calls"].rows, load.sources["agent_states"].rows) == (9, 16)


def test_previous_contact_chain_and_agent_queue(tmp_path):
    # Two extra records, no InitialContactId: c-011 follows c-009, c-012 follows c-011 into an agent queue (no name,
    # no EnqueueTimestamp): both belong to contact c-009; c-012 is queued when carla answers.
    ctr_dir = tmp_path / "ctr"
    shutil.copytree(FIXTURE / "ctr", ctr_dir)
    agent_queue_arn = "arn:aws:connect:eu-west-1:123456789012:instance/i/queue/agent/carla-agent-id"
    extra = [
        {
            "ContactId": "c-011",
            "PreviousContactId": "c-009",
            "Channel": "VOICE",
            "InitiationMethod": "TRANSFER",
            "InitiationTimestamp": T + "08:20:00Z",
            "DisconnectTimestamp": T + "08:21:00Z",
            "LastUpdateTimestamp": T + "08:21:01Z",
            "DisconnectReason": "CONTACT_FLOW_DISCONNECT",
            "NextContactId": "c-012",
        },
        {
            "ContactId": "c-012",
            "PreviousContactId": "c-011",
            "Channel": "VOICE",
            "InitiationMethod": "TRANSFER",
            "InitiationTimestamp": T + "08:21:00Z",
            "DisconnectTimestamp": T + "08:25:00Z",
            "LastUpdateTimestamp": T + "08:25:01Z",
            "DisconnectReason": "CUSTOMER_DISCONNECT",
            "Queue": {"ARN": agent_queue_arn, "Name": None},
            "Agent": {
                "Username": "carla",
                "ConnectedToAgentTimestamp": T + "08:21:10Z",
                "AgentInteractionDuration": 230,
            },
        },
    ]
    (ctr_dir / "extra").write_text("\n".join(json.dumps(r) for r in extra))
    report = import_amazon_connect(ctr_dir, None, tmp_path / "landing", progress=None)
    legs = {r["leg_id"]: r for r in read_csv_rows(tmp_path / "landing" / "calls" / "amazon_connect_2026-03.csv")}
    assert [legs[i]["contact_id"] for i in ("c-009", "c-011", "c-012")] == ["c-009", "c-009", "c-009"]
    assert (legs["c-011"]["queue"], legs["c-011"]["end_reason"]) == ("", "transfer")
    assert (legs["c-012"]["queue"], legs["c-012"]["queued_at"], legs["c-012"]["answered_at"]) == (
        agent_queue_arn,
        _utc("08:21:10"),
        _utc("08:21:10"),
    )
    assert report.quirks["queue_without_name (agent queue: ARN used)"] == 1
    assert report.quirks["queue_without_enqueue_timestamp (queued_at = answered_at, else InitiationTimestamp)"] == 1


def test_stated_queue_duration_wins_and_disagreements_are_counted(tmp_path):
    # c-001 and c-004 re-delivered with a newer LastUpdateTimestamp and a Queue.Duration that the timestamps do not
    # match: c-001 says 25 s in queue (the agent connected 30 s after the enqueue), c-004 abandoned after 85 s (it
    # disconnected 90 s after). The stated figures win: answered 08:00:10 + 25 s = 08:00:35, ended 08:10:00 + 85 s =
    # 08:11:25; both rows are counted. The fixture's other records agree with their Duration.
    ctr_dir = tmp_path / "ctr"
    shutil.copytree(FIXTURE / "ctr", ctr_dir)
    records = {record["ContactId"]: record for _where, record in _json_objects(ctr_dir)}
    later = []
    for contact_id, duration in (("c-001", 25), ("c-004", 85)):
        record = json.loads(json.dumps(records[contact_id]))
        record["Queue"]["Duration"] = duration
        record["LastUpdateTimestamp"] = T + "10:00:00Z"
        later.append(json.dumps(record))
    (ctr_dir / "2026" / "03" / "02" / "09" / "zz-redelivered").write_text("\n".join(later) + "\n")
    report = import_amazon_connect(ctr_dir, None, tmp_path / "landing", progress=None)
    legs = {r["leg_id"]: r for r in read_csv_rows(tmp_path / "landing" / "calls" / "amazon_connect_2026-03.csv")}
    assert (legs["c-001"]["queued_at"], legs["c-001"]["answered_at"]) == (_utc("08:00:10"), _utc("08:00:35"))
    assert legs["c-001"]["ended_at"] == _utc("08:05:00")
    assert (legs["c-004"]["ended_at"], legs["c-004"]["end_reason"]) == (_utc("08:11:25"), "abandon")
    assert report.quirks["queue_timestamps_disagree_with_Queue.Duration (Duration kept)"] == 2
    clean = import_amazon_connect(FIXTURE / "ctr", None, tmp_path / "clean", progress=None)
    assert clean.quirks["queue_timestamps_disagree_with_Queue.Duration (Duration kept)"] == 0
