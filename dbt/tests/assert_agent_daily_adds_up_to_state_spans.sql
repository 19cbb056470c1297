-- Integrity: the agent mart's logged-in and handle seconds equal the state spans' (per agent over all days).
with spans as (

    select
        agent_id,
        sum(duration_seconds) as logged_in_seconds,
        sum(case when is_handling then duration_seconds else 0 end) as handle_seconds
    from {{ ref('int_agent_states_spanned') }}
    group by agent_id

),

mart as (

    select agent_id, sum(logged_in_seconds) as logged_in_seconds, sum(handle_seconds) as handle_seconds
    from {{ ref('kpi_agent_daily') }}
    group by agent_id

)

select spans.agent_id
from spans
left join mart on mart.agent_id = spans.agent_id
where mart.agent_id is null
    or mart.logged_in_seconds <> spans.logged_in_seconds
    or mart.handle_seconds <> spans.handle_seconds
