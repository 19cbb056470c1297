{#- Every kept forecast interval of a loaded day next to what happened (METRICS.md "forecast accuracy"): one row per
    origin, queue, interval and method. A day's rows appear when its demand is built (0 contacts where none came) and
    are rebuilt with it: incremental by local day (macros/rebuild_scope.sql), so a night rebuilds the days its files
    touched, not a year of forecasts. Intervals every method forecast as zero (closed hours) are not kept, so
    contacts there are not counted here. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_partitions',
    partition_columns=['local_date'],
    rebuild_scope='rebuilt_upstream_days',
    rebuilt_from=['int_queue_interval_demand'],
) }}
-- depends_on: {{ ref('int_rebuilt_local_days') }}
-- depends_on: {{ ref('int_intervals') }}

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
    {%- if is_incremental() %}
    where local_date in (select local_date from {{ rebuild_scope_relation() }})
    {%- endif %}
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
    coalesce(demand.offered, 0) as offered_actual,
    demand.handle_seconds as handle_seconds_actual,
    demand.handled_legs as handled_actual,
    demand.handle_seconds / nullif(demand.handled_legs, 0) as aht_seconds_actual,
    abs(forecasts.offered_forecast - coalesce(demand.offered, 0)) as offered_absolute_error,
    forecasts.offered_forecast - coalesce(demand.offered, 0) as offered_error,
    forecasts.history_first_date,
    forecasts.history_last_date,
    forecasts.history_rows,
    {{ build_stamp() }} as _built_at
from forecasts
inner join loaded
    on forecasts.local_date <= loaded.last_loaded_date
left join demand
    on demand.queue = forecasts.queue
    and demand.interval_start = forecasts.interval_start
{%- if is_incremental() %}
where forecasts.local_date in (select local_date from {{ rebuild_scope_relation() }})
{%- endif %}
