"""Queueing models for staffing: Erlang C (M/M/N) and Erlang A (M/M/N+M, after Mandelbaum & Zeltyn).

Plain functions with no Dagster or database import; the staffing plan calls them per queue and interval.

Erlang A adds abandonment to Erlang C: every waiting contact leaves after an exponential patience (mean
`patience_seconds`). It is solved here exactly as the birth-death chain it is, not through the incomplete-gamma
closed forms: the number of contacts in the system j has stationary weights

    a_j = A^j / j!                                   for j <= N      (A = offered load in Erlangs = lambda / mu)
    a_j = a_N * prod_{k=1..j-N} lambda / (N mu + k theta)   for j > N  (theta = 1 / mean patience)

which fall faster than geometrically once N mu + k theta exceeds lambda, so the sum is cut where the remaining terms
are below 1e-16 of it. An arriving contact sees the stationary state (PASTA). One that finds j >= N contacts waits
behind m = j - N others; while i contacts are ahead of it, the line moves at rate N mu + i theta (an agent frees or
one ahead gives up) and it gives up itself at rate theta. Its own patience runs whatever its place, and the time the
line takes to reach it is a sum of exponentials whose law is known exactly (exp(-theta T) is a Beta variable), so
P(answered within t) and P(abandoned within t) are negative binomial sums, for every starting m at once
(`_absorbed_by`; until issue 19 this chain was solved by uniformisation, which the tests keep as their reference).
With theta -> 0 the chain is Erlang C's.

Service level under abandonment, for each `service_level_denominator` of METRICS.md (all shares of offered contacts):
    answered within threshold / (1 - short abandons)                 offered_minus_short_abandons (default)
    answered within threshold / 1                                    offered
    answered within threshold / (answered + abandoned after threshold)   answered_plus_late_abandons
Projected abandonment rate = (abandoned - short abandons) / (offered - short abandons), METRICS.md's definition.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

SERVICE_LEVEL_DENOMINATORS = ("offered_minus_short_abandons", "offered", "answered_plus_late_abandons")
# The truncation point of the state space and of the uniformisation sum: what is left out is below this share.
_NEGLIGIBLE = 1e-16
# math.lgamma(j + 1) for j = 0, 1, ...: the same values the closed forms used to compute term by term, kept across
# calls (a plan asks for thousands of queues of the same few hundred agents at most), grown on demand.
_log_factorials = np.zeros(1)
_log_factorials.setflags(write=False)


def _log_factorial_table(n: int) -> np.ndarray:
    """log j! for j = 0..n."""
    global _log_factorials
    if len(_log_factorials) <= n:
        _log_factorials = np.array([math.lgamma(j + 1) for j in range(max(n + 1, 2 * len(_log_factorials)))])
        _log_factorials.setflags(write=False)  # shared by every call: callers get read-only views
    return _log_factorials[: n + 1]


@dataclass(frozen=True)
class QueueOutlook:
    """What a queue model projects for one interval with `agents` agents; shares are of offered contacts."""

    agents: int
    probability_of_waiting: float
    answered_within_threshold: float
    answered: float
    abandoned: float
    short_abandoned: float
    abandoned_after_threshold: float
    occupancy: float
    average_speed_of_answer_seconds: float

    def service_level(self, denominator: str = "offered_minus_short_abandons") -> float:
        if denominator == "offered_minus_short_abandons":
            base = 1.0 - self.short_abandoned
        elif denominator == "offered":
            base = 1.0
        elif denominator == "answered_plus_late_abandons":
            base = self.answered + self.abandoned_after_threshold
        else:
            raise ValueError(f"unknown service_level_denominator {denominator!r}: one of {SERVICE_LEVEL_DENOMINATORS}")
        return self.answered_within_threshold / base if base > 0 else 1.0

    @property
    def abandonment_rate(self) -> float:
        """METRICS.md: (abandoned - short abandons) / (offered - short abandons)."""
        base = 1.0 - self.short_abandoned
        return (self.abandoned - self.short_abandoned) / base if base > 0 else 0.0


def erlang_c(
    offered_per_second: float, aht_seconds: float, agents: int, threshold_seconds: float
) -> QueueOutlook | None:
    """Erlang C's closed form; None when the queue is unstable (load >= agents), where nobody is ever answered."""
    load = offered_per_second * aht_seconds
    if agents <= load:
        return None
    # Poisson terms through logarithms so that large loads cannot overflow.
    k = np.arange(agents + 1)
    log_terms = k * math.log(load) - _log_factorial_table(agents) if load > 0 else None
    if log_terms is None:
        p_wait = 0.0
    else:
        top = log_terms[-1] + math.log(agents / (agents - load))
        shift = max(log_terms.max(), top)
        below = np.exp(log_terms[:-1] - shift).sum()
        p_wait = math.exp(top - shift) / (below + math.exp(top - shift))
    rate = (agents - load) / aht_seconds
    within = 1.0 - p_wait * math.exp(-rate * threshold_seconds)
    return QueueOutlook(
        agents=agents,
        probability_of_waiting=p_wait,
        answered_within_threshold=within,
        answered=1.0,
        abandoned=0.0,
        short_abandoned=0.0,
        abandoned_after_threshold=0.0,
        occupancy=load / agents,
        average_speed_of_answer_seconds=p_wait / rate,
    )


