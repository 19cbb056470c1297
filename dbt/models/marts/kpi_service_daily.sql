{#- Service KPIs per local day and queue (METRICS.md "Contacts"): counts summed from the leg flags of
    fct_contact_legs, ratios and targets (seed kpi_targets, per queue then center) from macros/kpi.sql. Only legs
    offered to a queue count. -#}
with offered_legs as (

    select * from {{ ref('fct_contact_legs') }}
    where is_offered

),

summed as (

    select
        local_date,
        queue,
        count(*) as offered,
        sum(case when is_answered then 1 else 0 end) as answered,
        sum(case when is_abandoned then 1 else 0 end) as abandoned,
        sum(case when is_short_abandon then 1 else 0 end) as short_abandoned,
        sum(case when is_answered_within_threshold then 1 else 0 end) as answered_within_threshold,
        sum(case when is_in_service_level_denominator then 1 else 0 end) as service_level_denominator,
        sum(case when is_answered then wait_seconds else 0 end) as answered_wait_seconds,
        max(wait_seconds) as max_wait_seconds,
        sum(case when is_handled then 1 else 0 end) as handled_legs,
        sum(handle_seconds) as handle_seconds,
        sum(case when is_transferred then 1 else 0 end) as transferred_legs,
        sum(case when is_held then 1 else 0 end) as held_legs,
        sum(case when is_held then hold_seconds else 0 end) as hold_seconds,
        sum(case when is_handled and not has_hold_and_wrap_data then 1 else 0 end) as talk_only_handled_legs
    from offered_legs
    group by local_date, queue

),

kpis as (

    select
        local_date,
        {{ period_start('day', 'local_date') }} as period_start,
        queue,
        offered,
        answered,
        abandoned,
        short_abandoned,
        answered_within_threshold,
        service_level_denominator,
        answered_wait_seconds,
        max_wait_seconds,
        handled_legs,
        handle_seconds,
        transferred_legs,
        held_legs,
        hold_seconds,
        talk_only_handled_legs,
        {{ service_kpi_ratios() }}
    from summed

),

open_days as (

    {{ open_days(['calls']) }}

)

select
    kpis.*,
    {{ service_kpi_targets('kpis') }},
    -- the day's calls are not all in yet (intraday slices, issue 21): the counts so far
    open_days.local_date is not null as is_provisional
from kpis
left join open_days
    on open_days.local_date = kpis.local_date
