"""Validation of one export's rows against the source contract, vectorised with Polars.

`validate(frame, contract, file)` takes the text columns of `read.read_export` and returns the rows cast to the
contract's types plus every problem found, one row per problem: `file, row, field, value, rule`, where `row` is the
line a person finds in an editor (header = line 1). Problem values are already masked for protected columns and
free of card/bank numbers (`protect.mask_value`), so reports can be written as they are.

Checks: lines the reader could not read (`read.BROKEN`), types (timestamps need an offset or `Z`; comma decimals and
thousands separators are named, never guessed), required fields, enumerations, dates and times within a plausible
range, the cross-field rules of SOURCES.md (`ROW_RULES`), control characters, card or bank numbers in id and code
fields (`CARD_IN_ID`: redacting them in place would merge keys), the ledger's one currency, and schedule segments of
one agent, day and publication not overlapping. A key repeated within a file is no problem: the later line wins, as
between files (staging's `latest_file_wins_rank`).

`set_aside(...)` turns the problems into the rows to quarantine: the smallest unit that keeps the rest truthful
(`UNIT_OF_SOURCE`): a row of calls, QA, ledger and roster; an agent's local day of agent_states and schedules, where
one missing event would falsify the day's timeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from ingest.contracts import Column, SourceContract
from ingest.protect import has_card_or_iban, mask_values
from ingest.read import BROKEN, LINE

PROBLEM_SCHEMA = {"file": pl.String, "row": pl.Int64, "field": pl.String, "value": pl.String, "rule": pl.String}

# A timestamp without its offset, to tell that mistake apart in the report.
_NAIVE_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?$"
# Numbers written the way a spreadsheet in another locale writes them: named in the report, never guessed.
_COMMA_DECIMAL = r"^[+-]?\d+,\d+$"
_THOUSANDS = r"^[+-]?\d{1,3}([,. '\u00a0\u202f]\d{3})+([.,]\d+)?$"
# Plausible dates: before this nobody ran an ACD export; far in the future is a typo (and would stretch every
# calendar the marts build). The upper bound is relative to the day the file is loaded.
EARLIEST_DATE = date(1970, 1, 1)
EARLIEST_HIRE_DATE = date(1900, 1, 1)  # hire dates of long-serving staff reach further back
LATEST_YEARS_AHEAD = 2
# One leg, state-free duration or schedule segment longer than this is no real measurement.
LONGEST_SECONDS = 86_400
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
CARD_IN_ID = "holds a card or bank number; ids and codes are never redacted in place (that would merge keys)"
UNIT_OF_SOURCE = {
    "calls": "row",
    "qa_evaluations": "row",
    "ledger": "row",
    "roster": "row",
    "agent_states": "agent-day",
    "schedules": "agent-day",
}
_BOOLEANS = {"true": True, "false": False, "t": True, "f": False, "1": True, "0": False, "yes": True, "no": False}


def _cast(col: Column, name: str) -> tuple[pl.Expr, str | pl.Expr]:
    """Expression casting text column `name` to `col`'s type (null where the text is no such value), and the rule."""
    text = pl.col(name).str.strip_chars()
    if col.type == "timestamp":
        # %#z takes Z, +01, +0100 and +01:00, and no timestamp without an offset.
        parsed = text.str.replace(" ", "T", literal=True).str.to_datetime(
            "%Y-%m-%dT%H:%M:%S%.f%#z", strict=False, time_zone="UTC", time_unit="us"
        )
        rule = (
            pl.when(text.str.contains(_NAIVE_TIMESTAMP))
            .then(pl.lit("timestamp without an offset (add e.g. +01:00 or Z)"))
            .otherwise(pl.lit("not an ISO 8601 timestamp with an offset (e.g. 2026-03-02T08:15:03+01:00)"))
        )
        return parsed.dt.replace_time_zone(None), rule
    if col.type == "date":
        return (
            pl.when(text.str.contains(r"^\d{4}-\d{2}-\d{2}$")).then(text.str.to_date("%Y-%m-%d", strict=False)),
            "not a date YYYY-MM-DD",
        )
    if col.type == "integer":
        return (
            pl.when(text.str.contains(r"^[+-]?\d{1,18}$")).then(text.cast(pl.Int64, strict=False)),
            _number_rule(text, "not a whole number"),
        )
    if col.type == "decimal":
        return (
            pl.when(text.str.contains(r"^[+-]?(\d{1,14}(\.\d*)?|\.\d+)$")).then(
                text.cast(pl.Decimal(18, 4), strict=False)
            ),
            _number_rule(text, "not a decimal number (digits with a '.' separator)"),
        )
    if col.type == "boolean":
        return (
            text.str.to_lowercase().replace_strict(_BOOLEANS, default=None, return_dtype=pl.Boolean),
            "not a boolean (true/false)",
        )
    if col.type == "period":
        return pl.when(text.str.contains(r"^\d{4}-(0[1-9]|1[0-2])$")).then(text), "not a period YYYY-MM"
    return pl.col(name), ""


