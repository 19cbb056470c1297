"""The fault catalogue (docs/fault-catalogue.md): real-world export faults as Hypothesis generators, shared by the
ingest fuzz (tests/ingest/test_fuzz_ingest.py, hundreds of small examples) and the pipeline fuzz
(tests/e2e/test_fuzz_pipeline.py, a few batched `tilsyn run`s carrying every class at once).

A fault generator takes Hypothesis' `draw` and a key prefix and returns an `Outcome`: the files to land in arrival
order, the (file, line) pairs ingest must quarantine, the files it must reject, and the clean twins of the rows that
must win "latest file wins".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from hypothesis import strategies as st

from ingest.contracts import SOURCES
from tests.ingest.ingest_fixtures import VALID_ROWS

CARD = "4111 1111 1111 1111"
IBAN = "NO93 8601 1117 947"
FULL_NAME = "Kari Fuzzmann"
PAY = "317.45"
TERMINATION_REASON = "moved to Tromsø quietly"
SECRETS = [CARD, CARD.replace(" ", ""), IBAN, IBAN.replace(" ", ""), "86011117947", FULL_NAME, PAY, TERMINATION_REASON]

# Free-text fields (redacted in place) and id/code fields (a card there quarantines the row), per source.
FREE_TEXT = {"calls": "notes", "qa_evaluations": "comments"}
ID_FIELDS = {
    "calls": ["leg_id", "contact_id", "queue", "agent_id", "outcome"],
    "agent_states": ["agent_id", "reason"],
    "schedules": ["agent_id"],
    "roster": ["employee_id", "team", "site"],
    "ledger": ["line_id", "cost_center", "account"],
    "qa_evaluations": ["evaluation_id", "contact_id", "agent_id", "form"],
}


# --- clean rows -------------------------------------------------------------------------------------------------------
def clean_rows(source: str, prefix: str, n: int = 4) -> list[dict[str, str]]:
    """`n` valid rows with keys unique to `prefix`. Agent-day sources: two agents, all on 10 March (Oslo)."""
    rows = []
    for i in range(n):
        base = dict(VALID_ROWS[source])
        if source == "calls":
            m = 10 + i
            base.update(
                leg_id=f"{prefix}L{i}",
                contact_id=f"{prefix}C{i}",
                queued_at=f"2026-03-10T09:{m}:00+01:00",
                answered_at=f"2026-03-10T09:{m}:10+01:00",
                ended_at=f"2026-03-10T09:{m}:50+01:00",
                talk_seconds="40",
                hold_seconds="0",
                acw_seconds="5",
                customer_id=f"{prefix}cust{i}",
            )
        elif source == "agent_states":
            base.update(agent_id=f"{prefix}a{i % 2}", event_at=f"2026-03-10T{9 + i}:00:00+01:00")
        elif source == "schedules":
            base.update(
                agent_id=f"{prefix}a{i % 2}",
                starts_at=f"2026-03-10T{9 + i}:00:00+01:00",
                ends_at=f"2026-03-10T{9 + i}:30:00+01:00",
            )
        elif source == "roster":
            base.update(
                employee_id=f"{prefix}E{i}",
                agent_id=f"{prefix}a{i}",
                full_name=FULL_NAME,
                hourly_cost=PAY,
            )
            if i == 0:
                base.update(termination_date="2026-04-30", termination_type="voluntary")
                base.update(termination_reason=TERMINATION_REASON)
        elif source == "ledger":
            base.update(line_id=f"{prefix}B{i}", amount=f"{100 + i}.25")
        elif source == "qa_evaluations":
            base.update(evaluation_id=f"{prefix}Q{i}", contact_id=f"{prefix}C{i}", score=f"{5 + i}.5")
        rows.append(base)
    return rows


def csv_bytes(
    rows: list[dict[str, str]],
    columns: list[str] | None = None,
    bom: bool = False,
    crlf: bool = False,
    encoding: str = "utf-8",
) -> bytes:
    out = io.StringIO()
    columns = columns or list(rows[0])
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n" if crlf else "\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    data = out.getvalue().encode(encoding)
    return b"\xef\xbb\xbf" + data if bom else data


# --- what a fault produces --------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    files: list[tuple[str, str, bytes]] = field(default_factory=list)  # (source, name, content), arrival order
    quarantined: set[tuple[str, int]] = field(default_factory=set)  # (source/name, line)
    superseded: set[tuple[str, int]] = field(default_factory=set)  # of those, the lines a later file sent again
    rejected: set[str] = field(default_factory=set)
    winners: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # clean twins of the rows that win

    def add(self, source: str, name: str, content: bytes) -> str:
        self.files.append((source, name, content))
        return f"{source}/{name}"

    def win(self, source: str, rows: list[dict[str, str]]) -> None:
        self.winners.setdefault(source, []).extend(rows)


def _agent_day(row: dict[str, str]) -> tuple[str, str]:
    # Every time written here is mid-day with an offset of +01:00, so its local (Oslo) day is its first 10 characters.
    return row["agent_id"], row.get("schedule_date") or row["event_at"][:10]


def agent_day_lines(written: list[dict[str, str]], bad: int) -> set[int]:
    """Lines (header = 1) of the written rows on the agent and local day of row `bad` (as the file says them)."""
    return {i + 2 for i, r in enumerate(written) if _agent_day(r) == _agent_day(written[bad])}


def quarantine_one(
    out: Outcome, source: str, p: str, rows: list[dict[str, str]], bad: int, spoil: dict[str, str], name: str
) -> None:
    """Write `rows` with row `bad` spoiled; expect its unit quarantined and the rest to win."""
    written = [dict(r) for r in rows]
    written[bad].update(spoil)
    rel = out.add(source, name, csv_bytes(written))
    lines = agent_day_lines(written, bad) if source in ("agent_states", "schedules") else {bad + 2}
    out.quarantined |= {(rel, line) for line in lines}
    out.win(source, [r for i, r in enumerate(rows) if i + 2 not in lines])


# --- the catalogue ----------------------------------------------------------------------------------------------------
Fault = Callable[[st.DrawFn, str], Outcome]
CATALOGUE: dict[str, Fault] = {}


def fault(name: str) -> Callable[[Fault], Fault]:
    def register(fn: Fault) -> Fault:
        CATALOGUE[name] = fn
        return fn

    return register


any_source = st.sampled_from(list(SOURCES))


def _valid_variant(draw: st.DrawFn, p: str, **options) -> Outcome:
    source = draw(any_source)
    rows = clean_rows(source, p)
    out = Outcome()
    out.add(source, "odd.csv", csv_bytes(rows, **options))
    out.win(source, rows)
    return out


@fault("utf8_bom")
def _(draw, p):
    return _valid_variant(draw, p, bom=True)


@fault("crlf")
def _(draw, p):
    return _valid_variant(draw, p, crlf=True)


@fault("reordered_columns")
def _(draw, p):
    source = draw(any_source)
    rows = clean_rows(source, p)
    columns = draw(st.permutations(list(rows[0])))
    out = Outcome()
    out.add(source, "reordered.csv", csv_bytes(rows, columns=list(columns)))
    out.win(source, rows)
    return out


@fault("latin1_line")
def _(draw, p):
    source = draw(st.sampled_from(["calls", "agent_states", "qa_evaluations"]))
    rows = clean_rows(source, p)
    bad = draw(st.integers(0, len(rows) - 1))
    column = {"calls": "outcome", "agent_states": "reason", "qa_evaluations": "form"}[source]
    rows_written = [dict(r) for r in rows]
    rows_written[bad][column] = "pæuse"
    lines = csv_bytes(rows_written).split(b"\n")  # every line UTF-8 but the bad one, which is Latin-1
    lines[bad + 1] = lines[bad + 1].decode("utf-8").encode("latin-1")
    out = Outcome()
    rel = out.add(source, "latin1.csv", b"\n".join(lines))
    expected = agent_day_lines(rows, bad) if source == "agent_states" else {bad + 2}
    out.quarantined |= {(rel, line) for line in expected}
    out.win(source, [r for i, r in enumerate(rows) if i + 2 not in expected])
    return out


@fault("missing_optional_column")
def _(draw, p):
    source = draw(st.sampled_from(["calls", "agent_states", "qa_evaluations"]))
    column = {"calls": "notes", "agent_states": "reason", "qa_evaluations": "comments"}[source]
    rows = clean_rows(source, p)
    out = Outcome()
    out.add(source, "fewer_columns.csv", csv_bytes(rows, columns=[c for c in rows[0] if c != column]))
    out.win(source, [{**r, column: ""} for r in rows])
    return out


@fault("missing_required_column")
def _(draw, p):
    source = draw(any_source)
    rows = clean_rows(source, p)
    column = draw(st.sampled_from(list(SOURCES[source].required_header)))
    out = Outcome()
    out.rejected.add(out.add(source, "no_required.csv", csv_bytes(rows, columns=[c for c in rows[0] if c != column])))
    return out


@fault("extra_column")
def _(draw, p):
    source = draw(any_source)
    rows = [{**r, "vendor_ref": f"V{i}"} for i, r in enumerate(clean_rows(source, p))]
    out = Outcome()
    out.add(source, "extra.csv", csv_bytes(rows))
    out.win(source, rows)
    return out


@fault("renamed_column")
def _(draw, p):
    # An optional column under another name: its values are kept as an unknown extra column, the column is empty.
    source = draw(st.sampled_from(["calls", "agent_states", "qa_evaluations"]))
    column = {"calls": "outcome", "agent_states": "reason", "qa_evaluations": "comments"}[source]
    rows = clean_rows(source, p)
    renamed = [{(f"{column}_text" if k == column else k): v for k, v in r.items()} for r in rows]
    out = Outcome()
    out.add(source, "renamed.csv", csv_bytes(renamed))
    out.win(source, [{**r, column: ""} for r in rows])
    return out


@fault("duplicate_rows_in_file")
def _(draw, p):
    source = draw(any_source)
    rows = clean_rows(source, p)
    k = draw(st.integers(0, len(rows) - 1))
    out = Outcome()
    out.add(source, "dup_rows.csv", csv_bytes([*rows, rows[k]]))
    out.win(source, rows)
    return out


@fault("duplicate_rows_across_files")
def _(draw, p):
    source = draw(any_source)
    rows = clean_rows(source, p)
    out = Outcome()
    out.add(source, "first.csv", csv_bytes(rows))
    out.add(source, "again.csv", csv_bytes(rows[::-1]))  # the same rows, other bytes
    out.win(source, rows)
    return out


def _other_content(source: str, row: dict[str, str]) -> dict[str, str]:
    changed = {
        "calls": dict(outcome="corrected"),
        "agent_states": dict(state="break"),
        "schedules": dict(activity="training"),
        "roster": dict(team="South"),
        "ledger": dict(amount="999.99"),
        "qa_evaluations": dict(score="9.5"),
    }[source]
    return {**row, **changed}


@fault("resent_other_content")
def _(draw, p):
    source = draw(any_source)
    rows = clean_rows(source, p)
    corrected = [_other_content(source, r) for r in rows]
    out = Outcome()
    out.add(source, "original.csv", csv_bytes(rows))
    out.add(source, "corrected.csv", csv_bytes(corrected))
    out.win(source, corrected)
    return out


@fault("tie_on_latest_wins")
def _(draw, p):
    # Same key, same published_at / posted_on, other content: the later file wins, within a file the later line.
    source = draw(st.sampled_from(["ledger", "schedules", "agent_states", "calls"]))
    rows = clean_rows(source, p)
    tied = [_other_content(source, r) for r in rows]
    out = Outcome()
    if draw(st.booleans()):
        out.add(source, "tie_a.csv", csv_bytes(rows))
        out.add(source, "tie_b.csv", csv_bytes(tied))
    else:
        out.add(source, "tie_lines.csv", csv_bytes([*rows, *tied]))
    out.win(source, tied)
    return out


@fault("out_of_order_arrival")
def _(draw, p):
    # The correction arrives first (older modification time), the original after it: arrival order wins.
    source = draw(any_source)
    rows = clean_rows(source, p)
    out = Outcome()
    out.add(source, "z_correction.csv", csv_bytes([_other_content(source, r) for r in rows]))
    out.add(source, "a_original.csv", csv_bytes(rows))
    out.win(source, rows)
    return out


_ROW_SPOILS: dict[str, dict[str, list[dict[str, str]]]] = {
    "far_dates": {
        "calls": [dict(queued_at="2226-03-10T09:00:00+01:00")],
        "agent_states": [dict(event_at="1926-03-10T09:00:00+01:00")],
        "roster": [dict(as_of="2226-03-01")],
        "ledger": [dict(period="2226-03")],
        "qa_evaluations": [dict(evaluated_at="1926-03-11T10:00:00+01:00")],
    },
    "timestamp_without_offset": {
        "calls": [dict(ended_at="2026-03-10T09:59:40")],
        "agent_states": [dict(event_at="2026-03-10T12:30:00")],
        "schedules": [dict(starts_at="2026-03-10T12:40:00")],
        "qa_evaluations": [dict(evaluated_at="2026-03-11 10:00:00")],
    },
    "negative_duration": {
        "calls": [dict(talk_seconds="-40")],
        "schedules": [dict(ends_at="2026-03-10T08:00:00+01:00")],
    },
    "absurd_duration": {
        "calls": [dict(hold_seconds="999999"), dict(ended_at="2026-03-13T09:00:00+01:00")],
        "schedules": [dict(ends_at="2026-03-12T09:00:00+01:00")],
    },
    "unknown_enum": {
        "calls": [dict(direction="sideways"), dict(end_reason="hung up")],
        "agent_states": [dict(state="napping")],
        "schedules": [dict(activity="gaming")],
        "roster": [dict(role="boss")],
        "ledger": [dict(scenario="wishful")],
    },
    "comma_decimal": {
        "ledger": [dict(amount="100,25")],
        "qa_evaluations": [dict(score="8,5")],
        "roster": [dict(fte="0,5"), dict(hourly_cost="317,45")],
    },
    "thousands_separator": {
        "ledger": [dict(amount="1,250.50"), dict(amount="1 250.50")],
        "calls": [dict(talk_seconds="1,300")],
    },
    "second_currency": {"ledger": [dict(currency="EUR"), dict(currency="SEK")]},
    "control_characters": {
        "calls": [dict(outcome="res\x07olved"), dict(notes="bell\x00here")],
        "agent_states": [dict(reason="aux\x1b[31m")],
        "qa_evaluations": [dict(comments="ok\x08")],
    },
    "card_in_id_field": {
        s: [{f: v} for f in fields for v in (CARD, CARD.replace(" ", ""), IBAN.replace(" ", ""))]
        for s, fields in ID_FIELDS.items()
    },
}


def _row_fault(name: str) -> Fault:
    def make(draw: st.DrawFn, p: str) -> Outcome:
        source = draw(st.sampled_from(sorted(_ROW_SPOILS[name])))
        spoil = draw(st.sampled_from(_ROW_SPOILS[name][source]))
        rows = clean_rows(source, p)
        bad = draw(st.integers(0, len(rows) - 1))
        out = Outcome()
        quarantine_one(out, source, p, rows, bad, spoil, f"{name}.csv")
        return out

    return make


for _name in _ROW_SPOILS:
    CATALOGUE[_name] = _row_fault(_name)


@fault("corrected_after_quarantine")
def _(draw, p):
    # A file with a bad row, then a corrected export of the same rows: the bad line (its agent-day for agent_states
    # and schedules) is listed for audit but superseded, so no longer counted; the corrected rows win.
    spoils = {
        "calls": dict(talk_seconds="-5"),
        "ledger": dict(amount="1,250.50"),
        "qa_evaluations": dict(score="8,5"),
        "roster": dict(role="boss"),
        "agent_states": dict(state="napping"),
        "schedules": dict(activity="gaming"),
    }
    source = draw(st.sampled_from(sorted(spoils)))
    rows = clean_rows(source, p)
    bad = draw(st.integers(0, len(rows) - 1))
    out = Outcome()
    quarantine_one(out, source, p, rows, bad, spoils[source], "with_bad_row.csv")
    out.superseded |= out.quarantined
    out.add(source, "corrected.csv", csv_bytes(rows))
    out.winners[source] = rows
    return out


@fault("dst_ambiguous_hour")
def _(draw, p):
    # 2026-10-25 02:30 happens twice in Oslo: with its offset each is one instant and lands; without, it is
    # quarantined (a timestamp without an offset).
    rows = clean_rows("agent_states", p)
    rows[0]["event_at"], rows[1]["event_at"] = "2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00"
    rows[0]["agent_id"] = rows[1]["agent_id"] = f"{p}dst"
    out = Outcome()
    out.add("agent_states", "dst.csv", csv_bytes(rows))
    out.win("agent_states", rows)
    if draw(st.booleans()):
        naive = clean_rows("agent_states", p + "n")
        naive[0].update(event_at="2026-10-25T02:30:00", agent_id=f"{p}ndst")
        rel = out.add("agent_states", "dst_naive.csv", csv_bytes(naive))
        out.quarantined.add((rel, 2))
        out.win("agent_states", naive[1:])
    return out


@fault("unknown_agent_queue_team")
def _(draw, p):
    # Settled downstream by documented rules (no roster row = team NULL; any queue name is a queue): lands.
    source = draw(st.sampled_from(["calls", "agent_states", "roster", "qa_evaluations"]))
    rows = clean_rows(source, p)
    change = {
        "calls": dict(queue="never-seen-queue", agent_id="ghost"),
        "agent_states": dict(agent_id=f"{p}ghost"),
        "roster": dict(team="Brand New Team"),
        "qa_evaluations": dict(agent_id="ghost"),
    }[source]
    rows = [{**r, **change} if i == 0 else r for i, r in enumerate(rows)]
    out = Outcome()
    out.add(source, "unknown_refs.csv", csv_bytes(rows))
    out.win(source, rows)
    return out


@fault("truncated_file")
def _(draw, p):
    source = draw(any_source)
    rows = clean_rows(source, p)
    data = csv_bytes(rows)
    last = data.rstrip(b"\n").rsplit(b"\n", 1)
    cut = last[1][: last[1].index(b",", last[1].index(b",") + 1) + 1]  # after its second comma: fields missing
    out = Outcome()
    rel = out.add(source, "truncated.csv", last[0] + b"\n" + cut)
    bad = len(rows) - 1
    if source in ("agent_states", "schedules"):
        lines = agent_day_lines(rows, bad)
    else:
        lines = {bad + 2}
    out.quarantined |= {(rel, line) for line in lines}
    out.win(source, [r for i, r in enumerate(rows) if i + 2 not in lines])
    return out


@fault("wrong_field_count")
def _(draw, p):
    source = draw(st.sampled_from(["calls", "ledger", "qa_evaluations", "roster"]))
    rows = clean_rows(source, p)
    bad = draw(st.integers(0, len(rows) - 1))
    lines = csv_bytes(rows).split(b"\n")
    lines[bad + 1] += b",stray"
    out = Outcome()
    rel = out.add(source, "stray_field.csv", b"\n".join(lines))
    out.quarantined.add((rel, bad + 2))
    out.win(source, [r for i, r in enumerate(rows) if i != bad])
    return out


@fault("empty_file")
def _(draw, p):
    source = draw(any_source)
    out = Outcome()
    if draw(st.booleans()):
        out.rejected.add(out.add(source, "empty.csv", b""))
    else:  # a header and no rows: a quiet export, loads 0 rows
        out.add(source, "header_only.csv", csv_bytes(clean_rows(source, p)[:1])[:-1].split(b"\n")[0] + b"\n")
    return out


@fault("very_long_text")
def _(draw, p):
    source = draw(st.sampled_from(["calls", "qa_evaluations"]))
    rows = clean_rows(source, p)
    rows[0][FREE_TEXT[source]] = "lang tekst, " * draw(st.integers(1_000, 5_000))
    out = Outcome()
    out.add(source, "long.csv", csv_bytes(rows))
    out.win(source, rows)
    return out


@fault("card_or_iban_in_free_text")
def _(draw, p):
    source = draw(st.sampled_from(sorted(FREE_TEXT)))
    rows = clean_rows(source, p)
    secret, mark = draw(st.sampled_from([(CARD, "[card removed]"), (IBAN, "[iban removed]")]))
    written = [{**r, FREE_TEXT[source]: f"ref {secret} ok"} if i == 0 else r for i, r in enumerate(rows)]
    out = Outcome()
    out.add(source, "secret_text.csv", csv_bytes(written))
    out.win(source, [{**r, FREE_TEXT[source]: f"ref {mark} ok"} if i == 0 else r for i, r in enumerate(rows)])
    return out


@fault("card_in_extra_column")
def _(draw, p):
    source = draw(st.sampled_from(["calls", "ledger", "roster"]))
    rows = [{**r, "memo": f"card {CARD}"} for r in clean_rows(source, p)]
    out = Outcome()
    out.add(source, "secret_extra.csv", csv_bytes(rows))
    out.win(source, rows)
    return out
