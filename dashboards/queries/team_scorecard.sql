-- The monthly agent scorecards of every team for the months starting $first_month to $last_month (all columns the
-- mart has).
select *
from marts.kpi_agent_scorecard_monthly
where team is not null and period_start between $first_month and $last_month
order by team, period_start, agent_id
