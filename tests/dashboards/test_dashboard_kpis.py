"""Numbers for people: formats and the plain-language tile sentences (values worked out by hand)."""

from __future__ import annotations

from datetime import date

from dashboards.kpis import (
    KPIS,
    add_months,
    compare,
    fmt_duration,
    fmt_money,
    fmt_pct,
    judge,
    period_key,
    period_label,
)  # fmt: skip


def plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def test_durations_read_as_minutes_and_seconds():
    assert fmt_duration(36.67) == "0:37"
    assert fmt_duration(333.33) == "5:33"
    assert fmt_duration(3725) == "1:02:05"  # 1 h 2 min 5 s
    assert fmt_duration(None) == "no data"


def test_percentages_and_money():
    assert plain(fmt_pct(1080 / 1480)) == "73 %"  # 72.97 %
    assert plain(fmt_money(450, "NOK")) == "NOK 450.00"
    assert plain(fmt_money(-40000, "NOK")) == "-NOK 40 000"


def test_compare_says_direction_size_period_and_whether_it_is_better():
    sl = KPIS["service_level"]
    # 1080/1480 = 72.97 % against 1000/1190 = 84.03 %: 11.06 points lower; lower service level is worse.
    assert compare(sl, 1080 / 1480, 1000 / 1190, "February", "NOK") == "down 11 points on February (worse)"
    assert compare(sl, 0.80, 0.801, "February", "NOK") == "down 0.1 points on February (worse)"
    assert compare(sl, 0.80, 0.80, "February", "NOK") == "unchanged on February"
    assert compare(sl, 0.80, 0.8097, "February", "NOK") == "down 1 point on February (worse)"  # 0.97, not "1.0"
    assert plain(fmt_pct(-0.0004)) == "0 %"  # not "-0 %"
    assert compare(sl, 0.8300, 0.8304, "May", "NOK") == "unchanged on May"  # 0.04 points: not "down 0.0 points"
    # ASA 36.7 s against 23.3 s: 13 s slower, worse; abandonment 4 % against 9 %: 5 points lower, better.
    assert compare(KPIS["asa_seconds"], 49500 / 1350, 26600 / 1140, "February", "NOK") == "up 0:13 on February (worse)"
    assert compare(KPIS["abandonment_rate"], 0.04, 0.09, "May", "NOK") == "down 5 points on May (better)"
    # Occupancy has no good side; money in the currency.
    assert compare(KPIS["occupancy"], 0.82, 0.80, "May", "NOK") == "up 2 points on May (neither better nor worse)"
    assert plain(compare(KPIS["cost_per_call"], 450, 500, "2025", "NOK")) == "down NOK 50.00 on 2025 (better)"
    # A compared period without data says so; a tile without a value compares nothing.
    assert compare(sl, 0.8, None, "March 2025", "NOK") == "no data for March 2025 to compare"
    assert compare(sl, None, 0.8, "March 2025", "NOK") is None


def test_judge_uses_the_target_direction():
    assert judge(0.73, 0.80, "at_least") == "bad"
    assert judge(300, 300, "at_most") == "good"
    assert judge(0.73, None, None) == "neutral"


def test_periods():
    assert add_months(date(2026, 1, 1), -12) == date(2025, 1, 1)
    assert add_months(date(2026, 3, 1), -3) == date(2025, 12, 1)
    assert period_key("quarterly", date(2026, 1, 1)) == "2026-Q1"
    assert period_label("monthly", date(2026, 2, 1), short=True) == "February"
    assert period_key("yearly", date(2026, 1, 1)) == "2026"
