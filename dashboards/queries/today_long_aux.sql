-- Agents whose state at the cutoff ($cutoff_at, naive UTC) is not ready (not productive) and began more than
-- $min_seconds before it, longest first. A state open at the cutoff lasts until it (or until the agent's next event
-- where that is already loaded).
select
    agent_id,
    state,
    reason,
    state_started_at,
    date_diff('second', state_started_at, $cutoff_at) as seconds_at_cutoff
from (
    select distinct agent_id, state, reason, state_started_at
    from marts.fct_agent_state_spans
    where local_date = $day
        and not is_productive
        and state_started_at < $cutoff_at
        and state_ended_at >= $cutoff_at
) as open_states
where date_diff('second', state_started_at, $cutoff_at) > $min_seconds
order by seconds_at_cutoff desc, agent_id