def _stationary(load: float, agents: int, arrival: float, service: float, abandon: float) -> np.ndarray:
    """Stationary probabilities of the number in system, states 0.. until the tail is negligible."""
    if load <= 0:
        p = np.zeros(agents + 1)
        p[0] = 1.0
        return p
    head = _counts(agents + 1) * math.log(load) - _log_factorial_table(agents)
    # The tail term by term is a cumulative sum of log ratios; it is worked out in blocks of growing length (most
    # queues need a few dozen terms) and cut at the first term that is negligible with every further ratio below one.
    pieces, log_w, top, first, block = [head], float(head[-1]), float(head.max()), 1, 64
    while True:
        ratio = arrival / (agents * service + (first + _counts(block)) * abandon)
        log_tail = log_w + np.cumsum(np.log(ratio))
        running_top = np.maximum(np.maximum.accumulate(log_tail), top)
        below_one = ratio < 1  # where it is not, the cut does not apply and log1p is left at 0
        cut = below_one & (log_tail - running_top < math.log(_NEGLIGIBLE) + np.log1p(-np.where(below_one, ratio, 0.0)))
        if cut.any():
            pieces.append(log_tail[: int(cut.argmax()) + 1])
            break
        pieces.append(log_tail)
        log_w, top, first, block = float(log_tail[-1]), float(running_top[-1]), first + block, block * 2
        if first > 10_000_000:
            raise ValueError("Erlang A: queue too large to solve (patience too long for the load)")
    w = np.concatenate(pieces)
    p = np.exp(w - w.max())
    return p / p.sum()


def _tagged_contact_outcomes(
    waiting: np.ndarray, agents: int, service: float, abandon: float, thresholds: list[float]
) -> tuple[float, float, dict[float, tuple[float, float]]]:
    """For the arrivals that find every agent busy, `waiting[m]` of them with m others ahead (m = 0, 1, ...):
    the share answered, the share answered times its mean wait, and per threshold t the shares answered by t and
    abandoned by t. All shares are of offered contacts.

    A waiting contact's own chain: with i ahead it moves on at rate N mu + i theta and gives up at rate theta. The
    time spent in a phase does not depend on how it is left (competing exponentials), so a contact answered from m
    ahead waited sum_{i<=m} 1 / (N mu + (i + 1) theta) on average.
    """
    # answered from m ahead: prod_{i<=m} (N mu + i theta) / (N mu + (i + 1) theta), which telescopes
    phase_rates = agents * service + (_counts(len(waiting)) + 1.0) * abandon
    answered_from = (agents * service) / phase_rates
    answered = float(waiting @ answered_from)
    answered_wait = float(waiting @ (answered_from * np.cumsum(1.0 / phase_rates)))
    by_threshold = _absorbed_by(waiting, agents * service, abandon, thresholds)
    return answered, answered_wait, by_threshold


