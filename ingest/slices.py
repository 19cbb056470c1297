"""Intraday slices: the file-name pattern that states a slice's cutoff, read by ingest and written by the generator.

An ACD or WFM tool exporting every 15 or 30 minutes names each file after the moment its data is complete up to
(its **cutoff**). Tilsyn reads two forms at the end of the file's name (before `.csv`, `.csv.gz`, `.parquet`):

* `<anything>_YYYY-MM-DD_HHMM`: the cutoff in the center's local time (`time_zone`); `HHMM` runs 0000-2400, and
  `2400` is the next local midnight (so `calls_2026-01-02_2400.csv` is the day's last slice);
* `<anything>_YYYY-MM-DDTHHMM[SS]<offset>` or with colons (`..._2026-01-02T08:15:00+01:00`), `<offset>` being `Z`
  or `+HHMM` / `+HH:MM`: an instant, needed where local names repeat (the hour the clocks go back).

A file whose name ends in a date alone (`calls_2026-01-02.csv`) is a **whole-day** file of that local day. Any other
name (`export.csv`, a monthly `amazon_connect_2026-01.csv`) states no cutoff: its cutoff is the latest timestamp in
it. The local day of a slice is the day of the instant just before its cutoff (a cutoff at midnight closes the day
before it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# The name's stem without the format's extension(s).
_EXTENSION = re.compile(r"(\.csv\.gz|\.csv|\.parquet)$", re.IGNORECASE)
_LOCAL = re.compile(r"_(\d{4}-\d{2}-\d{2})_(\d{2})(\d{2})$")
_INSTANT = re.compile(r"_(\d{4}-\d{2}-\d{2})T(\d{2}):?(\d{2})(?::?(\d{2}))?(Z|[+-]\d{2}:?\d{2})$")
_DAY = re.compile(r"_(\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True)
class NamedCutoff:
    """What a file's name says: a slice's cutoff (UTC, naive) or the one local day a whole-day file covers."""

    cutoff_at: datetime | None = None  # a slice: data complete up to this instant (naive UTC)
    whole_day: date | None = None  # a whole-day file of this local day


def stem(name: str) -> str:
    return _EXTENSION.sub("", name)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def read_name(name: str, time_zone: str) -> NamedCutoff:
    """The cutoff or whole day a file name states (both None: the name states nothing).

    Raises nothing: a name that looks like a pattern but is no valid time (`_2026-13-02_0815`, `_2500`) states
    nothing, and the file's latest timestamp decides.
    """
    base = stem(name)
    try:
        if match := _LOCAL.search(base):
            day, hour, minute = date.fromisoformat(match[1]), int(match[2]), int(match[3])
            if not (0 <= minute < 60 and (hour < 24 or (hour == 24 and minute == 0))):
                return NamedCutoff()
            if hour == 24:
                day, hour = day + timedelta(days=1), 0
            local = datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(time_zone))
            return NamedCutoff(cutoff_at=_utc(local))
        if match := _INSTANT.search(base):
            offset = match[5] if match[5] == "Z" else match[5].replace(":", "")
            offset = "+0000" if offset == "Z" else offset
            text = f"{match[1]}T{match[2]}:{match[3]}:{match[4] or '00'}{offset}"
            return NamedCutoff(cutoff_at=_utc(datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z")))
        if match := _DAY.search(base):
            return NamedCutoff(whole_day=date.fromisoformat(match[1]))
    except ValueError:
        return NamedCutoff()
    return NamedCutoff()


def local_day_of_cutoff(cutoff_at: datetime, time_zone: str) -> date:
    """The local day a slice with this cutoff (naive UTC) belongs to: the day of the instant just before it."""
    before = (cutoff_at - timedelta(microseconds=1)).replace(tzinfo=ZoneInfo("UTC"))
    return before.astimezone(ZoneInfo(time_zone)).date()


def local_midnight_after(day: date, time_zone: str) -> datetime:
    """Naive UTC instant of the local midnight that ends `day`."""
    return _utc(datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(time_zone)))


def slice_stem(prefix: str, cutoff_epoch: int, time_zone: str, taken: set[str]) -> str:
    """The stem of a slice file (`<prefix>_YYYY-MM-DD_HHMM`) for a cutoff (UTC epoch seconds); the ISO form when the
    local name is already `taken` (the repeated hour when clocks go back). Local midnight is the day's `2400`."""
    local = datetime.fromtimestamp(cutoff_epoch, ZoneInfo(time_zone))
    if local.hour == 0 and local.minute == 0:
        name = f"{prefix}_{(local - timedelta(days=1)).date()}_2400"
    else:
        name = f"{prefix}_{local.date()}_{local:%H%M}"
    if name in taken:
        name = f"{prefix}_{local:%Y-%m-%dT%H%M%S%z}"
    taken.add(name)
    return name
