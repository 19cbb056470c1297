"""Dagster assets: thin wrappers that call the plain modules (ingest, dbt, publish, dashboards).

Graph: raw/<source> (one ingest step lands all six sources; a `freshness` check each) -> dbt models (staging,
intermediate, marts; dbt tests run in `dbt build` and block their domain, not Dagster asset checks) ->
ops/reconciliation (its check: a mismatch makes the domains it concerns stale) -> analyst_warehouse (atomic publish;
stale domains keep their last good version; skipped when nothing is new; a `domain_<name>` check per domain) ->
dashboards. Progress lines go to stdout so a person at a terminal sees a line per step; Dagster keeps them
in the run's compute logs too.
"""

import importlib.metadata
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster import AssetExecutionContext
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets
from dagster_dbt.dbt_manifest import validate_manifest
from packaging import version
from pydantic import Field

from dagster_project.checks import check_domains, domain_outcomes, stale_sources
from dagster_project.dbt_project import (
    MANIFEST_PATH,
    build_vars_json,
    dbt_bytecode_kept,
    ensure_dbt_manifest,
    keep_partial_parse,
    prune_build_folders,
)
from dagster_project.domains import (
    domain_statuses,
    load_manifest,
    model_domains,
    read_domain_statuses,
    record_domain_statuses,
)
from dagster_project.publish import (
    SLICE_STATE_KEY_PREFIX,
    build_basis_key,
    build_state_key,
    publish_warehouse,
    published_state,
)
from dagster_project.run_report import (
    build_bases_since_last_success,
    full_refresh_reason,
    record_build_basis,
    record_build_results,
)
from dagster_project.settings import DBT_PROJECT_DIR, Settings, load_settings
from dagster_project.slice_run import (
    SLICE,
    SLICE_SELECTOR,
    decide_run_scope,
    newest_file_seq,
    nodes_built_by_run,
    read_slice_facts,
    run_scope_of,
    slice_run_nodes,
    tables_not_built_by_slice_run,
)
from ingest.contracts import SOURCES


class TilsynSettings(dg.ConfigurableResource):
    """Where this deployment's files live and which config file holds its metric settings."""

    config_file: str | None = None
    landing_dir: str | None = None
    warehouse_path: str | None = None
    dashboards_dir: str | None = None
    overrides: list[str] = []

    def settings(self) -> Settings:
        return load_settings(self.config_file, self.overrides).with_paths(
            landing_dir=self.landing_dir, warehouse_path=self.warehouse_path, dashboards_dir=self.dashboards_dir
        )


def say(message: str) -> None:
    print(message, flush=True)


# Transient errors (a file or DuckDB lock held for a moment, a full disk freed by a cleanup) get two more tries, 30 s
# then 60 s later. Failures that repeat (a dbt test, a check) are raised with allow_retries=False.
TRANSIENT_RETRY = dg.RetryPolicy(max_retries=2, delay=30, backoff=dg.Backoff.EXPONENTIAL)

# How long a step waits for another process to let go of the pipeline database: a second run of `dagster dev` may be
# writing, someone may run dbt by hand, or a killed run's dbt child may outlive it (see DBT_WATCHER) for a moment.
PIPELINE_DB_WAIT_SECONDS = 30 * 60
PIPELINE_DB_POLL_SECONDS = 1.0
PIPELINE_DB_REPORT_EVERY_SECONDS = 30.0


def wait_for_pipeline_db(pipeline_db: Path, step: str, wait_seconds: float = PIPELINE_DB_WAIT_SECONDS) -> None:
    """Return once this process can open `pipeline_db` for writing; say who holds it while waiting.

    DuckDB allows one writing process per file; its lock error names the holder's PID. Raises dg.Failure after
    `wait_seconds`.
    """
    if not pipeline_db.exists():
        return
    started = time.monotonic()
    reported_at = None
    while True:
        try:
            duckdb.connect(str(pipeline_db)).close()
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            holder = re.search(r"\(PID (\d+)\)", str(exc))
            held_by = f"pid {holder.group(1)}" if holder else "pid unknown"
            waited = time.monotonic() - started
            if waited > wait_seconds:
                raise dg.Failure(
                    f"the pipeline database {pipeline_db} is still held by another process ({held_by}) "
                    f"after {waited:.0f} s; is another Tilsyn run or a dbt command still going?"
                ) from exc
            if reported_at is None or time.monotonic() - reported_at >= PIPELINE_DB_REPORT_EVERY_SECONDS:
                say(
                    f"[{step}] waiting for the pipeline database, held by another process ({held_by}); "
                    f"{waited:.0f} s of at most {wait_seconds:.0f} s"
                )
                reported_at = time.monotonic()
            time.sleep(PIPELINE_DB_POLL_SECONDS)
            continue
        if reported_at is not None:
            say(f"[{step}] the pipeline database is free after {time.monotonic() - started:.0f} s")
        return


