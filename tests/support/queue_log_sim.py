"""A small Asterisk queue_log simulator: the lines app_queue writes for each call path, for tests and the benchmark.

Written from Asterisk's documentation (asterisk/documentation, docs/Operation/Logging/Queue-Logs.md): each event's
arguments are in the documented order, and `DOCUMENTED_ARGUMENTS` (checked by tests/ingest/adapters/
test_asterisk_queue_log_adapter.py against every line written) holds that order. PAUSE/PAUSEALL follow app_queue.c
(`set_member_paused`): a pause without a queue logs PAUSEALL (queue NONE) before one PAUSE per queue, each with the
member name and the reason; ADDMEMBER/REMOVEMEMBER carry the interface (or the member name with
log_membername_as_agent). The fixtures are our own; no line is copied from any documentation page.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

# event -> documented argument names (QueueMetrics' CALLERONHOLD/CALLEROFFHOLD carry none we use)
DOCUMENTED_ARGUMENTS: dict[str, tuple[str, ...]] = {
    "ENTERQUEUE": ("url", "callerid", "origposition"),  # + calleridname with log-caller-id-name
    "CONNECT": ("holdtime", "bridgedchanneluniqueid", "ringtime"),
    "COMPLETECALLER": ("holdtime", "calltime", "origposition"),
    "COMPLETEAGENT": ("holdtime", "calltime", "origposition"),
    "ABANDON": ("position", "origposition", "waittime"),
    "EXITEMPTY": ("position", "origposition", "waittime"),
    "EXITWITHTIMEOUT": ("position", "origposition", "waittime"),
    "EXITWITHKEY": ("key", "position", "origposition", "waittime"),
    "RINGNOANSWER": ("ringtime",),
    "RINGCANCELED": ("ringtime",),
    "TRANSFER": ("extension", "context", "holdtime", "calltime", "origposition"),
    "BLINDTRANSFER": ("extension", "context", "holdtime", "calltime", "origposition"),
    "ATTENDEDTRANSFER": ("method", "method-data", "holdtime", "calltime", "origposition"),
    "ADDMEMBER": (),
    "REMOVEMEMBER": (),
    "PAUSE": ("reason",),
    "UNPAUSE": ("reason",),
    "PAUSEALL": ("reason",),
    "UNPAUSEALL": ("reason",),
    "AGENTLOGIN": ("channel",),
    "AGENTLOGOFF": ("channel", "logintime"),
    "AGENTCALLBACKLOGIN": ("exten@context",),
    "AGENTCALLBACKLOGOFF": ("exten@context", "logintime", "reason"),
    "AGENTDUMP": (),
    "SYSCOMPAT": (),
    "QUEUESTART": (),
    "CONFIGRELOAD": (),
    "CALLERONHOLD": (),
    "CALLEROFFHOLD": (),
}


@dataclass
class QueueLogSimulator:
    """Appends queue_log lines; times are epoch seconds (int), callids Asterisk-style `<epoch>.<sequence>`."""

    lines: list[tuple[float, int, str]] = field(default_factory=list)  # (time, order, line)
    sequence: int = 0

    def write(self, at: float, callid: str, queue: str, agent: str, event: str, *args: object) -> None:
        text = "|".join([str(int(at)), callid, queue, agent, event, *(str(a) for a in args)])
        self.lines.append((at, len(self.lines), text))

    def callid(self, at: float) -> str:
        self.sequence += 1
        return f"{int(at)}.{self.sequence}"

    def text(self) -> str:
        return "".join(line + "\n" for _, _, line in sorted(self.lines))

    # --- call paths ---------------------------------------------------------------------------------------------
    def enter(self, at: float, queue: str, caller: str, callid: str | None = None, caller_name: str | None = None):
        callid = callid or self.callid(at)
        args = ["", caller, 1] + ([caller_name] if caller_name else [])
        self.write(at, callid, queue, "NONE", "ENTERQUEUE", *args)
        return callid

    def answered(
        self,
        at: float,
        queue: str,
        member: str,
        caller: str,
        wait: int,
        talk: int,
        hung_up_by: str = "caller",
        ring: int = 2,
        callid: str | None = None,
        holds: tuple[tuple[int, int], ...] = (),
    ) -> str:
        """ENTERQUEUE, CONNECT after `wait` s, [CALLERONHOLD/OFFHOLD at (offset, seconds)], COMPLETE* after `talk`."""
        callid = self.enter(at, queue, caller, callid)
        self.write(at + wait, callid, queue, member, "CONNECT", wait, f"{int(at + wait)}.{self.sequence + 500}", ring)
        for offset, seconds in holds:
            self.write(at + wait + offset, callid, queue, member, "CALLERONHOLD", "")
            self.write(at + wait + offset + seconds, callid, queue, member, "CALLEROFFHOLD", "")
        verb = "COMPLETECALLER" if hung_up_by == "caller" else "COMPLETEAGENT"
        self.write(at + wait + talk, callid, queue, member, verb, wait, talk, 1)
        return callid

    def abandoned(self, at: float, queue: str, caller: str, wait: int, ringing: str | None = None) -> str:
        """ENTERQUEUE, [RINGCANCELED of the member ringing], ABANDON after `wait` s."""
        callid = self.enter(at, queue, caller)
        if ringing:
            self.write(at + wait, callid, queue, ringing, "RINGCANCELED", 3000)
        self.write(at + wait, callid, queue, "NONE", "ABANDON", 1, 1, wait)
        return callid

    def timeout(self, at: float, queue: str, caller: str, wait: int) -> str:
        callid = self.enter(at, queue, caller)
        self.write(at + wait, callid, queue, "NONE", "EXITWITHTIMEOUT", 1, 1, wait)
        return callid

    def key_exit(self, at: float, queue: str, caller: str, wait: int, key: str = "1") -> str:
        callid = self.enter(at, queue, caller)
        self.write(at + wait, callid, queue, "NONE", "EXITWITHKEY", key, 1, 1, wait)
        return callid

    def exit_empty(self, at: float, queue: str, caller: str, wait: int) -> str:
        callid = self.enter(at, queue, caller)
        self.write(at + wait, callid, queue, "NONE", "EXITEMPTY", 1, 1, wait)
        return callid

    def ring_no_answer_then_answered(
        self, at: float, queue: str, first: str, member: str, caller: str, ring: int, wait: int, talk: int
    ) -> str:
        """ENTERQUEUE, RINGNOANSWER of `first` after `ring` s (in ms), then `member` answers (COMPLETEAGENT)."""
        callid = self.enter(at, queue, caller)
        self.write(at + ring, callid, queue, first, "RINGNOANSWER", ring * 1000)
        self.write(at + wait, callid, queue, member, "CONNECT", wait, f"{int(at + wait)}.{self.sequence + 500}", 1)
        self.write(at + wait + talk, callid, queue, member, "COMPLETEAGENT", wait, talk, 1)
        return callid

    def blind_transfer(
        self,
        at: float,
        queue: str,
        member: str,
        caller: str,
        wait: int,
        talk: int,
        to_queue: str,
        to_member: str,
        wait2: int,
        talk2: int,
    ) -> str:
        """Answered in `queue`, blind-transferred to `to_queue`'s extension: the caller's channel (same uniqueid)
        enters `to_queue` and is answered there."""
        callid = self.enter(at, queue, caller)
        self.write(at + wait, callid, queue, member, "CONNECT", wait, f"{int(at + wait)}.{self.sequence + 500}", 1)
        ended = at + wait + talk
        self.write(ended, callid, queue, member, "BLINDTRANSFER", "7000", "from-internal", wait, talk, 1)
        self.answered(ended, to_queue, to_member, caller, wait2, talk2, callid=callid)
        return callid

    def attended_transfer(self, at: float, queue: str, member: str, caller: str, wait: int, talk: int) -> str:
        """Answered, then transferred after a consultation (bridge merge): the queue leg ends there."""
        callid = self.enter(at, queue, caller)
        self.write(at + wait, callid, queue, member, "CONNECT", wait, f"{int(at + wait)}.{self.sequence + 500}", 1)
        self.write(at + wait + talk, callid, queue, member, "ATTENDEDTRANSFER", "BRIDGE", "bridge-1", wait, talk, 1)
        return callid

    # --- members ------------------------------------------------------------------------------------------------
    def add_member(self, at: float, queue: str, interface: str) -> None:
        self.write(at, "NONE", queue, interface, "ADDMEMBER", "")

    def remove_member(self, at: float, queue: str, interface: str) -> None:
        self.write(at, "NONE", queue, interface, "REMOVEMEMBER", "")

    def pause(self, at: float, queues: list[str], member: str, reason: str = "") -> None:
        """QueuePause() without a queue: PAUSEALL, then PAUSE per queue, each with the member name and the reason."""
        self.write(at, "NONE", "NONE", member, "PAUSEALL", reason)
        for queue in queues:
            self.write(at, "NONE", queue, member, "PAUSE", reason)

    def unpause(self, at: float, queues: list[str], member: str) -> None:
        self.write(at, "NONE", "NONE", member, "UNPAUSEALL", "")
        for queue in queues:
            self.write(at, "NONE", queue, member, "UNPAUSE", "")


def asternic_counts(text: str) -> dict[str, float]:
    """The free reports' definitions (Asternic Call Center Stats Lite), as a reference to compare Tilsyn with:
    answered = COMPLETECALLER + COMPLETEAGENT lines, unanswered = ABANDON + EXITWITHTIMEOUT lines, mean wait = mean
    of CONNECT's holdtime."""
    verbs: dict[str, int] = {}
    waits: list[int] = []
    for line in text.splitlines():
        fields = line.split("|")
        if len(fields) < 5:
            continue
        verbs[fields[4]] = verbs.get(fields[4], 0) + 1
        if fields[4] == "CONNECT":
            waits.append(int(fields[5]))
    return {
        "answered": verbs.get("COMPLETECALLER", 0) + verbs.get("COMPLETEAGENT", 0),
        "unanswered": verbs.get("ABANDON", 0) + verbs.get("EXITWITHTIMEOUT", 0),
        "mean_wait_seconds": sum(waits) / len(waits) if waits else 0.0,
    }


