"""Adapter for Amazon Connect exports -> canonical `calls` and `agent_states`.

Inputs, as Kinesis Data Firehose delivers them to S3 (any folder depth, any file name, optionally gzip-compressed):
- contact trace records (CTRs), one JSON object per contact record, newline-separated or simply concatenated;
- the agent event stream, one JSON `AgentEvent` per event, the same way.
Field names follow the Amazon Connect administrator guide's "Contact records data model" and "Agent event streams
data model" (awsdocs/amazon-connect-admin-guide, `doc_source/ctr-data-model.md`, `agent-event-stream-model.md`).

Contact records. Connect delivers a record at least once and again when it changes: copies are deduplicated on
`ContactId`, keeping the highest `LastUpdateTimestamp` (on a tie, the one read last). Each record is one leg; the legs
of a transfer or a queued callback share `contact_id`.

| canonical | contact record |
| --- | --- |
| leg_id | `ContactId` |
| contact_id | `InitialContactId`; else the contact id at the start of the `PreviousContactId` chain; else `ContactId` |
| direction | `outbound` when `InitiationMethod` is `OUTBOUND` or `API` (a voice contact started by StartOutboundVoiceContact); else `inbound` (`INBOUND`, `TRANSFER`, `QUEUE_TRANSFER`, `CALLBACK`, `DISCONNECT`) |
| queue | inbound: `Queue.Name` (an agent queue has no name: its `Queue.ARN`); empty when the contact never queued (ended in the flow/IVR) |
| campaign | outbound: contact attribute `campaign`, else `Queue.Name` (the outbound queue) |
| caller_number | `CustomerEndpoint.Address` (E.164) |
| customer_id | contact attribute `customer_id` (Connect has no customer field of its own) |
| queued_at | inbound: `Queue.EnqueueTimestamp` (a queued record without it: `answered_at`, else `InitiationTimestamp`, counted) |
| dialed_at | outbound: `InitiationTimestamp` (when the dial started) |
| answered_at | inbound: `Queue.EnqueueTimestamp` + `Queue.Duration` (the vendor's own wait; without a Duration: `Agent.ConnectedToAgentTimestamp`); outbound: `ConnectedToSystemTimestamp` (the customer answered) |
| ended_at | `DisconnectTimestamp` (never before answered_at); an abandon: `Queue.EnqueueTimestamp` + `Queue.Duration` |
| agent_id | `Agent.Username` (the same name the agent event stream carries) |
| talk_seconds | `Agent.AgentInteractionDuration` |
| hold_seconds | `Agent.CustomerHoldDuration` |
| acw_seconds | `Agent.AfterContactWorkDuration` (talk, hold and ACW are 0 on a leg never answered, as the contract wants) |
| outcome | contact attribute `outcome` |
| end_reason | see `end_reason()`: `NextContactId` or `TransferCompletedTimestamp` -> `transfer`; outbound never answered -> `no_answer`; queued, never answered, `CUSTOMER_DISCONNECT`/none -> `abandon`; else by `DisconnectReason`: `CUSTOMER_DISCONNECT` -> `customer_hangup`, `AGENT_DISCONNECT`/`THIRD_PARTY_DISCONNECT`/`BARGED` -> `agent_hangup`, `TELECOM_PROBLEM`/`CONTACT_FLOW_DISCONNECT`/`OTHER`/`API`/`EXPIRED`/none -> `system` |

The vendor's own numbers win: where `ConnectedToAgentTimestamp` (or, for an abandon, `DisconnectTimestamp`) is a
second or more away from `EnqueueTimestamp + Duration`, the row keeps the stated Duration and is counted.

Excluded and counted: older copies of a record, non-voice channels (`CHAT`, `TASK`), supervisor `MONITOR` legs, and
records without a `DisconnectTimestamp` (not finished).

Agent events. Events are deduplicated on `EventId` and read per agent in `EventTimestamp` order. Each event's state is
taken from `CurrentAgentSnapshot`: a `VOICE` contact in state `CONNECTED` -> `talk`, `CONNECTED_ONHOLD` -> `hold`,
`ENDED` (the agent is in after-contact work) -> `acw` (in that order of precedence); else the agent status
`AgentStatus.Name` through the status mapping; a `LOGOUT` event -> `logged_out`. A row is written when the state or
reason changes (`event_at` = `EventTimestamp`, `agent_id` = `Configuration.Username`, `reason` = the status name for
states other than `ready` and `logged_out`); heartbeats and configuration changes write nothing and are counted.

Status mapping: `DEFAULT_STATUS_MAPPING` (`Available` -> `ready`, `Offline` -> `logged_out`) updated with the caller's
`status_mapping` (status name -> canonical state, e.g. `{"Lunch": "lunch", "Team huddle": "meeting"}`). A status the
mapping does not name is an error that lists every such status; map it to `aux` to accept it as other not-ready time.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

from ingest.adapters.json_exports import check_export_folders, json_values
from ingest.adapters.report import (
    ImportReport,
    agent_state_row,
    check_state_mapping,
    unmapped_states_message,
    write_canonical_by_month,
)
from ingest.adapters.timestamps import iso_text as _iso
from ingest.adapters.timestamps import parse_offset_timestamp as _timestamp

DEFAULT_STATUS_MAPPING: dict[str, str] = {"Available": "ready", "Offline": "logged_out"}
CUSTOMER_ID_ATTRIBUTE = "customer_id"
CAMPAIGN_ATTRIBUTE = "campaign"
OUTCOME_ATTRIBUTE = "outcome"
OUTBOUND_METHODS = ("OUTBOUND", "API")
CONTACT_STATES = {"CONNECTED": "talk", "CONNECTED_ONHOLD": "hold", "ENDED": "acw"}  # in order of precedence
DISCONNECT_REASONS = {
    "CUSTOMER_DISCONNECT": "customer_hangup",
    "AGENT_DISCONNECT": "agent_hangup",
    "THIRD_PARTY_DISCONNECT": "agent_hangup",  # the agent had left a third-party call; the far side ended it
    "BARGED": "agent_hangup",  # a supervisor disconnected the agent
    "TELECOM_PROBLEM": "system",
    "CONTACT_FLOW_DISCONNECT": "system",
    "OTHER": "system",
    "API": "system",
    "EXPIRED": "system",
}


QUIRK_QUEUE_DURATION = "queue_timestamps_disagree_with_Queue.Duration (Duration kept)"


class UnmappedAgentStatusError(ValueError):
    """Agent statuses of the event stream that the status mapping does not name."""


def _json_objects(folder: Path) -> Iterator[tuple[str, dict]]:
    """Every JSON object of every file under `folder` (sorted by path), with "file:line" of where it starts."""
    for where, obj in json_values(folder, noun="object"):
        if not isinstance(obj, dict):
            raise ValueError(f"{where}: expected a JSON object, found {type(obj).__name__}")
        yield where, obj


def end_reason(record: dict, is_outbound: bool, answered: bool) -> str:
    """Canonical end_reason of a contact record (mapping table in the module docstring)."""
    if record.get("NextContactId") or record.get("TransferCompletedTimestamp"):
        return "transfer"
    reason = record.get("DisconnectReason")
    if is_outbound and not answered:
        return "no_answer"
    if not is_outbound and not answered and record.get("Queue") and reason in (None, "CUSTOMER_DISCONNECT"):
        return "abandon"
    return DISCONNECT_REASONS.get(reason, "system") if reason else "system"


def _latest_records(ctr_dir: Path, report: ImportReport) -> dict[str, tuple[str, dict]]:
    latest: dict[str, tuple[str, dict]] = {}
    older = 0
    for where, record in _json_objects(ctr_dir):
        report.input_rows += 1
        contact_id = record.get("ContactId")
        if not contact_id:
            raise ValueError(f"{where}: contact record without ContactId")
        updated = _timestamp(record.get("LastUpdateTimestamp"), where, "LastUpdateTimestamp")
        if contact_id in latest:
            older += 1
            seen_where, seen = latest[contact_id]
            seen_updated = _timestamp(seen.get("LastUpdateTimestamp"), seen_where, "LastUpdateTimestamp")
            if updated is not None and seen_updated is not None and updated < seen_updated:
                continue
        latest[contact_id] = (where, record)
    report.excluded["older copy of a contact record (deduplicated on ContactId by LastUpdateTimestamp)"] = older
    return latest


def _legs(records: dict[str, tuple[str, dict]], report: ImportReport) -> list[dict]:
    def root(contact_id: str) -> str:
        """The first contact of a PreviousContactId chain, for records without InitialContactId."""
        seen = {contact_id}
        while (previous := records.get(contact_id, ("", {}))[1].get("PreviousContactId")) and previous not in seen:
            seen.add(previous)
            contact_id = previous
        return contact_id

    excluded = {
        "non-voice contact (CHAT, TASK)": 0,
        "supervisor MONITOR leg": 0,
        "contact record without DisconnectTimestamp (not finished)": 0,
    }
    quirks = {
        "queue_without_name (agent queue: ARN used)": 0,
        "unknown_disconnect_reason (mapped to system)": 0,
        "durations_on_unanswered_leg (set to 0)": 0,
        "queue_without_enqueue_timestamp (queued_at = answered_at, else InitiationTimestamp)": 0,
        QUIRK_QUEUE_DURATION: 0,
    }
    legs = []
    for contact_id, (where, r) in records.items():
        if r.get("Channel", "VOICE") != "VOICE":
            excluded["non-voice contact (CHAT, TASK)"] += 1
            continue
        if r.get("InitiationMethod") == "MONITOR":
            excluded["supervisor MONITOR leg"] += 1
            continue
        ended = _timestamp(r.get("DisconnectTimestamp"), where, "DisconnectTimestamp")
        if ended is None:
            excluded["contact record without DisconnectTimestamp (not finished)"] += 1
            continue
        agent = r.get("Agent") or {}
        queue = r.get("Queue") or {}
        attributes = r.get("Attributes") or {}
        is_outbound = r.get("InitiationMethod") in OUTBOUND_METHODS
        answered = _timestamp(
            r.get("ConnectedToSystemTimestamp") if is_outbound else agent.get("ConnectedToAgentTimestamp"),
            where,
            "ConnectedToSystemTimestamp" if is_outbound else "Agent.ConnectedToAgentTimestamp",
        )
        queue_name = queue.get("Name") or queue.get("ARN")
        queued = None
        if not is_outbound and queue_name:
            # The contract wants queued_at on every inbound leg with a queue; a record may lack it.
            queued = _timestamp(queue.get("EnqueueTimestamp"), where, "Queue.EnqueueTimestamp")
            if queued is None:
                quirks["queue_without_enqueue_timestamp (queued_at = answered_at, else InitiationTimestamp)"] += 1
                queued = answered or _timestamp(r.get("InitiationTimestamp"), where, "InitiationTimestamp")
        # The vendor's own wait wins: Queue.Duration (seconds in queue) sets the answer, or the end of a leg that left
        # the queue unanswered; timestamps a second or more away are counted.
        reason = end_reason(r, is_outbound, answered is not None)
        stated = queue.get("Duration")
        if queued is not None and stated is not None and queue.get("EnqueueTimestamp"):
            left_queue = queued + timedelta(seconds=int(stated))
            if answered is not None:
                if abs((answered - left_queue).total_seconds()) >= 1:
                    quirks[QUIRK_QUEUE_DURATION] += 1
                answered = left_queue
                ended = max(ended, answered)
            elif reason == "abandon":
                if abs((ended - left_queue).total_seconds()) >= 1:
                    quirks[QUIRK_QUEUE_DURATION] += 1
                ended = left_queue
        if queue and not queue.get("Name"):
            quirks["queue_without_name (agent queue: ARN used)"] += 1
        # The contract wants 0 talk/hold/ACW on a leg never answered (an agent may log ACW on an unanswered dial).
        durations = [
            int(agent.get(f) or 0)
            for f in ("AgentInteractionDuration", "CustomerHoldDuration", "AfterContactWorkDuration")
        ]
        if answered is None and any(durations):
            quirks["durations_on_unanswered_leg (set to 0)"] += 1
            durations = [0, 0, 0]
        if r.get("DisconnectReason") and r["DisconnectReason"] not in DISCONNECT_REASONS:
            quirks["unknown_disconnect_reason (mapped to system)"] += 1
        legs.append(
            {
                "leg_id": contact_id,
                "contact_id": r.get("InitialContactId") or root(contact_id),
                "direction": "outbound" if is_outbound else "inbound",
                "queue": None if is_outbound else queue_name,
                "campaign": (attributes.get(CAMPAIGN_ATTRIBUTE) or queue.get("Name")) if is_outbound else None,
                "caller_number": (r.get("CustomerEndpoint") or {}).get("Address"),
                "customer_id": attributes.get(CUSTOMER_ID_ATTRIBUTE),
                "queued_at": _iso(queued),
                "dialed_at": _iso(_timestamp(r.get("InitiationTimestamp"), where, "InitiationTimestamp"))
                if is_outbound
                else None,
                "answered_at": _iso(answered),
                "ended_at": _iso(ended),
                "agent_id": agent.get("Username") or (agent.get("ARN") or "").rsplit("/", 1)[-1] or None,
                "talk_seconds": durations[0],
                "hold_seconds": durations[1],
                "acw_seconds": durations[2],
                "end_reason": reason,
                "outcome": attributes.get(OUTCOME_ATTRIBUTE),
                "month": (_timestamp(r.get("InitiationTimestamp"), where, "InitiationTimestamp") or ended).strftime(
                    "%Y-%m"
                ),
            }
        )
    report.excluded.update(excluded)
    report.quirks.update(quirks)
    return legs


def _agent_state_rows(events_dir: Path, mapping: dict[str, str], report: ImportReport) -> list[dict]:
    events: dict[str, tuple[str, dict]] = {}
    duplicates = 0
    for where, event in _json_objects(events_dir):
        report.input_rows += 1
        event_id = event.get("EventId") or where
        if event_id in events:
            duplicates += 1
        events[event_id] = (where, event)
    report.excluded["duplicate agent event (same EventId)"] = duplicates

    unknown: dict[str, list] = {}  # status -> [count, first place seen]
    derived = []
    for where, event in events.values():
        snapshot = event.get("CurrentAgentSnapshot") or {}
        username = (snapshot.get("Configuration") or {}).get("Username") or (event.get("AgentARN") or "").rsplit(
            "/", 1
        )[-1]
        if not username:
            raise ValueError(f"{where}: agent event without Configuration.Username or AgentARN")
        event_at = _timestamp(event.get("EventTimestamp"), where, "EventTimestamp")
        if event_at is None:
            raise ValueError(f"{where}: agent event without EventTimestamp")
        contact_states = {c.get("State") for c in snapshot.get("Contacts") or [] if c.get("Channel") == "VOICE"}
        status = (snapshot.get("AgentStatus") or {}).get("Name")
        state, reason = None, None
        if event.get("EventType") == "LOGOUT":
            state = "logged_out"
        else:
            state = next((CONTACT_STATES[s] for s in CONTACT_STATES if s in contact_states), None)
        if state is None:
            if status not in mapping:
                entry = unknown.setdefault(str(status), [0, where])
                entry[0] += 1
                continue
            state = mapping[status]
            reason = None if state in ("ready", "logged_out") else status
        derived.append((username, event_at, state, reason))

    if unknown:
        raise UnmappedAgentStatusError(
            unmapped_states_message(unknown, "agent status(es)", "status mapping", "status_mapping", "event(s)")
        )

    rows: list[dict] = []
    previous: dict[str, tuple[str, str | None]] = {}
    unchanged = 0
    for username, event_at, state, reason in sorted(derived, key=lambda d: (d[0], d[1])):
        if previous.get(username) == (state, reason):
            unchanged += 1
            continue
        previous[username] = (state, reason)
        row = agent_state_row(username, event_at, state, reason)
        if rows and rows[-1]["agent_id"] == username and rows[-1]["event_at"] == row["event_at"]:
            rows[-1] = row  # two changes in the same instant: the later one is the state the agent is in
            report.quirks["agent_state_changes_in_the_same_instant (last kept)"] = (
                report.quirks.get("agent_state_changes_in_the_same_instant (last kept)", 0) + 1
            )
        else:
            rows.append(row)
    report.excluded["agent event without a state change (heartbeats, configuration changes)"] = unchanged
    return rows


def import_amazon_connect(
    ctr_dir: Path,
    agent_events_dir: Path | None,
    landing_dir: Path,
    status_mapping: dict[str, str] | None = None,
    progress: Callable[[str], None] | None = print,
) -> ImportReport:
    """Translate Amazon Connect CTRs (and, when given, the agent event stream) into canonical landing files.

    Writes `<landing>/calls/amazon_connect_<YYYY-MM>.csv` (by initiation month) and
    `<landing>/agent_states/amazon_connect_<YYYY-MM>.csv`. Each run reads the whole export folders, so a month's
    file always holds every record delivered so far. Nothing is written when a status is not in the mapping.
    """
    started = time.perf_counter()
    say = progress or (lambda _line: None)
    ctr_dir, landing_dir = Path(ctr_dir), Path(landing_dir)
    mapping = {**DEFAULT_STATUS_MAPPING, **(status_mapping or {})}
    check_state_mapping(mapping, "status_mapping")
    check_export_folders((ctr_dir, agent_events_dir), "Amazon Connect")
    report = ImportReport(adapter=f"amazon_connect {ctr_dir}")

    records = _latest_records(ctr_dir, report)
    legs = _legs(records, report)
    say(
        f"amazon_connect: {report.input_rows:,} contact records -> {len(legs):,} legs "
        f"in {time.perf_counter() - started:.1f} s"
    )
    states: list[dict] = []
    if agent_events_dir is not None:
        ctr_count = report.input_rows
        states = _agent_state_rows(Path(agent_events_dir), mapping, report)
        say(
            f"amazon_connect: {report.input_rows - ctr_count:,} agent events -> {len(states):,} state changes "
            f"in {time.perf_counter() - started:.1f} s"
        )

    write_canonical_by_month({"calls": legs, "agent_states": states}, landing_dir, "amazon_connect", report, say)
    report.elapsed_seconds = time.perf_counter() - started
    return report
