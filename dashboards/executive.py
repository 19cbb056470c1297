"""Executive reports: one page per month, quarter and year in the marts (`exec_2026-03.html`, `exec_2026-Q1.html`,
`exec_2026.html`).

Each page has headline tiles (value, target, change on the previous period and on the same period last year, in
plain language), trends over the last 13 months or 8 quarters, budget against actual and projection by cost category,
and headcount with hires and terminations. Center-wide figures are rebuilt from the marts' numerators and
denominators (queries in `queries/`), never averaged from ratios.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from dashboards import figures
from dashboards.data import Warehouse
from dashboards.kpis import (
    HEADLINE_KPIS,
    KPIS,
    OPERATIONS_KPIS,
    Kpi,
    add_months,
    comparison,
    fmt_count,
    fmt_money,
    fmt_pct,
    fmt_value,
    judge,
    period_key,
    period_label,
    period_months,
)  # fmt: skip
from dashboards.movement import (
    RATIO_KPIS,
    SMALL_COUNT,
    Scope,
    SegmentReader,
    period_scope,
    to_date_scope,
    why_it_moved,
)  # fmt: skip
from dashboards.site import Section, Site, chart

GRAINS = ("monthly", "quarterly", "yearly")
FAR_PAST, FAR_FUTURE = date(1900, 1, 1), date(9999, 12, 31)
# Trend charts: which grain's rows and how many periods up to the page's period.
TREND = {"monthly": ("monthly", 13), "quarterly": ("quarterly", 8), "yearly": ("monthly", 13)}
LEAVERS = Kpi("leavers_in_window", "Leavers", "count", False)
TREND_KPIS = [
    "offered",
    *OPERATIONS_KPIS,
    "qa_score",
    "annualised_attrition_rate",
    "cost_per_call",
]


@dataclass(frozen=True)
class Target:
    value: float
    direction: str  # at_least | at_most


def headline_frame(wh: Warehouse, grain: str) -> pl.DataFrame:
    """One row per period of `grain` with every center-wide headline KPI the marts can give (others absent).

    A period is one with something measured in it: calls, agent time, QA, people or booked costs. Budget lines alone
    make no period (finance.sql keeps months with actual costs), and cost per call, which a ledger month without
    calls can carry, only adds its column to periods that have data."""
    everything = {"start": FAR_PAST, "end": FAR_FUTURE}
    measured = [
        wh.query("service", everything, grain=grain, period="period_start", series="'All queues'"),
        wh.query("fcr", grain=grain),
        wh.query("agent_periods", grain=grain),
        wh.query("quality", grain=grain),
        wh.query("people", grain=grain),
        wh.query("finance", grain=grain, months=str(period_months(grain))),
    ]
    joined = pl.DataFrame({"period_start": []}, schema={"period_start": pl.Date})
    for frame in measured:
        if not frame.is_empty():
            joined = joined.join(frame.drop("series", strict=False), on="period_start", how="full", coalesce=True)
    cost_per_call = wh.query("cost_per_call", grain=grain)
    if not cost_per_call.is_empty():
        joined = joined.join(cost_per_call, on="period_start", how="left")
    return joined.sort("period_start")


ANNUALISED_COLUMNS = (
    "annualised_attrition_rate",
    "months_of_history",
    "leavers_in_window",
    "average_headcount_in_window",
)


def with_annualised_attrition(frame: pl.DataFrame, grain: str, annualised: dict[date, dict]) -> pl.DataFrame:
    """Add the center's annualised attrition as of each period's last month with people data, with the months of
    history and the leavers it stands on (attrition_annualised.sql)."""
    months = period_months(grain)
    picked = []
    for start in frame["period_start"].to_list():
        inside = [m for m in annualised if start <= m < add_months(start, months)]
        picked.append(annualised[max(inside)] if inside else {})
    return frame.with_columns(
        pl.Series(column, [row.get(column) for row in picked], dtype=pl.Float64) for column in ANNUALISED_COLUMNS
    )


def center_targets(targets: pl.DataFrame, day: date) -> dict[str, Target]:
    """Targets that hold for the whole center on `day`: a `center` row, else a row for every scope ('*');
    among those, the latest `valid_from`."""
    chosen: dict[str, tuple[tuple, Target]] = {}
    for row in targets.iter_rows(named=True):
        valid = row["valid_from"] <= day and (row["valid_to"] is None or row["valid_to"] >= day)
        if not valid or (row["scope_type"] != "center" and row["scope_value"] != "*"):
            continue
        rank = (row["scope_type"] == "center", row["valid_from"])
        if row["kpi"] not in chosen or rank > chosen[row["kpi"]][0]:
            chosen[row["kpi"]] = (rank, Target(float(row["target_value"]), row["direction"]))
    return {kpi: target for kpi, (_, target) in chosen.items()}


def tile_detail(column: str, row: dict, label: str, currency: str) -> str | None:
    """The bracketed detail after a tile's value, where a number alone would not say enough."""
    if column == "variance_pct" and row.get("variance_amount") is not None:
        amount = row["variance_amount"]
        if round(amount) == 0:
            return "on budget"
        return f"{fmt_money(abs(amount), currency)} {'over' if amount > 0 else 'under'} budget"
    if column == "annualised_attrition_rate" and row.get("terminations") is not None:
        leavers = fmt_count(row["terminations"]) if row["terminations"] else "no one"
        history = row.get("months_of_history")
        short = (
            f"; annualised from {fmt_count(history)} month{'s' if history != 1 else ''} of history only"
            if (history is not None and history < SHORT_HISTORY_MONTHS)
            else ""
        )
        return f"{leavers} leaving in {label}{short}"
    return None


