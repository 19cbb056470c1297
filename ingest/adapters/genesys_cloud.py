"""Adapter for Genesys Cloud analytics exports -> canonical `calls` and `agent_states`.

Inputs (any folder depth, any file name, optionally gzip-compressed; each file one JSON document, a JSON array, or
JSON objects one per line or back to back):
- conversation details: the response bodies of `POST /api/v2/analytics/conversations/details/query` (or of the
  asynchronous details job), i.e. objects `{"conversations": [...]}`, or single conversation objects;
- user details (optional): the response bodies of `POST /api/v2/analytics/users/details/query`, objects
  `{"userDetails": [...]}`, or single user objects with `primaryPresence` and `routingStatus` lists.
Field names follow the Genesys Cloud developer center ("Conversation Detail query", "Conversation Detail Data
Model", "User Status Detail query"); the fixtures' README cites the page of every field used.

Conversations. A conversation may be exported twice (an overlapping interval, a re-run query): copies are
deduplicated on `conversationId`, a finished copy (with `conversationEnd`) winning over an unfinished one, then the one
read last. Only `voice` sessions are read; every other media type (chat, email, message, callback, ...) is excluded and
counted. Each voice session of an `acd` participant that was offered (`nOffered`) is one inbound leg: a call
transferred from queue to queue is two legs of one contact. Each voice session of an `agent` participant with
direction `outbound` that no queue offered (the agent dialled, or a campaign did) is one outbound leg.

| canonical | conversation detail (inbound: the acd session of the leg, and the agent session that answered it) |
| --- | --- |
| leg_id | `conversationId` + `/` + the acd session's `sessionId` (outbound: the agent session's `sessionId`) |
| contact_id | `conversationId` |
| direction | `inbound` for an acd leg; `outbound` for an agent session with `direction` `outbound` and no acd leg |
| queue | the acd session's segment `queueId` (queue names are not in conversation details); empty for an inbound voice conversation that reached no queue and no agent (ended in the IVR: one leg, never offered, ended at `conversationEnd`, `customer_hangup` when the customer's `disconnectType` is `endpoint`, else `system`) |
| campaign | outbound: the session's `outboundCampaignId`, else the agent segment's `queueId`, else `manual` |
| caller_number | the customer (or external) participant's voice session `ani` (`tel:` prefix removed); outbound: its `dnis` |
| queued_at | the acd session's first `segmentStart` (the vendor's queue entry) |
| answered_at | `queued_at` + `tAcd` (the vendor's own wait); outbound: the agent's first `interact` segment start |
| ended_at | abandoned: `queued_at` + `tAbandon`; answered: the end of the agent's last non-wrapup segment (never before answered_at); not answered: `queued_at` + `tAcd` |
| dialed_at | outbound: the agent session's first segment start |
| agent_id | the answering agent participant's `userId` (the same id user details carry) |
| talk_seconds | `tTalkComplete`, else the sum of `tTalk` (ms, rounded to the second) |
| hold_seconds | `tHeldComplete`, else the sum of `tHeld` (0 when none) |
| acw_seconds | `tAcw` (0 when none) |
| outcome | the agent's wrapup segment `wrapUpCode` (an id; names are in the routing API) |
| end_reason | `tAbandon` -> `abandon`; answered: the agent's last non-wrapup segment `disconnectType`: `transfer*` -> `transfer`, `client` -> `agent_hangup`, `peer`/`endpoint` -> `customer_hangup`, else `system`; offered, neither answered nor abandoned (flow-out): `transfer` when the acd disconnect is a transfer, else `system`; outbound not answered -> `no_answer` |

Not written: `participantName`, `remote` and every other name field (personal data), `wrapUpNote` (free text), the
queue and agent names (not in the export). The ANI lands in `caller_number`, which the loader pseudonymises.

The vendor's own numbers win: `tAcd`/`tAbandon` set the wait, `tTalk`/`tHeld`/`tAcw` the durations. Where the
segment timestamps say otherwise (queue segment length vs the stated wait, interact/hold/wrapup segment lengths vs
tTalk/tHeld/tAcw; a difference of a second or more), the row is kept with the stated figure and counted in the report.

User details -> agent_states. For each user, the timeline of `primaryPresence` (`systemPresence`) and `routingStatus`
intervals is read; when conversations are given too, the agent's voice segments split interacting time into talk,
hold and after-call work. The state at each change point:
- a voice segment of the agent at that moment: `interact`/`dialing`/`contacting` -> talk, `hold`, `wrapup` -> acw;
- routing `INTERACTING`/`COMMUNICATING` (ringing, or no conversation given) -> talk;
- presence `ON_QUEUE`: routing `IDLE` (or none) -> ready, `NOT_RESPONDING` -> aux (reason `NOT_RESPONDING`);
- otherwise the presence through `DEFAULT_PRESENCE_MAPPING`, updated by the caller's `presence_mapping` (a presence
  the mapping does not name is an error listing each). `AVAILABLE` is off queue in Genesys: not ready, so `aux`.
A row is written when the state or reason changes; `reason` is the presence or routing status for aux-like states.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
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

DEFAULT_PRESENCE_MAPPING: dict[str, str] = {
    "OFFLINE": "logged_out",
    "AVAILABLE": "aux",  # signed in but off queue: receives no ACD calls
    "AWAY": "aux",
    "BUSY": "aux",
    "IDLE": "aux",
    "BREAK": "break",
    "MEAL": "lunch",
    "MEETING": "meeting",
    "TRAINING": "training",
}
INTERACTING = ("INTERACTING", "COMMUNICATING")
# Agent voice segments that say what the agent is doing, whatever the routing status (an agent-dialled call runs
# off queue). An `alert` (ringing) is not among them: routing status says it (INTERACTING, then NOT_RESPONDING).
SEGMENT_STATES = {"interact": "talk", "dialing": "talk", "contacting": "talk", "hold": "hold", "wrapup": "acw"}
AGENT_HANGUP = ("client",)
CUSTOMER_HANGUP = ("peer", "endpoint")
CALLER_PURPOSES = ("customer", "external")
DISAGREE_MS = 1000  # a stated duration and its timestamps "disagree" when they differ by a second or more


class UnmappedPresenceError(ValueError):
    """Presences of the user details that the presence mapping does not name."""


def _records(folder: Path, list_key: str, id_key: str) -> Iterator[tuple[str, dict]]:
    """The records of query responses (`{list_key: [...]}`), arrays of records, or single records."""
    for where, value in json_values(folder, skip_notes=True):
        items = value.get(list_key) if isinstance(value, dict) and list_key in value else value
        if isinstance(items, dict):
            items = [items]
        if not isinstance(items, list):
            raise ValueError(f"{where}: expected a JSON object or array, found {type(value).__name__}")
        for n, item in enumerate(items):
            if not isinstance(item, dict) or not item.get(id_key):
                raise ValueError(f"{where}: item {n} of {list_key!r} has no {id_key}")
            yield where, item


def _seconds(ms: float | None) -> int:
    return int((ms or 0) / 1000 + 0.5)


def _metrics(session: dict) -> dict[str, float]:
    """Metric name -> value, summed over repeated emissions (tTalk and tHeld are emitted per segment)."""
    out: dict[str, float] = {}
    for metric in session.get("metrics") or []:
        out[metric.get("name")] = out.get(metric.get("name"), 0) + (metric.get("value") or 0)
    return out


def _phone(address: str | None) -> str | None:
    if not address:
        return None
    return address.split(":", 1)[1] if address.lower().startswith(("tel:", "sip:")) else address


class _Session:
    """One voice session with its parsed segments (start, end, type, queueId, disconnectType, wrapUpCode)."""

    def __init__(self, participant: dict, session: dict, where: str) -> None:
        self.purpose = participant.get("purpose")
        self.user_id = participant.get("userId")
        self.session = session
        self.metrics = _metrics(session)
        self.segments = []
        for n, seg in enumerate(session.get("segments") or []):
            start = _timestamp(seg.get("segmentStart"), where, f"segments[{n}].segmentStart")
            if start is None:
                raise ValueError(f"{where}: session {session.get('sessionId')} segment {n} has no segmentStart")
            end = _timestamp(seg.get("segmentEnd"), where, f"segments[{n}].segmentEnd")
            self.segments.append((start, end, seg))
        self.segments.sort(key=lambda s: s[0])

    @property
    def start(self) -> datetime | None:
        return self.segments[0][0] if self.segments else None

    def seconds_in(self, *types: str) -> float:
        return sum(
            (
                (end - start).total_seconds() * 1000
                for start, end, seg in self.segments
                if end and seg.get("segmentType") in types
            ),
            0.0,
        )

    def first(self, field_name: str) -> str | None:
        return next((seg[field_name] for _s, _e, seg in self.segments if seg.get(field_name)), None)

    def last_call_segment(self) -> tuple[datetime, datetime | None, dict] | None:
        call = [s for s in self.segments if s[2].get("segmentType") != "wrapup"]
        return call[-1] if call else None


def end_reason_of(disconnect_type: str | None) -> str:
    """Canonical end_reason of an answered leg from its agent's last disconnectType."""
    kind = (disconnect_type or "").lower()
    if kind.startswith("transfer") or kind.endswith("transfer"):
        return "transfer"
    if kind in AGENT_HANGUP:
        return "agent_hangup"
    if kind in CUSTOMER_HANGUP:
        return "customer_hangup"
    return "system"