# --- ingest ---------------------------------------------------------------------------------------------------------
RAW_ASSET_SPECS = [
    dg.AssetSpec(["raw", name], group_name="ingest", description=contract.description, kinds={"polars", "duckdb"})
    for name, contract in SOURCES.items()
]


@dg.multi_asset(specs=RAW_ASSET_SPECS, name="ingest_landing", can_subset=False, retry_policy=TRANSIENT_RETRY)
def ingest_landing(context: AssetExecutionContext, tilsyn: TilsynSettings) -> Iterator[dg.MaterializeResult]:
    """Validate, protect and land every new export file of the landing folder (ingest.load.load_landing)."""
    from ingest.load import IngestSetupError, load_landing
    from ingest.protect import PseudonymKeyError, load_pseudonym_key

    settings = tilsyn.settings()
    try:
        key = load_pseudonym_key(settings.pseudonym_key_file)
        wait_for_pipeline_db(settings.pipeline_db_path, "ingest")
        say(f"[ingest] landing folder {settings.landing_dir}")
        report = load_landing(
            settings.landing_dir,
            settings.pipeline_db_path,
            settings.restricted_db_path,
            settings.quarantine_dir,
            key,
            progress=lambda line: say(f"[ingest] {line}"),
            center_currency=settings.metrics.get("center_currency") or None,
            center_timezone=settings.center_timezone,
        )
    except (PseudonymKeyError, IngestSetupError) as exc:
        # a missing key or an unusable folder stays so until someone acts: no point retrying in 30 and 60 s
        raise dg.Failure(str(exc), allow_retries=False) from None
    for line in report.lines():
        say(f"[ingest] {line}")
    context.log.info("\n".join(report.lines()))
    for name in SOURCES:
        yield dg.MaterializeResult(asset_key=["raw", name], metadata=report.source_metadata(name))
    if not report.ok:
        # Good files are landed and the run goes on; the rejected ones fail this check so nobody misses them.
        context.log.error("rejected files: " + "; ".join(str(r) for r in report.rejected))


# --- dbt ------------------------------------------------------------------------------------------------------------
class TilsynDbtTranslator(DagsterDbtTranslator):
    """Models keyed by their schema (`marts/kpi_service_daily`); groups follow the dbt folders.

    dbt tests are not Dagster asset checks (`enable_asset_checks=False`): each check costs an event written when a run
    is created (~10 ms each in SQLite, ~360 of them: 3.8 s of every sensor pickup) and one more when its test runs.
    They still run in `dbt build` and block their domain (dagster_project/domains.py); a failing one is named with
    sample rows in the run's log, and the outcome shows as one `domain_<name>` check on the analyst warehouse.
    """

    def __init__(self, settings: DagsterDbtTranslatorSettings | None = None):
        super().__init__(settings or DagsterDbtTranslatorSettings(enable_asset_checks=False))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return "ingest"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"


class TilsynDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt resource without two start-up costs it pays on every `cli()` call, for things Tilsyn does
    not use (`make demo` from a fresh clone: ~3.5 s of CPU, DECISIONLOG 2026-12-06 "make demo within two minutes"):

    - the version of the dbt executable, which it gets by running `dbt --version` (a whole dbt start, imports
      included): ours is the dbt-core installed beside this Python (`DBT_EXECUTABLE`), so its version is read from
      the package metadata;
    - a dbt adapter made in this process (profile, project and dbt's own macros loaded), which dagster-dbt uses only
      to fetch row counts or column metadata (`fetch_row_counts()`, `fetch_column_metadata()`): not used here.

    Both override private methods of dagster-dbt 0.29 (pinned in uv.lock);
    tests/dagster_project/test_definitions.py checks they are still called as such.
    """

    @property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None


class DbtBuildConfig(dg.Config):
    """Run configuration of the dbt step; the daily-partitioned job `tilsyn_rebuild_days` fills it in per day."""

    rebuild_local_dates: list[str] = Field(
        default=[],
        description="Local days (YYYY-MM-DD) the incremental models rebuild from staging besides the new "
        "rows; a build with days always builds and publishes, even over no new files.",
    )

    full_run: bool = Field(
        default=False,
        description="Build, publish and render everything even when the only new files are slices of an open day "
        "(`tilsyn run --full`; the nightly schedule's runs are full runs anyway).",
    )

    def local_dates(self) -> list[str]:
        """The days, checked and sorted; a bad date is a clear error before dbt starts."""
        for text in self.rebuild_local_dates:
            try:
                date.fromisoformat(text)
            except ValueError:
                raise dg.Failure(
                    f"rebuild_local_dates: {text!r} is not a date written YYYY-MM-DD", allow_retries=False
                ) from None
        return sorted(set(self.rebuild_local_dates))


# dagster-dbt starts dbt with a plain subprocess.Popen (no preexec_fn, so no prctl(PR_SET_PDEATHSIG)): a run killed by
# its PID alone would leave dbt building for minutes, holding the pipeline database. This watcher, started beside dbt,
# kills dbt as soon as the process that started them both is gone; the step stops the watcher once dbt has ended.
DBT_WATCHER = """
import os, signal, sys, time
parent_pid, dbt_pid = int(sys.argv[1]), int(sys.argv[2])
while os.getppid() == parent_pid:
    time.sleep(0.2)
try:
    os.kill(dbt_pid, signal.SIGKILL)
except ProcessLookupError:
    pass
"""


TILSYN_DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
ensure_dbt_manifest()


@dbt_assets(
    manifest=MANIFEST_PATH,
    project=TILSYN_DBT_PROJECT,
    dagster_dbt_translator=TilsynDbtTranslator(),
    retry_policy=TRANSIENT_RETRY,
)
def tilsyn_dbt_models(
    context: AssetExecutionContext, dbt: DbtCliResource, tilsyn: TilsynSettings, config: DbtBuildConfig
):
    """`dbt build` (models, seeds, tests) on the pipeline database with this center's metric settings.

    Incremental models keep what earlier builds made; the build is a full refresh when no build is recorded, the last
    one did not finish, or the settings or dbt code differ from the last successful build's (ops.dbt_build_basis).
    """
    settings = tilsyn.settings()
    rebuild_dates = config.local_dates()
    wait_for_pipeline_db(settings.pipeline_db_path, "dbt")
    published = published_state(settings.warehouse_path)
    if (
        not rebuild_dates
        and published
        and published[1] == build_state_key(settings.pipeline_db_path, settings.dbt_vars_json())
    ):
        # No output: Dagster skips publish and dashboards, the run succeeds. A run after a failed one still builds:
        # the failed run's files are not in the published version's key.
        say(
            f"[dbt] nothing new since published version {published[0]} (same files, settings and dbt code): "
            "no build, no publish"
        )
        return
    os.environ.update(settings.to_env())  # profiles.yml reads the database path from the environment
    basis_key = build_basis_key(settings.dbt_vars_json())
    refresh_reason = full_refresh_reason(build_bases_since_last_success(settings.pipeline_db_path), basis_key)
    previous_domains = read_domain_statuses(settings.pipeline_db_path)
    stale_before = sorted(d for d, s in previous_domains.items() if s.status == "stale")
    extra_vars = {}
    if stale_before:
        # The tests of incremental models check the rows the latest build wrote: rows a failed build wrote stay
        # until rebuilt, so while a domain is stale every test checks its whole table (the defect is not forgotten).
        extra_vars["data_tests_scope"] = "all"
        say(f"[dbt] domains stale after the last build ({', '.join(stale_before)}): tests check whole tables")
    dbt_vars = build_vars_json(settings, rebuild_dates, extra_vars)
    # Unit tests check the dbt code on fixed inputs, not the center's data: CI runs them (tests/dbt). In a nightly
    # build they were 23 nodes and ~3 s of node time at 1,000 agents (dbt advises leaving them out of production).
    args = ["build", "--vars", dbt_vars, "--exclude-resource-type", "unit_test"]
    if refresh_reason:
        # One model at a time: the big models of a full build each need most of DuckDB's memory bound, and two of
        # them side by side ran out of it (fct_adherence_spans beside fct_agent_state_spans at 1,000 agents x 365
        # days). DuckDB still uses every core for each model. Other builds use the profile's threads (default 1,
        # TILSYN_DBT_THREADS).
        args += ["--full-refresh", "--threads", "1"]
        say(f"[dbt] {refresh_reason}: full refresh")
    elif rebuild_dates:
        say(f"[dbt] rebuilding local days {', '.join(rebuild_dates)} besides the new rows")
    full_requested = None
    if context.run.tags.get("dagster/schedule_name"):
        full_requested = "the scheduled (nightly) run"
    elif config.full_run:
        full_requested = "a full run asked for (--full)"
    scope = decide_run_scope(
        read_slice_facts(
            settings.pipeline_db_path,
            full_refresh_reason=refresh_reason,
            rebuild_dates=tuple(rebuild_dates),
            stale_domains=tuple(stale_before),
            has_published=published is not None,
            full_run_requested=full_requested,
        )
    )
    slice_nodes = None
    if scope.is_slice:
        manifest = load_manifest(MANIFEST_PATH)
        slice_nodes = slice_run_nodes(manifest)
        models = [uid for uid, node in manifest["nodes"].items() if node["resource_type"] == "model"]
        args += ["--selector", SLICE_SELECTOR]  # dbt ignores dagster-dbt's `--select fqn:*` beside a selector
        say(
            f"[dbt] slice run: open day {scope.open_day}, building {len(slice_nodes & set(models))} of {len(models)} "
            f"models ({len(scope.files)} new slice files); no forecast or plan step, the other marts keep their "
            "published version and only the today pages are rendered until the day closes or the nightly run"
        )
    elif not refresh_reason:
        say(f"[dbt] full run: {scope.reason}")
    record_build_basis(
        settings.pipeline_db_path,
        context.run.run_id,
        basis_key,
        "started",
        full_refresh=refresh_reason is not None,
        rebuild_local_dates=rebuild_dates,
        run_scope=scope.kind,
        max_file_seq=newest_file_seq(settings.pipeline_db_path),
    )
    started = time.perf_counter()
    built_at = datetime.now(UTC).replace(tzinfo=None)
    say(f"[dbt] build on {settings.pipeline_db_path}")
    built = 0
    emitted: set[str] = set()
    with dbt_bytecode_kept():
        invocation = dbt.cli(args, context=context, raise_on_error=False)
    watcher = subprocess.Popen(
        [sys.executable, "-c", DBT_WATCHER, str(os.getpid()), str(invocation.process.pid)], stdin=subprocess.DEVNULL
    )
    try:
        for event in invocation.stream():
            if isinstance(event, dg.AssetObservation):
                # a dbt test's result (not an asset check): one event per tested model would be written to the run's
                # event log; dbt's run_results (below) name the failing ones with sample rows
                continue
            if isinstance(event, dg.Output):
                emitted.add(event.output_name)
                built += 1
                say(f"[dbt] {built:3d} built {'/'.join(event.output_name.split('__')[-2:])}")
            yield event
    finally:
        watcher.kill()
        watcher.wait()
    say(f"[dbt] {built} models built and tested in {time.perf_counter() - started:.1f} s")
    try:
        run_results = invocation.get_artifact("run_results.json")
    except FileNotFoundError:
        run_results = None  # dbt stopped before building anything (bad profile, database locked)
    failed = record_build_results(settings.pipeline_db_path, context.run.run_id, run_results or {})
    record_build_basis(
        settings.pipeline_db_path, context.run.run_id, basis_key, "success" if invocation.is_successful() else "failed"
    )
    for node in failed:
        for line in node.lines():
            say(f"[dbt] {line}")
    if run_results is not None:
        say(f"[dbt] data tests: {_test_counts(run_results)}")
    failed_tests = [node for node in failed if node.unique_id.startswith("test.")]
    if failed_tests:  # one event in the run's structured log, beside the stdout lines above
        context.log.error("\n".join(line for node in failed_tests for line in node.lines()))
    if run_results is not None:
        try:
            statuses = domain_statuses(
                load_manifest(MANIFEST_PATH), run_results, failed, previous_domains, built_at, built=slice_nodes
            )
        except ValueError as exc:  # a model without a domain: a defect of the dbt project, the same on every try
            raise dg.Failure(f"domains of the dbt build: {exc}", allow_retries=False) from exc
        record_domain_statuses(settings.pipeline_db_path, context.run.run_id, statuses)
        stale = [s for s in statuses if s.status == "stale"]
        for status in stale:
            say(f"[dbt] {status.line()}")
        say(
            f"[dbt] domains: {len(statuses) - len(stale)} fresh, {len(stale)} stale"
            + (f" ({', '.join(s.domain for s in stale)}: their marts keep their last good version)" if stale else "")
        )
    if invocation.is_successful() and not rebuild_dates:
        keep_partial_parse(invocation.target_path)  # rebuild_local_dates changes the vars: keep the nightly one
    pruned = prune_build_folders()
    if pruned:
        say(f"[dbt] removed {len(pruned)} old build folders from {pruned[0].parent}")
    if run_results is not None and (scope.is_slice or not invocation.is_successful()):
        # A failed model or test blocks its domain only (ops.domain_status), and a slice run builds what the today
        # pages read: the models dbt did not build are reported without a value so that publish runs; it keeps
        # their published version.
        why = (
            "no: its domain is stale" if not invocation.is_successful() else "no: slice run (kept until the day closes)"
        )
        selected = {context.assets_def.get_output_name_for_asset_key(key) for key in context.selected_asset_keys}
        for output_name in _in_build_order(context, selected - emitted):
            yield dg.Output(None, output_name=output_name, metadata={"tilsyn/built": why})
    elif not invocation.is_successful():
        # dbt stopped before building anything: only worth a retry (a lock, a full disk freed in the meantime).
        raise dg.Failure(
            f"dbt build failed: {len(failed)} failed models or tests: "
            + ", ".join(node.unique_id for node in failed[:10]),
            allow_retries=run_results is None,
        )


def _test_counts(run_results: Mapping[str, Any]) -> str:
    """`81 run: 80 pass, 1 fail`: the data tests of a build by dbt status."""
    statuses: dict[str, int] = {}
    for result in run_results.get("results", []):
        if result["unique_id"].startswith("test."):
            statuses[result["status"]] = statuses.get(result["status"], 0) + 1
    counts = ", ".join(f"{n} {status}" for status, n in sorted(statuses.items(), key=lambda item: -item[1]))
    return f"{sum(statuses.values())} run" + (f": {counts}" if counts else "")


def _in_build_order(context: AssetExecutionContext, output_names: set[str]) -> list[str]:
    """`output_names` of the dbt step parents first: Dagster wants a multi-asset's outputs in topological order."""
    manifest = load_manifest(MANIFEST_PATH)
    nodes = manifest["nodes"]
    translator = TilsynDbtTranslator()
    ordered: list[str] = []
    seen: set[str] = set()

    def visit(uid: str) -> None:
        stack = [(uid, False)]
        while stack:
            current, parents_done = stack.pop()
            if parents_done:
                ordered.append(current)
                continue
            if current in seen or current not in nodes:
                continue
            seen.add(current)
            stack.append((current, True))
            stack += [(parent, False) for parent in nodes[current].get("depends_on", {}).get("nodes", [])]

    for uid in sorted(nodes):
        visit(uid)
    names = []
    for uid in ordered:
        if nodes[uid]["resource_type"] not in ("model", "seed", "snapshot"):
            continue
        key = translator.get_asset_key(nodes[uid])
        if key in context.assets_def.keys:
            name = context.assets_def.get_output_name_for_asset_key(key)
            if name in output_names:
                names.append(name)
    return names + sorted(output_names - set(names))


# --- our own checks -------------------------------------------------------------------------------------------------
@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(
            "freshness", asset=["raw", name], description="a new file arrived within settings schedule.freshness_days"
        )
        for name in SOURCES
    ],
    name="source_freshness",
)
def source_freshness(tilsyn: TilsynSettings) -> Iterator[dg.AssetCheckResult]:
    """A source that sent files before but none for `freshness_days` fails (not blocking: the others still publish)."""
    settings = tilsyn.settings()
    stale = stale_sources(settings.pipeline_db_path, settings.freshness_days)
    for name, days in stale.items():
        say(f"[checks] FAILED freshness of {name}: no new file for {days} days (limit {settings.freshness_days:g})")
    say(
        f"[checks] freshness: {len(stale)} of {len(SOURCES)} sources with no new file for "
        f"{settings.freshness_days:g} days"
    )
    for name in SOURCES:
        yield dg.AssetCheckResult(
            asset_key=["raw", name],
            check_name="freshness",
            passed=name not in stale,
            metadata={"days_since_last_file": stale.get(name, 0.0), "limit_days": settings.freshness_days},
        )


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(
            "source_conditions",
            asset=["raw", name],
            description="rows quarantined or files rejected by the latest load (settled by ingest; a warning)",
        )
        for name in SOURCES
    ],
    name="source_conditions",
)
def source_conditions(tilsyn: TilsynSettings) -> Iterator[dg.AssetCheckResult]:
    """Source conditions show as warnings: what a center's export got wrong was set aside with its reason and the
    rest published. Defects (a failed dbt test, reconciliation) are errors."""
    from dagster_project.outcome import latest_load_counts

    quarantined, rejected = latest_load_counts(tilsyn.settings().pipeline_db_path)
    for name in SOURCES:
        rows, files = quarantined.get(name, 0), rejected.get(name, 0)
        if rows or files:
            say(f"[checks] source conditions in {name}: {rows:,} rows quarantined, {files} files rejected")
        yield dg.AssetCheckResult(
            asset_key=["raw", name],
            check_name="source_conditions",
            passed=not (rows or files),
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"rows_quarantined": rows, "files_rejected": files},
        )