SHORT_HISTORY_MONTHS = 3  # annualised attrition from less than a quarter of history is marked as such
# A rate whose denominator is a count: (numerator column, denominator column, what it counts, numerator's name).
COUNTED_RATES = {
    "service_level": ("answered_within_threshold", "service_level_denominator", "calls", "answered in time"),
    "abandonment_rate": ("abandoned_counted", "abandonment_denominator", "calls", "abandoned"),
    "fcr_rate": ("repeat_contacts", "fcr_eligible_contacts", "contacts", "called back"),
}


def small_numbers(column: str, row: dict) -> tuple[str, str] | None:
    """(headline, note) for a rate over too few to read as a rate: the counts become the headline, the rate goes into
    the note. None when the rate can stand."""
    if column == "annualised_attrition_rate":
        leavers, headcount = row.get("leavers_in_window"), row.get("average_headcount_in_window")
        months = row.get("months_of_history")
        if leavers is None or leavers >= SMALL_COUNT["leavers"]:
            return None
        return (
            f"{fmt_count(leavers)} leaver{'' if leavers == 1 else 's'}",
            f"in {fmt_count(months)} month{'' if months == 1 else 's'} among {fmt_count(headcount)} agents on "
            f"average: too few to read as a rate (annualised {fmt_pct(row.get(column))})",
        )
    if column in COUNTED_RATES:
        numerator, denominator, noun, what = COUNTED_RATES[column]
        if row.get(denominator) is None or row[denominator] >= SMALL_COUNT[noun]:
            return None
        return (
            f"{fmt_count(row[numerator])} of {fmt_count(row[denominator])} {noun}",
            f"{what}: too few {noun} to read as a rate ({fmt_pct(row.get(column))})",
        )
    return None


@dataclass(frozen=True)
class Compared:
    """A period a page is compared with: its start and label, and for a page in progress the like-for-like scope
    (the same days, or for money the same months); None: compare whole periods."""

    start: date
    label: str
    scope: Scope | None


def compared_value(
    column: str, compared: Compared, rows: dict[date, dict], reader: SegmentReader, annualised: dict[date, dict]
) -> tuple[float | None, str, dict]:
    """A KPI's value over a compared period, the label to say, and the row it came from."""
    if compared.scope is None:
        row = rows.get(compared.start, {})
        return row.get(column), compared.label, row
    scope = compared.scope
    if column in RATIO_KPIS:
        kpi = RATIO_KPIS[column]
        return reader.value(kpi, scope), scope.month_label if kpi.by_month else scope.label, {}
    if column == "annualised_attrition_rate":  # as of the same month of the compared period
        row = annualised.get(scope.last_month, {})
        return row.get(column), f"{scope.last_month:%B %Y}", row
    return None, scope.label, {}


