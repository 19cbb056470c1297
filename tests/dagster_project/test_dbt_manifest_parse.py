"""A pipeline run's manifest parse leaves a partial parse its dbt build can reuse (a fresh clone parses once)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from dagster_project.dbt_project import (
    DBT_EXECUTABLE,
    DBT_PROJECT_DIR,
    MANIFEST_PATH,
    build_vars_json,
    ensure_dbt_manifest,
)
from dagster_project.settings import load_settings

# dbt's event "Unable to do partial parsing because ..." (dbt-core's UnableToPartialParse)
UNABLE_TO_PARTIAL_PARSE = "I024"


def _parse_events(target: Path, vars_json: str, env: dict[str, str]) -> list[dict]:
    """The JSON log events of a `dbt ls` (it parses like a build) in `target`."""
    result = subprocess.run(
        [
            DBT_EXECUTABLE,
            "--log-format",
            "json",
            "ls",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(target),
            "--vars",
            vars_json,
            "--select",
            "stg_calls",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def test_a_runs_manifest_parse_is_reused_by_its_build(tmp_path: Path) -> None:
    settings = load_settings(None, []).with_paths(
        landing_dir=tmp_path / "landing",
        warehouse_path=tmp_path / "warehouse.duckdb",
        dashboards_dir=tmp_path / "dashboards",
    )
    kept = MANIFEST_PATH.parent / "partial_parse.msgpack"
    kept.unlink(missing_ok=True)  # as in a fresh clone, or a checkout whose last build failed
    ensure_dbt_manifest(settings)
    assert kept.exists() and MANIFEST_PATH.exists()
    # dagster-dbt seeds each build's target folder with the kept file; the build passes the nightly vars and reads
    # the database path from the environment, as here
    build_target = tmp_path / "build-target"
    build_target.mkdir()
    shutil.copyfile(kept, build_target / kept.name)
    env = {**os.environ, **settings.to_env(), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    events = _parse_events(build_target, build_vars_json(settings), env)
    assert events, "dbt wrote no JSON log events"
    unable = [e["info"]["msg"] for e in events if e["info"]["code"] == UNABLE_TO_PARTIAL_PARSE]
    assert unable == []
