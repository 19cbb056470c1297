"""Reading the analyst warehouse: run a named query from `dashboards/queries/` and get a Polars frame.

A table or column the marts do not have (yet) is not an error for a dashboard: the query returns an empty frame and
the reason is kept in `Warehouse.missing`, so the page can say "no data" and the build can say why.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

QUERY_DIR = Path(__file__).parent / "queries"


def query_text(name: str, **names: str) -> str:
    """The SQL of `queries/<name>.sql`, with `{placeholders}` (grain, period column) filled from a fixed set."""
    return (QUERY_DIR / f"{name}.sql").read_text(encoding="utf-8").format(**names)


class Warehouse:
    """A read-only connection to the analyst warehouse and the queries run against it."""

    def __init__(self, path: Path):
        self.path = path
        self.con = duckdb.connect(str(path), read_only=True)
        self.missing: dict[str, str] = {}
        self.tables_read: set[str] = set()  # `schema.table` every query named (tests: what a page depends on)

    def close(self) -> None:
        self.con.close()

    def query(
        self, name: str, params: dict[str, Any] | None = None, optional: bool = False, **names: str
    ) -> pl.DataFrame:
        """Rows of a named query; an empty frame when a table or column is absent, noted in `missing` unless the
        query is `optional` (something the pages can do without, such as a currency column)."""
        text = query_text(name, **names)
        self.tables_read.update(re.findall(r"\b((?:marts|ops)\.[a-z_0-9]+)", text))
        try:
            result = self.con.sql(text, params=params)
            rows = result.fetchall()
            columns = result.columns
        except (duckdb.CatalogException, duckdb.BinderException) as exc:
            if optional:
                return pl.DataFrame()
            key = f"{name}({', '.join(f'{k}={v}' for k, v in names.items())})" if names else name
            self.missing[key] = str(exc).splitlines()[0]
            return pl.DataFrame()
        frame = pl.DataFrame(rows, schema=columns, orient="row", infer_schema_length=None)
        # DECIMAL money arrives as Python Decimals; charts and arithmetic want floats.
        return frame.with_columns(pl.col(pl.Decimal).cast(pl.Float64))