def simulate_month(agents: int, days: int, start_epoch: int, seed: int = 7) -> QueueLogSimulator:
    """A center's `days` of queue_log: `agents` members over two queues, 8-hour shifts, a lunch pause mid-shift,
    every call path in realistic shares (about 55 calls per agent and day)."""
    rng = random.Random(seed)
    sim = QueueLogSimulator()
    queues = ["support", "billing"]
    for day in range(days):
        base = start_epoch + day * 86400
        for a in range(agents):
            interface = f"PJSIP/{1000 + a}"
            shift = base + 7 * 3600 + (a % 4) * 1800
            for q in queues:
                sim.add_member(shift, q, interface)
            t = shift + 60
            end = shift + 8 * 3600
            lunch_at = shift + 4 * 3600
            lunched = False
            while t < end - 900:
                if not lunched and t >= lunch_at:
                    sim.pause(t, queues, interface, "Lunch")
                    t += 1800
                    sim.unpause(t, queues, interface)
                    lunched = True
                    continue
                q = rng.choice(queues)
                caller = f"+4722{rng.randrange(100000, 999999)}"
                wait, talk = rng.randint(0, 90), rng.randint(30, 600)
                path = rng.random()
                if path < 0.70:
                    holds = ((talk // 3, 20),) if rng.random() < 0.1 else ()
                    sim.answered(t, q, interface, caller, wait, talk, rng.choice(["caller", "agent"]), holds=holds)
                    t += wait + talk + rng.randint(5, 60)
                elif path < 0.78:
                    other = f"PJSIP/{1000 + (a + 1) % agents}"
                    sim.ring_no_answer_then_answered(t, q, other, interface, caller, 15, wait + 15, talk)
                    t += wait + 15 + talk + rng.randint(5, 60)
                elif path < 0.82:
                    sim.attended_transfer(t, q, interface, caller, wait, talk)
                    t += wait + talk + 30
                elif path < 0.86:
                    other = f"PJSIP/{1000 + (a + 2) % agents}"
                    sim.blind_transfer(t, q, interface, caller, wait, talk, "billing", other, 10, 120)
                    t += wait + talk + 30
                elif path < 0.94:
                    sim.abandoned(t, q, caller, wait + 5, ringing=interface)
                    t += 20
                elif path < 0.97:
                    sim.timeout(t, q, caller, 300)
                    t += 20
                else:
                    sim.key_exit(t, q, caller, wait)
                    t += 20
            for q in queues:
                sim.remove_member(end, q, interface)
    return sim
