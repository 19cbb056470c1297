"""Dagster assets: thin wrappers that call the plain modules (ingest, dbt, publish, dashboards).

Graph: raw/<source> (one ingest step lands all six sources) -> dbt models (staging, intermediate, marts; dbt tests
become asset checks) -> analyst_warehouse (atomic publish) -> dashboards. Progress lines go to stdout so a person at a
terminal sees a line per step; Dagster keeps them in the run's compute logs too.
"""

import os
import time
from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster import AssetExecutionContext
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from dagster_project.dbt_project import MANIFEST_PATH, TILSYN_DBT_PROJECT, ensure_dbt_manifest
from dagster_project.publish import publish_warehouse
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


# --- ingest ---------------------------------------------------------------------------------------------------------
RAW_ASSET_SPECS = [
    dg.AssetSpec(["raw", name], group_name="ingest", description=contract.description, kinds={"polars", "duckdb"})
    for name, contract in SOURCES.items()
]


@dg.multi_asset(specs=RAW_ASSET_SPECS, name="ingest_landing", can_subset=False)
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


@dbt_assets(manifest=MANIFEST_PATH, project=TILSYN_DBT_PROJECT, dagster_dbt_translator=TilsynDbtTranslator())
def tilsyn_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, tilsyn: TilsynSettings):
    """`dbt build` (models, seeds, tests) on the pipeline database with this center's metric settings."""
    settings = tilsyn.settings()
    os.environ.update(settings.to_env())  # profiles.yml reads the database path from the environment
    started = time.perf_counter()
    say(f"[dbt] build on {settings.pipeline_db_path}")
    built = 0
    for event in dbt.cli(["build", "--vars", settings.dbt_vars_json()], context=context).stream():
        if isinstance(event, dg.Output):
            built += 1
            say(f"[dbt] {built:3d} built {'/'.join(event.output_name.split('__')[-2:])}")
        yield event
    say(f"[dbt] {built} models built and tested in {time.perf_counter() - started:.1f} s")


# --- publish and dashboards -----------------------------------------------------------------------------------------
@dg.asset(deps=tilsyn_dbt_models.keys, group_name="publish", kinds={"duckdb"})
def analyst_warehouse(tilsyn: TilsynSettings) -> dg.MaterializeResult:
    """The analyst warehouse: schemas marts and ops of the pipeline database, published atomically."""
    settings = tilsyn.settings()
    report = publish_warehouse(settings.pipeline_db_path, settings.warehouse_path)
    for line in report.lines():
        say(f"[publish] {line}")
    return dg.MaterializeResult(
        metadata={"path": str(settings.warehouse_path), "version_id": report.version_id,
                  "tables": len(report.table_rows), "rows": sum(report.table_rows.values())}
    )


@dg.asset(deps=[analyst_warehouse], group_name="publish", kinds={"plotly", "html"})
def dashboards(tilsyn: TilsynSettings) -> dg.MaterializeResult:
    """Self-contained HTML dashboards rendered from the analyst warehouse only."""
    from dashboards.build import render_all

    settings = tilsyn.settings()
    report = render_all(settings.warehouse_path, settings.dashboards_dir, progress=lambda l: say(f"[dashboards] {l}"))
    say(f"[dashboards] {report.lines()[-1]}")  # the pages were listed as they were written
    return dg.MaterializeResult(metadata={"out_dir": str(settings.dashboards_dir), "pages": len(report.pages)})
