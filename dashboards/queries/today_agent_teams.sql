-- Each agent's team on $day (roster history, dim_agent).
select agent_id, team
from marts.dim_agent
where valid_from <= $day and (valid_to is null or valid_to > $day)
