"""Erlang A's fast closed forms against a straightforward reference kept here: the birth-death chain summed term by
term and the waiting contact's chain solved by uniformisation, jump by jump (the code of erlang.py before issue 19's
speed-up). Every share must agree within 1e-9 absolute and required agents must be the smallest N that meets the
target by the reference's own figures.
"""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from dagster_project.planning.erlang import _absorbed_by, erlang_a, erlang_c, required_agents

NEGLIGIBLE = 1e-16


def reference_stationary(arrival: float, service: float, abandon: float, agents: int) -> np.ndarray:
    load = arrival / service
    log_weights = [j * math.log(load) - math.lgamma(j + 1) for j in range(agents + 1)]
    log_w, top, k = log_weights[-1], max(log_weights), 1
    while True:  # the tail, until a term is negligible and every further ratio is below one
        ratio = arrival / (agents * service + k * abandon)
        log_w += math.log(ratio)
        log_weights.append(log_w)
        top = max(top, log_w)
        if ratio < 1 and log_w - top < math.log(NEGLIGIBLE) + math.log1p(-ratio):
            break
        k += 1
    w = np.array(log_weights)
    p = np.exp(w - w.max())
    return p / p.sum()


def reference_absorbed_by(start, agents, service, abandon, t):
    """Uniformisation: jumps at rate U; from phase m a jump moves on (m -> m - 1, or answered from 0), gives up or
    stays; P(absorbed by t) = sum_k Poisson(k; U t) P(absorbed within k jumps)."""
    move = agents * service + np.arange(len(start)) * abandon
    uniform = float((move + abandon).max())
    p_move, p_leave = move / uniform, abandon / uniform
    p_stay = 1.0 - p_move - p_leave
    mean = uniform * t
    dist = start.astype(float).copy()
    answered = abandoned = 0.0
    pk = math.exp(-mean)
    covered, answered_by, abandoned_by = pk, 0.0, 0.0
    for k in range(1, int(mean + 10 * math.sqrt(mean) + 20) + 1):
        answered += dist[0] * p_move[0]
        abandoned += dist.sum() * p_leave
        moved = dist[1:] * p_move[1:]
        dist = dist * p_stay
        dist[:-1] += moved
        pk *= mean / k
        answered_by, abandoned_by, covered = answered_by + pk * answered, abandoned_by + pk * abandoned, covered + pk
    rest = max(0.0, 1.0 - covered)
    return answered_by + rest * answered, abandoned_by + rest * abandoned


def reference_service_level_and_abandonment(rate, aht, patience, agents, threshold, short):
    """(service level over offered minus short abandons, abandonment rate, occupancy) by the reference."""
    service, abandon = 1 / aht, 1 / patience
    p = reference_stationary(rate, service, abandon, agents)
    waiting = p[agents:]
    i = np.arange(len(waiting))
    move = agents * service + i * abandon
    answered = (1 - waiting.sum()) + float(waiting @ np.cumprod(move / (move + abandon)))
    answered_by, _ = reference_absorbed_by(waiting, agents, service, abandon, threshold)
    _, short_abandoned = reference_absorbed_by(waiting, agents, service, abandon, short) if short > 0 else (0, 0)
    within = (1 - waiting.sum()) + answered_by
    return (
        within / (1 - short_abandoned),
        (1 - answered - short_abandoned) / (1 - short_abandoned),
        rate * answered * aht / agents,
    )


def reference_meets(rate, aht, patience, agents, threshold, short) -> bool:
    service_level, _, occupancy = reference_service_level_and_abandonment(rate, aht, patience, agents, threshold, short)
    return service_level >= 0.8 and occupancy <= 0.9


def grid(cases: int, seed: int):
    rng = random.Random(seed)
    for _ in range(cases):
        rate = rng.choice([0.002, 0.02, 0.08, 0.3, 1.5]) * rng.uniform(0.5, 2)
        aht = rng.uniform(60, 700)
        patience = rng.choice([10, 60, 275, 1000, 20000]) * rng.uniform(0.8, 1.25)
        agents = max(1, round(rate * aht * rng.uniform(0.5, 1.6)))
        yield rate, aht, patience, agents, rng.choice([10, 20, 30, 60]), rng.choice([3, 5, 10])


