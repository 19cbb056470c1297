"""The shared test helpers themselves: a fixture table reads as written or fails loudly, and the secret scan finds a
secret wherever text can hold one."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.support.query import query, query_dicts
from tests.support.secret_scan import scan_text_columns
from tests.support.tables import assert_measures, by_first_column, fields, table


def test_table_reads_cells_under_their_names_with_blanks_types_and_comments() -> None:
    rows = table(
        """
        agent  day         talk  name
        # the working: a comment line is skipped
        a1     2026-03-02  240   Kari Nordmann
        a2                 0
        """,
        talk=int,
    )
    assert rows == [
        {"agent": "a1", "day": "2026-03-02", "talk": 240, "name": "Kari Nordmann"},
        {"agent": "a2", "day": None, "talk": 0, "name": None},
    ]
    assert fields("field   value\nleg_id  L1\nnotes\n") == {"leg_id": "L1", "notes": ""}


@pytest.mark.parametrize(
    "text",
    [
        "  agent  talk\na1     240\n",  # text left of the first column
        "agent  talk\na1234567\n",  # a cell running into the next column
        "agent  talk\na1  2  40\n",  # two values in one column: misaligned
    ],
)
def test_table_refuses_a_misaligned_row(text: str) -> None:
    with pytest.raises(ValueError):
        table(text)


def test_table_refuses_types_for_columns_it_does_not_have() -> None:
    with pytest.raises(ValueError):
        table("agent  talk\na1     240\n", tlak=int)


def test_by_first_column_and_assert_measures_fail_on_what_they_guard() -> None:
    assert by_first_column([("a", 1, 2), ("b", 3, 4)]) == {"a": (1, 2), "b": (3, 4)}
    with pytest.raises(AssertionError):
        by_first_column([("a", 1), ("a", 2)])
    rows = {"q1": {"offered": 4}, "q2": {"offered": 2}}
    assert_measures(rows, "measure  q1  q2\noffered  4   2\n")
    with pytest.raises(AssertionError):
        assert_measures(rows, "measure  q1  q2\noffered  4   3\n")


def test_secret_scan_reads_tables_views_lists_and_structs(tmp_path: Path) -> None:
    database = tmp_path / "scan.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("create schema raw; create schema ops")
        con.execute("create table raw.calls (leg_id varchar, tags varchar[], detail struct(note varchar), n integer)")
        con.execute("insert into raw.calls values ('L1', ['ok'], {'note': 'fine'}, 1)")
        con.execute("create table ops.loads (message varchar)")
        con.execute("create view ops.loads_view as select message from ops.loads")
    clean = scan_text_columns(database, ["4111 1111 1111 1111"])
    assert clean.found == [] and ("ops", "loads_view", "message") in clean.columns
    assert ("raw", "calls", "n") not in clean.columns
    with duckdb.connect(str(database)) as con:
        con.execute("update raw.calls set tags = ['card 4111 1111 1111 1111'], detail = {'note': 'Kari Nordmann'}")
        con.execute("insert into ops.loads values ('paid with 4111 1111 1111 1111')")
    found = scan_text_columns(database, ["4111 1111 1111 1111", "Kari Nordmann"])
    assert {(schema, table, column) for schema, table, column, _ in found.found} == {
        ("raw", "calls", "tags"),
        ("raw", "calls", "detail"),
        ("ops", "loads", "message"),
        ("ops", "loads_view", "message"),
    }
    only_raw = scan_text_columns(database, ["4111 1111 1111 1111"], schemas=("raw",))
    assert {column[:2] for column in only_raw.columns} == {("raw", "calls")}
    assert query(database, "select count(*) from ops.loads") == [(1,)]
    assert query_dicts(database, "select leg_id, n from raw.calls") == [{"leg_id": "L1", "n": 1}]