def _number_rule(text: pl.Expr, otherwise: str) -> pl.Expr:
    return (
        pl.when(text.str.contains(_THOUSANDS))
        .then(pl.lit("thousands separator (write digits only, with '.' before decimals)"))
        .when(text.str.contains(_COMMA_DECIMAL))
        .then(pl.lit("comma decimal (the decimal separator is '.')"))
        .otherwise(pl.lit(otherwise))
    )


@dataclass(frozen=True)
class RowRule:
    """A rule across fields: `fails` is true on rows that break it (null counts as passing)."""

    field: str
    rule: str
    fails: pl.Expr


c = pl.col
_answered = c("answered_at").is_not_null()
_inbound, _outbound = c("direction") == "inbound", c("direction") == "outbound"
_currency = ~c("currency").str.contains(r"^[A-Z]{3}$")

_started = pl.coalesce(c("queued_at"), c("dialed_at"), c("answered_at"))
_DURATIONS = ("talk_seconds", "hold_seconds", "acw_seconds")

ROW_RULES: dict[str, list[RowRule]] = {
    "calls": [
        *(RowRule(f, "must be >= 0", c(f) < 0) for f in _DURATIONS),
        *(RowRule(f, f"must be <= {LONGEST_SECONDS} (a day)", c(f) > LONGEST_SECONDS) for f in _DURATIONS),
        RowRule(
            "ended_at",
            "a leg lasting more than a day (from queued/dialed/answered to ended)",
            (c("ended_at") - _started).dt.total_seconds() > LONGEST_SECONDS,
        ),
        *(
            RowRule(f, "must be 0 or empty when the leg was not answered", ~_answered & (c(f) != 0))
            for f in ("talk_seconds", "hold_seconds")
        ),
        RowRule("agent_id", "required when answered (answered_at is set)", _answered & c("agent_id").is_null()),
        RowRule(
            "queue",
            "required for an inbound leg that reached a queue (queued_at is set)",
            _inbound & c("queued_at").is_not_null() & c("queue").is_null(),
        ),
        RowRule(
            "queued_at",
            "required for an inbound leg with a queue",
            _inbound & c("queue").is_not_null() & c("queued_at").is_null(),
        ),
        RowRule("campaign", "required for an outbound leg", _outbound & c("campaign").is_null()),
        RowRule("answered_at", "must be >= queued_at", c("answered_at") < c("queued_at")),
        RowRule("answered_at", "must be >= dialed_at", c("answered_at") < c("dialed_at")),
        RowRule("ended_at", "must be >= answered_at", c("ended_at") < c("answered_at")),
        RowRule("ended_at", "must be >= queued_at", c("ended_at") < c("queued_at")),
        RowRule("ended_at", "must be >= dialed_at", c("ended_at") < c("dialed_at")),
    ],
    "schedules": [
        RowRule("ends_at", "must be after starts_at", c("ends_at") <= c("starts_at")),
        RowRule(
            "ends_at",
            "a segment longer than a day",
            (c("ends_at") - c("starts_at")).dt.total_seconds() > LONGEST_SECONDS,
        ),
    ],
    "roster": [
        RowRule("fte", "must be between 0 and 1", (c("fte") < 0) | (c("fte") > 1)),
        RowRule("termination_date", "must be >= hire_date", c("termination_date") < c("hire_date")),
        RowRule(
            "termination_type",
            "required when termination_date is set",
            c("termination_date").is_not_null() & c("termination_type").is_null(),
        ),
        RowRule(
            "termination_date",
            "required when termination_type is set",
            c("termination_type").is_not_null() & c("termination_date").is_null(),
        ),
        RowRule("agent_id", "required when role is agent", (c("role") == "agent") & c("agent_id").is_null()),
        RowRule("hourly_cost", "must be >= 0", c("hourly_cost") < 0),
        RowRule("currency", "not an ISO 4217 code (three capital letters)", _currency),
    ],
    "ledger": [RowRule("currency", "not an ISO 4217 code (three capital letters)", _currency)],
    "qa_evaluations": [
        RowRule("max_score", "must be > 0", c("max_score") <= 0),
        RowRule("score", "must be >= 0", c("score") < 0),
        RowRule("score", "must be <= max_score", c("score") > c("max_score")),
    ],
}


