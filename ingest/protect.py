"""Data protection applied to every row before anything is written (SOURCES.md, "Data protection").

- `load_pseudonym_key` finds the secret for pseudonyms (`TILSYN_PSEUDONYM_KEY`, else a key file outside the repo).
- `pseudonymise` replaces caller numbers and customer ids by a keyed HMAC-SHA256 (hex): stable across loads, so
  repeat contacts can be found, and not reversible without the key.
- `redact_text` removes card numbers (13-19 digits passing the Luhn check, optionally grouped by spaces or dashes)
  and IBANs (passing the ISO 13616 mod-97 check) from free text; `redact_column` does it for a Polars column and counts.
- `mask_values` is what a problem report may show of values (never a secret).
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from pathlib import Path

import polars as pl

KEY_ENV = "TILSYN_PSEUDONYM_KEY"
CARD_MARK = "[card removed]"
IBAN_MARK = "[iban removed]"


class PseudonymKeyError(Exception):
    """The pseudonym key is missing or unusable (a setup error the user fixes)."""


def load_pseudonym_key(key_file: Path | None, create_if_missing: bool = False) -> bytes:
    """The pseudonym secret: `$TILSYN_PSEUDONYM_KEY` wins; else the key file (created, mode 0600, when asked)."""
    from_env = os.environ.get(KEY_ENV, "").strip()
    if from_env:
        return from_env.encode("utf-8")
    if key_file is not None:
        key_file = Path(key_file)
        if key_file.exists():
            key = key_file.read_bytes().strip()
            if not key:
                raise PseudonymKeyError(f"pseudonym key file {key_file} is empty; put a long random secret in it")
            return key
        if create_if_missing:
            key_file.parent.mkdir(parents=True, exist_ok=True)
            key = secrets.token_hex(32).encode("ascii")
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(key + b"\n")
            return key
    where = f"the key file {key_file} does not exist" if key_file else "no key file is configured"
    raise PseudonymKeyError(
        f"no pseudonym key: {KEY_ENV} is not set and {where}. Set {KEY_ENV} to a long random secret "
        f"(e.g. `export {KEY_ENV}=$(python -c 'import secrets; print(secrets.token_hex(32))')`) or point "
        "`pseudonym_key_file` in tilsyn.toml at a file outside the repository holding one. Keep it: changing it "
        "changes every pseudonym."
    )


# Phone numbers are hashed in a canonical form, so "+45 12 34 56 78" and "+4512345678" get the same pseudonym.
_PHONE_NOISE = r"[\s\-().]"


def _hmac_sha256_hex(key: bytes, values: list[str]) -> list[str]:
    """HMAC-SHA256 (RFC 2104, hex) of each value: the same digests as `hmac.digest(key, v, "sha256").hex()`.

    `hmac.digest` derives the padded key states again for every value; hashing both pads once and copying the two
    SHA-256 states per value gives the same bytes at ~0.6 instead of ~1.5 microseconds per value (profiled hot spot
    of ingest: every caller number and customer id of every file).
    """
    block = hashlib.sha256().block_size
    padded = (hashlib.sha256(key).digest() if len(key) > block else key).ljust(block, b"\0")
    inner_copy = hashlib.sha256(bytes(b ^ 0x36 for b in padded)).copy
    outer_copy = hashlib.sha256(bytes(b ^ 0x5C for b in padded)).copy
    digests = []
    for value in values:
        inner = inner_copy()
        inner.update(value.encode("utf-8"))
        outer = outer_copy()
        outer.update(inner.digest())
        digests.append(outer.hexdigest())
    return digests


def pseudonymise(values: pl.Series, key: bytes, phone: bool = False) -> pl.Series:
    """Keyed HMAC-SHA256 (hex) of each non-empty value; computed once per distinct value."""
    cleaned = values.str.replace_all(_PHONE_NOISE, "") if phone else values.str.strip_chars()
    cleaned = cleaned.replace("", None)
    distinct = cleaned.drop_nulls().unique()
    digests = _hmac_sha256_hex(key, distinct.to_list())
    return cleaned.replace_strict(distinct, pl.Series(digests, dtype=pl.String), default=None).alias(values.name)


# A run of digits with single space/dash separators, not glued to a word or a decimal point. A run starting with
# "+" is a phone number (E.164) and is matched whole so that no card is looked for inside it.
_DIGIT_RUN = re.compile(r"(?<![\w+])(?<!\w-)(?<!\d[.,])\+?\d+(?:[ -]\d+)*(?!\w)(?![.,]\d)")
_IBAN_RUN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,30}(?![A-Za-z0-9])")
# Cheap vectorised pre-filter: only texts that could hold a card or IBAN go through Python.
# A card's digit run starts after no word character and no "+" (as `_DIGIT_RUN` requires), an IBAN after no letter or
# digit: ids such as L202601010000000 never reach the Python check.
_CANDIDATE = r"(?:^|[^\w+])\d(?:[ -]?\d){12}|(?:^|[^A-Za-z0-9])[A-Za-z]{2}\d{2}"


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _card_layout(groups: list[str]) -> bool:
    """How people write card numbers: unbroken, in fours (last group shorter), or Amex/Diners 4-6-4/5."""
    if len(groups) == 1:
        return True
    if [len(g) for g in groups] in ([4, 6, 5], [4, 6, 4]):
        return True
    return all(len(g) == 4 for g in groups[:-1]) and 1 <= len(groups[-1]) <= 4


def _card_spans(run: re.Match[str]) -> list[tuple[int, int]]:
    """Spans (in the text) of card numbers inside one digit run; a run may hold a card next to other numbers."""
    parts = [(m.start(), m.end()) for m in re.finditer(r"\d+", run.group())]
    base = run.start()
    spans = []
    for i in range(len(parts)):
        for j in range(i, len(parts)):
            groups = [run.group()[a:b] for a, b in parts[i : j + 1]]
            digits = "".join(groups)
            if len(digits) > 19:
                break
            if len(digits) >= 13 and _card_layout(groups) and _luhn_ok(digits):
                spans.append((base + parts[i][0], base + parts[j][1]))
    return spans


def _iban_ok(compact: str) -> bool:
    rearranged = compact[4:] + compact[:4]
    try:
        return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1
    except ValueError:
        return False


def _iban_span(run: re.Match[str]) -> tuple[int, int] | None:
    """The longest prefix of an IBAN-shaped run that passes mod-97 (the run may swallow a following word)."""
    text = run.group()
    positions = [i for i, ch in enumerate(text) if ch != " "]
    for n in range(len(positions), 14, -1):
        compact = "".join(text[p] for p in positions[:n]).upper()
        if compact[:2].isalpha() and _iban_ok(compact):
            return run.start(), run.start() + positions[n - 1] + 1
    return None


def redact_text(text: str) -> tuple[str, int]:
    """`text` with card numbers and IBANs replaced by markers, and how many were removed."""
    spans: list[tuple[int, int, str]] = []
    for run in _DIGIT_RUN.finditer(text):
        if not run.group().startswith("+"):
            spans += [(a, b, CARD_MARK) for a, b in _card_spans(run)]
    for run in _IBAN_RUN.finditer(text):
        span = _iban_span(run)
        if span:
            spans.append((*span, IBAN_MARK))
    if not spans:
        return text, 0
    # Merge overlapping spans (a card found in two windows, or inside an IBAN) into one removal each.
    spans.sort()
    merged: list[list] = []
    for a, b, mark in spans:
        if merged and a < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b, mark])
    out, last = [], 0
    for a, b, mark in merged:
        out += [text[last:a], mark]
        last = b
    out.append(text[last:])
    return "".join(out), len(merged)


def redact_column(values: pl.Series) -> tuple[pl.Series, int]:
    """Redact every value of a text column; returns the column and the number of removals."""
    candidate = values.str.contains(_CANDIDATE).fill_null(False)
    if not candidate.any():
        return values, 0
    idx = candidate.arg_true()
    results = [redact_text(v) for v in values.gather(idx).to_list()]
    redacted = values.scatter(idx, pl.Series([r[0] for r in results], dtype=pl.String))
    return redacted, sum(r[1] for r in results)


def has_card_or_iban(values: pl.Expr) -> pl.Expr:
    """True where a text holds a card number or an IBAN (what `redact_text` would remove)."""

    def found(batch: pl.Series) -> pl.Series:
        out = pl.Series(batch.name, [False] * batch.len(), dtype=pl.Boolean)
        candidate = batch.str.contains(_CANDIDATE).fill_null(False)
        if not candidate.any():
            return out
        idx = candidate.arg_true()
        hits = [redact_text(v)[1] > 0 for v in batch.gather(idx).to_list()]
        return out.scatter(idx, pl.Series(hits, dtype=pl.Boolean))

    return values.map_batches(found, return_dtype=pl.Boolean)


MAX_SHOWN_CHARS = 80


def mask_values(values: pl.Series, protected: pl.Series) -> pl.Series:
    """What a problem report may show of values: nothing of a protected column (only the length), no card/bank
    number of any other, and at most `MAX_SHOWN_CHARS` characters."""
    redacted, _ = redact_column(values)
    shown = pl.DataFrame({"v": redacted, "p": protected}).select(
        pl.when(pl.col("v").is_null())
        .then(None)
        .when(pl.col("p"))
        .then(pl.format("<masked, {} chars>", values.str.len_chars()))
        .when(pl.col("v").str.len_chars() > MAX_SHOWN_CHARS)
        .then(pl.col("v").str.slice(0, MAX_SHOWN_CHARS) + "...")
        .otherwise(pl.col("v"))
    )
    return shown.to_series().alias(values.name)
