"""The canonical source contract of ../shared/SOURCES.md, as data.

One `SourceContract` per landing folder: its columns with types and rules, its key, which columns are free text
(redacted), pseudonymised or restricted. Validation, loading, the sample generator and the dbt sources all read this
module, so a column is described once.

Raw tables in the pipeline's DuckDB hold the typed, protected rows plus load metadata (see `LOAD_COLUMNS`):
timestamps are naive UTC `TIMESTAMP`s (the `_at` convention), dates are `DATE`, money and scores `DECIMAL(18,4)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ColumnType = Literal["string", "timestamp", "date", "integer", "decimal", "boolean", "period"]

# DuckDB types of the raw layer, by contract type.
DUCKDB_TYPES: dict[str, str] = {
    "string": "VARCHAR",
    "timestamp": "TIMESTAMP",  # naive UTC
    "date": "DATE",
    "integer": "BIGINT",
    "decimal": "DECIMAL(18,4)",
    "boolean": "BOOLEAN",
    "period": "VARCHAR",  # YYYY-MM
}

# Metadata every raw row carries: which load and file it came from, and where in that file (line number a person
# finds in an editor, header = line 1). `_file_seq` orders files by arrival for "latest file wins".
LOAD_COLUMNS: dict[str, str] = {
    "_load_id": "VARCHAR",
    "_file_seq": "BIGINT",
    "_source_file": "VARCHAR",
    "_source_line": "BIGINT",
    "_extra_columns": "VARCHAR",  # unknown extra columns of the export, as a JSON object (kept, ignored downstream)
}


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    required: bool = False
    allowed: tuple[str, ...] | None = None
    # Data protection
    free_text: bool = False  # card and bank numbers are redacted before anything is written
    pseudonymised: bool = False  # replaced by a keyed HMAC-SHA256 on ingest
    restricted: bool = False  # lands only in the restricted database
    description: str = ""


@dataclass(frozen=True)
class SourceContract:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    description: str

    @property
    def required_header(self) -> tuple[str, ...]:
        """Columns that must be present in the export's header: those whose value is required (the others may be
        missing and become typed nulls)."""
        return tuple(c.name for c in self.columns if c.required)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def analyst_columns(self) -> list[Column]:
        """Columns that may land in the pipeline's (non-restricted) database."""
        return [c for c in self.columns if not c.restricted]

    @property
    def restricted_columns(self) -> list[Column]:
        return [c for c in self.columns if c.restricted]


END_REASONS = ("customer_hangup", "agent_hangup", "transfer", "abandon", "no_answer", "busy", "voicemail", "system")
AGENT_STATES = (
    "logged_out",
    "ready",
    "talk",
    "hold",
    "acw",
    "break",
    "lunch",
    "training",
    "meeting",
    "coaching",
    "aux",
)
SCHEDULE_ACTIVITIES = ("work", "break", "lunch", "training", "meeting", "coaching", "time_off")
LEDGER_CATEGORIES = ("staff", "tools", "utilities", "supplies", "facilities", "training", "other")

CALLS = SourceContract(
    name="calls",
    description="One row per contact leg (ACD call records, inbound and outbound).",
    key=("leg_id",),
    columns=(
        Column("leg_id", "string", required=True, description="Key of the contact leg."),
        Column("contact_id", "string", required=True, description="The contact; a transfer starts a new leg."),
        Column("direction", "string", required=True, allowed=("inbound", "outbound")),
        Column("queue", "string", description="Queue reached; empty for a call that ended in the IVR/VRU."),
        Column("campaign", "string", description="Outbound campaign."),
        Column("caller_number", "string", pseudonymised=True, description="E.164 caller number, pseudonymised."),
        Column("customer_id", "string", pseudonymised=True, description="Customer id, pseudonymised."),
        Column("queued_at", "timestamp", description="Inbound: entered the queue (UTC)."),
        Column("dialed_at", "timestamp", description="Outbound: dial started (UTC)."),
        Column("answered_at", "timestamp", description="Connected to an agent / live party (UTC)."),
        Column("ended_at", "timestamp", required=True, description="Leg ended (UTC)."),
        Column("agent_id", "string", description="Agent who handled the leg; required when answered."),
        Column("talk_seconds", "integer", description="Talk seconds, >= 0."),
        Column("hold_seconds", "integer", description="Hold seconds, >= 0."),
        Column("acw_seconds", "integer", description="After-call work seconds, >= 0."),
        Column("end_reason", "string", required=True, allowed=END_REASONS),
        Column("outcome", "string", description="Wrap-up or campaign result code."),
        Column("notes", "string", free_text=True, description="Free text, card and bank numbers redacted."),
    ),
)

