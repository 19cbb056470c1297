"""Intraday slices at a real center's scale (issue 21): a year of 1,000 agents loaded, then the next day as 15-minute
slices, one run per slice, against the same day in one run on a copy of the same state.

    uv run python bench/slice_benchmark.py --state DIR --work DIR [--slices 8] [--before-code DIR]

1. **The day's files.** The sample generator (seed 7, Europe/Oslo, 1,000 agents, from 2025-11-24) is run for one more
   day than the state's (`--days 367`) with `--slice-minutes 15 --slice-from 2026-11-25`, and every file it shares
   with the state's generation is compared byte for byte (`--state-generated`): equal files are the year already
   loaded and are deleted from the new generation (disk); what remains is the day: its slices and the files the
   generator wrote differently because the center's last day moved (the week's schedules, the month's roster
   snapshot, ledger actuals and QA evaluations).
2. **The whole day in one run**: a copy of the state, every file of the day landed at once, `tilsyn run`.
3. **Slices**: on the state itself, one priming run (`tilsyn run --full`) lands the day's changed files and the slices
   up to `--first-cutoff` (the day's first slice must be a full run: it may close the day before); then each of the
   next `--slices` quarter hours is landed and run alone. With `--before-code DIR` (a `git archive` of main), the
   same slices run again with that code on a copy of the primed state.
4. **Sensor pickup**: a real `dagster-daemon` (bench/sensor_location.py: the project's definitions, its landing
   sensor every `--sensor-seconds`; runs started by `--launcher`: warm, dagster_project/run_launcher.py, as the README
   recommends, or Dagster's default) watches a landing folder; each of `--pickups` slice files is landed and the
   seconds until the launched run's first step starts are read from the instance (its ingest step then fails at
   once for want of a pseudonym key: only the pickup is timed, on this machine, beside nothing else). The worst
   pickup replaces each slice run's own start-up (process start, imports, Dagster) in "landing to today page".

Per run: seconds per stage from the run's output lines (`[ingest]`, `[dbt]`, `[forecast]`, `[plan]`, `[publish]`,
`[dashboards]`), seconds to the last today page written, peak resident memory of the process tree. The table goes
into docs/benchmarks.md between `<!-- bench:slices_* -->` markers. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from run_benchmark import BENCH_PSEUDONYM_KEY, BIN, REPO, Measured, load_average, machine, measure, write_doc

DAY = date(2026, 11, 25)
START = date(2025, 11, 24)
STAGE = re.compile(r"\[(ingest|dbt|forecast|plan|publish|dashboards)\]")
TODAY_PAGE = re.compile(r"\[dashboards\] wrote (today[^ ]*\.html)")


def say(message: str) -> None:
    print(f"[slices {datetime.now():%H:%M:%S}] {message}", flush=True)


def stage_of(line: str) -> str | None:
    found = STAGE.match(line)
    return found.group(1) if found else None


def echo(line: str) -> None:
    if re.match(
        r"\[dbt\] (slice run|full run|\d+ models)|\[publish\] (published|slice)|\[dashboards\] (slice|\d+ p)|"
        r"\[forecast\] slice|\[plan\] slice|FAILED|error",
        line,
    ):
        say(f"    {line}")


# --- the day's files ------------------------------------------------------------------------------------------------
def generate_day(gen: Path, state_generated: Path, agents: int, seed: int) -> dict:
    """Generate `--days 367` with slices into `gen`, compare it with the state's generation, keep the day's files."""
    marker = gen / ".day.json"
    if marker.exists():
        return json.loads(marker.read_text())
    from ingest.sample import generate_center

    if gen.exists():
        shutil.rmtree(gen)
    days = (DAY - START).days + 1
    say(f"generating {agents} agents x {days} days from {START}, slices of 15 minutes from {DAY}, into {gen}")
    t0 = time.perf_counter()
    generate_center(
        gen,
        agents=agents,
        days=days,
        start=START,
        seed=seed,
        fmt="csv",
        timezone="Europe/Oslo",
        slice_minutes=15,
        slice_from=DAY,
        progress=None,
    )
    seconds = time.perf_counter() - t0
    equal, differ, new = [], [], []
    for path in sorted(p for p in gen.rglob("*") if p.is_file() and p.parent != gen):
        rel = path.relative_to(gen)
        old = state_generated / rel
        if not old.exists():
            new.append(str(rel))
        elif filecmp.cmp(path, old, shallow=False):
            equal.append(str(rel))
            path.unlink()  # the year already loaded: the state has it
        else:
            differ.append(str(rel))
    missing = sorted(
        str(p.relative_to(state_generated))
        for p in state_generated.rglob("*")
        if p.is_file()
        and p.parent != state_generated
        and not (gen / p.relative_to(state_generated)).exists()
        and str(p.relative_to(state_generated)) not in equal
    )
    result = {
        "generate_seconds": round(seconds, 1),
        "equal": len(equal),
        "differ": differ,
        "new_files": len(new),
        "only_in_state_generation": missing,
        "slices": len([n for n in new if f"_{DAY}_" in n]),
    }
    say(
        f"  {len(equal)} files byte for byte equal to the state's generation; differ: {differ}; "
        f"{len(new)} new ({result['slices']} slices); only in the state's generation: {missing}"
    )
    marker.write_text(json.dumps(result, indent=1))
    return result


def day_files(gen: Path) -> tuple[list[Path], dict[str, list[Path]]]:
    """(files of the day that are not slices, {cutoff HHMM: slice files})."""
    others, slices = [], {}
    for path in sorted(p for p in gen.rglob("*") if p.is_file() and p.parent != gen):
        found = re.search(rf"_{DAY}_(\d{{4}})\.", path.name)
        if found:
            slices.setdefault(found.group(1), []).append(path)
        else:
            others.append(path)
    return others, slices


def land(files: list[Path], gen: Path, landing: Path) -> None:
    for path in files:
        target = landing / path.relative_to(gen)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            target.unlink()  # a re-published file (the week's schedules): the new version replaces it
        shutil.copy2(path, target)


# --- state copies ---------------------------------------------------------------------------------------------------
def copy_state(src: Path, dst: Path) -> float:
    """Everything hard-linked (files the pipeline replaces or never changes), the DuckDB files it writes in place
    copied. Returns seconds."""
    t0 = time.perf_counter()
    if dst.exists():
        shutil.rmtree(dst)
    subprocess.run(["cp", "-al", str(src), str(dst)], check=True)
    for path in dst.glob("*.duckdb*"):
        if path.is_file():
            path.unlink()
            shutil.copy2(src / path.name, path)
    return time.perf_counter() - t0


def drop_state(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


# --- runs -----------------------------------------------------------------------------------------------------------
@dataclass
class SliceRun:
    name: str
    measured: Measured
    to_today_seconds: float | None  # process start to the last today page written
    startup_seconds: float
    kind: str  # slice / full (from the run's output)
    lines: list[str] = field(default_factory=list)


def tilsyn_run(code: Path, state: Path, name: str, env: dict, full: bool = False) -> SliceRun:
    # the code's own tree first on sys.path (`python -c` puts the working directory, this repository, before
    # PYTHONPATH's entries)
    start = f"import sys; sys.path.insert(0, {str(code)!r}); from dagster_project.cli import main; sys.exit(main())"
    command = [sys.executable, "-c", start, "run"]
    command += ["--landing", str(state / "landing"), "--warehouse", str(state / "warehouse.duckdb")]
    command += ["--dashboards", str(state / "dashboards")] + (["--full"] if full else [])
    run_env = {**env, "PYTHONPATH": str(code)}
    t0 = time.perf_counter()
    today_at = []

    def watch(line: str) -> None:
        if TODAY_PAGE.match(line):
            today_at.append(time.perf_counter() - t0)
        echo(line)

    measured = measure_in(code, command, run_env, state / f"{name}.log", watch)
    if measured.returncode not in (0, 1):
        raise SystemExit(f"{name}: tilsyn run exited {measured.returncode}, see {state / f'{name}.log'}")
    kind = "slice" if any(line.startswith("[dbt] slice run") for line in measured.lines) else "full"
    return SliceRun(name, measured, today_at[-1] if today_at else None, measured.seconds.get("startup", 0.0), kind)


WARM_UP = """
import sys
from dagster_project.dbt_project import ensure_dbt_manifest
from dagster_project.settings import load_settings
state = sys.argv[1]
ensure_dbt_manifest(load_settings(None, []).with_paths(
    landing_dir=state + "/landing", warehouse_path=state + "/warehouse.duckdb", dashboards_dir=state + "/dashboards"))
