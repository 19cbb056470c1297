{#- The forecasts the pipeline kept (ops.interval_forecasts, written by dagster_project/forecasting/snapshots.py after
    dbt builds): a typed empty select until the first forecast is kept. Not a dbt source: the forecast step runs after
    this build and reads its marts, so as a source its asset would be both upstream and downstream of the build. -#}
{% macro kept_forecasts() -%}
    {{- ops_table_or_empty('interval_forecasts', [
        ['origin_date', 'date'],
        ['queue', dbt.type_string()],
        ['interval_start', 'timestamp'],
        ['local_date', 'date'],
        ['horizon_days', 'integer'],
        ['method', dbt.type_string()],
        ['is_chosen', 'boolean'],
        ['offered_forecast', 'double'],
        ['aht_seconds_forecast', 'double'],
        ['history_first_date', 'date'],
        ['history_last_date', 'date'],
        ['history_rows', 'bigint'],
    ]) -}}
{%- endmacro %}
