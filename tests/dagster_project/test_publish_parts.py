"""Publishing partitioned tables as Parquet files (dagster_project/publish.py): closed months as month files, the
days of the newest month as day files; on small hand-made pipeline databases: real DuckDB files and real Parquet
files, nothing mocked.

The pipeline: `marts.fct_legs` (local_date + _built_at, three closed months and two days of April, the newest month;
columns of the types that need care in Parquet), a small plain table, a table with `_built_at` but no `local_date`,
an empty partitioned table, an `ops` table.
"""

from __future__ import annotations

import os
import time
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from dagster_project import publish
from dagster_project.publish import parts_root, publish_warehouse, published_state
from tests.support.query import query

T1 = datetime(2026, 4, 1, 2, 0, 0)
T2 = datetime(2026, 4, 2, 2, 0, 0)
MONTHS = ("2026-01", "2026-02", "2026-03")
DAYS = ("2026-04-01", "2026-04-03")  # the newest month's days with rows: a file each
FILES = {f"{m}.parquet" for m in MONTHS} | {f"{d}.parquet" for d in DAYS}
ROWS = 29
BIG = 2**100 + 7  # a HUGEINT that a DOUBLE would round


def _pipeline(root: Path) -> Path:
    path = root / "warehouse.pipeline.duckdb"
    con = duckdb.connect(str(path))
    try:
        con.execute("set timezone = 'Europe/Oslo'")
        con.execute("create schema marts; create schema ops; create schema staging")
        con.execute("""
            create table marts.fct_legs (leg_id varchar, agent_id varchar, local_date date,
                started_at timestamp with time zone, local_time time, amount decimal(12, 3), is_handled boolean,
                spell_seconds hugeint, _built_at timestamp, _file_seq bigint)""")
        con.execute(f"""
            insert into marts.fct_legs
            select 'L' || i, 'a' || (i % 3), date '2026-01-05' + cast(i * 3 as integer),
                timestamptz '2026-01-05 08:00:00+01' + to_seconds(i * 3 * 86400 + i * 61),
                time '08:00:00' + to_seconds(i * 61), cast(i * 1.125 as decimal(12, 3)), i % 2 = 0,
                case when i = 1 then {BIG}::hugeint else i * 100 end, timestamp '{T1}', i
            from range(26) as r(i)""")  # 2026-01-05 .. 2026-03-19: three months
        con.execute(f"""
            insert into marts.fct_legs
            select 'L' || i, 'a' || (i % 3), date '2026-04-01' + cast((i - 26) // 2 * 2 as integer),
                timestamptz '2026-04-01 08:00:00+02' + to_seconds(i * 61), time '09:00:00',
                cast(i as decimal(12, 3)), false, i, timestamp '{T1}', i
            from range(26, 29) as r(i)""")  # L26, L27 on 1 April, L28 on 3 April: the newest month
        con.execute(
            "create table marts.dim_queue as select * from (values ('billing', 'Billing'), "
            "('support', 'Support')) as v(queue, label)"
        )
        con.execute(f"create table marts.int_watermarks as select 1 as k, timestamp '{T1}' as _built_at")
        con.execute("create table marts.fct_empty (local_date date, x integer, _built_at timestamp)")
        con.execute("create table ops.loaded_files as select 'abc' as sha256, 26 as rows")
        con.execute("create table staging.stg_calls as select 1 as never_published")
    finally:
        con.close()
    return path


def _change(pipeline: Path, sql: str) -> None:
    con = duckdb.connect(str(pipeline))
    try:
        con.execute(sql)
    finally:
        con.close()


def _columns(path: Path, table: str) -> list[tuple[str, str]]:
    return query(
        path,
        "select column_name, data_type from duckdb_columns() where schema_name = 'marts' "
        "and table_name = ? and column_name <> '_built_at' order by column_index",
        [table],
    )


def _assert_same_data(pipeline: Path, warehouse: Path, table: str = "fct_legs") -> None:
    names = ", ".join(f'"{c}"' for c, _ in _columns(pipeline, table))
    expected = sorted(query(pipeline, f"select {names} from marts.{table}"), key=repr)
    assert sorted(query(warehouse, f"select * from marts.{table}"), key=repr) == expected
    assert _columns(warehouse, table) == _columns(pipeline, table)


