-- Forecast accuracy one week ahead (horizon week 1) of the forecasts made in the 28 days before the newest origin with
-- actuals: per queue, the chosen method's WAPE and bias beside the WFM suites' default (the 4-week moving average),
-- from the sums of marts.kpi_forecast_accuracy_weekly (METRICS.md: WAPE = sum |forecast - actual| / sum actual).
with recent as (
    select *
    from marts.kpi_forecast_accuracy_weekly
    where horizon_weeks = 1
        and origin_date > (select max(origin_date) from marts.kpi_forecast_accuracy_weekly) - interval 28 day
)
select
    queue,
    count(distinct origin_date) as origins,
    min(first_date) as first_date,
    max(last_date) as last_date,
    sum(offered_actual) filter (where is_chosen) as offered_actual,
    sum(offered_absolute_error) filter (where is_chosen)
        / nullif(sum(offered_actual) filter (where is_chosen), 0) as chosen_wape,
    sum(offered_error) filter (where is_chosen) / nullif(sum(offered_actual) filter (where is_chosen), 0) as chosen_bias,
    sum(offered_absolute_error) filter (where method = 'moving_average_4w')
        / nullif(sum(offered_actual) filter (where method = 'moving_average_4w'), 0) as moving_average_wape
from recent
group by queue
order by queue
