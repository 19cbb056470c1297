"""dagster-dbt without dbt-core's Python modules in our processes (installed by `dagster_project/__init__.py`).

dagster-dbt imports dbt-core's modules at import when dbt-core is installed (`dagster_dbt/compat.py`: `dbt.version`,
`dbt.adapters.base.impl`, `dbt.contracts.results`), only for three enums and for the in-process adapter and the `dbt
--version` check that `TilsynDbtCliResource` skips. Tilsyn runs dbt as a process of its own (`DBT_EXECUTABLE`), so
those modules cost every process that loads the definitions 1.2-1.6 CPU s (with bytecode; more without) for nothing:
`tilsyn run`, the code server, and each run the landing sensor launches (DECISIONLOG 2026-12-06 "From a slice
landing to the run doing work"). When `dbt.version` cannot be imported, dagster-dbt uses its own copies of the enums
(the same values: it supports dbt Fusion, which has no Python package), so this finder makes that one import fail
for `dagster_dbt.compat` alone; any other importer (dbt itself, a test) gets dbt-core as usual.
tests/dagster_project/test_definitions.py checks the enums still agree with dbt-core's.
"""

from __future__ import annotations

import importlib.abc
import sys

# The module whose import of `dbt.version` decides, in dagster-dbt 0.29 (pinned in uv.lock), whether dbt-core is used.
DAGSTER_DBT_COMPAT = "dagster_dbt.compat"


def _imported_by_dagster_dbt_compat() -> bool:
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_globals.get("__name__") == DAGSTER_DBT_COMPAT:
            return True
        frame = frame.f_back
    return False


class DagsterDbtWithoutDbtCore(importlib.abc.MetaPathFinder):
    """Fails `import dbt.version` when `dagster_dbt.compat` asks for it; finds nothing otherwise."""

    def find_spec(self, fullname, path, target=None):
        if fullname == "dbt.version" and _imported_by_dagster_dbt_compat():
            raise ModuleNotFoundError("dbt-core is run as a process here, not imported", name=fullname)
        return None


def install() -> None:
    if not any(isinstance(finder, DagsterDbtWithoutDbtCore) for finder in sys.meta_path):
        sys.meta_path.insert(0, DagsterDbtWithoutDbtCore())
