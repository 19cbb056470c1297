"""How each KPI is named, shown to people and judged: labels, units, formatting and plain-language comparisons.

Values arrive as the marts hold them: ratios as fractions (0.82), durations in seconds, money in the center's
currency. People read "82 %", "0:42" and "NOK 45.20"; a missing value reads "no data".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

NO_DATA = "no data"
DEFAULT_CURRENCY = "NOK"  # METRICS.md `center_currency` default, used when the marts name no currency


@dataclass(frozen=True)
class Kpi:
    """A headline KPI: the column holding it, its label, its kind (pct, seconds, money, count) and its good side."""

    column: str
    label: str
    kind: str
    higher_is_better: bool | None  # None: neither side is good in itself (occupancy, headcount)


KPIS: dict[str, Kpi] = {
    k.column: k
    for k in [
        Kpi("service_level", "Service level", "pct", True),
        Kpi("asa_seconds", "Average speed of answer", "seconds", False),
        Kpi("abandonment_rate", "Abandonment", "pct", False),
        Kpi("aht_seconds", "Average handle time", "seconds", False),
        Kpi("avg_hold_seconds", "Average hold per held call", "seconds", False),
        Kpi("fcr_rate", "First-contact resolution", "pct", True),
        Kpi("occupancy", "Occupancy", "pct", None),
        Kpi("adherence", "Schedule adherence", "pct", True),
        Kpi("annualised_attrition_rate", "Attrition (annualised)", "pct", False),
        Kpi("cost_per_call", "Cost per call", "money", False),
        Kpi("variance_pct", "Budget variance", "pct", False),
        Kpi("qa_score", "QA score", "pct", True),
        Kpi("offered", "Offered calls", "count", None),
        Kpi("conversion_rate", "Outbound conversion", "pct", True),
        Kpi("headcount_end", "Headcount", "count", None),
    ]
}

# The operations KPIs (contacts, then agents), in the order every page that shows them lists them.
OPERATIONS_KPIS = [
    "service_level",
    "asa_seconds",
    "abandonment_rate",
    "aht_seconds",
    "fcr_rate",
    "occupancy",
    "adherence",
]
HEADLINE_KPIS = [
    *OPERATIONS_KPIS,
    "annualised_attrition_rate",
    "cost_per_call",
    "variance_pct",
    "qa_score",
]


def fmt_count(value: float | None) -> str:
    if value is None:
        return NO_DATA
    return f"{value:,.0f}".replace(",", "\u202f")  # narrow no-break space groups thousands, as in Norwegian


def fmt_pct(value: float | None, digits: int = 0) -> str:
    if value is None:
        return NO_DATA
    text = f"{value * 100:.{digits}f}"
    return ("0" if float(text) == 0 else text) + "\u00a0%"  # never "-0 %"


def fmt_duration(seconds: float | None) -> str:
    """Seconds as m:ss (or h:mm:ss from one hour), rounded to the second."""
    if seconds is None:
        return NO_DATA
    sign = "-" if seconds < 0 else ""
    total = round(abs(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours}:{minutes:02d}:{secs:02d}" if hours else f"{sign}{minutes}:{secs:02d}"


def fmt_money(value: float | None, currency: str) -> str:
    if value is None:
        return NO_DATA
    # Small amounts (cost per call) keep their øre; budgets are read in whole units.
    text = f"{abs(value):,.2f}" if abs(value) < 1000 else f"{abs(value):,.0f}"
    return f"{'-' if value < 0 else ''}{currency}\u00a0{text.replace(',', chr(0x202F))}"


def fmt_value(kpi: Kpi, value: float | None, currency: str) -> str:
    if kpi.kind == "pct":
        return fmt_pct(value)
    if kpi.kind == "seconds":
        return fmt_duration(value)
    if kpi.kind == "money":
        return fmt_money(value, currency)
    return fmt_count(value)


def fmt_change(kpi: Kpi, delta: float, currency: str) -> str:
    """The size of a change, without its direction: '3 points', '0:05', 'NOK 2.10'."""
    if kpi.kind == "pct":
        points = abs(delta) * 100
        # Under a point, one decimal ("0.5 points"); from 0.95 it rounds to whole points ("1 point", not "1.0").
        text = f"{points:.0f}" if points >= 0.95 or points < 0.05 else f"{points:.1f}"  # under 0.05: "0 points"
        return f"{text} point" + ("" if text == "1" else "s")
    if kpi.kind == "seconds":
        return fmt_duration(abs(delta))
    if kpi.kind == "money":
        return fmt_money(abs(delta), currency)
    return fmt_count(abs(delta))


def verdict(kpi: Kpi, delta: float) -> str:
    """Whether a change is an improvement for this KPI: 'better', 'worse', or for a KPI with no good side
    (occupancy, headcount) 'neither better nor worse'."""
    if kpi.higher_is_better is None:
        return "neither better nor worse"
    return "better" if (delta > 0) == kpi.higher_is_better else "worse"


def comparison(kpi: Kpi, value: float | None, other: float | None, other_label: str, currency: str) -> dict | None:
    """A tile's comparison with another period: its phrase ('down 11 points on February (worse)', 'no data for
    March 2025 to compare') and its verdict ('better', 'worse', 'same', 'neither better nor worse', 'no data').
    None without a value of its own (the tile's "no data" says it all)."""
    if value is None:
        return None
    if other is None:
        return {"phrase": f"no data for {other_label} to compare", "verdict": "no data", "delta": None}
    delta = value - other
    if fmt_change(kpi, delta, currency) in ("0 points", "0:00", fmt_money(0, currency), "0"):
        return {"phrase": f"unchanged on {other_label}", "verdict": "same", "delta": 0.0}
    judged = verdict(kpi, delta)
    return {
        "phrase": f"{'up' if delta > 0 else 'down'} {fmt_change(kpi, delta, currency)} on {other_label} ({judged})",
        "verdict": judged,
        "delta": delta,
    }


def compare(kpi: Kpi, value: float | None, other: float | None, other_label: str, currency: str) -> str | None:
    """The phrase of `comparison`: 'up 3 points on February (worse)', 'no data for 2025-Q4 to compare'."""
    found = comparison(kpi, value, other, other_label, currency)
    return None if found is None else found["phrase"]


def judge(value: float | None, target: float | None, direction: str | None) -> str:
    """'good', 'bad' or 'neutral' (no value or no target): a tile against its target, whose `direction` is
    `at_least` or `at_most` (seed kpi_targets)."""
    if value is None or target is None or direction not in ("at_least", "at_most"):
        return "neutral"
    meets = value >= target if direction == "at_least" else value <= target
    return "good" if meets else "bad"


# --- periods --------------------------------------------------------------------------------------------------------
MONTH_NAMES = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_months(grain: str) -> int:
    return {"monthly": 1, "quarterly": 3, "yearly": 12}[grain]


def period_key(grain: str, start: date) -> str:
    """File-name key of a period: 2026-03, 2026-Q1, 2026 (quarters numbered from the period's first month)."""
    if grain == "monthly":
        return f"{start.year}-{start.month:02d}"
    if grain == "quarterly":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"{start.year}"


def period_label(grain: str, start: date, short: bool = False) -> str:
    """Human label: 'March 2026' (or 'March' when short), '2026-Q1', '2026'."""
    if grain == "monthly":
        return MONTH_NAMES[start.month - 1] + ("" if short else f" {start.year}")
    return period_key(grain, start)
