"""Comparing a report's period with another, and saying why a figure moved.

Each decomposable KPI is a ratio of sums over segments (queues, teams, cost categories): `RATIO_KPIS` says which
query gives its numerator and denominator per segment. `Scope` is the rows a value covers: whole periods of a grain,
or, for a period still in progress, the same days of the compared period (daily marts) and for money the same months
(money has no daily marts). `SegmentReader` reads and caches the sums; `why_it_moved` splits the change of each
decomposable KPI with `decomposition.decompose` and names, per kind of segment, the contribution that moved the
center's figure most, in one sentence each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dashboards.data import Warehouse
from dashboards.decomposition import Contribution, Decomposition, Sums, decompose
from dashboards.kpis import KPIS, add_months, fmt_change, fmt_count, fmt_money, fmt_value, verdict

# Denominators under these are too few to read as a rate: shown as counts, never as a headline.
SMALL_COUNT = {"calls": 30, "contacts": 30, "leavers": 5}


@dataclass(frozen=True)
class RatioKpi:
    column: str
    query: str  # dashboards/queries/<query>.sql, one row per segment
    numerator: str
    denominator: str
    dimension: str | None  # what a segment is ("queue", "team", "cost category"); None: not split
    noun: str  # what the denominator counts, for sentences ("calls", "hours scheduled", ...)
    scale: float = 1.0
    offset: float = 0.0
    by_month: bool = False  # money: its marts start at monthly grain


RATIO_KPIS = {
    k.column: k
    for k in [
        RatioKpi("service_level", "service_segments", "answered_within_threshold", "service_level_denominator",
                 "queue", "calls"),
        RatioKpi("abandonment_rate", "service_segments", "abandoned_counted", "abandonment_denominator", "queue",
                 "calls"),
        RatioKpi("asa_seconds", "service_segments", "answered_wait_seconds", "answered", "queue", "answered calls"),
        RatioKpi("aht_seconds", "service_segments", "handle_seconds", "handled_legs", "queue", "handled calls"),
        RatioKpi("fcr_rate", "fcr_segments", "repeat_contacts", "fcr_eligible_contacts", "queue", "contacts",
                 scale=-1.0, offset=1.0),
        RatioKpi("occupancy", "agent_segments", "handle_seconds", "handle_and_ready_seconds", "team",
                 "hours handling or ready"),
        RatioKpi("adherence", "agent_segments", "adherent_seconds", "scheduled_seconds", "team", "hours scheduled"),
        RatioKpi("qa_score", "quality_segments", "score_sum", "max_score_sum", None, "points possible"),
        RatioKpi("variance_pct", "finance_segments", "actual_amount", "budget_amount", "cost category", "budget",
                 offset=-1.0, by_month=True),
        RatioKpi("cost_per_call", "cost_segments", "cost", "answered_contacts", None, "answered contacts",
                 by_month=True),
    ]
}  # fmt: skip
DIMENSIONS = ("queue", "team", "cost category")


@dataclass(frozen=True)
class Scope:
    """What a value covers: periods of kpi_*_<grain> starting `first` to `last`, and for money (monthly marts only)
    the months starting `first_month` to `last_month`; `label` and `month_label` name them for people."""

    grain: str
    first: date
    last: date
    first_month: date
    last_month: date
    label: str
    month_label: str


def period_scope(grain: str, start: date, months: int, label: str) -> Scope:
    """A whole period of `grain` (`months` long)."""
    return Scope(grain, start, start, start, add_months(start, months - 1), label, label)


def to_date_scope(start: date, end: date, days: int, months: int) -> Scope:
    """The first `days` days (clamped to the period ending before `end`) and the first `months` months of the
    period starting `start`: a period in progress's like-for-like comparison."""
    last = min(start + timedelta(days=days - 1), end - timedelta(days=1))
    last_month = min(add_months(start, months - 1), add_months(end, -1))
    first_label = f"{start.day} {start:%B}" if start.year == last.year else f"{start.day} {start:%B %Y}"
    return Scope(
        "daily",
        start,
        last,
        start,
        last_month,
        f"{first_label} to {last.day} {last:%B %Y}",
        f"{start:%B} to {last_month:%B %Y}" if last_month != start else f"{start:%B %Y}",
    )


