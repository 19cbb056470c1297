-- QA evaluations with a critical fail, per team, day and agent, between $start and $end (inclusive), every team at
-- once. The quality mart has no team: an agent's fails in an ISO week belong to the team(s) of their agent rows in
-- that week.
with team_agent_weeks as (
    select distinct team, agent_id, cast(date_trunc('week', local_date) as date) as week_start
    from marts.kpi_agent_daily
    where team is not null and local_date between $start and $end
)
select team_agent_weeks.team, quality.local_date, quality.agent_id, quality.evaluations, quality.critical_fails
from marts.kpi_quality_daily as quality
join team_agent_weeks
    on team_agent_weeks.agent_id = quality.agent_id
    and team_agent_weeks.week_start = cast(date_trunc('week', quality.local_date) as date)
where quality.local_date between $start and $end and quality.critical_fails > 0
order by team_agent_weeks.team, quality.local_date, quality.agent_id
