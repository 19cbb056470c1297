"""A small generator of Genesys Cloud analytics exports, for tests and the import throughput measurement.

Writes what a center saves from `POST /api/v2/analytics/conversations/details/query` (one response body per day,
`{"conversations": [...]}`) and `POST /api/v2/analytics/users/details/query` (`{"userDetails": [...]}`), in the shape
of tests/fixtures/genesys_cloud (see its README for the fields). Each agent works one shift a day from 08:00 UTC:
calls follow each other (wait, talk, sometimes hold, ACW); 5 % are abandoned, 10 % are transferred to a second queue
(a second acd leg answered by the next agent), and 5 % of conversations are chats (skipped by the adapter).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

QUEUES = ("queue-sales", "queue-support", "queue-billing")


@dataclass
class GeneratedExport:
    conversations: int
    voice_legs: int
    answered_legs: int
    chats: int
    user_details: int


def _z(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"


def _seg(kind: str, start: datetime, end: datetime, **extra) -> dict:
    return {"segmentStart": _z(start), "segmentEnd": _z(end), "segmentType": kind, **extra}


def _metric(name: str, ms: int, at: datetime) -> dict:
    return {"name": name, "value": ms, "emitDate": _z(at)}


def _acd(session_id: str, queue: str, start: datetime, wait_s: int, abandoned: bool) -> dict:
    end = start + timedelta(seconds=wait_s)
    metric = _metric("tAbandon" if abandoned else "tAcd", wait_s * 1000, end)
    return {
        "participantId": f"p-{session_id}",
        "participantName": queue,
        "purpose": "acd",
        "sessions": [
            {
                "mediaType": "voice",
                "sessionId": session_id,
                "direction": "inbound",
                "segments": [
                    _seg("interact", start, end, queueId=queue, disconnectType="peer" if abandoned else "transfer")
                ],
                "metrics": [_metric("nOffered", 1, start), metric],
            }
        ],
    }


def _agent(
    session_id: str,
    user: str,
    queue: str,
    answered: datetime,
    talk_s: int,
    hold_s: int,
    acw_s: int,
    last: str,
    ring_s: int,
):
    segments = [_seg("alert", answered - timedelta(seconds=ring_s), answered, queueId=queue)]
    t = answered
    if hold_s:
        first = talk_s // 2
        segments.append(_seg("interact", t, t + timedelta(seconds=first), queueId=queue))
        t += timedelta(seconds=first)
        segments.append(_seg("hold", t, t + timedelta(seconds=hold_s), queueId=queue))
        t += timedelta(seconds=hold_s)
        rest = talk_s - first
    else:
        rest = talk_s
    segments.append(_seg("interact", t, t + timedelta(seconds=rest), queueId=queue, disconnectType=last))
    t += timedelta(seconds=rest)
    segments.append(_seg("wrapup", t, t + timedelta(seconds=acw_s), queueId=queue, wrapUpCode="wrap-done"))
    metrics = [_metric("tAnswered", ring_s * 1000, answered), _metric("tTalkComplete", talk_s * 1000, t)]
    if hold_s:
        metrics.append(_metric("tHeldComplete", hold_s * 1000, t))
    metrics.append(_metric("tAcw", acw_s * 1000, t + timedelta(seconds=acw_s)))
    participant = {
        "participantId": f"p-{session_id}",
        "participantName": f"Agent {user}",
        "purpose": "agent",
        "userId": user,
        "sessions": [
            {
                "mediaType": "voice",
                "sessionId": session_id,
                "direction": "inbound",
                "segments": segments,
                "metrics": metrics,
            }
        ],
    }
    return participant, t, t + timedelta(seconds=acw_s)


def write_genesys_export(
    out: Path, agents: int = 100, days: int = 30, start: date = date(2026, 3, 1), seed: int = 7, shift_hours: float = 8
) -> GeneratedExport:
    """Write `<out>/conversations/<day>.json` and `<out>/user_details/<day>.json`; return what was written."""
    rng = random.Random(seed)
    (out / "conversations").mkdir(parents=True, exist_ok=True)
    (out / "user_details").mkdir(parents=True, exist_ok=True)
    totals = GeneratedExport(0, 0, 0, 0, 0)
    users = [f"user-{n:04d}" for n in range(agents)]
    for day_n in range(days):
        day = datetime.combine(start + timedelta(days=day_n), datetime.min.time(), tzinfo=UTC)
        conversations, details = [], []
        for a, user in enumerate(users):
            shift_start = day + timedelta(hours=8, seconds=rng.randrange(0, 1800))
            shift_end = shift_start + timedelta(hours=shift_hours)
            t = shift_start
            routing = []
            while t < shift_end:
                cid = f"c-{day_n:03d}-{a:04d}-{len(conversations):06d}"
                if rng.random() < 0.05:  # a chat: the adapter skips it
                    conversations.append(
                        {
                            "conversationId": cid,
                            "conversationStart": _z(t),
                            "conversationEnd": _z(t + timedelta(minutes=5)),
                            "participants": [
                                {
                                    "purpose": "customer",
                                    "participantName": "Chat user",
                                    "sessions": [{"mediaType": "chat", "sessionId": cid + "-c", "segments": []}],
                                }  # fmt: skip
                            ],
                        }
                    )
                    totals.chats += 1
                    t += timedelta(minutes=5)
                    continue
                queue = rng.choice(QUEUES)
                idle_s = rng.randrange(5, 120)
                queued = t + timedelta(seconds=idle_s)
                wait_s = rng.randrange(0, 90)
                ani = f"tel:+47{rng.randrange(40_000_000, 99_999_999)}"
                customer = {
                    "participantId": f"p-{cid}-cust",
                    "participantName": "Customer",
                    "purpose": "customer",
                    "sessions": [
                        {"mediaType": "voice", "sessionId": f"{cid}-cust", "direction": "inbound", "ani": ani}
                    ],
                }
                abandoned = rng.random() < 0.05
                participants = [customer, _acd(f"{cid}-acd1", queue, queued, wait_s, abandoned=abandoned)]
                if abandoned:
                    end = queued + timedelta(seconds=wait_s)
                    totals.voice_legs += 1
                    customer["sessions"][0]["segments"] = [_seg("interact", t, end, disconnectType="endpoint")]
                    conversations.append(
                        {
                            "conversationId": cid,
                            "conversationStart": _z(t),
                            "conversationEnd": _z(end),
                            "originatingDirection": "inbound",
                            "participants": participants,
                        }  # fmt: skip
                    )
                    t = end
                    continue
                answered = queued + timedelta(seconds=wait_s)
                talk_s, acw_s = rng.randrange(60, 600), rng.randrange(10, 60)
                hold_s = rng.randrange(10, 90) if rng.random() < 0.2 else 0
                transfer = rng.random() < 0.10
                agent, call_end, free = _agent(
                    f"{cid}-ag1",
                    user,
                    queue,
                    answered,
                    talk_s,
                    hold_s,
                    acw_s,
                    "transfer" if transfer else "peer",
                    min(3, wait_s),
                )
                participants.append(agent)
                totals.answered_legs += 1
                routing.append((answered - timedelta(seconds=3), free))
                totals.voice_legs += 1
                conversation_end = free
                if transfer:  # a second leg in another queue, answered by the next agent
                    other_queue = QUEUES[(QUEUES.index(queue) + 1) % len(QUEUES)]
                    second_wait = rng.randrange(0, 60)
                    participants.append(_acd(f"{cid}-acd2", other_queue, call_end, second_wait, abandoned=False))
                    other = users[(a + 1) % len(users)]
                    agent2, _end2, free2 = _agent(
                        f"{cid}-ag2",
                        other,
                        other_queue,
                        call_end + timedelta(seconds=second_wait),
                        rng.randrange(60, 300),
                        0,
                        rng.randrange(10, 40),
                        "peer",
                        min(3, second_wait),
                    )
                    participants.append(agent2)
                    totals.voice_legs += 1
                    totals.answered_legs += 1
                    conversation_end = max(free, free2)
                customer["sessions"][0]["segments"] = [_seg("interact", t, call_end, disconnectType="endpoint")]
                conversations.append(
                    {
                        "conversationId": cid,
                        "conversationStart": _z(t),
                        "conversationEnd": _z(conversation_end),
                        "originatingDirection": "inbound",
                        "participants": participants,
                    }  # fmt: skip
                )
                t = free
            lunch = shift_start + timedelta(hours=shift_hours / 2)
            presence = [
                {"startTime": _z(shift_start), "endTime": _z(lunch), "systemPresence": "ON_QUEUE"},
                {"startTime": _z(lunch), "endTime": _z(lunch + timedelta(minutes=30)), "systemPresence": "MEAL"},
                {"startTime": _z(lunch + timedelta(minutes=30)), "endTime": _z(t), "systemPresence": "ON_QUEUE"},
                {"startTime": _z(t), "endTime": _z(day + timedelta(days=1)), "systemPresence": "OFFLINE"},
            ]
            statuses, cursor = [], shift_start
            for busy_from, busy_to in routing:
                if busy_from > cursor:
                    statuses.append({"startTime": _z(cursor), "endTime": _z(busy_from), "routingStatus": "IDLE"})
                statuses.append({"startTime": _z(busy_from), "endTime": _z(busy_to), "routingStatus": "INTERACTING"})
                cursor = busy_to
            details.append({"userId": user, "primaryPresence": presence, "routingStatus": statuses})
        stamp = day.strftime("%Y-%m-%d")
        (out / "conversations" / f"{stamp}.json").write_text(json.dumps({"conversations": conversations}))
        (out / "user_details" / f"{stamp}.json").write_text(json.dumps({"userDetails": details}))
        totals.conversations += len(conversations)
        totals.user_details += len(details)
    return totals