class _Counts:
    def __init__(self, report: ImportReport) -> None:
        self.report = report

    def excluded(self, reason: str, n: int = 1) -> None:
        self.report.excluded[reason] = self.report.excluded.get(reason, 0) + n

    def quirk(self, name: str, n: int = 1) -> None:
        self.report.quirks[name] = self.report.quirks.get(name, 0) + n


EXCLUDED_NON_VOICE = "non-voice session ({media}), not read"
EXCLUDED_UNFINISHED = "conversation without conversationEnd (not finished)"
EXCLUDED_NON_ACD = "inbound voice agent session not offered by a queue (direct or internal call)"
EXCLUDED_NO_ANSWER = "agent voice session that alerted and was not answered (the leg is the queue's)"
EXCLUDED_CONSULT = "agent-dialled voice session inside a queued conversation (consult), not a leg of its own"
QUIRK_WAIT = "wait_segment_disagrees_with_stated_wait (tAcd/tAbandon kept)"
QUIRK_TALK = "interact_segments_disagree_with_tTalk (tTalk kept)"
QUIRK_HOLD = "hold_segments_disagree_with_tHeld (tHeld kept)"
QUIRK_ACW = "wrapup_segments_disagree_with_tAcw (tAcw kept)"
QUIRK_NO_WAIT = "offered_without_tAcd_or_tAbandon (wait from the queue segment)"
QUIRK_ENDED = "call_end_before_stated_answer (ended_at = answered_at)"
QUIRK_IVR_ONLY = "voice conversation that reached no queue and no agent (kept, never offered)"
QUIRKS = (QUIRK_WAIT, QUIRK_TALK, QUIRK_HOLD, QUIRK_ACW, QUIRK_NO_WAIT, QUIRK_ENDED, QUIRK_IVR_ONLY)


