{#- Agent state spans split at every interval (and so local-day) boundary. A state lasts until the agent's next event
    (METRICS.md); `logged_out` spans are not time worked and are left out, and so is an agent's last event, whose end
    is not known yet, except on a day still open (issue 21, METRICS.md "Intraday"): there a state still open at the
    agent_states cutoff lasts until the cutoff, and every piece of an open day is provisional. State categories are
    defined here, once.
    Incremental by agent-day (macros/incremental.sql): a run rebuilds the agent-days whose timeline new or corrected
    events changed, reading the events from the one before those days to the one after. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_partitions',
    partition_columns=['agent_id', 'local_date'],
    rebuild_scope='changed_agent_state_days',
) }}
-- depends_on: {{ ref('int_source_day_cutoffs') }}
-- depends_on: {{ ref('int_rebuilt_local_days') }}
-- depends_on: {{ ref('int_intervals') }}

{% if is_incremental() %}
with scope as (

    select * from {{ rebuild_scope_relation() }}

),

local_days as (

    {{ local_days_utc() }}

),

scope_days as (

    select scope.agent_id, min(local_days.day_start_at) as scope_from, max(local_days.day_end_at) as scope_to
    from scope
    inner join local_days
        on local_days.local_date = scope.local_date
    group by scope.agent_id

),

context_bounds as (

    -- the state in force when the scope starts began at the agent's last event before it; the last state in scope
    -- ends at the first event after it
    select
        scope_days.agent_id,
        coalesce(max(case when events.event_at < scope_days.scope_from then events.event_at end),
            scope_days.scope_from) as context_from,
        coalesce(min(case when events.event_at >= scope_days.scope_to then events.event_at end),
            scope_days.scope_to) as context_to
    from scope_days
    inner join {{ ref('stg_agent_states') }} as events
        on events.agent_id = scope_days.agent_id
    group by scope_days.agent_id, scope_days.scope_from, scope_days.scope_to

),

source_events as (

    select events.*
    from {{ ref('stg_agent_states') }} as events
    inner join context_bounds
        on context_bounds.agent_id = events.agent_id
        and events.event_at >= context_bounds.context_from
        and events.event_at <= context_bounds.context_to
    -- the same bounds over all agents, as single values: DuckDB skips the row groups of other days (events arrive in
    -- day files), instead of probing every event of the year against the range join (16 s -> 3 s at 1,000 agents)
    where events.event_at >= (select min(all_bounds.context_from) from context_bounds as all_bounds)
        and events.event_at <= (select max(all_bounds.context_to) from context_bounds as all_bounds)

),
{% else %}
with source_events as (

    select * from {{ ref('stg_agent_states') }}

),
{% endif %}

open_days as (

    {{ open_days(['agent_states']) }}

),

events as (

    select
        source_events.agent_id,
        source_events.event_at,
        source_events.state,
        source_events.reason,
        -- the agent's last event on an open day, before its cutoff: the state lasts until the cutoff (provisional)
        coalesce(
            lead(source_events.event_at) over (partition by source_events.agent_id order by source_events.event_at),
            case when source_events.event_at < open_days.cutoff_at then open_days.cutoff_at end
        ) as next_event_at,
        -- a span is built from its own event and the next one
        greatest(
            source_events._file_seq,
            lead(source_events._file_seq) over (partition by source_events.agent_id order by source_events.event_at)
        ) as _file_seq
    from source_events
    left join open_days
        on source_events.event_at >= open_days.day_start_at
        and source_events.event_at < open_days.day_end_at

),

spans as (

    select
        agent_id,
        event_at as state_started_at,
        next_event_at as state_ended_at,
        state,
        reason,
        _file_seq
    from events
    where next_event_at is not null
        and state <> 'logged_out'

),

pieces as (

    {{ split_at_intervals('spans', 'state_started_at', 'state_ended_at') }}

)

select
    pieces.agent_id,
    pieces.started_at,
    pieces.ended_at,
    pieces.duration_seconds,
    pieces.state,
    pieces.reason,
    pieces.state_started_at,
    pieces.state_ended_at,
    pieces.interval_start_at,
    pieces.interval_start,
    pieces.local_date,
    pieces.state in ('ready', 'talk', 'hold', 'acw') as is_productive,
    pieces.state in ('talk', 'hold', 'acw') as is_handling,
    open_piece_days.local_date is not null as is_provisional,
    pieces._file_seq,
    {{ build_stamp() }} as _built_at
from pieces
left join open_days as open_piece_days
    on open_piece_days.local_date = pieces.local_date
{%- if is_incremental() %}
inner join scope
    on scope.agent_id = pieces.agent_id
    and scope.local_date = pieces.local_date
{%- endif %}