@dg.asset(
    key=["ops", "reconciliation"],
    deps=[dg.AssetKey(["marts", "kpi_service_daily"]), dg.AssetKey(["marts", "fct_contact_legs"])]
    + [dg.AssetKey(["staging", f"stg_{name}"]) for name in SOURCES],
    group_name="publish",
    kinds={"duckdb"},
    check_specs=[
        dg.AssetCheckSpec(
            "reconciliation",
            asset=["ops", "reconciliation"],
            description="landed rows = raw rows, raw keys = staging rows, staging calls = contact legs = offered per "
            "day; a mismatch is a defect that blocks the domains it concerns (and those built from them)",
        )
    ],
)
def reconciliation(context: dg.AssetExecutionContext, tilsyn: TilsynSettings) -> dg.MaterializeResult:
    """A warehouse whose layers do not add up is a defect: the domains the mismatched counts belong to (calls and
    offered: service; agent_states and schedules: agent; ...) and the domains built from them are marked stale, so
    publish keeps their last good version; the other domains publish (issue 17: a failed domain never blocks
    another). Its check is an error.

    A passed check is recorded in the pipeline database (ops.reconciliations) before publish runs, so the next one
    counts only the keys of newer files (checks.reconcile). A failed one is not, so the next run checks the same
    files again and the domains stay stale until the counts add up.
    """
    from dagster_project.checks import reconcile, record_reconciled
    from dagster_project.domains import mismatch_domains, record_reconciliation_failure

    settings = tilsyn.settings()
    pipeline_db = settings.pipeline_db_path
    started = time.perf_counter()
    result = reconcile(pipeline_db)
    for mismatch in result.mismatches:
        say(f"[checks] FAILED reconciliation {mismatch}")
    say(
        f"[checks] reconciliation: {'passed' if result.passed else f'{len(result.mismatches)} mismatches'}, "
        f"{result.scope()}, {time.perf_counter() - started:.1f} s"
    )
    stale: list[str] = []
    if result.passed:
        try:
            record_reconciled(pipeline_db, result)
        except duckdb.Error as exc:
            # Only the next check's cost depends on it: it starts from the last recorded state, or counts in full.
            say(f"[checks] reconciliation state not recorded ({exc}); the next check starts from the last recorded one")
    else:
        domains = mismatch_domains(load_manifest(MANIFEST_PATH), result.mismatches)
        stale = record_reconciliation_failure(
            pipeline_db, settings.warehouse_path, context.run.run_id, domains, result.mismatches
        )
        say(f"[checks] reconciliation blocks {', '.join(stale)}: their marts keep their last good version")
    return dg.MaterializeResult(
        metadata={"stale_domains": ", ".join(stale) or "none"},
        check_results=[
            dg.AssetCheckResult(
                check_name="reconciliation",
                passed=result.passed,
                severity=dg.AssetCheckSeverity.ERROR,
                metadata={
                    "mismatches": "\n".join(str(m) for m in result.mismatches) or "none",
                    "scope": result.scope(),
                    "stale_domains": ", ".join(stale) or "none",
                },
            )
        ],
    )


