"""Adapter for the Anonymous Bank call log (Technion SEE lab, Israel, 1999) -> canonical `calls`.

The data was collected by the Service Enterprise Engineering (SEE) lab of the Technion (Avi Mandelbaum and
colleagues) and analysed in Brown et al., "Statistical Analysis of a Telephone Call Center: A Queueing-Science
Perspective", JASA 100 (2005). It is free for use with acknowledgement of Avi Mandelbaum and the Technion SEE lab.

Input: one tab-separated file, one row per call (columns in ../../shared/data/anonymous_bank/README.md). Output: one
canonical calls CSV per month, `<landing>/calls/anonymous_bank_<YYYY-MM>.csv`, one leg per call.

Mapping (every call has one leg; the log has no transfers):

| canonical | Anonymous Bank |
| --- | --- |
| contact_id | `<date>-<vru+line>-<call_id>` (call_id alone repeats across lines) |
| leg_id | contact_id + `-1` |
| direction | `inbound` |
| queue | `type` as is (`PS`, `PE`, `IN`, `NE`, `NW`, `TT`); empty when a HANG call never queued (ended in the VRU) |
| customer_id | `customer_id`, empty when `0` (not identified) |
| caller_number, campaign, dialed_at, outcome, notes | empty (not in the log) |
| queued_at | `q_start` when the call queued (`q_time > 0`); AGENT that never queued: `ser_start` (routed straight to an agent: wait 0); HANG that never queued: empty |
| answered_at | AGENT that queued: `q_start + q_time` (the log's own wait); AGENT that never queued: `ser_start`; HANG: empty |
| ended_at | AGENT: `ser_exit` (never before answered_at); HANG that queued: `q_start + q_time` (= `q_exit`); HANG that never queued: `vru_exit` |
| agent_id | AGENT: `server` (`NO_SERVER` kept as an unidentified agent); HANG: empty |
| talk_seconds | AGENT: `ser_time`; else 0 |
| hold_seconds, acw_seconds | 0 (not in the log) |
| end_reason | AGENT: `customer_hangup` (the log does not say who hung up); HANG that queued: `abandon`; HANG that never queued: `customer_hangup` |

PHANTOM rows (ghost calls) are excluded and counted. "Queued" means `q_time > 0`, the definition behind the README's
counts (1,972 HANG calls never reached the queue, 13,066 AGENT calls were served without queueing): 31 HANG rows
carry a `q_start` equal to `q_exit` with `q_time` 0 and count as never queued (quirk `hang_queue_entry_without_wait`).

Times are local `H:MM:SS` on the row's `date`; a time more than 12 hours before `vru_entry` belongs to the next day
(a wait or service running past midnight). Local time is converted with the time zone database (`Asia/Jerusalem`,
UTC+2 in February 1999) and written as ISO 8601 with the offset. A wall-clock time that the spring-forward skips is
read one hour later (the clock had not been moved yet); one that the fall-back repeats takes the earlier offset; both
are counted.

The log's own numbers win: the wait is `q_time` and talk is `ser_time`. `ser_start - q_start` disagrees with `q_time`
in most served rows (service starts a second before the queue exit); those rows keep `q_time` and are counted
(`service_start_disagrees_with_q_time`), and a service that ended before `q_start + q_time` ends at the answer
(`service_ended_before_stated_answer`).

AGENT rows without service times (`ser_start` `0:00:00`, `ser_time` 0) are kept as answered at the moment they left
the queue (`q_start + q_time`, or `vru_exit` when never queued), with talk 0 (quirk `agent_without_service_times`).
Every other oddity is kept as is and counted in the report (see `QUIRKS`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from ingest.adapters.report import ImportReport, write_canonical

COLUMNS = (
    "vru+line",
    "call_id",
    "customer_id",
    "priority",
    "type",
    "date",
    "vru_entry",
    "vru_exit",
    "vru_time",
    "q_start",
    "q_exit",
    "q_time",
    "outcome",
    "ser_start",
    "ser_exit",
    "ser_time",
    "server",
)
TIME_COLUMNS = ("vru_entry", "vru_exit", "q_start", "q_exit", "ser_start", "ser_exit")
SECONDS_COLUMNS = ("vru_time", "q_time", "ser_time")
OUTCOMES = ("AGENT", "HANG", "PHANTOM")
DAY_SECONDS = 86_400

# Quirk name -> what it means. Counted over all input rows (PHANTOM included, as in the data's README); a count
# of 0 is reported too, so the report shows each check was made.
QUIRKS: dict[str, str] = {
    "negative_vru_time": "vru_time < 0 (vru_exit before vru_entry)",
    "vru_time_mismatch": "vru_time differs from vru_exit - vru_entry",
    "queue_entered_after_midnight": "q_start on the day after vru_entry",
    "queue_wait_past_midnight": "q_exit smaller than q_start (the wait ran past midnight)",
    "q_time_mismatch": "q_time differs from q_exit - q_start",
    "service_started_after_midnight": "ser_start on the day after vru_entry",
    "service_past_midnight": "ser_exit smaller than ser_start (the service ran past midnight)",
    "ser_time_mismatch": "ser_time differs from ser_exit - ser_start",
    "service_started_before_queue_exit": "ser_start earlier than q_exit (the wait is q_time all the same)",
    "service_started_before_queue_start": "ser_start earlier than q_start (queued_at = q_start, wait q_time)",
    "agent_served_without_queueing": "AGENT with q_time 0: routed straight to an agent, queued_at = ser_start",
    "agent_no_server": "AGENT whose server is NO_SERVER: kept with agent_id NO_SERVER",
    "agent_without_service_times": "AGENT without ser_start/ser_time: answered when it left the queue, talk 0",
    "zero_service_seconds": "AGENT with ser_start but ser_time 0",
    "hang_never_queued": "HANG with q_time 0: ended in the VRU, kept with empty queue, never offered",
    "hang_queue_entry_without_wait": "HANG with q_start = q_exit and q_time 0 (counted within hang_never_queued)",
    "hang_with_service_times": "HANG carrying ser_start/ser_exit (server NO_SERVER): kept as abandoned at q_exit",
    "customer_not_identified": "customer_id 0: customer_id left empty",
}


def _seconds_of_day(column: str) -> pl.Expr:
    parts = pl.col(column).str.split(":")
    return (
        parts.list.get(0, null_on_oob=True).cast(pl.Int64, strict=False) * 3600
        + parts.list.get(1, null_on_oob=True).cast(pl.Int64, strict=False) * 60
        + parts.list.get(2, null_on_oob=True).cast(pl.Int64, strict=False)
    )


def _read(path: Path) -> pl.DataFrame:
    """Read the log as text and type it, naming file, line and field of any value that does not parse."""
    if not path.is_file():
        raise FileNotFoundError(f"{path}: Anonymous Bank call log not found")
    try:
        raw = pl.read_csv(path, separator="\t", infer_schema=False, quote_char=None)
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        lines = path.read_text(errors="replace").splitlines()
        expected = lines[0].count("\t") if lines else 0
        ragged = next((n for n, text in enumerate(lines[1:], start=2) if text and text.count("\t") != expected), None)
        where = (
            f"line {ragged} has {lines[ragged - 1].count(chr(9)) + 1} fields, the header {expected + 1}"
            if ragged
            else str(exc).splitlines()[0]
        )
        raise ValueError(f"{path}: cannot be read as a tab-separated call log: {where}") from exc
    raw = raw.with_row_index("line", offset=2)
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        raise ValueError(f"{path}: header lacks column(s) {', '.join(missing)}; found {', '.join(raw.columns)}")
    typed = raw.select(
        "line",
        pl.col("vru+line").alias("vru_line"),
        "call_id",
        "customer_id",
        "type",
        "outcome",
        "server",
        pl.col("date").str.to_date("%y%m%d", strict=False).alias("call_date"),
        *(_seconds_of_day(c).alias(f"{c}_s") for c in TIME_COLUMNS),
        *(pl.col(c).cast(pl.Int64, strict=False).alias(f"{c}_n") for c in SECONDS_COLUMNS),
    )
    checks = {"date": "call_date", **{c: f"{c}_s" for c in TIME_COLUMNS}, **{c: f"{c}_n" for c in SECONDS_COLUMNS}}
    for field_name, typed_name in checks.items():
        bad = raw.select("line", field_name).filter(typed[typed_name].is_null())
        if bad.height:
            line, value = bad.row(0)
            raise ValueError(
                f"{path}: line {line}, field {field_name}: cannot parse {value!r} ({bad.height} row(s) affected)"
            )
    for field_name in ("vru+line", "call_id", "type", "outcome"):
        bad = raw.filter(pl.col(field_name).is_null() | (pl.col(field_name).str.strip_chars() == ""))
        if bad.height:
            raise ValueError(f"{path}: line {bad['line'][0]}, field {field_name}: empty ({bad.height} row(s))")
    bad = raw.filter(~pl.col("outcome").is_in(OUTCOMES))
    if bad.height:
        raise ValueError(
            f"{path}: line {bad['line'][0]}, field outcome: {bad['outcome'][0]!r} is not one of {', '.join(OUTCOMES)}"
        )
    return typed


def _naive_local(seconds_after_midnight: pl.Expr) -> pl.Expr:
    return pl.col("call_date").cast(pl.Datetime("us")) + pl.duration(seconds=seconds_after_midnight)


def _to_zone(naive: pl.Expr, timezone: str) -> pl.Expr:
    """Local wall-clock time -> time-zone-aware; an hour that fall-back repeats takes the earlier offset."""
    return naive.dt.replace_time_zone(timezone, ambiguous="earliest", non_existent="null")


def import_anonymous_bank(
    path: Path, landing_dir: Path, timezone: str = "Asia/Jerusalem", progress: Callable[[str], None] | None = print
) -> ImportReport:
    """Translate the Anonymous Bank call log at `path` into canonical calls files under `landing_dir/calls/`."""
    started = time.perf_counter()
    say = progress or (lambda _line: None)
    path, landing_dir = Path(path), Path(landing_dir)
    try:
        ZoneInfo(timezone)
    except (ValueError, ZoneInfoNotFoundError):
        raise ValueError(
            f"unknown time zone {timezone!r}: use a time zone database name such as 'Asia/Jerusalem'"
        ) from None
    report = ImportReport(adapter=f"anonymous_bank {path.name}")

    calls = _read(path)
    report.input_rows = calls.height
    say(f"anonymous_bank: read {calls.height:,} rows from {path} in {time.perf_counter() - started:.1f} s")

    # Seconds after midnight of call_date; a time far before the VRU entry ran past midnight.
    def rolled(column: str) -> pl.Expr:
        s = pl.col(f"{column}_s")
        return pl.when(s < pl.col("vru_entry_s") - DAY_SECONDS // 2).then(s + DAY_SECONDS).otherwise(s)

    agent = pl.col("outcome") == "AGENT"
    hang = pl.col("outcome") == "HANG"
    queued = pl.col("q_time_n") > 0
    has_service = (pl.col("ser_start_s") > 0) | (pl.col("ser_time_n") > 0)
    calls = calls.with_columns(
        *(rolled(c).alias(f"{c}_r") for c in ("vru_exit", "q_start", "q_exit", "ser_start", "ser_exit")),
    )
    quirk_flags = {
        "negative_vru_time": pl.col("vru_time_n") < 0,
        "vru_time_mismatch": pl.col("vru_time_n") != pl.col("vru_exit_r") - pl.col("vru_entry_s"),
        "queue_entered_after_midnight": queued & (pl.col("q_start_r") >= DAY_SECONDS),
        "queue_wait_past_midnight": queued & (pl.col("q_exit_s") < pl.col("q_start_s")),
        "q_time_mismatch": queued & (pl.col("q_time_n") != pl.col("q_exit_r") - pl.col("q_start_r")),
        "service_started_after_midnight": has_service & (pl.col("ser_start_r") >= DAY_SECONDS),
        "service_past_midnight": has_service & (pl.col("ser_exit_s") < pl.col("ser_start_s")),
        "ser_time_mismatch": has_service & (pl.col("ser_time_n") != pl.col("ser_exit_r") - pl.col("ser_start_r")),
        "service_started_before_queue_exit": agent
        & queued
        & has_service
        & (pl.col("ser_start_r") < pl.col("q_exit_r")),
        "service_started_before_queue_start": agent
        & queued
        & has_service
        & (pl.col("ser_start_r") < pl.col("q_start_r")),
        "agent_served_without_queueing": agent & ~queued,
        "agent_no_server": agent & (pl.col("server") == "NO_SERVER"),
        "agent_without_service_times": agent & ~has_service,
        "zero_service_seconds": agent & has_service & (pl.col("ser_time_n") == 0),
        "hang_never_queued": hang & ~queued,
        "hang_queue_entry_without_wait": hang & ~queued & (pl.col("q_start_s") > 0),
        "hang_with_service_times": hang & has_service,
        "customer_not_identified": pl.col("customer_id") == "0",
    }
    report.quirks = calls.select(flag.sum().alias(name) for name, flag in quirk_flags.items()).row(0, named=True)

    phantom = calls.filter(pl.col("outcome") == "PHANTOM").height
    report.excluded["PHANTOM (ghost call)"] = phantom
    calls = calls.filter(pl.col("outcome") != "PHANTOM")

    # Answer moment of AGENT rows: ser_start, or when the call left the queue/VRU if service times are missing.
    # The log's own wait wins: a queued call is answered (or abandoned) q_time seconds after q_start, whatever
    # ser_start says; a call that never queued was routed straight to an agent (wait 0) at ser_start.
    stated_exit_s = pl.col("q_start_r") + pl.col("q_time_n")
    answered_s = (
        pl.when(queued)
        .then(stated_exit_s)
        .when(has_service)
        .then(pl.col("ser_start_r"))
        .otherwise(pl.col("vru_exit_r"))
    )
    queued_s = pl.when(queued).then(pl.col("q_start_r")).when(agent).then(answered_s)
    ended_s = (
        pl.when(agent & has_service)
        .then(pl.max_horizontal(pl.col("ser_exit_r"), answered_s))
        .when(agent)
        .then(answered_s)
        .when(queued)
        .then(stated_exit_s)
        .otherwise(pl.col("vru_exit_r"))
    )
    served_after_queue = agent & queued & has_service
    report.quirks["service_start_disagrees_with_q_time (answered_at = q_start + q_time)"] = calls.select(
        (served_after_queue & (pl.col("ser_start_r") - pl.col("q_start_r") != pl.col("q_time_n"))).sum()
    ).item()
    report.quirks["service_ended_before_stated_answer (ended_at = answered_at)"] = calls.select(
        (served_after_queue & (pl.col("ser_exit_r") < stated_exit_s)).sum()
    ).item()
    calls = calls.with_columns(
        _naive_local(queued_s).alias("queued_local"),
        pl.when(agent).then(_naive_local(answered_s)).alias("answered_local"),
        _naive_local(ended_s).alias("ended_local"),
    )
    # Wall-clock times the spring-forward skips: the clock had not been moved yet, read them one hour later.
    local_columns = ("queued_local", "answered_local", "ended_local")
    in_gap = pl.any_horizontal(pl.col(c).is_not_null() & _to_zone(pl.col(c), timezone).is_null() for c in local_columns)
    repeated = pl.any_horizontal(
        pl.col(c).dt.replace_time_zone(timezone, ambiguous="earliest", non_existent="null")
        != pl.col(c).dt.replace_time_zone(timezone, ambiguous="latest", non_existent="null")
        for c in local_columns
    )
    report.quirks["local_time_in_dst_gap (read one hour later)"] = calls.select(in_gap.sum()).item()
    report.quirks["local_time_repeated_by_dst_end (earlier offset used)"] = calls.select(repeated.sum()).item()

    def iso(column: str) -> pl.Expr:
        local = pl.coalesce(
            _to_zone(pl.col(column), timezone), _to_zone(pl.col(column) + pl.duration(hours=1), timezone)
        )
        return local.dt.to_string("%Y-%m-%dT%H:%M:%S%:z")

    contact_id = pl.concat_str(
        pl.col("call_date").dt.to_string("%y%m%d"), pl.col("vru_line"), pl.col("call_id"), separator="-"
    )
    canonical = calls.sort("line").select(
        (contact_id + "-1").alias("leg_id"),
        contact_id.alias("contact_id"),
        pl.lit("inbound").alias("direction"),
        pl.when(agent | queued).then(pl.col("type")).alias("queue"),
        pl.when(pl.col("customer_id") != "0").then(pl.col("customer_id")).alias("customer_id"),
        iso("queued_local").alias("queued_at"),
        iso("answered_local").alias("answered_at"),
        iso("ended_local").alias("ended_at"),
        pl.when(agent).then(pl.col("server")).alias("agent_id"),
        pl.when(agent).then(pl.col("ser_time_n")).otherwise(0).alias("talk_seconds"),
        pl.lit(0).alias("hold_seconds"),
        pl.lit(0).alias("acw_seconds"),
        pl.when(hang & queued).then(pl.lit("abandon")).otherwise(pl.lit("customer_hangup")).alias("end_reason"),
        pl.col("call_date").dt.to_string("%Y-%m").alias("month"),
    )
    say(
        f"anonymous_bank: mapped {canonical.height:,} legs ({phantom:,} PHANTOM excluded) "
        f"in {time.perf_counter() - started:.1f} s"
    )

    for (month,), rows in canonical.sort("month").group_by("month", maintain_order=True):
        written = write_canonical(rows.drop("month"), landing_dir, "calls", f"anonymous_bank_{month}", report)
        say(f"anonymous_bank: wrote {rows.height:,} legs to {written}")
    report.elapsed_seconds = time.perf_counter() - started
    return report
