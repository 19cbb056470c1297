"""Incremental builds stay right: a settings change rebuilds everything, a day rebuilds alone through Dagster's daily
partitions, and a run killed by its PID alone (its dbt child left running) is followed by a run that recovers.

One tiny generated center (3 agents x 2 days) goes through the steps in file order. Every expected warehouse is an
independent fresh full build: a new pipeline database built by `tilsyn run` from the same files and settings.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.e2e

TILSYN = str(Path(sys.executable).parent / "tilsyn")
DAY_1, DAY_2 = "2026-01-01", "2026-01-02"
# Default fully_loaded. Not service_level_seconds: the dbt unit tests assume its default and fail under another value.
STAFF_ONLY_COST = "metrics.cost_per_call_scope=staff_only"


@pytest.fixture(scope="module")
def center(tmp_path_factory: pytest.TempPathFactory) -> dict:
    from ingest.sample import generate_center

    root = tmp_path_factory.mktemp("rebuild")
    landing = root / "landing"
    generate_center(landing, agents=3, days=2, start=date.fromisoformat(DAY_1), seed=3,
                    progress=None)
    return {"root": root, "landing": landing, "env": {**os.environ, "TILSYN_PSEUDONYM_KEY": "rebuild-test-key"}}


def _args(center: dict, name: str, *overrides: str) -> list[str]:
    root = center["root"]
    return ["run", "--landing", str(center["landing"]), "--warehouse", str(root / name / "warehouse.duckdb"),
            "--dashboards", str(root / name / "dashboards"), *[a for o in overrides for a in ("--set", o)]]


def _run(center: dict, name: str, *overrides: str) -> str:
    result = subprocess.run([TILSYN, *_args(center, name, *overrides)], env=center["env"], capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, f"tilsyn run failed:\n{result.stdout[-5000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def _query(path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _marts(warehouse: Path) -> dict[str, list[tuple]]:
    """Every marts table's rows, sorted, doubles rounded to 9 places (summation order may differ in the last bits)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = [t for (t,) in con.execute("select table_name from duckdb_tables() where schema_name = 'marts' "
                                            "order by 1").fetchall()]
        marts = {}
        for table in tables:
            rows = con.execute(f"select * from marts.{table}").fetchall()
            marts[table] = sorted((tuple(round(v, 9) if isinstance(v, float) else v for v in row) for row in rows),
                                  key=repr)
        return marts
    finally:
        con.close()


def _version(warehouse: Path) -> str:
    return _query(warehouse, "select any_value(version_id) from ops.published_version")[0][0]


def _last_basis(warehouse: Path) -> tuple:
    return _query(warehouse, "select is_full_refresh, rebuild_local_dates, status from ops.dbt_build_basis "
                             "order by started_at desc limit 1")[0]


def test_a_settings_change_gives_the_marts_of_a_fresh_build_with_the_new_setting(center: dict) -> None:
    first = _run(center, "live")
    assert "[dbt] no earlier build recorded: full refresh" in first
    center["default_marts"] = _marts(center["root"] / "live" / "warehouse.duckdb")  # a fresh build: the reference

    changed = _run(center, "live", STAFF_ONLY_COST)
    assert "[dbt] settings or dbt code changed since the last build: full refresh" in changed
    live = _marts(center["root"] / "live" / "warehouse.duckdb")
    fresh = _run(center, "fresh-staff-only", STAFF_ONLY_COST)
    assert "[dbt] no earlier build recorded: full refresh" in fresh
    center["staff_only_marts"] = _marts(center["root"] / "fresh-staff-only" / "warehouse.duckdb")
    assert live == center["staff_only_marts"]
    changed_tables = {t for t in live if live[t] != center["default_marts"][t]}
    assert "kpi_cost_per_call_monthly" in changed_tables  # the setting matters on this data
