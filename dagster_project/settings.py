"""Tilsyn's settings: one place that maps a config file and the environment to paths and metric variants.

Precedence, lowest first: built-in defaults (metric variants: the `vars:` block of `dbt/dbt_project.yml`), the config
file (`--config FILE`, else `$TILSYN_CONFIG`, else `./tilsyn.toml` when present), then per-run overrides
(`--set metrics.service_level_seconds=30`, command-line paths). The documented example is `tilsyn.example.toml`.

Files derived from the published warehouse path `W` (`data/warehouse.duckdb` by default):
- `W`                              the analyst warehouse (schema `marts`, `ops`); replaced atomically by each run
- `W.stem + .pipeline.duckdb`      the pipeline's private working database (raw, staging, intermediate, marts)
- `W.stem + .restricted.duckdb`    names, pay and termination reasons (mode 0600), never attached by dashboards
- `W.stem + .quarantine/`          rejected export files with a report beside each
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt"
DEFAULT_CONFIG_NAME = "tilsyn.toml"


# The dbt var naming the local days an incremental build rebuilds besides the new rows (a list of ISO dates). It is
# set per run (`tilsyn rebuild`, a partition of `tilsyn_rebuild_days`), never a center's setting.
REBUILD_DATES_VAR = "rebuild_local_dates"


def metric_defaults() -> dict[str, Any]:
    """The METRICS.md variants with their defaults, as declared in dbt_project.yml (their single home)."""
    with open(DBT_PROJECT_DIR / "dbt_project.yml", encoding="utf-8") as f:
        dbt_vars = dict(yaml.safe_load(f)["vars"])
    dbt_vars.pop(REBUILD_DATES_VAR, None)
    return dbt_vars


@dataclass(frozen=True)
class Settings:
    landing_dir: Path = Path("data/landing")
    warehouse_path: Path = Path("data/warehouse.duckdb")
    dashboards_dir: Path = Path("data/dashboards")
    # The center's name, in every dashboard page's header and printed page header ("" = none).
    center_name: str = ""
    # Key for pseudonymising caller numbers and customer ids; `TILSYN_PSEUDONYM_KEY` wins over the file.
    pseudonym_key_file: Path | None = None
    # Special days (CSV `date,name`) added to the sample generator's public holidays for the forecasts.
    special_days_file: Path | None = None
    # Nightly schedule (Dagster cron) in the center's time zone.
    schedule_cron: str = "0 2 * * *"
    # Freshness check: a source that sent files before but none for more than this many days fails.
    freshness_days: float = 3
    # How often the landing sensor looks at the landing folder (Dagster's minimum_interval_seconds less 1 s of
    # tolerance for the daemon's wake-ups, dagster_project/sensors.py). 5 s, the
    # daemon's own loop: a slice has a minute from landing to its today page, and the worst wait for a tick counts
    # in full; an idle tick costs ~1 % of a core (DECISIONLOG "The sensor looks every 5 s").
    sensor_interval_seconds: int = 5
    # First local day of the daily partitions of job `tilsyn_rebuild_days` (the days Dagster offers to rebuild).
    rebuild_first_day: date = date(2020, 1, 1)
    # The "today" pages list agents in a not-ready state for longer than this at the data's cutoff. A display
    # threshold, not a metric: changing it rebuilds nothing.
    long_aux_minutes: float = 15
    metrics: dict[str, Any] = field(default_factory=metric_defaults)

    # --- derived paths -------------------------------------------------------------------------------------------
    @property
    def pipeline_db_path(self) -> Path:
        return self.warehouse_path.with_name(self.warehouse_path.stem + ".pipeline.duckdb")

    @property
    def restricted_db_path(self) -> Path:
        return self.warehouse_path.with_name(self.warehouse_path.stem + ".restricted.duckdb")

    @property
    def quarantine_dir(self) -> Path:
        return self.warehouse_path.with_name(self.warehouse_path.stem + ".quarantine")

    @property
    def center_timezone(self) -> str:
        return str(self.metrics["center_timezone"])

    def dbt_vars_json(self) -> str:
        return json.dumps(self.metrics, sort_keys=True)

    def with_paths(self, **paths: Path | str | None) -> Settings:
        """Override paths given on the command line (None leaves a path as it is)."""
        given = {k: Path(v) for k, v in paths.items() if v is not None}
        return replace(self, **given)

    def to_env(self) -> dict[str, str]:
        """Environment for child processes (dbt, a Dagster code location) so they see the same settings."""
        return {
            "TILSYN_LANDING_DIR": str(self.landing_dir.resolve()),
            "TILSYN_WAREHOUSE": str(self.warehouse_path.resolve()),
            "TILSYN_DASHBOARDS_DIR": str(self.dashboards_dir.resolve()),
            "TILSYN_PIPELINE_DB": str(self.pipeline_db_path.resolve()),
            "TILSYN_METRICS_JSON": self.dbt_vars_json(),
            "TILSYN_CENTER_NAME": self.center_name,
            "TILSYN_LONG_AUX_MINUTES": str(self.long_aux_minutes),
            "TILSYN_SENSOR_INTERVAL_SECONDS": str(self.sensor_interval_seconds),
        }


def _parse_override(text: str) -> tuple[list[str], Any]:
    if "=" not in text:
        raise ValueError(f"--set takes KEY=VALUE (e.g. metrics.service_level_seconds=30), got {text!r}")
    key, raw = text.split("=", 1)
    try:
        value: Any = json.loads(raw)
    except json.JSONDecodeError:
        value = raw  # a bare string such as Europe/Oslo
    return key.strip().split("."), value


def load_settings(config_file: Path | str | None = None, overrides: list[str] | None = None) -> Settings:
    """Build settings from defaults, the config file and `section.key=value` overrides.

    Environment variables written by `Settings.to_env` are honoured too, so a Dagster code location started by
    `dagster dev` sees the paths of the command that started it.
    """
    defaults = Settings()
    metrics = dict(defaults.metrics)
    paths: dict[str, Any] = {}
    schedule: dict[str, Any] = {}
    center: dict[str, Any] = {}
    dashboards: dict[str, Any] = {}

    path = Path(config_file) if config_file else None
    if path is None and os.environ.get("TILSYN_CONFIG"):
        path = Path(os.environ["TILSYN_CONFIG"])
    if path is None and Path(DEFAULT_CONFIG_NAME).is_file():
        path = Path(DEFAULT_CONFIG_NAME)
    if path is not None:
        if not path.is_file():
            raise FileNotFoundError(f"config file {path} does not exist")
        with open(path, "rb") as f:
            data = tomllib.load(f)
        _check_known(data.get("metrics", {}), metrics, f"{path} [metrics]")
        metrics.update(data.get("metrics", {}))
        paths.update(data.get("paths", {}))
        schedule.update(data.get("schedule", {}))
        center.update(data.get("center", {}))
        dashboards.update(data.get("dashboards", {}))

    env_paths = {
        "landing": "TILSYN_LANDING_DIR",
        "warehouse": "TILSYN_WAREHOUSE",
        "dashboards": "TILSYN_DASHBOARDS_DIR",
        "pseudonym_key_file": "TILSYN_PSEUDONYM_KEY_FILE",
    }
    for key, var in env_paths.items():
        if os.environ.get(var):
            paths[key] = os.environ[var]
    if os.environ.get("TILSYN_CENTER_NAME"):
        center["name"] = os.environ["TILSYN_CENTER_NAME"]
    if os.environ.get("TILSYN_LONG_AUX_MINUTES"):
        dashboards["long_aux_minutes"] = os.environ["TILSYN_LONG_AUX_MINUTES"]
    if os.environ.get("TILSYN_SENSOR_INTERVAL_SECONDS"):
        schedule["sensor_interval_seconds"] = os.environ["TILSYN_SENSOR_INTERVAL_SECONDS"]
    if os.environ.get("TILSYN_METRICS_JSON"):
        metrics.update(json.loads(os.environ["TILSYN_METRICS_JSON"]))

    for text in overrides or []:
        keys, value = _parse_override(text)
        sections = {
            "metrics": metrics,
            "paths": paths,
            "schedule": schedule,
            "center": center,
            "dashboards": dashboards,
        }
        section = sections.get(keys[0])
        if section is None or len(keys) != 2:
            raise ValueError(
                f"--set {text!r}: use metrics.<name>, paths.<name>, schedule.<name>, center.name or dashboards.<name>"
            )
        if section is metrics:
            _check_known({keys[1]: value}, defaults.metrics, "--set")
        section[keys[1]] = value

    return Settings(
        landing_dir=Path(paths.get("landing", defaults.landing_dir)),
        warehouse_path=Path(paths.get("warehouse", defaults.warehouse_path)),
        dashboards_dir=Path(paths.get("dashboards", defaults.dashboards_dir)),
        center_name=str(center.get("name", defaults.center_name)).strip(),
        pseudonym_key_file=Path(paths["pseudonym_key_file"]) if paths.get("pseudonym_key_file") else None,
        special_days_file=Path(paths["special_days_file"]) if paths.get("special_days_file") else None,
        schedule_cron=str(schedule.get("cron", defaults.schedule_cron)),
        freshness_days=float(schedule.get("freshness_days", defaults.freshness_days)),
        sensor_interval_seconds=int(
            _positive(
                schedule.get("sensor_interval_seconds", defaults.sensor_interval_seconds),
                "schedule.sensor_interval_seconds",
            )
        ),
        rebuild_first_day=_iso_date(
            schedule.get("rebuild_first_day", defaults.rebuild_first_day), "schedule.rebuild_first_day"
        ),
        long_aux_minutes=_positive(
            dashboards.get("long_aux_minutes", defaults.long_aux_minutes), "dashboards.long_aux_minutes"
        ),
        metrics=metrics,
    )


def _positive(value: Any, where: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: {value!r} is not a number") from None
    if not number > 0:
        raise ValueError(f"{where}: {value!r} must be more than 0")
    return number


def _check_known(given: dict[str, Any], known: dict[str, Any], where: str) -> None:
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise ValueError(f"{where}: unknown metric setting(s) {unknown}; known: {sorted(known)}")


def _iso_date(value: Any, where: str) -> date:
    """A date from TOML (a date or a YYYY-MM-DD string) or from --set (a string)."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{where}: {value!r} is not a date written YYYY-MM-DD") from None
