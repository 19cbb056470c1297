{#- Forecast accuracy per origin, queue, method and forecast day: WAPE and bias of offered
    contacts (METRICS.md) over the loaded days' intervals. Re-aggregate by summing the numerators and
    denominators, never by averaging ratios. -#}
select
    origin_date,
    queue,
    method,
    local_date,
    horizon_days,
    {{ forecast_accuracy_measures() }}
from {{ ref('fct_interval_forecast_accuracy') }}
group by origin_date, queue, method, local_date, horizon_days