# --- forecasts ------------------------------------------------------------------------------------------------------
def _run_planning_step(
    context: dg.AssetExecutionContext,
    settings: Settings,
    domain: str,
    prefix: str,
    write: Callable[[Callable[[str], None]], Any],
    metadata: Callable[[Any], dict[str, Any]],
    in_a_slice_run: str,
) -> dg.MaterializeResult:
    """A Python step after dbt: `write(progress)` makes its report, whose line is said and whose `metadata` the
    asset returns. A defect in it: say so, mark its domain stale (its tables keep what it last wrote) and let the
    other domains publish; the run's exit status is then 3 (a defect blocked a domain). A slice run skips the step
    (no day closed, so its inputs stand) and says `in_a_slice_run`."""
    from dagster_project.domains import record_step_failure

    if run_scope_of(settings.pipeline_db_path, context.run.run_id) == SLICE:
        say(f"{prefix} slice run: {in_a_slice_run}")
        return dg.MaterializeResult(metadata={"skipped": "slice run"})
    try:
        report = write(lambda line: say(f"{prefix} {line}"))
    except Exception as exc:  # a defect here costs this step's domain only, never the publish of the others
        reason = (
            f"the {domain.replace('_', ' ')} step failed ({type(exc).__name__}: {exc}); this is a defect in Tilsyn, "
            "not in the exports; the tables shown are from its last successful run"
        )
        say(f"{prefix} FAILED: {reason}")
        context.log.exception(f"{domain} failed")
        record_step_failure(
            settings.pipeline_db_path, context.run.run_id, domain, ["agent", "reference", "service"], reason
        )
        return dg.MaterializeResult(metadata={"failed": f"{type(exc).__name__}: {exc}"})
    say(f"{prefix} {report.line()}")
    return dg.MaterializeResult(metadata=metadata(report))


