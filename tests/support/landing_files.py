"""Landing files the adapter tests write: reading them back and loading them with the real loader; the real data."""

from __future__ import annotations

import csv
from pathlib import Path

from ingest.load import LoadReport, load_landing

# The Technion SEE lab's Anonymous Bank call log, in /work/shared beside the repository (not in git: 33,066 calls).
ANONYMOUS_BANK_FEBRUARY = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "data"
    / "anonymous_bank"
    / "data_anonymous_bank_february.txt"
)


def read_csv_rows(path: Path) -> list[dict]:
    """A landing CSV file as dicts of text, in file order."""
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def load_into_scratch(landing: Path, scratch_dir: Path) -> LoadReport:
    """Load `landing` with the real loader into databases (and a quarantine folder) in `scratch_dir`."""
    return load_landing(
        landing,
        scratch_dir / "pipeline.duckdb",
        scratch_dir / "restricted.duckdb",
        scratch_dir / "quarantine",
        b"test-key",
        progress=None,
    )
