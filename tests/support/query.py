"""Reading a test's database: the rows of a query on a DuckDB file, opened read-only (a pipeline, a warehouse)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb


def query(database: Path, sql: str, params: list | None = None) -> list[tuple]:
    """The rows of `sql` on a database file, opened read-only."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def query_dicts(database: Path, sql: str) -> list[dict[str, Any]]:
    """The rows of `sql` on a database file, opened read-only, each as {column: value}."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()
