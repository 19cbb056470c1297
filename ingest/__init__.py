"""Tilsyn's front door: raw exports in, typed, validated and protected rows in the pipeline's DuckDB out.

- `contracts`: the source contract of SOURCES.md as data (columns, types, keys, protection flags, raw DDL)
- `read`: one export file (CSV, gzipped CSV, Parquet) -> text columns with the editor line of every row
- `validate`: types and rules -> the typed rows and every problem as `file, row, field, value, rule`
- `protect`: pseudonym key, keyed pseudonyms, card/IBAN redaction, masking of reported values
- `load`: `load_landing`, the whole run: manifest, incremental skips, quarantine, restricted split
- `sample/` (demo generator) and `adapters/` (vendor export formats -> the canonical form)
"""
