-- The staffing plan per queue and coming interval (ops.staffing_plan_interval, rewritten by every pipeline run from
-- the newest forecast and the published schedule). `interval_start` is local time; a `not_yet_scheduled` interval
-- (beyond the last published schedule day) has no scheduled agents and no gap.
select
    queue,
    origin_date,
    local_date,
    interval_start,
    interval_seconds,
    forecast_offered,
    forecast_aht_seconds,
    required_agents,
    unplanned_shrinkage,
    required_scheduled_agents,
    is_scheduled,
    scheduled_agents,
    schedule_gap_agents,
    projected_service_level,
    projected_abandonment_rate,
    staffing_status
from ops.staffing_plan_interval
order by queue, interval_start
