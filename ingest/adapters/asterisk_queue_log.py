"""Adapter for Asterisk's `queue_log` (FreePBX, Issabel, Wazo, PBXware, VICIdial) -> `calls` and `agent_states`.

Inputs (any number of files, read together, each plain or gzip-compressed):
- the `queue_log` file: `time|callid|queuename|agent|event|data1|data2|...`, `time` in Unix epoch seconds (UTC);
- the realtime table's CSV dump (`time,callid,queuename,agent,event,data1,...,data5`, or one `data` column holding
  the arguments joined by `|`). Its `time` is the database server's local time without an offset, so this form needs
  `timezone`. DST rule: a local time that occurs twice (the hour the clocks go back) is read as the first occurrence
  (summer time); a local time that does not exist (the hour the clocks go forward) is read with the offset in force
  before the change, i.e. it lands one hour later on the wall clock. Both are counted in the report. A timestamp that
  carries an offset is read as such.
Format reference: Asterisk's documentation (`docs/Operation/Logging/Queue-Logs.md` of asterisk/documentation) and
`apps/app_queue.c` (`set_member_paused`: a pause without a queue logs PAUSEALL/UNPAUSEALL with queue `NONE` and the
reason, then PAUSE/UNPAUSE per queue with the reason in data1, all with the member name; ADDMEMBER's data1 is `PAUSED`
for a member added paused; ADDMEMBER/REMOVEMEMBER carry the interface unless `log_membername_as_agent`);
QueueMetrics' additional verbs (Loway, "Additional queue_log logs").

Calls. Every ENTERQUEUE starts a leg; the leg ends at the call's next ending event in that queue. The legs of one
caller channel (`callid`, Asterisk's uniqueid) are one contact: a call transferred into another queue enters it with
the same uniqueid, so it becomes a second leg of the same contact. `leg_id` = `<callid>/<queue>/<n>` (n counts the
call's entries into that queue, from 1), so the same call read again from an overlapping or rotated log gets the same
key and the landing's latest-file-wins rule keeps it once. The vendor's own durations win: `queued_at` is the
ENTERQUEUE time, `answered_at` = `queued_at` + CONNECT's holdtime, an unanswered leg's `ended_at` = `queued_at` + the
stated waittime, talk = the stated calltime (less QueueMetrics hold, which Asterisk's calltime includes). Every row
whose own timestamps disagree with those durations by more than 1 s is counted in the report.

Mapping (event(arguments): what it becomes):
- ENTERQUEUE(url|callerid|origposition[|calleridname]): a new leg with `queue`, `queued_at` and `caller_number` =
  callerid (empty, `anonymous`, `unknown` -> empty); the caller's name is never read.
- CONNECT(holdtime|bridgeduniqueid|ringtime): `answered_at` = queued_at + holdtime, `agent_id`; agent -> `talk`.
- COMPLETECALLER / COMPLETEAGENT(holdtime|calltime|origposition): the leg ends `customer_hangup` / `agent_hangup`,
  `talk_seconds` = calltime, `ended_at` = the event's time; the agent leaves `talk`.
- TRANSFER(exten|context|holdtime|calltime|origposition), BLINDTRANSFER (same), ATTENDEDTRANSFER(method|data|
  holdtime|calltime|origposition): the leg ends `transfer`, talk = calltime; the agent leaves `talk`.
- ABANDON(position|origposition|waittime): the leg ends `abandon`, `ended_at` = queued_at + waittime.
- EXITWITHTIMEOUT(position|origposition|waittime): ends `no_answer` (queue timeout), as ABANDON.
- EXITWITHKEY(key|position|origposition|waittime): ends `system` (the caller left by a menu key), as ABANDON.
- EXITEMPTY(position|origposition|waittime): ends `system` (no reachable members), as ABANDON.
- SYSCOMPAT: the leg ends `system`, unanswered (channels incompatible).
- CALLERONHOLD / CALLEROFFHOLD (QueueMetrics): `hold_seconds` of the leg (sum of hold spans); agent -> `hold`/`talk`.
- PAUSE(reason) / PAUSEALL(reason): the agent is paused: `aux` with the reason as `reason`, or the state the
  pause-reason map gives (`Lunch=lunch`). UNPAUSE / UNPAUSEALL: no longer paused -> `ready` (or `talk` on a call).
- AGENTLOGIN, AGENTCALLBACKLOGIN, ADDMEMBER: logged in (`ready`; ADDMEMBER(PAUSED): paused in that queue).
  AGENTLOGOFF, AGENTCALLBACKLOGOFF: `logged_out`. REMOVEMEMBER: `logged_out` when in no other queue.
- Skipped and counted: RINGNOANSWER, RINGCANCELED, AGENTDUMP (ring attempts: the caller stays in the queue, or an
  ABANDON follows); QUEUESTART, CONFIGRELOAD (system events); FULL, CLOSED, JOINEMPTY (Wazo: the call never entered
  the queue, so it is never offered); DID, INFO, CALLSTATUS, PAUSEREASON (QueueMetrics); any other verb, counted
  under its name with the line it first appears on.

A leg's `hold_seconds` is empty unless the input holds QueueMetrics' hold verbs, and `acw_seconds` is always empty:
Asterisk never logs after-call work (`wrapuptime` is not logged), so the handle time of these legs is talk only and
the marts say so (`fct_contact_legs.has_hold_and_wrap_data`). Unanswered legs have talk, hold and ACW 0.

Agents. The agent field is a member interface (`PJSIP/1001`, `Agent/3001`) or, with `log_membername_as_agent`, the
member's name: personal data. `member_map` (member -> agent id, several members may map to one agent) translates it;
then only ids are written. Without a map, a member that looks like a name (a space, or no `/` and not all digits) is
an error, so a name never lands in `calls` or `agent_states`. A member of several queues is one agent: its state is
derived from all its queues (paused when paused in every queue it is known to be a member of, or by PAUSEALL).
Agent state rows are written when the state or reason changes; two changes in the same instant keep the later.

Errors name file, line and field: a line with fewer than 5 fields, a time that is not a number (or, in the CSV form,
a local timestamp without `timezone`), a duration argument that is not a whole number.
"""

