"""QA evaluations: team leads score a sample of their agents' answered contacts a few days later."""

from __future__ import annotations

import numpy as np
import polars as pl

from ingest.sample.freetext import QA_COMMENTS, free_texts
from ingest.sample.workforce import AgentDay

SAMPLE_SHARE = 0.04
CRITICAL_FAIL_SHARE = 0.03
FORMS = {"inbound": "voice_inbound_v3", "outbound": "voice_outbound_v1"}


def evaluate(
    day_key: str,
    day_start: int,
    answered: pl.DataFrame,
    agent_days: list[AgentDay],
    team_lead_of: dict[str, str],
    rng: np.random.Generator,
) -> pl.DataFrame:
    """Evaluations of a sample of the day's answered legs (evaluated 1-6 days later, 09:00-15:00 local)."""
    picked = answered.filter(pl.Series(rng.random(answered.height) < SAMPLE_SHARE))
    n = picked.height
    by_agent = {a.agent_num: a for a in agent_days}
    agent_nums = picked["_agent_num"].to_list()
    quality = np.array([by_agent[k].agent.quality_mean for k in agent_nums])
    evaluator = [team_lead_of[by_agent[k].team] for k in agent_nums]
    critical = rng.random(n) < CRITICAL_FAIL_SHARE
    score = np.clip(np.round((quality + rng.normal(0, 0.07, n)) * 100 * 2) / 2, 20, 100)
    score = np.where(critical, np.minimum(score, 45.0), score)
    evaluated = day_start + rng.integers(1, 7, n) * 86400 + rng.integers(9 * 3600, 15 * 3600, n)
    return pl.DataFrame(
        {
            "evaluation_id": [f"Q{day_key}{k:05d}" for k in range(n)],
            "contact_id": picked["contact_id"],
            "agent_id": picked["agent_id"],
            "evaluator_id": evaluator,
            "evaluated_at": evaluated,
            "form": [FORMS[d] for d in picked["direction"].to_list()],
            "score": score,
            "max_score": np.full(n, 100.0),
            "critical_fail": critical,
            "comments": free_texts(n, QA_COMMENTS, 0.6, 0.03, rng),
        },
        schema_overrides={"comments": pl.String, "evaluator_id": pl.String},
    )
