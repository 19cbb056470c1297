"""The `tilsyn` command: generate sample data, run the pipeline, rebuild days, render dashboards, import vendor exports,
demo.

`tilsyn run` executes the same Dagster job the nightly schedule runs, in this process, and ends with a summary of
what it did and where the results are; `tilsyn rebuild --from --to` is that run with local days to rebuild. Exit
status of `run` and `rebuild` (dagster_project/outcome.py, README "Exit status"): 0 published everything, 1 published
with rows quarantined, files rejected or a source overdue, 2 bad usage, 3 a defect blocked a domain (the others
published), 4 nothing published.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from dagster_project.settings import Settings, load_settings

DEMO_MARKER = ".tilsyn-demo"
DEMO_CENTER_NAME = "Sample center (generated)"
DEMO_AGENTS, DEMO_DAYS, DEMO_START = 40, 396, date(2025, 1, 1)  # 1 January 2025 to 31 January 2026


def _say(message: str) -> None:
    print(message, flush=True)


def _add_settings_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help="settings file (TOML); default ./tilsyn.toml or $TILSYN_CONFIG")
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="override a setting for this run, e.g. metrics.service_level_seconds=30",
    )


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(args.config, args.overrides).with_paths(
        landing_dir=getattr(args, "landing", None),
        warehouse_path=getattr(args, "warehouse", None),
        dashboards_dir=getattr(args, "dashboards", None),
        pseudonym_key_file=getattr(args, "pseudonym_key_file", None),
    )


# --- generate -------------------------------------------------------------------------------------------------------
def _story(args: argparse.Namespace):
    from ingest.sample.story import Story

    return Story(
        seasonal_amplitude=args.seasonal_amplitude,
        understaffed_month=args.understaffed_month,
        understaffed_team=args.understaffed_team,
        overrun_month=args.overrun_month,
        overrun_category=args.overrun_category,
    )


def _generate_sample(args: argparse.Namespace, out: Path, say, **export_options):
    """The generator run with the sample options of `sample_args` (`generate` adds its export options)."""
    from ingest.sample import generate_center

    summary = generate_center(
        out,
        agents=args.agents,
        days=args.days,
        start=args.start,
        seed=args.seed,
        story=_story(args),
        schedules_ahead=args.schedules_ahead,
        progress=say,
        **export_options,
    )
    for line in summary.lines():
        say(line)


def cmd_generate(args: argparse.Namespace) -> int:
    _generate_sample(
        args,
        args.out,
        _say,
        fmt=args.format,
        timezone=args.timezone,
        faults=args.faults,
        slice_minutes=args.slice_minutes,
        slice_from=args.slice_from,
    )
    return 0


# --- run ------------------------------------------------------------------------------------------------------------
def run_pipeline(
    settings: Settings,
    config_file: Path | None = None,
    overrides: list[str] | None = None,
    rebuild_local_dates: list[str] | None = None,
    full_run: bool = False,
) -> bool:
    """Execute the pipeline job in process (dbt also rebuilding `rebuild_local_dates`; `full_run`: every step for
    everything even when only slices of an open day are new, dagster_project/slice_run.py).

    True when every step succeeded.
    """
    return prepare_pipeline(settings, config_file, overrides, rebuild_local_dates, full_run)()


def prepare_pipeline(
    settings: Settings,
    config_file: Path | None = None,
    overrides: list[str] | None = None,
    rebuild_local_dates: list[str] | None = None,
    full_run: bool = False,
) -> Callable[[], bool]:
    """Everything a pipeline run does before its first step (the dbt manifest, Dagster's imports, the job); returns
    the function that executes the run (True when every step succeeded). Nothing here reads the landing folder, so
    `tilsyn demo` does it while the sample center is being generated."""
    from concurrent.futures import ThreadPoolExecutor

    from dagster_project.dbt_project import ensure_dbt_manifest

    # Before the definitions import it: parsed with this center's vars, the build reuses the parse. The parse is a
    # process of its own (single-threaded): Dagster, dagster-dbt and dbt's adapter are imported here meanwhile.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="dbt-parse") as pool:
        parsing = pool.submit(ensure_dbt_manifest, settings)
        import dagster as dg
        import dagster_dbt  # noqa: F401 - imported for its import time only

        parsing.result()
    from dagster_project.assets import TilsynSettings
    from dagster_project.definitions import PIPELINE_JOB_NAME, build_definitions
    from dagster_project.partitions import rebuild_run_config

    tilsyn = TilsynSettings(
        config_file=str(config_file) if config_file else None,
        landing_dir=str(settings.landing_dir),
        warehouse_path=str(settings.warehouse_path),
        dashboards_dir=str(settings.dashboards_dir),
        overrides=list(overrides or []),
    )
    job = build_definitions(tilsyn).resolve_job_def(PIPELINE_JOB_NAME)
    run_config = {
        "loggers": {"console": {"config": {"log_level": "WARNING"}}},
        **rebuild_run_config(list(rebuild_local_dates or [])),
    }
    if full_run:
        run_config["ops"][next(iter(run_config["ops"]))]["config"]["full_run"] = True

    def execute() -> bool:
        result = job.execute_in_process(
            run_config=run_config, raise_on_error=False, instance=dg.DagsterInstance.ephemeral()
        )
        if not result.success:
            for event in result.all_events:
                if event.is_step_failure and event.step_failure_data:
                    _say(f"FAILED step {event.step_key}: {_error_chain(event.step_failure_data.error)}")
        return result.success

    return execute


def _error_chain(error) -> str:
    """The messages of an error and its causes, innermost last, without Dagster's stack frames."""
    messages = []
    while error is not None:
        messages.append(error.message.strip())
        error = error.cause
    return "\n  caused by: ".join(messages)


def cmd_run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if not settings.landing_dir.is_dir():
        _say(f"error: landing folder {settings.landing_dir} does not exist")
        return 2
    rebuild_dates = []
    if args.command == "rebuild":
        from dagster_project.partitions import local_dates_between

        rebuild_dates = local_dates_between(args.first_day, args.last_day or args.first_day)
        _say(
            f"rebuilding {len(rebuild_dates)} local days, {rebuild_dates[0]} to {rebuild_dates[-1]}, in one run "
            f"(new files are landed and built too)"
        )
    from dagster_project.outcome import run_outcome

    started = time.perf_counter()
    ok = run_pipeline(
        settings, args.config, _path_overrides(args) + args.overrides, rebuild_dates, getattr(args, "full", False)
    )
    outcome = run_outcome(ok, settings.warehouse_path, settings.pipeline_db_path, settings.freshness_days)
    _summary(settings, ok, time.perf_counter() - started, outcome.lines())
    return outcome.exit_code


def _path_overrides(args: argparse.Namespace) -> list[str]:
    return [f"paths.pseudonym_key_file={args.pseudonym_key_file}"] if getattr(args, "pseudonym_key_file", None) else []


def _rejected_files(settings: Settings) -> list[str]:
    """Files rejected by the latest load, read back from the published warehouse's ops schema."""
    import duckdb

    if not settings.warehouse_path.exists():
        return []
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        has = con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'ops' and table_name = 'rejected_files'"
        ).fetchone()[0]
        if not has:
            return []
        return [
            r[0]
            for r in con.execute(
                "select source_file from ops.rejected_files where load_id = (select max(load_id) from ops.loads)"
            ).fetchall()
        ]
    except duckdb.Error:
        return []
    finally:
        con.close()


