"""The dbt project as Dagster sees it, and keeping its manifest current.

`@dbt_assets` reads `dbt/target/manifest.json` when the definitions are imported. The manifest is a build artefact
(not committed): `ensure_dbt_manifest()` runs `dbt parse` (about 5 s) when it is missing or older than any file of
the dbt project, so `tilsyn run`, `dagster dev` and the tests never start from a stale graph.
"""

from __future__ import annotations

import os
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
