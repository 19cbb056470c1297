{#- Agent time KPIs per local day and agent (METRICS.md "Agent time"): the seconds of int_agent_daily_seconds with the
    ratios and targets (seed kpi_targets, per team then center) of macros/kpi.sql. `team` is the agent's team on that
    day (dim_agent history), NULL without a roster row for the day. A table rebuilt every run: roster snapshots can
    change the team of any day, and a year of agent-days is ~0.4 M rows. -#}
with kpis as (

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
    from {{ ref('int_agent_daily_seconds') }} as summed
    {{ left_join_team_on_day('agents', 'summed.agent_id', 'summed.local_date') }}

),

open_days as (

    {{ open_days(['agent_states', 'calls']) }}

)

select
    kpis.*,
    {{ agent_kpi_targets('kpis') }},
    -- the day's agent states or calls are not all in yet (intraday slices, issue 21): the time so far, an open state
    -- counted up to the cutoff, schedules up to the data's last loaded moment
    open_days.local_date is not null as is_provisional
from kpis
left join open_days
    on open_days.local_date = kpis.local_date
