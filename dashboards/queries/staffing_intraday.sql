-- Offered calls and required, scheduled and staffed agents per interval between $start (inclusive) and $end
-- (exclusive), summed over queues.
select
    interval_start,
    sum(offered) as offered,
    sum(required_agents) as required_agents,
    sum(scheduled_agents) as scheduled_agents,
    sum(staffed_agents) as staffed_agents
from marts.kpi_staffing_interval
where interval_start >= $start and interval_start < $end
group by interval_start
order by interval_start
