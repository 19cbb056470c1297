"""One day of contacts: arrivals, routing to agents, outbound dialling, and the agent state events they imply.

Inbound arrivals are a non-homogeneous Poisson process per queue and 15-minute interval around the forecast (daily
noise, the odd surge). Each pool is one FIFO line served by its agents' `ready` windows: a caller waits for the
earliest available agent (the longest idle one when several are free) and hangs up when the wait passes their
patience, so abandonment rises by itself when staffing falls short. Some answered calls are transferred to the
pool's other queue (a second leg of the same contact). Outbound agents work a predictive dialer: connected calls
reach them after a short ready gap; unconnected attempts carry no agent. The dialer also blends calls into long idle
stretches of inbound agents, which keeps small centers' occupancy realistic without hurting their service level.

`agent_state_events` then lays each answered leg over the agent's base timeline (talk, hold, talk, acw, then back
to whatever state the agent's day is in), so the state stream agrees with the calls to the second.
Everything is int64 UTC epoch seconds here; the writer formats them.
"""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass

import numpy as np
import polars as pl

from ingest.contracts import AGENT_STATES
from ingest.sample.center import INTERVAL_SECONDS, INTERVALS_PER_DAY, Layout
from ingest.sample.freetext import CALL_NOTES, free_texts
from ingest.sample.workforce import AUX_REASONS, DIAL_HOURS, AgentDay

STATE_CODE = {s: k for k, s in enumerate(AGENT_STATES)}
REASON_CODE = {None: 0} | {r: k + 1 for k, r in enumerate(AUX_REASONS)}
REASONS = [None, *AUX_REASONS]

IVR_ONLY_SHARE = 0.06
SHORT_ABANDON_SHARE = 0.03
TRANSFER_SHARE = 0.05
INBOUND_OUTCOMES = (
    ("resolved", 0.72),
    ("information", 0.08),
    ("callback", 0.07),
    ("escalated", 0.05),
    ("unresolved", 0.08),
)
UNRESOLVED_OUTCOMES = ("callback", "escalated", "unresolved")
OUTBOUND_OUTCOMES = (
    ("sale", 0.18),
    ("not_interested", 0.45),
    ("callback", 0.2),
    ("do_not_call", 0.05),
    ("wrong_person", 0.12),
)
CONTACT_RATE = 0.32
BLEND_MIN_IDLE_SECONDS = 150  # the dialer offers a blended call only after this much idle time...
BLEND_RESERVE_SECONDS = 20  # ...and only one that ends this long before the agent's next inbound call
KEY = 10**11  # composite (agent, epoch second) keys: agent_num * KEY + epoch


def lognormal(rng: np.random.Generator, mean: float, sigma: float, n: int) -> np.ndarray:
    """Right-skewed durations with the given mean."""
    return rng.lognormal(np.log(mean) - sigma**2 / 2, sigma, n)


class CustomerBook:
    """Who calls: a customer base, repeat callers whose last contact was unresolved, and unidentified callers."""

    def __init__(self, size: int):
        self.size = size
        self.recent_unresolved: deque[np.ndarray] = deque(maxlen=7)  # one array per recent day

    def draw(self, n: int, rng: np.random.Generator) -> np.ndarray:
        ids = rng.integers(1, self.size + 1, n)
        recent = np.concatenate(list(self.recent_unresolved)) if self.recent_unresolved else np.empty(0, np.int64)
        repeat = rng.random(n) < (0.25 if recent.size else 0.0)
        if recent.size and repeat.any():
            ids[repeat] = rng.choice(recent, int(repeat.sum()))
        ids[rng.random(n) < 0.07] = 0  # unidentified caller
        return ids

    def remember(self, ids: np.ndarray) -> None:
        self.recent_unresolved.append(ids[ids > 0])


@dataclass
class DayContacts:
    legs: pl.DataFrame  # contract columns, timestamps as epoch seconds
    states: pl.DataFrame  # agent_id, event_at (epoch), state, reason


