-- Occupancy and adherence per team, agent and day between $start and $end (inclusive), every team at once (the
-- supervisor pages split it by team and week).
select
    team,
    agent_id,
    local_date,
    handle_seconds / nullif(handle_seconds + ready_seconds, 0) as occupancy,
    adherent_seconds / nullif(scheduled_seconds, 0) as adherence
from marts.kpi_agent_daily
where team is not null and local_date between $start and $end
order by team, agent_id, local_date