def _publish_and_check(pipeline: Path, warehouse: Path, written: int, linked: int) -> None:
    """Publish; the month files written and linked are as stated, and the warehouse reads the pipeline's rows."""
    report = publish_warehouse(pipeline, warehouse)
    assert (report.files_written, report.files_linked) == (written, linked)
    _assert_same_data(pipeline, warehouse)


def _files(warehouse: Path, version_id: str, table: str = "fct_legs") -> dict[str, int]:
    """{file: inode} of a version's table folder."""
    folder = parts_root(warehouse) / version_id / table
    return {p.name: os.stat(p).st_ino for p in sorted(folder.iterdir())}


@pytest.fixture()
def env(tmp_path: Path) -> dict[str, Path]:
    return {"pipeline": _pipeline(tmp_path), "warehouse": tmp_path / "warehouse.duckdb"}


def test_first_publish_writes_every_month_and_a_view_of_the_pipeline_rows(env: dict[str, Path]) -> None:
    pipeline, warehouse = env["pipeline"], env["warehouse"]
    report = publish_warehouse(pipeline, warehouse, state_key="k1")
    assert (report.files_written, report.day_files_written, report.files_linked) == (5, 2, 0)
    assert report.lines()[0].endswith("; Parquet files: 5 written (2 of them days), 0 linked")
    assert _files(warehouse, report.version_id).keys() == FILES

    _assert_same_data(pipeline, warehouse)  # every type comes back as it was: TIMESTAMPTZ, TIME, DECIMAL, HUGEINT
    assert query(warehouse, "select spell_seconds from marts.fct_legs where leg_id = 'L1'") == [(BIG,)]
    views = query(warehouse, "select schema_name, view_name, sql from duckdb_views() where not internal")
    assert [(s, v) for s, v, _ in views] == [("marts", "fct_legs")]
    assert str(parts_root(warehouse.absolute()) / report.version_id / "fct_legs" / "2026-02.parquet") in views[0][2]
    tables = {(s, t) for s, t in query(warehouse, "select schema_name, table_name from duckdb_tables()")}
    assert tables == {
        ("marts", "dim_queue"),
        ("marts", "int_watermarks"),
        ("marts", "fct_empty"),
        ("ops", "loaded_files"),
        ("ops", "published_version"),
        ("ops", "published_parts"),
    }
    _assert_same_data(pipeline, warehouse, "dim_queue")

    # the manifests: rows of the view counted; one row per file
    assert report.table_rows["marts.fct_legs"] == ROWS
    assert dict(query(warehouse, "select table_name, row_count from ops.published_version"))["marts.fct_legs"] == ROWS
    assert published_state(warehouse) == (report.version_id, "k1")
    parts = query(
        warehouse,
        "select table_name, month_start, part_grain, part_start, row_count, max_built_at, file_name "
        "from ops.published_parts order by part_start",
    )
    assert [p[:4] + (p[5],) for p in parts] == [
        ("marts.fct_legs", date(2026, m, 1), "month", date(2026, m, 1), T1) for m in (1, 2, 3)
    ] + [("marts.fct_legs", date(2026, 4, 1), "day", date(2026, 4, d), T1) for d in (1, 3)]
    assert [p[4] for p in parts[3:]] == [2, 1]  # L26, L27 on 1 April; L28 on 3 April
    assert sum(p[4] for p in parts) == ROWS
    assert [p[6] for p in parts] == [f"{report.version_id}/fct_legs/{name}.parquet" for name in MONTHS + DAYS]


def test_no_built_at_column_anywhere_in_the_warehouse(env: dict[str, Path]) -> None:
    publish_warehouse(env["pipeline"], env["warehouse"])
    columns = query(
        env["warehouse"],
        "select schema_name, table_name, column_name from duckdb_columns() where column_name = '_built_at'",
    )
    assert columns == []
    assert query(env["warehouse"], "select * from marts.int_watermarks") == [(1,)]