def _summary(settings: Settings, ok: bool, seconds: float, outcome_lines: list[str] | None = None) -> None:
    _say("")
    _say(f"Tilsyn run {'finished' if ok else 'FAILED'} in {seconds:.1f} s")
    from dagster_project.run_report import summary_lines

    for line in summary_lines(settings.pipeline_db_path):
        _say(line)
    rejected = _rejected_files(settings)
    if rejected:
        _say(f"  rejected files ({len(rejected)}), see {settings.quarantine_dir}:")
        for name in rejected:
            _say(f"    {name}")
    for line in outcome_lines or []:
        _say(line)
    _say(f"  analyst warehouse : {settings.warehouse_path}  (read-only: duckdb.connect(path, read_only=True))")
    _say(f"  restricted HR data: {settings.restricted_db_path}")
    _say(f"  dashboards        : {settings.dashboards_dir / 'index.html'}")


# --- dashboards -----------------------------------------------------------------------------------------------------
def cmd_dashboards(args: argparse.Namespace) -> int:
    from dashboards.build import render_all
    from dashboards.today import TodaySettings

    if not args.warehouse.exists():
        _say(f"error: warehouse {args.warehouse} does not exist; run `tilsyn run` first")
        return 2
    settings = load_settings(args.config, args.overrides)
    report = render_all(
        args.warehouse,
        args.out,
        progress=_say,
        today_settings=TodaySettings.from_settings(settings),
        center_name=settings.center_name,
    )
    for line in report.lines():
        _say(line)
    return 0


