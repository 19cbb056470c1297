"""Dagster assets: thin wrappers that call the plain modules (ingest, dbt, publish, dashboards).

Graph: raw/<source> (one ingest step lands all six sources; a `freshness` check each) -> dbt models (staging,
intermediate, marts; dbt tests become asset checks; our blocking `reconciliation` check) -> analyst_warehouse (atomic
publish, skipped when a check failed or nothing is new) -> dashboards. Progress lines go to stdout so a person at a
terminal sees a line per step; Dagster keeps them in the run's compute logs too.
"""

import os
import time
from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster import AssetExecutionContext
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from dagster_project.checks import reconciliation_mismatches, stale_sources
from dagster_project.dbt_project import MANIFEST_PATH, TILSYN_DBT_PROJECT, ensure_dbt_manifest
from dagster_project.publish import build_state_key, publish_warehouse, published_state
from dagster_project.run_report import record_build_results
from dagster_project.settings import Settings, load_settings
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


# --- ingest ---------------------------------------------------------------------------------------------------------
RAW_ASSET_SPECS = [
    dg.AssetSpec(["raw", name], group_name="ingest", description=contract.description, kinds={"polars", "duckdb"})
    for name, contract in SOURCES.items()
]


@dg.multi_asset(specs=RAW_ASSET_SPECS, name="ingest_landing", can_subset=False, retry_policy=TRANSIENT_RETRY)
def ingest_landing(context: AssetExecutionContext, tilsyn: TilsynSettings) -> Iterator[dg.MaterializeResult]:
    """Validate, protect and land every new export file of the landing folder (ingest.load.load_landing)."""
    from ingest.load import load_landing
    from ingest.protect import load_pseudonym_key

    settings = tilsyn.settings()
    key = load_pseudonym_key(settings.pseudonym_key_file)
    say(f"[ingest] landing folder {settings.landing_dir}")
    report = load_landing(
        settings.landing_dir, settings.pipeline_db_path, settings.restricted_db_path, settings.quarantine_dir,
        key, progress=lambda line: say(f"[ingest] {line}"),
    )
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
    """Models keyed by their schema (`marts/kpi_service_daily`); groups follow the dbt folders."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return "ingest"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"


ensure_dbt_manifest()


@dbt_assets(manifest=MANIFEST_PATH, project=TILSYN_DBT_PROJECT, dagster_dbt_translator=TilsynDbtTranslator(),
            retry_policy=TRANSIENT_RETRY)
def tilsyn_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, tilsyn: TilsynSettings):
    """`dbt build` (models, seeds, tests) on the pipeline database with this center's metric settings."""
    settings = tilsyn.settings()
    published = published_state(settings.warehouse_path)
    if published and published[1] == build_state_key(settings.pipeline_db_path, settings.dbt_vars_json()):
        # No output: Dagster skips publish and dashboards, the run succeeds. A run after a failed one still builds:
        # the failed run's files are not in the published version's key.
        say(f"[dbt] nothing new since published version {published[0]} (same files, settings and dbt code): "
            "no build, no publish")
        return
    os.environ.update(settings.to_env())  # profiles.yml reads the database path from the environment
    started = time.perf_counter()
    say(f"[dbt] build on {settings.pipeline_db_path}")
    built = 0
    invocation = dbt.cli(["build", "--vars", settings.dbt_vars_json()], context=context, raise_on_error=False)
    for event in invocation.stream():
        if isinstance(event, dg.Output):
            built += 1
            say(f"[dbt] {built:3d} built {'/'.join(event.output_name.split('__')[-2:])}")
        yield event
    say(f"[dbt] {built} models built and tested in {time.perf_counter() - started:.1f} s")
    try:
        run_results = invocation.get_artifact("run_results.json")
    except FileNotFoundError:
        run_results = None  # dbt stopped before building anything (bad profile, database locked)
    failed = record_build_results(settings.pipeline_db_path, context.run_id, run_results or {})
    for node in failed:
        for line in node.lines():
            say(f"[dbt] {line}")
    if not invocation.is_successful():
        # A failed model or test fails the same way again; only a build that never started is worth a retry.
        raise dg.Failure(f"dbt build failed: {len(failed)} failed models or tests: "
                         + ", ".join(node.unique_id for node in failed[:10]), allow_retries=run_results is None)


