{#- Required vs scheduled vs staffed agents per queue and reporting interval (METRICS.md "Staffing").
    Schedules and states carry no queue, so an agent's scheduled work and productive time are allocated to queues by
    the agent's share of handled legs per queue over the whole history (agents who never handled a leg are not
    allocated). Required scheduled agents divide required agents by 1 - the day's center-wide unplanned shrinkage only:
    the scheduled agents they are compared with count work segments, which already leave breaks, lunches and other
    planned activities out, so dividing by planned shrinkage too would count them twice (METRICS.md "Staffing").
    Schedules count only before the data's last loaded moment (int_loaded_until): the published schedule of days
    not loaded yet is the staffing plan's (ops.staffing_plan_interval), not an interval with 0 required.
    Intraday (issue 21, METRICS.md "Intraday"): every interval of a day still open has a row per queue; one starting
    at or after the calls cutoff has its demand columns NULL (not yet, never 0), at or after the agent_states cutoff
    its supply columns; the gap needs both. Rows of an open day are provisional. -#}
{%- set grain_columns = ['queue', 'interval_start', 'interval_start_at', 'local_date', 'interval_seconds'] %}
{#- the columns an interval not reported yet leaves NULL: demand after the calls cutoff, supply after the agent_states
    cutoff -#}
{%- set demand_columns = ['offered', 'handled_legs', 'handle_seconds', 'aht_seconds', 'traffic_erlangs',
    'required_agents'] %}
{%- set supply_columns = ['scheduled_work_seconds', 'staffed_seconds'] %}
with agent_queue_shares as (

    select
        agent_id,
        queue,
        {{ safe_divide('count(*)', 'sum(count(*)) over (partition by agent_id)') }} as queue_share
    from {{ ref('fct_contact_legs') }}
    where is_handled and queue is not null
    group by agent_id, queue

),

queue_supply as (

    -- an agent's seconds summed per interval first (int_agent_interval_seconds, incremental): one row per agent and
    -- interval, not every state piece and schedule segment of the history
    select
        queue_shares.queue,
        agent_seconds.interval_start_at,
        sum(agent_seconds.work_seconds * queue_shares.queue_share) as scheduled_work_seconds,
        sum(agent_seconds.productive_seconds * queue_shares.queue_share) as staffed_seconds
    from {{ ref('int_agent_interval_seconds') }} as agent_seconds
    inner join agent_queue_shares as queue_shares on queue_shares.agent_id = agent_seconds.agent_id
    group by queue_shares.queue, agent_seconds.interval_start_at

),

planned_shrinkage as (

    -- the day's counted schedule seconds, as summed per agent-day in int_agent_daily_seconds (the same segments,
    -- counted up to the last loaded moment)
    select
        local_date,
        {{ safe_divide('sum(planned_shrinkage_seconds)', 'sum(paid_scheduled_seconds)') }} as planned_shrinkage
    from {{ ref('int_agent_daily_seconds') }}
    group by local_date

),

unplanned_shrinkage as (

    -- negative when agents worked through planned time; a plan never counts on that, so it is floored at 0
    select
        local_date,
        greatest(
            {{ safe_divide('sum(unplanned_shrinkage_seconds)', 'sum(paid_scheduled_seconds)') }}, 0
        ) as unplanned_shrinkage
    from {{ ref('int_agent_daily_seconds') }}
    group by local_date

),

open_calls_days as (

    {{ open_days(['calls']) }}

),

open_states_days as (

    {{ open_days(['agent_states']) }}

),

queue_intervals as (

    select queue, interval_start_at from {{ ref('int_required_agents') }}
    union
    select queue, interval_start_at from queue_supply
    union
    -- an open day's intervals not reported yet: a row each, with NULL measures below
    select known_queues.queue, intervals.interval_start_at
    from (select distinct queue from {{ ref('int_required_agents') }}) as known_queues
    cross join {{ ref('int_intervals') }} as intervals
    where intervals.local_date in (
        select local_date from open_calls_days union select local_date from open_states_days
    )

),

combined as (

    select
        queue_intervals.queue,
        intervals.interval_start,
        queue_intervals.interval_start_at,
        intervals.local_date,
        intervals.interval_seconds,
        {{ zero_if_missing('required', ['offered', 'handled_legs', 'handle_seconds']) }},
        required.aht_seconds,
        coalesce(required.traffic_erlangs, 0) as traffic_erlangs,
        coalesce(required.required_agents, case when required.queue is null then 0 end) as required_agents,
        planned_shrinkage.planned_shrinkage,
        unplanned_shrinkage.unplanned_shrinkage,
        coalesce(supply.scheduled_work_seconds, 0) as scheduled_work_seconds,
        coalesce(supply.staffed_seconds, 0) as staffed_seconds,
        queue_intervals.interval_start_at >= open_calls_days.cutoff_at as is_demand_not_yet,
        queue_intervals.interval_start_at >= open_states_days.cutoff_at as is_supply_not_yet,
        open_calls_days.local_date is not null or open_states_days.local_date is not null as is_provisional
    from queue_intervals
    inner join {{ ref('int_intervals') }} as intervals
        on intervals.interval_start_at = queue_intervals.interval_start_at
    left join {{ ref('int_required_agents') }} as required
        on required.queue = queue_intervals.queue
        and required.interval_start_at = queue_intervals.interval_start_at
    left join queue_supply as supply
        on supply.queue = queue_intervals.queue
        and supply.interval_start_at = queue_intervals.interval_start_at
    left join planned_shrinkage on planned_shrinkage.local_date = intervals.local_date
    left join unplanned_shrinkage on unplanned_shrinkage.local_date = intervals.local_date
    left join open_calls_days on open_calls_days.local_date = intervals.local_date
    left join open_states_days on open_states_days.local_date = intervals.local_date

),

reported as (

    -- "not yet" is NULL (is_..._not_yet is NULL on a closed day: everything reported)
    select
        {{ grain_columns | join(',\n        ') }},
        {%- for column in demand_columns %}
        case when is_demand_not_yet then null else {{ column }} end as {{ column }},
        {%- endfor %}
        planned_shrinkage,
        unplanned_shrinkage,
        {%- for column in supply_columns %}
        case when is_supply_not_yet then null else {{ column }} end as {{ column }},
        {%- endfor %}
        is_provisional
    from combined

)

select
    {{ grain_columns | join(',\n    ') }},
    {{ demand_columns | join(',\n    ') }},
    planned_shrinkage,
    unplanned_shrinkage,
    required_agents / nullif(1 - coalesce(unplanned_shrinkage, 0), 0) as required_scheduled_agents,
    scheduled_work_seconds,
    {{ safe_divide('scheduled_work_seconds', 'interval_seconds') }} as scheduled_agents,
    staffed_seconds,
    {{ safe_divide('staffed_seconds', 'interval_seconds') }} as staffed_agents,
    {{ safe_divide('staffed_seconds', 'interval_seconds') }} - required_agents as staffing_gap,
    is_provisional
from reported
