{#- The reporting interval spine: every local interval of var('interval_minutes') on every local day the data
    touches. Built from 15-minute UTC slots (every time zone's UTC offset is a multiple of 15 minutes), each mapped to
    its local interval, so DST days come out right: 23 hours of intervals on the spring change, and on the autumn
    change the repeated local hour appears twice, told apart by its UTC start. -#}
{%- if var('interval_minutes') | int not in [15, 30, 60] %}
    {{ exceptions.raise_compiler_error("var interval_minutes must be 15, 30 or 60, not '" ~ var('interval_minutes') ~ "'") }}
{%- endif %}
with event_bounds as (

    -- a min and max per column: cheaper than a union of every timestamp of the big staging tables
    select min(queued_at) as first_at, max(queued_at) as last_at from {{ ref('stg_calls') }}
    union all
    select min(dialed_at), max(dialed_at) from {{ ref('stg_calls') }}
    union all
    select min(ended_at), max(ended_at) from {{ ref('stg_calls') }}
    union all
    select min(event_at), max(event_at) from {{ ref('stg_agent_states') }}
    union all
    select min(starts_at), max(ends_at) from {{ ref('stg_schedules') }}

),

local_days as (

    select
        cast({{ to_local_timestamp('min(first_at)') }} as date) as first_local_date,
        cast({{ to_local_timestamp('max(last_at)') }} as date) as last_local_date
    from event_bounds

),

utc_range as (

    select
        {{ to_utc_timestamp('cast(first_local_date as timestamp)') }} as range_start_at,
        {{ to_utc_timestamp('cast(' ~ dbt.dateadd('day', 1, 'last_local_date') ~ ' as timestamp)') }} as range_end_at
    from local_days
    where first_local_date is not null

),

slots as (

    {{ timestamp_series('utc_range', 'range_start_at', 'range_end_at', 15) }}

),

slots_localized as (

    select
        slot_start_at,
        {{ dbt.dateadd('minute', 15, 'slot_start_at') }} as slot_end_at,
        {{ interval_floor(to_local_timestamp('slot_start_at')) }} as interval_start,
        -- the UTC offset tells the two occurrences of a repeated local hour apart
        {{ dbt.datediff('slot_start_at', to_local_timestamp('slot_start_at'), 'minute') }} as utc_offset_minutes
    from slots

)

select
    min(slot_start_at) as interval_start_at,
    max(slot_end_at) as interval_end_at,
    interval_start,
    cast(interval_start as date) as local_date,
    utc_offset_minutes,
    {{ seconds_between('min(slot_start_at)', 'max(slot_end_at)') }} as interval_seconds
from slots_localized
group by interval_start, utc_offset_minutes
