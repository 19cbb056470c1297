"""Domains: which marts fail and publish together, and the status of each after a build (`ops.domain_status`).

Every dbt model and seed names its domain in its YAML (`config: meta: {domain: ..., depends_on_domains: [...]}`):
service, agent, fcr, quality, people, finance, outbound, the composites cost_per_call, scorecard and staffing, and
reference (calendar, intervals, KPI targets). A domain is *blocked* by a build when one of its models failed, was
skipped by dbt (it is downstream of a failure), or was built but a blocking test on it or on one of its ancestors
failed. Blocked domains keep their last good version in the analyst warehouse (dagster_project/publish.py copies
their marts from the published version); every other domain publishes what this build made.

Every blocking dbt test guards an invariant (source conditions are settled by rules in ingest or staging before any
test sees them, docs/domains.md), so a blocked domain is a defect: its status says so, with the failing tests and a
sample of their rows. Plain module: the dbt step and the CLI call it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from dagster_project.run_report import FailedNode

BLOCKING_STATUSES = ("error", "fail", "skipped")

DOMAIN_STATUS_DDL = """
create table if not exists ops.domain_status (
    domain varchar primary key,
    depends_on_domains varchar[],
    marts varchar[],
    status varchar,
    fresh_as_of timestamp,
    stale_since timestamp,
    reason varchar,
    failing_nodes varchar[],
    sample_rows varchar,
    run_id varchar,
    checked_at timestamp
)
"""


@dataclass(frozen=True)
class DomainStatus:
    """A row of `ops.domain_status`: one domain after the latest build."""

    domain: str
    depends_on_domains: list[str]
    marts: list[str]  # "marts.<table>": what publish keeps at its last good version when the domain is stale
    status: str  # fresh | stale
    fresh_as_of: datetime | None  # when the build that made the published version of its marts started
    stale_since: datetime | None  # the first build that could not rebuild it (None when fresh)
    reason: str  # plain words; "" when fresh
    failing_nodes: list[str] = field(default_factory=list)
    sample_rows: str = ""

    def line(self) -> str:
        if self.status == "fresh":
            return f"domain {self.domain}: fresh"
        return f"domain {self.domain}: STALE since {self.stale_since:%Y-%m-%d %H:%M} UTC: {self.reason}"


def model_domains(manifest: Mapping[str, Any]) -> dict[str, tuple[str, list[str]]]:
    """{unique_id: (domain, depends_on_domains)} of every model and seed; a node without a domain is an error."""
    domains = {}
    for unique_id, node in manifest["nodes"].items():
        if node["resource_type"] not in ("model", "seed"):
            continue
        meta = node.get("config", {}).get("meta", {}) or node.get("meta", {})
        if not meta.get("domain"):
            raise ValueError(f"{unique_id} names no domain (config: meta: domain: in its YAML)")
        domains[unique_id] = (meta["domain"], sorted(meta.get("depends_on_domains", [])))
    return domains


def _descendants(roots: Iterable[str], child_map: Mapping[str, list[str]]) -> set[str]:
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        for child in child_map.get(node, []):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return seen


def blocked_models(manifest: Mapping[str, Any], run_results: Mapping[str, Any]) -> dict[str, set[str]]:
    """{model unique_id: the failed nodes that block it} for every model a failure reaches.

    A failed model blocks itself; a failed test blocks the model it is attached to (a test of several models, such
    as `relationships`, the model it is defined on); both block everything downstream. A node dbt skipped is blocked
    by the failures upstream of it (it is downstream of one).
    """
    nodes = manifest["nodes"]
    models = {uid for uid, n in nodes.items() if n["resource_type"] in ("model", "seed")}
    blocked: dict[str, set[str]] = {}
    for result in run_results.get("results", []):
        uid, status = result["unique_id"], result["status"]
        if status not in ("error", "fail"):
            continue
        node = nodes.get(uid, {})
        if uid in models:
            roots = {uid}
        else:
            attached = node.get("attached_node")
            roots = {attached} if attached else {p for p in node.get("depends_on", {}).get("nodes", []) if p in models}
        for model in roots | (_descendants(roots, manifest.get("child_map", {})) & models):
            blocked.setdefault(model, set()).add(uid)
    for result in run_results.get("results", []):
        if result["status"] == "skipped" and result["unique_id"] in models:
            blocked.setdefault(result["unique_id"], set())
    return blocked


def _node_words(nodes: Mapping[str, Any], unique_id: str) -> str:
    """`test equals_center_currency_int_finance_ledger_monthly_currency`: the node's kind and dbt name."""
    node = nodes.get(unique_id, {})
    return f"{node.get('resource_type', unique_id.split('.')[0])} {node.get('name', unique_id)}"


