"""Special days: holidays and other days a center does not run as usual.

A calendar is a mapping local date -> name. The default is the sample generator's public holidays (Norwegian,
ingest/sample/center.py), named so that a holiday finds its own earlier occurrences; a center extends or replaces it
with a CSV file of `date,name` rows (`--calendar FILE`, setting paths.special_days_file).
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

from ingest.sample.center import easter_sunday, public_holidays

EASTER_OFFSET_NAMES = {
    -3: "Maundy Thursday",
    -2: "Good Friday",
    1: "Easter Monday",
    39: "Ascension Day",
    50: "Whit Monday",
}
FIXED_NAMES = {(1, 1): "New Year's Day", (5, 1): "Labour Day", (5, 17): "Constitution Day", (12, 25): "Christmas Day"}
FIXED_NAMES[(12, 26)] = "Boxing Day"


def default_calendar(first_year: int, last_year: int) -> dict[date, str]:
    """The generator's public holidays of the years given, each with its name."""
    calendar: dict[date, str] = {}
    for year in range(first_year, last_year + 1):
        easter = easter_sunday(year)
        for day in sorted(public_holidays(year)):
            name = FIXED_NAMES.get((day.month, day.day)) or EASTER_OFFSET_NAMES.get((day - easter).days)
            calendar[day] = name or f"holiday {day.isoformat()}"
    return calendar


def read_calendar(path: Path | str) -> dict[date, str]:
    """A `date,name` CSV (header required; name may be empty). Errors name the file, line and field."""
    calendar: dict[date, str] = {}
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames is None or "date" not in reader.fieldnames:
            raise ValueError(f"{path}: a calendar needs a header with a `date` column (and optionally `name`)")
        for line, row in enumerate(reader, start=2):
            try:
                day = date.fromisoformat((row["date"] or "").strip())
            except ValueError:
                raise ValueError(f"{path}, line {line}, field date: {row['date']!r} is not a date YYYY-MM-DD") from None
            calendar[day] = (row.get("name") or "").strip() or f"special {day.isoformat()}"
    return calendar


def calendar_span(first_day: date, last_day: date) -> tuple[int, int]:
    """The years a series from `first_day` forecast to `last_day` needs in its default calendar."""
    return first_day.year - 1, (last_day + timedelta(days=1)).year + 1
