-- Center-wide occupancy and adherence per period (all agents), rebuilt from the agents' seconds. Placeholder: grain.
select
    period_start,
    sum(handle_seconds) / nullif(sum(handle_seconds) + sum(ready_seconds), 0) as occupancy,
    sum(adherent_seconds) / nullif(sum(scheduled_seconds), 0) as adherence
from marts.kpi_agent_{grain}
group by period_start
order by period_start