# The forecast and the staffing plan: numpy steps after the build, writing ops tables of the pipeline database.
PLANNING_STEP = {"group_name": "forecast", "kinds": {"numpy", "duckdb"}, "retry_policy": TRANSIENT_RETRY}


@dg.asset(
    key=["ops", "interval_forecasts"],
    # the origin is the last complete day: int_source_day_cutoffs says which days are still open (intraday slices)
    deps=[
        dg.AssetKey(["intermediate", "int_queue_interval_demand"]),
        dg.AssetKey(["intermediate", "int_source_day_cutoffs"]),
    ],
    **PLANNING_STEP,
)
def interval_forecasts(context: dg.AssetExecutionContext, tilsyn: TilsynSettings) -> dg.MaterializeResult:
    """Offered contacts and AHT per queue and interval for the next forecast_horizon_days, made once per origin (the
    last complete local day) and kept (dagster_project/forecasting/snapshots.py)."""
    from dagster_project.forecasting.snapshots import write_forecast_snapshot

    settings = tilsyn.settings()
    return _run_planning_step(
        context,
        settings,
        "forecast",
        "[forecast]",
        lambda progress: write_forecast_snapshot(
            settings.pipeline_db_path,
            settings.center_timezone,
            int(settings.metrics["interval_minutes"]),
            int(settings.metrics["forecast_horizon_days"]),
            special_days_file=settings.special_days_file,
            progress=progress,
        ),
        lambda report: {
            "origin_date": str(report.origin),
            "rows_written": report.written_rows,
            "already_written": report.already_written,
            "seconds": round(report.seconds, 2),
        },
        "no day closed, so the forecast made after the last complete day stands",
    )


