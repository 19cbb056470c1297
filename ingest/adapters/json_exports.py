"""Reading JSON vendor exports: every JSON value of every file in a folder, wherever it starts (shared by the
Amazon Connect and Genesys Cloud adapters)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path


def json_values(folder: Path, noun: str = "value", skip_notes: bool = False) -> Iterator[tuple[str, object]]:
    """Every JSON value of every file under `folder` (sorted by path), with "file:line" of where it starts.

    Values may stand one per line or back to back (as Kinesis Data Firehose writes them), a file may be gzipped.
    `skip_notes` passes over a README or licence beside the exports; `noun` names a value in the error text.
    """
    decoder = json.JSONDecoder()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")):
        if skip_notes and (
            path.suffix.lower() in (".md", ".txt") or path.name.upper().startswith(("LICENSE", "NOTICE"))
        ):
            continue
        data = path.read_bytes()
        text = (gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data).decode("utf-8")
        pos = 0
        while True:
            while pos < len(text) and text[pos].isspace():
                pos += 1
            if pos >= len(text):
                break
            line = text.count("\n", 0, pos) + 1
            try:
                value, pos = decoder.raw_decode(text, pos)
            except json.JSONDecodeError as exc:
                raise ValueError(
                    f"{path}: the JSON {noun} starting at line {line} is not valid JSON: {exc.msg} "
                    f"at line {exc.lineno}, column {exc.colno}"
                ) from exc
            yield f"{path}:{line}", value


def check_export_folders(folders: tuple[Path | None, ...], vendor: str) -> None:
    """Raise FileNotFoundError for the first given folder that is not there."""
    for folder in folders:
        if folder is not None and not Path(folder).is_dir():
            raise FileNotFoundError(f"{folder}: {vendor} export folder not found")
