-- Today's scheduled agents (work segments, time-weighted) per queue and interval (local interval_start), allocated to
-- queues by each agent's share of handled legs per queue over the whole history, as kpi_staffing_interval and the
-- staffing plan do. $interval_seconds is the forecast's interval.
with scheduled as (

    select agent_id, interval_start, duration_seconds
    from marts.fct_schedule_segments
    where local_date = $day and is_work

),

shares as (

    select agent_id, queue, count(*) / sum(count(*)) over (partition by agent_id) as queue_share
    from marts.fct_contact_legs
    where is_handled and queue is not null and agent_id in (select agent_id from scheduled)
    group by agent_id, queue

)

select shares.queue, scheduled.interval_start,
    sum(scheduled.duration_seconds * shares.queue_share) / $interval_seconds as scheduled_agents
from scheduled
inner join shares on shares.agent_id = scheduled.agent_id
group by shares.queue, scheduled.interval_start
order by shares.queue, scheduled.interval_start