AGENT_STATES_SOURCE = SourceContract(
    name="agent_states",
    description="One row per agent state change (event stream).",
    key=("agent_id", "event_at"),
    columns=(
        Column("agent_id", "string", required=True),
        Column("event_at", "timestamp", required=True, description="When the state began (UTC)."),
        Column("state", "string", required=True, allowed=AGENT_STATES),
        Column("reason", "string", description="Optional aux reason code."),
    ),
)

SCHEDULES = SourceContract(
    name="schedules",
    description="WFM schedule segments; a republication for an agent and day replaces the earlier one.",
    key=("agent_id", "schedule_date", "starts_at", "published_at"),
    columns=(
        Column("agent_id", "string", required=True),
        Column("schedule_date", "date", required=True, description="Local date of the schedule."),
        Column("activity", "string", required=True, allowed=SCHEDULE_ACTIVITIES),
        Column("starts_at", "timestamp", required=True),
        Column("ends_at", "timestamp", required=True),
        Column("published_at", "timestamp", required=True),
    ),
)

ROSTER = SourceContract(
    name="roster",
    description="HR roster snapshots: each file is the full roster as of `as_of`.",
    key=("as_of", "employee_id"),
    columns=(
        Column("as_of", "date", required=True),
        Column("employee_id", "string", required=True),
        Column("agent_id", "string", description="ACD login; required for agents."),
        Column("full_name", "string", restricted=True),
        Column("role", "string", required=True, allowed=("agent", "team_lead", "supervisor", "manager")),
        Column("team", "string", required=True),
        Column("site", "string", required=True),
        Column("supervisor_employee_id", "string"),
        Column("employment_type", "string", required=True, allowed=("full_time", "part_time", "contractor")),
        Column("fte", "decimal", required=True, description="0-1."),
        Column("hire_date", "date", required=True),
        Column("termination_date", "date"),
        Column("termination_type", "string", allowed=("voluntary", "involuntary")),
        Column("termination_reason", "string", restricted=True),
        Column("hourly_cost", "decimal", restricted=True),
        Column("currency", "string", restricted=True),
    ),
)

LEDGER = SourceContract(
    name="ledger",
    description="Budget, actual and forecast ledger lines; a reposted line_id replaces the earlier one.",
    key=("line_id",),
    columns=(
        Column("line_id", "string", required=True),
        Column("period", "period", required=True, description="YYYY-MM."),
        Column("scenario", "string", required=True, allowed=("budget", "actual", "forecast")),
        Column("cost_center", "string", required=True),
        Column("account", "string", required=True),
        Column("category", "string", required=True, allowed=LEDGER_CATEGORIES),
        Column("amount", "decimal", required=True, description="May be negative (credits)."),
        Column("currency", "string", required=True),
        Column("posted_on", "date", required=True),
    ),
)

QA_EVALUATIONS = SourceContract(
    name="qa_evaluations",
    description="Quality evaluations of contacts.",
    key=("evaluation_id",),
    columns=(
        Column("evaluation_id", "string", required=True),
        Column("contact_id", "string", required=True),
        Column("agent_id", "string", required=True),
        Column("evaluator_id", "string", required=True),
        Column("evaluated_at", "timestamp", required=True),
        Column("form", "string", required=True),
        Column("score", "decimal", required=True),
        Column("max_score", "decimal", required=True),
        Column("critical_fail", "boolean", required=True),
        Column("comments", "string", free_text=True),
    ),
)

SOURCES: dict[str, SourceContract] = {
    s.name: s for s in (CALLS, AGENT_STATES_SOURCE, SCHEDULES, ROSTER, LEDGER, QA_EVALUATIONS)
}


def raw_table_ddl(contract: SourceContract, schema: str = "raw", restricted: bool = False) -> str:
    """CREATE TABLE statement for a source's raw table (analyst-safe columns, or the restricted ones + key)."""
    if restricted:
        cols = [contract.column(k) for k in contract.key] + contract.restricted_columns
    else:
        cols = contract.analyst_columns
    parts = [f"{c.name} {DUCKDB_TYPES[c.type]}" for c in cols]
    parts += [f"{name} {typ}" for name, typ in LOAD_COLUMNS.items()]
    return f"CREATE TABLE IF NOT EXISTS {schema}.{contract.name} (\n    " + ",\n    ".join(parts) + "\n)"