class _Draws:
    """Random values drawn in chunks and handed out one at a time (NumPy's scalar draws are slow in a loop)."""

    def __init__(self, make, chunk: int = 4096):
        self.make, self.chunk, self.buffer = make, chunk, iter(())

    def __call__(self):
        value = next(self.buffer, None)
        if value is None:
            self.buffer = iter(self.make(self.chunk))
            value = next(self.buffer)
        return value


def _frame(columns: dict) -> pl.DataFrame:
    """A frame from arrays and lists; NumPy object arrays (strings with None) become String columns."""

    def column(name: str, values):
        is_text = isinstance(values, np.ndarray) and values.dtype == object
        return pl.Series(name, values.tolist(), dtype=pl.String) if is_text else values

    return pl.DataFrame({name: column(name, values) for name, values in columns.items()})


def _pick(rng: np.random.Generator, options: tuple[tuple[str, float], ...], n: int) -> np.ndarray:
    names = np.array([o for o, _ in options], dtype=object)
    p = np.array([w for _, w in options])
    return names[rng.choice(len(names), n, p=p / p.sum())]


def simulate_day(
    day_key: str,
    day_start: int,
    layout: Layout,
    agent_days: list[AgentDay],
    lam_by_queue: dict[str, np.ndarray],
    after_hours_calls: float,
    customers: CustomerBook,
    rng: np.random.Generator,
) -> DayContacts:
    """All legs and agent state events of one day (`day_key` is YYYYMMDD, used in ids)."""
    parts = [
        _inbound_pool(
            pool,
            day_start,
            [a for a in agent_days if a.pool == pool.index and a.campaign is None and a.windows],
            lam_by_queue,
            customers,
            rng,
        )
        for pool in layout.pools
    ]
    parts.append(_after_hours(day_start, after_hours_calls, customers, rng))
    work = [
        (a, a.campaign, [(day_start + w0, day_start + w1) for w0, w1 in a.windows], False)
        for a in agent_days
        if a.campaign and a.windows
    ]
    if layout.campaigns and any(a.campaign for a in agent_days):
        work += _blending_gaps(layout, day_start, agent_days, pl.concat(parts[:-1], how="diagonal_relaxed"))
    parts.append(_outbound(day_start, work, customers, rng))
    legs = (
        pl.concat([p for p in parts if p.height], how="diagonal_relaxed")
        if any(p.height for p in parts)
        else _empty_legs()
    )
    legs = _finish_legs(legs).with_columns(pl.coalesce("queued_at", "dialed_at", "ended_at").alias("_start"))
    legs = legs.sort(["_start", "_contact", "_leg_order"]).with_row_index("_n")
    legs = legs.with_columns(pl.col("_n").min().over("_contact").alias("_contact_n"))
    prefix_leg, prefix_contact = f"L{day_key}", f"C{day_key}"
    legs = legs.with_columns(
        (pl.lit(prefix_leg) + pl.col("_n").cast(pl.String).str.zfill(7)).alias("leg_id"),
        (pl.lit(prefix_contact) + pl.col("_contact_n").cast(pl.String).str.zfill(7)).alias("contact_id"),
    )
    customers.remember(
        legs.filter(pl.col("outcome").is_in(UNRESOLVED_OUTCOMES) & (pl.col("direction") == "inbound"))[
            "_customer"
        ].to_numpy()
    )
    answered = legs.filter(pl.col("answered_at").is_not_null())
    states = agent_state_events(agent_days, day_start, answered)
    return DayContacts(legs, states)


def _empty_legs() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "queued_at": pl.Int64,
            "dialed_at": pl.Int64,
            "ended_at": pl.Int64,
            "answered_at": pl.Int64,
            "_contact": pl.Int64,
            "_leg_order": pl.Int64,
            "outcome": pl.String,
            "direction": pl.String,
            "_customer": pl.Int64,
            "_phone": pl.Int64,
            "agent_id": pl.String,
            "talk_seconds": pl.Int64,
            "hold_seconds": pl.Int64,
            "acw_seconds": pl.Int64,
            "_agent_num": pl.Int64,
        }
    )