def test_an_empty_partitioned_table_is_published_as_a_table(env: dict[str, Path]) -> None:
    report = publish_warehouse(env["pipeline"], env["warehouse"])
    assert query(env["warehouse"], "select table_name from duckdb_tables() where table_name = 'fct_empty'") == [
        ("fct_empty",)
    ]
    assert _columns(env["warehouse"], "fct_empty") == [("local_date", "DATE"), ("x", "INTEGER")]
    assert report.table_rows["marts.fct_empty"] == 0
    assert not (parts_root(env["warehouse"]) / report.version_id / "fct_empty").exists()


def test_a_changed_row_rewrites_its_month_only_and_links_the_others(env: dict[str, Path]) -> None:
    pipeline, warehouse = env["pipeline"], env["warehouse"]
    first = publish_warehouse(pipeline, warehouse)
    _change(pipeline, f"update marts.fct_legs set amount = 999, _built_at = timestamp '{T2}' where leg_id = 'L10'")
    assert query(pipeline, "select local_date from marts.fct_legs where leg_id = 'L10'") == [(date(2026, 2, 4),)]

    second = publish_warehouse(pipeline, warehouse)
    assert (second.files_written, second.files_linked) == (1, 4)
    assert second.lines()[0].endswith("; Parquet files: 1 written (0 of them days), 4 linked")
    before, after = _files(warehouse, first.version_id), _files(warehouse, second.version_id)
    assert {name for name in after if after[name] != before[name]} == {"2026-02.parquet"}
    _assert_same_data(pipeline, warehouse)
    assert query(warehouse, "select max_built_at from ops.published_parts where month_start = date '2026-02-01'") == [
        (T2,)
    ]

    # nothing changed: every file linked
    _publish_and_check(pipeline, warehouse, written=0, linked=5)


def test_removed_rows_rewrite_their_month_and_a_vanished_month_is_gone(env: dict[str, Path]) -> None:
    pipeline, warehouse = env["pipeline"], env["warehouse"]
    first = publish_warehouse(pipeline, warehouse)
    # rows only removed (no newer stamp): the count tells; January loses every row
    _change(pipeline, "delete from marts.fct_legs where leg_id in ('L20', 'L21') or local_date < date '2026-02-01'")
    second = publish_warehouse(pipeline, warehouse)
    assert (second.files_written, second.files_linked) == (1, 3)
    before, after = _files(warehouse, first.version_id), _files(warehouse, second.version_id)
    assert after.keys() == FILES - {"2026-01.parquet"}
    assert {name for name in after if after[name] != before[name]} == {"2026-03.parquet"}
    _assert_same_data(pipeline, warehouse)
    assert query(warehouse, "select distinct month_start from ops.published_parts order by 1") == [
        (date(2026, 2, 1),),
        (date(2026, 3, 1),),
        (date(2026, 4, 1),),
    ]


def test_rows_without_a_local_date_get_a_file_of_their_own(env: dict[str, Path]) -> None:
    pipeline, warehouse = env["pipeline"], env["warehouse"]
    _change(pipeline, "update marts.fct_legs set local_date = null where leg_id in ('L0', 'L25')")
    first = publish_warehouse(pipeline, warehouse)
    assert _files(warehouse, first.version_id).keys() == FILES | {"null.parquet"}
    _assert_same_data(pipeline, warehouse)
    _publish_and_check(pipeline, warehouse, written=0, linked=6)  # the undated rows are compared like the others


def test_changed_columns_or_a_missing_file_rewrite_the_months(env: dict[str, Path]) -> None:
    pipeline, warehouse = env["pipeline"], env["warehouse"]
    first = publish_warehouse(pipeline, warehouse)
    (parts_root(warehouse) / first.version_id / "fct_legs" / "2026-03.parquet").unlink()
    (parts_root(warehouse) / first.version_id / "fct_legs" / "2026-04-03.parquet").unlink()
    second = publish_warehouse(pipeline, warehouse)
    assert (second.files_written, second.day_files_written, second.files_linked) == (2, 1, 3)

    _change(pipeline, "alter table marts.fct_legs add column queue varchar default 'billing'")
    _publish_and_check(pipeline, warehouse, written=5, linked=0)