from __future__ import annotations

import csv
import functools
import gzip
import hashlib
import io
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl

from ingest.adapters.report import ImportReport, check_state_mapping, write_canonical

FILE_PREFIX = "asterisk_queue_log"
DISAGREEMENT_TOLERANCE_SECONDS = 1.0

# event -> (end_reason, index of the waittime argument) for legs that leave the queue unanswered
UNANSWERED_ENDS = {
    "ABANDON": ("abandon", 2),
    "EXITWITHTIMEOUT": ("no_answer", 2),
    "EXITWITHKEY": ("system", 3),
    "EXITEMPTY": ("system", 2),
}
# event -> (end_reason, index of holdtime, index of calltime) for answered legs
ANSWERED_ENDS = {
    "COMPLETECALLER": ("customer_hangup", 0, 1),
    "COMPLETEAGENT": ("agent_hangup", 0, 1),
    "TRANSFER": ("transfer", 2, 3),
    "BLINDTRANSFER": ("transfer", 2, 3),
    "ATTENDEDTRANSFER": ("transfer", 2, 3),
}
LOGIN_EVENTS = ("AGENTLOGIN", "AGENTCALLBACKLOGIN", "ADDMEMBER")
LOGOFF_EVENTS = ("AGENTLOGOFF", "AGENTCALLBACKLOGOFF")
SKIPPED_EVENTS = {
    "RINGNOANSWER": "ring attempt not answered by the member (the caller stays in the queue)",
    "RINGCANCELED": "ring attempt canceled by the caller's hang-up (an ABANDON follows)",
    "AGENTDUMP": "member hung up during the announcement (the caller stays in the queue)",
    "QUEUESTART": "system event (queueing started)",
    "CONFIGRELOAD": "system event (configuration reloaded)",
    "FULL": "call refused: queue full (never entered the queue, never offered)",
    "CLOSED": "call refused: queue closed (never entered the queue, never offered)",
    "JOINEMPTY": "call refused: no members (never entered the queue, never offered)",
    "DID": "QueueMetrics: dialled number of the call (not used)",
    "INFO": "QueueMetrics: informational line (not used)",
    "CALLSTATUS": "QueueMetrics: call status code (not used)",
    "PAUSEREASON": "QueueMetrics: pause code of an earlier PAUSE (the PAUSE's own reason is used)",
}
NO_CALLER = {"", "anonymous", "unknown", "restricted", "private", "none"}
_NAME_LIKE = re.compile(r"\s|^[^/]*[^/\d][^/]*$")  # a space, or no "/" and not only digits


