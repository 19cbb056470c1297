"""Shared fixtures for the sample generator's tests: one demo center per session, as files and as DuckDB tables."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from ingest.contracts import SOURCES
from ingest.sample import generate_center


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo default: 12 agents, 31 days from 2026-01-01, Europe/Oslo."""
    out = tmp_path_factory.mktemp("demo") / "landing"
    generate_center(out, progress=None)
    return out


@pytest.fixture(scope="session")
def demo_db(demo_dir: Path) -> duckdb.DuckDBPyConnection:
    """DuckDB tables of the demo CSVs, timestamps parsed with their offsets and shown in UTC."""
    con = duckdb.connect()
    con.sql("SET TimeZone = 'UTC'")
    for source in SOURCES:
        con.sql(f"CREATE TABLE {source} AS SELECT * FROM read_csv('{demo_dir / source}/*.csv')")
    return con