# --- import ---------------------------------------------------------------------------------------------------------
def _state_mapping(items: list[str], flag: str, example: str) -> dict[str, str]:
    """The `NAME=STATE` items of a repeatable mapping option as a dict; an item without `=` is a usage error."""
    mapping = {}
    for item in items:
        name, sep, state = item.partition("=")
        if not sep:
            raise ValueError(f"{flag} takes {example}, got {item!r}")
        mapping[name] = state
    return mapping


def _report(report) -> int:
    for line in report.lines():
        _say(line)
    return 0


def cmd_import_anonymous_bank(args: argparse.Namespace) -> int:
    from ingest.adapters.anonymous_bank import import_anonymous_bank

    return _report(import_anonymous_bank(args.file, args.landing, timezone=args.timezone, progress=_say))


def cmd_import_amazon_connect(args: argparse.Namespace) -> int:
    from ingest.adapters.amazon_connect import import_amazon_connect

    # added to the adapter's defaults (Available -> ready, Offline -> logged_out)
    mapping = _state_mapping(args.status, "--status", "NAME=STATE (e.g. 'Coffee run=break')")
    return _report(
        import_amazon_connect(args.ctr, args.agent_events, args.landing, status_mapping=mapping, progress=_say)
    )


def cmd_import_asterisk_queue_log(args: argparse.Namespace) -> int:
    from ingest.adapters.asterisk_queue_log import import_asterisk_queue_log, read_member_map

    reasons = _state_mapping(args.pause_reason, "--pause-reason", "REASON=STATE (e.g. 'Lunch=lunch')")
    member_map = read_member_map(args.member_map) if args.member_map else None
    return _report(
        import_asterisk_queue_log(
            args.files,
            args.landing,
            timezone=args.timezone,
            member_map=member_map,
            pause_reasons=reasons,
            progress=_say,
        )
    )


def cmd_import_genesys_cloud(args: argparse.Namespace) -> int:
    from ingest.adapters.genesys_cloud import import_genesys_cloud

    # added to the adapter's defaults (OFFLINE -> logged_out, MEAL -> lunch, AVAILABLE -> aux, ...)
    mapping = _state_mapping(args.presence, "--presence", "PRESENCE=STATE (e.g. 'AWAY=break')")
    return _report(
        import_genesys_cloud(
            args.conversations, args.user_details, args.landing, presence_mapping=mapping, progress=_say
        )
    )


# --- forecast -------------------------------------------------------------------------------------------------------
def cmd_forecast_backtest(args: argparse.Namespace) -> int:
    from dagster_project.forecasting.backtest import run_backtest

    if args.horizon_days < 1:
        raise ValueError("--horizon-days must be at least 1")
    run_backtest(
        args.history, args.origin, args.horizon_days, args.out, args.calendar, args.interval_minutes, progress=_say
    )
    return 0


