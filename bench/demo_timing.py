"""Where the seconds of a command go: each output line stamped with wall and CPU seconds, then a table per stage.

    python3 bench/demo_timing.py --out run.json -- make demo
    python3 bench/demo_timing.py --compare main.json branch.json

Each line of the command's output (stdout and stderr together) is printed with the wall seconds since the start and
the CPU seconds (user+sys) the whole process tree had used by then: live processes from /proc (their own and their
reaped children's times), so a dbt subprocess or a thread pool counts too. A stage is a run of lines with the same
`[tag]` (`[generate]`, `[ingest]`, `[dbt]`, ...); lines without a tag are stages of their own only where they mark a
step (`make`'s echo of `uv sync` and `tilsyn demo`, `[1/3]`, `[2/3]`, `[3/3]`, the summary). A stage runs from its
first line to the next stage's first line, so what happens silently before a stage's first line (imports, dbt's
start, Dagster starting a step) is charged to the stage before it, and the table names it "... then silence until
the next line" when that silence is long. Peak memory is the largest sum of RSS over the tree, sampled every 0.2 s.

Standard library only: it runs before the environment exists (`make demo` from a fresh clone makes it).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
TAG = re.compile(r"^\[([a-z_]+)\]")
# Lines without a [tag] that start a stage of their own.
MARKERS = (
    (re.compile(r"uv(\s+--\S+)*\s+sync"), "uv sync"),
    (re.compile(r"uv run .*tilsyn"), "tilsyn start (imports, argument parsing)"),
    (re.compile(r"^\[1/3\]"), "1/3"),
    (re.compile(r"^\[2/3\]"), "2/3 (dbt parse, Dagster imports, definitions, run start)"),
    (re.compile(r"^\[3/3\]"), "3/3 (run end, outcome)"),
    (re.compile(r"^Tilsyn run "), "summary"),
)


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def tree_usage(root: int) -> tuple[float, int]:
    """CPU seconds (user+sys, including reaped children) and RSS bytes of `root` and its live descendants."""
    children = _children_map()
    cpu_ticks, rss_pages, todo = 0, 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(b")") + 2 :].split()
        # fields[0] is field 3 (state): utime=14, stime=15, cutime=16, cstime=17, rss=24 (1-based, man proc)
        cpu_ticks += sum(int(fields[k - 3]) for k in (14, 15, 16, 17))
        rss_pages += int(fields[24 - 3])
    return cpu_ticks / TICKS, rss_pages * PAGE


def stage_of(line: str, previous: str | None) -> str | None:
    """The stage a line starts, or None when it belongs to the current one."""
    for pattern, name in MARKERS:
        if pattern.search(line):
            return name if name != previous else None
    tag = TAG.match(line)
    if tag and tag.group(1) != previous:
        return tag.group(1)
    return None


def run(command: list[str], out: Path) -> int:
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    peak = {"rss": 0}
    last_cpu = {"cpu": 0.0}
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            cpu, rss = tree_usage(proc.pid)
            peak["rss"] = max(peak["rss"], rss)
            last_cpu["cpu"] = max(last_cpu["cpu"], cpu)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    lines, stages, current = [], [], None
    for line in proc.stdout:
        line = line.rstrip("\n")
        wall = time.perf_counter() - started
        cpu = max(tree_usage(proc.pid)[0], last_cpu["cpu"])
        print(f"{wall:7.1f} {cpu:7.1f}  {line}", flush=True)
        lines.append((wall, cpu, line))
        name = stage_of(line, current)
        if name is not None:
            stages.append({"stage": name, "start_wall": wall, "start_cpu": cpu, "first_line": line[:100]})
            current = name
    # The CPU of the whole run once it has ended: every descendant reaped into this process's children's times.
    _, status, usage = os.wait4(proc.pid, 0)
    done.set()
    sampler.join()
    wall = time.perf_counter() - started
    cpu = usage.ru_utime + usage.ru_stime
    stages.append({"stage": "exit", "start_wall": wall, "start_cpu": cpu, "first_line": ""})
    for stage, following in zip(stages, stages[1:], strict=False):
        stage["wall"] = round(following["start_wall"] - stage["start_wall"], 1)
        stage["cpu"] = round(following["start_cpu"] - stage["start_cpu"], 1)
    if stages:
        stages.insert(0, {"stage": "(before the first line)", "wall": stages[0]["start_wall"],
                          "cpu": stages[0]["start_cpu"], "first_line": ""})  # fmt: skip
    result = {
        "command": command,
        "exit_code": os.waitstatus_to_exitcode(status),
        "wall_seconds": round(wall, 1),
        "cpu_seconds": round(cpu, 1),
        "peak_tree_rss_mb": round(peak["rss"] / 2**20),
        "max_single_rss_mb": round(usage.ru_maxrss / 1024),
        "load_at_end": os.getloadavg(),
        "stages": stages[:-1],
        "lines": lines,
    }
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(_table([result], [out.stem]))
    return result["exit_code"]


def _table(results: list[dict], names: list[str]) -> str:
    """Stages side by side (wall / CPU seconds); stages matched by name and order of first appearance."""
    order: list[str] = []
    values: list[dict[str, tuple[float, float]]] = []
    for result in results:
        per: dict[str, tuple[float, float]] = {}
        for stage in result["stages"]:
            w, c = per.get(stage["stage"], (0.0, 0.0))
            per[stage["stage"]] = (w + stage.get("wall", 0.0), c + stage.get("cpu", 0.0))
            if stage["stage"] not in order:
                order.append(stage["stage"])
        values.append(per)
    head = "| stage | " + " | ".join(f"{n} wall s | {n} CPU s" for n in names) + " |"
    rows = [head, "| --- |" + " ---: | ---: |" * len(names)]
    for stage in order:
        cells = [f"{v[stage][0]:.1f} | {v[stage][1]:.1f}" if stage in v else "- | -" for v in values]
        rows.append(f"| {stage} | " + " | ".join(cells) + " |")
    totals = [f"**{r['wall_seconds']:.1f}** | **{r['cpu_seconds']:.1f}**" for r in results]
    rows.append("| total | " + " | ".join(totals) + " |")
    rows.append("| peak RSS of the tree (MB) | " + " | ".join(f"{r['peak_tree_rss_mb']} | " for r in results) + " |")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="JSON file for the lines and the stages")
    parser.add_argument("--compare", type=Path, nargs="+", help="JSON files of earlier runs: print their stages")
    parser.add_argument("command", nargs="*")
    args = parser.parse_args()
    if args.compare:
        results = [json.loads(p.read_text()) for p in args.compare]
        print(_table(results, [p.stem for p in args.compare]))
        return 0
    if not args.command or args.out is None:
        parser.error("give --out FILE and a command after --, or --compare FILES")
    return run(args.command, args.out)


if __name__ == "__main__":
    sys.exit(main())