@dg.asset(
    key=["ops", "staffing_plan_interval"],
    deps=[
        interval_forecasts,
        dg.AssetKey(["intermediate", "int_queue_patience"]),
        dg.AssetKey(["marts", "fct_schedule_segments"]),
    ],
    **PLANNING_STEP,
)
def staffing_plan(context: dg.AssetExecutionContext, tilsyn: TilsynSettings) -> dg.MaterializeResult:
    """Required agents (Erlang A or C) per queue and future interval from the newest forecast, against the published
    schedule, with the breaks that could move (dagster_project/planning/plan_tables.py)."""
    from dagster_project.planning.plan_tables import write_staffing_plan

    settings = tilsyn.settings()
    return _run_planning_step(
        context,
        settings,
        "staffing_plan",
        "[plan]",
        lambda progress: write_staffing_plan(settings.pipeline_db_path, settings.metrics, progress=progress),
        lambda report: {
            "origin_date": str(report.origin),
            "intervals": report.intervals,
            "understaffed_intervals": report.understaffed_before,
            "understaffed_after_break_moves": report.understaffed_after,
            "breaks_moved": report.breaks_moved,
            "seconds": round(report.seconds, 2),
        },
        # the plan's inputs (the forecast, schedules, patience and shrinkage of past weeks) are those of the last
        # full run; the today page reforecasts the rest of the day itself
        "the staffing plan of the last full run stands",
    )


# --- publish and dashboards -----------------------------------------------------------------------------------------
# One check per domain on the analyst warehouse (the unit that publishes or keeps its last good version): the outcome
# of the dbt tests for an operator, at ~13 checks a run instead of one per dbt test.
DOMAINS = check_domains({domain for domain, _ in model_domains(validate_manifest(MANIFEST_PATH)).values()})
DOMAIN_CHECK_SPECS = [
    dg.AssetCheckSpec(
        f"domain_{domain}",
        asset="analyst_warehouse",
        description=f"the {domain} domain is fresh: its dbt models built and every dbt test on them and on the models "
        "they are built from passed (reconciliation too); failed = stale, its marts keep their last good version",
        blocking=False,
    )
    for domain in DOMAINS
]