class UnmappedMemberError(ValueError):
    """Queue members that look like personal names (or are missing from the member map)."""


@dataclass(slots=True)
class Event:
    at: datetime  # UTC
    callid: str
    queue: str
    member: str
    verb: str
    args: list[str]
    path: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class _Leg:
    callid: str
    queue: str
    number: int
    queued_at: datetime | None
    caller: str | None = None
    connect: Event | None = None
    hold_started: datetime | None = None
    hold_seconds: float = 0.0
    agent: str | None = None


@dataclass
class _Agent:
    logged_in: bool | None = None
    queues: set[str] = field(default_factory=set)
    paused: set[str] = field(default_factory=set)  # queues paused in; "*" for PAUSEALL
    pause_reason: str | None = None
    on_call: str | None = None  # talk / hold


# --- reading ----------------------------------------------------------------------------------------------------------
def _open_text(path: Path) -> str:
    data = path.read_bytes()
    return (gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data).decode("utf-8", errors="replace")


def _local_to_utc(text: str, zone: ZoneInfo | None, where: str, report: ImportReport) -> datetime:
    try:
        parsed = datetime.fromisoformat(text.strip().replace("/", "-"))
    except ValueError:
        raise ValueError(f"{where}: field time: {text!r} is neither epoch seconds nor a timestamp") from None
    if parsed.tzinfo is not None:
        return parsed.astimezone(UTC)
    if zone is None:
        raise ValueError(
            f"{where}: field time: {text!r} is a local time without an offset (the realtime table's form): "
            "give the time zone of the database server (--timezone Europe/Oslo)"
        )
    first = parsed.replace(tzinfo=zone, fold=0)
    second = parsed.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        # fold=0 is the first occurrence of a repeated time, and the pre-change offset for a skipped one
        round_trip = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        name = "local time repeated by a DST change (first occurrence taken)"
        if round_trip != parsed:
            name = "local time skipped by a DST change (offset before the change taken)"
        report.quirks[name] = report.quirks.get(name, 0) + 1
    return first.astimezone(UTC)


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line number, [time, callid, queue, agent, event, args...]) of a queue_log file or realtime CSV dump."""
    text = _open_text(path)
    first = text.split("\n", 1)[0].lower()
    if "," in first and "callid" in first and "event" in first:
        reader = csv.reader(io.StringIO(text))
        header = [h.strip().lower() for h in next(reader)]
        index = {name: i for i, name in enumerate(header)}
        missing = [c for c in ("time", "callid", "queuename", "agent", "event") if c not in index]
        if missing:
            raise ValueError(f"{path}:1: realtime queue_log CSV without column(s) {', '.join(missing)}")
        data_columns = sorted((c for c in index if re.fullmatch(r"data\d+", c)), key=lambda c: int(c[4:]))
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            cells = [row[index[c]] if index[c] < len(row) else "" for c in ("time", "callid", "queuename", "agent")]
            cells.append(row[index["event"]] if index["event"] < len(row) else "")
            if data_columns:
                args = [row[index[c]] if index[c] < len(row) else "" for c in data_columns]
            elif "data" in index and index["data"] < len(row):
                args = row[index["data"]].split("|")
            else:
                args = []
            yield line, cells + args
        return
    for line, raw in enumerate(text.splitlines(), start=1):
        if raw.strip():
            yield line, raw.rstrip("\r").split("|")


def read_events(paths: Iterable[Path], timezone: str | None, report: ImportReport) -> list[Event]:
    """Every event of every file, in time order (a stable sort: lines of the same instant keep file order)."""
    zone = ZoneInfo(timezone) if timezone else None
    events: list[Event] = []
    for path in paths:
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"{path}: queue_log file not found")
        name = str(path)
        for line, cells in _rows(path):
            report.input_rows += 1
            if len(cells) < 5:
                where = f"{path}:{line}"
                raise ValueError(
                    f"{where}: {len(cells)} field(s); a queue_log line is time|callid|queuename|agent|event|data..."
                )
            try:
                at = datetime.fromtimestamp(float(cells[0]), UTC)
            except ValueError:
                at = _local_to_utc(cells[0], zone, f"{path}:{line}", report)
            verb = cells[4].strip().upper()
            events.append(Event(at, cells[1].strip(), cells[2].strip(), cells[3].strip(), verb, cells[5:], name, line))
    events.sort(key=lambda e: e.at)
    return events


def _seconds(event: Event, index: int, name: str) -> int:
    value = event.args[index].strip() if index < len(event.args) else ""
    if not (value.isascii() and value.isdigit()):
        raise ValueError(f"{event.where}: {event.verb} field data{index + 1} ({name}): {value!r} is not whole seconds")
    return int(value)


# --- agents -----------------------------------------------------------------------------------------------------------
def _agent_ids(events: list[Event], member_map: dict[str, str] | None) -> dict[str, str]:
    members = sorted({e.member for e in events if e.member and e.member.upper() != "NONE"})
    if member_map is not None:
        unmapped = [m for m in members if m not in member_map]
        if unmapped:
            raise UnmappedMemberError(
                f"queue member(s) not in the member map: {', '.join(repr(m) for m in unmapped[:20])}"
                f"{' ...' if len(unmapped) > 20 else ''}. Add a line `member,agent_id` for each."
            )
        return {m: member_map[m] for m in members}
    names = [m for m in members if _NAME_LIKE.search(m)]
    if names:
        first = next(e.where for e in events if e.member == names[0])
        raise UnmappedMemberError(
            f"{len(names)} queue member(s) look like personal names (log_membername_as_agent), first at {first}: "
            "give a member map (--member-map FILE with columns member,agent_id) so that only ids are written"
        )
    return {m: m for m in members}


def _state(agent: _Agent, reasons: dict[str, str]) -> tuple[str, str | None]:
    if agent.logged_in is False:
        return "logged_out", None
    if agent.on_call:
        return agent.on_call, None
    paused = "*" in agent.paused or (agent.paused and agent.queues <= agent.paused)
    if paused:
        reason = agent.pause_reason or None
        return reasons.get(reason or "", "aux"), reason
    return "ready", None


# --- the import -------------------------------------------------------------------------------------------------------
def _bump(counter: dict[str, int], name: str, n: int = 1) -> None:
    counter[name] = counter.get(name, 0) + n


@functools.lru_cache(maxsize=4096)  # a leg's times recur in its agent's state rows
def _iso(ts: datetime) -> str:
    return ts.isoformat(timespec="milliseconds" if ts.microsecond else "seconds").replace("+00:00", "Z")


def translate(
    events: list[Event],
    report: ImportReport,
    member_map: dict[str, str] | None = None,
    pause_reasons: dict[str, str] | None = None,
) -> tuple[list[dict], list[dict]]:
    """Legs and agent state rows of time-ordered events (mapping table in the module docstring)."""
    ids = _agent_ids(events, member_map)
    reasons = dict(pause_reasons or {})
    has_hold_verbs = any(e.verb in ("CALLERONHOLD", "CALLEROFFHOLD") for e in events)
    tol = DISAGREEMENT_TOLERANCE_SECONDS
    skipped, excluded, quirks = report.excluded, report.excluded, report.quirks
    legs: list[dict] = []
    open_legs: dict[str, _Leg] = {}  # callid -> the leg in a queue now
    entries: dict[tuple[str, str], int] = {}  # (callid, queue) -> ENTERQUEUEs seen
    agents: dict[str, _Agent] = {}
    state_rows: list[dict] = []
    unknown: dict[str, int] = {}
    first_seen: dict[str, str] = {}
    last_state: dict[str, tuple[str, str | None]] = {}
    last_row: dict[str, int] = {}  # agent -> index of its latest row in state_rows
    state_before_row: dict[str, tuple[str, str | None] | None] = {}  # agent -> its state before that row

    def emit(agent_id: str, at: datetime) -> None:
        state = _state(agents[agent_id], reasons)
        if last_state.get(agent_id) == state:
            return
        row = {"agent_id": agent_id, "event_at": _iso(at), "state": state[0], "reason": state[1]}
        index = last_row.get(agent_id)
        if index is not None and state_rows[index]["event_at"] == row["event_at"]:
            # (agent_id, event_at) is the key: changes in one instant keep the state the agent ends up in, and none
            # at all when that is the state it started the instant in
            _bump(quirks, "agent_state_changes_in_the_same_instant (last kept)")
            if state_before_row[agent_id] == state:
                state_rows[index] = {**state_rows[index], "drop": True}
                del last_row[agent_id]
            else:
                state_rows[index] = row
        else:
            state_before_row[agent_id] = last_state.get(agent_id)
            last_row[agent_id] = len(state_rows)
            state_rows.append(row)
        last_state[agent_id] = state

    def agent_of(event: Event) -> str | None:
        if not event.member or event.member.upper() == "NONE":
            return None
        agent_id = ids[event.member]
        agent = agents.setdefault(agent_id, _Agent())
        if event.queue and event.queue.upper() != "NONE":
            agent.queues.add(event.queue)
        if agent.logged_in is None:
            agent.logged_in = True  # a static member logs no login: present from its first event
        return agent_id

    def finish(leg: _Leg, event: Event, ended: datetime, end_reason: str, talk: int, answered: datetime | None):
        del open_legs[leg.callid]
        if answered is not None and ended < answered:
            _bump(quirks, "leg ending before its answered_at (ended_at = answered_at + calltime)")
            ended = answered + timedelta(seconds=talk)
        hold: int | None = None
        if answered is not None and has_hold_verbs:
            if leg.hold_started is not None:
                leg.hold_seconds += (event.at - leg.hold_started).total_seconds()
            hold = min(round(leg.hold_seconds), talk)
            talk -= hold  # Asterisk's calltime is the whole bridge, hold included
        legs.append(
            {
                "leg_id": f"{leg.callid}/{leg.queue}/{leg.number}",
                "contact_id": leg.callid,
                "direction": "inbound",
                "queue": leg.queue,
                "caller_number": leg.caller,
                "queued_at": _iso(leg.queued_at),
                "answered_at": _iso(answered) if answered else None,
                "ended_at": _iso(ended),
                "agent_id": leg.agent if answered else None,
                "talk_seconds": talk if answered else 0,
                "hold_seconds": hold if answered else 0,
                "acw_seconds": None if answered else 0,
                "end_reason": end_reason,
                "month": f"{leg.queued_at.year:04d}-{leg.queued_at.month:02d}",
            }
        )

    for event in events:
        verb = event.verb
        if verb == "ENTERQUEUE":
            if event.callid in open_legs:
                _bump(excluded, "leg without an ending event before the call entered a queue again")
                del open_legs[event.callid]
            n = entries[(event.callid, event.queue)] = entries.get((event.callid, event.queue), 0) + 1
            caller = event.args[1].strip() if len(event.args) > 1 else ""
            # args[3], the caller's name (log-caller-id-name), is personal data and never read
            open_legs[event.callid] = _Leg(
                event.callid, event.queue, n, event.at, None if caller.lower() in NO_CALLER else caller
            )
        elif verb == "CONNECT" or verb in ANSWERED_ENDS or verb in UNANSWERED_ENDS or verb == "SYSCOMPAT":
            leg = open_legs.get(event.callid)
            agent_id = agent_of(event) if verb != "SYSCOMPAT" else None
            if leg is None or leg.queue != event.queue:
                leg = _reconstruct(event, entries, open_legs, report)
                if leg is None:  # a CONNECT or SYSCOMPAT whose ENTERQUEUE is in an earlier file
                    if agent_id:
                        agents[agent_id].on_call = "talk"
                        emit(agent_id, event.at)
                    continue
            if verb == "CONNECT":
                hold = _seconds(event, 0, "holdtime")
                leg.connect, leg.agent = event, agent_id
                if abs((event.at - leg.queued_at).total_seconds() - hold) > tol:
                    _bump(quirks, "CONNECT time disagrees with queued_at + holdtime by > 1 s (holdtime kept)")
                if agent_id:
                    agents[agent_id].on_call = "talk"
                    emit(agent_id, event.at)
            elif verb in ANSWERED_ENDS:
                end_reason, hold_index, call_index = ANSWERED_ENDS[verb]
                hold, talk = _seconds(event, hold_index, "holdtime"), _seconds(event, call_index, "calltime")
                if leg.connect is None:
                    _bump(quirks, f"{verb} without CONNECT (answered_at from its own holdtime)")
                    leg.agent = agent_id
                elif hold != _seconds(leg.connect, 0, "holdtime"):
                    _bump(quirks, "holdtime of the ending event differs from CONNECT's (CONNECT's kept)")
                    hold = _seconds(leg.connect, 0, "holdtime")
                answered = leg.queued_at + timedelta(seconds=hold)
                if abs((event.at - answered).total_seconds() - talk) > tol:
                    _bump(quirks, "ending time disagrees with answered_at + calltime by > 1 s (calltime kept)")
                finish(leg, event, event.at, end_reason, talk, answered)
                if agent_id:
                    agents[agent_id].on_call = None
                    emit(agent_id, event.at)
            elif verb in UNANSWERED_ENDS:
                end_reason, wait_index = UNANSWERED_ENDS[verb]
                wait = _seconds(event, wait_index, "waittime")
                if abs((event.at - leg.queued_at).total_seconds() - wait) > tol:
                    _bump(quirks, f"{verb} time disagrees with queued_at + waittime by > 1 s (waittime kept)")
                finish(leg, event, leg.queued_at + timedelta(seconds=wait), end_reason, 0, None)
            else:  # SYSCOMPAT
                finish(leg, event, event.at, "system", 0, None)
        elif verb in ("CALLERONHOLD", "CALLEROFFHOLD"):
            leg = open_legs.get(event.callid)
            agent_id = agent_of(event)
            if leg is not None and leg.connect is not None:
                if verb == "CALLERONHOLD" and leg.hold_started is None:
                    leg.hold_started = event.at
                elif verb == "CALLEROFFHOLD" and leg.hold_started is not None:
                    leg.hold_seconds += (event.at - leg.hold_started).total_seconds()
                    leg.hold_started = None
                agent_id = agent_id or leg.agent
            if agent_id:
                agents[agent_id].on_call = "hold" if verb == "CALLERONHOLD" else "talk"
                emit(agent_id, event.at)
        elif verb in ("PAUSE", "PAUSEALL", "UNPAUSE", "UNPAUSEALL"):
            agent_id = agent_of(event)
            if agent_id is None:
                _bump(skipped, f"{verb} without a member")
                continue
            agent = agents[agent_id]
            if verb == "PAUSEALL":
                agent.paused = {"*"}
            elif verb == "UNPAUSEALL":
                agent.paused = set()
            elif verb == "PAUSE":
                agent.paused.add(event.queue)
            else:
                agent.paused.discard(event.queue)
                if "*" in agent.paused:
                    agent.paused = set(agent.queues) - {event.queue}
            if verb.startswith("PAUSE"):
                agent.pause_reason = (event.args[0].strip() if event.args else "") or None
            emit(agent_id, event.at)
        elif verb in LOGIN_EVENTS or verb in LOGOFF_EVENTS or verb == "REMOVEMEMBER":
            agent_id = agent_of(event)
            if agent_id is None:
                _bump(skipped, f"{verb} without a member")
                continue
            agent = agents[agent_id]
            if verb in LOGIN_EVENTS:
                agent.logged_in = True
                if verb == "ADDMEMBER" and event.args and event.args[0].strip().upper() == "PAUSED":
                    agent.paused.add(event.queue)  # added paused (app_queue.c); a later PAUSE may give the reason
            elif verb in LOGOFF_EVENTS:
                agent.logged_in, agent.paused, agent.on_call = False, set(), None
            else:
                agent.queues.discard(event.queue)
                agent.paused.discard(event.queue)
                if not agent.queues:
                    agent.logged_in, agent.paused, agent.on_call = False, set(), None
            emit(agent_id, event.at)
        elif verb in SKIPPED_EVENTS:
            _bump(skipped, f"{verb}: {SKIPPED_EVENTS[verb]}")
        else:
            first_seen.setdefault(verb, event.where)
            unknown[verb] = unknown.get(verb, 0) + 1
    for verb, n in unknown.items():
        _bump(skipped, f"{verb}: event type Tilsyn does not know (first at {first_seen[verb]})", n)
    if open_legs:
        _bump(
            excluded,
            "leg still in the queue or on a call at the end of the files (a later import writes it)",
            len(open_legs),
        )
    return legs, [row for row in state_rows if "drop" not in row]


def _reconstruct(event: Event, entries: dict, open_legs: dict, report: ImportReport) -> _Leg | None:
    """A leg whose ENTERQUEUE is in an earlier (rotated) file: queued_at from the ending event's own durations."""
    verb = event.verb
    if verb in ANSWERED_ENDS:
        _, hold_index, call_index = ANSWERED_ENDS[verb]
        back = _seconds(event, hold_index, "holdtime") + _seconds(event, call_index, "calltime")
    elif verb in UNANSWERED_ENDS:
        back = _seconds(event, UNANSWERED_ENDS[verb][1], "waittime")
    else:
        _bump(report.excluded, f"{verb} of a call whose ENTERQUEUE is not in these files")
        return None
    if event.callid in open_legs:
        _bump(report.excluded, "leg without an ending event before the call entered a queue again")
    _bump(report.quirks, "leg whose ENTERQUEUE is in an earlier file (queued_at from the stated durations)")
    # numbered 1: the same leg read with its ENTERQUEUE (an earlier rotated file) is most often its first entry
    n = entries[(event.callid, event.queue)] = entries.get((event.callid, event.queue)) or 1
    leg = _Leg(event.callid, event.queue, n, event.at - timedelta(seconds=back))
    open_legs[event.callid] = leg
    return leg


