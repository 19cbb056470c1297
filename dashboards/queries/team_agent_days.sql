-- Occupancy and adherence per agent of team $team and day between $start and $end (inclusive).
select
    agent_id,
    local_date,
    handle_seconds / nullif(handle_seconds + ready_seconds, 0) as occupancy,
    adherent_seconds / nullif(scheduled_seconds, 0) as adherence
from marts.kpi_agent_daily
where team = $team and local_date between $start and $end
order by agent_id, local_date
