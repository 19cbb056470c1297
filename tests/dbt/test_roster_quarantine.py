"""A quarantined roster line must not change headcount or attrition (issue 17): the employee whose line was set aside
is not a leaver of that snapshot.

Three monthly snapshots, one file each (worked by hand):
- 1 March (file 1): E1, E2, E3;
- 15 March (file 2): E1, E2; E3 is absent from this complete snapshot, so E3 left by 15 March (inferred);
- 31 March (file 3): E1 only, and E2's line of that file was quarantined (ops.quarantined_rows): the snapshot is
  incomplete, so E2's absence infers nothing: E2 stays employed, with the 15 March snapshot's facts.
Headcount on 31 March: E1 and E2 = 2 (E3 gone). Before the rule, E2 was a leaver on 31 March and the headcount 1.
Then a corrected file for 31 March with E2's line supersedes the quarantine: the snapshot is complete again.
"""

from __future__ import annotations

from datetime import date

import duckdb

from tests.dbt.conftest import ROSTER_COLUMNS, create_raw_tables, insert_rows, run_dbt_build

SELECTION = ["+int_people_team_daily"]


def _row(as_of: date, employee: str) -> tuple:
    return (as_of, employee, f"A{employee[1:]}", "agent", "Blue", "Oslo", "full_time", 1, date(2025, 6, 1))


def test_a_quarantined_roster_line_is_not_a_leaver(tmp_path) -> None:
    db = tmp_path / "roster.pipeline.duckdb"
    march_1, march_15, march_31 = date(2026, 3, 1), date(2026, 3, 15), date(2026, 3, 31)
    with duckdb.connect(str(db)) as con:
        create_raw_tables(con)
        insert_rows(con, "roster", ROSTER_COLUMNS, [_row(march_1, e) for e in ("E1", "E2", "E3")], file_seq=1)
        insert_rows(con, "roster", ROSTER_COLUMNS, [_row(march_15, e) for e in ("E1", "E2")], file_seq=2)
        insert_rows(con, "roster", ROSTER_COLUMNS, [_row(march_31, "E1")], file_seq=3)
        con.execute("create schema ops")
        con.execute(
            "create table ops.quarantined_rows (source varchar, file varchar, file_seq bigint, line bigint, "
            "unit_key varchar, superseded_by_file_seq bigint)"
        )
        con.execute(
            "insert into ops.quarantined_rows values ('roster', 'roster/fixture3.csv', 3, 3, '2026-03-31 | E2', null)"
        )
    run_dbt_build(db, select=SELECTION)
    with duckdb.connect(str(db), read_only=True) as con:
        spells = con.execute(
            "select employee_id, termination_date, is_termination_inferred, last_seen_as_of "
            "from intermediate.int_people_employment_spells order by 1"
        ).fetchall()
        headcount = con.execute(
            "select sum(headcount) from intermediate.int_people_team_daily where local_date = '2026-03-31'"
        ).fetchone()
    assert spells == [
        ("E1", None, False, march_31),
        ("E2", None, False, march_15),  # not a leaver: its 31 March line was quarantined
        ("E3", march_15, True, march_1),  # absent from a complete snapshot: left
    ]
    assert headcount == (2,)

    # Without the quarantine (a later file sent E2's line again: superseded), 31 March is complete: E2 is absent from
    # it and left by then.
    with duckdb.connect(str(db)) as con:
        con.execute("update ops.quarantined_rows set superseded_by_file_seq = 4")
    run_dbt_build(db, select=SELECTION)
    with duckdb.connect(str(db), read_only=True) as con:
        (e2,) = con.execute(
            "select termination_date, is_termination_inferred from intermediate.int_people_employment_spells "
            "where employee_id = 'E2'"
        ).fetchall()
    assert e2 == (march_31, True)