def domain_statuses(
    manifest: Mapping[str, Any],
    run_results: Mapping[str, Any],
    failed: list[FailedNode],
    previous: Mapping[str, DomainStatus],
    built_at: datetime,
    built: set[str] | None = None,
) -> list[DomainStatus]:
    """Each domain's status after a build that started at `built_at` (naive UTC). With `built` (the models and seeds
    a slice run selected), a domain none of whose models was selected keeps its previous status: this build did not
    touch it, and publish keeps its published version."""
    domains = model_domains(manifest)
    blocked = blocked_models(manifest, run_results)
    samples = {node.unique_id: node for node in failed}
    nodes = manifest["nodes"]
    statuses = []
    for domain in sorted({d for d, _ in domains.values()}):
        members = [uid for uid, (d, _) in domains.items() if d == domain]
        depends = sorted({dep for uid in members for dep in domains[uid][1]})
        marts = sorted(
            f"{nodes[uid]['schema']}.{nodes[uid].get('alias') or nodes[uid]['name']}"
            for uid in members
            if nodes[uid]["schema"] == "marts"
        )
        causes = sorted({cause for uid in members if uid in blocked for cause in blocked[uid]})
        stuck = [uid for uid in members if uid in blocked]
        before = previous.get(domain)
        if built is not None and before is not None and not built.intersection(members):
            statuses.append(before)
            continue
        if not stuck:
            statuses.append(DomainStatus(domain, depends, marts, "fresh", built_at, None, ""))
            continue
        cause_domains = {c: domains.get(_tested_model(nodes, c) or "", ("",))[0] for c in causes}
        own = [c for c in causes if cause_domains[c] == domain]
        upstream = sorted({cause_domains[c] for c in causes if cause_domains[c] not in ("", domain)})
        words = []
        if own:
            models = sorted({nodes[m]["name"] for c in own if (m := _tested_model(nodes, c)) in nodes})
            words.append(
                f"{len(own)} check{'s' if len(own) > 1 else ''} on {', '.join(models)} failed "
                f"(first: {_failure_words(nodes, own[0], samples.get(own[0]))})"
            )
        if upstream:
            words.append(f"it is built from {', '.join(upstream)}, which could not be built")
        if not causes:
            words.append("dbt skipped its models")
        sample = "\n".join(
            f"{_node_words(nodes, c)}: {row}" for c in causes if c in samples for row in samples[c].sample[:3]
        )
        fresh_as_of = before.fresh_as_of if before else None
        stale_since = before.stale_since if before and before.status == "stale" else built_at
        reason = (
            "not updated: "
            + "; ".join(words)
            + ". That is a defect in Tilsyn or its settings, not something the center's exports can cause; "
            + (
                f"the numbers shown are from the build of {fresh_as_of:%Y-%m-%d %H:%M} UTC."
                if fresh_as_of
                else "the numbers shown are from the last version published before this build (none if there is none)."
            )
        )
        statuses.append(DomainStatus(domain, depends, marts, "stale", fresh_as_of, stale_since, reason, causes, sample))
    return statuses


def _tested_model(nodes: Mapping[str, Any], unique_id: str) -> str | None:
    node = nodes.get(unique_id, {})
    if node.get("resource_type") in ("model", "seed"):
        return unique_id
    attached = node.get("attached_node")
    if attached:
        return attached
    parents = [p for p in node.get("depends_on", {}).get("nodes", []) if p in nodes]
    return parents[0] if parents else None


def _failure_words(nodes: Mapping[str, Any], unique_id: str, node: FailedNode | None) -> str:
    text = _node_words(nodes, unique_id)
    if node is not None:
        text += f" failed: {node.message}"
    return text


def read_domain_statuses(db: Path) -> dict[str, DomainStatus]:
    """The statuses recorded in `db` (the pipeline database or a published warehouse); {} when none are."""
    if not db.exists():
        return {}
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error:
        return {}
    try:
        has = con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'ops' and table_name = 'domain_status'"
        ).fetchone()[0]
        if not has:
            return {}
        rows = con.execute(
            "select domain, depends_on_domains, marts, status, fresh_as_of, stale_since, reason, failing_nodes, "
            "sample_rows from ops.domain_status order by domain"
        ).fetchall()
    finally:
        con.close()
    return {row[0]: DomainStatus(*row) for row in rows}