class SegmentReader:
    """Segment sums from the warehouse, each query and scope read once."""

    def __init__(self, wh: Warehouse):
        self.wh = wh
        self.cache: dict[tuple, dict[str, dict]] = {}

    def rows(self, kpi: RatioKpi, scope: Scope) -> dict[str, dict]:
        if kpi.by_month:
            grain, first, last = "monthly", scope.first_month, scope.last_month
        else:
            grain, first, last = scope.grain, scope.first, scope.last
        key = (kpi.query, grain, first, last)
        if key not in self.cache:
            frame = self.wh.query(kpi.query, {"first": first, "last": last}, grain=grain)
            self.cache[key] = {} if frame.is_empty() else {r["segment"]: r for r in frame.iter_rows(named=True)}
        return self.cache[key]

    def sums(self, kpi: RatioKpi, scope: Scope) -> dict[str, Sums]:
        return {
            segment: Sums(float(row[kpi.numerator] or 0), float(row[kpi.denominator] or 0))
            for segment, row in self.rows(kpi, scope).items()
            if row[kpi.denominator] is not None
        }

    def value(self, kpi: RatioKpi, scope: Scope) -> float | None:
        sums = self.sums(kpi, scope).values()
        denominator = sum(s.denominator for s in sums)
        if denominator <= 0:
            return None
        return kpi.offset + kpi.scale * sum(s.numerator for s in sums) / denominator


def _amount(column: str, value: float | None, currency: str) -> str:
    return fmt_value(KPIS[column], value, currency) if value is not None else "none"


def _counts(kpi: RatioKpi, part: Contribution, before: dict[str, Sums], after: dict[str, Sums], currency: str) -> str:
    """The segment's denominators, so a rate over few calls is read as the count it is."""
    b, a = before.get(part.segment, Sums(0, 0)), after.get(part.segment, Sums(0, 0))
    if kpi.column == "variance_pct":
        return f"actual {fmt_money(a.numerator, currency)} against a budget of {fmt_money(a.denominator, currency)}"
    if kpi.noun.startswith("hours"):
        return f"{fmt_count(b.denominator / 3600)} then {fmt_count(a.denominator / 3600)} {kpi.noun}"
    return f"{fmt_count(b.denominator)} then {fmt_count(a.denominator)} {kpi.noun}"


def sentence(
    kpi: RatioKpi,
    result: Decomposition,
    part: Contribution,
    before: dict[str, Sums],
    after: dict[str, Sums],
    compared: str,
    currency: str,
) -> str:
    """'Schedule adherence fell 9 points on September 2025 (worse); team oslo_01 moved it most: 7 points, its own
    adherence 92 % -> 61 % (410 then 380 hours scheduled).'"""
    info = KPIS[kpi.column]
    change = result.change
    moved = "unchanged" if change == 0 else ("rose" if change > 0 else "fell")
    change_text = "" if change == 0 else f" {fmt_change(info, change, currency)}"
    judged = "" if change == 0 else f" ({verdict(info, change)})"
    own = (
        f"it is new, at {_amount(kpi.column, part.rate_after, currency)}"
        if part.rate_before is None
        else f"it is gone, from {_amount(kpi.column, part.rate_before, currency)}"
        if part.rate_after is None
        else f"its own {info.label[0].lower() + info.label[1:]} went from "
        f"{_amount(kpi.column, part.rate_before, currency)} to {_amount(kpi.column, part.rate_after, currency)}"
    )
    split = (
        "mostly its own rate"
        if abs(part.rate) >= abs(part.mix)
        else f"mostly its {'larger' if part.weight_after > part.weight_before else 'smaller'} share"
    )
    direction = "up" if part.total > 0 else "down"
    small = (
        " (few: read the counts, not the rate)"
        if kpi.noun in SMALL_COUNT and after.get(part.segment, Sums(0, 0)).denominator < SMALL_COUNT[kpi.noun]
        else ""
    )
    return (
        f"{info.label} {moved}{change_text} on {compared}{judged}, from {_amount(kpi.column, result.before, currency)} "
        f"to {_amount(kpi.column, result.after, currency)}; {kpi.dimension} {part.segment} moved it most, "
        f"{fmt_change(info, part.total, currency)} {direction} ({split}): {own} "
        f"({_counts(kpi, part, before, after, currency)}){small}."
    )


def why_it_moved(reader: SegmentReader, before: Scope, after: Scope, currency: str) -> list[str]:
    """One sentence per kind of segment (queue, team, cost category): among the rates split by it, the largest single
    contribution to a change between `before` and `after`, in points (times and money are left out of the ranking:
    seconds and kroner do not compare with points); nothing for a kind with no data in both periods, or no change."""
    out = []
    for dimension in DIMENSIONS:
        best = None
        for kpi in RATIO_KPIS.values():
            if kpi.dimension != dimension or KPIS[kpi.column].kind != "pct":
                continue
            sums_before, sums_after = reader.sums(kpi, before), reader.sums(kpi, after)
            result = decompose(sums_before, sums_after, kpi.scale, kpi.offset)
            if result is None or not result.contributions:
                continue
            part = result.contributions[0]
            size = round(abs(part.total), 9)  # rounded: equal effects tie on the KPI order, not on float noise
            if size > 0 and (best is None or size > best[0]):
                best = (size, kpi, result, part, sums_before, sums_after)
        if best is not None:
            _, kpi, result, part, sums_before, sums_after = best
            compared = before.month_label if kpi.by_month else before.label
            out.append(sentence(kpi, result, part, sums_before, sums_after, compared, currency))
    return out
