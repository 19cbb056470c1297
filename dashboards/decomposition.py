"""Why a center-wide ratio moved: its change split into each segment's mix and rate effects, parts that add up exactly.

A center-wide ratio is a weighted mean of its segments' ratios: R = sum(n_i) / sum(d_i) = sum(w_i * r_i) with
weights w_i = d_i / D (a queue's share of the calls, a team's share of scheduled time, a category's share of the
budget) and rates r_i = n_i / d_i. Between a period 0 and a period 1 the change R1 - R0 splits per segment into

    rate_i = (r1_i - r0_i) * (w0_i + w1_i) / 2          the segment did better or worse, at its average weight
    mix_i  = (w1_i - w0_i) * ((r0_i + r1_i) / 2 - (R0 + R1) / 2)
                                                        the segment grew or shrank, by how far its rate is from
                                                        the center's (a segment at the center's rate moves nothing)

(the symmetric, "midpoint" two-factor split). Summed over segments, rate + mix = sum(w1 r1 - w0 r0) = R1 - R0
exactly: the cross terms of the midpoints cancel, and the center's mean rate drops out of the mix terms because the
weight changes sum to zero. A segment present in one period only (a new queue) has no rate in the other; it takes
its one rate for both, so its whole effect is mix (its arrival or departure). A KPI of the form a + b * R (first-contact
resolution = 1 - repeats / eligible, budget variance = actual / budget - 1) scales every part by b.

Pure functions on plain numbers: no warehouse, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sums:
    """One segment's numerator and denominator in one period (0 and 0 when it has no rows there)."""

    numerator: float
    denominator: float


@dataclass(frozen=True)
class Contribution:
    segment: str
    mix: float
    rate: float
    rate_before: float | None  # the segment's own KPI value (scaled and offset like the center's); None: absent
    rate_after: float | None
    weight_before: float
    weight_after: float

    @property
    def total(self) -> float:
        return self.mix + self.rate


@dataclass(frozen=True)
class Decomposition:
    before: float
    after: float
    contributions: list[Contribution]  # largest total effect (either sign) first

    @property
    def change(self) -> float:
        return self.after - self.before


def decompose(
    before: dict[str, Sums], after: dict[str, Sums], scale: float = 1.0, offset: float = 0.0
) -> Decomposition | None:
    """Split the change of KPI = offset + scale * sum(numerator) / sum(denominator) from `before` to `after` into
    each segment's mix and rate effects (see the module docstring). None when either period's denominator is 0."""
    total_before = sum(s.denominator for s in before.values())
    total_after = sum(s.denominator for s in after.values())
    if total_before <= 0 or total_after <= 0:
        return None
    center_before = sum(s.numerator for s in before.values()) / total_before
    center_after = sum(s.numerator for s in after.values()) / total_after
    center_mean = (center_before + center_after) / 2
    parts = []
    for segment in sorted(set(before) | set(after)):
        b, a = before.get(segment, Sums(0, 0)), after.get(segment, Sums(0, 0))
        w0, w1 = b.denominator / total_before, a.denominator / total_after
        r0 = b.numerator / b.denominator if b.denominator > 0 else None
        r1 = a.numerator / a.denominator if a.denominator > 0 else None
        if r0 is None and r1 is None:
            continue
        # A segment in one period only: its one rate stands for both (all of its effect is mix).
        r0_used = r0 if r0 is not None else r1
        r1_used = r1 if r1 is not None else r0
        mix = (w1 - w0) * ((r0_used + r1_used) / 2 - center_mean)
        rate = (r1_used - r0_used) * (w0 + w1) / 2
        parts.append(
            Contribution(
                segment=segment,
                mix=scale * mix,
                rate=scale * rate,
                rate_before=None if r0 is None else offset + scale * r0,
                rate_after=None if r1 is None else offset + scale * r1,
                weight_before=w0,
                weight_after=w1,
            )
        )
    # Largest first; effects equal to 9 decimals tie on the name, not on float noise.
    parts.sort(key=lambda c: (-round(abs(c.total), 9), c.segment))
    return Decomposition(offset + scale * center_before, offset + scale * center_after, parts)
