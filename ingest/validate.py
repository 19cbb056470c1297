"""Validation of one export's rows against the source contract, vectorised with Polars.

`validate(frame, contract, file)` takes the text columns of `read.read_export` and returns the rows cast to the
contract's types plus every problem found, one row per problem: `file, row, field, value, rule`, where `row` is the
line a person finds in an editor (header = line 1). Problem values are already masked for protected columns and
free of card/bank numbers (`protect.mask_value`), so reports can be written as they are.

Checks: types (timestamps need an offset or `Z`), required fields, enumerations, the cross-field rules of SOURCES.md
(`ROW_RULES`), keys unique within the file, and schedule segments of one agent, day and publication not overlapping.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from ingest.contracts import Column, SourceContract
from ingest.protect import mask_values
from ingest.read import LINE

PROBLEM_SCHEMA = {"file": pl.String, "row": pl.Int64, "field": pl.String, "value": pl.String, "rule": pl.String}

# A timestamp without its offset, to tell that mistake apart in the report.
_NAIVE_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?$"
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
            "not a whole number",
        )
    if col.type == "decimal":
        return (
            pl.when(text.str.contains(r"^[+-]?(\d{1,14}(\.\d*)?|\.\d+)$")).then(
                text.cast(pl.Decimal(18, 4), strict=False)
            ),
            "not a decimal number (digits with a '.' separator)",
        )
    if col.type == "boolean":
        return (
            text.str.to_lowercase().replace_strict(_BOOLEANS, default=None, return_dtype=pl.Boolean),
            "not a boolean (true/false)",
        )
    if col.type == "period":
        return pl.when(text.str.contains(r"^\d{4}-(0[1-9]|1[0-2])$")).then(text), "not a period YYYY-MM"
    return pl.col(name), ""


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

ROW_RULES: dict[str, list[RowRule]] = {
    "calls": [
        *(RowRule(f, "must be >= 0", c(f) < 0) for f in ("talk_seconds", "hold_seconds", "acw_seconds")),
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
    "schedules": [RowRule("ends_at", "must be after starts_at", c("ends_at") <= c("starts_at"))],
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


def validate(frame: pl.DataFrame, contract: SourceContract, file: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(typed rows: `_source_line` + every contract column, problems: `PROBLEM_SCHEMA`) for one file's rows."""
    missing = [col.name for col in contract.columns if col.name not in frame.columns]
    text = frame.with_columns(pl.lit(None, dtype=pl.String).alias(n) for n in missing)
    typed = text.select(LINE, *(_cast(col, col.name)[0].alias(col.name) for col in contract.columns))

    found: list[pl.DataFrame] = []

    def report(fails: pl.Expr, field: str, rule: str | pl.Expr, value: pl.Expr) -> None:
        rule = pl.lit(rule) if isinstance(rule, str) else rule
        rows = both.filter(fails.fill_null(False)).select(
            c(LINE).alias("row"), pl.lit(field).alias("field"), value.alias("value"), rule.alias("rule")
        )
        if rows.height:
            found.append(rows)

    # Text and typed side by side: the text shows what was in the file, the typed column drives the checks.
    both = typed.with_columns(text.select((c(n).alias(f"{n}__text")) for n in contract.column_names))
    for col in contract.columns:
        raw = c(f"{col.name}__text")
        if col.required:
            report(raw.is_null(), col.name, "required", raw)
        if col.type != "string":
            report(raw.is_not_null() & c(col.name).is_null(), col.name, _cast(col, f"{col.name}__text")[1], raw)
        if col.allowed:
            report(~c(col.name).is_in(col.allowed), col.name, "not one of " + " / ".join(col.allowed), raw)
    for rule in ROW_RULES.get(contract.name, []):
        raw = c(f"{rule.field}__text")
        # A value that is present but of the wrong type was reported above; "required when" must not repeat it.
        report(rule.fails & ~(raw.is_not_null() & c(rule.field).is_null()), rule.field, rule.rule, raw)

    key = list(contract.key)
    if both.select(pl.struct(key).is_duplicated().any()).item():  # the join below only when needed
        first = both.group_by(key).agg(c(LINE).min().alias("__first"))
        both = both.join(first, on=key, how="left", nulls_equal=False)
        report(
            c("__first").is_not_null() & (c(LINE) != c("__first")),
            ",".join(key),
            pl.format("duplicate key; first at line {}", c("__first")),
            pl.concat_str([c(f"{k}__text") for k in key], separator=","),
        )
    if contract.name == "schedules":
        both = _with_overlaps(both)
        report(
            c("__overlaps").is_not_null(),
            "starts_at",
            pl.format("overlaps the segment at line {}", c("__overlaps")),
            c("starts_at__text"),
        )

    problems = (
        pl.concat(found) if found else pl.DataFrame(schema={k: v for k, v in PROBLEM_SCHEMA.items() if k != "file"})
    )
    protected = [col.name for col in contract.columns if col.free_text or col.pseudonymised or col.restricted]
    problems = problems.select(
        pl.lit(file).alias("file"),
        "row",
        "field",
        mask_values(problems["value"], problems["field"].is_in(protected)),
        "rule",
    ).sort("row", "field", maintain_order=True)
    return typed, problems


def _with_overlaps(both: pl.DataFrame) -> pl.DataFrame:
    """`__overlaps` = line of an earlier segment (same agent, day and publication) that this one starts inside."""
    group = ["agent_id", "schedule_date", "published_at"]
    ordered = both.sort([*group, "starts_at", LINE], nulls_last=True)
    prev_end = c("ends_at").shift(1).cum_max().over(group)
    prev_line = c(LINE).shift(1).over(group)
    return ordered.with_columns(pl.when(c("starts_at") < prev_end).then(prev_line).alias("__overlaps")).sort(LINE)
