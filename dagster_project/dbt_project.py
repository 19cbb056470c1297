"""The dbt project's manifest kept current, and its build folders.

`@dbt_assets` reads `dbt/target/manifest.json` when the definitions are imported. The manifest is a build artefact
(not committed): `ensure_dbt_manifest()` runs `dbt parse` (about 5 s) when it is missing or older than any file of
the dbt project, so `tilsyn run`, `dagster dev` and the tests never start from a stale graph. This module imports
neither Dagster nor dbt (seconds of imports), so a run can start the parse first and import them while it runs
(`cli.prepare_pipeline`); the `DbtProject` Dagster sees is made in `assets.py`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dagster_project.settings import DBT_PROJECT_DIR, REBUILD_DATES_VAR, Settings

MANIFEST_PATH = DBT_PROJECT_DIR / "target" / "manifest.json"
# dbt from the same environment as this Python (the venv's `bin/`), whether or not the venv is activated.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")
# Where dbt's bytecode goes when the environment forbids writing it beside the sources: the folder `make demo` and
# `make test` use for the same reason (Makefile).
DBT_PYCACHE_DIR = Path(sys.prefix) / "pycache"


def bytecode_env(env: dict[str, str]) -> dict[str, str]:
    """`env` for a dbt process that keeps its compiled bytecode between runs.

    With PYTHONDONTWRITEBYTECODE set (as on this project's CI and benchmark machine) and no PYTHONPYCACHEPREFIX, every
    dbt process compiles all it imports again: importing dbt took 5.3 s without bytecode and 2.5 s with it (2 cores).
    The bytecode then goes to the environment's own `pycache` folder, never beside the installed sources.
    """
    if "PYTHONDONTWRITEBYTECODE" not in env or env.get("PYTHONPYCACHEPREFIX"):
        return env
    kept = {name: value for name, value in env.items() if name != "PYTHONDONTWRITEBYTECODE"}
    return {**kept, "PYTHONPYCACHEPREFIX": str(DBT_PYCACHE_DIR)}


@contextmanager
def dbt_bytecode_kept() -> Iterator[None]:
    """While inside, processes started from this one (dagster-dbt's dbt, which copies `os.environ` when it starts dbt)
    keep their bytecode as `bytecode_env` says; this process's environment is restored on leaving."""
    before = dict(os.environ)
    after = bytecode_env(before)
    if after is before:
        yield
        return
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = after["PYTHONPYCACHEPREFIX"]
    try:
        yield
    finally:
        for name in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX"):
            if name in before:
                os.environ[name] = before[name]
            else:
                os.environ.pop(name, None)


def _newest_source_mtime() -> float:
    newest = (DBT_PROJECT_DIR / "dbt_project.yml").stat().st_mtime
    for folder in ("models", "macros", "seeds", "snapshots", "tests"):
        for path in (DBT_PROJECT_DIR / folder).rglob("*"):
            if path.is_file():
                newest = max(newest, path.stat().st_mtime)
    return newest


def build_vars_json(settings: Settings, rebuild_dates: list[str] | None = None, extra: dict | None = None) -> str:
    """The `--vars` of a dbt build: the center's metric settings, the days to rebuild, any extra vars."""
    return json.dumps(
        {**settings.metrics, REBUILD_DATES_VAR: list(rebuild_dates or []), **(extra or {})}, sort_keys=True
    )


def ensure_dbt_manifest(build_settings: Settings | None = None) -> Path:
    """Parse the dbt project if its manifest is missing or stale; return the manifest's path.

    The parse writes into a folder of its own and the manifest is then moved into place in one step, so processes
    starting together (a scheduled run beside `dagster dev`, parallel test workers) never read half a manifest.

    With `build_settings` (a pipeline run about to build) the parse uses the nightly build's vars and database path,
    and it also runs when no `partial_parse.msgpack` is kept yet; its msgpack is kept for the build, which then parses
    only what changed instead of the whole project a second time (a fresh clone's first run, the first run after a
    dbt code change: 10-20 s of CPU on 2 cores).
    """
    kept_parse = MANIFEST_PATH.parent / "partial_parse.msgpack"
    fresh = MANIFEST_PATH.exists() and MANIFEST_PATH.stat().st_mtime >= _newest_source_mtime()
    if fresh and (build_settings is None or kept_parse.exists()):
        return MANIFEST_PATH
    env = bytecode_env({**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"})
    vars_args = []
    if build_settings is not None:
        env.update(build_settings.to_env())  # profiles.yml reads the database path from it, as in the build
        vars_args = ["--vars", build_vars_json(build_settings)]
    parse_target = MANIFEST_PATH.parent / f"parse-{os.getpid()}"
    try:
        result = subprocess.run(
            [
                DBT_EXECUTABLE,
                "parse",
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
                "--target-path",
                str(parse_target),
                *vars_args,
                "--quiet",
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"dbt parse failed (dbt project {DBT_PROJECT_DIR}):\n{result.stdout}\n{result.stderr}")
        if build_settings is not None:
            os.replace(parse_target / "partial_parse.msgpack", kept_parse)
        os.replace(parse_target / "manifest.json", MANIFEST_PATH)
    finally:
        shutil.rmtree(parse_target, ignore_errors=True)
    return MANIFEST_PATH


def keep_partial_parse(invocation_target: Path) -> None:
    """Keep a finished build's `partial_parse.msgpack` where dagster-dbt seeds the next build's target folder from.

    dagster-dbt gives every build a fresh target folder and copies `dbt/target/partial_parse.msgpack` into it; that
    file comes from `dbt parse` without the center's vars and database path, so dbt discards it ("config vars ...
    have changed") and parses the whole project again: 8-12 s of every nightly build. The nightly builds of one
    center have the same vars and profile, so the previous build's file is valid for the next; dbt itself checks
    and re-parses whatever changed.
    """
    built = invocation_target / "partial_parse.msgpack"
    if not built.exists():
        return
    kept = MANIFEST_PATH.parent / "partial_parse.msgpack"
    staging = kept.with_name(f"{kept.name}.{os.getpid()}.tmp")
    shutil.copyfile(built, staging)
    os.replace(staging, kept)  # a concurrent build reads the old file or the new one, never half of one


# Build folders kept for looking into recent builds (dbt.log, compiled SQL, run_results.json). dagster-dbt makes a new
# one per build (20-50 MB at a year's scale), so a nightly pipeline would otherwise fill the disk: 153 of them took
# 3.9 GB after a day of benchmarking.
KEPT_BUILD_FOLDERS = 10
# A folder younger than this may belong to a build still running in another process.
BUILD_FOLDER_MIN_AGE_SECONDS = 6 * 3600


def prune_build_folders(
    target_root: Path | None = None,
    keep: int = KEPT_BUILD_FOLDERS,
    min_age_seconds: float = BUILD_FOLDER_MIN_AGE_SECONDS,
    now: float | None = None,
) -> list[Path]:
    """Delete the per-build target folders beyond the newest `keep` that are older than `min_age_seconds`.

    Returns the deleted folders. Only folders named like dagster-dbt's (`<asset function>-<run>-<invocation>`) with a
    dbt log or run results inside are touched, never the project's own `manifest.json` or `partial_parse.msgpack`.
    """
    target_root = target_root or MANIFEST_PATH.parent
    now = time.time() if now is None else now
    folders = [
        path
        for path in target_root.glob("*-*-*")
        if path.is_dir() and ((path / "dbt.log").exists() or (path / "run_results.json").exists())
    ]
    folders.sort(key=lambda path: path.stat().st_mtime, reverse=True)
    deleted = []
    for folder in folders[keep:]:
        if now - folder.stat().st_mtime >= min_age_seconds:
            shutil.rmtree(folder, ignore_errors=True)
            deleted.append(folder)
    return deleted
