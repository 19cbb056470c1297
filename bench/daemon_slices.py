"""Intraday slices through a real `dagster-daemon` at 1,000 agents (issue 21): landing to today page, end to end.

    uv run python bench/daemon_slices.py --state DIR --day DIR --first 1200 --slices 9 --out FILE.json \
        [--code DIR] [--instance-yaml FILE]

`--state` is a pipeline state (a year loaded and the day primed up to the slice before `--first`, as
bench/slice_benchmark.py leaves it); `--day` the day's files (bench/slice_benchmark.py `day_files`). A real
`dagster-daemon` runs `--code`'s definitions (bench/sensor_location.py: the project's landing sensor) from one
long-lived code server (`dagster code-server start`, as `dagster dev` runs it), with a persistent SQLite instance in
a fresh `DAGSTER_HOME`; `--instance-yaml` adds to its `dagster.yaml` (the run launcher, the queued coordinator's
dequeue interval). The daemon's first tick launches a run over the folder as it is (after slices, a full run: it
completes every model, as the nightly run does), reported as the set-up run. Then
each slice is landed alone and timed:

- **landing to today page**: from the copy of the slice into the landing folder to the newest modification time of
  the today pages (`today_*.html`) the run rewrote: the figure issue 21's 60 s target is about;
- the run's **steps**, from its event log: pickup (landing to the first step starting), then each step's seconds;
- the run's **scope** (slice or full, `ops.dbt_build_scope`), and the **peak resident memory** of the daemon's whole
  process tree (daemon, code server, run worker, dbt): an upper bound of the run's own.

Results go to `--out` (JSON) and a Markdown table is printed. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from run_benchmark import BENCH_PSEUDONYM_KEY, BIN, MIB, REPO, _tree_rss_bytes, load_average
from slice_benchmark import DAY, land, say, warm_up

DONE = ("SUCCESS", "FAILURE", "CANCELED")


def slice_files(folder: Path, day: str) -> dict[str, list[Path]]:
    """{cutoff HHMM: the slice files of `day` under `folder`}."""
    slices: dict[str, list[Path]] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        found = re.search(rf"_{day}_(\d{{4}})\.", path.name)
        if found:
            slices.setdefault(found.group(1), []).append(path)
    return slices


def step_seconds(instance, run_id: str) -> tuple[float, dict[str, float]]:
    """(first step's start timestamp, {step: seconds}) from the run's event log."""
    import dagster as dg

    starts, ends = {}, {}
    for record in instance.all_logs(run_id):
        event = record.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type == dg.DagsterEventType.STEP_START:
            starts[event.step_key] = record.timestamp
        elif event.event_type in (dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE):
            ends[event.step_key] = record.timestamp
    first = min(starts.values()) if starts else float("nan")
    return first, {key: round(ends[key] - starts[key], 1) for key in sorted(starts, key=starts.get) if key in ends}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("localhost", 0))
        return probe.getsockname()[1]


class TreePeak:
    """Peak resident memory of process trees (the daemon's and the code server's), sampled every 0.25 s; `reset()`
    starts a new peak."""

    def __init__(self, *pids: int | None) -> None:
        self.pids, self.peak, self._done = [p for p in pids if p], 0.0, threading.Event()
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        while not self._done.wait(0.25):
            self.peak = max(self.peak, sum(_tree_rss_bytes(pid) for pid in self.pids) / MIB)

    def reset(self) -> None:
        self.peak = 0.0

    def stop(self) -> None:
        self._done.set()


def wait_for_runs(instance, known: set[str], timeout: float) -> list:
    """Wait until a run not in `known` exists and no run is still going; the new runs, oldest first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = instance.get_runs()
        new = [r for r in runs if r.run_id not in known]
        if new and all(r.status.value in DONE for r in runs):
            return sorted(new, key=lambda r: instance.get_run_record_by_id(r.run_id).create_timestamp)
        time.sleep(0.25)
    raise SystemExit(f"no finished run within {timeout:.0f} s")


def today_pages_written(dashboards: Path, after: float) -> tuple[int, float | None]:
    """(pages rewritten since `after`, newest modification time among them)."""
    times = [p.stat().st_mtime for p in dashboards.glob("today_*.html")]
    newer = [t for t in times if t > after]
    return len(newer), (max(newer) if newer else None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--state", type=Path, required=True)
    parser.add_argument("--day", type=Path, required=True, help="the day's files (slices named _<day>_HHMM)")
    parser.add_argument("--date", default=str(DAY), help="the day the slices are of (YYYY-MM-DD)")
    parser.add_argument("--first", default="1200", help="the first slice to land (HHMM)")
    parser.add_argument("--slices", type=int, default=9)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--code", type=Path, default=REPO, help="the code under test (a checkout with bench/)")
    parser.add_argument("--instance-yaml", type=Path, help="text added to the instance's dagster.yaml")
    parser.add_argument("--label", default="")
    parser.add_argument(
        "--daemon-managed-code-server",
        action="store_true",
        help="`dagster-daemon run -m` (its own code server, replaced every 60 s) instead of one code server",
    )
    args = parser.parse_args()

    import dagster as dg

    sys.path.insert(0, str(args.code))
    from dagster_project.slice_run import run_scope_of

    state, code = args.state.resolve(), args.code.resolve()
    slices = slice_files(args.day, args.date)
    cutoffs = sorted(slices)
    todo = cutoffs[cutoffs.index(args.first) : cutoffs.index(args.first) + args.slices]
    home = state.parent / f"{state.name}.dagster-home"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir()
    instance_yaml = "telemetry:\n  enabled: false\n"
    if args.instance_yaml:
        instance_yaml += args.instance_yaml.read_text()
    (home / "dagster.yaml").write_text(instance_yaml)
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "TILSYN_PSEUDONYM_KEY": BENCH_PSEUDONYM_KEY,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "TILSYN_LANDING_DIR": str(state / "landing"),
        "TILSYN_WAREHOUSE": str(state / "warehouse.duckdb"),
        "TILSYN_DASHBOARDS_DIR": str(state / "dashboards"),
        "PYTHONPATH": f"{code / 'bench'}{os.pathsep}{code}",
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    warm_up(code, state, env)  # that code's dbt manifest, parsed with the runs' vars
    # the instance (its SQLite storages) is made here, before the daemon and its code server start
    instance = dg.DagsterInstance.from_config(str(home))
    log = home / "daemon.log"
    server = None
    daemon_command = [str(BIN / "dagster-daemon"), "run", "-m", "sensor_location"]
    if not args.daemon_managed_code_server:
        # One long-lived code server that the daemon connects to, as `dagster dev` runs them: a daemon started with
        # `-m` starts its own code server and replaces it every 60 s (dagster/_daemon/controller.py
        # RELOAD_WORKSPACE_INTERVAL), each time importing Dagster and the project again beside the running slice.
        port = free_port()
        (home / "workspace.yaml").write_text(
            f"load_from:\n  - grpc_server: {{host: localhost, port: {port}, location_name: sensor_location}}\n"
        )
        with (home / "code-server.log").open("w") as out:
            server = subprocess.Popen(
                [str(BIN / "dagster"), "code-server", "start", "-m", "sensor_location", "--port", str(port)],
                cwd=code,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        daemon_command = [str(BIN / "dagster-daemon"), "run", "-w", str(home / "workspace.yaml")]
    with log.open("w") as out:
        daemon = subprocess.Popen(
            daemon_command, cwd=code, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    peak = TreePeak(daemon.pid, server.pid if server else None)
    results = {"label": args.label, "code": str(code), "instance_yaml": instance_yaml, "runs": []}

    def keep(name: str, run, landed: float | None) -> None:
        first_step, steps = step_seconds(instance, run.run_id)
        pages, newest = today_pages_written(state / "dashboards", landed or 0.0)
        row = {
            "name": name,
            "status": run.status.value,
            "scope": run_scope_of(state / "warehouse.pipeline.duckdb", run.run_id),
            "pickup_seconds": round(first_step - landed, 1) if landed else None,
            "steps": steps,
            "today_pages": pages,
            "landing_to_today_seconds": round(newest - landed, 1) if landed and newest else None,
            "peak_gib": round(peak.peak / 1024, 2),
            "load": load_average(),
        }
        results["runs"].append(row)
        args.out.write_text(json.dumps(results, indent=1))
        say(f"{name}: {json.dumps({k: v for k, v in row.items() if k != 'steps'})}")
        say(f"    steps: {steps}")

    try:
        say(f"daemon started (pid {daemon.pid}, DAGSTER_HOME {home}); the first tick's run over the folder as it is")
        for run in wait_for_runs(instance, set(), 1800):
            keep("set-up (first tick)", run, None)
        for cutoff in todo:
            time.sleep(2)
            known = {r.run_id for r in instance.get_runs()}
            peak.reset()
            landed = time.time()
            land(slices[cutoff], args.day, state / "landing")
            runs = wait_for_runs(instance, known, 900)
            if len(runs) != 1:
                say(f"slice {cutoff}: {len(runs)} runs")
            keep(f"slice {cutoff}", runs[0], landed)
    finally:
        peak.stop()
        for process in (daemon, server):
            if process is None:
                continue
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
    rows = [r for r in results["runs"] if r["landing_to_today_seconds"] is not None]
    print("| slice | scope | landing to today page s | pickup s | " + " | ".join(rows[0]["steps"]) + " | peak GiB |")
    print("| --- | --- | ---: | ---: | " + " | ".join("---:" for _ in rows[0]["steps"]) + " | ---: |")
    for r in rows:
        steps = " | ".join(str(r["steps"].get(k, "")) for k in rows[0]["steps"])
        print(
            f"| {r['name']} | {r['scope']} | {r['landing_to_today_seconds']} | {r['pickup_seconds']} | {steps} | "
            f"{r['peak_gib']} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
