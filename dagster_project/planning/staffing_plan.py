"""The staffing plan: required agents per future interval from the forecast, against the published schedule, and the
breaks that could move to where the schedule has agents to spare (METRICS.md "Planning").

Plain functions over Polars frames; the Dagster asset reads the marts and the forecast and writes what these return.

- Required agents: Erlang A (`staffing_model = erlang_a`, a queue with a patience estimate) or Erlang C, the smallest
  N that meets `service_level_target` within `service_level_seconds` with occupancy <= `max_occupancy`.
- Required scheduled agents = required / (1 - unplanned shrinkage): the scheduled agents they are compared with count
  work segments only, which already leave breaks, lunches and meetings out.
- Projected service level and abandonment with the scheduled agents: the model at the agents who will be there,
  scheduled x (1 - unplanned shrinkage), interpolated linearly between the whole numbers around it.
- Beyond the last published schedule day an interval is `not_yet_scheduled`: no scheduled agents, no gap, never 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import polars as pl

from dagster_project.planning.erlang import QueueOutlook, erlang_a, erlang_c, required_agents

UNDER, OVER, WITHIN, NOT_YET_SCHEDULED, NO_DEMAND = "under", "over", "within", "not_yet_scheduled", "no_demand"


@dataclass(frozen=True)
class PlanSettings:
    """The metric settings the plan uses (dbt vars of the same names)."""

    service_level_seconds: float = 20
    service_level_target: float = 0.80
    max_occupancy: float = 0.85
    short_abandon_seconds: float = 5
    service_level_denominator: str = "offered_minus_short_abandons"
    staffing_model: str = "erlang_a"
    staffing_tolerance_agents: float = 1
    break_window_minutes: int = 60

    @classmethod
    def from_metrics(cls, metrics: dict) -> PlanSettings:
        return cls(**{name: metrics[name] for name in cls.__dataclass_fields__ if name in metrics})


PLAN_SCHEMA = {
    "queue": pl.String,
    "interval_start_at": pl.Datetime("us"),
    "interval_start": pl.Datetime("us"),
    "local_date": pl.Date,
    "interval_seconds": pl.Int64,
    "forecast_offered": pl.Float64,
    "forecast_aht_seconds": pl.Float64,
    "patience_seconds": pl.Float64,
    "staffing_model": pl.String,
    "required_agents": pl.Int64,
    "unplanned_shrinkage": pl.Float64,
    "required_scheduled_agents": pl.Float64,
    "is_scheduled": pl.Boolean,
    "scheduled_agents": pl.Float64,
    "schedule_gap_agents": pl.Float64,
    "projected_service_level": pl.Float64,
    "projected_abandonment_rate": pl.Float64,
    "staffing_status": pl.String,
}


class _Model:
    """One queue's model with memoised results: forecasts repeat (the same weekday and interval week after week), so
    inputs are rounded to what a plan can tell apart (0.01 contacts per interval, whole seconds of AHT)."""

    def __init__(self, settings: PlanSettings, patience_seconds: float | None, interval_seconds: int):
        self.settings = settings
        self.patience = patience_seconds if settings.staffing_model == "erlang_a" else None
        self.name = "erlang_a" if self.patience else "erlang_c"
        self.interval_seconds = interval_seconds
        self.required = lru_cache(maxsize=None)(self._required)
        self.outlook = lru_cache(maxsize=None)(self._outlook)

    def _required(self, offered: float, aht: float) -> int:
        s = self.settings
        n, _ = required_agents(
            offered / self.interval_seconds,
            aht,
            threshold_seconds=s.service_level_seconds,
            service_level_target=s.service_level_target,
            max_occupancy=s.max_occupancy,
            model=self.name,
            patience_seconds=self.patience,
            short_abandon_seconds=s.short_abandon_seconds,
            service_level_denominator=s.service_level_denominator,
        )
        return n

    def _outlook(self, offered: float, aht: float, agents: int) -> tuple[float, float]:
        """(service level, abandonment rate) with `agents` agents; nobody answered without agents or, for Erlang C,
        with fewer agents than the load (the queue grows without bound)."""
        s = self.settings
        rate = offered / self.interval_seconds
        result: QueueOutlook | None
        if agents < 1:
            return 0.0, 1.0
        if self.patience:
            result = erlang_a(rate, aht, self.patience, agents, s.service_level_seconds, s.short_abandon_seconds)
        else:
            result = erlang_c(rate, aht, agents, s.service_level_seconds)
        if result is None:
            return 0.0, 1.0
        return result.service_level(s.service_level_denominator), result.abandonment_rate

    def projected(self, offered: float, aht: float, agents: float) -> tuple[float, float]:
        low = math.floor(agents)
        weight = agents - low
        below = self.outlook(offered, aht, low)
        if weight == 0:
            return below
        above = self.outlook(offered, aht, low + 1)
        return tuple(b + weight * (a - b) for b, a in zip(below, above, strict=True))


def plan_intervals(
    forecast: pl.DataFrame,
    scheduled: pl.DataFrame,
    patience: pl.DataFrame,
    unplanned_shrinkage: float,
    last_scheduled_date: date | None,
    settings: PlanSettings,
) -> pl.DataFrame:
    """One row per queue and forecast interval.

    forecast: queue, interval_start_at, interval_start, local_date, interval_seconds, forecast_offered,
        forecast_aht_seconds. scheduled: queue, interval_start_at, scheduled_agents (work segments, time-weighted and
        allocated to queues). patience: queue, patience_seconds (NULL or absent: Erlang C for that queue).
    """
    shrinkage = min(max(unplanned_shrinkage or 0.0, 0.0), 0.99)
    patience_by_queue = dict(zip(patience["queue"].to_list(), patience["patience_seconds"].to_list(), strict=True))
    supply = {
        (q, t): a
        for q, t, a in zip(
            scheduled["queue"].to_list(),
            scheduled["interval_start_at"].to_list(),
            scheduled["scheduled_agents"].to_list(),
            strict=True,
        )
    }
    models: dict[tuple[str, int], _Model] = {}
    rows = []
    for row in forecast.sort("queue", "interval_start_at").iter_rows(named=True):
        key = (row["queue"], row["interval_seconds"])
        if key not in models:
            models[key] = _Model(settings, patience_by_queue.get(row["queue"]), row["interval_seconds"])
        model = models[key]
        offered = round(max(row["forecast_offered"] or 0.0, 0.0), 2)
        aht = round(row["forecast_aht_seconds"] or 0.0)
        has_demand = offered > 0 and aht > 0
        required = model.required(offered, aht) if has_demand else 0
        required_scheduled = required / (1 - shrinkage)
        is_scheduled = last_scheduled_date is not None and row["local_date"] <= last_scheduled_date
        scheduled_agents = supply.get((row["queue"], row["interval_start_at"]), 0.0) if is_scheduled else None
        gap = service_level = abandonment = None
        status = NOT_YET_SCHEDULED
        if is_scheduled:
            gap = scheduled_agents - required_scheduled
            if has_demand:
                service_level, abandonment = model.projected(offered, aht, scheduled_agents * (1 - shrinkage))
            tolerance = settings.staffing_tolerance_agents
            status = UNDER if gap < -tolerance else OVER if gap > tolerance else WITHIN
            if not has_demand and status != OVER:
                status = NO_DEMAND
        rows.append(
            {
                **{
                    k: row[k]
                    for k in ("queue", "interval_start_at", "interval_start", "local_date", "interval_seconds")
                },
                "forecast_offered": row["forecast_offered"],
                "forecast_aht_seconds": row["forecast_aht_seconds"],
                "patience_seconds": model.patience,
                "staffing_model": model.name,
                "required_agents": required,
                "unplanned_shrinkage": shrinkage,
                "required_scheduled_agents": required_scheduled,
                "is_scheduled": is_scheduled,
                "scheduled_agents": scheduled_agents,
                "schedule_gap_agents": gap,
                "projected_service_level": service_level,
                "projected_abandonment_rate": abandonment,
                "staffing_status": status,
            }
        )
    return pl.DataFrame(rows, schema=PLAN_SCHEMA)


BREAK_MOVE_SCHEMA = {
    "agent_id": pl.String,
    "activity": pl.String,
    "started_at": pl.Datetime("us"),
    "ended_at": pl.Datetime("us"),
    "suggested_started_at": pl.Datetime("us"),
    "suggested_ended_at": pl.Datetime("us"),
    "shift_minutes": pl.Int64,
    "queue": pl.String,
    "interval_start_at": pl.Datetime("us"),
    "schedule_gap_agents_before": pl.Float64,
    "schedule_gap_agents_after": pl.Float64,
    "projected_service_level_before": pl.Float64,
    "projected_service_level_after": pl.Float64,
}


def _footprint(started_at, ended_at, interval_seconds: int) -> dict:
    """Share of each interval (by UTC start) that a segment covers, in agents (seconds / interval seconds)."""
    step = timedelta(seconds=interval_seconds)
    epoch = started_at.replace(hour=0, minute=0, second=0, microsecond=0)
    start = epoch + step * ((started_at - epoch) // step)
    shares = {}
    while start < ended_at:
        overlap = (min(ended_at, start + step) - max(started_at, start)).total_seconds()
        if overlap > 0:
            shares[start] = overlap / interval_seconds
        start += step
    return shares


def suggest_break_moves(
    plan: pl.DataFrame,
    breaks: pl.DataFrame,
    agent_queue_shares: pl.DataFrame,
    settings: PlanSettings,
    forecast_by_interval: dict | None = None,
) -> tuple[pl.DataFrame, dict]:
    """Breaks and lunches inside understaffed intervals that could move, within `break_window_minutes`, to
    neighbouring intervals with agents to spare, and the projected service level if they did.

    breaks: agent_id, activity, started_at, ended_at (UTC) of published future breaks/lunches. agent_queue_shares:
    agent_id, queue, queue_share. Greedy and deterministic: understaffed intervals worst first; each break tries the
    smallest shift first (earlier before later); a move is taken only if every interval it moves into keeps a gap of at
    least 0 in every queue the agent serves. Returns the moves and a summary (understaffed intervals and their summed
    shortfall in agents, before and after all moves).
    """
    interval_seconds = int(plan["interval_seconds"].max() or 900) if plan.height else 900
    scheduled = plan.filter(pl.col("is_scheduled"))
    gap = {
        (q, t): g
        for q, t, g in zip(
            scheduled["queue"].to_list(),
            scheduled["interval_start_at"].to_list(),
            scheduled["schedule_gap_agents"].to_list(),
            strict=True,
        )
    }
    shares_by_agent: dict[str, list[tuple[str, float]]] = {}
    for a, q, s in agent_queue_shares.select("agent_id", "queue", "queue_share").iter_rows():
        shares_by_agent.setdefault(a, []).append((q, s))
    tolerance = settings.staffing_tolerance_agents

    def shortfall() -> tuple[int, float]:
        under = [g for g in gap.values() if g < -tolerance]
        return len(under), -sum(under)

    before = shortfall()
    by_interval: dict[tuple[str, object], list[dict]] = {}
    for b in breaks.sort("started_at", "agent_id").iter_rows(named=True):
        b["footprint"] = _footprint(b["started_at"], b["ended_at"], interval_seconds)
        for q, _ in shares_by_agent.get(b["agent_id"], []):
            for t in b["footprint"]:
                by_interval.setdefault((q, t), []).append(b)
    step_minutes = interval_seconds // 60
    shifts = sorted(
        (
            k * step_minutes
            for k in range(
                -settings.break_window_minutes // step_minutes, settings.break_window_minutes // step_minutes + 1
            )
            if k
        ),
        key=lambda m: (abs(m), m),
    )
    moves = []
    moved: set[int] = set()
    for queue, t in sorted(gap, key=lambda k: (gap[k], k)):
        if gap[(queue, t)] >= -tolerance:
            continue
        for b in by_interval.get((queue, t), []):
            if id(b) in moved or gap[(queue, t)] >= -tolerance:
                continue
            for minutes in shifts:
                delta = timedelta(minutes=minutes)
                target = {start + delta: share for start, share in b["footprint"].items()}
                changes: dict = {}
                for q, s in shares_by_agent[b["agent_id"]]:
                    for start, share in b["footprint"].items():
                        changes[(q, start)] = changes.get((q, start), 0.0) + share * s
                    for start, share in target.items():
                        changes[(q, start)] = changes.get((q, start), 0.0) - share * s
                if any(k not in gap for k in changes):
                    continue  # the break would move outside the published plan
                if changes.get((queue, t), 0.0) <= 1e-9:
                    continue  # still inside the understaffed interval after the shift: no help there
                if any(gap[k] + d < 0 for k, d in changes.items() if d < 0):
                    continue
                before_gap = gap[(queue, t)]
                for k, d in changes.items():
                    gap[k] += d
                moved.add(id(b))
                moves.append(
                    {
                        "agent_id": b["agent_id"],
                        "activity": b["activity"],
                        "started_at": b["started_at"],
                        "ended_at": b["ended_at"],
                        "suggested_started_at": b["started_at"] + delta,
                        "suggested_ended_at": b["ended_at"] + delta,
                        "shift_minutes": minutes,
                        "queue": queue,
                        "interval_start_at": t,
                        "schedule_gap_agents_before": before_gap,
                        "schedule_gap_agents_after": gap[(queue, t)],
                    }
                )
                break
    frame = pl.DataFrame(
        [{**m, "projected_service_level_before": None, "projected_service_level_after": None} for m in moves],
        schema=BREAK_MOVE_SCHEMA,
    )
    if frame.height:
        frame = _with_projected_service_levels(frame, plan, settings)
    after = shortfall()
    summary = {
        "understaffed_intervals_before": before[0],
        "understaffed_intervals_after": after[0],
        "shortfall_agents_before": round(before[1], 2),
        "shortfall_agents_after": round(after[1], 2),
        "breaks_moved": len(moves),
    }
    return frame, summary


def _with_projected_service_levels(moves: pl.DataFrame, plan: pl.DataFrame, settings: PlanSettings) -> pl.DataFrame:
    """Projected service level of each move's understaffed interval before and after (the gap's change in agents)."""
    rows = plan.select(
        "queue",
        "interval_start_at",
        "interval_seconds",
        "forecast_offered",
        "forecast_aht_seconds",
        "patience_seconds",
        "scheduled_agents",
        "unplanned_shrinkage",
        "projected_service_level",
    )
    joined = moves.drop("projected_service_level_before", "projected_service_level_after").join(
        rows, on=["queue", "interval_start_at"], how="left"
    )
    before, after = [], []
    models: dict = {}
    for r in joined.iter_rows(named=True):
        key = (r["patience_seconds"], r["interval_seconds"])
        model = models.setdefault(key, _Model(settings, r["patience_seconds"], r["interval_seconds"]))
        offered, aht = round(r["forecast_offered"] or 0.0, 2), round(r["forecast_aht_seconds"] or 0.0)
        added = r["schedule_gap_agents_after"] - r["schedule_gap_agents_before"]
        before.append(r["projected_service_level"])
        if offered > 0 and aht > 0:
            agents = (r["scheduled_agents"] + added) * (1 - r["unplanned_shrinkage"])
            after.append(model.projected(offered, aht, agents)[0])
        else:
            after.append(None)
    return moves.with_columns(
        pl.Series("projected_service_level_before", before, dtype=pl.Float64),
        pl.Series("projected_service_level_after", after, dtype=pl.Float64),
    )
