"""What every adapter hands back and how it writes: the `ImportReport`, the canonical CSV writers, the state mapping
checks.

The report makes an import auditable: how many vendor rows came in, how many canonical rows each source received,
which files were written, every data quirk met (counted, never silently dropped) and every excluded row by reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl

from ingest.adapters.timestamps import iso_text
from ingest.contracts import AGENT_STATES, SOURCES


@dataclass
class ImportReport:
    adapter: str
    input_rows: int = 0
    rows_written: dict[str, int] = field(default_factory=dict)  # canonical source -> rows
    files_written: list[Path] = field(default_factory=list)
    quirks: dict[str, int] = field(default_factory=dict)  # quirk name -> rows showing it (rows are kept)
    excluded: dict[str, int] = field(default_factory=dict)  # reason -> rows not written
    elapsed_seconds: float = 0.0

    def lines(self) -> list[str]:
        out = [f"{self.adapter}: {self.input_rows:,} input rows in {self.elapsed_seconds:.1f} s"]
        out += [f"  wrote {n:,} rows to {source}" for source, n in self.rows_written.items()]
        out += [f"  file {path}" for path in self.files_written]
        out += [f"  excluded {n:,}: {reason}" for reason, n in self.excluded.items()]
        out += [f"  quirk {n:,}: {name}" for name, n in self.quirks.items()]
        return out


def write_canonical(frame: pl.DataFrame, landing_dir: Path, source: str, file_stem: str, report: ImportReport) -> Path:
    """Write `frame` as `<landing>/<source>/<file_stem>.csv` in the contract's column order; record it in `report`.

    The output is deterministic (same input, same bytes), so re-running an import yields a file the loader
    recognises by content hash and does not load twice.
    """
    columns = SOURCES[source].column_names
    missing = [c for c in columns if c not in frame.columns]
    frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in missing).select(columns)
    path = landing_dir / source / f"{file_stem}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_csv(path)
    report.rows_written[source] = report.rows_written.get(source, 0) + frame.height
    report.files_written.append(path)
    return path


def agent_state_row(agent_id: str, event_at: datetime, state: str, reason: str | None) -> dict:
    """A canonical `agent_states` row, with the `month` its file is written by (`write_canonical_by_month`)."""
    return {
        "agent_id": agent_id,
        "event_at": iso_text(event_at),
        "state": state,
        "reason": reason,
        "month": event_at.strftime("%Y-%m"),
    }


def write_canonical_by_month(
    rows_by_source: dict[str, list[dict]],
    landing_dir: Path,
    file_prefix: str,
    report: ImportReport,
    say: Callable[[str], None],
) -> None:
    """Write each source's rows (dicts with a `month` key) as `<file_prefix>_<YYYY-MM>.csv`, a file a month."""
    for source, rows in rows_by_source.items():
        if not rows:
            continue
        frame = pl.DataFrame(rows, infer_schema_length=None).sort("month", maintain_order=True)
        for (month,), part in frame.group_by("month", maintain_order=True):
            path = write_canonical(part.drop("month"), landing_dir, source, f"{file_prefix}_{month}", report)
            say(f"{file_prefix}: wrote {part.height:,} rows to {path}")


def check_state_mapping(mapping: dict[str, str], option: str) -> None:
    """Raise when the caller's mapping (vendor status -> canonical state) names a state the contract does not have."""
    wrong = {name: state for name, state in mapping.items() if state not in AGENT_STATES}
    if wrong:
        raise ValueError(f"{option}: {wrong} map to unknown state(s); canonical states: {', '.join(AGENT_STATES)}")


def unmapped_states_message(unknown: dict[str, list], kind: str, mapping: str, option: str, unit: str) -> str:
    """The error text for vendor statuses the mapping does not name: each with its count and first place seen."""
    listed = "; ".join(f"{name!r} ({n} {unit}, first at {first})" for name, (n, first) in sorted(unknown.items()))
    return (
        f"{kind} not in the {mapping}: {listed}. Add each to {option} with a canonical state "
        f"({', '.join(AGENT_STATES)}), e.g. {{{next(iter(sorted(unknown)))!r}: 'aux'}}."
    )
