"""Reading export files: formats, line numbers, and clear reasons for files that cannot be read at all."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ingest_fixtures import VALID_ROWS, csv_text

from ingest.contracts import SOURCES
from ingest.read import BROKEN, LINE, FileRejected, read_export
from ingest.validate import validate

STATES = SOURCES["agent_states"]
HEADER = "agent_id,event_at,state,reason\n"
ROW = "a1,2026-03-10T08:55:00+01:00,ready,\n"


def read(content: bytes, name: str = "x.csv") -> pl.DataFrame:
    return read_export(Path(name), content, STATES)


def rejected(content: bytes, name: str = "x.csv") -> str:
    with pytest.raises(FileRejected) as info:
        read(content, name)
    return str(info.value)


def test_csv_any_column_order_extra_columns_kept_as_text() -> None:
    frame = read(b"state,vendor_flag,event_at,agent_id\nready,007,2026-03-10T08:55:00Z,a1\n")
    assert frame.to_dicts() == [
        {
            LINE: 2,
            "state": "ready",
            "vendor_flag": "007",
            "event_at": "2026-03-10T08:55:00Z",
            "agent_id": "a1",
            BROKEN: None,
        }
    ]


def test_bom_crlf_and_missing_final_newline_are_fine() -> None:
    frame = read(b"\xef\xbb\xbf" + (HEADER + ROW + ROW.replace("a1", "a2").rstrip("\n")).replace("\n", "\r\n").encode())
    assert frame[LINE].to_list() == [2, 3]
    assert frame["agent_id"].to_list() == ["a1", "a2"]
    assert frame["reason"].to_list() == [None, None]  # empty -> null


def test_gzip_and_parquet_give_the_same_rows_as_csv(tmp_path: Path) -> None:
    text = csv_text([VALID_ROWS["agent_states"], {**VALID_ROWS["agent_states"], "agent_id": "a2"}]).encode()
    parquet = tmp_path / "x.parquet"
    pl.read_csv(text, infer_schema=False).write_parquet(parquet)
    from_csv = read(text)
    assert read(gzip.compress(text), "x.csv.gz").equals(from_csv)
    assert read(parquet.read_bytes(), "x.parquet").select(from_csv.columns).equals(from_csv)


def test_typed_parquet_timestamps_are_written_as_utc_with_offset(tmp_path: Path) -> None:
    parquet = tmp_path / "x.parquet"
    pl.DataFrame(
        {"agent_id": ["a1"], "event_at": [datetime(2026, 3, 10, 7, 55, tzinfo=UTC)], "state": ["ready"]}
    ).write_parquet(parquet)
    assert read(parquet.read_bytes(), "x.parquet")["event_at"].to_list() == ["2026-03-10T07:55:00+00:00"]


@pytest.mark.parametrize(
    "content, name, reason",
    [
        (b"", "x.csv", "empty file"),
        (b"\n\n", "x.csv", "empty file"),
        (b"\n" + (HEADER + ROW).encode(), "x.csv", "line 1 is empty: the header must be the first line"),
        (b"agent_id,state\na1,ready\n", "x.csv", "missing required column(s) event_at in the header"),
        (b"agent_id,event_at,st\xe6te\na1,2026-03-10T08:55:00Z,ready\n", "x.csv", "not UTF-8 text (line 1, the header"),
        (b"agent_id,event_at,state,state\n", "x.csv", "line 1: the header repeats column(s) state"),
        (b"agent_id,event_at,state,_file_seq\n", "x.csv", "line 1: column name(s) _file_seq are reserved"),
        (
            b"agent_id;event_at;state\na1;2026-03-10T08:55:00Z;ready\n",
            "x.csv",
            "line 1: the header is separated by ';'; exports must be comma-separated",
        ),
        (b"not gzip at all", "x.csv.gz", "not a readable gzip file"),
        (b"PAR1 garbage", "x.parquet", "not a readable Parquet file"),
    ],
)
def test_unreadable_files_give_a_clear_reason(content: bytes, name: str, reason: str) -> None:
    assert rejected(content, name).startswith(reason)


# Lines broken on their own used to reject the whole file; now each costs its own line (rule: `read.BROKEN`, the line
# is quarantined by `validate.set_aside`), and its fields are kept at their header positions so whose row it was can
# still be told. (content, broken line, start of its reason, agent_id read from it)
BROKEN_LINES = {
    # \xe6 is Latin-1 for "ae": the line was not saved as UTF-8; it sits on line 3.
    "latin-1 line": (
        (HEADER + ROW).encode() + b"a2,2026-03-10T08:55:00+01:00,ready,p\xe6use\n",
        3,
        "not UTF-8 text (byte 0xe6",
        "a2",
    ),
    "truncated last line": (
        (HEADER + ROW + "a2,2026-03-10T08:5").encode(),
        3,
        "truncated last line: line 3 has 2 of 4 fields and no line end",
        "a2",
    ),
    "quoted value never ends": (
        (HEADER + ROW + 'a2,2026-03-10T08:55:00Z,aux,"half a quoted').encode(),
        3,
        "truncated last line: the quoted value starting on line 3 never ends",
        None,
    ),
    "too few fields": (
        (HEADER + "a3,2026-03-10T08:55:00Z,ready\n" + ROW).encode(),
        2,
        "line 2 has 3 fields, the header has 4",
        "a3",
    ),
    "too many fields": (
        (HEADER + ROW + "a2,2026-03-10T08:56:00Z,ready,,extra\n").encode(),
        3,
        "line 3 has 5 fields, the header has 4",
        "a2",
    ),
}


@pytest.mark.parametrize("case", BROKEN_LINES)
def test_a_broken_line_costs_that_line_only(case: str) -> None:
    content, line, reason, agent = BROKEN_LINES[case]
    frame = read(content)
    assert frame.height == 2
    bad = frame.filter(pl.col(BROKEN).is_not_null())
    assert bad[LINE].to_list() == [line]
    assert bad[BROKEN][0].startswith(reason)
    assert bad["agent_id"][0] == agent
    assert frame.filter(pl.col(BROKEN).is_null())["agent_id"].to_list() == ["a1"]


def test_blank_lines_are_skipped_and_line_numbers_kept() -> None:
    frame = read((HEADER + ROW + "\n" + ROW.replace("a1", "a2")).encode())
    assert frame[LINE].to_list() == [2, 4]
    assert frame["agent_id"].to_list() == ["a1", "a2"]


def test_header_only_file_has_no_rows() -> None:
    assert read(HEADER.encode()).height == 0


@settings(max_examples=300, deadline=None, database=None)
@given(
    reasons=st.lists(
        st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30),
        min_size=1,
        max_size=6,
    )
)
def test_any_quoted_text_reads_back_exactly_with_its_line(reasons: list[str]) -> None:
    # Every value quoted, so a lone "\r" is data, not the end of a CRLF line.
    records = [f'a{i},2026-03-10T08:55:00Z,aux,"{r.replace(chr(34), chr(34) * 2)}"\n' for i, r in enumerate(reasons)]
    frame = read((HEADER + "".join(records)).encode())
    assert frame["reason"].to_list() == [r or None for r in reasons]
    # Row i starts after the header line and every line break ("\n") written by the rows before it.
    starts = [2 + sum(rec.count("\n") for rec in records[:i]) for i in range(len(records))]
    assert frame[LINE].to_list() == starts


csvish = st.text(st.sampled_from(list('a1,"\n\r ;-:TZ+') + ["\xe6", "\x00"]), max_size=120)


@settings(max_examples=300, deadline=None, database=None)
@given(
    body=st.one_of(st.binary(max_size=200), csvish.map(str.encode)),
    name=st.sampled_from(["x.csv", "x.csv.gz", "x.parquet"]),
)
def test_any_bytes_give_rows_or_a_clear_rejection(body: bytes, name: str) -> None:
    # Whatever lands in the folder, reading and validating either works or raises FileRejected: no stack trace.
    for content in (body, (HEADER.encode() + body)):
        try:
            frame = read(content, name)
        except FileRejected as e:
            assert str(e)
            continue
        validate(frame, STATES, "agent_states/x.csv")
