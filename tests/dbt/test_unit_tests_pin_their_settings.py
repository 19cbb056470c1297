"""dbt's unit tests hold under any center's metric settings.

A `dbt build` by hand runs the unit tests with the center's `--vars` (the pipeline's nightly build leaves unit tests
out). A unit test whose hand-worked expectation assumes a default (a 20 s service level threshold, a 7-day FCR
window, ...) must pin that var in its `overrides`, or such a build at a center that sets another value would fail.
The seed is loaded and the models are created empty (`dbt run --empty`: unit tests need their parents to exist),
then every unit test runs with a non-default value for every metric var.
"""

from __future__ import annotations

import json
import re

import duckdb
import pytest

from tests.dbt.conftest import DBT_DIR, create_raw_tables, run_dbt

# A value other than the default of dbt_project.yml for every metric var
NON_DEFAULT_SETTINGS = {
    "center_timezone": "America/New_York",
    "interval_minutes": 30,
    "fiscal_year_start_month": 4,
    "short_abandon_seconds": 10,
    "service_level_seconds": 30,
    "service_level_denominator": "offered",
    "service_level_target": 0.9,
    "max_occupancy": 0.7,
    "fcr_window_days": 3,
    "adherence_grace_seconds": 600,
    "headcount_roles": ["agent", "team_lead"],
    "headcount_method": "daily_mean",
    "early_tenure_days": 30,
    "cost_per_call_scope": "staff_only",
    "success_outcomes": ["resolved"],
    "coaching_bottom_percentile": 0.5,
    "staffing_model": "erlang_c",
    "shrinkage_history_weeks": 4,
    "staffing_tolerance_agents": 2,
    "break_window_minutes": 30,
    "forecast_horizon_days": 14,
}


def test_every_metric_var_has_a_non_default_value_here() -> None:
    import yaml

    project = yaml.safe_load((DBT_DIR / "dbt_project.yml").read_text())
    settable = set(project["vars"]) - {"center_currency"}  # the currency changes no computed value
    assert settable == set(NON_DEFAULT_SETTINGS)
    assert all(project["vars"][name] != value for name, value in NON_DEFAULT_SETTINGS.items())


def test_unit_tests_pass_under_non_default_settings(tmp_path) -> None:
    db_path = tmp_path / "empty.pipeline.duckdb"
    with duckdb.connect(str(db_path)) as con:
        create_raw_tables(con)
    for command in (["seed"], ["run", "--empty"], ["test", "--select", "test_type:unit"]):
        result = run_dbt(db_path, tmp_path, *command, "--vars", json.dumps(NON_DEFAULT_SETTINGS))
        if result.returncode != 0:
            pytest.fail(f"dbt {' '.join(command)} failed:\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}")
    # Every unit test declared in the models' YAML ran and passed: no more, no fewer.
    totals = re.search(r"PASS=(\d+) WARN=(\d+) ERROR=(\d+) SKIP=(\d+)", result.stdout)
    assert totals, result.stdout[-2000:]
    assert tuple(int(n) for n in totals.groups()) == (_declared_unit_tests(), 0, 0, 0), result.stdout[-2000:]


def _declared_unit_tests() -> int:
    """The unit tests declared under `unit_tests:` in the models' YAML files, read without dbt."""
    import yaml

    return sum(
        len((yaml.safe_load(path.read_text()) or {}).get("unit_tests") or [])
        for path in (DBT_DIR / "models").rglob("*.yml")
    )
