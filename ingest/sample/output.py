"""Writing the sample exports in the canonical form, and counting what was written.

Frames arrive with timestamps as int64 UTC epoch seconds; the writer puts the contract's columns in order, formats
timestamps as ISO 8601 with the center's local offset (CSV) or as time-zone-aware timestamps (Parquet), and stamps
each file's modification time with the moment the source system would have exported it.
"""

from __future__ import annotations

import os
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ingest.contracts import SOURCES

TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S%:z"


@dataclass
class GenerationSummary:
    """What `generate_center` wrote: files and rows per source, the time it took, the faults it injected."""

    out_dir: Path
    files: dict[str, int] = field(default_factory=lambda: {s: 0 for s in SOURCES})
    rows: dict[str, int] = field(default_factory=lambda: {s: 0 for s in SOURCES})
    seconds: float = 0.0
    faults: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            f"generated {sum(self.rows.values()):,} rows in {sum(self.files.values())} files into {self.out_dir} "
            f"in {self.seconds:.1f} s"
        ]
        out += [f"  {s:<15} {self.files[s]:>5} files {self.rows[s]:>12,} rows" for s in SOURCES]
        out += [f"  fault: {f}" for f in self.faults]
        return out


class ExportWriter:
    """Writes export files on a background thread, so formatting and I/O (Polars, outside the GIL) overlap with the
    next day's simulation (Python). At most `MAX_PENDING` files wait, which keeps memory flat."""

    MAX_PENDING = 4

    def __init__(self, out_dir: Path, fmt: str, timezone: str, summary: GenerationSummary):
        self.out_dir, self.fmt, self.timezone, self.summary = out_dir, fmt, timezone, summary
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sample-writer")
        self._pending: deque[Future] = deque()

    def path(self, source: str, stem: str) -> Path:
        return self.out_dir / source / f"{stem}.{self.fmt}"

    def write(self, source: str, stem: str, df: pl.DataFrame, exported_at: int | None = None) -> Path:
        """Queue `df` for `<out_dir>/<source>/<stem>.<fmt>`; `finish()` waits for every queued file."""
        while len(self._pending) >= self.MAX_PENDING:
            self._pending.popleft().result()
        self._pending.append(self._pool.submit(self._write, source, stem, df, exported_at))
        return self.path(source, stem)

    def finish(self) -> None:
        """Wait for the queued files (re-raising a failed write) and stop the writer thread."""
        try:
            while self._pending:
                self._pending.popleft().result()
        finally:
            self._pool.shutdown(wait=True)

    def _write(self, source: str, stem: str, df: pl.DataFrame, exported_at: int | None) -> None:
        exprs = []
        for col in SOURCES[source].columns:
            if col.name not in df.columns:
                expr = pl.lit(None, dtype=pl.String)
            elif col.type == "timestamp":
                expr = (
                    pl.from_epoch(pl.col(col.name), time_unit="s")
                    .dt.replace_time_zone("UTC")
                    .dt.convert_time_zone(self.timezone)
                )
                expr = expr.dt.strftime(TIMESTAMP_FORMAT) if self.fmt == "csv" else expr
            elif col.type == "decimal" and self.fmt == "parquet":
                expr = pl.col(col.name).cast(pl.Decimal(18, 4))
            else:
                expr = pl.col(col.name)
            exprs.append(expr.alias(col.name))
        out = df.select(exprs)
        path = self.path(source, stem)
        path.parent.mkdir(parents=True, exist_ok=True)
        if self.fmt == "csv":
            out.write_csv(path)
        else:
            out.write_parquet(path)
        if exported_at is not None:
            os.utime(path, (exported_at, exported_at))
        self.summary.files[source] += 1
        self.summary.rows[source] += out.height
