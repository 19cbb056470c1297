"""Shared fixtures for the dashboard tests (the session's browser lives in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def screenshot_dir(artifacts_dir: Path) -> Path:
    """Screenshots of every checked page, for people to look at (test-artifacts/ is git-ignored)."""
    path = artifacts_dir / "screenshots"
    path.mkdir(exist_ok=True)
    return path
