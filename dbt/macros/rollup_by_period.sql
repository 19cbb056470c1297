{#- The one roll-up pattern of the people, finance, cost-per-call, quality and outbound marts (METRICS.md ground rule:
    ratios are rebuilt from sums at every grain). A base model holds additive counts and sums at its finest grain
    (day or month); `rollup_by_period` groups it into the periods of a grain; each mart then divides the rolled-up
    numerators by the rolled-up denominators with `safe_divide` (macros/kpi.sql, shared with the other marts). So a
    quarter's QA score is sum(score) / sum(max_score) over the quarter, never a mean of monthly scores. The service,
    agent and FCR marts roll their daily marts up with it too (reaggregate_daily_kpi in macros/kpi.sql).

    Column arguments are lists of names or mappings {output name: expression over the base model}:
    - sums:   additive measures, summed over the period;
    - maxes:  measures whose period value is the largest (e.g. the longest wait);
    - firsts: values on the period's first covered date (e.g. headcount at the start);
    - lasts:  values on the period's last covered date (e.g. headcount at the end, year-to-date amounts).
    The result also carries `covered_from` / `covered_to`: the first and last base date inside the period. -#}
{% macro rollup_by_period(relation, grain, date_column, dimensions, sums=[], maxes=[], firsts=[], lasts=[]) -%}
    {%- set sums = as_column_mapping(sums) -%}
    {%- set maxes = as_column_mapping(maxes) -%}
    {%- set firsts = as_column_mapping(firsts) -%}
    {%- set lasts = as_column_mapping(lasts) -%}
    {%- set dims = dimensions | join(', ') -%}
    with rollup_base as (
        select
            {{ period_start(grain, date_column) }} as period_start,
            {{ date_column }} as rollup_date,
            {%- for dim in dimensions %}
            {{ dim }},
            {%- endfor %}
            {%- for name, expression in sums.items() %}
            {{ expression }} as {{ name }},
            {%- endfor %}
            {%- for name, expression in maxes.items() %}
            {{ expression }} as {{ name }},
            {%- endfor %}
            {%- for name, expression in firsts.items() %}
            {{ expression }} as {{ name }},
            {%- endfor %}
            {%- for name, expression in lasts.items() %}
            {{ expression }} as {{ name }},
            {%- endfor %}
            row_number() over (
                partition by {{ period_start(grain, date_column) }}{% for dim in dimensions %}, {{ dim }}{% endfor %}
                order by {{ date_column }}
            ) as rollup_rank_first,
            row_number() over (
                partition by {{ period_start(grain, date_column) }}{% for dim in dimensions %}, {{ dim }}{% endfor %}
                order by {{ date_column }} desc
            ) as rollup_rank_last
        from {{ relation }}
    )
    select
        period_start,
        {%- for dim in dimensions %}
        {{ dim }},
        {%- endfor %}
        min(rollup_date) as covered_from,
        max(rollup_date) as covered_to,
        {%- for name in sums %}
        sum({{ name }}) as {{ name }},
        {%- endfor %}
        {%- for name in maxes %}
        max({{ name }}) as {{ name }},
        {%- endfor %}
        {%- for name in firsts %}
        max(case when rollup_rank_first = 1 then {{ name }} end) as {{ name }},
        {%- endfor %}
        {%- for name in lasts %}
        max(case when rollup_rank_last = 1 then {{ name }} end) as {{ name }},
        {%- endfor %}
        count(*) as base_rows
    from rollup_base
    group by period_start{% for dim in dimensions %}, {{ dim }}{% endfor %}
{%- endmacro %}

{#- A list of column names -> {name: name}; a mapping is returned as it is. -#}
{% macro as_column_mapping(columns) -%}
    {%- if columns is mapping -%}
        {{ return(columns) }}
    {%- endif -%}
    {%- set mapping = {} -%}
    {%- for column in columns -%}
        {%- do mapping.update({column: column}) -%}
    {%- endfor -%}
    {{ return(mapping) }}
{%- endmacro %}

{#- The period columns every mart starts with: `period_start`, and `local_date` at daily grain (MARTS.md). -#}
{% macro period_columns(grain) -%}
    period_start,
    {%- if grain == 'day' %}
    period_start as local_date,
    {%- endif %}
{%- endmacro %}

{#- Dates (or months) from the `start_column` to the `end_column` of the one-row relation `bounds`, as `spine_date`.
    Built at query time from the data (dbt.date_spine needs its bounds at compile time). `max_periods` caps the
    length: 40000 days is over a century. -#}
{% macro date_spine_between(datepart, bounds, start_column, end_column, max_periods=40000) -%}
    select cast({{ dbt.dateadd(datepart, 'spine_series.generated_number - 1', 'spine_bounds.' ~ start_column) }}
                as date) as spine_date
    from ({{ dbt.generate_series(max_periods) }}) as spine_series
    cross join {{ bounds }} as spine_bounds
    where {{ dbt.dateadd(datepart, 'spine_series.generated_number - 1', 'spine_bounds.' ~ start_column) }}
          <= spine_bounds.{{ end_column }}
{%- endmacro %}
