"""The demo center's files follow the source contract of SOURCES.md, row by row."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from ingest.contracts import SOURCES
from ingest.sample.freetext import luhn_card, norwegian_iban
from tests.ingest.sample.source_rules import read_text, violations


def files_of(demo_dir: Path, source: str) -> list[Path]:
    return sorted((demo_dir / source).glob("*.csv"))


@pytest.mark.parametrize("source", list(SOURCES))
def test_every_file_has_the_contract_header_and_valid_rows(demo_dir: Path, source: str) -> None:
    paths = files_of(demo_dir, source)
    assert paths, f"no {source} files"
    for path in paths:
        df = read_text(path)
        assert df.columns == SOURCES[source].column_names, path.name
        assert violations(source, df) == [], path.name


def test_keys_are_unique(demo_dir: Path) -> None:
    def all_rows(source: str) -> pl.DataFrame:
        return pl.concat([read_text(p) for p in files_of(demo_dir, source)])

    for source in ("calls", "agent_states", "schedules", "roster", "qa_evaluations"):
        df = all_rows(source)
        key = list(SOURCES[source].key)
        assert df.select(key).is_duplicated().sum() == 0, source
    # Ledger line_ids repeat only across files (a revision reposts a line with a later posted_on).
    for path in files_of(demo_dir, "ledger"):
        assert read_text(path)["line_id"].is_duplicated().sum() == 0, path.name


def test_the_demo_has_what_the_dashboards_need(demo_dir: Path) -> None:
    calls = pl.concat([read_text(p) for p in files_of(demo_dir, "calls")])
    inbound = calls.filter(pl.col("direction") == "inbound")
    assert inbound.filter(pl.col("queue").is_null()).height > 0, "IVR-only calls"
    assert set(inbound["queue"].drop_nulls().unique()) == {"billing", "support"}
    assert calls.filter(pl.col("direction") == "outbound")["campaign"].n_unique() == 1
    assert set(calls["end_reason"].unique()) >= {"abandon", "transfer", "customer_hangup", "no_answer"}
    transferred = calls.filter(pl.col("end_reason") == "transfer")["contact_id"]
    legs_per_transferred_contact = calls.filter(pl.col("contact_id").is_in(transferred.implode()))["contact_id"]
    assert legs_per_transferred_contact.value_counts()["count"].min() >= 2
    repeat_customers = inbound["customer_id"].drop_nulls().value_counts().filter(pl.col("count") > 1)
    assert repeat_customers.height > 100, "repeat callers make FCR meaningful"

    roster = pl.concat([read_text(p) for p in files_of(demo_dir, "roster")])
    assert {"voluntary", "involuntary"} <= set(roster["termination_type"].drop_nulls())
    assert roster.filter(pl.col("termination_type").is_not_null())["termination_reason"].null_count() == 0
    last = roster.filter(pl.col("as_of") == roster["as_of"].max())
    assert (last["hire_date"] > "2026-01-01").any(), "a hire during the month"
    teams = roster.filter(pl.col("role") == "agent").group_by("employee_id").agg(pl.col("team").n_unique())
    assert (teams["team"] > 1).any(), "a team move"

    schedules = pl.concat([read_text(p) for p in files_of(demo_dir, "schedules")])
    republished = schedules.group_by("agent_id", "schedule_date").agg(pl.col("published_at").n_unique())
    assert (republished["published_at"] > 1).any()
    assert {"work", "break", "lunch", "time_off"} <= set(schedules["activity"])

    ledger = pl.concat([read_text(p) for p in files_of(demo_dir, "ledger")])
    assert (ledger["amount"].cast(pl.Float64) < 0).any(), "a credit"
    assert ledger["line_id"].is_duplicated().any(), "a reposted line"
    assert set(ledger["scenario"]) == {"budget", "actual"}


def test_free_text_carries_card_and_bank_numbers(demo_dir: Path) -> None:
    text = " ".join(
        pl.concat(
            [
                read_text(p).select(pl.col(c).alias("t"))
                for s, c in (("calls", "notes"), ("qa_evaluations", "comments"))
                for p in files_of(demo_dir, s)
            ]
        )["t"].drop_nulls()
    )
    cards = re.findall(r"\b\d{4}[ -]\d{4}[ -]\d{4}[ -]\d{4}\b", text)
    ibans = re.findall(r"\bNO\d{2} \d{4} \d{4} \d{3}\b", text)
    assert cards and ibans
    assert all(_luhn_ok(re.sub(r"\D", "", c)) for c in cards)
    assert all(_iban_ok(i.replace(" ", "")) for i in ibans)


def test_card_and_iban_makers_are_valid() -> None:
    rng = np.random.default_rng(1)
    for _ in range(200):
        assert _luhn_ok(re.sub(r"\D", "", luhn_card(rng)))
        assert _iban_ok(norwegian_iban(rng).replace(" ", ""))


def _luhn_ok(digits: str) -> bool:
    total = 0
    for k, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if k % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _iban_ok(iban: str) -> bool:
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1
