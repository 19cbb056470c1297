"""Tilsyn's benchmark: a year of a center against what DuckDB alone does with the same files on this machine.

In one invocation, per file format (CSV, Parquet or both):
1. generate `--agents` x `--days + 1` days with the sample generator (or reuse an earlier generation with `--reuse`);
   the landing folder gets every file except the last day's, which is kept back for the incremental run;
2. time the baseline (`bench/baseline.py`: DuckDB reads every raw file once, daily offered/answered per queue, handle
   seconds per agent and state seconds per agent);
3. time `tilsyn run` on the landing folder from empty (ingest + dbt build + publish + dashboards), then copy in the
   kept-back day and time `tilsyn run` again (the incremental run); per stage seconds come from when the `[ingest]`,
   `[dbt]`, `[publish]`, `[dashboards]` lines arrive, peak memory from sampling the RSS of the whole process tree
   (tilsyn plus its dbt subprocess) and from `/usr/bin/time -v` (the largest single process);
4. print the table and write it, with the machine's description and load, into `docs/benchmarks.md` between markers
   named after the configuration (earlier configurations and the hand-written analysis stay).

    uv run python bench/run_benchmark.py --agents 100 --days 365 --format both --reuse
    make bench BENCH_ARGS="--agents 1000 --days 30"

Not part of the test suite: a full year takes minutes to hours. Ratios are measured, not asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the venv's bin/: `tilsyn` and `dbt` of the locked environment
DOC = REPO / "docs" / "benchmarks.md"
# The incremental day is an ordinary Tuesday (a holiday would bring almost no calls); the full build is the
# `--days` days before it.
INCREMENTAL_DAY = date(2026, 11, 24)
TIMEZONE = "Europe/Oslo"
STAGES = ("ingest", "dbt", "publish", "dashboards")
# A fixed, public key: the benchmark's pseudonyms protect nothing (the data is simulated).
BENCH_PSEUDONYM_KEY = "tilsyn-benchmark-key-simulated-data-only"
SAMPLE_SECONDS = 0.25
MIB = 1024 * 1024


def say(message: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", flush=True)


# --- measuring a process tree ---------------------------------------------------------------------------------------
def _tree_rss_bytes(root_pid: int) -> int:
    """Resident memory of `root_pid` and all its descendants (from /proc; 0 once it has gone)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry))
    total, todo, page = 0, [root_pid], os.sysconf("SC_PAGE_SIZE")
    while todo:
        pid = todo.pop()
        todo.extend(parents.get(pid, []))
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * page
        except (OSError, IndexError, ValueError):
            pass
    return total


@dataclass
class Measured:
    """One timed command: wall seconds per stage, peak tree RSS per stage, its output and the largest process."""

    seconds: dict[str, float] = field(default_factory=dict)
    peak_mib: dict[str, float] = field(default_factory=dict)
    total_seconds: float = 0.0
    max_process_mib: float = 0.0
    lines: list[str] = field(default_factory=list)
    returncode: int = 0


def measure(
    command: list[str],
    env: dict[str, str],
    log_path: Path,
    stage_of=lambda line: None,
    first_stage: str = "run",
    echo=lambda line: None,
) -> Measured:
    """Run `command` under /usr/bin/time -v; a stage starts when `stage_of(line)` first names it and ends when the
    next one starts (the time before the first named stage is `first_stage`: imports, Dagster and dbt set-up)."""
    timer = ["/usr/bin/time", "-v"] if Path("/usr/bin/time").exists() else []
    result, current, stage_started = Measured(), first_stage, time.perf_counter()
    started = stage_started
    proc = subprocess.Popen(
        timer + command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1, cwd=REPO
    )
    done = threading.Event()

    def sample() -> None:
        while True:
            mib = _tree_rss_bytes(proc.pid) / MIB
            result.peak_mib[current] = max(result.peak_mib.get(current, 0.0), mib)
            if done.wait(SAMPLE_SECONDS):
                return

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    with open(log_path, "w") as log:
        for line in proc.stdout:
            log.write(line)
            line = line.rstrip("\n")
            result.lines.append(line)
            stage = stage_of(line)
            if stage and stage != current and stage not in result.seconds:
                now = time.perf_counter()
                result.seconds[current] = result.seconds.get(current, 0.0) + now - stage_started
                current, stage_started = stage, now
                echo(f"  {stage} ...")
            echo(line)
    result.returncode = proc.wait()
    done.set()
    sampler.join()
    now = time.perf_counter()
    result.seconds[current] = result.seconds.get(current, 0.0) + now - stage_started
    result.total_seconds = now - started
    for line in result.lines:
        found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", line)
        if found:
            result.max_process_mib = int(found.group(1)) / 1024
    return result


