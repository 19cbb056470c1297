"""The Genesys Cloud adapter on the fixture of tests/fixtures/genesys_cloud/ (its README tells the story and cites the
API documentation of every field).

Expected rows are worked out by hand from the fixture's JSON (times UTC, 2 March 2026):
- conv-1: queued 08:00:10 + tAcd 30 s -> answered 08:00:40; the agent's last call segment ends 08:05:00; talk =
  tTalkComplete 240 s (= 80 + 160, the two tTalk emissions), hold tHeld 20 s, ACW tAcw 30 s.
- conv-2: two legs of one contact: 08:02:00 + 15 s -> 08:02:15, bjorn's interact ends 08:04:00 in a transfer; then
  08:04:00 + tAcd 30 s -> 08:04:30 (the queue segment says 31.5 s: counted, the stated wait kept), carla hangs up.
- conv-3: 08:10:00 + tAbandon 90 s -> ended 08:11:30, abandon. conv-7: flow-out after tAcd 60 s -> ended 08:21:00.
- conv-5/conv-6: outbound dials at 09:00:00 (answered 09:00:12) and 09:05:00 (never answered, ends 09:05:30).
- conv-10: ended in the IVR (customer disconnect `endpoint` at 09:31:10): one leg, no queue, never offered.
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from ingest.adapters.genesys_cloud import UnmappedPresenceError, import_genesys_cloud
from tests.support.landing_files import load_into_scratch, read_csv_rows

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "genesys_cloud"
T = "2026-03-02T"


def _utc(clock: str) -> str:
    return f"{T}{clock}+00:00" if clock else ""


# leg_id: (contact, direction, queue, campaign, caller, queued, dialed, answered, ended, agent, talk, hold, acw,
#          end_reason, outcome)
EXPECTED_LEGS = {
    "conv-1/acd-1": (
        "conv-1",
        "inbound",
        "queue-support",
        "",
        "+4791234567",
        "08:00:10",
        "",
        "08:00:40",
        "08:05:00",
        "user-anna",
        "240",
        "20",
        "30",
        "customer_hangup",
        "wrap-resolved",
    ),  # fmt: skip
    "conv-2/acd-2a": (
        "conv-2",
        "inbound",
        "queue-support",
        "",
        "+4792000002",
        "08:02:00",
        "",
        "08:02:15",
        "08:04:00",
        "user-bjorn",
        "105",
        "0",
        "10",
        "transfer",
        "wrap-transferred",
    ),  # fmt: skip
    "conv-2/acd-2b": (
        "conv-2",
        "inbound",
        "queue-billing",
        "",
        "+4792000002",
        "08:04:00",
        "",
        "08:04:30",
        "08:09:00",
        "user-carla",
        "255",
        "15",
        "45",
        "agent_hangup",
        "wrap-resolved",
    ),  # fmt: skip
    "conv-3/acd-3": (
        "conv-3",
        "inbound",
        "queue-support",
        "",
        "+4790000004",
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
    ),  # fmt: skip
    "conv-7/acd-7": (
        "conv-7",
        "inbound",
        "queue-support",
        "",
        "+4790000009",
        "08:20:00",
        "",
        "",
        "08:21:00",
        "",
        "0",
        "0",
        "0",
        "transfer",
        "",
    ),  # fmt: skip
    "conv-5/ag-5": (
        "conv-5",
        "outbound",
        "",
        "campaign-renewals",
        "+4790000007",
        "",
        "09:00:00",
        "09:00:12",
        "09:03:00",
        "user-bjorn",
        "168",
        "0",
        "25",
        "customer_hangup",
        "wrap-sale",
    ),  # fmt: skip
    "conv-10/s-cust-0011-09:30:00": (
        "conv-10",
        "inbound",
        "",
        "",
        "+4790000011",
        "",
        "",
        "",
        "09:31:10",
        "",
        "0",
        "0",
        "0",
        "customer_hangup",
        "",
    ),  # fmt: skip
    "conv-6/ag-6": (
        "conv-6",
        "outbound",
        "",
        "manual",
        "+4790000008",
        "",
        "09:05:00",
        "",
        "09:05:30",
        "user-bjorn",
        "0",
        "0",
        "0",
        "no_answer",
        "",
    ),  # fmt: skip
}

# Presence and routing intervals of the user details, split by the agents' voice segments:
# anna: ON_QUEUE/IDLE 07:56 ready; INTERACTING from 08:00:30 (alerting: talk), hold 08:02:00-08:02:20, wrapup
# 08:05:00-08:05:30 (acw); MEAL 08:10, BREAK 08:40, ON_QUEUE/IDLE 08:50, OFFLINE 09:00.
EXPECTED_STATES = [
    ("user-anna", "07:56:00", "ready", ""),
    ("user-anna", "08:00:30", "talk", ""),
    ("user-anna", "08:02:00", "hold", ""),
    ("user-anna", "08:02:20", "talk", ""),
    ("user-anna", "08:05:00", "acw", ""),
    ("user-anna", "08:05:30", "ready", ""),
    ("user-anna", "08:10:00", "lunch", "MEAL"),
    ("user-anna", "08:40:00", "break", "BREAK"),
    ("user-anna", "08:50:00", "ready", ""),
    ("user-anna", "09:00:00", "logged_out", ""),
    ("user-bjorn", "08:00:00", "ready", ""),
    ("user-bjorn", "08:02:10", "talk", ""),  # INTERACTING while conv-2 alerts, then the interact segment
    ("user-bjorn", "08:04:00", "acw", ""),
    ("user-bjorn", "08:04:10", "ready", ""),
    ("user-bjorn", "08:10:50", "talk", ""),  # conv-3 alerts him (INTERACTING) ...
    ("user-bjorn", "08:11:05", "aux", "NOT_RESPONDING"),  # ... and he does not answer
    ("user-bjorn", "08:11:20", "ready", ""),
    ("user-bjorn", "08:59:00", "aux", "AVAILABLE"),  # off queue
    ("user-bjorn", "09:00:00", "talk", ""),  # dialling conv-5 off queue: the voice segments say he works
    ("user-bjorn", "09:03:00", "acw", ""),
    ("user-bjorn", "09:03:25", "aux", "AVAILABLE"),
    ("user-bjorn", "09:05:00", "talk", ""),  # conv-6, dialling and contacting, never answered
    ("user-bjorn", "09:05:30", "aux", "AVAILABLE"),
    ("user-bjorn", "09:10:00", "logged_out", ""),
    ("user-carla", "08:00:00", "ready", ""),
    ("user-carla", "08:04:25", "talk", ""),
    ("user-carla", "08:05:00", "hold", ""),
    ("user-carla", "08:05:15", "talk", ""),
    ("user-carla", "08:09:00", "acw", ""),
    ("user-carla", "08:09:45", "ready", ""),  # from the second page of user details
    ("user-carla", "09:00:00", "logged_out", ""),
]


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    landing = tmp_path_factory.mktemp("landing")
    report = import_genesys_cloud(FIXTURE / "conversations", FIXTURE / "user_details", landing, progress=None)
    return landing, report


def test_every_leg_and_field_is_mapped(imported):
    landing, _ = imported
    legs = {r["leg_id"]: r for r in read_csv_rows(landing / "calls" / "genesys_cloud_2026-03.csv")}
    assert set(legs) == set(EXPECTED_LEGS)
    names = ("contact_id", "direction", "queue", "campaign", "caller_number", "queued_at", "dialed_at")
    names += ("answered_at", "ended_at", "agent_id", "talk_seconds", "hold_seconds", "acw_seconds", "end_reason")
    names += ("outcome",)
    for leg_id, expected in EXPECTED_LEGS.items():
        want = dict(zip(names, expected, strict=True))
        for column in ("queued_at", "dialed_at", "answered_at", "ended_at"):
            want[column] = _utc(want[column])
        got = {name: legs[leg_id][name] for name in names}
        assert got == want, leg_id
        assert legs[leg_id]["customer_id"] == legs[leg_id]["notes"] == ""


def test_transfer_is_two_legs_of_one_contact_and_stated_wait_wins(imported):
    landing, report = imported
    legs = [r for r in read_csv_rows(landing / "calls" / "genesys_cloud_2026-03.csv") if r["contact_id"] == "conv-2"]
    assert [(r["queue"], r["end_reason"]) for r in legs] == [
        ("queue-support", "transfer"),
        ("queue-billing", "agent_hangup"),
    ]
    # carla's queue segment lasted 31.5 s; tAcd says 30 s: answered_at = queued_at + 30 s, and the row is counted.
    assert legs[1]["answered_at"] == _utc("08:04:30")
    assert report.quirks["wait_segment_disagrees_with_stated_wait (tAcd/tAbandon kept)"] == 1
    for quirk in (
        "interact_segments_disagree_with_tTalk (tTalk kept)",
        "hold_segments_disagree_with_tHeld (tHeld kept)",
    ):
        assert report.quirks[quirk] == 0


def test_skipped_records_are_counted(imported):
    _, report = imported
    excluded = report.excluded
    assert excluded["non-voice session (chat), not read"] == 6  # the blueprint's two chats: 3 sessions each
    assert excluded["non-voice session (callback), not read"] == 2  # conv-9
    assert excluded["conversation without conversationEnd (not finished)"] == 1  # conv-8
    assert excluded["copy of a conversation (deduplicated on conversationId, finished copy then last read wins)"] == 1
    assert excluded["agent voice session that alerted and was not answered (the leg is the queue's)"] == 1  # conv-3
    assert excluded["user details split across pages or files (merged)"] == 1
    assert report.input_rows == 12 + 4  # 12 conversations (2 blueprint, 9 + 1 copy hand-written), 4 user objects
    assert report.rows_written == {"calls": 8, "agent_states": len(EXPECTED_STATES)}
    assert report.quirks["voice conversation that reached no queue and no agent (kept, never offered)"] == 1


def test_agent_states_from_presence_routing_and_segments(imported):
    landing, _ = imported
    states = [
        (r["agent_id"], r["event_at"], r["state"], r["reason"])
        for r in read_csv_rows(landing / "agent_states" / "genesys_cloud_2026-03.csv")
    ]
    assert states == [(agent, _utc(clock), state, reason) for agent, clock, state, reason in EXPECTED_STATES]


def test_names_and_free_text_never_land(imported):
    landing, _ = imported
    written = "".join(p.read_text() for p in landing.rglob("*.csv"))
    for personal in ("Kari Nordmann", "Anna Berg", "Bjorn Lie", "Ola Hansen", "John Doe", "Yuri", "4111"):
        assert personal not in written


def test_presence_mapping_override_and_unknown_presence(tmp_path):
    report = import_genesys_cloud(
        FIXTURE / "conversations", FIXTURE / "user_details", tmp_path / "a", {"meal": "break"}, progress=None
    )
    states = read_csv_rows(tmp_path / "a" / "agent_states" / "genesys_cloud_2026-03.csv")
    assert ("break", "MEAL") in {(r["state"], r["reason"]) for r in states}
    assert report.rows_written["agent_states"] == len(EXPECTED_STATES)

    users = tmp_path / "users"
    shutil.copytree(FIXTURE / "user_details", users)
    page = users / "2026-03-02-page-2.json"
    page.write_text(page.read_text().replace('"OFFLINE"', '"SICK_LEAVE"'))
    with pytest.raises(
        UnmappedPresenceError, match=r"'SICK_LEAVE' \(1 change\(s\), first at .*page-1.json:1 user user-carla"
    ):
        import_genesys_cloud(FIXTURE / "conversations", users, tmp_path / "b", progress=None)
    assert not (tmp_path / "b").exists()
    with pytest.raises(ValueError, match=r"'MEAL': 'supper'"):
        import_genesys_cloud(FIXTURE / "conversations", None, tmp_path / "c", {"MEAL": "supper"}, progress=None)


def test_single_conversations_arrays_gzip_and_bad_input_name_the_file(tmp_path):
    page = json.loads((FIXTURE / "conversations" / "2026-03-02-page-1.json").read_text())
    folder = tmp_path / "conversations"
    folder.mkdir()
    (folder / "one.json").write_text(json.dumps(page["conversations"][0]))  # a single conversation object
    (folder / "array.json.gz").write_bytes(gzip.compress(json.dumps(page["conversations"][1:3]).encode()))
    report = import_genesys_cloud(folder, None, tmp_path / "landing", progress=None)
    assert report.rows_written == {"calls": 4}  # conv-1, conv-2 (two legs), conv-3

    (folder / "broken.json").write_text('{"conversations": [\n{"conversationId": ')
    with pytest.raises(ValueError, match=r"broken.json: the JSON value starting at line 1 is not valid JSON"):
        import_genesys_cloud(folder, None, tmp_path / "landing", progress=None)
    (folder / "broken.json").unlink()
    # Read last, so this copy of conv-1 is the one kept, and its timestamp without an offset is an error.
    (folder / "zz-broken.json").write_text(
        json.dumps(page["conversations"][0]).replace("2026-03-02T08:00:10.000Z", "2026-03-02 08:00:10")
    )
    with pytest.raises(ValueError, match=r"zz-broken.json:1 conversation conv-1: field segments\[0\].segmentStart"):
        import_genesys_cloud(folder, None, tmp_path / "landing", progress=None)


def test_written_files_pass_the_loader(imported, tmp_path):
    landing, _ = imported
    load = load_into_scratch(landing, tmp_path)
    assert load.ok, load.lines()
    assert (load.sources["calls"].rows, load.sources["agent_states"].rows) == (8, len(EXPECTED_STATES))


def test_generated_export_imports_whole(tmp_path):
    # The generator behind the throughput figure (tests/support/genesys_cloud.py): every voice leg it wrote lands, every
    # chat is skipped, and no stated figure disagrees with its segments (the generator writes them consistent).
    from tests.support.genesys_cloud import write_genesys_export

    made = write_genesys_export(tmp_path / "export", agents=3, days=2)
    report = import_genesys_cloud(
        tmp_path / "export" / "conversations", tmp_path / "export" / "user_details", tmp_path / "landing", progress=None
    )
    assert report.rows_written["calls"] == made.voice_legs
    assert report.excluded["non-voice session (chat), not read"] == made.chats
    assert report.input_rows == made.conversations + made.user_details
    assert not any(report.quirks.values()), report.quirks
    assert report.rows_written["agent_states"] > 0
    legs = read_csv_rows(next((tmp_path / "landing" / "calls").glob("*.csv")))
    assert sum(1 for leg in legs if leg["answered_at"]) == made.answered_legs
