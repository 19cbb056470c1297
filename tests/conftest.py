"""Shared test setup: the dbt manifest the Dagster definitions need, and where test artefacts go."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS_DIR = REPO_ROOT / "test-artifacts"

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")


def pytest_configure(config: pytest.Config) -> None:
    """Parse the dbt project once, before any test worker starts (each would otherwise find the manifest stale in a
    fresh clone and parse it at the same time)."""
    if not hasattr(config, "workerinput"):  # the main process, with or without pytest-xdist
        from dagster_project.dbt_project import ensure_dbt_manifest

        ensure_dbt_manifest()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    return ARTIFACTS_DIR


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session (Playwright's sync API allows one per thread)."""
    from tests.support.browser import Browser

    with Browser() as b:
        yield b
