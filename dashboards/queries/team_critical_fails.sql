-- QA evaluations with a critical fail, per day and agent of team $team, between $start and $end (inclusive).
-- The quality mart has no team: an agent belongs to the team of their agent rows in the same days.
with team_agents as (
    select distinct agent_id from marts.kpi_agent_daily
    where team = $team and local_date between $start and $end
)
select quality.local_date, quality.agent_id, quality.evaluations, quality.critical_fails
from marts.kpi_quality_daily as quality
join team_agents using (agent_id)
where quality.local_date between $start and $end and quality.critical_fails > 0
order by quality.local_date, quality.agent_id