def tilsyn_stage(line: str) -> str | None:
    found = re.match(r"\[(ingest|dbt|publish|dashboards)\]", line)
    return found.group(1) if found else None


def tilsyn_echo(line: str) -> None:
    """Show the pipeline's own summary lines, not one per dbt node or file."""
    if re.match(
        r"\[ingest\] (load|  \w+: \d)|\[dbt\] (build|\d+ models)|\[publish\]|\[dashboards\] \d+ pages|"
        r"Tilsyn run|FAILED|error",
        line,
    ):
        say(f"  {line}")


# --- data -----------------------------------------------------------------------------------------------------------
def generate(work: Path, agents: int, days: int, seed: int, fmt: str, reuse: bool) -> Path:
    """The sample center for `days + 1` days (the last one is the incremental day); reused when complete."""
    from ingest.sample import generate_center

    out = work / "gen" / f"a{agents}_d{days + 1}_s{seed}_{fmt}"
    marker = out / ".complete"
    if reuse and marker.exists():
        say(f"reusing {out}")
        return out
    if out.exists():
        shutil.rmtree(out)
    say(f"generating {agents} agents x {days + 1} days ({fmt}) into {out}")
    summary = generate_center(
        out,
        agents=agents,
        days=days + 1,
        start=INCREMENTAL_DAY - timedelta(days=days),
        seed=seed,
        fmt=fmt,
        timezone=TIMEZONE,
        progress=lambda line: say(f"  {line}"),
    )
    for line in summary.lines():
        say(f"  {line}")
    marker.write_text(json.dumps({"rows": summary.rows, "files": summary.files, "seconds": summary.seconds}))
    return out


def _link(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)  # same bytes and modification time as the generated export, no copy
    except OSError:
        shutil.copy2(src, dst)


def split_landing(generated: Path, landing: Path, pending: Path, last_day: date) -> None:
    """Landing gets every generated file except those named after `last_day`; those go to `pending`."""
    for folder in (landing, pending):
        if folder.exists():
            shutil.rmtree(folder)
    stamp = last_day.isoformat()
    for src in generated.rglob("*"):
        if src.is_file() and src.parent != generated:  # the export folders only, not markers at the top
            rel = src.relative_to(generated)
            _link(src, (pending if stamp in src.name else landing) / rel)


def file_rows(folder: Path, fmt: str) -> int:
    """Data rows in a landing folder's export files, counted by DuckDB with the baseline's readers."""
    import duckdb
    from baseline import source_reader  # bench/ is this script's folder, hence on sys.path

    return sum(
        duckdb.sql(f"select count(*) from {source_reader(folder, source.name, fmt)}").fetchall()[0][0]
        for source in folder.iterdir()
        if source.is_dir() and any(source.glob(f"*.{fmt}"))
    )


# --- one format -----------------------------------------------------------------------------------------------------
@dataclass
class FormatResult:
    fmt: str
    raw_rows: int
    incremental_rows: int
    baseline: Measured
    full: Measured | None = None
    incremental: Measured | None = None
    slowest_nodes: list[tuple[str, float]] = field(default_factory=list)
    dbt_seconds_by_kind: dict[str, tuple[float, int]] = field(default_factory=dict)


