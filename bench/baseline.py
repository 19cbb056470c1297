"""The floor: DuckDB alone reads every raw export file of a landing folder once and computes the core daily figures.

Per file format (CSV or Parquet) it reads `calls` once (daily offered/answered per queue and daily handle seconds per
agent, local dates in the center's zone), `agent_states` once (daily seconds per agent and state, from each event to
the agent's next event) and counts the rows of the small sources. No validation, no pseudonyms, no history: the least
work that touches every byte Tilsyn touches. Run as a script it prints its figures as one JSON line, so the benchmark
can measure its peak memory in a process of its own:

    uv run python bench/baseline.py LANDING_DIR --format csv [--timezone Europe/Oslo]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import duckdb

from ingest.contracts import SOURCES

SMALL_SOURCES = ("schedules", "roster", "ledger", "qa_evaluations")


DUCKDB_TYPES = {
    "string": "varchar",
    "period": "varchar",
    "integer": "bigint",
    "decimal": "decimal(18,4)",
    "date": "date",
    "timestamp": "timestamptz",
    "boolean": "boolean",
}


def source_reader(landing: Path, source: str, fmt: str) -> str:
    pattern = str(landing / source / f"*.{fmt}")
    if fmt == "parquet":
        return f"read_parquet('{pattern}')"
    # The contract's columns, not DuckDB's sniffer: it sniffs one near-empty file (a holiday) and then re-sniffs,
    # which made reading the calls 12x slower (24 s instead of 2 s for 2.7 million legs). CSV timestamps carry
    # their offset, so they parse as timestamptz.
    columns = ", ".join(f"'{c.name}': '{DUCKDB_TYPES[c.type]}'" for c in SOURCES[source].columns)
    return (
        f"read_csv('{pattern}', columns={{{columns}}}, header=true, delim=',', quote='\"', escape='\"', "
        "auto_detect=false)"
    )


def run_baseline(landing: Path, fmt: str, timezone: str = "Europe/Oslo") -> dict:
    """Compute the baseline figures; return rows read per source, result rows and seconds."""
    started = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"set TimeZone = '{timezone}'")
    # One read of the calls files feeds both aggregates (a temp table of the four columns they need).
    con.execute(f"""
        create temp table legs as
        select queue, agent_id, answered_at is not null as answered,
               coalesce(talk_seconds, 0) + coalesce(hold_seconds, 0) + coalesce(acw_seconds, 0) as handle_seconds,
               cast(coalesce(queued_at, dialed_at, ended_at) as date) as local_date, direction
        from {source_reader(landing, "calls", fmt)}
    """)
    queue_days = con.execute("""
        select local_date, queue, count(*) as offered, count(*) filter (where answered) as answered
        from legs where direction = 'inbound' and queue is not null group by all
    """).fetchall()
    agent_days = con.execute("""
        select local_date, agent_id, sum(handle_seconds) as handle_seconds
        from legs where answered and agent_id is not null group by all
    """).fetchall()
    calls_rows = con.execute("select count(*) from legs").fetchone()[0]
    # Each state lasts until the agent's next event (the last event of an agent has no length).
    state_days = con.execute(f"""
        with events as (
            select agent_id, state, event_at,
                   lead(event_at) over (partition by agent_id order by event_at) as next_at
            from {source_reader(landing, "agent_states", fmt)}
        )
        select cast(event_at as date) as local_date, agent_id, state,
               sum(epoch(next_at) - epoch(event_at)) as state_seconds, count(*) as events
        from events group by all
    """).fetchall()
    rows = {"calls": calls_rows, "agent_states": sum(r[4] for r in state_days)}
    for source in SMALL_SOURCES:
        if any((landing / source).glob(f"*.{fmt}")):
            rows[source] = con.execute(f"select count(*) from {source_reader(landing, source, fmt)}").fetchone()[0]
    con.close()
    return {
        "rows": rows,
        "result_rows": {"queue_days": len(queue_days), "agent_days": len(agent_days), "state_days": len(state_days)},
        "seconds": time.perf_counter() - started,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("landing", type=Path)
    parser.add_argument("--format", choices=["csv", "parquet"], required=True)
    parser.add_argument("--timezone", default="Europe/Oslo")
    args = parser.parse_args()
    print(json.dumps(run_baseline(args.landing, args.format, args.timezone)), flush=True)


if __name__ == "__main__":
    main()
