-- The monthly agent scorecards of team $team for the month starting $month (all columns the mart has).
select *
from marts.kpi_agent_scorecard_monthly
where team = $team and period_start = $month
order by agent_id
