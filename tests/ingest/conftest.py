"""Fixtures for the ingest tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from ingest_fixtures import Landing


@pytest.fixture
def landing(tmp_path: Path) -> Landing:
    return Landing(tmp_path)
