"""The supervisor page's forecast figure and accuracy table (dashboards/forecast_figures.py): pure functions."""

from __future__ import annotations

from datetime import date

import polars as pl

from dashboards.forecast_figures import forecast_accuracy_table, make_forecast_volume_figure


def test_forecast_volume_is_a_line_per_queue() -> None:
    df = pl.DataFrame(
        {
            "local_date": [date(2026, 2, 2), date(2026, 2, 2), date(2026, 2, 3)],
            "queue": ["support", "billing", "billing"],
            "offered_forecast": [257.4, 332.25, 308.75],
        }
    )
    fig = make_forecast_volume_figure(df, "Forecast")
    assert [t.name for t in fig.data] == ["billing", "support"]
    assert list(fig.data[0].y) == [332.0, 309.0]  # whole contacts, in day order
    assert list(fig.data[1].y) == [257.0]


def test_accuracy_table_puts_the_chosen_method_beside_the_moving_average() -> None:
    df = pl.DataFrame(
        {
            "queue": ["billing"],
            "origins": [4],
            "first_date": [date(2026, 2, 2)],
            "last_date": [date(2026, 3, 1)],
            "offered_actual": [9120],
            "chosen_wape": [0.0612],
            "chosen_bias": [-0.013],
            "moving_average_wape": [0.0748],
        }
    )
    table = forecast_accuracy_table(df)
    assert table.columns[4:] == ["WAPE", "Bias", "WAPE, 4-week average"]
    assert table.rows[0] == [
        "billing",
        "02 Feb to 01 Mar",
        "4",
        "9\u202f120",
        "6.1\u00a0%",
        "-1.3\u00a0%",
        "7.5\u00a0%",
    ]
    assert forecast_accuracy_table(df.clear()) is None
