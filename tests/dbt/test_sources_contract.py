"""dbt's `raw` source lists exactly the columns ingest lands (ingest/contracts.py), so neither can drift alone."""

from __future__ import annotations

from pathlib import Path

import yaml

from ingest.contracts import LOAD_COLUMNS, SOURCES

SOURCES_YML = Path(__file__).resolve().parents[2] / "dbt" / "models" / "staging" / "_sources.yml"


def test_dbt_sources_match_the_ingest_contract() -> None:
    doc = yaml.safe_load(SOURCES_YML.read_text())
    (raw,) = [s for s in doc["sources"] if s["name"] == "raw"]
    tables = {t["name"]: t for t in raw["tables"]}
    assert set(tables) == set(SOURCES)
    for name, contract in SOURCES.items():
        columns = [c["name"] for c in tables[name]["columns"]]
        expected = [c.name for c in contract.analyst_columns] + list(LOAD_COLUMNS)
        assert columns == expected, name
        assert tables[name]["meta"]["dagster"]["asset_key"] == ["raw", name]
        restricted = {c.name for c in contract.restricted_columns}
        assert not restricted & set(columns), f"restricted columns in dbt source {name}"
