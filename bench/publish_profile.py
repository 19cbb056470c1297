"""Where a publish spends its time, and two codes' publishes paired on the same pipeline database.

    uv run python bench/publish_profile.py --before PIPELINE_DB --after PIPELINE_DB --work DIR \
        [--code NAME=PATH/publish.py ...] [--unchanged-from-run RUN_ID] [--rounds 3]

`--before` is the pipeline database as the published version was built from (copy it before the run you study),
`--after` the pipeline database after that run. For each code (a `publish.py` file; default: this worktree's), the
base version is published from `--before` into `DIR/<name>/warehouse.duckdb` with that code (so each code publishes
onto its own layout), then, `--rounds` times and alternating the codes, the base warehouse file is put back and
`--after` is published onto it. `--unchanged-from-run` publishes as a slice run does: the tables dbt did not build
in that run are kept (`dagster_project/slice_run.py`, as `analyst_warehouse` computes them).

Each publish is timed whole (wall and CPU seconds of this process, DuckDB's threads included) and by part: every
statement the publish sends to DuckDB is classed by what it does (Parquet files written, tables copied from the
pipeline or from the published version, views and their type checks, row counts, partition stats, checkpoint,
close), and the file steps (fsync, links) are timed where the module calls them. Nothing is changed in the code
measured: its module's `duckdb` and file helpers are wrapped from outside. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from types import ModuleType

import duckdb

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def load_code(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"publish_{name}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


class Clock:
    """Wall and CPU seconds per part of a publish."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    def timed(self, part: str, call, *args, **kwargs):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return call(*args, **kwargs)
        finally:
            self.wall[part] += time.perf_counter() - wall
            self.cpu[part] += time.process_time() - cpu
            self.calls[part] += 1


def part_of(sql: str) -> str:
    text = " ".join(sql.lower().split())
    if text.startswith("copy ("):
        return "parquet files written"
    if text.startswith("create table") and " from pipeline." in text:
        return "tables copied from the pipeline"
    if text.startswith("create table") and " from published." in text:
        return "tables copied from the published version"
    if text.startswith("create view") or text.startswith("create or replace view") or "describe" in text:
        return "views and their types"
    if text.startswith("select count(*) from") and "duckdb_" not in text:
        return "row counts (reconciliation)"
    if "group by" in text and "local_date" in text:
        return "partition stats"
    if text.startswith("checkpoint"):
        return "checkpoint"
    if text.startswith(("attach", "detach")):
        return "attach/detach"
    if text.startswith("insert") or "published_version" in text or "published_parts" in text:
        return "manifests"
    return "catalog queries"


class TimedResult:
    def __init__(self, result, clock: Clock, part: str) -> None:
        self._result, self._clock, self._part = result, clock, part

    def __getattr__(self, name):
        attr = getattr(self._result, name)
        if name.startswith("fetch"):
            return lambda *a, **k: self._clock.timed(self._part, attr, *a, **k)
        return attr


class TimedConnection:
    def __init__(self, con, clock: Clock) -> None:
        self._con, self._clock = con, clock

    def execute(self, sql, *args):
        part = part_of(sql)
        return TimedResult(self._clock.timed(part, self._con.execute, sql, *args), self._clock, part)

    def executemany(self, sql, *args):
        return self._clock.timed("manifests", self._con.executemany, sql, *args)

    def close(self):
        return self._clock.timed("close", self._con.close)

    def __getattr__(self, name):
        return getattr(self._con, name)