# --- demo -----------------------------------------------------------------------------------------------------------
def _generate_demo_sample(args: argparse.Namespace, out: Path) -> None:
    """The demo's generator, in a process of its own (`cmd_demo`); a bad option exits 2 with the error, as main()."""
    try:
        _generate_sample(args, out, lambda line: _say(f"[generate] {line}"))
    except (ValueError, FileNotFoundError) as exc:
        _say(f"error: {exc}")
        sys.exit(2)


def cmd_demo(args: argparse.Namespace) -> int:
    """Generate a small sample center, run the pipeline on it, render the dashboards (a fresh demo each time).

    The generator runs in a process of its own while this one prepares the run (the dbt parse, Dagster's imports):
    neither needs the other, and on two cores the generator leaves most of the second one free (DECISIONLOG
    2026-12-06, make demo within two minutes)."""
    import multiprocessing

    root: Path = args.dir
    if root.exists() and any(root.iterdir()):
        if not (root / DEMO_MARKER).exists():
            _say(f"error: {root} is not empty and was not made by `tilsyn demo`; choose another --dir")
            return 2
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)  # an empty folder is fine
    (root / DEMO_MARKER).write_text("made by `tilsyn demo`; deleted and rebuilt by the next demo\n")
    started = time.perf_counter()
    key_file = root / "pseudonym.key"
    from ingest.protect import load_pseudonym_key

    # The demo's pages say whose data they show (a --set center.name=... given to the demo wins).
    args.overrides = [f"center.name={DEMO_CENTER_NAME}", *args.overrides]

    load_pseudonym_key(key_file, create_if_missing=True)
    settings = load_settings(args.config, args.overrides).with_paths(
        landing_dir=root / "landing",
        warehouse_path=root / "warehouse.duckdb",
        dashboards_dir=root / "dashboards",
        pseudonym_key_file=key_file,
    )
    _say(f"[1/3] generating a sample center in {root / 'landing'}")
    # "spawn", not "fork": this process has Polars loaded, and a forked child may deadlock on its thread pool.
    generator = multiprocessing.get_context("spawn").Process(
        target=_generate_demo_sample, args=(args, root / "landing"), name="tilsyn-demo-generate"
    )
    generator.start()
    try:
        execute = prepare_pipeline(settings, args.config, [f"paths.pseudonym_key_file={key_file}"] + args.overrides)
    finally:
        generator.join()
    if generator.exitcode != 0:
        _say(f"error: generating the sample center failed (exit code {generator.exitcode})")
        return 2 if generator.exitcode == 2 else 1
    _say("[2/3] running the pipeline (ingest -> dbt build -> publish -> dashboards)")
    ok = execute()
    _say("[3/3] done")
    from dagster_project.outcome import run_outcome

    outcome = run_outcome(ok, settings.warehouse_path, settings.pipeline_db_path, settings.freshness_days)
    _summary(settings, ok, time.perf_counter() - started, outcome.lines())
    return outcome.exit_code