def _agent_figures(agent: _Session, counts: _Counts) -> tuple[int, int, int]:
    """Talk, hold and ACW seconds as stated; a segment sum a second or more away is counted."""
    m = agent.metrics
    talk_ms = m.get("tTalkComplete", m.get("tTalk", 0))
    hold_ms = m.get("tHeldComplete", m.get("tHeld", 0))
    acw_ms = m.get("tAcw", 0)
    for stated, segment_ms, quirk in (
        (talk_ms, agent.seconds_in("interact"), QUIRK_TALK),
        (hold_ms, agent.seconds_in("hold"), QUIRK_HOLD),
        (acw_ms, agent.seconds_in("wrapup"), QUIRK_ACW),
    ):
        if abs(stated - segment_ms) >= DISAGREE_MS:
            counts.quirk(quirk)
    return _seconds(talk_ms), _seconds(hold_ms), _seconds(acw_ms)


def _conversation_legs(where: str, conversation: dict, counts: _Counts) -> tuple[list[dict], list[_Session]]:
    """The legs of one conversation, and its agents' voice sessions (for the agent states)."""
    cid = conversation["conversationId"]
    voice: list[_Session] = []
    for participant in conversation.get("participants") or []:
        for session in participant.get("sessions") or []:
            media = session.get("mediaType") or "unknown"
            if media != "voice":
                counts.excluded(EXCLUDED_NON_VOICE.format(media=media))
                continue
            voice.append(_Session(participant, session, f"{where} conversation {cid}"))
    if not voice:
        return [], []
    if not conversation.get("conversationEnd"):
        counts.excluded(EXCLUDED_UNFINISHED)
        return [], []
    caller = next((s.session for s in voice if s.purpose in CALLER_PURPOSES), {})
    offered = [s for s in voice if s.purpose == "acd" and s.metrics.get("nOffered")]
    if any(not s.segments for s in offered):
        raise ValueError(f"{where} conversation {cid}: an offered acd session has no segments (no queue entry time)")
    acd = sorted(offered, key=lambda s: s.start)
    agents = sorted((s for s in voice if s.purpose in ("agent", "user") and s.segments), key=lambda s: s.start)
    answered_by: dict[int, _Session] = {}
    used: set[int] = set()
    for i, queue_leg in enumerate(acd):
        queue_id = queue_leg.first("queueId")
        queue_end = queue_leg.segments[-1][1] or queue_leg.segments[-1][0]
        for j, agent in enumerate(agents):
            if j in used or "tAnswered" not in agent.metrics or agent.first("queueId") != queue_id:
                continue
            if queue_leg.start <= agent.start <= queue_end + timedelta(seconds=1):
                answered_by[i] = agent
                used.add(j)
                break

    legs = []
    for i, queue_leg in enumerate(acd):
        m = queue_leg.metrics
        queued = queue_leg.start
        segment_ms = ((queue_leg.segments[-1][1] or queued) - queued).total_seconds() * 1000
        stated_ms = m.get("tAbandon", m.get("tAcd"))
        if stated_ms is None:
            counts.quirk(QUIRK_NO_WAIT)
            stated_ms = segment_ms
        elif abs(stated_ms - segment_ms) >= DISAGREE_MS:
            counts.quirk(QUIRK_WAIT)
        wait = timedelta(milliseconds=stated_ms)
        agent = answered_by.get(i)
        answered = ended = None
        agent_id = outcome = None
        talk = hold = acw = 0
        if "tAbandon" in m:
            ended, reason = queued + wait, "abandon"
        elif agent is not None:
            answered = queued + wait
            last = agent.last_call_segment()
            ended = (last[1] or last[0]) if last else answered
            if ended < answered:
                counts.quirk(QUIRK_ENDED)
                ended = answered
            talk, hold, acw = _agent_figures(agent, counts)
            agent_id, outcome = agent.user_id, agent.first("wrapUpCode")
            reason = end_reason_of(last[2].get("disconnectType") if last else None)
        else:
            ended = queued + wait
            disconnect = (queue_leg.segments[-1][2].get("disconnectType") or "").lower()
            reason = "transfer" if "transfer" in disconnect else "system"
        legs.append(
            {
                "leg_id": f"{cid}/{queue_leg.session.get('sessionId')}",
                "contact_id": cid,
                "direction": "inbound",
                "queue": queue_leg.first("queueId"),
                "caller_number": _phone(caller.get("ani")),
                "queued_at": _iso(queued),
                "answered_at": _iso(answered),
                "ended_at": _iso(ended),
                "agent_id": agent_id,
                "talk_seconds": talk,
                "hold_seconds": hold,
                "acw_seconds": acw,
                "end_reason": reason,
                "outcome": outcome,
                "month": queued.strftime("%Y-%m"),
            }
        )

    for j, agent in enumerate(agents):
        if j in used:
            continue
        if agent.session.get("direction") != "outbound":
            counts.excluded(EXCLUDED_NO_ANSWER if "tAnswered" not in agent.metrics else EXCLUDED_NON_ACD)
            continue
        if acd:
            counts.excluded(EXCLUDED_CONSULT)
            continue
        interact = next((s for s in agent.segments if s[2].get("segmentType") == "interact"), None)
        dialed = agent.start
        last = agent.last_call_segment()
        ended = (last[1] or last[0]) if last else dialed
        answered = interact[0] if interact else None
        talk, hold, acw = _agent_figures(agent, counts) if answered else (0, 0, 0)
        legs.append(
            {
                "leg_id": f"{cid}/{agent.session.get('sessionId')}",
                "contact_id": cid,
                "direction": "outbound",
                "campaign": agent.session.get("outboundCampaignId") or agent.first("queueId") or "manual",
                "caller_number": _phone(agent.session.get("dnis") or caller.get("dnis")),
                "dialed_at": _iso(dialed),
                "answered_at": _iso(answered),
                "ended_at": _iso(max(ended, answered) if answered else ended),
                "agent_id": agent.user_id,
                "talk_seconds": talk,
                "hold_seconds": hold,
                "acw_seconds": acw,
                "end_reason": end_reason_of(last[2].get("disconnectType") if last else None)
                if answered
                else "no_answer",
                "outcome": agent.first("wrapUpCode"),
                "month": dialed.strftime("%Y-%m"),
            }
        )
    if not legs and caller and conversation.get("originatingDirection", "inbound") == "inbound":
        # Reached neither a queue nor an agent (ended in the IVR or a flow): kept as a leg never offered.
        counts.quirk(QUIRK_IVR_ONLY)
        caller_session = next(s for s in voice if s.session is caller)
        last = caller_session.segments[-1] if caller_session.segments else None
        ended = _timestamp(conversation["conversationEnd"], where, "conversationEnd")
        legs.append(
            {
                "leg_id": f"{cid}/{caller.get('sessionId')}",
                "contact_id": cid,
                "direction": "inbound",
                "caller_number": _phone(caller.get("ani")),
                "ended_at": _iso(ended),
                "talk_seconds": 0,
                "hold_seconds": 0,
                "acw_seconds": 0,
                "end_reason": "customer_hangup"
                if last and (last[2].get("disconnectType") or "").lower() == "endpoint"
                else "system",
                "month": ended.strftime("%Y-%m"),
            }
        )
    return legs, agents


