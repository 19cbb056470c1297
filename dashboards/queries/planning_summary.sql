-- The plan's one-row summary (ops.staffing_plan_summary): understaffed intervals and shortfall before and after moving
-- the suggested breaks, all queues together.
select
    origin_date,
    last_scheduled_date,
    understaffed_intervals_before,
    understaffed_intervals_after,
    shortfall_agents_before,
    shortfall_agents_after,
    breaks_moved
from ops.staffing_plan_summary
