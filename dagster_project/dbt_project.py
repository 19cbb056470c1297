"""The dbt project as Dagster sees it, and keeping its manifest current.

`@dbt_assets` reads `dbt/target/manifest.json` when the definitions are imported. The manifest is a build artefact
(not committed): `ensure_dbt_manifest()` runs `dbt parse` (about 5 s) when it is missing or older than any file of
the dbt project, so `tilsyn run`, `dagster dev` and the tests never start from a stale graph.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from dagster_project.settings import DBT_PROJECT_DIR

TILSYN_DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
MANIFEST_PATH = DBT_PROJECT_DIR / "target" / "manifest.json"
# dbt from the same environment as this Python (the venv's `bin/`), whether or not the venv is activated.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")


def _newest_source_mtime() -> float:
    newest = (DBT_PROJECT_DIR / "dbt_project.yml").stat().st_mtime
    for folder in ("models", "macros", "seeds", "snapshots", "tests"):
        for path in (DBT_PROJECT_DIR / folder).rglob("*"):
            if path.is_file():
                newest = max(newest, path.stat().st_mtime)
    return newest


def ensure_dbt_manifest() -> Path:
    """Parse the dbt project if its manifest is missing or stale; return the manifest's path."""
    if MANIFEST_PATH.exists() and MANIFEST_PATH.stat().st_mtime >= _newest_source_mtime():
        return MANIFEST_PATH
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    result = subprocess.run(
        [DBT_EXECUTABLE, "parse", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
         "--quiet"],
        env=env, capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"dbt parse failed (dbt project {DBT_PROJECT_DIR}):\n{result.stdout}\n{result.stderr}")
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
