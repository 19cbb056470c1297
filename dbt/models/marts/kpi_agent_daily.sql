{#- Agent time KPIs per local day and agent (METRICS.md "Agent time"): state seconds from int_agent_states_spanned,
    schedule seconds from fct_schedule_segments, adherence from fct_adherence_spans, handled legs from
    fct_contact_legs; ratios and targets (seed kpi_targets, per team then center) from macros/kpi.sql. `team` is
    the agent's team on that day (dim_agent history), NULL without a roster row for the day. -#}
with state_seconds as (

    select
        agent_id,
        local_date,
        sum(duration_seconds) as logged_in_seconds,
        sum(case when state = 'ready' then duration_seconds else 0 end) as ready_seconds,
        sum(case when state = 'talk' then duration_seconds else 0 end) as talk_seconds,
        sum(case when state = 'hold' then duration_seconds else 0 end) as hold_seconds,
        sum(case when state = 'acw' then duration_seconds else 0 end) as acw_seconds,
        sum(case when is_handling then duration_seconds else 0 end) as handle_seconds
    from {{ ref('int_agent_states_spanned') }}
    group by agent_id, local_date

),

schedule_seconds as (

    select
        agent_id,
        local_date,
        sum(case when is_scheduled then duration_seconds else 0 end) as scheduled_seconds,
        sum(duration_seconds) as paid_scheduled_seconds,
        sum(case when is_planned_shrinkage then duration_seconds else 0 end) as planned_shrinkage_seconds
    from {{ ref('fct_schedule_segments') }}
    group by agent_id, local_date

),

adherence_seconds as (

    select
        agent_id,
        local_date,
        sum(case when is_adherent then duration_seconds else 0 end) as adherent_seconds,
        sum(case when is_productive_state then duration_seconds else 0 end) as productive_seconds
    from {{ ref('fct_adherence_spans') }}
    group by agent_id, local_date

),

handled as (

    select
        agent_id,
        local_date,
        count(*) as handled_legs,
        sum(handle_seconds) as leg_handle_seconds
    from {{ ref('fct_contact_legs') }}
    where is_handled
    group by agent_id, local_date

),

agent_days as (

    select agent_id, local_date from state_seconds
    union
    select agent_id, local_date from schedule_seconds
    union
    select agent_id, local_date from handled

),

summed as (

    select
        agent_days.agent_id,
        agent_days.local_date,
        coalesce(state_seconds.logged_in_seconds, 0) as logged_in_seconds,
        coalesce(state_seconds.ready_seconds, 0) as ready_seconds,
        coalesce(state_seconds.talk_seconds, 0) as talk_seconds,
        coalesce(state_seconds.hold_seconds, 0) as hold_seconds,
        coalesce(state_seconds.acw_seconds, 0) as acw_seconds,
        coalesce(state_seconds.handle_seconds, 0) as handle_seconds,
        coalesce(schedule_seconds.scheduled_seconds, 0) as scheduled_seconds,
        coalesce(adherence_seconds.adherent_seconds, 0) as adherent_seconds,
        coalesce(schedule_seconds.paid_scheduled_seconds, 0) as paid_scheduled_seconds,
        coalesce(adherence_seconds.productive_seconds, 0) as productive_seconds,
        coalesce(schedule_seconds.planned_shrinkage_seconds, 0) as planned_shrinkage_seconds,
        -- "the rest" of shrinkage (METRICS.md), so planned + unplanned = paid scheduled - productive; negative when
        -- the agent was productive during planned time (e.g. worked through a break)
        coalesce(schedule_seconds.paid_scheduled_seconds, 0) - coalesce(adherence_seconds.productive_seconds, 0)
            - coalesce(schedule_seconds.planned_shrinkage_seconds, 0) as unplanned_shrinkage_seconds,
        coalesce(handled.handled_legs, 0) as handled_legs,
        coalesce(handled.leg_handle_seconds, 0) as leg_handle_seconds
    from agent_days
    left join state_seconds
        on state_seconds.agent_id = agent_days.agent_id and state_seconds.local_date = agent_days.local_date
    left join schedule_seconds
        on schedule_seconds.agent_id = agent_days.agent_id and schedule_seconds.local_date = agent_days.local_date
    left join adherence_seconds
        on adherence_seconds.agent_id = agent_days.agent_id and adherence_seconds.local_date = agent_days.local_date
    left join handled
        on handled.agent_id = agent_days.agent_id and handled.local_date = agent_days.local_date

),

kpis as (

    select
        summed.local_date,
        {{ period_start('day', 'summed.local_date') }} as period_start,
        summed.agent_id,
        agents.team,
        summed.logged_in_seconds,
        summed.ready_seconds,
        summed.talk_seconds,
        summed.hold_seconds,
        summed.acw_seconds,
        summed.handle_seconds,
        summed.scheduled_seconds,
        summed.adherent_seconds,
        summed.paid_scheduled_seconds,
        summed.productive_seconds,
        summed.planned_shrinkage_seconds,
        summed.unplanned_shrinkage_seconds,
        summed.handled_legs,
        summed.leg_handle_seconds,
        {{ agent_kpi_ratios() }}
    from summed
    left join {{ ref('dim_agent') }} as agents
        on agents.agent_id = summed.agent_id
        and summed.local_date >= agents.valid_from
        and (agents.valid_to is null or summed.local_date < agents.valid_to)

)

select
    kpis.*,
    {{ agent_kpi_targets('kpis') }}
from kpis