# --- parser ---------------------------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tilsyn", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    def sample_args(
        p: argparse.ArgumentParser, agents: int, days: int, start: date = date(2026, 1, 1), **story
    ) -> None:
        """The generator's options; `story` gives the demo's defaults for the planted story (ingest/sample/story.py)."""
        from ingest.sample.story import USUAL_SEASONAL_AMPLITUDE

        p.add_argument("--agents", type=int, default=agents, help=f"number of agents (default {agents})")
        p.add_argument("--days", type=int, default=days, help=f"number of days (default {days})")
        p.add_argument("--start", type=date.fromisoformat, default=start, help=f"first day (default {start})")
        p.add_argument("--seed", type=int, default=7, help="random seed (same seed, same data)")
        amplitude = story.get("seasonal_amplitude", USUAL_SEASONAL_AMPLITUDE)
        p.add_argument(
            "--seasonal-amplitude",
            type=float,
            default=amplitude,
            help=f"winter peak's calls over the yearly mean (default {amplitude})",
        )

        def story_month(option: str, what: str) -> None:
            """A month of the planted story: none unless `story` names one (`--overrun-month`: overrun_month)."""
            month = story.get(option.removeprefix("--").replace("-", "_"))
            p.add_argument(option, metavar="YYYY-MM", default=month, help=f"{what} (default {month or 'none'})")

        story_month("--understaffed-month", "a sickness wave leaves one team short that month")
        p.add_argument("--understaffed-team", help="the team short of agents (default: the first team)")
        story_month("--overrun-month", "one cost category overruns its budget that month")
        p.add_argument("--overrun-category", default="tools", help="the category that overruns (default tools)")
        ahead = story.get("schedules_ahead", False)
        p.add_argument(
            "--schedules-ahead",
            action=argparse.BooleanOptionalAction,
            default=ahead,
            help="also write the schedules published by the last day for the weeks after it, as WFM publishes them "
            f"(default {'on' if ahead else 'off'})",
        )

    p = sub.add_parser("generate", help="write a simulated center's exports (canonical form) into a landing folder")
    p.add_argument("--out", type=Path, required=True, help="landing folder to write")
    sample_args(p, 12, 31)
    p.add_argument("--format", choices=["csv", "parquet"], default="csv")
    p.add_argument("--timezone", default="Europe/Oslo", help="the center's time zone (IANA name)")
    p.add_argument("--faults", action="store_true", help="add realistic export problems (late, duplicate, bad rows)")
    p.add_argument(
        "--slice-minutes",
        type=int,
        help="write calls and agent states as intraday slices of this many minutes named after their cutoff "
        "(calls_2026-01-02_0815.csv: calls that ended by 08:15 local time; docs/intraday.md); default: one file a day",
    )
    p.add_argument(
        "--slice-from",
        type=date.fromisoformat,
        help="with --slice-minutes, slice only the days from this one on (earlier days as whole-day files)",
    )
    p.set_defaults(func=cmd_generate)

    def run_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("--landing", type=Path, help="landing folder (default from config: data/landing)")
        p.add_argument("--warehouse", type=Path, help="analyst warehouse file (default data/warehouse.duckdb)")
        p.add_argument("--dashboards", type=Path, help="dashboards folder (default data/dashboards)")
        p.add_argument("--pseudonym-key-file", type=Path, help="key file for pseudonyms ($TILSYN_PSEUDONYM_KEY wins)")
        p.add_argument(
            "--full",
            action="store_true",
            help="build, publish and render everything even when the only new files are slices of a day still open "
            "(a slice run otherwise does the today pages' part only; docs/intraday.md)",
        )
        _add_settings_args(p)
        p.set_defaults(func=cmd_run)

    run_args(sub.add_parser("run", help="ingest new exports, build the warehouse, publish it, render dashboards"))
    p = sub.add_parser(
        "rebuild",
        help="a run that also rebuilds the given local days (after a late or corrected "
        "file), then publishes and renders",
    )
    p.add_argument(
        "--from",
        dest="first_day",
        type=date.fromisoformat,
        required=True,
        metavar="YYYY-MM-DD",
        help="first local day to rebuild (center time zone)",
    )
    p.add_argument(
        "--to",
        dest="last_day",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="last local day to rebuild, included (default: the --from day)",
    )
    run_args(p)

    p = sub.add_parser("dashboards", help="render the HTML dashboards from an analyst warehouse")
    p.add_argument("--warehouse", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    _add_settings_args(p)  # the today pages' time zone, plan settings and dashboards.long_aux_minutes
    p.set_defaults(func=cmd_dashboards)

    p = sub.add_parser(
        "import",
        help="translate a vendor's export into canonical landing files: anonymous-bank, amazon-connect, "
        "asterisk-queue-log, genesys-cloud",
    )
    imp = p.add_subparsers(dest="format", required=True)

    def state_mapping_option(q: argparse.ArgumentParser, flag: str, metavar: str, what: str) -> None:
        q.add_argument(flag, action="append", default=[], metavar=metavar, help=f"map {what}; repeatable")

    q = imp.add_parser("anonymous-bank", help="Technion SEE lab 'Anonymous Bank' call log")
    q.add_argument("file", type=Path)
    q.add_argument("--landing", type=Path, required=True)
    q.add_argument("--timezone", default="Asia/Jerusalem")
    q.set_defaults(func=cmd_import_anonymous_bank)
    q = imp.add_parser("amazon-connect", help="Amazon Connect contact trace records and agent event stream")
    q.add_argument("--ctr", type=Path, required=True, help="folder of CTR JSON lines files")
    q.add_argument("--agent-events", type=Path, help="folder of agent event stream JSON files")
    q.add_argument("--landing", type=Path, required=True)
    state_mapping_option(
        q, "--status", "NAME=STATE", "a custom agent status to a canonical state (break, lunch, aux, ...)"
    )
    q.set_defaults(func=cmd_import_amazon_connect)
    q = imp.add_parser(
        "asterisk-queue-log",
        help="Asterisk queue_log (FreePBX, Issabel, Wazo, VICIdial): the file or the realtime table's CSV dump",
    )
    q.add_argument("files", type=Path, nargs="+", metavar="FILE", help="queue_log files, read together (.gz too)")
    q.add_argument("--landing", type=Path, required=True)
    q.add_argument(
        "--timezone",
        help="IANA time zone of the realtime table's local `time` (needed for the CSV dump, not the epoch file)",
    )
    q.add_argument(
        "--member-map",
        type=Path,
        help="CSV member,agent_id: queue members (interfaces or names) -> agent ids; only ids are written",
    )
    state_mapping_option(
        q, "--pause-reason", "REASON=STATE", "a pause reason to a canonical state (break, lunch, ...; default aux)"
    )
    q.set_defaults(func=cmd_import_asterisk_queue_log)
    q = imp.add_parser("genesys-cloud", help="Genesys Cloud analytics conversation details and user details (JSON)")
    q.add_argument(
        "--conversations",
        type=Path,
        required=True,
        help="folder of POST /api/v2/analytics/conversations/details/query results",
    )
    q.add_argument("--user-details", type=Path, help="folder of POST /api/v2/analytics/users/details/query results")
    q.add_argument("--landing", type=Path, required=True)
    state_mapping_option(
        q, "--presence", "PRESENCE=STATE", "a system presence to a canonical state (break, lunch, aux, ...)"
    )
    q.set_defaults(func=cmd_import_genesys_cloud)

    p = sub.add_parser("forecast", help="forecasts of offered contacts and AHT per queue and interval")
    fc = p.add_subparsers(dest="forecast_command", required=True)
    q = fc.add_parser("backtest", help="the forecasts the pipeline would have made at given origins, from a CSV series")
    q.add_argument(
        "--history", type=Path, required=True, help="CSV: interval_start (with offset), queue, offered[, ...]"
    )
    q.add_argument(
        "--origin",
        type=date.fromisoformat,
        action="append",
        required=True,
        metavar="YYYY-MM-DD",
        help="last local day the forecast may see (repeatable)",
    )
    q.add_argument("--horizon-days", type=int, default=42, help="days forecast after each origin (default 42)")
    q.add_argument("--out", type=Path, required=True, help="CSV to write: one row per origin, queue, interval, method")
    q.add_argument("--calendar", type=Path, help="special days CSV (date,name); default the generator's holidays")
    q.add_argument("--interval-minutes", type=int, default=30, help="forecast interval length (default 30)")
    q.set_defaults(func=cmd_forecast_backtest)

    p = sub.add_parser("demo", help="generate a sample center with a story and run everything on it")
    p.add_argument("--dir", type=Path, default=Path("data/demo"), help="demo folder (default data/demo)")
    # 13 months of 40 agents: a month has last year's month to compare with, rates are not all small numbers, and
    # the story (a winter peak, a short-staffed October, a tools overrun in September) is there to be found.
    sample_args(
        p,
        DEMO_AGENTS,
        DEMO_DAYS,
        DEMO_START,
        seasonal_amplitude=0.25,
        understaffed_month="2025-10",
        overrun_month="2025-09",
        schedules_ahead=True,
    )
    _add_settings_args(p)
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, FileNotFoundError) as exc:
        _say(f"error: {exc}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
