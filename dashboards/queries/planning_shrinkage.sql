-- Planned shrinkage (scheduled breaks, lunches, training, meetings, coaching, time off) over the 8 weeks up to the
-- plan's origin (shrinkage_history_weeks' default), for the daily required FTE hours: METRICS.md grosses them up by
-- planned and unplanned shrinkage. Days after the origin are left out: a published schedule ahead is not history.
select sum(planned_shrinkage_seconds) / nullif(sum(paid_scheduled_seconds), 0) as planned_shrinkage
from marts.kpi_agent_daily
where local_date <= (select max(origin_date) from ops.staffing_plan_interval)
    and local_date > (select max(origin_date) from ops.staffing_plan_interval) - interval 56 day