# --- our own checks -------------------------------------------------------------------------------------------------
@dg.multi_asset_check(
    specs=[dg.AssetCheckSpec("freshness", asset=["raw", name],
                             description="a new file arrived within settings schedule.freshness_days")
           for name in SOURCES],
    name="source_freshness",
)
def source_freshness(tilsyn: TilsynSettings) -> Iterator[dg.AssetCheckResult]:
    """A source that sent files before but none for `freshness_days` fails (not blocking: the others still publish)."""
    settings = tilsyn.settings()
    stale = stale_sources(settings.pipeline_db_path, settings.freshness_days)
    for name, days in stale.items():
        say(f"[checks] FAILED freshness of {name}: no new file for {days} days (limit {settings.freshness_days:g})")
    say(f"[checks] freshness: {len(stale)} of {len(SOURCES)} sources with no new file for "
        f"{settings.freshness_days:g} days")
    for name in SOURCES:
        yield dg.AssetCheckResult(asset_key=["raw", name], check_name="freshness", passed=name not in stale,
                                  metadata={"days_since_last_file": stale.get(name, 0.0),
                                            "limit_days": settings.freshness_days})


@dg.asset_check(
    asset=dg.AssetKey(["marts", "kpi_service_daily"]), blocking=True,
    additional_deps=[dg.AssetKey(["marts", "fct_contact_legs"])]
    + [dg.AssetKey(["staging", f"stg_{name}"]) for name in SOURCES],
    description="landed rows = raw rows, raw keys = staging rows, staging calls = contact legs = offered per day",
)
def reconciliation(tilsyn: TilsynSettings) -> dg.AssetCheckResult:
    """Blocking: a warehouse whose layers do not add up is not published."""
    mismatches = reconciliation_mismatches(tilsyn.settings().pipeline_db_path)
    for mismatch in mismatches:
        say(f"[checks] FAILED reconciliation {mismatch}")
    say(f"[checks] reconciliation: {'passed' if not mismatches else f'{len(mismatches)} mismatches'}")
    return dg.AssetCheckResult(passed=not mismatches, severity=dg.AssetCheckSeverity.ERROR,
                               metadata={"mismatches": "\n".join(str(m) for m in mismatches) or "none"})


# --- publish and dashboards -----------------------------------------------------------------------------------------
@dg.asset(deps=tilsyn_dbt_models.keys, group_name="publish", kinds={"duckdb"}, retry_policy=TRANSIENT_RETRY)
def analyst_warehouse(tilsyn: TilsynSettings) -> dg.MaterializeResult:
    """The analyst warehouse: schemas marts and ops of the pipeline database, published atomically."""
    settings = tilsyn.settings()
    report = publish_warehouse(settings.pipeline_db_path, settings.warehouse_path,
                               progress=lambda line: say(f"[publish] {line}"),
                               state_key=build_state_key(settings.pipeline_db_path, settings.dbt_vars_json()))
    for line in report.lines():
        say(f"[publish] {line}")
    return dg.MaterializeResult(
        metadata={"path": str(settings.warehouse_path), "version_id": report.version_id,
                  "tables": len(report.table_rows), "rows": sum(report.table_rows.values())}
    )


@dg.asset(deps=[analyst_warehouse], group_name="publish", kinds={"plotly", "html"}, retry_policy=TRANSIENT_RETRY)
def dashboards(tilsyn: TilsynSettings) -> dg.MaterializeResult:
    """Self-contained HTML dashboards rendered from the analyst warehouse only."""
    from dashboards.build import render_all

    settings = tilsyn.settings()
    report = render_all(settings.warehouse_path, settings.dashboards_dir, progress=lambda l: say(f"[dashboards] {l}"))
    say(f"[dashboards] {report.lines()[-1]}")  # the pages were listed as they were written
    return dg.MaterializeResult(metadata={"out_dir": str(settings.dashboards_dir), "pages": len(report.pages)})
