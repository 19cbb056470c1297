"""A second floor: DuckDB alone stores every raw export row of a landing folder in a database file.

The baseline (`baseline.py`) only reads the files and aggregates; a warehouse must also store them. This stores each
source as one table (the contract's column types, no validation, no pseudonyms, no lineage) in a fresh DuckDB file
with the pipeline's memory bound, and prints rows and seconds per source. Not part of the test suite; run by hand:

    uv run python bench/store_floor.py bench/out/a1000_d365_s7_csv/landing --format csv
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import duckdb
from baseline import source_reader  # bench/ is this script's folder, hence on sys.path

from ingest.contracts import SOURCES


def store_all(landing: Path, fmt: str, database: Path) -> int:
    """Store every source found in `landing` as a table of `database`; print a line per source; return the rows."""
    started, total = time.perf_counter(), 0
    with duckdb.connect(str(database)) as con:
        con.execute("set memory_limit = '5GB'; set preserve_insertion_order = false")
        for source in SOURCES:
            if not any((landing / source).glob(f"*.{fmt}")):
                continue
            source_started = time.perf_counter()
            con.execute(f"create table {source} as select * from {source_reader(landing, source, fmt)}")
            rows = con.execute(f"select count(*) from {source}").fetchone()[0]
            total += rows
            print(f"{source}: {rows:,} rows stored in {time.perf_counter() - source_started:.1f} s", flush=True)
        con.execute("checkpoint")
    seconds = time.perf_counter() - started
    print(f"stored {total:,} rows in {seconds:.1f} s ({total / seconds:,.0f} rows/s) in {database}", flush=True)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("landing", type=Path)
    parser.add_argument("--format", choices=["csv", "parquet"], required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.landing.parent) as work:  # same disk as the pipeline's files
        store_all(args.landing, args.format, Path(work) / "store_floor.duckdb")


if __name__ == "__main__":
    main()
