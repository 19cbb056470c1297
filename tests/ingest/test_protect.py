"""Data protection: card and bank number redaction (property-based), pseudonyms, and the pseudonym key."""

from __future__ import annotations

import hmac
import re
import stat
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.protect import (
    KEY_ENV,
    PseudonymKeyError,
    load_pseudonym_key,
    mask_values,
    pseudonymise,
    redact_column,
    redact_text,
)

DIGITS = "0123456789"


def luhn_complete(body: str) -> str:
    """`body` plus the check digit that makes it pass the Luhn check."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return body + str((10 - total % 10) % 10)


@st.composite
def card_numbers(draw) -> tuple[str, str]:
    """(digits, as written): 13-19 digits passing Luhn, unbroken, in fours, or Amex/Diners style."""
    length = draw(st.integers(13, 19))
    digits = luhn_complete(draw(st.text(DIGITS, min_size=length - 1, max_size=length - 1)))
    sep = draw(st.sampled_from([" ", "-"]))
    styles = ["plain", "fours"] + (["amex"] if length in (14, 15) else [])
    style = draw(st.sampled_from(styles))
    if style == "plain":
        return digits, digits
    if style == "amex":
        return digits, sep.join([digits[:4], digits[4:10], digits[10:]])
    return digits, sep.join(digits[i : i + 4] for i in range(0, length, 4))


# Words and punctuation around a number; never a digit or letter glued to it (an id like ORD-4111... is not a card).
words = st.text("abcdefghij XYZ", max_size=12)
before = st.sampled_from(["", " ", "card ", "nr: ", "(", "kort:", "card no. "])
after = st.sampled_from(["", " ", ".", ",", " exp 12/27", ")", "; thanks", " cvv 123"])


@settings(max_examples=300, deadline=None, database=None)
@given(card=card_numbers(), head=words, pre=before, post=after, tail=words)
def test_any_card_number_anywhere_is_removed(card, head, pre, post, tail) -> None:
    digits, written = card
    text = f"{head} {pre}{written}{post} {tail}".strip() if head or tail else f"{pre}{written}{post}"
    redacted, count = redact_text(text)
    assert count >= 1
    assert digits not in re.sub(r"[ -]", "", redacted)


@st.composite
def ibans(draw) -> str:
    country = draw(st.sampled_from(["DE", "GB", "NO", "DK", "FR", "NL"]))
    bban = draw(st.text("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=11, max_size=26))
    numeric = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    check = f"{98 - int(numeric) % 97:02d}"
    compact = country + check + bban
    if draw(st.booleans()):
        return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
    return compact


@settings(max_examples=200, deadline=None, database=None)
@given(iban=ibans(), pre=before, post=after)
def test_any_iban_is_removed(iban, pre, post) -> None:
    redacted, count = redact_text(f"transfer to {pre}{iban}{post}")
    assert count >= 1
    assert iban.replace(" ", "") not in redacted.replace(" ", "")


harmless = st.one_of(
    st.builds(lambda d: f"ORD-{d}", st.text(DIGITS, min_size=6, max_size=19)),  # order ids
    st.builds(lambda d: f"INV{d}", st.text(DIGITS, min_size=13, max_size=19)),
    st.builds(lambda d: f"+{d}", st.text(DIGITS, min_size=8, max_size=15)),  # E.164 phone numbers
    st.builds(
        lambda d: "+45 " + " ".join(d[i : i + 2] for i in range(0, 8, 2)), st.text(DIGITS, min_size=8, max_size=8)
    ),
    st.dates().map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.strftime("%Y-%m-%d %H:%M")),
    st.text(DIGITS, min_size=1, max_size=12),  # short numbers: amounts, ids, extensions
    st.decimals(min_value=0, max_value=10**15, places=2, allow_nan=False).map(str),
)


@settings(max_examples=300, deadline=None, database=None)
@given(parts=st.lists(harmless, min_size=1, max_size=4))
def test_order_ids_phone_numbers_and_dates_are_left_alone(parts) -> None:
    text = "ref " + " and ".join(parts)
    assert redact_text(text) == (text, 0)


def test_redact_column_counts_and_keeps_other_values() -> None:
    values = pl.Series(
        [
            "pay 4111 1111 1111 1111 or 5500-0000-0000-0004",
            None,
            "order ORD-4111111111111111",
            "IBAN DE89 3704 0044 0532 0130 00",
        ]
    )
    redacted, count = redact_column(values)
    assert count == 3  # two cards in the first value, one IBAN in the last
    assert redacted.to_list() == [
        "pay [card removed] or [card removed]",
        None,
        "order ORD-4111111111111111",
        "IBAN [iban removed]",
    ]


def test_pseudonyms_are_keyed_stable_and_canonical_for_phone_numbers() -> None:
    numbers = pl.Series(["+47 912 34 567", "+4791234567", "+4798765432", None])
    first = pseudonymise(numbers, b"key-1", phone=True).to_list()
    assert first[0] == first[1] != first[2]  # the same number written two ways: one caller
    assert first[3] is None
    assert all(re.fullmatch(r"[0-9a-f]{64}", v) for v in first[:3])
    assert pseudonymise(numbers, b"key-1", phone=True).to_list() == first  # stable across loads
    assert pseudonymise(numbers, b"key-2", phone=True).to_list()[0] != first[0]  # depends on the secret
    assert (
        pseudonymise(pl.Series(["cust-1 "]), b"key-1").to_list()
        == pseudonymise(pl.Series(["cust-1"]), b"key-1").to_list()
    )


@settings(max_examples=100, deadline=None, database=None)
@given(
    key=st.binary(min_size=1, max_size=200),
    values=st.lists(
        st.text(st.characters(categories=("L", "N", "P", "S")), min_size=1, max_size=30), max_size=5, unique=True
    ),
)
def test_pseudonyms_are_the_standard_hmac_sha256_for_any_key_length(key: bytes, values: list[str]) -> None:
    # Keys longer than SHA-256's 64-byte block are hashed first (RFC 2104): both sides of that boundary are drawn.
    # The reference is the standard library's HMAC, so pseudonyms stay what they were before the faster path.
    expected = [hmac.digest(key, v.encode("utf-8"), "sha256").hex() for v in values]
    assert pseudonymise(pl.Series(values, dtype=pl.String), key).to_list() == expected


def test_mask_values_never_show_protected_or_card_values() -> None:
    values = pl.Series("value", ["Kari Nordmann", "x 4111111111111111", None, "y" * 100])
    shown = mask_values(values, pl.Series([True, False, True, False]))
    assert shown.to_list() == ["<masked, 13 chars>", "x [card removed]", None, "y" * 80 + "..."]


def test_key_from_environment_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_text("from-file\n")
    monkeypatch.setenv(KEY_ENV, "from-env")
    assert load_pseudonym_key(key_file) == b"from-env"
    monkeypatch.delenv(KEY_ENV)
    assert load_pseudonym_key(key_file) == b"from-file"


def test_key_file_created_private_when_asked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    key_file = tmp_path / "secrets" / "pseudonym.key"
    key = load_pseudonym_key(key_file, create_if_missing=True)
    assert len(key) == 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_pseudonym_key(key_file) == key  # the same key next time


def test_missing_key_says_how_to_set_one(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    with pytest.raises(PseudonymKeyError, match=f"{KEY_ENV} is not set and the key file .* does not exist"):
        load_pseudonym_key(tmp_path / "nope")
    with pytest.raises(PseudonymKeyError, match="no key file is configured"):
        load_pseudonym_key(None)