@pytest.mark.parametrize("previous", ["old-style", "garbage"])
def test_a_warehouse_without_month_files_or_unreadable_is_republished_whole(
    env: dict[str, Path], previous: str
) -> None:
    pipeline, warehouse = env["pipeline"], env["warehouse"]
    if previous == "garbage":
        warehouse.write_bytes(b"not a duckdb file" * 1000)
    else:  # a version published before month files: tables only, no ops.published_parts
        con = duckdb.connect(str(warehouse))
        con.execute(
            "create schema ops; create table ops.published_version (version_id varchar, published_at "
            "timestamp, table_name varchar, row_count bigint, state_key varchar)"
        )
        con.execute("insert into ops.published_version values ('20260101T000000Z-00000000', now(), 'x', 1, 'k')")
        con.close()
    _publish_and_check(pipeline, warehouse, written=5, linked=0)


def test_a_reader_of_the_old_version_keeps_reading_it(env: dict[str, Path]) -> None:
    pipeline, warehouse = env["pipeline"], env["warehouse"]
    first = publish_warehouse(pipeline, warehouse)
    reader = duckdb.connect(str(warehouse), read_only=True)
    try:
        old = sorted(reader.execute("select * from marts.fct_legs").fetchall(), key=repr)
        _change(pipeline, f"update marts.fct_legs set amount = amount + 1, _built_at = timestamp '{T2}'")
        second = publish_warehouse(pipeline, warehouse)
        assert second.files_written == 5
        # the old file, its old views, the old folder: the same rows as before the publish
        assert sorted(reader.execute("select * from marts.fct_legs").fetchall(), key=repr) == old
        assert reader.execute("select distinct version_id from ops.published_version").fetchall() == [
            (first.version_id,)
        ]
    finally:
        reader.close()
    assert (parts_root(warehouse) / first.version_id).is_dir()  # superseded just now: kept
    _assert_same_data(pipeline, warehouse)  # a new connection sees the new version
    assert sorted(query(warehouse, "select * from marts.fct_legs"), key=repr) != old


