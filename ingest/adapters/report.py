"""What every adapter hands back and how it writes: the `ImportReport` and the canonical CSV writer.

The report makes an import auditable: how many vendor rows came in, how many canonical rows each source received,
which files were written, every data quirk met (counted, never silently dropped) and every excluded row by reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ingest.contracts import SOURCES


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
