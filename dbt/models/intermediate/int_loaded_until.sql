{#- The data's last loaded moment, once for the whole center: the latest agent state event or call end loaded, or,
    while a day of agent states is open (intraday slices, issue 21), that day's cutoff when later (a slice is complete
    up to its cutoff even when its last event came earlier). The agent-time marts (fct_adherence_spans,
    int_agent_daily_seconds and so kpi_agent_*, kpi_staffing_interval) count schedule time only before it: WFM
    publishes schedules weeks ahead, and a schedule after the last loaded moment is not yet an absence (nor is the
    afternoon of a day not yet lived). One moment for the center, not one per agent: an agent absent for a whole day
    has no events of that day, and a per-agent cutoff would drop that day's schedule instead of counting it as out of
    adherence. A closed day's cutoff (its midnight) does not move it: the whole-day load of a day and its slices give
    the same moment once it closes. fct_schedule_segments keeps the whole published schedule. -#}
with loaded_moments as (

    select max(event_at) as loaded_at from {{ ref('stg_agent_states') }}
    union all
    select max(ended_at) from {{ ref('stg_calls') }}
    union all
    select max(cutoff_at) from {{ ref('int_source_day_cutoffs') }}
    where source = 'agent_states' and not is_closed

)

select max(loaded_at) as loaded_until_at
from loaded_moments
