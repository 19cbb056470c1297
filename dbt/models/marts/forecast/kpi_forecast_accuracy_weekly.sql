{#- Forecast accuracy per origin, queue, method and horizon week (days 1-7 after the origin are week 1): WAPE and
    bias of offered contacts (METRICS.md) over the loaded days' intervals. Re-aggregate by summing the numerators and
    denominators, never by averaging ratios. -#}
select
    origin_date,
    queue,
    method,
    cast(floor((horizon_days - 1) / 7) as integer) + 1 as horizon_weeks,
    min(local_date) as first_date,
    max(local_date) as last_date,
    {{ forecast_accuracy_measures() }}
from {{ ref('fct_interval_forecast_accuracy') }}
group by origin_date, queue, method, horizon_weeks
