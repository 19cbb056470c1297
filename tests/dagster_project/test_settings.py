"""Settings: defaults come from dbt_project.yml vars, the config file and --set override them, typos are errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from dagster_project.settings import load_settings, metric_defaults


@pytest.fixture(autouse=True)
def _no_ambient_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in (
        "TILSYN_CONFIG",
        "TILSYN_LANDING_DIR",
        "TILSYN_WAREHOUSE",
        "TILSYN_DASHBOARDS_DIR",
        "TILSYN_METRICS_JSON",
        "TILSYN_PSEUDONYM_KEY_FILE",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)  # no ./tilsyn.toml


def test_defaults_are_the_metrics_md_defaults() -> None:
    metrics = load_settings().metrics
    # METRICS.md: 20 s threshold, 5 s short abandons, Europe/Oslo, 15-minute intervals, 7-day FCR window
    assert metrics["service_level_seconds"] == 20
    assert metrics["short_abandon_seconds"] == 5
    assert metrics["center_timezone"] == "Europe/Oslo"
    assert metrics["interval_minutes"] == 15
    assert metrics["fcr_window_days"] == 7
    assert metrics["service_level_denominator"] == "offered_minus_short_abandons"


def test_config_file_then_overrides(tmp_path: Path) -> None:
    config = tmp_path / "center.toml"
    config.write_text(
        '[metrics]\nservice_level_seconds = 30\ncenter_timezone = "Europe/Berlin"\n'
        '[paths]\nwarehouse = "/srv/tilsyn/wh.duckdb"\n[schedule]\ncron = "30 3 * * *"\n'
        '[center]\nname = "Bergen"\n'
    )
    settings = load_settings(config, ["metrics.service_level_seconds=15", 'metrics.success_outcomes=["sale","upsell"]'])
    assert settings.metrics["service_level_seconds"] == 15  # --set beats the file
    assert settings.metrics["center_timezone"] == "Europe/Berlin"
    assert settings.metrics["success_outcomes"] == ["sale", "upsell"]
    assert settings.schedule_cron == "30 3 * * *"
    assert settings.center_name == "Bergen"
    assert (
        load_settings(config, ["center.name=Bergen harbour (night shift)"]).center_name
        == "Bergen harbour (night shift)"
    )
    assert settings.pipeline_db_path == Path("/srv/tilsyn/wh.pipeline.duckdb")
    assert settings.restricted_db_path == Path("/srv/tilsyn/wh.restricted.duckdb")


def test_unknown_metric_setting_is_a_clear_error(tmp_path: Path) -> None:
    config = tmp_path / "center.toml"
    config.write_text("[metrics]\nservice_level_secs = 30\n")
    with pytest.raises(ValueError, match="service_level_secs"):
        load_settings(config)
    with pytest.raises(ValueError, match="KEY=VALUE"):
        load_settings(None, ["metrics.service_level_seconds"])


def test_env_round_trip() -> None:
    settings = load_settings(
        None, ["metrics.fcr_window_days=3", "center.name=Tromsø", "dashboards.long_aux_minutes=20"]
    ).with_paths(warehouse_path="/tmp/w.duckdb")
    import os

    old = dict(os.environ)
    try:
        os.environ.update(settings.to_env())
        again = load_settings()
    finally:
        os.environ.clear()
        os.environ.update(old)
    assert again.metrics["fcr_window_days"] == 3
    assert again.center_name == "Tromsø"
    assert again.warehouse_path == Path("/tmp/w.duckdb")
    assert again.long_aux_minutes == 20
    assert set(metric_defaults()) == set(again.metrics)


def test_example_config_names_every_metric_setting() -> None:
    """tilsyn.example.toml documents every variant (commented out), so a new setting cannot go undocumented."""
    text = (Path(__file__).resolve().parents[2] / "tilsyn.example.toml").read_text()
    for name in metric_defaults():
        assert f"# {name} = " in text, name


def test_first_rebuild_day_from_the_file_or_set_and_a_bad_one_is_a_clear_error(tmp_path: Path) -> None:
    from datetime import date

    assert load_settings().rebuild_first_day == date(2020, 1, 1)
    config = tmp_path / "center.toml"
    config.write_text("[schedule]\nrebuild_first_day = 2025-06-01\n")  # a TOML date
    assert load_settings(config).rebuild_first_day == date(2025, 6, 1)
    assert load_settings(config, ["schedule.rebuild_first_day=2024-02-29"]).rebuild_first_day == date(2024, 2, 29)
    with pytest.raises(ValueError, match="schedule.rebuild_first_day: '01.03.2026' is not a date"):
        load_settings(None, ["schedule.rebuild_first_day=01.03.2026"])


def test_the_days_to_rebuild_are_set_per_run_not_a_metric_setting() -> None:
    assert "rebuild_local_dates" not in metric_defaults()
    with pytest.raises(ValueError, match="unknown metric setting.*rebuild_local_dates"):
        load_settings(None, ['metrics.rebuild_local_dates=["2026-01-02"]'])


def test_long_aux_minutes_from_the_file_or_set_and_a_bad_one_is_a_clear_error(tmp_path: Path) -> None:
    assert load_settings().long_aux_minutes == 15
    config = tmp_path / "center.toml"
    config.write_text("[dashboards]\nlong_aux_minutes = 10\n")
    assert load_settings(config).long_aux_minutes == 10
    assert load_settings(config, ["dashboards.long_aux_minutes=7.5"]).long_aux_minutes == 7.5
    with pytest.raises(ValueError, match="dashboards.long_aux_minutes: 0 must be more than 0"):
        load_settings(None, ["dashboards.long_aux_minutes=0"])
    with pytest.raises(ValueError, match="dashboards.long_aux_minutes: 'soon' is not a number"):
        load_settings(None, ["dashboards.long_aux_minutes=soon"])
