"""End to end on generated data: `tilsyn generate` -> `tilsyn run` (the real Dagster job, dbt build on a real DuckDB
file, publish, dashboards) -> every page opened offline in headless Chromium.

Nothing is mocked; the figures are reconciled against the raw export files read by DuckDB directly, not through
Tilsyn's code.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.e2e

TILSYN = str(Path(sys.executable).parent / "tilsyn")


def _tilsyn(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run([TILSYN, *args], env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"tilsyn {args[0]} failed:\n{result.stdout[-5000:]}\n{result.stderr[-5000:]}"
    return result


@pytest.fixture(scope="module")
def center(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("center")
    paths = {"landing": root / "landing", "warehouse": root / "warehouse.duckdb", "dashboards": root / "dashboards"}
    _tilsyn("generate", "--out", str(paths["landing"]), "--agents", "10", "--days", "35", "--seed", "3")
    env = {**os.environ, "TILSYN_PSEUDONYM_KEY": "e2e-test-key"}
    run = _tilsyn("run", "--landing", str(paths["landing"]), "--warehouse", str(paths["warehouse"]),
                  "--dashboards", str(paths["dashboards"]), env=env)
    paths["run_stdout"] = run.stdout  # type: ignore[assignment]
    return paths


def test_run_prints_steps_and_a_summary(center: dict) -> None:
    out = center["run_stdout"]
    for step in ("[ingest]", "[dbt]", "[publish]", "[dashboards]"):
        assert step in out
    assert "Tilsyn run finished" in out
    assert str(center["warehouse"]) in out


def test_offered_contacts_reconcile_with_the_raw_exports(center: dict) -> None:
    """Offered legs in the marts = inbound legs with a queue in the export files, counted by DuckDB alone."""
    raw = duckdb.sql(
        f"select count(*) from read_csv('{center['landing']}/calls/*.csv', all_varchar = true) "
        "where direction = 'inbound' and coalesce(queue, '') <> ''"
    ).fetchall()[0][0]
    con = duckdb.connect(str(center["warehouse"]), read_only=True)
    try:
        daily = con.execute("select sum(offered) from marts.kpi_service_daily").fetchone()[0]
        monthly = con.execute("select sum(offered) from marts.kpi_service_monthly").fetchone()[0]
        versions = con.execute("select count(distinct version_id) from ops.published_version").fetchone()[0]
    finally:
        con.close()
    assert raw > 1000  # 10 agents x 35 days: a real workload, not a trivially empty one
    assert daily == raw
    assert monthly == raw
    assert versions == 1


def test_analyst_warehouse_has_only_published_schemas(center: dict) -> None:
    con = duckdb.connect(str(center["warehouse"]), read_only=True)
    try:
        schemas = {r[0] for r in con.execute("select distinct schema_name from duckdb_tables()").fetchall()}
        columns = {r[0] for r in con.execute("select distinct column_name from duckdb_columns()").fetchall()}
    finally:
        con.close()
    assert schemas == {"marts", "ops"}
    assert not {"full_name", "termination_reason", "hourly_cost", "caller_number", "notes"} & columns


def test_every_dashboard_opens_offline_and_draws_data(center: dict, artifacts_dir: Path, browser) -> None:
    pages = sorted(center["dashboards"].glob("*.html"))
    names = {p.name for p in pages}
    assert "index.html" in names
    assert any(n.startswith("exec_") for n in names)
    shots = artifacts_dir / "screenshots" / "e2e"
    shots.mkdir(parents=True, exist_ok=True)
    checks = browser.check_pages([(p, shots / f"{p.stem}.png") for p in pages])
    for page, check in zip(pages, checks):
        assert not check.errors, (page.name, check.errors)
        assert not check.blocked_requests, (page.name, check.blocked_requests)
        if page.name != "index.html":
            assert check.charts, f"{page.name} has no charts"
            assert not check.empty_charts, (page.name, [c.title for c in check.empty_charts])
