"""Shared fixtures for the dashboard tests: one headless browser per session, screenshots under test-artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.browser import Browser


@pytest.fixture(scope="session")
def browser():
    with Browser() as b:
        yield b


@pytest.fixture(scope="session")
def screenshot_dir(artifacts_dir: Path) -> Path:
    """Screenshots of every checked page, for people to look at (test-artifacts/ is git-ignored)."""
    path = artifacts_dir / "screenshots"
    path.mkdir(exist_ok=True)
    return path