def tiles(
    grain: str,
    start: date,
    rows: dict[date, dict],
    targets: dict[str, Target],
    currency: str,
    compared: list[Compared],
    reader: SegmentReader,
    annualised: dict[date, dict],
) -> list[dict]:
    row = rows.get(start, {})
    label = period_label(grain, start)
    out = []
    for column in HEADLINE_KPIS:
        kpi, value, target = KPIS[column], row.get(column), targets.get(column)
        judgement = judge(value, target.value if target else None, target.direction if target else None)
        small = None if value is None else small_numbers(column, row)
        comparisons = []
        for other in compared:
            other_value, other_label, other_row = compared_value(column, other, rows, reader, annualised)
            if small is not None and column == "annualised_attrition_rate":  # few leavers: compare the counts
                found = comparison(
                    LEAVERS, row.get("leavers_in_window"), other_row.get("leavers_in_window"), other_label, currency
                )
            else:
                found = comparison(kpi, value, other_value, other_label, currency)
            if found is not None:
                comparisons.append(found)
        detail = tile_detail(column, row, label, currency)
        out.append(
            {
                "column": column,
                "label": kpi.label,
                "value": small[0] if small else fmt_value(kpi, value, currency),
                "small": small is not None,
                "note": small[1] if small else detail,
                "target": None if target is None else f"target {fmt_value(kpi, target.value, currency)}",
                # Too few to read as a rate: not judged against a target either.
                "judgement": "neutral" if small else judgement,
                "status": "too few to judge"
                if small
                else {"good": "meets target", "bad": "misses target"}.get(judgement),
                "comparisons": comparisons,
                # Without a value the tile's big "no data" says it all.
                "sentence": None
                if value is None
                else ", ".join(
                    [
                        f"{kpi.label} {small[0] if small else fmt_value(kpi, value, currency)}"
                        + (f" ({small[1] if small else detail})" if (small or detail) else "")
                    ]
                    + ([f"target {fmt_value(kpi, target.value, currency)}"] if target else [])
                    + [c["phrase"] for c in comparisons]
                ),
            }
        )
    return out


def window(frame: pl.DataFrame, last: date | None, periods: int, months_each: int) -> pl.DataFrame:
    """Rows of `frame` for the `periods` periods up to and including `last`."""
    if last is None or frame.is_empty():
        return frame.clear()
    first = add_months(last, -(periods - 1) * months_each)
    return frame.filter(pl.col("period_start").is_between(first, last))