def _legs(folder: Path, report: ImportReport) -> tuple[list[dict], dict[str, list]]:
    """Every conversation's legs, and each agent's voice segments (start, end, type), read one conversation at a time.

    Only the results of a conversation are kept, not its JSON, so memory follows the legs, not the export's size. A
    conversation exported twice keeps the results of its finished copy, else of the copy read last; the counts of a
    replaced copy are dropped with it.
    """
    kept: dict[str, tuple] = {}  # conversationId -> (finished, legs, segments, excluded, quirks)
    copies = 0
    for where, conversation in _records(folder, "conversations", "conversationId"):
        report.input_rows += 1
        cid = conversation["conversationId"]
        finished = bool(conversation.get("conversationEnd"))
        if cid in kept:
            copies += 1
            if kept[cid][0] and not finished:
                continue
        local = ImportReport(adapter=cid)
        conversation_legs, agents = _conversation_legs(where, conversation, _Counts(local))
        segments = [
            (agent.user_id, start, end, seg["segmentType"])
            for agent in agents
            if agent.user_id
            for start, end, seg in agent.segments
            if end is not None and seg.get("segmentType") in SEGMENT_STATES
        ]
        kept[cid] = (finished, conversation_legs, segments, local.excluded, local.quirks)
    report.excluded["copy of a conversation (deduplicated on conversationId, finished copy then last read wins)"] = (
        copies
    )
    for reason in (EXCLUDED_UNFINISHED, EXCLUDED_NON_ACD, EXCLUDED_NO_ANSWER, EXCLUDED_CONSULT):
        report.excluded.setdefault(reason, 0)
    for quirk in QUIRKS:
        report.quirks.setdefault(quirk, 0)
    legs: list[dict] = []
    segments_by_user: dict[str, list] = {}
    for _finished, conversation_legs, segments, excluded, quirks in kept.values():
        legs += conversation_legs
        for user_id, start, end, kind in segments:
            segments_by_user.setdefault(user_id, []).append((start, end, kind))
        for reason, n in excluded.items():
            report.excluded[reason] = report.excluded.get(reason, 0) + n
        for quirk, n in quirks.items():
            report.quirks[quirk] += n
    return legs, segments_by_user


