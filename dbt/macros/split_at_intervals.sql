{#- Split the spans of `relation` ([start_column, end_column), naive UTC) at every reporting interval boundary of
    int_intervals (and so at every local midnight, DST included). Returns the span's columns (`*`) plus, per piece,
    `started_at`, `ended_at`, `duration_seconds`, `interval_start_at` (UTC), `interval_start` (local) and
    `local_date`: the pieces of a span add up exactly to the span. -#}
{% macro split_at_intervals(relation, start_column, end_column) -%}
    select
        spans.*,
        case when spans.{{ start_column }} > intervals.interval_start_at
            then spans.{{ start_column }} else intervals.interval_start_at end as started_at,
        case when spans.{{ end_column }} < intervals.interval_end_at
            then spans.{{ end_column }} else intervals.interval_end_at end as ended_at,
        {{ seconds_between(
            'case when spans.' ~ start_column ~ ' > intervals.interval_start_at then spans.' ~ start_column ~ ' else intervals.interval_start_at end',
            'case when spans.' ~ end_column ~ ' < intervals.interval_end_at then spans.' ~ end_column ~ ' else intervals.interval_end_at end'
        ) }} as duration_seconds,
        intervals.interval_start_at,
        intervals.interval_start,
        intervals.local_date
    from {{ relation }} as spans
    inner join {{ ref('int_intervals') }} as intervals
        on intervals.interval_start_at < spans.{{ end_column }}
        and intervals.interval_end_at > spans.{{ start_column }}
{%- endmacro %}
