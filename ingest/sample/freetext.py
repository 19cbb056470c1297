"""Free text of the sample exports (call notes, QA comments), some of it carrying card or bank numbers.

Agents paste what callers read out. A small share of notes and comments contain a Luhn-valid card number (spaced or
dashed) or a Norwegian IBAN with a valid checksum, so the ingest's redaction has something real to find.
"""

from __future__ import annotations

import numpy as np

CALL_NOTES = (
    "Customer asked about the latest invoice; explained the charges.",
    "Updated address and contact details.",
    "Reset password, customer logged in during the call.",
    "Promised a callback once the technician has reported back.",
    "Customer unhappy with waiting time, apologised.",
    "Explained payment plan options.",
    "Escalated to second line, ticket opened.",
    "Order status checked, delivery on schedule.",
)
QA_COMMENTS = (
    "Good greeting and clear summary at the end.",
    "Verification step skipped; remind about the checklist.",
    "Friendly tone, long silences while searching.",
    "Excellent ownership of the problem.",
    "Hold used without explaining why.",
    "Correct wrap-up code, notes could be more precise.",
)
SENSITIVE_NOTES = (
    "Customer read out card {card} to pay the overdue amount.",
    "Refund to account {iban} requested.",
    "Card number given: {card}, told customer never to share it by phone.",
)


def luhn_card(rng: np.random.Generator) -> str:
    """A 16-digit Luhn-valid card number, written with spaces or dashes."""
    digits = [4] + [int(d) for d in rng.integers(0, 10, 14)]
    total = 0
    for k, d in enumerate(reversed(digits)):  # the check digit will sit to the right, so doubling starts here
        if k % 2 == 0:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    digits.append((10 - total % 10) % 10)
    text = "".join(map(str, digits))
    sep = " " if rng.random() < 0.5 else "-"
    return sep.join(text[i : i + 4] for i in range(0, 16, 4))


def norwegian_iban(rng: np.random.Generator) -> str:
    """A Norwegian IBAN (NOkk + 11-digit account with its mod-11 check), printed in groups of four."""
    while True:
        body = [int(d) for d in rng.integers(0, 10, 10)]
        check = 11 - sum(w * d for w, d in zip((5, 4, 3, 2, 7, 6, 5, 4, 3, 2), body, strict=True)) % 11
        if check == 10:
            continue
        bban = "".join(map(str, body)) + str(check % 11)
        break
    numeric = int(bban + "2324" + "00")  # N=23, O=24
    iban = f"NO{98 - numeric % 97:02d}{bban}"
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def free_texts(
    n: int, templates: tuple[str, ...], share_with_text: float, share_sensitive: float, rng: np.random.Generator
) -> list[str | None]:
    """`n` free-text values: None (no text), a template, or now and then a sensitive one."""
    u = rng.random(n)
    picks = rng.integers(0, len(templates), n)
    out: list[str | None] = [None] * n
    for k in np.flatnonzero(u < share_with_text):
        if u[k] < share_with_text * share_sensitive:
            template = SENSITIVE_NOTES[int(picks[k]) % len(SENSITIVE_NOTES)]
            out[k] = template.format(card=luhn_card(rng), iban=norwegian_iban(rng))
        else:
            out[k] = templates[int(picks[k])]
    return out