def record_domain_statuses(pipeline_db: Path, run_id: str, statuses: list[DomainStatus]) -> None:
    """Replace `ops.domain_status` of the pipeline database with this build's statuses."""
    now = datetime.now(UTC).replace(tzinfo=None)
    con = duckdb.connect(str(pipeline_db))
    try:
        con.execute("create schema if not exists ops")
        con.execute(DOMAIN_STATUS_DDL)
        con.execute("begin")
        con.execute("delete from ops.domain_status")
        con.executemany(
            "insert into ops.domain_status values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    s.domain,
                    s.depends_on_domains,
                    s.marts,
                    s.status,
                    s.fresh_as_of,
                    s.stale_since,
                    s.reason,
                    s.failing_nodes,
                    s.sample_rows,
                    run_id,
                    now,
                )
                for s in statuses
            ],
        )
        con.execute("commit")
    finally:
        con.close()


def record_step_failure(pipeline_db: Path, run_id: str, domain: str, depends_on: list[str], reason: str) -> None:
    """Mark a domain built by a Python step after dbt (forecast, staffing plan) stale for this run: its tables keep
    the last version the step wrote, everything else publishes, and the exit status says a defect blocked a domain.
    The row lasts until the next build replaces `ops.domain_status`."""
    now = datetime.now(UTC).replace(tzinfo=None)
    previous = read_domain_statuses(pipeline_db).get(domain)
    con = duckdb.connect(str(pipeline_db))
    try:
        con.execute("create schema if not exists ops")
        con.execute(DOMAIN_STATUS_DDL)
        con.execute("delete from ops.domain_status where domain = ?", [domain])
        con.execute(
            "insert into ops.domain_status values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                domain,
                depends_on,
                [],
                "stale",
                previous.fresh_as_of if previous else None,
                previous.stale_since if previous and previous.stale_since else now,
                reason,
                [],
                "",
                run_id,
                now,
            ],
        )
    finally:
        con.close()


def load_manifest(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def mismatch_domains(manifest: Mapping[str, Any], mismatches: Iterable[Any]) -> list[str]:
    """The domains a failed reconciliation concerns: a mismatch `<source>: ...` belongs to the domain of
    `stg_<source>`; the rest (contact legs, offered per day) to the domain of `kpi_service_daily` (service)."""
    by_name = {manifest["nodes"][uid]["name"]: domain for uid, (domain, _) in model_domains(manifest).items()}
    found = set()
    for mismatch in mismatches:
        source = str(mismatch.what).split(":", 1)[0]
        found.add(by_name.get(f"stg_{source}") or by_name["kpi_service_daily"])
    return sorted(found)


def record_reconciliation_failure(
    pipeline_db: Path, warehouse: Path, run_id: str, domains: Iterable[str], mismatches: Iterable[Any]
) -> list[str]:
    """Mark `domains` and every domain built from them stale after a failed reconciliation (a defect); returns the
    stale domains. Their marts keep the version published before (whose status gives since when the numbers are)."""
    current = read_domain_statuses(pipeline_db)
    published = read_domain_statuses(warehouse)
    domains = set(domains)
    mismatches = list(mismatches)
    hit = set(domains)
    while True:  # the domains built from a stale one, transitively
        more = {d for d, s in current.items() if set(s.depends_on_domains) & hit} - hit
        if not more:
            break
        hit |= more
    now = datetime.now(UTC).replace(tzinfo=None)
    sample = "\n".join(f"reconciliation: {m}" for m in mismatches)
    con = duckdb.connect(str(pipeline_db))
    try:
        con.execute("create schema if not exists ops")
        con.execute(DOMAIN_STATUS_DDL)
        con.execute("begin")
        for domain in sorted(hit):
            status = current.get(domain)
            before = published.get(domain)
            fresh_as_of = before.fresh_as_of if before else None
            stale_since = before.stale_since if before and before.status == "stale" else now
            if domain in domains:
                words = (
                    f"the reconciliation of the layers found {len(mismatches)} mismatch"
                    f"{'es' if len(mismatches) > 1 else ''} (first: {mismatches[0]})"
                )
            else:
                words = f"it is built from {', '.join(sorted(set(status.depends_on_domains) & hit))}, which failed"
            reason = (
                f"not updated: {words}. That is a defect in Tilsyn, not something the center's exports can cause; "
                + (
                    f"the numbers shown are from the build of {fresh_as_of:%Y-%m-%d %H:%M} UTC."
                    if fresh_as_of
                    else "the numbers shown are from the last version published before this build (none if there is "
                    "none)."
                )
            )
            con.execute("delete from ops.domain_status where domain = ?", [domain])
            con.execute(
                "insert into ops.domain_status values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    domain,
                    status.depends_on_domains if status else [],
                    status.marts if status else [],
                    "stale",
                    fresh_as_of,
                    stale_since,
                    reason,
                    ["reconciliation"],
                    sample,
                    run_id,
                    now,
                ],
            )
        con.execute("commit")
    finally:
        con.close()
    return sorted(hit)
