{#- Agent state spans per interval for analysts, with the agent's team on the day (dim_agent history). -#}
select
    spans.agent_id,
    spans.started_at,
    spans.ended_at,
    spans.duration_seconds,
    spans.state,
    spans.reason,
    spans.state_started_at,
    spans.state_ended_at,
    spans.interval_start_at,
    spans.interval_start,
    spans.local_date,
    agents.team,
    spans.is_productive,
    spans.is_handling
from {{ ref('int_agent_states_spanned') }} as spans
left join {{ ref('dim_agent') }} as agents
    on agents.agent_id = spans.agent_id
    and spans.local_date >= agents.valid_from
    and (agents.valid_to is null or spans.local_date < agents.valid_to)
