"""A story planted in a generated center, for an executive to find in the reports: a stronger seasonal peak, a month
when one team was short of agents (a sickness wave), and a month when one cost category overran its budget.

Every part is off (or at the generator's usual level) by default; `tilsyn demo` turns them on. Each part draws its
random numbers from a stream of its own, so a center with a story differs from the same seed without one only where
the story says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

USUAL_SEASONAL_AMPLITUDE = 0.12  # calls at the winter peak (20 January) are 12 % over the year's mean


@dataclass(frozen=True)
class Story:
    seasonal_amplitude: float = USUAL_SEASONAL_AMPLITUDE  # the winter peak's height over the yearly mean volume
    understaffed_month: str | None = None  # 'YYYY-MM': a sickness wave in one team that month
    understaffed_team: str | None = None  # default: the center's first team
    understaffed_absence: float = 0.5  # share of the team's scheduled agent-days lost to sickness that month
    overrun_month: str | None = None  # 'YYYY-MM': one cost category overruns its budget that month
    overrun_category: str = "tools"
    overrun_factor: float = 2.5  # the category's actual costs that month, times what they would have been

    def __post_init__(self) -> None:
        for name in ("understaffed_month", "overrun_month"):
            value = getattr(self, name)
            if value is not None:
                try:
                    date.fromisoformat(f"{value}-01")
                except ValueError:
                    raise ValueError(f"{name} must be a month as YYYY-MM, got {value!r}") from None
        if not 0 <= self.understaffed_absence <= 1:
            raise ValueError(f"understaffed_absence must be between 0 and 1, got {self.understaffed_absence}")
        if self.seasonal_amplitude < 0 or self.seasonal_amplitude >= 1:
            raise ValueError(f"seasonal_amplitude must be in [0, 1), got {self.seasonal_amplitude}")
        if self.overrun_factor <= 0:
            raise ValueError(f"overrun_factor must be positive, got {self.overrun_factor}")

    def is_understaffed(self, day: date, team: str, first_team: str) -> bool:
        return (
            self.understaffed_month is not None
            and f"{day:%Y-%m}" == self.understaffed_month
            and team == (self.understaffed_team or first_team)
        )

    def overrun(self, year: int, month: int, category: str) -> float:
        """The factor on a category's actual costs of a month (1 outside the story)."""
        hit = self.overrun_month == f"{year}-{month:02d}" and category == self.overrun_category
        return self.overrun_factor if hit else 1.0


def sick_today(story: Story, day: date, agent_days: list, first_team: str, seed: int) -> set[str]:
    """Agents of the understaffed team off sick on `day` (they were scheduled; they never log in)."""
    rng = np.random.default_rng([seed, 5, day.toordinal()])
    return {
        a.agent.agent_id
        for a in agent_days
        if a.events and story.is_understaffed(day, a.team, first_team) and rng.random() < story.understaffed_absence
    }
