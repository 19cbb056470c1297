{#- Contact legs with everything the contact KPIs count: the local interval and day the leg belongs to, wait and
    handle seconds, and one flag per METRICS.md definition. Every contact metric is defined here, once; the marts only
    sum these columns.
    Incremental by contact (macros/incremental.sql): a new or corrected leg rebuilds every leg of its contact (leg
    numbers count the contact's legs), and var('rebuild_local_dates') rebuilds the contacts of those local days. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_partitions',
    partition_columns=['contact_id'],
    rebuild_scope='changed_contacts',
) }}
-- depends_on: {{ ref('int_rebuilt_local_days') }}

with source_legs as (

    {%- if is_incremental() %}
    {{ rows_in_scope(ref('stg_calls'), 'contact_id', rebuild_scope_relation()) }}
    {%- else %}
    select * from {{ ref('stg_calls') }}
    {%- endif %}

),

legs as (

    select
        *,
        -- inbound legs belong to the moment they entered the queue, outbound to the dial; an IVR-only call has
        -- neither, so it falls back to its end
        coalesce(queued_at, dialed_at, ended_at) as started_at,
        direction = 'inbound' and queue is not null and queue <> '' and queued_at is not null as is_offered,
        direction = 'inbound' and answered_at is not null and agent_id is not null as is_handled
    from source_legs

),

leg_order as (

    -- the contact windows sort only the four columns they need (sorting whole legs spills at a year's scale)
    select
        leg_id,
        row_number() over (partition by contact_id order by started_at, leg_id) as leg_number,
        -- every leg of a contact is rebuilt with the newest of its files (same window, so one sort)
        max(_file_seq) over (partition by contact_id order by started_at, leg_id
            rows between unbounded preceding and unbounded following) as contact_file_seq
    from legs

),

timed as (

    select
        legs.*,
        {{ to_local_timestamp('legs.started_at') }} as local_started_at,
        case
            when legs.is_offered
                then {{ seconds_between('legs.queued_at', 'coalesce(legs.answered_at, legs.ended_at)') }}
        end as wait_seconds,
        case
            when legs.is_handled
                then coalesce(legs.talk_seconds, 0) + coalesce(legs.hold_seconds, 0) + coalesce(legs.acw_seconds, 0)
            else 0
        end as handle_seconds,
        leg_order.leg_number,
        leg_order.contact_file_seq
    from legs
    inner join leg_order
        on leg_order.leg_id = legs.leg_id

),

flagged as (

    select
        *,
        is_offered and answered_at is not null as is_answered,
        is_offered and answered_at is null as is_abandoned,
        is_offered and answered_at is null
            and wait_seconds < {{ var('short_abandon_seconds') }} as is_short_abandon,
        is_offered and answered_at is not null
            and wait_seconds <= {{ var('service_level_seconds') }} as is_answered_within_threshold,
        is_offered and answered_at is null
            and wait_seconds > {{ var('service_level_seconds') }} as is_late_abandon,
        is_handled and end_reason = 'transfer' as is_transferred,
        is_handled and coalesce(hold_seconds, 0) > 0 as is_held,
        -- a platform that does not report hold or after-call work (Asterisk's queue_log) leaves them empty: the
        -- handle time of such a leg is talk only, and the marts count those legs rather than read a silent 0
        not is_handled or (hold_seconds is not null and acw_seconds is not null) as has_hold_and_wrap_data,
        {{ interval_floor('local_started_at') }} as interval_start
    from timed

)

select
    leg_id,
    contact_id,
    leg_number,
    direction,
    queue,
    campaign,
    agent_id,
    customer_id,
    queued_at,
    dialed_at,
    answered_at,
    ended_at,
    started_at,
    local_started_at,
    cast(local_started_at as date) as local_date,
    interval_start,
    {{ dbt.dateadd('second', '-1 * ' ~ seconds_between('interval_start', 'local_started_at'), 'started_at') }}
        as interval_start_at,
    end_reason,
    outcome,
    talk_seconds,
    hold_seconds,
    acw_seconds,
    wait_seconds,
    handle_seconds,
    is_offered,
    is_answered,
    is_abandoned,
    is_short_abandon,
    is_answered_within_threshold,
    is_late_abandon,
    -- the service level denominator variant (METRICS.md), chosen by var('service_level_denominator')
    {%- set denominator = var('service_level_denominator') %}
    {%- if denominator == 'offered_minus_short_abandons' %}
    is_offered and not is_short_abandon as is_in_service_level_denominator,
    {%- elif denominator == 'offered' %}
    is_offered as is_in_service_level_denominator,
    {%- elif denominator == 'answered_plus_late_abandons' %}
    is_answered or is_late_abandon as is_in_service_level_denominator,
    {%- else %}
    {{ exceptions.raise_compiler_error("var service_level_denominator must be offered_minus_short_abandons, offered or answered_plus_late_abandons, not '" ~ denominator ~ "'") }}
    {%- endif %}
    is_handled,
    is_transferred,
    is_held,
    has_hold_and_wrap_data,
    leg_number > 1 as is_transfer_leg,
    contact_file_seq as _file_seq,
    {{ build_stamp() }} as _built_at
from flagged
