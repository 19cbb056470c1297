"""Cutting a generated day into intraday slice files, as an ACD exporting every few minutes would (issue 21).

Calls go to the slice in which they ENDED (ACDs export completed calls), agent state events to the slice in which
they happened; so a call queued in one slice and ended in a later one, and a state lasting several slices, come out
as they would from a real export. Each slice file is named after its cutoff (`ingest/slices.py`:
`calls_2026-01-02_0815.csv` holds calls ended from 08:00 up to, not including, 08:15 local time) and stamped one
minute after it. Rows that end after the day's last cutoff (a call still going at midnight) go to the next day's
slices; after the last generated day they are written as that next day's slices up to the one holding the last of
them.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import polars as pl

from ingest.sample.contacts import DayContacts
from ingest.sample.output import ExportWriter
from ingest.slices import slice_stem

# The moment a slice file lands after its cutoff (the ACD's export job).
EXPORT_DELAY_SECONDS = 60
# Which column places a row of each sliced source in its slice.
SLICED_BY = {"calls": "ended_at", "agent_states": "event_at"}


class DaySlicer:
    def __init__(self, writer_tz: str, minutes: int):
        self.tz = ZoneInfo(writer_tz)
        self.tz_name = writer_tz
        self.step_seconds = minutes * 60
        self.carry: dict[str, pl.DataFrame] = {}
        self.next_day: date | None = None
        self.taken: set[str] = set()

    def _midnight(self, day: date) -> int:
        return int(datetime.combine(day, time(0), tzinfo=self.tz).timestamp())

    def write_day(self, writer: ExportWriter, _day_start: int, _next_day_start: int, result: DayContacts) -> None:
        """Write one simulated day as slices; the day is the local day `result` was simulated for."""
        frames = {"calls": result.legs, "agent_states": result.states}
        # The simulated day: the local date of its first row that is not carried over (a day with no rows at all
        # still gets its slices: the cutoffs say the ACD had nothing to report).
        day = datetime.fromtimestamp(_day_start + 12 * 3600, self.tz).date()
        self._write_slices(writer, day, frames, last_cutoff=None)
        self.next_day = day + timedelta(days=1)

    def flush(self, writer: ExportWriter) -> None:
        """After the last day: the rows that ended after its midnight, as the next day's first slices."""
        if self.next_day is None or not any(f.height for f in self.carry.values()):
            return
        last = max(int(f[SLICED_BY[s]].max()) for s, f in self.carry.items() if f.height)
        start = self._midnight(self.next_day)
        last_cutoff = start + ((last - start) // self.step_seconds + 1) * self.step_seconds
        self._write_slices(writer, self.next_day, {s: f.clear() for s, f in self.carry.items()}, last_cutoff)

    def _write_slices(
        self, writer: ExportWriter, day: date, frames: dict[str, pl.DataFrame], last_cutoff: int | None
    ) -> None:
        start, end = self._midnight(day), self._midnight(day + timedelta(days=1))
        stop = end if last_cutoff is None else min(end, last_cutoff)
        for source, frame in frames.items():
            column = SLICED_BY[source]
            if source in self.carry:
                frame = pl.concat([self.carry[source], frame], how="diagonal_relaxed")
            self.carry[source] = frame.filter(pl.col(column) >= stop)
            frame = frame.filter(pl.col(column) < stop)
            cutoff = start
            while cutoff < stop:
                # Clocks going back or forward: the step is in real time, the names follow the local clock.
                cutoff = min(cutoff + self.step_seconds, end)
                part = frame.filter((pl.col(column) >= cutoff - self.step_seconds) & (pl.col(column) < cutoff))
                if cutoff - self.step_seconds <= start:  # the first slice also takes anything before midnight
                    part = frame.filter(pl.col(column) < cutoff)
                name = slice_stem(source, cutoff, self.tz_name, self.taken)
                writer.write(source, name, part, cutoff + EXPORT_DELAY_SECONDS)
