{#- The data's last loaded moment, once for the whole center: the latest agent state event or call end loaded. The
    agent-time marts (fct_adherence_spans, int_agent_daily_seconds and so kpi_agent_*, kpi_staffing_interval) count
    schedule time only before it: WFM publishes schedules weeks ahead, and a schedule after the last loaded moment is
    not yet an absence. One moment for the center, not one per agent: an agent absent for a whole day has no events
    of that day, and a per-agent cutoff would drop that day's schedule instead of counting it as out of adherence.
    fct_schedule_segments keeps the whole published schedule (the staffing plan reads its future days). -#}
with loaded_moments as (

    select max(event_at) as loaded_at from {{ ref('stg_agent_states') }}
    union all
    select max(ended_at) from {{ ref('stg_calls') }}

)

select max(loaded_at) as loaded_until_at
from loaded_moments
