"""Intraday slices through real `tilsyn run`s (issue 21): partial-day rules mid-day, and the close-of-day equality.

A generated center (6 agents, 5-7 January 2026, seed 5) is written twice: with 7 January cut into 15-minute slices
(`--slice-minutes 15 --slice-from 2026-01-07`) and as whole-day files. The sliced landing goes through three runs on
one warehouse:

1. the history (5 and 6 January, schedules, roster, ledger, QA) and the slices of 7 January up to 10:00 local
   (09:00 UTC): the day is open, provisional, complete up to 10:00 (one run: the suite's time budget);
2. the slices from 10:15 to 23:45: only slices of a day already open, so a *slice run* (dagster_project/
   slice_run.py): it builds the dbt selector `slice_run`, publishes those tables and keeps the others' version,
   rewrites the today pages only;
3. the day's last slices (`_2400`) plus a re-sent 09:15 slice (ISO-named, same cutoff) in which one event's state was
   corrected: the day closes, a full incremental run, and every model the slice run left out catches up.

A second warehouse gets the whole-day files and the same re-sent slice (arriving after them) in one run. After the
close, every mart must equal the whole-day warehouse's row for row (apart from `_file_seq`, which numbers files in
load order, and the forecast-accuracy marts, which keep each run's forecast origin by design). That equality is what
proves a slice ADDS to its day's earlier slices (loaded by an earlier run) rather than replacing them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from tests.support.marts import marts_rows
from tests.support.query import query

pytestmark = pytest.mark.e2e

TILSYN = str(Path(sys.executable).parent / "tilsyn")
ENV = {**os.environ, "TILSYN_PSEUDONYM_KEY": "e2e-intraday-key"}
GENERATE = ["--agents", "6", "--days", "3", "--start", "2026-01-05", "--seed", "5"]
DAY = "2026-01-07"
MIDDAY_CUTOFF_UTC = datetime(2026, 1, 7, 9, 0)  # 10:00 in Oslo (CET, UTC+1)
RESENT = "agent_states_2026-01-07T091500+0100.csv"  # the 09:15 slice again, named by its cutoff as an instant
# forecasts are kept per origin: the sliced runs forecast from other origins than the one whole run (by design)
RUN_HISTORY_MARTS = ("fct_interval_forecast_accuracy", "kpi_forecast_accuracy_daily", "kpi_forecast_accuracy_weekly")


def _start_run(root: Path, landing: Path) -> tuple[subprocess.Popen, Path, float]:
    command = [TILSYN, "run", "--landing", str(landing), "--warehouse", str(root / "warehouse.duckdb")]
    command += ["--dashboards", str(root / "dashboards")]
    root.mkdir(parents=True, exist_ok=True)
    log = root / f"run-{time.time_ns()}.log"  # a file, not a pipe: a run in the background never blocks on output
    with log.open("w") as out:
        process = subprocess.Popen(command, env=ENV, stdout=out, stderr=subprocess.STDOUT, text=True)
    return process, log, time.perf_counter()


def _finish_run(started: tuple[subprocess.Popen, Path, float]) -> float:
    process, log, t0 = started
    process.wait(timeout=900)
    seconds = time.perf_counter() - t0
    # exit 1: published, with a source overdue (January's data is months old by `freshness_days`)
    assert process.returncode in (0, 1), f"tilsyn run exited {process.returncode}:\n{log.read_text()[-4000:]}"
    return seconds


def _run(root: Path, landing: Path) -> tuple[float, str]:
    """(seconds, the run's output)."""
    started = _start_run(root, landing)
    return _finish_run(started), started[1].read_text()


def _page_times(folder: Path) -> dict[str, int]:
    return {page.name: page.stat().st_mtime_ns for page in folder.glob("*.html")}


def _copy(files: list[Path], source_root: Path, landing: Path) -> None:
    for path in files:
        target = landing / path.relative_to(source_root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)


def _resent_slice(sliced: Path, out: Path) -> dict:
    """The 09:15 slice with one `ready` event corrected to `aux` (a re-export of the same quarter hour)."""
    states = pl.read_csv(sliced / "agent_states" / f"agent_states_{DAY}_0915.csv", infer_schema=False)
    index = states.with_row_index().filter(pl.col("state") == "ready")["index"][0]
    corrected = states.with_columns(
        pl.when(pl.int_range(pl.len()) == index).then(pl.lit("aux")).otherwise(pl.col("state")).alias("state")
    )
    corrected.write_csv(out)
    row = states.row(index, named=True)
    return {"agent_id": row["agent_id"], "event_at": datetime.fromisoformat(row["event_at"])}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("intraday")
    generated, whole_generated = root / "generated", root / "whole_generated"
    for out, extra in ((generated, ["--slice-minutes", "15", "--slice-from", DAY]), (whole_generated, [])):
        subprocess.run(
            [TILSYN, "generate", "--out", str(out), *GENERATE, *extra], check=True, capture_output=True, env=ENV
        )
    resent_path = root / RESENT
    resent = _resent_slice(generated, resent_path)
    latest = max(p.stat().st_mtime for p in whole_generated.rglob("*") if p.is_file())
    os.utime(resent_path, (latest + 3600, latest + 3600))  # lands after every file of the day, in both warehouses

    files = [p for p in generated.rglob("*") if p.is_file() and p.name != "faults.json"]
    slices = [p for p in files if f"_{DAY}_" in p.name]
    history = [p for p in files if p not in slices]
    morning = [p for p in slices if p.stem.rsplit("_", 1)[1] <= "1000"]
    # the whole-day warehouse builds beside the sliced runs (two processes, two databases: the suite's time budget)
    whole = {"root": root / "whole", "landing": whole_generated}
    shutil.copy2(resent_path, whole_generated / "agent_states" / RESENT)
    whole_run = _start_run(whole["root"], whole["landing"])
    sliced = {"root": root / "sliced", "landing": root / "sliced" / "landing"}
    seconds = {}
    # the history and the morning in one run (a full build); the rest of the day then builds incrementally on it
    _copy(history + morning, generated, sliced["landing"])
    seconds["history_and_morning"], _ = _run(sliced["root"], sliced["landing"])
    midday = sliced["root"] / "midday.duckdb"
    shutil.copy2(sliced["root"] / "warehouse.duckdb", midday)  # its views read parts kept 24 h after a publish
    pages_before = _page_times(sliced["root"] / "dashboards")
    _copy([p for p in slices if p not in morning and not p.stem.endswith("_2400")], generated, sliced["landing"])
    seconds["afternoon_slice_run"], afternoon_log = _run(sliced["root"], sliced["landing"])
    pages_after = _page_times(sliced["root"] / "dashboards")
    afternoon = sliced["root"] / "afternoon.duckdb"
    shutil.copy2(sliced["root"] / "warehouse.duckdb", afternoon)
    _copy([p for p in slices if p.stem.endswith("_2400")], generated, sliced["landing"])
    shutil.copy2(resent_path, sliced["landing"] / "agent_states" / RESENT)
    seconds["close"], _ = _run(sliced["root"], sliced["landing"])
    seconds["whole"] = _finish_run(whole_run)
    print(f"intraday e2e run seconds: {seconds}")
    return {
        "midday": midday,
        "afternoon": afternoon,
        "afternoon_log": afternoon_log,
        "pages_before": pages_before,
        "pages_after": pages_after,
        "closed": sliced["root"] / "warehouse.duckdb",
        "whole": whole["root"] / "warehouse.duckdb",
        "resent": resent,
        "generated": generated,
    }


def test_midday_the_day_is_open_up_to_the_slices_cutoff(runs: dict) -> None:
    completeness = query(
        runs["midday"],
        "select source, local_date::varchar, timezone('UTC', cutoff_at), cutoff_from, is_closed "
        "from ops.source_day_completeness order by all",
    )
    assert completeness == [
        (source, day, cutoff, how, closed)
        for source in ("agent_states", "calls")
        for day, cutoff, how, closed in (
            ("2026-01-05", datetime(2026, 1, 5, 23), "whole_file", True),
            ("2026-01-06", datetime(2026, 1, 6, 23), "whole_file", True),
            (DAY, MIDDAY_CUTOFF_UTC, "file_name", False),
        )
    ]
    provisional = query(
        runs["midday"],
        "select 'service', local_date::varchar, bool_and(is_provisional), bool_or(is_provisional) "
        "from marts.kpi_service_daily group by all union all "
        "select 'agent', local_date::varchar, bool_and(is_provisional), bool_or(is_provisional) "
        "from marts.kpi_agent_daily group by all order by all",
    )
    assert provisional == [
        (mart, day, day == DAY, day == DAY)
        for mart in ("agent", "service")
        for day in ("2026-01-05", "2026-01-06", DAY)
    ]


def test_midday_intervals_after_the_cutoff_are_not_yet_reported(runs: dict) -> None:
    rows = query(
        runs["midday"],
        "select interval_start_at >= ? as after_cutoff, count(*), count(offered), count(staffed_agents), "
        "count(scheduled_agents), count(staffing_gap), bool_and(is_provisional), sum(offered) "
        "from marts.kpi_staffing_interval where local_date = ? group by all order by all",
        [MIDDAY_CUTOFF_UTC, DAY],
    )
    (before, before_rows, before_offered, *_, before_provisional, offered_so_far), after = rows
    (queues,) = query(runs["midday"], "select count(distinct queue) from marts.kpi_staffing_interval")[0]
    # before 10:00 every row is reported; after it a row per queue and interval (10:00-24:00: 56 quarter hours), every
    # measure NULL (not yet), never 0
    assert before is False and before_rows == before_offered and before_provisional and offered_so_far > 0
    assert after == (True, queues * 56, 0, 0, 0, 0, True, None)
    # offered so far = the legs loaded so far: calls that ENDED before the cutoff (a call queued before it and still
    # going, or still queued, is in a later slice: not offered, not abandoned yet)
    legs = pl.concat(
        [
            pl.read_csv(p, infer_schema=False)
            for p in (runs["generated"] / "calls").glob(f"calls_{DAY}_*.csv")
            if p.stem.rsplit("_", 1)[1] <= "1000"
        ]
    )
    ended_later = pl.concat(
        [
            pl.read_csv(p, infer_schema=False)
            for p in (runs["generated"] / "calls").glob(f"calls_{DAY}_*.csv")
            if p.stem.rsplit("_", 1)[1] > "1000"
        ]
    ).filter(pl.col("queued_at") < "2026-01-07T10:00:00+01:00")
    assert ended_later.height > 0  # calls in progress at the cutoff exist in this data
    (loaded,) = query(runs["midday"], "select count(*) from marts.fct_contact_legs where local_date = ?", [DAY])[0]
    assert loaded == legs.height
    (in_progress_counted,) = query(
        runs["midday"],
        "select count(*) from marts.fct_contact_legs where leg_id in (select unnest(?::varchar[]))",
        [ended_later["leg_id"].to_list()],
    )[0]
    assert in_progress_counted == 0


def test_midday_an_open_state_lasts_until_the_cutoff(runs: dict) -> None:
    spans = query(
        runs["midday"],
        "select max(ended_at), bool_and(is_provisional), count(*) filter (where ended_at = ?) "
        "from marts.fct_agent_state_spans where local_date = ?",
        [MIDDAY_CUTOFF_UTC, DAY],
    )[0]
    # nothing reaches past the cutoff; the agents in a state at 10:00 have a piece ending exactly there
    assert spans[0] == MIDDAY_CUTOFF_UTC and spans[1] is True and spans[2] >= 1
    # schedules count up to the cutoff only: no adherence piece after it, and no agent-day at 0 % for the afternoon
    (adherence_until,) = query(
        runs["midday"], "select max(ended_at) from marts.fct_adherence_spans where local_date = ?", [DAY]
    )[0]
    assert adherence_until <= MIDDAY_CUTOFF_UTC
    # the closed day keeps its rule: an open-ended last event is not extended
    assert query(
        runs["midday"],
        "select count(*) from marts.fct_agent_state_spans where is_provisional and local_date < ?",
        [DAY],
    ) == [(0,)]


def test_the_closed_day_equals_the_same_day_loaded_whole(runs: dict) -> None:
    assert query(
        runs["closed"],
        "select bool_and(is_closed), count(*) from ops.source_day_completeness where local_date = ?",
        [DAY],
    ) == [(True, 2)]
    closed, whole = (marts_rows(runs[w], without=("_file_seq",)) for w in ("closed", "whole"))
    assert sorted(closed) == sorted(whole)
    for table in RUN_HISTORY_MARTS:
        del closed[table], whole[table]
    differing = {table: (len(closed[table]), len(whole[table])) for table in whole if closed[table] != whole[table]}
    assert not differing, f"tables that differ (sliced rows, whole rows): {differing}"
    assert query(runs["closed"], "select count(*) from marts.kpi_staffing_interval where is_provisional") == [(0,)]


def test_a_resent_slice_replaces_the_events_it_resends(runs: dict) -> None:
    resent = runs["resent"]
    for warehouse in ("closed", "whole"):
        states = query(
            runs[warehouse],
            "select distinct state from marts.fct_agent_state_spans where agent_id = ? and state_started_at = ?",
            [resent["agent_id"], resent["event_at"].astimezone(UTC).replace(tzinfo=None)],
        )
        assert states == [("aux",)], warehouse


def test_slices_of_an_open_day_make_a_slice_run_that_does_less(runs: dict) -> None:
    """Run 2 (10:15 to 23:45): the dbt selector, no forecast or plan, the today pages only, and a publish that keeps
    every table it did not build at the version run 1 published (dagster_project/slice_run.py)."""
    import json

    from dagster_project.dbt_project import MANIFEST_PATH
    from dagster_project.slice_run import tables_not_built_by_slice_run

    log = runs["afternoon_log"]
    assert f"[dbt] slice run: open day {DAY}, building " in log, log[-4000:]
    for step in ("[forecast] slice run", "[plan] slice run", "[publish] slice run", "[dashboards] slice run"):
        assert step in log, step
    before, after = runs["pages_before"], runs["pages_after"]
    rewritten = {name for name in after if after[name] != before.get(name)}
    assert rewritten and all(name.startswith("today") for name in rewritten), rewritten
    assert rewritten == {name for name in before if name.startswith("today")}
    assert len(before) > len(rewritten) and after.keys() == before.keys()
    kept = dict(query(runs["afternoon"], "select table_name, kept_from_version from ops.published_version"))
    (midday_version,) = query(runs["midday"], "select distinct version_id from ops.published_version")[0]
    not_built = tables_not_built_by_slice_run(json.loads(MANIFEST_PATH.read_text())) & kept.keys()
    assert "marts.kpi_service_weekly" in not_built and "marts.kpi_service_daily" not in not_built
    assert {table for table, version in kept.items() if version is not None} == not_built
    assert {kept[table] for table in not_built} == {midday_version}
    # what it built is current: the day is open up to its last slice (23:45 in Oslo = 22:45 UTC)
    assert query(
        runs["afternoon"],
        "select distinct timezone('UTC', cutoff_at), is_closed from ops.source_day_completeness where local_date = ?",
        [DAY],
    ) == [(datetime(2026, 1, 7, 22, 45), False)]


def test_a_slice_runs_publish_writes_only_the_open_days_files(runs: dict) -> None:
    """The big facts' newest month is published as day files (dagster_project/publish.py): the slice run's publish
    writes the open day's file of each fact it rebuilt and links every other file from the version before it."""
    root = runs["closed"].with_name("warehouse.duckdb.parts")
    columns = "table_name, part_grain, part_start, file_name"
    midday = {row[:3]: row[3] for row in query(runs["midday"], f"select {columns} from ops.published_parts")}
    afternoon = query(runs["afternoon"], f"select {columns} from ops.published_parts")
    written = sorted(
        (table, grain, str(start))
        for table, grain, start, file_name in afternoon
        if (table, grain, start) not in midday
        or os.stat(root / file_name).st_ino != os.stat(root / midday[(table, grain, start)]).st_ino
    )
    assert written, "the slice run rewrote no file"
    # day files only, never a month's; the agent-state facts' incremental build (dbt) also restamps the day before
    # the open one, so that day's file is written too
    assert {grain for _, grain, _ in written} == {"day"}, written
    assert {start for _, _, start in written} <= {"2026-01-06", DAY}, written
    assert ("marts.fct_contact_legs", "day", DAY) in written
    assert [start for table, _, start in written if table == "marts.fct_contact_legs"] == [DAY]
    assert ("marts.fct_agent_state_spans", "day", DAY) in written
    assert len(afternoon) > len(written)  # the earlier days' files were linked
