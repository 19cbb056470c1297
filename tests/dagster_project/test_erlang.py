"""Erlang A against Erlang C (patience without bound) and against a discrete-event simulation written for this test.

The simulation is an M/M/N+M queue served first come, first served: a contact's wait until an agent is free depends
only on the contacts before it, so one heap of the agents' next free times gives each contact's offered wait; a
contact whose patience runs out first abandons and takes no agent. Fixed seeds; the tolerance is the issue's 1 point,
and each case also checks that the simulation's standard error (batch means) is small enough to see a 1-point miss.
"""

from __future__ import annotations

import heapq
import math

import numpy as np
import pytest

from dagster_project.planning.erlang import erlang_a, erlang_c, required_agents

THRESHOLD_SECONDS = 20.0
SHORT_ABANDON_SECONDS = 5.0


@pytest.mark.parametrize(
    ("offered_per_hour", "aht_seconds", "agents"),
    [(400, 300, 40), (80, 180, 6), (8, 300, 1), (2000, 240, 150)],
)
def test_erlang_a_becomes_erlang_c_as_patience_grows(offered_per_hour, aht_seconds, agents):
    c = erlang_c(offered_per_hour / 3600, aht_seconds, agents, THRESHOLD_SECONDS)
    for patience_seconds in (1e7, 1e9):
        a = erlang_a(offered_per_hour / 3600, aht_seconds, patience_seconds, agents, THRESHOLD_SECONDS)
        assert a.probability_of_waiting == pytest.approx(c.probability_of_waiting, abs=1e-4)
        assert a.answered_within_threshold == pytest.approx(c.answered_within_threshold, abs=1e-4)
        assert a.average_speed_of_answer_seconds == pytest.approx(c.average_speed_of_answer_seconds, rel=1e-3)
        assert a.abandoned < 1e-4


def test_erlang_c_by_hand():
    # A = 2 Erlangs, N = 3: sum_{k<3} A^k/k! = 1 + 2 + 2 = 5; A^3/3! x N/(N-A) = 4/3 x 3 = 4; C = 4 / 9.
    # SL(20 s, AHT 100 s) = 1 - 4/9 x exp(-(3 - 2) x 20 / 100); ASA = C x AHT / (N - A) = 44.44 s.
    outlook = erlang_c(2 / 100, 100, 3, 20)
    assert outlook.probability_of_waiting == pytest.approx(4 / 9)
    assert outlook.answered_within_threshold == pytest.approx(1 - 4 / 9 * math.exp(-0.2))
    assert outlook.average_speed_of_answer_seconds == pytest.approx(400 / 9)


def simulate(offered_per_second, aht_seconds, patience_seconds, agents, contacts, seed, batches=20):
    """Per batch of contacts (after a warm-up): shares answered within threshold, short abandons, abandons."""
    rng = np.random.default_rng(seed)
    arrivals = np.cumsum(rng.exponential(1 / offered_per_second, contacts)).tolist()
    services = rng.exponential(aht_seconds, contacts).tolist()
    patience = rng.exponential(patience_seconds, contacts).tolist()
    free_at = [0.0] * agents
    within = np.zeros(contacts, dtype=bool)
    short = np.zeros(contacts, dtype=bool)
    abandoned = np.zeros(contacts, dtype=bool)
    for k in range(contacts):
        arrival = arrivals[k]
        wait = max(0.0, free_at[0] - arrival)
        if wait <= patience[k]:
            heapq.heapreplace(free_at, arrival + wait + services[k])
            within[k] = wait <= THRESHOLD_SECONDS
        else:
            abandoned[k] = True
            short[k] = patience[k] < SHORT_ABANDON_SECONDS
    warm = contacts // 20
    parts = np.array_split(np.arange(warm, contacts), batches)
    return [(within[p].mean(), short[p].mean(), abandoned[p].mean()) for p in parts]


GRID = [
    # offered per hour, AHT seconds, mean patience seconds, agents
    (108, 300, 60, 10),  # 90 % load, impatient
    (132, 300, 120, 10),  # 110 % load: stable only because contacts give up
    (324, 300, 300, 30),  # 90 % load, patient
    (36, 300, 30, 5),  # 60 % load, small team
]


@pytest.mark.parametrize(("offered_per_hour", "aht_seconds", "patience_seconds", "agents"), GRID)
def test_erlang_a_agrees_with_a_simulation(offered_per_hour, aht_seconds, patience_seconds, agents):
    rate = offered_per_hour / 3600
    model = erlang_a(rate, aht_seconds, patience_seconds, agents, THRESHOLD_SECONDS, SHORT_ABANDON_SECONDS)
    batches = simulate(rate, aht_seconds, patience_seconds, agents, contacts=1_200_000, seed=agents * 7919 + 1)
    # METRICS.md's default service level: within threshold / (offered - short abandons); abandonment likewise
    service_levels = [w / (1 - s) for w, s, _ in batches]
    abandonment = [(a - s) / (1 - s) for _, s, a in batches]
    for simulated, projected in (
        (service_levels, model.service_level("offered_minus_short_abandons")),
        (abandonment, model.abandonment_rate),
    ):
        mean = float(np.mean(simulated))
        standard_error = float(np.std(simulated, ddof=1) / math.sqrt(len(simulated)))
        assert 3 * standard_error < 0.01, "the simulation is too short to tell a 1-point difference"
        assert abs(mean - projected) <= 0.01, (mean, projected, standard_error)


def test_each_service_level_denominator():
    a = erlang_a(132 / 3600, 300, 120, 10, THRESHOLD_SECONDS, SHORT_ABANDON_SECONDS)
    offered = a.service_level("offered")
    assert offered == pytest.approx(a.answered_within_threshold)
    assert a.service_level("offered_minus_short_abandons") == pytest.approx(offered / (1 - a.short_abandoned))
    assert a.service_level("answered_plus_late_abandons") == pytest.approx(
        offered / (a.answered + a.abandoned_after_threshold)
    )
    with pytest.raises(ValueError, match="service_level_denominator"):
        a.service_level("answered")


def test_required_agents_is_the_smallest_that_meets_the_target():
    rate, aht = 1.0, 300  # 300 Erlangs
    for model, patience in (("erlang_c", None), ("erlang_a", 120.0)):
        n, outlook = required_agents(
            rate,
            aht,
            threshold_seconds=20,
            service_level_target=0.8,
            max_occupancy=0.95,
            model=model,
            patience_seconds=patience,
        )
        assert outlook.service_level() >= 0.8 and outlook.occupancy <= 0.95
        fewer = erlang_a(rate, aht, patience, n - 1, 20) if patience else erlang_c(rate, aht, n - 1, 20)
        assert fewer is None or fewer.service_level() < 0.8 or fewer.occupancy > 0.95
    # abandonment relieves the queue: Erlang A never asks for more agents than Erlang C
    c_agents, _ = required_agents(
        rate, aht, threshold_seconds=20, service_level_target=0.8, max_occupancy=1.0, model="erlang_c"
    )
    a_agents, _ = required_agents(
        rate,
        aht,
        threshold_seconds=20,
        service_level_target=0.8,
        max_occupancy=1.0,
        model="erlang_a",
        patience_seconds=120.0,
    )
    assert a_agents <= c_agents
    assert required_agents(0.0, aht, threshold_seconds=20, service_level_target=0.8, max_occupancy=0.85) == (0, None)
