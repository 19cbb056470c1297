{#- Split the spans of `relation` ([start_column, end_column), naive UTC) at every reporting interval boundary of
    int_intervals (and so at every local midnight, DST included). Returns the span's columns (`*`, and the helper
    columns `_slot_first`, `_slot_last`, `_slot_count` and `n`) plus, per piece, `started_at`, `ended_at`, `duration_seconds`,
    `interval_start_at` (UTC), `interval_start` (local) and `local_date`: the pieces of a span add up exactly to the
    span.
    Spans meet intervals by equality, not by a range join: every interval is made of whole 15-minute UTC slots (each
    time zone's offset is a multiple of 15 minutes, int_intervals), so a span is numbered with the slots it touches
    and joined on the slot number to the interval holding it, keeping the span's first slot and each interval's first
    slot (one piece per interval). A range join of tens of millions of spans to the interval spine sorts both sides;
    this is a hash join on one integer. -#}
{% macro split_at_intervals(relation, start_column, end_column) -%}
    with slotted_spans as (

        select
            *,
            _slot_last - _slot_first + 1 as _slot_count
        from (
            select
                *,
                {{ slot_number(start_column) }} as _slot_first,
                {{ slot_number(end_column) }} as _slot_last
            from {{ relation }}
        ) as numbered_spans

    ),

    span_slots as (

        {{ number_series('slotted_spans', '_slot_count') }}

    ),

    intervals as (

        select
            *,
            {{ slot_number('interval_start_at') }} as slot_first,
            {{ slot_number('interval_end_at') }} - {{ slot_number('interval_start_at') }} as slot_count
        from {{ ref('int_intervals') }}

    ),

    interval_slots as (

        {{ number_series('intervals', 'slot_count') }}

    )

    select
        span_slots.*,
        case when span_slots.{{ start_column }} > interval_slots.interval_start_at
            then span_slots.{{ start_column }} else interval_slots.interval_start_at end as started_at,
        case when span_slots.{{ end_column }} < interval_slots.interval_end_at
            then span_slots.{{ end_column }} else interval_slots.interval_end_at end as ended_at,
        {{ seconds_between(
            'case when span_slots.' ~ start_column ~ ' > interval_slots.interval_start_at then span_slots.' ~ start_column ~ ' else interval_slots.interval_start_at end',
            'case when span_slots.' ~ end_column ~ ' < interval_slots.interval_end_at then span_slots.' ~ end_column ~ ' else interval_slots.interval_end_at end'
        ) }} as duration_seconds,
        interval_slots.interval_start_at,
        interval_slots.interval_start,
        interval_slots.local_date
    from span_slots
    inner join interval_slots
        on interval_slots.slot_first + interval_slots.n = span_slots._slot_first + span_slots.n
    -- one piece per interval: the span's first slot, then only the first slot of each later interval; a span ending
    -- on a slot boundary numbers the next slot too, where it lasts no time
    where (span_slots.n = 0 or interval_slots.n = 0)
        and interval_slots.interval_start_at < span_slots.{{ end_column }}
{%- endmacro %}

{#- The 15-minute UTC slot a naive UTC timestamp falls in, numbered from 1970-01-01 00:00. -#}
{% macro slot_number(utc_timestamp) -%}
    cast(floor({{ seconds_between("cast('1970-01-01' as timestamp)", utc_timestamp) }} / 900.0) as bigint)
{%- endmacro %}