def render_period(
    wh: Warehouse,
    site: Site,
    grain: str,
    start: date,
    frames: dict[str, pl.DataFrame],
    targets: pl.DataFrame,
    currency: str,
    last_day: date | None,
    reader: SegmentReader,
    annualised: dict[date, dict],
) -> str:
    started = time.perf_counter()
    label = period_label(grain, start)
    months = period_months(grain)
    end = add_months(start, months)
    in_progress = last_day is not None and start <= last_day and last_day + timedelta(days=1) < end
    previous = add_months(start, -months)
    others = [(previous, period_label(grain, previous, short=previous.year == start.year))]
    if grain != "yearly":  # a year's previous period is already the same period last year
        others.append((add_months(start, -12), period_label(grain, add_months(start, -12))))
    if in_progress:  # like for like: the same days of the compared period (money: the same months)
        days = (last_day - start).days + 1
        months_to_date = (last_day.year - start.year) * 12 + last_day.month - start.month + 1
        compared = [Compared(s, lb, to_date_scope(s, add_months(s, months), days, months_to_date)) for s, lb in others]
    else:
        compared = [Compared(s, lb, None) for s, lb in others]
    partial = (
        f"{label} is in progress: data through {last_day:%d %B %Y}, so it is compared with the same days of the "
        "periods before (money and people: the same months). "
        if in_progress
        else ""
    )
    why_before = compared[0].scope or period_scope(grain, previous, months, compared[0].label)
    why = why_it_moved(reader, why_before, period_scope(grain, start, months, label), currency)
    frame = frames[grain]
    rows = {r["period_start"]: r for r in frame.iter_rows(named=True)}
    period_targets = center_targets(targets, start) if not targets.is_empty() else {}

    trend_grain, trend_periods = TREND[grain]
    trend_frame = frames[trend_grain]
    if grain == "yearly":  # a year's trend: the 13 months up to its last month with data
        in_year = [m for m in trend_frame["period_start"].to_list() if start <= m < add_months(start, 12)]
        last = max(in_year) if in_year else None
    else:
        last = start
    trend = window(trend_frame, last, trend_periods, period_months(trend_grain))
    span = "13 months" if trend_grain == "monthly" else "8 quarters"
    trend_cards: list = []
    for column in TREND_KPIS:
        kpi = KPIS[column]
        title = f"{kpi.label}, last {span} to {label}"
        target = period_targets.get(column)
        trend_cards.append(
            chart(
                title,
                trend,
                lambda c=column, t=title, tg=target: figures.make_trend_figure(
                    trend, c, t, trend_grain, target=tg.value if tg else None, currency=currency
                ),
                need=column,
            )
        )

    money = wh.query("finance_by_category", {"period_start": start}, grain=grain)
    full_year = "projected_year_end_amount" in money.columns
    money_title = (
        f"Budget, actual to date and projection by category, year as of {label}"
        if full_year
        else f"Budget and actual by category, {label}"
    )
    people_title = f"Headcount, hires and terminations, last {span} to {label}"
    sections = [
        Section("Service and productivity trends", trend_cards[:9]),
        Section(
            "Money",
            [
                chart(money_title, money, lambda: figures.make_budget_figure(money, money_title, currency)),
                trend_cards[10],
            ],
            note=(
                "Projection = actual to date + budget for the rest of the year (marts' projected_year_end_amount)."
                if full_year
                else None
            ),
        ),
        Section(
            "People",
            [
                chart(
                    people_title,
                    trend,
                    lambda: figures.make_headcount_figure(trend, people_title, trend_grain),
                    need="headcount_end",
                ),
                trend_cards[9],
            ],
        ),
    ]
    kind = {"monthly": "Monthly", "quarterly": "Quarterly", "yearly": "Yearly"}[grain]
    return site.write(
        f"exec_{period_key(grain, start)}.html",
        f"{kind} executive report: {label}",
        started,
        sections,
        tiles=tiles(grain, start, rows, period_targets, currency, compared, reader, annualised),
        why=why,
        why_title=f"Why it moved: {label} against {why_before.label}",
        intro=partial + "All queues, teams and cost centers. Ratios are rebuilt from their sums; "
        "targets from the center's kpi_targets; budget variance covers the months with actual "
        "costs.",
    )


def render_executive(
    wh: Warehouse, site: Site, currency: str, last_day: date | None
) -> dict[str, list[tuple[str, str]]]:
    """Write every executive page (`last_day`: the last day loaded, to mark a period in progress); returns
    (file, label) links per grain, newest first."""
    annualised = {row["period_start"]: row for row in wh.query("attrition_annualised").iter_rows(named=True)}
    reader = SegmentReader(wh)
    frames = {grain: with_annualised_attrition(headline_frame(wh, grain), grain, annualised) for grain in GRAINS}
    targets = wh.query("targets")
    links: dict[str, list[tuple[str, str]]] = {}
    for grain in GRAINS:
        # A period after the last day loaded (people or money planned ahead) has nothing to report yet.
        starts = sorted(
            (s for s in frames[grain]["period_start"].to_list() if last_day is None or s <= last_day), reverse=True
        )
        links[grain] = [
            (
                render_period(wh, site, grain, start, frames, targets, currency, last_day, reader, annualised),
                period_label(grain, start),
            )
            for start in starts
        ]
    return links
