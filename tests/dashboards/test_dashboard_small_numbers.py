"""Small numbers on the executive tiles (dashboards/executive.py): a rate over too few is shown as its counts, and
annualised attrition from under a quarter of history says so. Values worked out by hand."""

from __future__ import annotations

from dashboards.executive import small_numbers, tile_detail


def plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def test_one_leaver_among_twelve_agents_is_a_count_not_a_rate():
    # 1 leaver in one month among 12 agents: 1/12 x 12 = 100 % annualised, from 1 month.
    row = {
        "annualised_attrition_rate": 1.0,
        "leavers_in_window": 1,
        "months_of_history": 1,
        "average_headcount_in_window": 12,
    }
    headline, note = small_numbers("annualised_attrition_rate", row)
    assert headline == "1 leaver"
    assert plain(note) == "in 1 month among 12 agents on average: too few to read as a rate (annualised 100 %)"


def test_enough_leavers_keep_the_rate_and_a_short_history_is_marked():
    # 6 leavers in 2 months among 40 agents: a rate (39 %), but annualised from 2 months, under a quarter.
    row = {
        "annualised_attrition_rate": 0.39,
        "leavers_in_window": 6,
        "months_of_history": 2,
        "average_headcount_in_window": 40,
        "terminations": 4,
    }
    assert small_numbers("annualised_attrition_rate", row) is None
    detail = tile_detail("annualised_attrition_rate", row, "March 2026", "NOK")
    assert detail == "4 leaving in March 2026; annualised from 2 months of history only"
    row["months_of_history"] = 3  # a quarter: no mark
    assert tile_detail("annualised_attrition_rate", row, "March 2026", "NOK") == "4 leaving in March 2026"


def test_a_queue_of_twenty_calls_shows_its_counts():
    # 15 of 20 calls answered in time: 75 %, over too few calls (under 30) to be the headline.
    row = {"service_level": 0.75, "answered_within_threshold": 15, "service_level_denominator": 20}
    headline, note = small_numbers("service_level", row)
    assert headline == "15 of 20 calls"
    assert plain(note) == "answered in time: too few calls to read as a rate (75 %)"
    row.update(answered_within_threshold=150, service_level_denominator=200)
    assert small_numbers("service_level", row) is None
