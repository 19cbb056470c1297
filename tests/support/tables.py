"""Tables in tests: hand-worked fixture rows written as a fixed-width text table, and query rows keyed by their first
column."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterable
from typing import Any


def table(text: str, blank: Any = None, **types: Callable[[str], Any]) -> list[dict[str, Any]]:
    """The rows of a fixed-width text table, as dicts. The first line names the columns; each cell starts under its
    column's name (left-aligned) and ends before the next column. A blank cell is `blank`; `types` converts a
    column's other cells (`talk_seconds=int`). Lines starting with `#` are comments: the working beside the rows.
    A cell that runs into the next column, or holds two spaces in a row (a misaligned cell), is an error."""
    lines = [line for line in textwrap.dedent(text).splitlines() if line.strip() and not line.lstrip().startswith("#")]
    names = lines[0].split()
    starts = [match.start() for match in re.finditer(r"\S+", lines[0])]
    unknown = set(types) - set(names)
    if unknown:
        raise ValueError(f"types for columns the table does not have: {sorted(unknown)}")
    rows = []
    for line in lines[1:]:
        if line[: starts[0]].strip() or any(start < len(line) and line[start - 1] != " " for start in starts[1:]):
            raise ValueError(f"a cell does not start under its column's name: {line!r}")
        cells = [line[start:end].strip() for start, end in zip(starts, [*starts[1:], None], strict=True)]
        misaligned = [cell for cell in cells if "  " in cell]
        if misaligned:
            raise ValueError(f"cells {misaligned} span two columns: {line!r}")
        rows.append(
            {
                name: (types[name](cell) if name in types else cell) if cell else blank
                for name, cell in zip(names, cells, strict=True)
            }
        )
    return rows


def by_first_column(rows: Iterable[tuple]) -> dict[Any, tuple]:
    """{first value: the other values} of query rows (`select key, a, b ...`); a key twice is an error."""
    rows = list(rows)
    keyed = {row[0]: row[1:] for row in rows}
    assert len(keyed) == len(rows), f"a key stands in more than one row: {rows}"
    return keyed


def assert_measures(rows: dict[Any, dict[str, Any]], text: str) -> None:
    """Hand-worked whole-number measures written as a table, a measure a line (the first column names it) and an
    entity a column (a queue, an agent), checked against `rows` ({entity: {column: value}}, a mart's rows)."""
    expected = table(text)
    assert expected and len(expected[0]) > 1, "the table has no measures or no entity columns"
    measure, *entities = list(expected[0])
    for row in expected:
        for entity in entities:
            assert rows[entity][row[measure]] == int(row[entity]), (entity, row[measure])


def fields(text: str) -> dict[str, str]:
    """One record written as a two-column table, a field a line (`field value`, values as text; a blank value is "")."""
    return {row["field"]: row["value"] for row in table(text, blank="")}