"""


def warm_up(code: Path, state: Path, env: dict) -> None:
    """Parse that code's dbt project with the runs' vars beforehand, so no measured run pays a first full parse."""
    subprocess.run(
        [sys.executable, "-c", WARM_UP, str(state)], cwd=code, env={**env, "PYTHONPATH": str(code)}, check=True
    )


def measure_in(code: Path, command: list[str], env: dict, log: Path, watch) -> Measured:
    old = os.getcwd()
    os.chdir(code)  # the run's relative paths (dbt target of that code) resolve in its own tree
    try:
        return measure(command, env, log, stage_of, "startup", watch)
    finally:
        os.chdir(old)


# --- sensor pickup --------------------------------------------------------------------------------------------------
def measure_pickup(
    work: Path,
    gen: Path,
    slices: dict[str, list[Path]],
    count: int,
    interval: int,
    env: dict,
    dequeue_seconds: int | None = None,
    launcher: str = "warm",
) -> dict:
    """Seconds from a slice landing to the launched run's first step starting, under a real dagster-daemon;
    `dequeue_seconds`: the queued run coordinator's loop (Dagster's default, 5 s, when None); `launcher`: "warm" (the
    run launcher the README recommends, dagster_project/run_launcher.py) or "default" (Dagster's)."""
    import dagster as dg

    root = Path(tempfile.mkdtemp(prefix="pickup-", dir=work))
    home, landing = root / "home", root / "landing"
    home.mkdir()
    landing.mkdir()
    instance_yaml = "telemetry:\n  enabled: false\n"
    if launcher == "warm":
        instance_yaml += "run_launcher:\n  module: dagster_project.run_launcher\n  class: WarmRunLauncher\n"
    if dequeue_seconds is not None:
        instance_yaml += (
            "run_coordinator:\n  module: dagster.core.run_coordinator\n  class: QueuedRunCoordinator\n"
            f"  config:\n    dequeue_interval_seconds: {dequeue_seconds}\n"
        )
    (home / "dagster.yaml").write_text(instance_yaml)
    daemon_env = {k: v for k, v in env.items() if k != "TILSYN_PSEUDONYM_KEY"}  # the run's ingest fails at once
    daemon_env |= {
        "DAGSTER_HOME": str(home),
        "TILSYN_LANDING_DIR": str(landing),
        "TILSYN_WAREHOUSE": str(root / "warehouse.duckdb"),
        "TILSYN_DASHBOARDS_DIR": str(root / "dashboards"),
        "TILSYN_PSEUDONYM_KEY_FILE": str(root / "no-such-key"),
        "TILSYN_BENCH_SENSOR_SECONDS": str(interval),
        "PYTHONPATH": f"{REPO / 'bench'}{os.pathsep}{REPO}",
    }
    log = root / "daemon.log"
    with log.open("w") as out:
        daemon = subprocess.Popen(
            [str(BIN / "dagster-daemon"), "run", "-m", "sensor_location"],
            cwd=REPO,
            env=daemon_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    instance = dg.DagsterInstance.from_config(str(home))
    samples = []
    try:
        time.sleep(20)  # the daemon starts its code server and the sensor's first tick finds an empty folder
        for cutoff in sorted(slices)[:count]:
            known = {r.run_id for r in instance.get_runs()}
            landed = time.time()
            land(slices[cutoff], gen, landing)
            deadline = time.monotonic() + 300
            started_at = None
            while time.monotonic() < deadline and started_at is None:
                for run in instance.get_runs():
                    if run.run_id in known:
                        continue
                    starts = instance.all_logs(run.run_id, of_type=dg.DagsterEventType.STEP_START)
                    if starts:
                        started_at = min(e.timestamp for e in starts)
                time.sleep(0.2)
            if started_at is None:
                raise SystemExit(f"no run started within 300 s of a slice landing; see {log}")
            samples.append(round(started_at - landed, 1))
            say(f"  pickup of slice {cutoff}: {samples[-1]} s (landing to the run's first step)")
            while any(
                r.status not in (dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE) for r in instance.get_runs()
            ):
                time.sleep(0.5)
            time.sleep(1 + (len(samples) * 3.7) % interval)  # land the next one at another point of the tick cycle
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        try:
            daemon.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(daemon.pid, signal.SIGKILL)
    shutil.rmtree(root, ignore_errors=True)
    return {
        "interval_seconds": interval,
        "dequeue_seconds": dequeue_seconds,
        "launcher": launcher,
        "samples": samples,
        "max": max(samples),
        "mean": sum(samples) / len(samples),
    }


# --- report ---------------------------------------------------------------------------------------------------------
STAGES = ("startup", "ingest", "dbt", "forecast", "plan", "publish", "dashboards")


def rows(label: str, runs: list[SliceRun], pickup: float | None) -> list[str]:
    out = []
    for run in runs:
        m = run.measured
        cells = [f"{m.seconds[s]:.1f}" if s in m.seconds else "" for s in STAGES]
        to_today = run.to_today_seconds
        with_pickup = (
            f"{to_today - run.startup_seconds + pickup:.1f}" if to_today is not None and pickup is not None else ""
        )
        out.append(
            f"| {label} | {run.name} | {run.kind} | "
            + " | ".join(cells)
            + f" | {m.total_seconds:.1f} | {to_today or 0:.1f} | {with_pickup} | "
            + f"{max(m.peak_mib.values()) / 1024:.2f} |"
        )
    return out


def report(args, info: dict, pickup: dict | None, results: dict[str, list[SliceRun]], load_before: str) -> list[str]:
    key = f"slices_a{args.agents}"
    worst = pickup["max"] if pickup else None
    lines = [
        f"<!-- bench:{key} begin -->",
        f"### Intraday slices: {args.agents} agents, a year loaded, {DAY} as 15-minute slices",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `bench/slice_benchmark.py`; load average {load_before} "
        f"before, {load_average()} after; code: {info['code']}.",
        "",
        *machine(),
        f"- The day's files: generator `--days 367` ({info['day']['generate_seconds']} s); "
        f"{info['day']['equal']} files byte for byte equal to the state's generation (the year, not landed again); "
        f"{info['day']['slices']} slice files; written otherwise by the longer generation: "
        f"{', '.join(info['day']['differ'])}; "
        f"new: {info['day']['new_files'] - info['day']['slices']} other files.",
    ]
    if pickup:
        lines.append(
            f"- Sensor pickup under a real `dagster-daemon` (sensor every {pickup['interval_seconds']} s, runs in one "
            f"process): landing to the run's first step {', '.join(map(str, pickup['samples']))} s (mean "
            f'{pickup["mean"]:.1f}, max {pickup["max"]:.1f}). "Landing to today page" = the run\'s seconds from its '
            "first step to the last today page written + the worst pickup (which replaces the run's own start-up)."
        )
    lines += [
        "",
        "| code | run | kind | start-up s | ingest s | dbt s | forecast s | plan s | publish s | dashboards s | "
        "run total s | start to last today page s | **landing to today page s (pickup incl.)** | peak GiB (tree) |",
        "| --- | --- | --- | " + "---: | " * 11,
    ]
    for label, runs in results.items():
        lines += rows(label, runs, worst)
    lines += ["", f"<!-- bench:{key} end -->"]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state", type=Path, required=True, help="folder of the year's state (landing, warehouse)")
    parser.add_argument("--state-generated", type=Path, required=True, help="the generation the state was loaded from")
    parser.add_argument("--work", type=Path, required=True, help="work folder on the same disk as --state")
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--slices", type=int, default=8)
    parser.add_argument("--first-cutoff", default="0815", help="the first slice run alone (HHMM); earlier ones prime")
    parser.add_argument("--before-code", type=Path, help="a checkout of the code to compare with (main)")
    parser.add_argument("--before-slices", type=int, default=8, help="how many of the slices the before code runs")
    parser.add_argument("--pickups", type=int, default=5)
    parser.add_argument("--sensor-seconds", type=int, default=5)
    parser.add_argument("--dequeue-seconds", type=int, help="the queued run coordinator's loop (default Dagster's 5 s)")
    parser.add_argument(
        "--launcher", choices=("warm", "default"), default="warm", help="run launcher for the pickup (README's: warm)"
    )
    parser.add_argument("--skip", default="", help="comma-separated: rebase, whole, slices, before, pickup")
    parser.add_argument("--no-doc", action="store_true")
    args = parser.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    args.work.mkdir(parents=True, exist_ok=True)
    load_before = load_average()
    env = {
        **os.environ,
        "TILSYN_PSEUDONYM_KEY": BENCH_PSEUDONYM_KEY,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO).stdout
    info = {"code": f"after = commit {head.strip()}" + (f", before = {args.before_code}" if args.before_code else "")}
    gen = args.work / "day"
    info["day"] = generate_day(gen, args.state_generated, args.agents, args.seed)
    others, slices = day_files(gen)
    cutoffs = sorted(slices)
    first = cutoffs.index(args.first_cutoff)
    priming = [c for c in cutoffs[:first]]
    measured_cutoffs = cutoffs[first : first + args.slices]
    results: dict[str, list[SliceRun]] = {}
    results_path = args.work / "results.json"

    def save() -> None:
        results_path.write_text(
            json.dumps(
                {
                    k: [
                        {
                            "name": r.name,
                            "kind": r.kind,
                            "seconds": r.measured.seconds,
                            "total": r.measured.total_seconds,
                            "to_today": r.to_today_seconds,
                            "peak_mib": r.measured.peak_mib,
                        }
                        for r in v
                    ]
                    for k, v in results.items()
                },
                indent=1,
            )
        )

    pickup = None

    def write_block() -> None:
        save()
        block = report(args, info, pickup, results, load_before)
        (args.work / "block.md").write_text("\n".join(block) + "\n")
        if not args.no_doc:
            write_doc(block, f"slices_a{args.agents}")

    state = args.state
    if "rebase" not in skip:
        # a state built by other code: the first run of this code rebuilds it (a full refresh), before anything timed
        warm_up(REPO, state, env)
        say("rebase: a run over no new files with this code (a full refresh when the state was built by other code)")
        results["setup"] = [tilsyn_run(REPO, state, "rebase (no new files)", env, full=True)]
        write_block()
    if "whole" not in skip:
        whole = args.work / "whole"
        say(f"whole day: copying the state ({copy_state(state, whole):.0f} s)")
        warm_up(REPO, whole, env)
        land(others + [p for c in cutoffs for p in slices[c]], gen, whole / "landing")
        say(f"whole day: {len(others)} other files and {len(cutoffs)} slices of {DAY} in one run")
        results.setdefault("after", []).append(tilsyn_run(REPO, whole, "whole day in one run", env))
        write_block()
        drop_state(whole)
    if "slices" not in skip:
        land(others + [p for c in priming for p in slices[c]], gen, state / "landing")
        say(f"priming: {len(others)} other files and the slices up to {priming[-1]} ({len(priming)}), --full")
        results.setdefault("setup", []).append(tilsyn_run(REPO, state, f"priming to {priming[-1]}", env, full=True))
        before_state = None
        if args.before_code and "before" not in skip:
            before_state = args.work / "before"
            say(f"before: copying the primed state ({copy_state(state, before_state):.0f} s)")
            warm_up(args.before_code, before_state, env)
        for cutoff in measured_cutoffs:
            land(slices[cutoff], gen, state / "landing")
            say(f"after: slice {cutoff}")
            results.setdefault("after", []).append(tilsyn_run(REPO, state, f"slice {cutoff}", env))
            write_block()
        if before_state is not None:
            for cutoff in measured_cutoffs[: args.before_slices]:
                land(slices[cutoff], gen, before_state / "landing")
                say(f"before: slice {cutoff}")
                results.setdefault("before", []).append(
                    tilsyn_run(args.before_code, before_state, f"slice {cutoff}", env)
                )
                write_block()
            drop_state(before_state)
    if "pickup" not in skip:
        say(f"sensor pickup: {args.pickups} slices under a real dagster-daemon, sensor every {args.sensor_seconds} s")
        pickup = measure_pickup(
            args.work, gen, slices, args.pickups, args.sensor_seconds, env, args.dequeue_seconds, args.launcher
        )
        write_block()
    print((args.work / "block.md").read_text(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