def _absorbed_by(
    start: np.ndarray, line_rate: float, abandon: float, thresholds: list[float]
) -> dict[float, tuple[float, float]]:
    """Per threshold t, the shares answered and abandoned by time t of contacts starting with m ahead with
    probability start[m], in closed form.

    The contact's own patience is an exponential clock (rate theta) that runs whatever its place, so it is answered by
    t when the line reaches it, T_m, by t and before its patience runs out. T_m is a sum of exponentials with rates
    a + i theta, i = 0..m (a = N mu), and with c = a / theta, Y = exp(-theta T_m) is Beta(c, m + 1) (its moments are
    prod_i (c + i) / (c + i + u)). With x = 1 - exp(-theta t):
        P(T_m > t)                         = sum_{j<=m} NB(j; c, x)
        E[exp(-theta T_m); T_m <= t]       = c / (c + m + 1) * (1 - sum_{j<=m} NB(j; c + 1, x))
    (regularised incomplete beta functions with an integer parameter, as negative binomial sums: all terms positive).
    Answered by t is the second; still waiting at t is exp(-theta t) P(T_m > t); abandoned by t is the rest."""
    result = {t: (0.0, 0.0) for t in thresholds}
    times = [t for t in thresholds if t > 0]
    if not len(start) or not times:
        return result
    c = line_rate / abandon
    m = _counts(len(start))
    # log NB(j; r, x) = log Gamma(r + j) - log Gamma(r) - log j! + j log x + r log(1 - x), (1 - x)^c = exp(-a t);
    # the Gamma ratios as running sums of log((r + i - 1) / i), for r = c (row 0) and c + 1 (row 1)
    log_gamma_ratio = np.zeros((2, len(start)))
    np.cumsum(np.log(np.add.outer((c - 1.0, c), m[1:]) / m[1:]), axis=1, out=log_gamma_ratio[:, 1:])
    answered_share = c / (c + m + 1.0)
    total = float(start.sum())
    for t in times:
        nb = np.exp(log_gamma_ratio + (m * math.log(-math.expm1(-abandon * t)) - line_rate * t))
        nb[1] *= math.exp(-abandon * t)
        np.cumsum(nb, axis=1, out=nb)
        answered = float(start @ (answered_share * np.maximum(0.0, 1.0 - nb[1])))
        waiting = math.exp(-abandon * t) * float(start @ np.minimum(1.0, nb[0]))
        result[t] = (answered, max(0.0, total - answered - waiting))
    return result


_count_table = np.arange(256, dtype=float)
_count_table.setflags(write=False)


def _counts(n: int) -> np.ndarray:
    """0.0, 1.0, ..., n - 1 as floats, from a table kept across calls."""
    global _count_table
    if len(_count_table) < n:
        _count_table = np.arange(max(n, 2 * len(_count_table)), dtype=float)
        _count_table.setflags(write=False)
    return _count_table[:n]


def erlang_a(
    offered_per_second: float,
    aht_seconds: float,
    patience_seconds: float,
    agents: int,
    threshold_seconds: float,
    short_abandon_seconds: float = 5.0,
) -> QueueOutlook:
    """Erlang A (M/M/N+M) for `agents` agents; stable for any load, since waiting contacts give up."""
    if agents < 1:
        raise ValueError("Erlang A needs at least one agent")
    service, abandon, arrival = 1.0 / aht_seconds, 1.0 / patience_seconds, offered_per_second
    load = arrival * aht_seconds
    p = _stationary(load, agents, arrival, service, abandon)
    waiting = p[agents:]  # an arrival finding j >= N contacts in the system has m = j - N ahead of it
    p_wait = float(waiting.sum())
    threshold, short = float(threshold_seconds), float(short_abandon_seconds)
    answered_waiting, answered_wait, by_t = _tagged_contact_outcomes(
        waiting, agents, service, abandon, sorted({threshold, short})
    )
    answered = (1.0 - p_wait) + answered_waiting
    answered_by_t, abandoned_by_t = by_t[threshold]
    abandoned = 1.0 - answered
    # a wait of exactly the threshold meets it (METRICS.md); for continuous waits "by t" and "within t" agree
    return QueueOutlook(
        agents=agents,
        probability_of_waiting=p_wait,
        answered_within_threshold=(1.0 - p_wait) + answered_by_t,
        answered=answered,
        abandoned=abandoned,
        short_abandoned=by_t[short][1],
        abandoned_after_threshold=abandoned - abandoned_by_t,
        occupancy=arrival * answered * aht_seconds / agents,
        average_speed_of_answer_seconds=answered_wait / answered if answered > 0 else 0.0,
    )