@pytest.mark.parametrize("seed", [1, 2])
def test_erlang_a_matches_the_term_by_term_reference(seed):
    for rate, aht, patience, agents, threshold, short in grid(60, seed):
        fast = erlang_a(rate, aht, patience, agents, threshold, short)
        service, abandon = 1 / aht, 1 / patience
        p = reference_stationary(rate, service, abandon, agents)
        waiting = p[agents:]
        assert fast.probability_of_waiting == pytest.approx(waiting.sum(), abs=1e-9)
        answered_by, abandoned_by = reference_absorbed_by(waiting, agents, service, abandon, threshold)
        assert fast.answered_within_threshold == pytest.approx((1 - waiting.sum()) + answered_by, abs=1e-9)
        assert fast.abandoned_after_threshold == pytest.approx(fast.abandoned - abandoned_by, abs=1e-9)
        _, short_abandoned = reference_absorbed_by(waiting, agents, service, abandon, short)
        assert fast.short_abandoned == pytest.approx(short_abandoned, abs=1e-9)
        sl, abandonment, occupancy = reference_service_level_and_abandonment(
            rate, aht, patience, agents, threshold, short
        )
        assert fast.service_level() == pytest.approx(sl, abs=1e-9)
        assert fast.abandonment_rate == pytest.approx(abandonment, abs=1e-9)
        assert fast.occupancy == pytest.approx(occupancy, abs=1e-9)


def test_required_agents_is_the_smallest_by_the_reference():
    for rate, aht, patience, _, threshold, short in grid(40, 3):
        n, _ = required_agents(
            rate,
            aht,
            threshold_seconds=threshold,
            service_level_target=0.8,
            max_occupancy=0.9,
            patience_seconds=patience,
            short_abandon_seconds=short,
        )

        case = (rate, aht, patience)
        assert reference_meets(*case, n, threshold, short), case
        assert n == 1 or not reference_meets(*case, n - 1, threshold, short), case
        c_agents, _ = required_agents(
            rate, aht, threshold_seconds=threshold, service_level_target=0.8, max_occupancy=0.9, model="erlang_c"
        )
        assert n <= c_agents


def test_a_contact_first_in_line_by_hand():
    # m = 0: answered at rate a = N mu, gives up at rate theta, whichever comes first. With a = 0.1, theta = 0.02,
    # t = 20: P(gone by t) = 1 - exp(-0.12 x 20) = 1 - exp(-2.4) = 0.909282; answered 0.1 / 0.12 of it = 0.757735,
    # abandoned 0.02 / 0.12 of it = 0.151547.
    (answered, abandoned) = _absorbed_by(np.array([1.0]), 0.1, 0.02, [20.0])[20.0]
    gone = 1 - math.exp(-2.4)
    assert answered == pytest.approx(gone * 0.1 / 0.12, abs=1e-12)
    assert abandoned == pytest.approx(gone * 0.02 / 0.12, abs=1e-12)
    assert answered == pytest.approx(0.757735, abs=1e-6)


def test_erlang_c_unchanged_by_the_cached_factorials():
    # Erlang C now reads log k! from a table; a team of 50 at 45 Erlangs against the textbook formula in exact
    # factorials: C = (A^N / N! x N / (N - A)) / (sum_{k<N} A^k / k! + A^N / N! x N / (N - A)).
    load, agents = 45.0, 50
    terms = [load**k / math.factorial(k) for k in range(agents)]
    top = load**agents / math.factorial(agents) * agents / (agents - load)
    outlook = erlang_c(load / 300, 300, agents, 20)
    assert outlook.probability_of_waiting == pytest.approx(top / (sum(terms) + top), rel=1e-12)
