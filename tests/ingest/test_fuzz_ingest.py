"""Fuzzing ingest: Hypothesis draws real-world export faults, alone and in combination, and lands them for real.

Every example writes a small clean center (one file per source) plus one to three faults from `CATALOGUE`
(tests/support/fault_catalogue.py, shared with the pipeline fuzz; docs/fault-catalogue.md lists each with the rule
that handles it) into a landing folder and runs the real `load_landing` into a pipeline database shared by the examples
of one leading class (each example's keys carry its own prefix, so examples never meet; a fresh database per example
would spend much of the budget creating them).
Properties checked on every example:
- the load succeeds and rejects exactly the files that cannot be read at all;
- `ops.quarantined_rows` lists exactly the lines the faults broke (and, for agent_states and schedules, the other
  lines of the same agent and local day), no more and no fewer;
- the rows that win "latest file wins" in raw equal the clean twins of what should win (a valid oddity such as a BOM
  or another column order lands what its clean file lands; a re-sent or tied file, the winner's rows), compared on
  every analyst column after the same typing and protection;
- a second load with no new files changes nothing.
After all examples: no card number, IBAN or restricted roster value is readable in the pipeline database's `raw` or
`ops`, and every fault class was exercised.

CI: a fixed number of examples, derandomized (the same examples every run). Longer, random runs:
`TILSYN_FUZZ_EXAMPLES=2000 TILSYN_FUZZ_RANDOM=1 uv run pytest tests/ingest/test_fuzz_ingest.py`.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ingest_fixtures import TEST_KEY, query

from ingest.contracts import SOURCES
from ingest.load import _protect, load_landing
from ingest.read import BROKEN, read_export
from ingest.validate import validate
from tests.support.fault_catalogue import CATALOGUE, SECRETS, Outcome, clean_rows, csv_bytes
from tests.support.secret_scan import scan_text_columns

EXAMPLES = int(os.environ.get("TILSYN_FUZZ_EXAMPLES", "96"))  # in all, shared out among the fault classes
RANDOM = os.environ.get("TILSYN_FUZZ_RANDOM") == "1"
TIMEZONE = "Europe/Oslo"


# --- the test ---------------------------------------------------------------------------------------------------------
EXERCISED: Counter[str] = Counter()


@dataclass
class Shared:
    root: Path
    lead: str = ""
    clock: int = 1_773_000_000
    examples: int = 0
    seconds: float = 0.0

    @property
    def pipeline_db(self) -> Path:
        return self.root / f"{self.lead}.pipeline.duckdb"

    @property
    def restricted_db(self) -> Path:
        return self.root / f"{self.lead}.restricted.duckdb"


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Shared:
    return Shared(tmp_path_factory.mktemp("fuzz"))


def _load(shared: Shared, landing: Path):
    return load_landing(
        landing,
        shared.pipeline_db,
        shared.restricted_db,
        shared.root / "quarantine",
        TEST_KEY,
        progress=None,
        center_timezone=TIMEZONE,
    )


def _projected(source: str, frame: pl.DataFrame) -> Counter:
    columns = [c.name for c in SOURCES[source].analyst_columns]
    return Counter(tuple(row) for row in frame.select(columns).rows())


def _expected(source: str, rows: list[dict[str, str]]) -> Counter:
    """The clean twins typed and protected exactly as ingest does, then "latest wins" by key (later row wins)."""
    if not rows:
        return Counter()
    contract = SOURCES[source]
    names = list(dict.fromkeys(k for r in rows for k in r))
    text = read_export(Path("twin.csv"), csv_bytes(rows, columns=names), contract)
    typed, problems = validate(text, contract, "twin.csv", center_currency="NOK")
    assert problems.height == 0, problems.to_dicts()
    protected, _, _ = _protect(typed, text.drop(BROKEN), contract, TEST_KEY)
    winners = protected.unique(list(contract.key), keep="last", maintain_order=True)
    return _projected(source, winners)


def _snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list]:
    """Every raw and ops table but `ops.loads` (which gains a row per load by design)."""
    tables = con.execute(
        "select schema_name, table_name from duckdb_tables() where schema_name in ('raw', 'ops') "
        "and table_name <> 'loads'"
    ).fetchall()
    # Row count and an order-free sum of row hashes per table: equal after the second load = nothing changed.
    return {f"{s}.{t}": con.execute(f"select count(*), sum(hash(t)) from {s}.{t} t").fetchall() for s, t in tables}


# Each class leads its own share of the examples (so every class is exercised, and a failure replays exactly), with up
# to two more classes drawn beside it. A lead's examples run once per module: by its own test, or by the summary test
# when random order runs that first (then the lead's own test finds them done and passed).
LEADS_DONE: set[str] = set()


@settings(
    max_examples=max(1, EXAMPLES // len(CATALOGUE)),
    derandomize=not RANDOM,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def examples_led_by(shared: Shared, lead: str, data: st.DataObject) -> None:
    started = time.perf_counter()
    shared.lead = lead
    shared.examples += 1
    n = shared.examples
    landing = shared.root / f"landing{n}"
    names = [lead, *data.draw(st.lists(st.sampled_from(sorted(CATALOGUE)), max_size=2), label="more faults")]
    EXERCISED.update(names)

    # The clean center, then each fault with its own key prefix, in arrival order.
    outcome = Outcome()
    for source in SOURCES:
        rows = clean_rows(source, f"x{n}b")
        outcome.add(source, "base.csv", csv_bytes(rows))
        outcome.win(source, rows)
    for k, name in enumerate(names):
        part = CATALOGUE[name](data.draw, f"x{n}f{k}")
        for source, file, content in part.files:
            outcome.add(source, f"f{k}_{file}", content)
        renamed = {f"{s}/{f}": f"{s}/f{k}_{f}" for s, f, _ in part.files}
        outcome.quarantined |= {(renamed[f], line) for f, line in part.quarantined}
        outcome.superseded |= {(renamed[f], line) for f, line in part.superseded}
        outcome.rejected |= {renamed[f] for f in part.rejected}
        for source, rows in part.winners.items():
            outcome.win(source, rows)
    for source, name, content in outcome.files:
        path = landing / source / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        shared.clock += 1
        os.utime(path, (shared.clock, shared.clock))

    report = _load(shared, landing)

    # A file whose content was rejected before (an empty file in an earlier example) is not tried again.
    assert {r.file for r in report.rejected} <= outcome.rejected, [str(r) for r in report.rejected]
    con = duckdb.connect(str(shared.pipeline_db), read_only=True)
    try:
        rejected = {h for (h,) in con.execute("select sha256 from ops.rejected_files").fetchall()}
        contents = {f"{s}/{n}": c for s, n, c in outcome.files}
        assert {hashlib.sha256(contents[f]).hexdigest() for f in outcome.rejected} <= rejected
        listed = set(
            con.execute("select file, line from ops.quarantined_rows where load_id = ?", [report.load_id]).fetchall()
        )
        assert listed == outcome.quarantined, (names, sorted(listed ^ outcome.quarantined))
        superseded = set(
            con.execute(
                "select file, line from ops.quarantined_rows where load_id = ? and superseded_by_file_seq is not null",
                [report.load_id],
            ).fetchall()
        )
        assert superseded == outcome.superseded, (names, sorted(superseded ^ outcome.superseded))
        for source, contract in SOURCES.items():
            prefer = "posted_on desc, " if source == "ledger" else ""
            columns = ", ".join(c.name for c in contract.analyst_columns)
            winners = Counter(
                con.execute(
                    f"select {columns} from raw.{source} where _load_id = ? qualify row_number() over (partition by "
                    f"{', '.join(contract.key)} order by {prefer}_file_seq desc, _source_line desc) = 1",
                    [report.load_id],
                ).fetchall()
            )
            assert winners == _expected(source, outcome.winners.get(source, [])), (names, source)
        before = _snapshot(con)
    finally:
        con.close()

    again = _load(shared, landing)
    assert again.rows == 0 and not again.rejected and again.rows_quarantined == 0
    con = duckdb.connect(str(shared.pipeline_db), read_only=True)
    try:
        assert _snapshot(con) == before
    finally:
        con.close()
    shared.seconds += time.perf_counter() - started


def run_lead(shared: Shared, lead: str) -> None:
    if lead not in LEADS_DONE:
        examples_led_by(shared=shared, lead=lead)
        LEADS_DONE.add(lead)


@pytest.mark.parametrize("lead", sorted(CATALOGUE))
def test_any_mix_of_faults_lands_the_clean_rows_and_lists_exactly_the_rest(shared: Shared, lead: str) -> None:
    run_lead(shared, lead)


def test_nothing_secret_is_readable_and_every_fault_class_was_exercised(shared: Shared) -> None:
    # In random test order this may run before some leads did (or alone): run those first, so it checks them all.
    for lead in sorted(CATALOGUE):
        run_lead(shared, lead)
    print(f"fuzz: {shared.examples} examples in {shared.seconds:.1f} s; classes: {dict(sorted(EXERCISED.items()))}")
    assert shared.examples >= min(EXAMPLES, len(CATALOGUE))
    assert len(CATALOGUE) >= 25
    assert set(CATALOGUE) <= set(EXERCISED), sorted(set(CATALOGUE) - set(EXERCISED))
    databases = sorted(shared.root.glob("*.pipeline.duckdb"))
    # one database per class that led an example (a class may also be exercised only beside another lead)
    assert databases and {d.name.split(".")[0] for d in databases} <= set(CATALOGUE)
    shown = 0
    for database in databases:
        scan = scan_text_columns(database, SECRETS, schemas=("raw", "ops"))
        assert not scan.found, (database.name, scan.found)
        # Quarantined card numbers in ids show the field, never the number.
        shown += query(database, "select count(*) from ops.quarantined_rows where value like '%removed]%'")[0][0]
    assert shown > 0
    for path in (shared.root / "quarantine").rglob("*.problems.csv"):
        text = path.read_text()
        assert not any(secret in text for secret in SECRETS), path
