"""Time `plan_intervals` on a dumped plan input, side by side with the code of a reference commit (issue 19).

    python3 -m uv run --frozen python bench/plan_intervals.py /work/benchwork/plan-input [--reference 6cf7fb1]

Loads the reference commit's erlang.py and staffing_plan.py from git into their own modules, runs both on the same
input (forecast.parquet, patience.parquet; an empty schedule) and checks that required agents are identical and
projected service level / abandonment agree within 1e-9.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import types
from datetime import timedelta
from pathlib import Path

import polars as pl

from dagster_project.planning import staffing_plan
from dagster_project.settings import load_settings


def load_reference(commit: str) -> types.ModuleType:
    """The reference commit's staffing_plan module, bound to that commit's erlang module."""

    def source(path: str) -> str:
        return subprocess.run(["git", "show", f"{commit}:{path}"], check=True, capture_output=True, text=True).stdout

    erlang = types.ModuleType("reference_erlang")
    sys.modules["reference_erlang"] = erlang
    exec(compile(source("dagster_project/planning/erlang.py"), "reference_erlang", "exec"), erlang.__dict__)
    plan = types.ModuleType("reference_staffing_plan")
    sys.modules["reference_staffing_plan"] = plan
    text = source("dagster_project/planning/staffing_plan.py").replace(
        "from dagster_project.planning.erlang import", "from reference_erlang import"
    )
    exec(compile(text, "reference_staffing_plan", "exec"), plan.__dict__)
    return plan


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("input", type=Path)
    parser.add_argument("--reference", default="6cf7fb1")
    parser.add_argument("--skip-reference", action="store_true")
    parser.add_argument(
        "--scheduled-days",
        type=int,
        default=0,
        help="publish a made-up schedule for the first N days (load / 0.85, to 0.1 agent) so that projected service "
        "levels are worked out and compared too",
    )
    args = parser.parse_args()
    forecast = pl.read_parquet(args.input / "forecast.parquet")
    patience = pl.read_parquet(args.input / "patience.parquet")
    last_scheduled_date = None
    if args.scheduled_days:
        last_scheduled_date = forecast["local_date"].min() + timedelta(days=args.scheduled_days - 1)
        scheduled = forecast.filter(pl.col("local_date") <= last_scheduled_date).select(
            "queue",
            "interval_start_at",
            scheduled_agents=(
                pl.col("forecast_offered") * pl.col("forecast_aht_seconds") / pl.col("interval_seconds") / 0.85
            ).round(1),
        )
    else:
        scheduled = pl.DataFrame(
            schema={"queue": pl.String, "interval_start_at": pl.Datetime("us"), "scheduled_agents": pl.Float64}
        )
    metrics = json.loads(load_settings(None).dbt_vars_json())
    print(f"[input] {forecast.height} queue-intervals, {patience.height} queues", flush=True)
    results = {}
    modules = [("current", staffing_plan)]
    if not args.skip_reference:
        modules.insert(0, (f"reference {args.reference}", load_reference(args.reference)))
    for name, module in modules:
        settings = module.PlanSettings.from_metrics(metrics)
        started, started_cpu = time.perf_counter(), time.process_time()
        plan = module.plan_intervals(forecast, scheduled, patience, 0.1, last_scheduled_date, settings)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - started_cpu
        results[name] = (plan, seconds, cpu_seconds)
        print(f"[plan_intervals] {name}: {plan.height} rows in {seconds:.2f} s ({cpu_seconds:.2f} s CPU)", flush=True)
    if len(results) == 2:
        (reference, ref_seconds, ref_cpu), (current, cur_seconds, cur_cpu) = results.values()
        same = reference["required_agents"].equals(current["required_agents"])
        print(
            f"[compare] required_agents identical: {same}; speed-up {ref_seconds / cur_seconds:.1f}x wall, "
            f"{ref_cpu / cur_cpu:.1f}x CPU"
        )
        worst = {
            column: float((reference[column] - current[column]).abs().max() or 0.0)
            for column in ("projected_service_level", "projected_abandonment_rate")
        }
        projected = reference["projected_service_level"].is_not_null().sum()
        print(f"[compare] {projected} rows with projections; largest absolute difference {worst}")
        if not same or max(worst.values()) > 1e-9:
            sys.exit(1)


if __name__ == "__main__":
    main()
