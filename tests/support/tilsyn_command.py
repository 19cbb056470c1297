"""The `tilsyn` command as the end-to-end tests run it: the locked environment's script, in a subprocess."""

from __future__ import annotations

import sys
from pathlib import Path

TILSYN = str(Path(sys.executable).parent / "tilsyn")


def pipeline_args(landing: Path, warehouse: Path, dashboards: Path, *overrides: str) -> list[str]:
    """`tilsyn run`'s arguments for these folders, each override as `--set SECTION.KEY=VALUE`."""
    args = ["run", "--landing", str(landing), "--warehouse", str(warehouse), "--dashboards", str(dashboards)]
    return args + [arg for override in overrides for arg in ("--set", override)]
