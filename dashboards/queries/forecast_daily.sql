-- The coming weeks' forecast volume per queue and day: the newest kept forecast (ops.interval_forecasts), the method
-- the best pick chose for each interval, summed over the day's intervals.
select
    local_date,
    queue,
    origin_date,
    sum(offered_forecast) as offered_forecast,
    sum(offered_forecast * aht_seconds_forecast) / nullif(sum(offered_forecast) filter (
        where aht_seconds_forecast is not null), 0) as aht_seconds_forecast
from ops.interval_forecasts
where is_chosen and origin_date = (select max(origin_date) from ops.interval_forecasts)
group by local_date, queue, origin_date
order by local_date, queue
