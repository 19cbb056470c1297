{#- Every kept forecast interval next to what happened (METRICS.md "forecast accuracy"): one row per origin, queue,
    interval and method. The actual is NULL until the interval's day is loaded, 0 when it was loaded without contacts.
    Intervals every method forecast as zero (closed hours) are not kept, so contacts there are not counted here. -#}
with forecasts as (
    {{ kept_forecasts() }}
),

loaded as (
    select max(local_date) as last_loaded_date
    from {{ ref('int_queue_interval_demand') }}
),

demand as (
    select queue, interval_start, sum(offered) as offered, sum(handled_legs) as handled_legs,
        sum(handle_seconds) as handle_seconds
    from {{ ref('int_queue_interval_demand') }}
    group by queue, interval_start
)

select
    forecasts.origin_date,
    forecasts.queue,
    forecasts.interval_start,
    forecasts.local_date,
    forecasts.horizon_days,
    forecasts.method,
    forecasts.is_chosen,
    forecasts.offered_forecast,
    forecasts.aht_seconds_forecast,
    case when forecasts.local_date <= loaded.last_loaded_date then coalesce(demand.offered, 0) end as offered_actual,
    demand.handle_seconds as handle_seconds_actual,
    demand.handled_legs as handled_actual,
    demand.handle_seconds / nullif(demand.handled_legs, 0) as aht_seconds_actual,
    case when forecasts.local_date <= loaded.last_loaded_date
        then abs(forecasts.offered_forecast - coalesce(demand.offered, 0)) end as offered_absolute_error,
    case when forecasts.local_date <= loaded.last_loaded_date
        then forecasts.offered_forecast - coalesce(demand.offered, 0) end as offered_error,
    forecasts.history_first_date,
    forecasts.history_last_date,
    forecasts.history_rows,
    {{ build_stamp() }} as _built_at
from forecasts
cross join loaded
left join demand
    on demand.queue = forecasts.queue
    and demand.interval_start = forecasts.interval_start