def _digest(frame: pl.DataFrame) -> str:
    return hashlib.sha256(frame.write_csv().encode()).hexdigest()[:12]


def read_member_map(path: Path) -> dict[str, str]:
    """`member,agent_id` CSV (header required): the queue_log agent field -> the center's agent id."""
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or not {"member", "agent_id"} <= set(reader.fieldnames):
            raise ValueError(f"{path}:1: a member map needs the columns member,agent_id")
        mapping = {}
        for row in reader:
            member, agent_id = (row["member"] or "").strip(), (row["agent_id"] or "").strip()
            if not member or not agent_id:
                raise ValueError(f"{path}:{reader.line_num}: member and agent_id are both required")
            mapping[member] = agent_id
    return mapping


def import_asterisk_queue_log(
    files: list[Path],
    landing_dir: Path,
    timezone: str | None = None,
    member_map: dict[str, str] | None = None,
    pause_reasons: dict[str, str] | None = None,
    progress: Callable[[str], None] | None = print,
) -> ImportReport:
    """Translate queue_log files (read together, e.g. `queue_log.1 queue_log`) into canonical landing files.

    Writes `<landing>/calls/asterisk_queue_log_<YYYY-MM>_<digest>.csv` (by the month legs entered the queue, UTC) and
    `<landing>/agent_states/asterisk_queue_log_<YYYY-MM>_<digest>.csv`, the digest being that of the file's content:
    the same input gives the same file (loaded once), and an overlapping import writes a new file whose legs replace
    the same keys (latest file wins) with the same values.
    """
    started = time.perf_counter()
    say = progress or (lambda _line: None)
    check_state_mapping(pause_reasons or {}, "pause reasons")
    report = ImportReport(adapter=f"asterisk_queue_log {', '.join(str(f) for f in files)}")
    events = read_events(files, timezone, report)
    say(f"asterisk_queue_log: read {len(events):,} events in {time.perf_counter() - started:.1f} s")
    legs, states = translate(events, report, member_map, pause_reasons)
    say(
        f"asterisk_queue_log: {len(legs):,} legs, {len(states):,} agent state changes "
        f"in {time.perf_counter() - started:.1f} s"
    )
    for source, rows, month_of in (
        ("calls", legs, None),
        ("agent_states", states, lambda r: r["event_at"][:7]),
    ):
        if not rows:
            continue
        if month_of:
            rows = [{**r, "month": month_of(r)} for r in rows]
        frame = pl.DataFrame(rows, infer_schema_length=None).sort(
            ["month", *(["queued_at", "leg_id"] if source == "calls" else ["agent_id", "event_at"])]
        )
        for (month,), part in frame.group_by("month", maintain_order=True):
            part = part.drop("month")
            path = write_canonical(part, Path(landing_dir), source, f"{FILE_PREFIX}_{month}_{_digest(part)}", report)
            say(f"asterisk_queue_log: wrote {part.height:,} rows to {path}")
    report.elapsed_seconds = time.perf_counter() - started
    return report
