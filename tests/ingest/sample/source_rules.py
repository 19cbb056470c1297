"""The SOURCES.md row rules as a checker for export files written as text (every value a string)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import polars as pl

from ingest.contracts import SOURCES

TIMESTAMP_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}([+-]\d{2}:\d{2}|Z)$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PERIOD_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
INTEGER_RE = re.compile(r"^\d+$")  # every integer column of the contract is a non-negative count
DECIMAL_RE = re.compile(r"^-?\d+(\.\d+)?$")


def read_text(path: Path) -> pl.DataFrame:
    """A CSV as written, every value a string (empty -> null)."""
    return pl.read_csv(path, infer_schema=False)


def violations(source: str, df: pl.DataFrame) -> list[str]:
    """Rows of one export file that break the SOURCES.md rules, as 'row N: column: problem' (N = 1 after header)."""
    contract = SOURCES[source]
    problems: list[str] = []
    rows = df.to_dicts()
    for n, row in enumerate(rows, start=1):
        for col in contract.columns:
            value = row.get(col.name)
            if value is None or value == "":
                if col.required:
                    problems.append(f"row {n}: {col.name}: required value missing")
                continue
            pattern = {
                "timestamp": TIMESTAMP_RE,
                "date": DATE_RE,
                "period": PERIOD_RE,
                "integer": INTEGER_RE,
                "decimal": DECIMAL_RE,
            }.get(col.type)
            malformed = pattern is not None and not pattern.match(str(value))
            if malformed or col.type == "timestamp" and _instant(value) is None:
                problems.append(f"row {n}: {col.name}: {value!r} is not a valid {col.type}")
            if col.type == "boolean" and value not in ("true", "false"):
                problems.append(f"row {n}: {col.name}: {value!r} is not a boolean")
            if col.allowed and value not in col.allowed:
                problems.append(f"row {n}: {col.name}: {value!r} not in {col.allowed}")
        if source == "calls":
            problems += [f"row {n}: {p}" for p in _call_problems(row)]
    return problems


def _call_problems(row: dict) -> list[str]:
    out = []
    answered = bool(row["answered_at"])
    if answered and not row["agent_id"]:
        out.append("agent_id: required when answered")
    if row["direction"] == "inbound" and bool(row["queue"]) != bool(row["queued_at"]):
        out.append("queue/queued_at: an inbound leg has both (offered) or neither (IVR only)")
    if row["direction"] == "outbound" and not (row["campaign"] and row["dialed_at"]):
        out.append("campaign/dialed_at: required for outbound")
    ended = _instant(row["ended_at"])
    for start in ("queued_at", "dialed_at", "answered_at"):
        started = _instant(row[start])
        if ended is not None and started is not None and ended < started:
            out.append(f"ended_at: before {start}")
    if not answered and any(row[c] not in (None, "0") for c in ("talk_seconds", "hold_seconds", "acw_seconds")):
        out.append("talk/hold/acw_seconds: must be 0 when not answered")
    return out


def _instant(text: str | None) -> float | None:
    """Epoch seconds of an ISO 8601 timestamp with an offset; None when missing, naive or not a timestamp."""
    if not text or not TIMESTAMP_RE.match(text):
        return None
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        return None