def validate(
    frame: pl.DataFrame,
    contract: SourceContract,
    file: str,
    center_currency: str | None = None,
    today: date | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(typed rows: `_source_line` + every contract column, problems: `PROBLEM_SCHEMA`) for one file's rows.

    `center_currency`: the ledger's one currency (lines in another are problems); None checks no currency.
    `today`: the load's day, for the latest plausible date (default: today).
    """
    missing = [col.name for col in contract.columns if col.name not in frame.columns]
    text = frame.with_columns(pl.lit(None, dtype=pl.String).alias(n) for n in missing)
    if BROKEN not in text.columns:
        text = text.with_columns(pl.lit(None, dtype=pl.String).alias(BROKEN))
    typed = text.select(LINE, *(_cast(col, col.name)[0].alias(col.name) for col in contract.columns))

    found: list[pl.DataFrame] = []
    checks: list[tuple[pl.Expr, str | None, pl.Expr, pl.Expr]] = []

    def report(fails: pl.Expr, field: str | None, rule: str | pl.Expr, value: pl.Expr) -> None:
        # Collected and evaluated together at the end: one pass over the rows for every check of a clean file.
        checks.append((fails, field, pl.lit(rule) if isinstance(rule, str) else rule, value))

    # Text and typed side by side: the text shows what was in the file, the typed column drives the checks.
    both = pl.concat(
        [typed, text.select(*(c(n).alias(f"{n}__text") for n in contract.column_names), BROKEN)], how="horizontal"
    )
    broken = both.filter(c(BROKEN).is_not_null())
    if broken.height:  # a line that could not be read is set aside whatever it holds; its values are not shown
        found.append(
            broken.select(
                c(LINE).alias("row"),
                pl.lit(None, dtype=pl.String).alias("field"),
                pl.lit(None, dtype=pl.String).alias("value"),
                c(BROKEN).alias("rule"),
            )
        )
    latest = (today or date.today()).replace(month=1, day=1)
    latest = latest.replace(year=latest.year + LATEST_YEARS_AHEAD + 1)  # up to the end of the year after next
    for col in contract.columns:
        raw = c(f"{col.name}__text")
        if col.required:
            report(raw.is_null(), col.name, "required", raw)
        if col.type != "string":
            report(raw.is_not_null() & c(col.name).is_null(), col.name, _cast(col, f"{col.name}__text")[1], raw)
        if col.allowed:
            report(~c(col.name).is_in(col.allowed), col.name, "not one of " + " / ".join(col.allowed), raw)
        if col.type in ("date", "timestamp"):
            earliest = EARLIEST_HIRE_DATE if col.name == "hire_date" else EARLIEST_DATE
            day = c(col.name) if col.type == "date" else c(col.name).dt.date()
            report(
                (day < earliest) | (day >= latest),
                col.name,
                f"outside the plausible range {earliest} to {latest.replace(day=1) - _ONE_DAY}",
                raw,
            )
        if col.type == "period":
            report(
                (c(col.name) < f"{EARLIEST_DATE:%Y-%m}") | (c(col.name) >= f"{latest:%Y-%m}"),
                col.name,
                f"outside the plausible range {EARLIEST_DATE:%Y-%m} to {latest.replace(day=1) - _ONE_DAY:%Y-%m}",
                raw,
            )
        report(raw.str.contains(_CONTROL), col.name, "holds a control character", raw)
        if col.type == "string" and not (col.free_text or col.pseudonymised or col.restricted):
            report(has_card_or_iban(raw), col.name, CARD_IN_ID, raw)
    for rule in ROW_RULES.get(contract.name, []):
        raw = c(f"{rule.field}__text")
        # A value that is present but of the wrong type was reported above; "required when" must not repeat it.
        report(rule.fails & ~(raw.is_not_null() & c(rule.field).is_null()), rule.field, rule.rule, raw)
    if contract.name == "ledger" and center_currency:
        report(
            c("currency").str.contains(r"^[A-Z]{3}$") & (c("currency") != center_currency),
            "currency",
            f"not the center's currency {center_currency} (metrics.center_currency; one currency per center)",
            c("currency__text"),
        )
    if contract.name == "schedules":
        both = _with_overlaps(both)
        report(
            c("__overlaps").is_not_null(),
            "starts_at",
            pl.format("overlaps the segment at line {}", c("__overlaps")),
            c("starts_at__text"),
        )

    flags = both.select(
        (fails.fill_null(False) & c(BROKEN).is_null()).alias(f"__check{i}") for i, (fails, *_) in enumerate(checks)
    )
    failed = flags.select(pl.all().any()).row(0) if checks else ()
    for i, (_, field, rule, value) in enumerate(checks):
        if failed[i]:
            found.append(
                both.filter(flags[f"__check{i}"]).select(
                    c(LINE).alias("row"),
                    pl.lit(field, dtype=pl.String).alias("field"),
                    value.cast(pl.String).alias("value"),
                    rule.alias("rule"),
                )
            )
    problems = (
        pl.concat(found) if found else pl.DataFrame(schema={k: v for k, v in PROBLEM_SCHEMA.items() if k != "file"})
    )
    protected = [col.name for col in contract.columns if col.free_text or col.pseudonymised or col.restricted]
    problems = problems.select(
        pl.lit(file).alias("file"),
        "row",
        "field",
        mask_values(problems["value"], problems["field"].is_in(protected).fill_null(True)),
        "rule",
    ).sort("row", "field", maintain_order=True, nulls_last=False)
    return typed, problems


_ONE_DAY = date(2000, 1, 2) - date(2000, 1, 1)

# The local day a row belongs to in the marts, by source (see `set_aside`).
_DAY_OF_ROW = {
    "calls": ("queued_at", "dialed_at", "ended_at"),
    "agent_states": ("event_at",),
    "schedules": ("schedule_date",),
    "roster": ("as_of",),
    "ledger": ("period",),
    "qa_evaluations": ("evaluated_at",),
}
QUARANTINE_SCHEMA = {
    "row": pl.Int64,
    "field": pl.String,
    "value": pl.String,
    "rule": pl.String,
    "unit": pl.String,
    "unit_key": pl.String,
    "local_date": pl.Date,
}


def local_days(typed: pl.DataFrame, text: pl.DataFrame, contract: SourceContract, timezone: str) -> pl.Series:
    """The center's local day each row belongs to (as the marts date it), where it can be told.

    Calls: the day queued (inbound) or dialled (outbound), else ended; states: the event; QA: the evaluation;
    schedules: `schedule_date`; roster: `as_of`; ledger: the first day of `period`. A timestamp that could not be
    read but starts with a date gives that date (a time without an offset is most likely local)."""
    exprs = []
    for name in _DAY_OF_ROW[contract.name]:
        col = contract.column(name)
        raw = text[name] if name in text.columns else pl.Series(name, [None] * text.height, dtype=pl.String)
        guessed = raw.str.strip_chars().str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
        if col.type == "timestamp":
            told = typed[name].dt.replace_time_zone("UTC").dt.convert_time_zone(timezone).dt.date()
        elif col.type == "period":
            told = (typed[name] + "-01").str.to_date("%Y-%m-%d", strict=False)
            guessed = (raw.str.strip_chars().str.slice(0, 7) + "-01").str.to_date("%Y-%m-%d", strict=False)
        else:
            told = typed[name]
        exprs += [told.alias(f"{name}_told"), guessed.alias(f"{name}_guessed")]
    return pl.DataFrame(exprs).select(pl.coalesce(pl.all()).alias("local_date")).to_series()


def set_aside(
    typed: pl.DataFrame, text: pl.DataFrame, problems: pl.DataFrame, contract: SourceContract, timezone: str
) -> pl.DataFrame:
    """The lines to quarantine for `problems` (`QUARANTINE_SCHEMA`, one row per line and problem).

    Unit `row`: the line itself. Unit `agent-day` (agent_states, schedules): every line of the file with the same
    agent and local day; a line set aside only because it shares the agent-day has field null and a rule naming the
    line that caused it. An agent-day source line whose day cannot be told costs the agent's lines of the file
    (unit `agent`); one whose agent cannot be told costs the line alone (unit `row`)."""
    if not problems.height:
        return pl.DataFrame(schema=QUARANTINE_SCHEMA)
    days = local_days(typed, text, contract, timezone)
    agents = (
        text["agent_id"].str.strip_chars()
        if "agent_id" in text.columns
        else pl.Series("agent_id", [None] * text.height, dtype=pl.String)
    )
    keys = text.select(
        pl.concat_str(
            [c(k) if k in text.columns else pl.lit(None, dtype=pl.String) for k in contract.key],
            # not ",": redaction leaves a digit run after "<digit>," alone (a decimal), so a card after a date in
            # a key would be shown whole
            separator=" | ",
            ignore_nulls=True,
        )
    ).to_series()
    keys = mask_values(keys, pl.Series([False] * text.height))  # no card or bank number, at most 80 characters
    shown = mask_values(agents, pl.Series([False] * text.height))  # an agent id may be a card number
    rows = pl.DataFrame({"row": text[LINE], "agent": agents, "shown": shown, "local_date": days, "key": keys})
    bad = problems.select("row", "field", "value", "rule").join(rows, on="row", how="left")
    if UNIT_OF_SOURCE[contract.name] == "row":
        return bad.select(
            "row",
            "field",
            "value",
            "rule",
            pl.lit("row").alias("unit"),
            c("key").alias("unit_key"),
            "local_date",
        )
    bad = bad.with_columns(
        pl.when(c("agent").is_null())
        .then(pl.lit("row"))
        .when(c("local_date").is_null())
        .then(pl.lit("agent"))
        .otherwise(pl.lit("agent-day"))
        .alias("unit")
    )
    causes = bad.group_by("row").agg(
        c("unit").first(), c("agent").first(), c("local_date").first(), c("field").first(), c("rule").first()
    )
    first_cause = causes.sort("row")
    by_day = (
        first_cause.filter(c("unit") == "agent-day")
        .group_by("agent", "local_date")
        .agg(c("row").min().alias("cause_row"), c("field").first(), c("rule").first())
    )
    by_agent = (
        first_cause.filter(c("unit") == "agent")
        .group_by("agent")
        .agg(c("row").min().alias("cause_row"), c("field").first(), c("rule").first())
    )
    collateral = []
    if by_day.height:
        collateral.append(
            rows.join(by_day, on=["agent", "local_date"], how="inner").with_columns(pl.lit("agent-day").alias("unit"))
        )
    if by_agent.height:
        collateral.append(rows.join(by_agent, on="agent", how="inner").with_columns(pl.lit("agent").alias("unit")))
    own = bad.with_columns(pl.when(c("unit") == "row").then(c("key")).otherwise(c("shown")).alias("unit_key"))
    own = own.select(*QUARANTINE_SCHEMA)
    if not collateral:
        return own
    others = (
        pl.concat(collateral, how="diagonal_relaxed")
        .filter(~c("row").is_in(bad["row"].implode()))
        .unique("row", keep="first", maintain_order=True)
        .select(
            "row",
            pl.lit(None, dtype=pl.String).alias("field"),
            pl.lit(None, dtype=pl.String).alias("value"),
            pl.format("same {} as line {} ({}: {})", c("unit"), c("cause_row"), c("field"), c("rule")).alias("rule"),
            "unit",
            c("shown").alias("unit_key"),
            "local_date",
        )
    )
    return pl.concat([own, others], how="vertical_relaxed").sort("row", maintain_order=True)


def _with_overlaps(both: pl.DataFrame) -> pl.DataFrame:
    """`__overlaps` = line of an earlier segment (same agent, day and publication) that this one starts inside."""
    group = ["agent_id", "schedule_date", "published_at"]
    # A segment repeated with the same key is replaced by its later line (latest wins), not overlapped.
    winners = both.filter(c(BROKEN).is_null()).unique([*group, "starts_at"], keep="last", maintain_order=True)
    ordered = winners.sort([*group, "starts_at", LINE], nulls_last=True)
    prev_end = c("ends_at").shift(1).cum_max().over(group)
    prev_line = c(LINE).shift(1).over(group)
    overlaps = ordered.select(LINE, pl.when(c("starts_at") < prev_end).then(prev_line).alias("__overlaps"))
    return both.join(overlaps, on=LINE, how="left")
