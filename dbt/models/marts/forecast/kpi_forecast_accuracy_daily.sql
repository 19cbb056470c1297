{#- Forecast accuracy per origin, queue, method and forecast day: WAPE and bias of offered
    contacts (METRICS.md) over the loaded days' intervals. Re-aggregate by summing the numerators and
    denominators, never by averaging ratios. -#}
select
    origin_date,
    queue,
    method,
    local_date,
    horizon_days,
    bool_or(is_chosen) as is_chosen,
    sum(offered_forecast) as offered_forecast,
    sum(offered_actual) as offered_actual,
    sum(offered_absolute_error) as offered_absolute_error,
    sum(offered_error) as offered_error,
    sum(offered_absolute_error) / nullif(sum(offered_actual), 0) as wape,
    sum(offered_error) / nullif(sum(offered_actual), 0) as bias,
    count(*) as intervals
from {{ ref('fct_interval_forecast_accuracy') }}
group by origin_date, queue, method, local_date, horizon_days