def _intervals(items: list[dict], value_key: str, where: str, user: str) -> list[tuple[datetime, datetime | None, str]]:
    out = []
    for n, item in enumerate(items or []):
        start = _timestamp(item.get("startTime"), where, f"user {user} {value_key}[{n}].startTime")
        if start is None:
            raise ValueError(f"{where}: user {user} {value_key}[{n}] has no startTime")
        out.append(
            (
                start,
                _timestamp(item.get("endTime"), where, f"user {user} {value_key}[{n}].endTime"),
                item.get(value_key),
            )
        )
    return sorted(out, key=lambda x: x[0])


def _at(intervals: list, starts: list, t: datetime):
    i = bisect.bisect_right(starts, t) - 1
    if i < 0:
        return None
    start, end, value = intervals[i]
    return value if end is None or t < end else None


def _agent_state_rows(
    users_dir: Path, mapping: dict[str, str], segments_by_user: dict[str, list], report: ImportReport
) -> list[dict]:
    users: dict[str, tuple[str, dict]] = {}
    copies = 0
    for where, user in _records(users_dir, "userDetails", "userId"):
        report.input_rows += 1
        if user["userId"] in users:  # pages of one query, or overlapping queries: merge the intervals
            copies += 1
            seen = users[user["userId"]][1]
            for key in ("primaryPresence", "routingStatus"):
                seen[key] = (seen.get(key) or []) + (user.get(key) or [])
        else:
            users[user["userId"]] = (where, {k: list(v) if isinstance(v, list) else v for k, v in user.items()})
    report.excluded["user details split across pages or files (merged)"] = copies

    unknown: dict[str, list] = {}
    rows: list[dict] = []
    unchanged = 0
    for user_id in sorted(users):
        where, user = users[user_id]
        presence = sorted(set(_intervals(user.get("primaryPresence"), "systemPresence", where, user_id)))
        routing = sorted(set(_intervals(user.get("routingStatus"), "routingStatus", where, user_id)))
        segments = sorted(segments_by_user.get(user_id, []), key=lambda x: x[0])
        p_starts, r_starts, s_starts = [x[0] for x in presence], [x[0] for x in routing], [x[0] for x in segments]
        points = sorted(
            set(p_starts + r_starts + s_starts + [x[1] for x in presence + routing + segments if x[1] is not None])
        )
        previous = None
        for t in points:
            p, r = _at(presence, p_starts, t), _at(routing, r_starts, t)
            reason = None
            segment = _at(segments, s_starts, t)
            if segment in SEGMENT_STATES:
                state = SEGMENT_STATES[segment]
            elif r in INTERACTING:
                state = "talk"
            elif p is None:
                continue  # nothing known at this moment (before the first or between reported intervals)
            elif p == "ON_QUEUE":
                state, reason = ("aux", r) if r == "NOT_RESPONDING" else ("ready", None)
            elif p in mapping:
                state = mapping[p]
                reason = None if state in ("ready", "logged_out") else p
            else:
                entry = unknown.setdefault(str(p), [0, f"{where} user {user_id}"])
                entry[0] += 1
                continue
            if previous == (state, reason):
                unchanged += 1
                continue
            previous = (state, reason)
            rows.append(agent_state_row(user_id, t, state, reason))
    if unknown:
        raise UnmappedPresenceError(
            unmapped_states_message(unknown, "presence(s)", "presence mapping", "presence_mapping", "change(s)")
        )
    report.excluded["change point without a state change (segment or status boundaries inside one state)"] = unchanged
    return rows


