-- Agent KPIs per agent over the periods between $start and $end (inclusive), ratios rebuilt from their sums.
-- Placeholders: grain, period (period column).
select
    agent_id,
    max(team) as team,
    sum(handle_seconds) / nullif(sum(handle_seconds) + sum(ready_seconds), 0) as occupancy,
    sum(adherent_seconds) / nullif(sum(scheduled_seconds), 0) as adherence,
    -- aht_seconds x handled_legs gives back the mart's AHT numerator (handle seconds of the agent's legs).
    sum(aht_seconds * handled_legs) / nullif(sum(handled_legs), 0) as aht_seconds,
    sum(handled_legs) as handled_legs
from marts.kpi_agent_{grain}
where {period} between $start and $end
group by agent_id
order by agent_id
