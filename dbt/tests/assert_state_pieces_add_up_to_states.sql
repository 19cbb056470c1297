-- Splitting at interval and day boundaries loses and adds nothing: the pieces of every state add up to the state.
select agent_id, state_started_at, sum(duration_seconds) as piece_seconds
from {{ ref('int_agent_states_spanned') }}
group by agent_id, state_started_at, state_ended_at
having sum(duration_seconds) <> {{ seconds_between('state_started_at', 'state_ended_at') }}
