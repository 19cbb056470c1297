"""The model-level generic tests (dbt/tests/generic): one query per model for all its not-null columns
(`not_null_columns`) and one for all its ranges (`columns_between`). A deliberately broken copy of the hand-worked
center's kpi_agent_daily must fail both, with the failing rows naming the broken columns.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb

from tests.dbt.conftest import run_dbt


def test_broken_values_fail_the_model_level_tests(fixture_center_db: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "broken.pipeline.duckdb"
    shutil.copy(fixture_center_db, db_path)
    with duckdb.connect(str(db_path)) as con:
        # A1 on 2026-03-02: an occupancy above 1 and a negative shrinkage; A1 on 2026-03-03: no period_start
        con.execute(
            "update marts.kpi_agent_daily set occupancy = 1.5, shrinkage = -0.1 "
            "where agent_id = 'A1' and local_date = '2026-03-02'"
        )
        con.execute(
            "update marts.kpi_agent_daily set period_start = null where agent_id = 'A1' and local_date = '2026-03-03'"
        )
    target = tmp_path / "target"
    result = run_dbt(
        db_path,
        tmp_path,
        "test",
        "--select",
        "kpi_agent_daily,test_name:not_null_columns",
        "kpi_agent_daily,test_name:columns_between",
    )
    assert result.returncode == 1, result.stdout[-3000:]

    results = {r["unique_id"]: r for r in json.loads((target / "run_results.json").read_text())["results"]}
    manifest = json.loads((target / "manifest.json").read_text())
    by_test = {manifest["nodes"][unique_id]["test_metadata"]["name"]: result for unique_id, result in results.items()}
    assert {name: (r["status"], r["failures"]) for name, r in by_test.items()} == {
        "not_null_columns": ("fail", 1),  # the 2026-03-03 row
        "columns_between": ("fail", 1),  # the 2026-03-02 row, once although two of its columns are out of range
    }
    with duckdb.connect(str(db_path), read_only=True) as con:
        null_rows = con.sql(by_test["not_null_columns"]["compiled_code"]).fetchall()
        out_of_range = con.sql(by_test["columns_between"]["compiled_code"]).fetchall()
    assert [row[0] for row in null_rows] == ["period_start"]
    assert [row[0] for row in out_of_range] == ["occupancy, shrinkage"]
