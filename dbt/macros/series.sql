{#- Row generators (lateral series) for the interval and date spines and the Erlang C search. DuckDB has table
    functions for these; the default is a portable cross join of digits. -#}

{#- One row per step of `step_minutes` from `start_column` (inclusive) to `end_column` (exclusive) of the one-row
    `relation`, as column `slot_start_at`. Builds the interval spine. -#}
{% macro timestamp_series(relation, start_column, end_column, step_minutes) -%}
    {{ return(adapter.dispatch('timestamp_series', 'tilsyn')(relation, start_column, end_column, step_minutes)) }}
{%- endmacro %}

{% macro default__timestamp_series(relation, start_column, end_column, step_minutes) -%}
    {#- Portable fallback: a cross join of digits gives 0..999999 steps (about 28 years of 15-minute slots). -#}
    {%- set digits = "(select 0 as d union all select 1 union all select 2 union all select 3 union all select 4 union all select 5 union all select 6 union all select 7 union all select 8 union all select 9)" -%}
    {%- set slot = dbt.dateadd('minute', 'steps.step_number * ' ~ step_minutes, relation ~ '.' ~ start_column) -%}
    select {{ slot }} as slot_start_at
    from {{ relation }}
    cross join (
        select d0.d + 10 * d1.d + 100 * d2.d + 1000 * d3.d + 10000 * d4.d + 100000 * d5.d as step_number
        from {{ digits }} as d0 cross join {{ digits }} as d1 cross join {{ digits }} as d2
        cross join {{ digits }} as d3 cross join {{ digits }} as d4 cross join {{ digits }} as d5
    ) as steps
    where {{ slot }} < {{ relation }}.{{ end_column }}
{%- endmacro %}

{% macro duckdb__timestamp_series(relation, start_column, end_column, step_minutes) -%}
    select generate_series as slot_start_at
    from {{ relation }}, generate_series(
        {{ relation }}.{{ start_column }},
        {{ relation }}.{{ end_column }} - interval '1 microsecond',
        interval '{{ step_minutes }} minutes'
    )
{%- endmacro %}

{#- Integers 0 .. `upper_column` - 1 for each row of `relation` (a lateral series), as column `n`. -#}
{% macro number_series(relation, upper_column) -%}
    {{ return(adapter.dispatch('number_series', 'tilsyn')(relation, upper_column)) }}
{%- endmacro %}

{% macro default__number_series(relation, upper_column) -%}
    {%- set digits = "(select 0 as d union all select 1 union all select 2 union all select 3 union all select 4 union all select 5 union all select 6 union all select 7 union all select 8 union all select 9)" -%}
    select {{ relation }}.*, steps.n
    from {{ relation }}
    cross join (
        select d0.d + 10 * d1.d + 100 * d2.d + 1000 * d3.d as n
        from {{ digits }} as d0 cross join {{ digits }} as d1 cross join {{ digits }} as d2 cross join {{ digits }} as d3
    ) as steps
    where steps.n < {{ relation }}.{{ upper_column }}
{%- endmacro %}

{% macro duckdb__number_series(relation, upper_column) -%}
    select {{ relation }}.*, range as n
    from {{ relation }}, range(0, {{ relation }}.{{ upper_column }})
{%- endmacro %}
