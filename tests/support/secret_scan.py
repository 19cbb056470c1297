"""The data-safety scan the tests share: no secret (card or bank number, caller number, name, pay, termination
reason) in any text value of a database's tables and views."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

# Types that can hold text: strings, and lists, structs, maps and JSON (read as their text form).
TEXT_TYPES = (
    "data_type = 'VARCHAR' or data_type like '%[]' or data_type like 'STRUCT%' or data_type like 'MAP%' "
    "or data_type = 'JSON'"
)


@dataclass(frozen=True)
class SecretScan:
    columns: list[tuple[str, str, str]]  # (schema, table, column) of every text column read
    found: list[tuple[str, str, str, list[str]]]  # (schema, table, column, the secrets in its values)


def scan_text_columns(database: Path, secrets: Iterable[str], schemas: Sequence[str] = ()) -> SecretScan:
    """Every distinct value of every text column of every table and view in `schemas` (all schemas when empty),
    searched for each secret as a substring. The database is opened read-only. The big facts of a published warehouse
    are views over monthly Parquet files: information_schema lists their columns as it does a table's."""
    secrets = list(secrets)
    con = duckdb.connect(str(database), read_only=True)
    try:
        in_schemas = f" and table_schema in ({', '.join('?' for _ in schemas)})" if schemas else ""
        columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            f"where ({TEXT_TYPES}){in_schemas} order by 1, 2, 3",
            list(schemas),
        ).fetchall()
        found = []
        for schema, table, column in columns:
            values = con.execute(f'select distinct cast("{column}" as varchar) from "{schema}"."{table}"').fetchall()
            secrets_found = [s for s in secrets if any(s in v for (v,) in values if v)]
            if secrets_found:
                found.append((schema, table, column, secrets_found))
        return SecretScan(columns=columns, found=found)
    finally:
        con.close()
