-- Teams and ISO weeks (starting Monday) with agent activity, newest first: one supervisor page per pair.
select distinct team, cast(date_trunc('week', local_date) as date) as week_start
from marts.kpi_agent_daily
where team is not null
order by week_start desc, team
