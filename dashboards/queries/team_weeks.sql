-- Teams and ISO weeks with agent activity, newest first: one supervisor page per pair.
select distinct team, period_start as week_start
from marts.kpi_agent_weekly
where team is not null
order by week_start desc, team
