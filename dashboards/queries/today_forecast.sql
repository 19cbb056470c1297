-- Today's forecast per queue and interval: the chosen method of the newest forecast made before today (its origin is
-- the last complete day; intraday runs never refit it). interval_start is local time.
select
    queue,
    origin_date,
    local_date,
    interval_start,
    interval_minutes * 60 as interval_seconds,
    offered_forecast as forecast_offered,
    aht_seconds_forecast as forecast_aht_seconds
from ops.interval_forecasts
where is_chosen
    and local_date = $day
    and origin_date = (
        select max(origin_date) from ops.interval_forecasts where is_chosen and local_date = $day and origin_date < $day
    )
order by queue, interval_start