def _phones(customer: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Mobile numbers (8 digits after +47): a customer's own stable one, or a random one for unidentified callers."""
    stable = (customer * 7919 + 1234567) % 10_000_000
    num = np.where(customer > 0, stable, rng.integers(0, 10_000_000, customer.size))
    return np.where((customer + num) % 2 == 0, 40_000_000, 90_000_000) + num


def _inbound_pool(
    pool,
    day_start: int,
    agents: list[AgentDay],
    lam_by_queue: dict[str, np.ndarray],
    customers: CustomerBook,
    rng: np.random.Generator,
) -> pl.DataFrame:
    """Arrivals of one pool's queues, routed FIFO to the pool's agents."""
    times, qidx = [], []
    for q, queue in enumerate(pool.queues):
        counts = rng.poisson(lam_by_queue[queue.name])
        starts = np.repeat(np.arange(INTERVALS_PER_DAY) * INTERVAL_SECONDS, counts)
        times.append(day_start + starts + rng.integers(0, INTERVAL_SECONDS, starts.size))
        qidx.append(np.full(starts.size, q))
    t = np.concatenate(times)
    q = np.concatenate(qidx)
    order = np.argsort(t, kind="stable")
    t, q = t[order], q[order]
    n = t.size
    customer = customers.draw(n, rng)
    ivr = rng.random(n) < IVR_ONLY_SHARE
    talk_mean = np.array([x.talk_mean_seconds for x in pool.queues])[q]
    acw_mean = np.array([x.acw_mean_seconds for x in pool.queues])[q]
    hold_share = np.array([x.hold_share for x in pool.queues])[q]
    patience = lognormal(rng, 240, 0.9, n)
    short = rng.random(n) < SHORT_ABANDON_SHARE
    patience[short] = rng.uniform(0.5, 4.5, int(short.sum()))
    talk = np.maximum(lognormal(rng, 1.0, 0.6, n) * talk_mean, 12)
    hold = np.where(rng.random(n) < hold_share, np.maximum(lognormal(rng, 50, 0.7, n), 3), 0).astype(np.int64)
    acw = np.maximum(lognormal(rng, 1.0, 0.5, n) * acw_mean, 2)
    transfer = rng.random(n) < TRANSFER_SHARE
    # Second legs of transfers: the other queue, more patience, their own handle times.
    t_queue = (q + 1) % len(pool.queues)
    t_patience = patience * 2 + 20
    talk_means = np.array([x.talk_mean_seconds for x in pool.queues])
    t_talk = np.maximum(lognormal(rng, 1.0, 0.6, n) * talk_means[t_queue], 12)
    t_acw = np.maximum(lognormal(rng, 1.0, 0.5, n) * np.array([x.acw_mean_seconds for x in pool.queues])[t_queue], 2)

    factor = [a.agent.handle_time_factor(a.tenure_days) for a in agents]
    windows = [[(day_start + s, day_start + e) for s, e in a.windows] for a in agents]
    routed = _route(
        t[~ivr].tolist(),
        np.flatnonzero(~ivr).tolist(),
        patience,
        talk,
        hold,
        acw,
        transfer,
        t_queue,
        t_patience,
        t_talk,
        t_acw,
        q,
        windows,
        factor,
    )
    (leg_arrival, leg_queue, leg_contact, leg_order, answer, agent_k, talk_s, hold_s, acw_s, end_t, reason) = routed

    # IVR-only calls: never offered, end in the IVR.
    ivr_idx = np.flatnonzero(ivr)
    ivr_end = t[ivr_idx] + np.maximum(lognormal(rng, 70, 0.6, ivr_idx.size), 5).astype(np.int64)
    contact = np.concatenate([np.asarray(leg_contact, np.int64), ivr_idx])
    nl, ni = len(leg_arrival), ivr_idx.size
    answered = np.asarray(answer, np.int64) >= 0
    end_reason = np.array(reason, dtype=object)
    outcome = np.where(answered, _pick(rng, INBOUND_OUTCOMES, nl), None).astype(object)
    hangup = np.where(
        rng.random(nl) < 0.7, "customer_hangup", np.where(rng.random(nl) < 0.93, "agent_hangup", "system")
    ).astype(object)
    end_reason = np.where(end_reason == "answered", hangup, end_reason)
    outcome = np.where(end_reason == "transfer", "transferred", outcome)
    agent_num = np.array([agents[k].agent_num if k >= 0 else -1 for k in agent_k], np.int64)
    notes = free_texts(nl, CALL_NOTES, 0.25, 0.04, rng)
    notes = [x if a else None for x, a in zip(notes, answered.tolist(), strict=True)]
    customer_all = customer[contact]
    queue_names = np.array([x.name for x in pool.queues], dtype=object)
    return _frame(
        {
            "direction": ["inbound"] * (nl + ni),
            "queue": np.concatenate([queue_names[np.asarray(leg_queue, np.int64)], np.full(ni, None, object)]),
            "campaign": [None] * (nl + ni),
            "_phone": _phones(customer_all, rng),
            "queued_at": pl.Series(np.concatenate([np.asarray(leg_arrival, np.int64), np.full(ni, -1)])),
            "dialed_at": pl.Series([None] * (nl + ni), dtype=pl.Int64),
            "answered_at": np.concatenate([np.asarray(answer, np.int64), np.full(ni, -1)]),
            "ended_at": np.concatenate([np.asarray(end_t, np.int64), ivr_end]),
            "_agent_num": np.concatenate([agent_num, np.full(ni, -1)]),
            "talk_seconds": np.concatenate([np.asarray(talk_s, np.int64), np.zeros(ni, np.int64)]),
            "hold_seconds": np.concatenate([np.asarray(hold_s, np.int64), np.zeros(ni, np.int64)]),
            "acw_seconds": np.concatenate([np.asarray(acw_s, np.int64), np.zeros(ni, np.int64)]),
            "end_reason": np.concatenate(
                [end_reason, np.where(rng.random(ni) < 0.85, "customer_hangup", "system").astype(object)]
            ),
            "outcome": np.concatenate([outcome, np.full(ni, "self_service", object)]),
            "notes": notes + [None] * ni,
            "_contact": contact + 1_000_000 * (pool.index + 1),
            "_leg_order": np.concatenate([np.asarray(leg_order, np.int64), np.zeros(ni, np.int64)]),
            "_customer": customer_all,
        }
    )


def _finish_legs(df: pl.DataFrame) -> pl.DataFrame:
    """Missing columns as typed nulls, -1 sentinels as nulls, ids and numbers formatted from their integers."""
    missing = {"queue": pl.String, "campaign": pl.String, "queued_at": pl.Int64, "dialed_at": pl.Int64}
    df = df.with_columns(pl.lit(None, dtype=t).alias(c) for c, t in missing.items() if c not in df.columns)
    return df.with_columns(
        *[pl.when(pl.col(c) >= 0).then(pl.col(c)).alias(c) for c in ("queued_at", "dialed_at", "answered_at")],
        pl.when(pl.col("_agent_num") >= 0)
        .then(pl.lit("a") + pl.col("_agent_num").cast(pl.String).str.zfill(4))
        .alias("agent_id"),
        (pl.lit("+47") + pl.col("_phone").cast(pl.String)).alias("caller_number"),
        pl.when(pl.col("_customer") > 0)
        .then(pl.lit("K") + pl.col("_customer").cast(pl.String).str.zfill(8))
        .alias("customer_id"),
    )


def _route(
    arrivals, contacts, patience, talk, hold, acw, transfer, t_queue, t_patience, t_talk, t_acw, queue, windows, factor
):
    """FIFO routing of one pool's offered legs over the agents' ready windows (see module docstring).

    Returns per leg: queued_at, queue index, contact index, leg order, answered_at (-1), agent index (-1), talk,
    hold, acw, ended_at, end_reason ('answered' for a normal answered leg, 'transfer', 'abandon').
    """
    patience, talk, hold, acw = patience.tolist(), talk.tolist(), hold.tolist(), acw.tolist()
    transfer, t_queue, t_patience = transfer.tolist(), t_queue.tolist(), t_patience.tolist()
    t_talk, t_acw, queue = t_talk.tolist(), t_acw.tolist(), queue.tolist()
    heap = [(w[0][0], k) for k, w in enumerate(windows) if w]
    heapq.heapify(heap)
    ptr = [0] * len(windows)
    out = tuple([] for _ in range(11))
    (o_arr, o_queue, o_contact, o_order, o_answer, o_agent, o_talk, o_hold, o_acw, o_end, o_reason) = out
    pending: list[tuple[int, int, int]] = []  # transferred legs waiting to enter the queue: (time, seq, contact)
    i, n = 0, len(arrivals)
    while i < n or pending:
        if pending and (i >= n or pending[0][0] < arrivals[i]):
            t, _, c = heapq.heappop(pending)
            second = True
            wait_limit = t_patience[c]
        else:
            t, c = arrivals[i], contacts[i]
            i += 1
            second = False
            wait_limit = patience[c]
        x = t
        while heap:
            f, k = heap[0]
            x = f if f > t else t
            wins, p = windows[k], ptr[k]
            while p < len(wins) and wins[p][1] <= x:
                p += 1
            ptr[k] = p
            if p == len(wins):
                heapq.heappop(heap)
                continue
            if wins[p][0] > x:
                heapq.heapreplace(heap, (wins[p][0], k))
                continue
            break
        o_arr.append(t)
        o_queue.append(t_queue[c] if second else queue[c])
        o_contact.append(c)
        o_order.append(1 if second else 0)
        if heap and x - t <= wait_limit:
            k = heap[0][1]
            fac = factor[k]
            if second:
                tk, hd, aw = int(t_talk[c] * fac), 0, int(t_acw[c] * fac)
                reason = "answered"
            elif transfer[c]:
                tk, hd, aw = int(talk[c] * fac * 0.45) + 5, hold[c], int(min(acw[c], 20))
                reason = "transfer"
            else:
                tk, hd, aw = int(talk[c] * fac), hold[c], int(acw[c] * fac)
                reason = "answered"
            end = x + tk + hd
            heapq.heapreplace(heap, (end + aw, k))
            if reason == "transfer":
                heapq.heappush(pending, (end, len(o_arr), c))
            o_answer.append(x)
            o_agent.append(k)
            o_talk.append(tk)
            o_hold.append(hd)
            o_acw.append(aw)
            o_end.append(end)
            o_reason.append(reason)
        else:
            o_answer.append(-1)
            o_agent.append(-1)
            o_talk.append(0)
            o_hold.append(0)
            o_acw.append(0)
            o_end.append(t + max(1, int(wait_limit)))
            o_reason.append("abandon")
    return out


def _after_hours(day_start: int, expected: float, customers: CustomerBook, rng: np.random.Generator) -> pl.DataFrame:
    """Calls while the center is closed hear a message and end in the IVR (queue empty, never offered)."""
    n = int(rng.poisson(expected))
    hours = rng.choice([6, 7, 20, 21, 22], n)
    t = np.sort(day_start + hours * 3600 + rng.integers(0, 3600, n))
    customer = customers.draw(n, rng)
    return _frame(
        {
            "direction": ["inbound"] * n,
            "queue": pl.Series([None] * n, dtype=pl.String),
            "_phone": _phones(customer, rng),
            "queued_at": pl.Series([None] * n, dtype=pl.Int64),
            "answered_at": pl.Series([None] * n, dtype=pl.Int64),
            "ended_at": t + rng.integers(15, 60, n),
            "_agent_num": np.full(n, -1),
            "talk_seconds": np.zeros(n, np.int64),
            "hold_seconds": np.zeros(n, np.int64),
            "acw_seconds": np.zeros(n, np.int64),
            "end_reason": ["customer_hangup"] * n,
            "outcome": ["closed"] * n,
            "notes": pl.Series([None] * n, dtype=pl.String),
            "_contact": np.arange(n) + 900_000_000,
            "_leg_order": np.zeros(n, np.int64),
            "_customer": customer,
        }
    )


def _blending_gaps(
    layout: Layout, day_start: int, agent_days: list[AgentDay], inbound: pl.DataFrame
) -> list[tuple[AgentDay, str, list[tuple[int, int]], bool]]:
    """Idle stretches of inbound agents that the dialer may fill with an outbound call (call blending).

    A stretch runs from the end of one inbound leg (or a ready window's start) to the next answer (or the window's
    end). While an agent sits idle no caller waits, so a blended call that ends inside the stretch changes no
    inbound leg: the ACD state stays consistent with the routing.
    """
    answered = inbound.filter(pl.col("_agent_num") >= 0)
    spans = answered.select(
        "_agent_num",
        "answered_at",
        (pl.col("answered_at") + pl.col("talk_seconds") + pl.col("hold_seconds") + pl.col("acw_seconds")).alias(
            "busy_until"
        ),
    ).sort("_agent_num", "answered_at")
    by_agent: dict[int, list[tuple[int, int]]] = {}
    for agent_num, start, until in spans.iter_rows():
        by_agent.setdefault(agent_num, []).append((start, until))
    work = []
    for a in agent_days:
        if a.campaign or not a.windows:
            continue
        busy = by_agent.get(a.agent_num, [])
        gaps, k, busy_until = [], 0, 0
        for w0, w1 in a.windows:
            cursor, w1 = max(day_start + w0, busy_until), day_start + w1  # a call may overrun into this window
            while k < len(busy) and busy[k][0] < w1:
                gaps.append((cursor, busy[k][0]))
                busy_until = max(busy_until, busy[k][1])
                cursor = max(cursor, busy_until)
                k += 1
            gaps.append((cursor, w1))
        work.append(
            (
                a,
                layout.campaigns[a.pool % len(layout.campaigns)],
                [g for g in gaps if g[1] - g[0] >= BLEND_MIN_IDLE_SECONDS],
                True,
            )
        )
    return work


def _outbound(
    day_start: int,
    work: list[tuple[AgentDay, str, list[tuple[int, int]], bool]],
    customers: CustomerBook,
    rng: np.random.Generator,
) -> pl.DataFrame:
    """Predictive dialer: connected calls fill the campaign agents' ready windows (and, blended, the idle stretches
    of inbound agents, where a call must end before the stretch does); unconnected attempts carry no agent."""
    dial_from, dial_to = day_start + DIAL_HOURS[0] * 3600, day_start + DIAL_HOURS[1] * 3600
    rows = {k: [] for k in ("campaign", "dialed", "answered", "agent", "talk", "hold", "acw")}
    draws = _Draws(
        lambda n: zip(
            rng.integers(2, 25, n).tolist(),  # ready gap before the next connect
            np.maximum(15, rng.lognormal(np.log(170), 0.6, n)).tolist(),  # talk
            np.where(rng.random(n) < 0.08, rng.integers(5, 60, n), 0).tolist(),  # hold
            np.maximum(2, rng.lognormal(np.log(30), 0.5, n)).tolist(),  # acw
            rng.integers(6, 22, n).tolist(),
            strict=True,
        )
    )  # ringing before the connect
    for a, campaign, spans, must_fit in work:
        fac = a.agent.handle_factor
        t = dial_from
        for s, e in spans:
            s, e = max(s, dial_from), min(e, dial_to)
            t = max(t, s)
            while True:
                gap, talk, hold, acw, ring = draws()
                t += gap
                if t >= e:
                    break
                talk, acw = int(talk * fac), int(acw * fac)
                if must_fit and t + talk + hold + acw + BLEND_RESERVE_SECONDS > e:
                    break
                rows["campaign"].append(campaign)
                rows["dialed"].append(t - ring)
                rows["answered"].append(t)
                rows["agent"].append(a.agent_num)
                rows["talk"].append(talk)
                rows["hold"].append(hold)
                rows["acw"].append(acw)
                t += talk + hold + acw
    nc = len(rows["answered"])
    # Unconnected attempts between the connected ones, on the same campaigns.
    nu = int(nc * (1 - CONTACT_RATE) / CONTACT_RATE)
    campaigns = np.array(rows["campaign"] or [None], dtype=object)
    u_campaign = campaigns[rng.integers(0, len(campaigns), nu)] if nc else np.empty(0, object)
    u_dialed = np.sort(rng.integers(dial_from, dial_to - 3600, nu)) if nc else np.empty(0, np.int64)
    u_reason = _pick(rng, (("no_answer", 0.55), ("busy", 0.1), ("voicemail", 0.35)), nu)
    u_ring = np.where(u_reason == "busy", rng.integers(2, 6, nu), rng.integers(20, 40, nu))
    answered = np.asarray(rows["answered"], np.int64)
    talk, hold, acw = (np.asarray(rows[k], np.int64) for k in ("talk", "hold", "acw"))
    customer = rng.integers(1, customers.size + 1, nc + nu)
    end_reason = np.where(rng.random(nc) < 0.6, "customer_hangup", "agent_hangup").astype(object)
    return _frame(
        {
            "direction": ["outbound"] * (nc + nu),
            "queue": pl.Series([None] * (nc + nu), dtype=pl.String),
            "campaign": np.concatenate([np.asarray(rows["campaign"], object), u_campaign]),
            "_phone": _phones(customer, rng),
            "queued_at": pl.Series([None] * (nc + nu), dtype=pl.Int64),
            "dialed_at": np.concatenate([np.asarray(rows["dialed"], np.int64), u_dialed]),
            "answered_at": np.concatenate([answered, np.full(nu, -1)]),
            "ended_at": np.concatenate([answered + talk + hold, u_dialed + u_ring]),
            "_agent_num": np.concatenate([np.asarray(rows["agent"], np.int64), np.full(nu, -1)]),
            "talk_seconds": np.concatenate([talk, np.zeros(nu, np.int64)]),
            "hold_seconds": np.concatenate([hold, np.zeros(nu, np.int64)]),
            "acw_seconds": np.concatenate([acw, np.zeros(nu, np.int64)]),
            "end_reason": np.concatenate([end_reason, u_reason]),
            "outcome": np.concatenate([_pick(rng, OUTBOUND_OUTCOMES, nc), np.full(nu, None, object)]),
            "notes": pl.Series([None] * (nc + nu), dtype=pl.String),
            "_contact": np.arange(nc + nu) + 950_000_000,
            "_leg_order": np.zeros(nc + nu, np.int64),
            "_customer": customer,
        }
    )


def agent_state_events(agent_days: list[AgentDay], day_start: int, answered: pl.DataFrame) -> pl.DataFrame:
    """The day's state stream: base timelines with every answered leg laid over them (see module docstring)."""
    base = [(a.agent_num, day_start + t, STATE_CODE[s], REASON_CODE[r]) for a in agent_days for t, s, r in a.events]
    if not base:
        return pl.DataFrame(
            schema={"agent_id": pl.String, "event_at": pl.Int64, "state": pl.String, "reason": pl.String}
        )
    b_agent, b_t, b_state, b_reason = (np.array(col, np.int64) for col in zip(*base, strict=True))
    b_key = b_agent * KEY + b_t
    order = np.argsort(b_key, kind="stable")
    b_agent, b_t, b_state, b_reason, b_key = (x[order] for x in (b_agent, b_t, b_state, b_reason, b_key))

    c = answered.select("_agent_num", "answered_at", "talk_seconds", "hold_seconds", "acw_seconds").to_numpy()
    c = c[np.argsort(c[:, 0] * KEY + c[:, 1], kind="stable")] if c.size else np.zeros((0, 5), np.int64)
    c_agent, c_start, talk, hold, acw = (c[:, k].astype(np.int64) for k in range(5))
    c_key = c_agent * KEY + c_start
    c_end = c_start + talk + hold + acw

    # Base events inside a busy span give way to the call.
    j = np.searchsorted(c_key, b_key, side="right") - 1
    jj = np.clip(j, 0, None)
    inside = (j >= 0) & (c_agent[jj] == b_agent) & (b_t < c_end[jj]) if c_key.size else np.zeros(b_t.size, bool)
    # After a call the agent resumes whatever state their day is in then (ready, a delayed break, logged_out)...
    r_key = c_agent * KEY + c_end
    jb = np.searchsorted(b_key, r_key, side="right") - 1
    resume_state, resume_reason = b_state[jb], b_reason[jb]
    # ...unless the next call starts at that very second.
    keep_resume = ~np.isin(r_key, c_key)

    talk1 = np.where(hold > 0, np.maximum(1, talk // 2), talk)
    has_hold, has_acw = hold > 0, acw > 0
    has_talk2 = has_hold & (talk > talk1)
    S = STATE_CODE
    pieces = [
        (b_agent[~inside], b_t[~inside], b_state[~inside], b_reason[~inside], 2),
        (c_agent[keep_resume], c_end[keep_resume], resume_state[keep_resume], resume_reason[keep_resume], 1),
        (c_agent, c_start, np.full(c_agent.size, S["talk"]), np.zeros(c_agent.size, np.int64), 0),
        (
            c_agent[has_hold],
            (c_start + talk1)[has_hold],
            np.full(int(has_hold.sum()), S["hold"]),
            np.zeros(int(has_hold.sum()), np.int64),
            0,
        ),
        (
            c_agent[has_talk2],
            (c_start + talk1 + hold)[has_talk2],
            np.full(int(has_talk2.sum()), S["talk"]),
            np.zeros(int(has_talk2.sum()), np.int64),
            0,
        ),
        (
            c_agent[has_acw],
            (c_start + talk + hold)[has_acw],
            np.full(int(has_acw.sum()), S["acw"]),
            np.zeros(int(has_acw.sum()), np.int64),
            0,
        ),
    ]
    agent = np.concatenate([p[0] for p in pieces])
    t = np.concatenate([p[1] for p in pieces])
    state = np.concatenate([p[2] for p in pieces])
    reason = np.concatenate([p[3] for p in pieces])
    priority = np.concatenate([np.full(p[0].size, p[4]) for p in pieces])
    order = np.lexsort((priority, t, agent))
    agent, t, state, reason = agent[order], t[order], state[order], reason[order]
    same_time = np.concatenate([[False], (agent[1:] == agent[:-1]) & (t[1:] == t[:-1])])
    agent, t, state, reason = agent[~same_time], t[~same_time], state[~same_time], reason[~same_time]
    repeat = np.concatenate(
        [[False], (agent[1:] == agent[:-1]) & (state[1:] == state[:-1]) & (reason[1:] == reason[:-1])]
    )
    agent, t, state, reason = agent[~repeat], t[~repeat], state[~repeat], reason[~repeat]
    return _frame(
        {
            "agent_id": "a" + pl.Series(agent).cast(pl.String).str.zfill(4),
            "event_at": t,
            "state": np.array(AGENT_STATES, dtype=object)[state],
            "reason": np.array(REASONS, dtype=object)[reason],
        }
    )