def run_format(args: argparse.Namespace, fmt: str) -> FormatResult:
    env = {
        **os.environ,
        "TILSYN_PSEUDONYM_KEY": BENCH_PSEUDONYM_KEY,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    generated = generate(args.work, args.agents, args.days, args.seed, fmt, args.reuse)
    run_dir = args.work / f"a{args.agents}_d{args.days}_s{args.seed}_{fmt}"
    for stale in run_dir.glob("warehouse*") if run_dir.exists() else []:
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    landing, pending = run_dir / "landing", run_dir / "pending"
    split_landing(generated, landing, pending, INCREMENTAL_DAY)
    raw_rows, incremental_rows = file_rows(landing, fmt), file_rows(pending, fmt)
    say(f"{fmt}: {raw_rows:,} rows in the landing folder, {incremental_rows:,} rows kept back for the incremental day")

    say(f"{fmt}: baseline (DuckDB alone) ...")
    baseline = measure(
        [sys.executable, str(REPO / "bench" / "baseline.py"), str(landing), "--format", fmt, "--timezone", TIMEZONE],
        env,
        run_dir / "baseline.log",
        first_stage="baseline",
    )
    if baseline.returncode != 0:
        raise SystemExit(f"baseline failed, see {run_dir / 'baseline.log'}")
    say(f"{fmt}: baseline {baseline.total_seconds:.1f} s, peak {baseline.max_process_mib:.0f} MiB")
    result = FormatResult(fmt, raw_rows, incremental_rows, baseline)
    if args.skip_full:
        return result

    tilsyn = [
        str(BIN / "tilsyn"),
        "run",
        "--landing",
        str(landing),
        "--warehouse",
        str(run_dir / "warehouse.duckdb"),
        "--dashboards",
        str(run_dir / "dashboards"),
    ]
    for name, extra_files in (("full", None), ("incremental", pending)):
        if extra_files is not None:
            for src in extra_files.rglob("*"):
                if src.is_file():
                    _link(src, landing / src.relative_to(extra_files))
        say(f"{fmt}: tilsyn run ({name}) ...")
        measured = measure(tilsyn, env, run_dir / f"{name}.log", tilsyn_stage, "startup", tilsyn_echo)
        if measured.returncode != 0:
            raise SystemExit(f"tilsyn run ({name}) failed (exit {measured.returncode}), see {run_dir / f'{name}.log'}")
        setattr(result, name, measured)
        if name == "full":
            result.slowest_nodes, result.dbt_seconds_by_kind = dbt_profile(measured)
    return result


DBT_NODE_LINE = re.compile(
    r"\d+ of \d+ (?:OK created sql \w+ model |OK loaded seed file |PASS |WARN |FAIL |ERROR )"
    r"(\S+) .*\bin ([\d.]+)s\]"
)
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def dbt_profile(measured: Measured, top: int = 10) -> tuple[list[tuple[str, float]], dict[str, float]]:
    """The slowest nodes of this run's dbt build and dbt's seconds summed per kind (model, test, unit test, seed),
    read from dbt's own result lines in the run's output (other people's dbt runs write run_results.json files into
    dbt/target at the same time, so those cannot be told apart)."""
    timed, by_kind = [], {}
    for line in measured.lines:
        found = DBT_NODE_LINE.search(ANSI.sub("", line))
        if not found:
            continue
        name, seconds = found.group(1), float(found.group(2))
        kind = (
            "model"
            if "created" in found.group(0)
            else "seed"
            if "seed" in found.group(0)
            else "unit test"
            if "::" in name
            else "test"
        )
        timed.append((f"{kind} {name}", seconds))
        total, count = by_kind.get(kind, (0.0, 0))
        by_kind[kind] = (total + seconds, count + 1)
    return sorted(timed, key=lambda x: -x[1])[:top], by_kind


# --- report ---------------------------------------------------------------------------------------------------------
def machine() -> list[str]:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    mem = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.rstrip().splitlines()
    return [
        f"- CPU: {cpu}, `nproc` = {os.cpu_count()}; {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}",
        "- `free -h`:",
        "",
        "```",
        *mem,
        "```",
    ]


def code_version() -> str:
    """The commit measured, and whether the working tree had uncommitted edits (other engineers' work in progress)."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO).stdout
    dirty = subprocess.run(
        [
            "git",
            "status",
            "--porcelain",
            "--untracked-files=no",
            "--",
            "ingest",
            "dbt",
            "dagster_project",
            "dashboards",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
    ).stdout
    return f"commit {head.strip() or '?'}" + (
        f" plus {len(dirty.splitlines())} uncommitted file(s) in the pipeline's code" if dirty.strip() else ""
    )


def load_average() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def table(args: argparse.Namespace, results: list[FormatResult]) -> list[str]:
    out = [
        "| format | stage | seconds | rows/s | peak MiB (tree) | largest process MiB | ratio |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    ]

    def row(fmt, stage, seconds, rows, peak, largest="", ratio=""):
        rate = f"{rows / seconds:,.0f}" if rows and seconds else ""
        out.append(f"| {fmt} | {stage} | {seconds:.1f} | {rate} | {peak:,.0f} | {largest} | {ratio} |")

    for r in results:
        b = r.baseline
        row(
            r.fmt,
            "baseline: DuckDB alone",
            b.total_seconds,
            r.raw_rows,
            b.peak_mib.get("baseline", 0),
            f"{b.max_process_mib:,.0f}",
        )
        for name, rows in (("full", r.raw_rows), ("incremental", r.incremental_rows)):
            m: Measured | None = getattr(r, name)
            if m is None:
                continue
            for stage in ("startup", *STAGES):
                if stage in m.seconds:
                    row(
                        r.fmt,
                        f"{name}: {stage}",
                        m.seconds[stage],
                        rows if stage != "startup" else 0,
                        m.peak_mib.get(stage, 0),
                    )
            ratio = (
                f"full / baseline = {m.total_seconds / b.total_seconds:.1f}x"
                if name == "full"
                else f"incremental / full = {100 * m.total_seconds / r.full.total_seconds:.0f} %"
            )
            row(
                r.fmt,
                f"**{name}: total**",
                m.total_seconds,
                rows,
                max(m.peak_mib.values(), default=0),
                f"{m.max_process_mib:,.0f}",
                ratio,
            )
    return out


def block_key(args: argparse.Namespace) -> str:
    """The block's name in docs/benchmarks.md: the size, and the format unless both were run (so a Parquet run keeps
    the CSV run's block of the same size)."""
    return f"a{args.agents}_d{args.days}" + ("" if args.format == "both" else f"_{args.format}")


def report(args: argparse.Namespace, results: list[FormatResult], load_before: str, started: datetime) -> list[str]:
    key = block_key(args)
    lines = [
        f"<!-- bench:{key} begin -->",
        f"### {args.agents} agents x {args.days} days (+1 incremental day), seed {args.seed}",
        "",
        f"Measured {started:%Y-%m-%d %H:%M} UTC by `uv run python bench/run_benchmark.py --agents {args.agents} "
        f"--days {args.days} --format {args.format}`; load average (1/5/15 min) {load_before} before, "
        f"{load_average()} after (other engineers share the 2 cores); code: {code_version()}.",
        "",
        *machine(),
    ]
    for r in results:
        lines.append(
            f"- {r.fmt}: {r.raw_rows:,} raw rows in the landing folder, {r.incremental_rows:,} in the incremental day"
        )
    lines += ["", *table(args, results), ""]
    for r in results:
        if r.slowest_nodes:
            kinds = ", ".join(
                f"{kind} {seconds:.0f} s over {count} nodes"
                for kind, (seconds, count) in sorted(r.dbt_seconds_by_kind.items())
            )
            lines.append(
                f"dbt's own timing of the full run ({r.fmt}; node seconds summed over dbt's threads): {kinds}. "
                "Slowest nodes:"
            )
            lines += [""] + [f"- {seconds:.1f} s {node}" for node, seconds in r.slowest_nodes] + [""]
    lines.append(f"<!-- bench:{key} end -->")
    return lines


def write_doc(block: list[str], key: str) -> None:
    """Replace this configuration's block in docs/benchmarks.md (or append it); the rest of the file stays."""
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n\n## Measured\n"
    begin, end = f"<!-- bench:{key} begin -->", f"<!-- bench:{key} end -->"
    new = "\n".join(block)
    if begin in text and end in text:
        text = text[: text.index(begin)] + new + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + new + "\n"
    DOC.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=100, help="agents of the sample center (default 100)")
    parser.add_argument(
        "--days",
        type=int,
        default=365,
        help="days in the full build (default 365); one more day is generated for the incremental run",
    )
    parser.add_argument("--format", choices=["csv", "parquet", "both"], default="both")
    parser.add_argument("--work", type=Path, default=REPO / "bench" / "out", help="work folder (default bench/out/)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="reuse generated files from an earlier run")
    parser.add_argument("--skip-full", action="store_true", help="generate and time the baseline only (no tilsyn runs)")
    parser.add_argument("--no-doc", action="store_true", help="print the table but leave docs/benchmarks.md alone")
    args = parser.parse_args(argv)
    if args.agents < 1 or args.days < 1:
        parser.error("--agents and --days must be at least 1")
    args.work = args.work.resolve()
    started, load_before = datetime.now(UTC), load_average()
    say(
        f"{args.agents} agents x {args.days} days, format {args.format}, work folder {args.work}; "
        f"load average {load_before}"
    )
    formats = ["csv", "parquet"] if args.format == "both" else [args.format]
    results = [run_format(args, fmt) for fmt in formats]
    block = report(args, results, load_before, started)
    print("\n".join(block[1:-1]), flush=True)
    if not args.no_doc:
        write_doc(block, block_key(args))
        say(f"wrote the table into {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
