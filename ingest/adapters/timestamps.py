"""Timestamps in vendor exports: ISO 8601 with an offset in, canonical ISO text out (shared by the JSON adapters)."""

from __future__ import annotations

from datetime import datetime


def parse_offset_timestamp(value: str | None, where: str, field_name: str) -> datetime | None:
    """An ISO 8601 timestamp that carries `Z` or an offset; None for an empty value; else an error naming the field."""
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        parsed = None
    if parsed is None or parsed.utcoffset() is None:
        raise ValueError(f"{where}: field {field_name}: {value!r} is not an ISO 8601 timestamp with Z or an offset")
    return parsed


def iso_text(ts: datetime | None) -> str | None:
    """The canonical files' timestamp text: seconds, or milliseconds when there are any."""
    return None if ts is None else ts.isoformat(timespec="milliseconds" if ts.microsecond else "seconds")
