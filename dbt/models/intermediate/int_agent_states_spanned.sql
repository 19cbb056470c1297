{#- Agent state spans split at every interval (and so local-day) boundary. A state lasts until the agent's next event
    (METRICS.md); `logged_out` spans are not time worked and are left out, and so is an agent's last event, whose end
    is not known yet. State categories are defined here, once. -#}
with events as (

    select
        agent_id,
        event_at,
        state,
        reason,
        lead(event_at) over (partition by agent_id order by event_at) as next_event_at
    from {{ ref('stg_agent_states') }}

),

spans as (

    select
        agent_id,
        event_at as state_started_at,
        next_event_at as state_ended_at,
        state,
        reason
    from events
    where next_event_at is not null
        and state <> 'logged_out'

),

pieces as (

    {{ split_at_intervals('spans', 'state_started_at', 'state_ended_at') }}

)

select
    agent_id,
    started_at,
    ended_at,
    duration_seconds,
    state,
    reason,
    state_started_at,
    state_ended_at,
    interval_start_at,
    interval_start,
    local_date,
    state in ('ready', 'talk', 'hold', 'acw') as is_productive,
    state in ('talk', 'hold', 'acw') as is_handling
from pieces
