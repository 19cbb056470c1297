{#- The forecasts the pipeline kept (ops.interval_forecasts, written by dagster_project/forecasting/snapshots.py after
    dbt builds): a typed empty select until the first forecast is kept. Not a dbt source: the forecast step runs after
    this build and reads its marts, so as a source its asset would be both upstream and downstream of the build. -#}
{% macro kept_forecasts() -%}
    {%- set kept = adapter.get_relation(database=target.database, schema='ops', identifier='interval_forecasts')
        if execute else none -%}
    {%- if kept is not none -%}
    select origin_date, queue, interval_start, local_date, horizon_days, method, is_chosen, offered_forecast,
        aht_seconds_forecast, history_first_date, history_last_date, history_rows
    from {{ kept }}
    {%- else -%}
    select
        cast(null as date) as origin_date,
        cast(null as {{ dbt.type_string() }}) as queue,
        cast(null as timestamp) as interval_start,
        cast(null as date) as local_date,
        cast(null as integer) as horizon_days,
        cast(null as {{ dbt.type_string() }}) as method,
        cast(null as boolean) as is_chosen,
        cast(null as double) as offered_forecast,
        cast(null as double) as aht_seconds_forecast,
        cast(null as date) as history_first_date,
        cast(null as date) as history_last_date,
        cast(null as bigint) as history_rows
    where 1 = 0
    {%- endif -%}
{%- endmacro %}