@dg.asset(
    deps=[*tilsyn_dbt_models.keys, interval_forecasts, staffing_plan, reconciliation],
    group_name="publish",
    kinds={"duckdb"},
    retry_policy=TRANSIENT_RETRY,
    check_specs=DOMAIN_CHECK_SPECS,
)
def analyst_warehouse(context: dg.AssetExecutionContext, tilsyn: TilsynSettings) -> dg.MaterializeResult:
    """The analyst warehouse: schemas marts and ops of the pipeline database, published atomically."""
    settings = tilsyn.settings()
    is_slice = run_scope_of(settings.pipeline_db_path, context.run.run_id) == SLICE
    statuses = read_domain_statuses(settings.pipeline_db_path)  # the dbt step's, with reconciliation's failures
    stale = [s for s in statuses.values() if s.status == "stale"]
    kept = frozenset(table for status in stale for table in status.marts)
    if stale:
        say(
            f"[publish] keeping the last good version of {len(kept)} marts of stale domains: "
            + ", ".join(s.domain for s in stale)
        )
    unchanged: frozenset[str] = frozenset()
    state_key = build_state_key(settings.pipeline_db_path, settings.dbt_vars_json())
    if is_slice:
        # what dbt reported built in this run is published from the pipeline; every other dbt table is kept
        built = nodes_built_by_run(settings.pipeline_db_path, context.run.run_id)
        unchanged = frozenset(tables_not_built_by_slice_run(load_manifest(MANIFEST_PATH), built)) - kept
        # a partial version: the next run over no new files (the nightly one) builds and publishes everything
        state_key = SLICE_STATE_KEY_PREFIX + state_key
        say(f"[publish] slice run: {len(unchanged)} tables it did not build keep their published version")
    report = publish_warehouse(
        settings.pipeline_db_path,
        settings.warehouse_path,
        progress=lambda line: say(f"[publish] {line}"),
        state_key=state_key,
        kept_tables=kept,
        unchanged_tables=unchanged,
    )
    for line in report.lines():
        say(f"[publish] {line}")
    outcomes = domain_outcomes(DOMAINS, statuses)
    return dg.MaterializeResult(
        metadata={
            "path": str(settings.warehouse_path),
            "version_id": report.version_id,
            "tables": len(report.table_rows),
            "rows": sum(report.table_rows.values()),
            "stale_domains": ", ".join(s.domain for s in stale) or "none",
        },
        check_results=[
            dg.AssetCheckResult(
                check_name=f"domain_{outcome.domain}",
                passed=outcome.passed,
                severity=dg.AssetCheckSeverity.ERROR,
                description=outcome.description,
                metadata=outcome.metadata,
            )
            for outcome in outcomes
        ],
    )


@dg.asset(deps=[analyst_warehouse], group_name="publish", kinds={"plotly", "html"}, retry_policy=TRANSIENT_RETRY)
def dashboards(context: dg.AssetExecutionContext, tilsyn: TilsynSettings) -> dg.MaterializeResult:
    """Self-contained HTML dashboards rendered from the analyst warehouse only (a slice run: the today pages)."""
    from dashboards.build import render_all, render_today_pages
    from dashboards.today import TodaySettings

    settings = tilsyn.settings()
    pages = {
        "warehouse": settings.warehouse_path,
        "out_dir": settings.dashboards_dir,
        "progress": lambda line: say(f"[dashboards] {line}"),
        "center_name": settings.center_name,
        "today_settings": TodaySettings.from_settings(settings),
    }
    if run_scope_of(settings.pipeline_db_path, context.run.run_id) == SLICE:
        report = render_today_pages(**pages)
        if report is not None:
            say(f"[dashboards] slice run: {report.lines()[-1]} (today pages only)")
            return dg.MaterializeResult(
                metadata={"out_dir": str(settings.dashboards_dir), "pages": len(report.pages), "scope": "today"}
            )
        say("[dashboards] slice run, but the today pages are not the ones the index links: every page")
    report = render_all(**pages)
    say(f"[dashboards] {report.lines()[-1]}")  # the pages were listed as they were written
    return dg.MaterializeResult(metadata={"out_dir": str(settings.dashboards_dir), "pages": len(report.pages)})