class TimedDuckdb:
    """Stands in for the module's `duckdb`: the publish's own connection (the one opened with a config) is timed."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def connect(self, *args, **kwargs):
        if "config" in kwargs:
            return TimedConnection(self._clock.timed("open", duckdb.connect, *args, **kwargs), self._clock)
        return self._clock.timed("reading the published version's manifest", duckdb.connect, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(duckdb, name)


def instrument(module: ModuleType, clock: Clock) -> None:
    module.duckdb = TimedDuckdb(clock)
    for name, part in (
        ("_fsync", "fsync"),
        ("_link_or_copy", "links"),
        ("_remove_old_versions", "old versions removed"),
    ):
        original = getattr(module, f"_original{name}", None) or getattr(module, name)
        setattr(module, f"_original{name}", original)
        setattr(module, name, lambda *a, _o=original, _p=part, **k: clock.timed(_p, _o, *a, **k))


def unchanged_tables(pipeline_db: Path, run_id: str) -> frozenset[str]:
    from dagster_project.dbt_project import MANIFEST_PATH
    from dagster_project.slice_run import nodes_built_by_run, tables_not_built_by_slice_run

    built = nodes_built_by_run(pipeline_db, run_id)
    return frozenset(tables_not_built_by_slice_run(json.loads(MANIFEST_PATH.read_text()), built))


def publish_once(module: ModuleType, pipeline_db: Path, warehouse: Path, unchanged: frozenset[str]) -> dict:
    clock = Clock()
    instrument(module, clock)
    wall, cpu = time.perf_counter(), time.process_time()
    report = module.publish_warehouse(pipeline_db, warehouse, unchanged_tables=unchanged, state_key="profile")
    result = {
        "wall": time.perf_counter() - wall,
        "cpu": time.process_time() - cpu,
        "line": report.lines()[0].split("] in ")[-1],
        "parts_wall": dict(clock.wall),
        "parts_cpu": dict(clock.cpu),
        "calls": dict(clock.calls),
    }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="pipeline database the base version comes from")
    parser.add_argument("--after", type=Path, required=True, help="pipeline database to publish (the run studied)")
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--code", action="append", default=[], help="NAME=PATH of a publish.py (repeatable)")
    parser.add_argument("--unchanged-from-run", help="publish as this slice run did (keep what it did not build)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)

    codes = dict(item.split("=", 1) for item in args.code) or {"this": str(REPO / "dagster_project" / "publish.py")}
    modules = {name: load_code(name, Path(path)) for name, path in codes.items()}
    unchanged = unchanged_tables(args.after, args.unchanged_from_run) if args.unchanged_from_run else frozenset()
    print(f"kept as a slice run keeps them: {len(unchanged)} tables", flush=True)
    bases = {}
    for name, module in modules.items():
        folder = args.work / name
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        base = publish_once(module, args.before, folder / "warehouse.duckdb", frozenset())
        shutil.copyfile(folder / "warehouse.duckdb", folder / "base.duckdb")
        bases[name] = {p.name for p in (folder / "warehouse.duckdb.parts").iterdir()}
        print(f"{name}: base published from --before in {base['wall']:.2f} s ({base['line']})", flush=True)

    results: dict[str, list[dict]] = defaultdict(list)
    for round_number in range(args.rounds):
        for name in modules if round_number % 2 == 0 else reversed(list(modules)):
            folder = args.work / name
            warehouse = folder / "warehouse.duckdb"
            shutil.copyfile(folder / "base.duckdb", warehouse)
            for version in (folder / "warehouse.duckdb.parts").iterdir():
                if version.name not in bases[name]:
                    shutil.rmtree(version)
            result = publish_once(modules[name], args.after, warehouse, unchanged)
            results[name].append(result)
            print(
                f"round {round_number + 1} {name}: {result['wall']:.2f} s wall, {result['cpu']:.2f} s CPU; "
                f"{result['line']}",
                flush=True,
            )

    for name, runs in results.items():
        print(
            f"\n{name}: median {statistics.median(r['wall'] for r in runs):.2f} s wall, "
            f"{statistics.median(r['cpu'] for r in runs):.2f} s CPU over {len(runs)} publishes"
        )
        for part in sorted(runs[0]["parts_wall"], key=lambda p: -runs[0]["parts_wall"][p]):
            wall = statistics.median(r["parts_wall"].get(part, 0.0) for r in runs)
            cpu = statistics.median(r["parts_cpu"].get(part, 0.0) for r in runs)
            print(f"  {part:45s} {wall:7.2f} s wall {cpu:7.2f} s CPU  ({runs[0]['calls'][part]} calls)")
    for name in modules:
        shutil.rmtree(args.work / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
