"""Interval forecasts of offered contacts and AHT per queue: plain code, no Dagster (the asset in
dagster_project/assets.py and the `tilsyn forecast backtest` command both call `forecast.forecast_at_origins`).

- `calendar`: special days (holidays) a center can extend; the sample generator's holidays by default.
- `methods`: the forecasting methods on one queue's day x slot matrix.
- `forecast`: from an interval series to forecasts at origins, with the best pick per queue and horizon week.
"""