def test_old_version_folders_go_after_the_retention_the_current_one_never(
    env: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    pipeline, warehouse = env["pipeline"], env["warehouse"]
    root = parts_root(warehouse)
    first = publish_warehouse(pipeline, warehouse)
    # a publish that died long ago (never referenced), and a folder that is not a version's: not Tilsyn's to delete
    died, foreign = root / "20200101T000000Z-0badf00d", root / "notes"
    for folder in (died, foreign):
        (folder / "fct_legs").mkdir(parents=True)
        os.utime(folder, (time.time() - 3 * 86400,) * 2)
    second = publish_warehouse(pipeline, warehouse)
    assert not died.exists() and foreign.is_dir()
    assert (root / first.version_id).is_dir()  # superseded now: kept for the retention
    assert publish.VERSION_RETENTION_SECONDS == 24 * 3600

    monkeypatch.setattr(publish, "VERSION_RETENTION_SECONDS", 0)
    time.sleep(0.01)
    third = publish_warehouse(pipeline, warehouse)
    assert sorted(p.name for p in root.iterdir()) == sorted([third.version_id, "notes"])
    assert not (root / second.version_id).exists()
    _assert_same_data(pipeline, warehouse)  # the links survive the folders they were linked from
    assert third.files_linked == 5


def test_a_moved_warehouse_is_not_taken_as_published_and_republishes_by_linking(
    env: dict[str, Path], tmp_path: Path
) -> None:
    pipeline, warehouse = env["pipeline"], env["warehouse"]
    first = publish_warehouse(pipeline, warehouse, state_key="k1")
    assert published_state(warehouse) == (first.version_id, "k1")
    moved = tmp_path / "moved" / "warehouse.duckdb"
    moved.parent.mkdir()
    warehouse.rename(moved)
    parts_root(warehouse).rename(parts_root(moved))
    # the views hold absolute paths: the moved warehouse cannot read its facts, so a run must publish again
    with pytest.raises(duckdb.IOException):
        query(moved, "select count(*) from marts.fct_legs")
    assert published_state(moved) is None
    again = publish_warehouse(pipeline, moved, state_key="k1")
    assert (again.files_written, again.files_linked) == (0, 5)  # the files moved along: linked
    assert published_state(moved) == (again.version_id, "k1")
    _assert_same_data(pipeline, moved)


def test_kept_tables_stay_at_their_published_version(tmp_path: Path) -> None:
    """The marts of a stale domain (`kept_tables`) are published as they were: a partitioned table's files are
    linked into the new version and its view reads them there; a copied table is copied; the others move on."""
    pipeline, warehouse = _pipeline(tmp_path), tmp_path / "warehouse.duckdb"
    publish_warehouse(pipeline, warehouse)
    before_legs = query(warehouse, "select * from marts.fct_legs order by leg_id")
    before_queues = query(warehouse, "select * from marts.dim_queue order by queue")
    # the next build changes all three; only fct_empty's domain is fresh
    _change(
        pipeline,
        f"update marts.fct_legs set amount = amount + 1, _built_at = timestamp '{T2}'; "
        "insert into marts.dim_queue values ('sales', 'Sales'); "
        f"insert into marts.fct_empty values (date '2026-02-01', 1, timestamp '{T2}')",
    )
    report = publish_warehouse(
        pipeline, warehouse, kept_tables=frozenset({"marts.fct_legs", "marts.dim_queue", "marts.never_built"})
    )
    assert query(warehouse, "select * from marts.fct_legs order by leg_id") == before_legs
    assert query(warehouse, "select * from marts.dim_queue order by queue") == before_queues
    assert query(warehouse, "select x from marts.fct_empty") == [(1,)]  # not kept: the new build's
    # the view reads the new version's folder (a version folder is whole on its own), whose files are links
    (view_sql,) = query(warehouse, "select sql from duckdb_views() where view_name = 'fct_legs'")[0]
    assert f"/{report.version_id}/fct_legs/" in view_sql
    assert report.files_written == 1  # fct_empty's only day
    parts = query(warehouse, "select file_name from ops.published_parts where table_name = 'marts.fct_legs'")
    assert len(parts) == len(FILES) and all(f.startswith(report.version_id) for (f,) in parts)


def test_a_kept_table_never_published_is_empty_with_its_columns(tmp_path: Path) -> None:
    pipeline, warehouse = _pipeline(tmp_path), tmp_path / "warehouse.duckdb"
    publish_warehouse(pipeline, warehouse, kept_tables=frozenset({"marts.dim_queue"}))
    assert query(warehouse, "select count(*) from marts.dim_queue") == [(0,)]
    assert [c for c, _ in _columns(warehouse, "dim_queue")] == ["queue", "label"]


def test_a_slice_runs_unchanged_tables_keep_their_version_and_say_which(tmp_path: Path) -> None:
    """A slice run publishes what it built and keeps the rest (`unchanged_tables`, no line each);
    `ops.published_version.kept_from_version` names the version that last published a kept table from the pipeline,
    through a chain of slice runs, and is null for what this version built."""
    pipeline, warehouse = _pipeline(tmp_path), tmp_path / "warehouse.duckdb"
    first = publish_warehouse(pipeline, warehouse)
    before_queues = query(warehouse, "select * from marts.dim_queue order by queue")
    lines: list[str] = []
    for step in (1, 2):  # two slice runs: both rebuild fct_legs, neither dim_queue
        _change(
            pipeline,
            f"update marts.fct_legs set amount = amount + 1, _built_at = timestamp '{T2}' + interval {step} hour; "
            f"insert into marts.dim_queue values ('q{step}', 'Q{step}')",
        )
        report = publish_warehouse(
            pipeline, warehouse, progress=lines.append, unchanged_tables=frozenset({"marts.dim_queue"})
        )
    assert query(warehouse, "select * from marts.dim_queue order by queue") == before_queues
    # fct_legs is this build's: every amount moved up by 2 from the pipeline's first values
    assert query(warehouse, "select sum(amount) from marts.fct_legs") == query(
        pipeline, "select sum(amount) from marts.fct_legs"
    )
    kept_from = dict(query(warehouse, "select table_name, kept_from_version from ops.published_version"))
    assert kept_from["marts.dim_queue"] == first.version_id  # not the second version, which kept it too
    assert kept_from["marts.fct_legs"] is None and kept_from["ops.loaded_files"] is None
    assert not [line for line in lines if "dim_queue" in line]  # no line per unchanged table
    assert report.version_id != first.version_id


def _sums(path: Path) -> tuple:
    """What an analyst totals: rows, distinct legs, the amount and spell seconds per month (through the view)."""
    return tuple(
        query(
            path,
            "select date_trunc('month', local_date) as month, count(*), count(distinct leg_id), sum(amount), "
            "sum(spell_seconds) from marts.fct_legs group by 1 order by 1 nulls last",
        )
    )


def test_a_change_in_the_newest_month_writes_that_days_file_only(env: dict[str, Path]) -> None:
    """As a slice run does: rows of the open day rewritten, a row added to it; only its file is written."""
    pipeline, warehouse = env["pipeline"], env["warehouse"]
    first = publish_warehouse(pipeline, warehouse)
    _change(
        pipeline,
        f"update marts.fct_legs set amount = 7, _built_at = timestamp '{T2}' where local_date = date '2026-04-03'; "
        "insert into marts.fct_legs select 'L29', 'a1', date '2026-04-03', null, null, 1, true, 1, "
        f"timestamp '{T2}', 29",
    )
    second = publish_warehouse(pipeline, warehouse)
    assert (second.files_written, second.day_files_written, second.files_linked) == (1, 1, 4)
    before, after = _files(warehouse, first.version_id), _files(warehouse, second.version_id)
    assert after.keys() == FILES
    assert {name for name in after if after[name] != before[name]} == {"2026-04-03.parquet"}
    _assert_same_data(pipeline, warehouse)
    assert _sums(warehouse) == _sums(pipeline)
    assert query(
        warehouse, "select row_count, max_built_at from ops.published_parts where part_start = ?", [date(2026, 4, 3)]
    ) == [(2, T2)]


def test_a_new_day_of_the_newest_month_adds_its_file_and_links_the_rest(env: dict[str, Path]) -> None:
    """As the nightly run does mid-month: one more day, one more file; nothing else written."""
    pipeline, warehouse = env["pipeline"], env["warehouse"]
    first = publish_warehouse(pipeline, warehouse)
    _change(
        pipeline,
        "insert into marts.fct_legs select 'L29', 'a1', date '2026-04-04', null, null, 1, true, 1, "
        f"timestamp '{T2}', 29",
    )
    second = publish_warehouse(pipeline, warehouse)
    assert (second.files_written, second.day_files_written, second.files_linked) == (1, 1, 5)
    after = _files(warehouse, second.version_id)
    assert after.keys() == FILES | {"2026-04-04.parquet"}
    assert {n for n, inode in after.items() if inode != _files(warehouse, first.version_id).get(n)} == {
        "2026-04-04.parquet"
    }
    _assert_same_data(pipeline, warehouse)
    assert _sums(warehouse) == _sums(pipeline)


def test_a_month_is_written_as_one_file_once_a_later_month_starts(env: dict[str, Path]) -> None:
    """The first row of May closes April: the next publish writes April's month file (its day files stay in the
    earlier versions only) and May's day; the publish after that links April's month file."""
    pipeline, warehouse = env["pipeline"], env["warehouse"]
    publish_warehouse(pipeline, warehouse)
    _change(
        pipeline,
        "insert into marts.fct_legs select 'L29', 'a1', date '2026-05-01', null, null, 1, true, 1, "
        f"timestamp '{T2}', 29",
    )
    closing = publish_warehouse(pipeline, warehouse)
    assert (closing.files_written, closing.day_files_written, closing.files_linked) == (2, 1, 3)
    assert _files(warehouse, closing.version_id).keys() == {f"{m}.parquet" for m in (*MONTHS, "2026-04")} | {
        "2026-05-01.parquet"
    }
    assert query(warehouse, "select part_grain, part_start, row_count from ops.published_parts order by part_start")[
        -2:
    ] == [("month", date(2026, 4, 1), 3), ("day", date(2026, 5, 1), 1)]
    _assert_same_data(pipeline, warehouse)
    assert _sums(warehouse) == _sums(pipeline)

    _change(
        pipeline,
        "insert into marts.fct_legs select 'L30', 'a2', date '2026-05-02', null, null, 2, true, 2, "
        f"timestamp '{T2}' + interval 1 day, 30",
    )
    following = publish_warehouse(pipeline, warehouse)
    assert (following.files_written, following.day_files_written, following.files_linked) == (1, 1, 5)
    assert (
        _files(warehouse, following.version_id)["2026-04.parquet"]
        == _files(warehouse, closing.version_id)["2026-04.parquet"]
    )
    _assert_same_data(pipeline, warehouse)
    assert _sums(warehouse) == _sums(pipeline)


def test_a_version_published_before_day_files_keeps_its_month_files_linked(env: dict[str, Path]) -> None:
    """`ops.published_parts` without `part_grain`/`part_start` (month files only): its months are compared as before
    and linked; the newest month's days, which it did not have, are written."""
    pipeline, warehouse = env["pipeline"], env["warehouse"]
    publish_warehouse(pipeline, warehouse)
    con = duckdb.connect(str(warehouse))
    try:  # as code before day files left it: the newest month was a month file too
        con.execute("delete from ops.published_parts where part_grain = 'day'")
        con.execute("alter table ops.published_parts drop column part_grain")
        con.execute("alter table ops.published_parts drop column part_start")
    finally:
        con.close()
    report = publish_warehouse(pipeline, warehouse)
    assert (report.files_written, report.day_files_written, report.files_linked) == (2, 2, 3)
    _assert_same_data(pipeline, warehouse)


def test_the_forecast_snapshots_are_split_by_origin_a_new_origin_writes_one_file(tmp_path: Path) -> None:
    """`ops.interval_forecasts` rows are written once per origin (dagster_project/forecasting/snapshots.py): split by
    `origin_date`, a night's new origin is one new day file; its target days (`local_date`, weeks ahead, other
    months) do not make earlier origins' files be written again."""
    pipeline, warehouse = _pipeline(tmp_path), tmp_path / "warehouse.duckdb"
    snapshot = (
        "insert into ops.interval_forecasts select date '{origin}', 'billing', "
        "timestamp '{origin}' + to_days(cast(d as integer)), date '{origin}' + cast(d as integer), d, 'ma4w', "
        "d * 1.5, timestamp '{stamp}' "
        "from range(1, 43) as r(d)"
    )
    _change(
        pipeline,
        "create table ops.interval_forecasts (origin_date date, queue varchar, interval_start timestamp, "
        "local_date date, horizon_days integer, method varchar, offered_forecast double, _built_at timestamp); "
        + snapshot.format(origin="2026-03-30", stamp=T1)
        + "; "
        + snapshot.format(origin="2026-04-01", stamp=T1),
    )
    first = publish_warehouse(pipeline, warehouse)
    assert _files(warehouse, first.version_id, "ops.interval_forecasts").keys() == {
        "2026-03.parquet",
        "2026-04-01.parquet",
    }
    _change(pipeline, snapshot.format(origin="2026-04-02", stamp=T2))
    second = publish_warehouse(pipeline, warehouse)
    assert (second.files_written, second.day_files_written) == (1, 1)
    assert query(
        warehouse,
        "select part_grain, part_start, row_count from ops.published_parts "
        "where table_name = 'ops.interval_forecasts' order by part_start",
    ) == [("month", date(2026, 3, 1), 42), ("day", date(2026, 4, 1), 42), ("day", date(2026, 4, 2), 42)]
    assert query(
        warehouse,
        "select origin_date, count(*), sum(offered_forecast) from ops.interval_forecasts group by 1 order by 1",
    ) == query(
        pipeline,
        "select origin_date, count(*), sum(offered_forecast) from ops.interval_forecasts group by 1 order by 1",
    )
