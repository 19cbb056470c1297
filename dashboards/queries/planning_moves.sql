-- Breaks and lunches the plan suggests moving (ops.staffing_break_moves), in local time: the moves are stored in UTC,
-- so each takes the UTC offset of the understaffed interval it leaves (its row in ops.staffing_plan_interval).
select
    moves.queue,
    moves.agent_id,
    moves.activity,
    plan.interval_start,
    moves.started_at + (plan.interval_start - plan.interval_start_at) as started_at,
    moves.ended_at + (plan.interval_start - plan.interval_start_at) as ended_at,
    moves.suggested_started_at + (plan.interval_start - plan.interval_start_at) as suggested_started_at,
    moves.suggested_ended_at + (plan.interval_start - plan.interval_start_at) as suggested_ended_at,
    moves.shift_minutes,
    moves.schedule_gap_agents_before,
    moves.schedule_gap_agents_after,
    moves.projected_service_level_before,
    moves.projected_service_level_after
from ops.staffing_break_moves as moves
inner join ops.staffing_plan_interval as plan
    on plan.queue = moves.queue and plan.interval_start_at = moves.interval_start_at
order by moves.queue, plan.interval_start, moves.agent_id
