{#- One row per local dial day, campaign and agent: dial attempts, connected attempts (a live party answered),
    successful attempts (connected, outcome in var('success_outcomes')) and the agent's logged-in seconds of the
    day allocated to the campaign. The additive base of kpi_outbound_<grain>.
    Logged-in seconds come from int_agent_daily_seconds (the agent-day sums of int_agent_states_spanned: a state
    lasts until the agent's next event, logged_out is not logged in). An agent who dials for several campaigns in a day has the day's logged-in seconds shared
    among them in proportion to attempts, so the campaigns' hours add up to the agent's day. Attempts without an
    agent (e.g. unconnected predictive dials) have no logged-in time. -#}
with attempts as (

    select
        local_date,
        campaign,
        agent_id,
        count(*) as attempts,
        sum(case when answered_at is not null then 1 else 0 end) as connected_attempts,
        sum(case
                when answered_at is not null
                 and outcome in ({% for outcome in var('success_outcomes') %}'{{ outcome }}'{% if not loop.last %}, {% endif %}{% endfor %})
                then 1 else 0
            end) as successful_attempts
    from {{ ref('int_contact_legs_enriched') }}
    where direction = 'outbound'
    group by local_date, campaign, agent_id

),

logged_in as (

    select
        local_date,
        agent_id,
        logged_in_seconds
    from {{ ref('int_agent_daily_seconds') }}

),

shared as (

    select
        attempts.*,
        sum(attempts.attempts) over (partition by attempts.local_date, attempts.agent_id) as agent_day_attempts
    from attempts

)

select
    shared.local_date,
    shared.campaign,
    shared.agent_id,
    agent_teams.team,
    shared.attempts,
    shared.connected_attempts,
    shared.successful_attempts,
    case
        when shared.agent_id is null then 0
        else coalesce(logged_in.logged_in_seconds, 0) * shared.attempts / cast(shared.agent_day_attempts as double precision)
    end as logged_in_seconds
from shared
left join logged_in
    on logged_in.local_date = shared.local_date and logged_in.agent_id = shared.agent_id
{{ left_join_team_on_day('agent_teams', 'shared.agent_id', 'shared.local_date') }}
