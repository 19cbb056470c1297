"""The story a generated center can carry (ingest/sample/story.py): an understaffed month and a budget overrun change
only what they say, against the same seed without a story; a stronger seasonal peak raises the winter's volume."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from ingest.sample import generate_center
from ingest.sample.center import daily_factor, plan_layout
from ingest.sample.story import Story

START, DAYS = date(2026, 2, 26), 7  # 26 February to 4 March 2026: a month end (ledger, roster) and March's first days
AGENTS = 4  # two teams


def _generate(root: Path, story: Story | None) -> Path:
    generate_center(root, agents=AGENTS, days=DAYS, start=START, seed=5, story=story, progress=None)
    return root


@pytest.fixture(scope="module")
def centers(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("story")
    story = Story(understaffed_month="2026-03", overrun_month="2026-02", overrun_category="tools", overrun_factor=2.5)
    return _generate(root / "plain", None), _generate(root / "story", story)


def _agent_days(landing: Path) -> pl.DataFrame:
    """(agent_id, day) of every agent who logged any state that day."""
    states = pl.read_csv(landing / "agent_states" / "*.csv", infer_schema=False)
    return states.select("agent_id", pl.col("event_at").str.slice(0, 10).alias("day")).unique()


def test_the_understaffed_team_loses_agent_days_in_its_month_and_nobody_else_does(centers) -> None:
    plain, story = centers
    first_team = next(iter(plan_layout(AGENTS).team_site))
    roster = pl.read_csv(plain / "roster" / f"roster_{START}.csv", infer_schema=False)
    team_of = dict(zip(roster["agent_id"].to_list(), roster["team"].to_list(), strict=True))
    lost = _agent_days(plain).join(_agent_days(story), on=["agent_id", "day"], how="anti")
    gained = _agent_days(story).join(_agent_days(plain), on=["agent_id", "day"], how="anti")
    assert gained.is_empty()
    assert lost.height >= 1  # sick days (half of the team's, by the story's default)
    assert {team_of[a] for a in lost["agent_id"].to_list()} == {first_team}
    assert all(day.startswith("2026-03") for day in lost["day"].to_list())
    # Sick agents were scheduled: the schedules are the same (a republication's time is drawn after the day's calls,
    # which the sick days change, so it is left out).
    for path in sorted((plain / "schedules").glob("*.csv")):
        same = (
            pl.read_csv(path)
            .drop("published_at")
            .equals(pl.read_csv(story / "schedules" / path.name).drop("published_at"))
        )
        assert same, path.name


def test_the_overrun_multiplies_its_category_in_its_month_only(centers) -> None:
    plain, story = centers
    before = pl.read_csv(plain / "ledger" / "actual_2026-02.csv")
    after = pl.read_csv(story / "ledger" / "actual_2026-02.csv")
    joined = before.join(after, on="line_id", suffix="_story")
    tools = joined.filter(pl.col("category") == "tools")
    assert tools.height >= 2
    assert (tools["amount_story"] - tools["amount"] * 2.5).abs().max() <= 0.01
    others = joined.filter(pl.col("category") != "tools")
    assert others["amount_story"].to_list() == others["amount"].to_list()
    # March's actuals (the last generated day) and the budget are untouched.
    for name in ("actual_2026-03.csv", "budget_2026.csv"):
        assert (plain / "ledger" / name).read_bytes() == (story / "ledger" / name).read_bytes(), name


def test_a_stronger_seasonal_amplitude_raises_the_winter_peak() -> None:
    # 20 January is the peak: 1 + amplitude times the weekday factor (a Tuesday in 2026: 1.05); 21 July, its trough.
    peak, trough = date(2026, 1, 20), date(2026, 7, 21)
    assert daily_factor(peak, "support", 0.25) == pytest.approx(1.05 * 1.25)
    assert daily_factor(peak, "support") == pytest.approx(1.05 * 1.12)
    assert daily_factor(trough, "support", 0.25) == pytest.approx(1.05 * 0.75, abs=0.001)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"understaffed_month": "October"}, "understaffed_month must be a month as YYYY-MM"),
        ({"understaffed_absence": 1.5}, "understaffed_absence must be between 0 and 1"),
        ({"seasonal_amplitude": 1.0}, "seasonal_amplitude must be in"),
        ({"overrun_factor": 0}, "overrun_factor must be positive"),
    ],
)
def test_a_bad_story_is_a_clear_error(options: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Story(**options)
