"""Data tests of incremental models check the rows of the latest build (dbt/macros/where_subquery.sql).

On a copy of the hand-worked center, a duplicated contact leg stamped by an earlier build passes the scoped
uniqueness test and fails the whole-table one (`data_tests_scope: all`); the same duplicate written by the latest
build fails the scoped test too.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import duckdb

from tests.dbt.conftest import run_dbt


def _unique_leg_test(db_path: Path, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    return run_dbt(db_path, tmp_path, "test", "--select", "fct_contact_legs,test_name:unique", *extra)


def _center_with_a_duplicate_leg(fixture_center_db: Path, tmp_path: Path, stamp_shift: str) -> Path:
    """A copy of the hand-worked center with its first contact leg again, stamped `stamp_shift` from the original."""
    db_path = tmp_path / "duplicate_leg.pipeline.duckdb"
    shutil.copy(fixture_center_db, db_path)
    with duckdb.connect(str(db_path)) as con:
        con.execute(
            "insert into marts.fct_contact_legs select * replace (_built_at + "
            f"interval '{stamp_shift}' as _built_at) from marts.fct_contact_legs order by leg_id limit 1"
        )
    return db_path


def test_a_duplicate_from_an_earlier_build_is_outside_the_scoped_test(fixture_center_db: Path, tmp_path: Path) -> None:
    db_path = _center_with_a_duplicate_leg(fixture_center_db, tmp_path, "-1 day")
    scoped = _unique_leg_test(db_path, tmp_path)
    assert scoped.returncode == 0, scoped.stdout[-3000:]
    whole = _unique_leg_test(db_path, tmp_path, "--vars", "{data_tests_scope: all}")
    assert whole.returncode == 1, whole.stdout[-3000:]
    assert "FAIL 1 unique_fct_contact_legs_leg_id" in whole.stdout


def test_a_duplicate_written_by_the_latest_build_fails(fixture_center_db: Path, tmp_path: Path) -> None:
    db_path = _center_with_a_duplicate_leg(fixture_center_db, tmp_path, "0 seconds")
    scoped = _unique_leg_test(db_path, tmp_path)
    assert scoped.returncode == 1, scoped.stdout[-3000:]
    assert "FAIL 1 unique_fct_contact_legs_leg_id" in scoped.stdout