def required_agents(
    offered_per_second: float,
    aht_seconds: float,
    *,
    threshold_seconds: float,
    service_level_target: float,
    max_occupancy: float,
    model: str = "erlang_a",
    patience_seconds: float | None = None,
    short_abandon_seconds: float = 5.0,
    service_level_denominator: str = "offered_minus_short_abandons",
) -> tuple[int, QueueOutlook | None]:
    """The smallest N meeting the service-level target with occupancy <= max_occupancy (METRICS.md "Staffing")."""
    if offered_per_second <= 0 or aht_seconds <= 0:
        return 0, None
    use_a = model == "erlang_a" and patience_seconds is not None and patience_seconds > 0

    outlooks: dict[int, QueueOutlook | None] = {}  # the search below asks for its answer twice

    def outlook_for(n: int) -> QueueOutlook | None:
        if n not in outlooks:
            if use_a:
                outlooks[n] = erlang_a(
                    offered_per_second, aht_seconds, patience_seconds, n, threshold_seconds, short_abandon_seconds
                )
            else:
                outlooks[n] = erlang_c(offered_per_second, aht_seconds, n, threshold_seconds)
        return outlooks[n]

    def meets(outlook: QueueOutlook | None) -> bool:
        return (
            outlook is not None
            and outlook.service_level(service_level_denominator) >= service_level_target
            and outlook.occupancy <= max_occupancy
        )

    # Both service level and 1 - occupancy grow with N. Erlang C's answer is cheap and, since abandons only relieve
    # the queue, usually a few agents above Erlang A's: step away from it by doubling steps, then halve the gap.
    c_agents = _erlang_c_required(
        offered_per_second,
        aht_seconds,
        threshold_seconds,
        service_level_target,
        max_occupancy,
        service_level_denominator,
    )
    if not use_a:
        return c_agents, outlook_for(c_agents)
    # Erlang A mostly needs 0-3 agents fewer: try one fewer first, then step down one at a time, then by doubling.
    if c_agents > 1 and meets(outlook_for(c_agents - 1)):
        high = c_agents - 1
        for _ in range(3):
            if high == 1 or not meets(outlook_for(high - 1)):
                return high, outlook_for(high)
            high -= 1
        step = 1
        while high - step >= 1 and meets(outlook_for(high - step)):
            high, step = high - step, step * 2
        low = max(0, high - step)
    elif meets(outlook_for(c_agents)):
        return c_agents, outlook_for(c_agents)
    else:
        low, step = c_agents, 1
        while not meets(outlook_for(low + step)):
            low, step = low + step, step * 2
        high = low + step
    while high - low > 1:
        middle = (low + high) // 2
        if meets(outlook_for(middle)):
            high = middle
        else:
            low = middle
    return high, outlook_for(high)


def _erlang_c_required(
    offered_per_second: float,
    aht_seconds: float,
    threshold_seconds: float,
    service_level_target: float,
    max_occupancy: float,
    service_level_denominator: str,
) -> int:
    """Erlang C's required agents, counting up from the load: Erlang C's closed form for a block of team sizes at once
    (the same sums as `erlang_c`, over one table of Poisson terms)."""
    load = offered_per_second * aht_seconds
    first = max(1, math.floor(load))
    block = 32
    while True:
        agents = np.arange(first, first + block)
        k = np.arange(first + block)
        log_terms = k * math.log(load) - _log_factorial_table(first + block - 1)
        stable = agents > load
        with np.errstate(divide="ignore", invalid="ignore"):
            top = log_terms[agents] + np.log(agents / (agents - load))
        shift = max(float(log_terms.max()), float(top[stable].max()) if stable.any() else -math.inf)
        below = np.cumsum(np.exp(log_terms - shift))[agents - 1]  # sum_{k < N}
        with np.errstate(invalid="ignore"):
            p_wait = np.exp(top - shift) / (below + np.exp(top - shift))
            within = 1.0 - p_wait * np.exp(-((agents - load) / aht_seconds) * threshold_seconds)
        # with no abandons every denominator of the service level is 1
        meets = stable & (within >= service_level_target) & (load / agents <= max_occupancy)
        if meets.any():
            return int(agents[meets.argmax()])
        first += block
