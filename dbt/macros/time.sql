{#- Time helpers shared by every model. Raw timestamps are naive UTC; reporting is in var('center_timezone').
    Each expands to one parenthesised expression, so it composes with casts and operators. DuckDB-specific syntax
    sits behind adapter.dispatch so another engine can supply its own version. -#}

{#- A naive UTC timestamp -> the naive local timestamp of the center (DST handled by the engine's tz database). -#}
{% macro to_local_timestamp(utc_timestamp) -%}
    {{ return(adapter.dispatch('to_local_timestamp', 'tilsyn')(utc_timestamp)) }}
{%- endmacro %}

{% macro default__to_local_timestamp(utc_timestamp) -%}
    convert_timezone('UTC', '{{ var("center_timezone") }}', {{ utc_timestamp }})
{%- endmacro %}

{% macro duckdb__to_local_timestamp(utc_timestamp) -%}
    ((({{ utc_timestamp }}) at time zone 'UTC') at time zone '{{ var("center_timezone") }}')
{%- endmacro %}

{#- A naive local timestamp of the center -> naive UTC (for boundaries computed in local time). -#}
{% macro to_utc_timestamp(local_timestamp) -%}
    {{ return(adapter.dispatch('to_utc_timestamp', 'tilsyn')(local_timestamp)) }}
{%- endmacro %}

{% macro default__to_utc_timestamp(local_timestamp) -%}
    convert_timezone('{{ var("center_timezone") }}', 'UTC', {{ local_timestamp }})
{%- endmacro %}

{% macro duckdb__to_utc_timestamp(local_timestamp) -%}
    ((({{ local_timestamp }}) at time zone '{{ var("center_timezone") }}') at time zone 'UTC')
{%- endmacro %}

{#- First local day of the period of `grain` (day, week, month, quarter, year) that contains `date_expr`.
    Weeks are ISO weeks (Monday). -#}
{% macro period_start(grain, date_expr) -%}
    {%- if grain == 'day' -%}
        cast({{ date_expr }} as date)
    {%- else -%}
        cast({{ dbt.date_trunc(grain, date_expr) }} as date)
    {%- endif -%}
{%- endmacro %}

{#- Seconds between two timestamps, as an integer. -#}
{% macro seconds_between(start_ts, end_ts) -%}
    {{ dbt.datediff(start_ts, end_ts, 'second') }}
{%- endmacro %}

{#- A naive local timestamp floored to the start of its reporting interval (var('interval_minutes')). -#}
{% macro interval_floor(local_timestamp) -%}
    {{ return(adapter.dispatch('interval_floor', 'tilsyn')(local_timestamp)) }}
{%- endmacro %}

{% macro default__interval_floor(local_timestamp) -%}
    {{ dbt.dateadd('minute',
        '-1 * (cast(extract(minute from ' ~ local_timestamp ~ ') as integer) % ' ~ var('interval_minutes') ~ ')',
        dbt.date_trunc('minute', local_timestamp)) }}
{%- endmacro %}

{% macro duckdb__interval_floor(local_timestamp) -%}
    time_bucket(interval '{{ var("interval_minutes") }} minutes', {{ local_timestamp }})
{%- endmacro %}

{#- ISO calendar parts of a date: 'isodow' (1 = Monday), 'isoyear', 'week' (ISO week number). -#}
{% macro iso_date_part(part, date_expr) -%}
    {{ return(adapter.dispatch('iso_date_part', 'tilsyn')(part, date_expr)) }}
{%- endmacro %}

{% macro default__iso_date_part(part, date_expr) -%}
    cast(extract({{ part }} from {{ date_expr }}) as integer)
{%- endmacro %}

{#- A time-zone-aware timestamp (ops tables written by ingest) -> naive UTC, the models' form. -#}
{% macro to_naive_utc(aware_timestamp) -%}
    {{ return(adapter.dispatch('to_naive_utc', 'tilsyn')(aware_timestamp)) }}
{%- endmacro %}

{% macro default__to_naive_utc(aware_timestamp) -%}
    to_utc_timestamp({{ aware_timestamp }}, 'UTC')
{%- endmacro %}

{% macro duckdb__to_naive_utc(aware_timestamp) -%}
    (({{ aware_timestamp }}) at time zone 'UTC')
{%- endmacro %}