def import_genesys_cloud(
    conversations_dir: Path,
    user_details_dir: Path | None,
    landing_dir: Path,
    presence_mapping: dict[str, str] | None = None,
    progress: Callable[[str], None] | None = print,
) -> ImportReport:
    """Translate Genesys Cloud conversation (and, when given, user) details into canonical landing files.

    Writes `<landing>/calls/genesys_cloud_<YYYY-MM>.csv` (by queue entry or dial month) and
    `<landing>/agent_states/genesys_cloud_<YYYY-MM>.csv`. Each run reads the whole export folders, so a month's
    file holds every record exported so far. Nothing is written when a presence is not in the mapping.
    """
    started = time.perf_counter()
    say = progress or (lambda _line: None)
    conversations_dir, landing_dir = Path(conversations_dir), Path(landing_dir)
    mapping = {**DEFAULT_PRESENCE_MAPPING, **{k.upper(): v for k, v in (presence_mapping or {}).items()}}
    check_state_mapping(mapping, "presence_mapping")
    check_export_folders((conversations_dir, user_details_dir), "Genesys Cloud")
    report = ImportReport(adapter=f"genesys_cloud {conversations_dir}")

    legs, segments_by_user = _legs(conversations_dir, report)
    say(
        f"genesys_cloud: {report.input_rows:,} conversations -> {len(legs):,} voice legs "
        f"in {time.perf_counter() - started:.1f} s"
    )
    states: list[dict] = []
    if user_details_dir is not None:
        read = report.input_rows
        states = _agent_state_rows(Path(user_details_dir), mapping, segments_by_user, report)
        say(
            f"genesys_cloud: {report.input_rows - read:,} user details -> {len(states):,} state changes "
            f"in {time.perf_counter() - started:.1f} s"
        )

    write_canonical_by_month({"calls": legs, "agent_states": states}, landing_dir, "genesys_cloud", report, say)
    report.elapsed_seconds = time.perf_counter() - started
    return report
