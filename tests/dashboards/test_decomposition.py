"""The mix/rate split of a center-wide ratio's change (dashboards/decomposition.py), on examples worked out by hand."""

from __future__ import annotations

import pytest

from dashboards.decomposition import Sums, decompose


def test_two_queues_split_into_mix_and_rate_by_hand():
    # Service level, answered within threshold / calls in the denominator.
    # February: sales 80/100 (80 %), support 60/100 (60 %) -> center 140/200 = 70 %.
    # March:    sales 90/100 (90 %), support 90/300 (30 %) -> center 180/400 = 45 %. Change -25 points.
    before = {"sales": Sums(80, 100), "support": Sums(60, 100)}
    after = {"sales": Sums(90, 100), "support": Sums(90, 300)}
    result = decompose(before, after)
    assert result.before == pytest.approx(0.70)
    assert result.after == pytest.approx(0.45)
    # Weights: sales 0.5 -> 0.25, support 0.5 -> 0.75. Center mean rate (0.70 + 0.45) / 2 = 0.575.
    # support: rate (0.30 - 0.60) x (0.5 + 0.75) / 2 = -0.1875; mix (0.75 - 0.5) x (0.45 - 0.575) = -0.03125
    # sales:   rate (0.90 - 0.80) x (0.5 + 0.25) / 2 = +0.0375; mix (0.25 - 0.5) x (0.85 - 0.575) = -0.06875
    # Sum: -0.1875 - 0.03125 + 0.0375 - 0.06875 = -0.25 = the change.
    support, sales = result.contributions  # largest effect first: support -0.21875, sales -0.03125
    assert support.segment == "support" and sales.segment == "sales"
    assert support.rate == pytest.approx(-0.1875)
    assert support.mix == pytest.approx(-0.03125)
    assert sales.rate == pytest.approx(0.0375)
    assert sales.mix == pytest.approx(-0.06875)
    assert support.rate_before == pytest.approx(0.60) and support.rate_after == pytest.approx(0.30)
    assert sum(c.total for c in result.contributions) == pytest.approx(result.change, abs=1e-12)
    assert result.change == pytest.approx(-0.25)


def test_a_new_segment_is_all_mix_and_the_parts_still_add_up():
    # Team North 90/100 both months; team South joins in March with 50/100.
    # Center 90 % -> 140/200 = 70 %: -20 points. South: weight 0 -> 0.5, its rate 50 % for both periods:
    # mix 0.5 x (0.50 - 0.80) = -0.15, rate 0. North: weight 1 -> 0.5, mix -0.5 x (0.90 - 0.80) = -0.05, rate 0.
    result = decompose({"North": Sums(90, 100)}, {"North": Sums(90, 100), "South": Sums(50, 100)})
    south, north = result.contributions
    assert (south.segment, south.mix, south.rate) == ("South", pytest.approx(-0.15), 0)
    assert south.rate_before is None
    assert north.mix == pytest.approx(-0.05) and north.rate == pytest.approx(0)
    assert south.total + north.total == pytest.approx(result.change) == pytest.approx(-0.20)


def test_scale_and_offset_turn_a_ratio_into_the_kpi():
    # Budget variance = actual / budget - 1. January: staff 100/100, tools 10/10 -> 0 %.
    # February: staff 100/100, tools 20/10 -> 120/110 - 1 = +9.09 %: all of it is tools.
    # tools: rate (2 - 1) x (10/110 + 10/110) / 2 = 0.0909; mix 0 (weights unchanged).
    result = decompose(
        {"staff": Sums(100, 100), "tools": Sums(10, 10)},
        {"staff": Sums(100, 100), "tools": Sums(20, 10)},
        offset=-1.0,
    )
    assert result.change == pytest.approx(10 / 110)
    tools = result.contributions[0]
    assert tools.segment == "tools" and tools.total == pytest.approx(10 / 110)
    assert tools.rate_before == pytest.approx(0.0) and tools.rate_after == pytest.approx(1.0)
    # First-contact resolution = 1 - repeats / eligible: a rise in repeats is a fall in FCR.
    fcr = decompose({"q": Sums(10, 100)}, {"q": Sums(20, 100)}, scale=-1.0, offset=1.0)
    assert fcr.before == pytest.approx(0.9) and fcr.after == pytest.approx(0.8)
    assert fcr.contributions[0].rate == pytest.approx(-0.1)


def test_no_denominator_no_decomposition():
    assert decompose({}, {"a": Sums(1, 2)}) is None
    assert decompose({"a": Sums(0, 0)}, {"a": Sums(1, 2)}) is None
