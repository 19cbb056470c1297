"""Every table (and view) of a warehouse's `marts` schema as comparable rows, for tests that compare two builds."""

from __future__ import annotations

from pathlib import Path

import duckdb


def marts_rows(warehouse: Path, without: tuple[str, ...] = ()) -> dict[str, list[tuple]]:
    """{table: its rows, sorted}, without the columns in `without`; doubles to 9 significant digits (two builds may sum
    in another order and differ in the last bits)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        # tables and views: the big facts are published as views over monthly Parquet files
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        marts = {}
        for table in tables:
            columns = [
                name
                for (name,) in con.execute(
                    "select column_name from duckdb_columns() where schema_name = 'marts' and table_name = ? "
                    "order by column_index",
                    [table],
                ).fetchall()
                if name not in without
            ]
            rows = con.execute(
                f"select {', '.join(chr(34) + c + chr(34) for c in columns)} from marts.{table}"
            ).fetchall()
            marts[table] = sorted(
                (tuple(float(f"{v:.9g}") if isinstance(v, float) else v for v in row) for row in rows), key=repr
            )
        return marts
    finally:
        con.close()
