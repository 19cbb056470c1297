"""Reading one export file (CSV, gzipped CSV, Parquet) into text columns with the line number of every row.

Every value is read as text, so a bad value becomes a reported problem at its line instead of a parser error
(STACK.md: Polars cast errors carry no line number). `_source_line` is the line a person finds in an editor, header =
line 1; a Parquet row n (1-based) gets line n + 1, so the same rows as CSV or Parquet get the same numbers.

Problems that make the whole file unreadable (empty, a header that is not UTF-8 or not a valid CSV header, a missing
required column, a damaged gzip or Parquet file) raise `FileRejected` with a sentence naming the file and the line.
A line that is broken on its own (bytes that are not UTF-8, the wrong number of fields, a truncated last line, bad
quoting) costs that line only: it comes back as a row whose `BROKEN` column says why (its fields filled from the
header positions as far as they go, so validation can still tell whose row it was) and is quarantined downstream.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import threading
import zlib
from pathlib import Path

import polars as pl

from ingest.contracts import LOAD_COLUMNS, SourceContract

LINE = "_source_line"
# Why a line could not be read as a record (null when it could): set on lines that are quarantined whatever they hold.
BROKEN = "_broken_line"
SUFFIXES = (".csv", ".csv.gz", ".parquet")


class FileRejected(Exception):
    """The file cannot be loaded; the message says why (no stack trace reaches the user).

    `problems` holds the row problems (`validate.PROBLEM_SCHEMA`) when bad rows are the reason.
    """

    def __init__(self, reason: str, problems: pl.DataFrame | None = None):
        super().__init__(reason)
        self.problems = problems


def export_format(path: Path) -> str | None:
    name = path.name.lower()
    return next((s for s in SUFFIXES if name.endswith(s)), None)


def read_export(path: Path, data: bytes, contract: SourceContract) -> pl.DataFrame:
    """The rows of an export as text columns (empty -> null) plus `_source_line`; header names stripped."""
    fmt = export_format(path)
    if fmt == ".parquet":
        frame = _read_parquet(data)
    else:
        if fmt == ".csv.gz":
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError, zlib.error) as e:
                raise FileRejected(f"not a readable gzip file ({e})") from None
        frame = _read_csv(data)
    missing = [c for c in contract.required_header if c not in frame.columns]
    if missing:
        raise FileRejected(f"missing required column(s) {', '.join(missing)} in the header")
    if BROKEN not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(BROKEN))
    return frame.with_columns(pl.exclude(LINE, BROKEN).replace("", None))  # empty, quoted or not, is no value


def _read_parquet(data: bytes) -> pl.DataFrame:
    try:
        frame = pl.read_parquet(io.BytesIO(data))
    except Exception as e:  # Polars raises several error types for a damaged file; all mean the same to a user.
        raise FileRejected(f"not a readable Parquet file ({type(e).__name__}: {str(e).splitlines()[0]})") from None
    _check_header(frame.columns)
    frame = frame.rename({c: c.strip() for c in frame.columns})
    nested = [n for n, t in frame.schema.items() if t.is_nested()]
    if nested:
        raise FileRejected(f"column(s) {', '.join(nested)} hold lists or structs, not plain values")
    text = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if dtype == pl.Datetime and getattr(dtype, "time_zone", None):
            text.append(col.dt.convert_time_zone("UTC").dt.strftime("%Y-%m-%dT%H:%M:%S%.f+00:00"))
        elif dtype == pl.Datetime:
            # Written as text without an offset, which validation rejects like the same value in a CSV.
            text.append(col.dt.strftime("%Y-%m-%dT%H:%M:%S%.f"))
        elif dtype == pl.Date:
            text.append(col.dt.strftime("%Y-%m-%d"))
        elif dtype == pl.Boolean:
            text.append(pl.when(col).then(pl.lit("true")).when(~col).then(pl.lit("false")))
        else:
            text.append(col.cast(pl.String))
    frame = frame.select([e.alias(n) for e, n in zip(text, frame.columns, strict=True)])
    return frame.with_row_index(LINE, offset=2).with_columns(pl.col(LINE).cast(pl.Int64))


_undecodable = threading.local()


def _note_undecodable(error: UnicodeDecodeError) -> tuple[str, int]:
    _undecodable.starts.append(error.start)
    return "\ufffd", error.end


codecs.register_error("tilsyn-note", _note_undecodable)


def _decode(data: bytes) -> tuple[str, dict[int, str]]:
    """The text, and {line: why} for lines holding bytes that are not UTF-8 (replaced by U+FFFD in the text)."""
    try:
        return data.decode("utf-8"), {}
    except UnicodeDecodeError:
        pass
    _undecodable.starts = []
    text = data.decode("utf-8", errors="tilsyn-note")
    bad: dict[int, int] = {}  # line -> its first byte that is not UTF-8
    line, counted_to = 1, 0
    for start in _undecodable.starts:
        line += data.count(b"\n", counted_to, start)
        counted_to = start
        bad.setdefault(line, data[start])
    if 1 in bad:
        raise FileRejected(f"not UTF-8 text (line 1, the header: byte 0x{bad[1]:02x} is not valid UTF-8)")
    return text, {n: f"not UTF-8 text (byte 0x{b:02x}); exports must be UTF-8" for n, b in bad.items()}


def _read_csv(data: bytes) -> pl.DataFrame:
    if data.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte-order mark, as spreadsheet programs write
        data = data[3:]
    text, undecodable = _decode(data)
    if undecodable:
        data = text.encode("utf-8")
    if not text or text.isspace():
        raise FileRejected("empty file (no header and no rows)")
    try:
        header = next(csv.reader([text.partition("\n")[0].removesuffix("\r")], strict=True), [])
    except csv.Error as e:
        raise FileRejected(f"line 1: not a valid CSV header ({e})") from None
    if not "".join(header).strip():
        raise FileRejected("line 1 is empty: the header must be the first line")
    other = next((sep for sep in (";", "\t", "|") if len(header) == 1 and sep in header[0]), None)
    if other:
        raise FileRejected(f"line 1: the header is separated by {other!r}; exports must be comma-separated")
    _check_header(header)
    # Fast path: one record per physical line (no blank lines, no line breaks inside quoted values). Field counts
    # are checked per line with a regex; otherwise the standard csv module gives exact line numbers. The lines are
    # split and scanned by Polars (no Python string per line), and the quote handling only runs when the file
    # has a quote at all (`in` on the whole text is a fast byte search).
    physical = pl.Series("l", [text], dtype=pl.String).str.split("\n").list.explode()
    if text.endswith("\n"):
        physical = physical.head(-1)  # the empty piece after the last line end is no line
    if "\r" in text:
        physical = physical.str.strip_suffix("\r")
    quoted = '"' in text
    simple = (not quoted or (physical.str.count_matches('"', literal=True) % 2 == 0).all()) and not (
        physical == ""
    ).any()
    if simple:
        unquoted = physical.str.replace_all(r'"(?:[^"]|"")*"', "") if quoted else physical
        fields = unquoted.str.count_matches(",", literal=True) + 1
        if not (fields != len(header)).any():  # else the exact reader sets the broken lines aside
            try:
                frame = pl.read_csv(data, infer_schema=False, new_columns=[h.strip() for h in header])
            except pl.exceptions.PolarsError:
                frame = None  # fall through to the exact (slower) reader, which names the line
            if frame is not None and frame.height == physical.len() - 1:
                frame = frame.with_row_index(LINE, offset=2).with_columns(pl.col(LINE).cast(pl.Int64))
                return _mark_broken(frame, undecodable)
    return _mark_broken(_read_csv_exact(text, header), undecodable)


def _mark_broken(frame: pl.DataFrame, undecodable: dict[int, str]) -> pl.DataFrame:
    """Add the reasons of lines that were not UTF-8 to `BROKEN` (a line may also be broken otherwise)."""
    if BROKEN not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(BROKEN))
    if not undecodable:
        return frame
    lines = pl.Series(list(undecodable), dtype=pl.Int64)
    reasons = pl.Series(list(undecodable.values()), dtype=pl.String)
    found = pl.col(LINE).replace_strict(lines, reasons, default=None, return_dtype=pl.String)
    return frame.with_columns(pl.coalesce(pl.col(BROKEN), found).alias(BROKEN))


def _check_header(header: list[str]) -> None:
    names = [h.strip() for h in header]
    if any(not n for n in names):
        raise FileRejected(f"line 1: the header has an empty column name (column {names.index('') + 1})")
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise FileRejected(f"line 1: the header repeats column(s) {', '.join(duplicated)}")
    reserved = [n for n in names if n in LOAD_COLUMNS or n == BROKEN]
    if reserved:
        raise FileRejected(f"line 1: column name(s) {', '.join(reserved)} are reserved for Tilsyn's load metadata")


def _field_count_reason(line: int, found: int, expected: int, is_last: bool, ends_with_newline: bool) -> str:
    if is_last and found < expected and not ends_with_newline:
        return f"truncated last line: line {line} has {found} of {expected} fields and no line end"
    return f"line {line} has {found} fields, the header has {expected}"


def _read_csv_exact(text: str, header: list[str]) -> pl.DataFrame:
    """Record-by-record reader for files with quoted line breaks, blank lines or broken lines (exact line numbers).

    A broken record keeps the fields it has at their header positions (missing ones empty, extra ones dropped), so
    validation can tell whose row it was; its reason goes to `BROKEN`.
    """
    # Lines end at "\n" only (as in grep -n or wc -l); a "\r" inside a quoted value is not a line break.
    reader = csv.reader(io.StringIO(text, newline="\n"), strict=True)
    rows, line_numbers, broken = [], [], []
    width = len(header)
    first_line = 1
    next(reader)
    while True:
        first_line = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            if "end of data" in str(e) or "EOF" in str(e):
                rows.append([None] * width)
                line_numbers.append(first_line)
                broken.append(f"truncated last line: the quoted value starting on line {first_line} never ends")
                break
            # The reader goes on with the next line; the fields of this one cannot be told apart.
            rows.append([None] * width)
            line_numbers.append(first_line)
            broken.append(f"line {first_line}: not valid CSV ({e})")
            continue
        if not record:
            continue  # a blank line
        reason = None
        if len(record) != width:
            reason = _field_count_reason(
                first_line,
                len(record),
                width,
                is_last=reader.line_num >= text.count("\n"),
                ends_with_newline=text.endswith("\n"),
            )
            record = (record + [None] * width)[:width]
        rows.append(record)
        line_numbers.append(first_line)
        broken.append(reason)
    columns = [h.strip() for h in header]
    frame = pl.DataFrame(rows, schema={c: pl.String for c in columns}, orient="row")
    return frame.with_columns(
        pl.Series(LINE, line_numbers, dtype=pl.Int64), pl.Series(BROKEN, broken, dtype=pl.String)
    ).select(LINE, *columns, BROKEN)
