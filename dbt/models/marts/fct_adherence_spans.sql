{#- Schedule adherence (METRICS.md): the agent's scheduled time (latest publication, split at intervals) cut at every
    state change, each piece with the scheduled activity and the actual state. Scheduled `work` matches any productive
    state; break, lunch, training, meeting and coaching match the same state; time without a state (not logged in)
    matches nothing. Consecutive out-of-adherence pieces of one local day form a spell; spells shorter than
    var('adherence_grace_seconds') count as in adherence. `time_off` pieces are paid but not scheduled.
    Everything is computed per agent-day (agent_id, local_date): both inputs are already split at local midnight, a
    spell is counted within its day (DECISIONLOG), and so an agent-day can be rebuilt alone. Incremental by agent-day
    (macros/incremental.sql): new or corrected state events or schedules rebuild the agent-days they touch. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_partitions',
    partition_columns=['agent_id', 'local_date'],
    rebuild_scope='changed_adherence_days',
    pre_hook="set threads = 1",
    post_hook="reset threads",
) }}
-- depends_on: {{ ref('int_rebuilt_local_days') }}
{#- One DuckDB thread for this model: with two, the `changes` group by (135 M marks into ~100 M moments at 1,000
    agents x 365 days) ran out of memory within seconds at a 5 GB and even an 8 GB bound; with one it finishes within
    5 GB (90 s). DuckDB's parallel hash aggregate keeps abandoned partial tables when groups are this many
    (duckdb/duckdb#23109, #22474). DECISIONLOG "One DuckDB thread". -#}
-- depends_on: {{ ref('int_intervals') }}
-- depends_on: {{ ref('stg_agent_states') }}

with
{%- if is_incremental() %}
scope as (

    select * from {{ rebuild_scope_relation() }}

),

state_pieces as (

    select pieces.*
    from {{ ref('int_agent_states_spanned') }} as pieces
    inner join scope
        on scope.agent_id = pieces.agent_id
        and scope.local_date = pieces.local_date

),

schedule_pieces as (

    select pieces.*
    from {{ ref('fct_schedule_segments') }} as pieces
    inner join scope
        on scope.agent_id = pieces.agent_id
        and scope.local_date = pieces.local_date

),
{%- else %}
state_pieces as (

    select * from {{ ref('int_agent_states_spanned') }}

),

schedule_pieces as (

    select * from {{ ref('fct_schedule_segments') }}

),
{%- endif %}

marks as (

    -- every moment at which the agent's state or scheduled activity changes; '~' marks the end of a span
    select agent_id, local_date, started_at as mark_at, state, is_productive,
        cast(null as {{ dbt.type_string() }}) as activity, cast(null as date) as schedule_date,
        cast(null as timestamp) as interval_start_at, cast(null as timestamp) as interval_start, _file_seq
    from state_pieces
    union all
    select agent_id, local_date, ended_at, '~', false, null, null, null, null, _file_seq
    from state_pieces
    union all
    select agent_id, local_date, started_at, null, null, activity, schedule_date, interval_start_at, interval_start,
        _file_seq
    from schedule_pieces
    union all
    select agent_id, local_date, ended_at, null, null, '~', null, null, null, _file_seq
    from schedule_pieces

),

changes as (

    -- one row per moment; a start wins over an end at the same moment. State columns stay NULL at a moment with no
    -- state mark, schedule columns at a moment with no schedule mark, so that filling forward carries the last ones.
    select
        agent_id,
        local_date,
        mark_at,
        coalesce(max(case when state <> '~' then state end), max(state)) as state,
        max(case when state <> '~' and is_productive then 1 when state is not null then 0 end) as is_productive,
        coalesce(max(case when activity <> '~' then activity end), max(activity)) as activity,
        max(schedule_date) as schedule_date,
        max(interval_start_at) as interval_start_at,
        max(interval_start) as interval_start,
        max(_file_seq) as _file_seq
    from marks
    group by agent_id, local_date, mark_at

),

carried as (

    -- one sort of the agent-day's moments: each moment until the next carries the last state and schedule seen
    select
        agent_id,
        local_date,
        mark_at as started_at,
        lead(mark_at) over (partition by agent_id, local_date order by mark_at) as ended_at,
        {%- for column in ['state', 'is_productive', 'activity', 'schedule_date', 'interval_start_at', 'interval_start'] %}
        last_value({{ column }} ignore nulls) over (partition by agent_id, local_date order by mark_at
            rows between unbounded preceding and current row) as {{ column }},
        {%- endfor %}
        max(_file_seq) over (partition by agent_id, local_date order by mark_at
            rows between unbounded preceding and unbounded following) as _file_seq
    from changes

),

pieces as (

    select
        agent_id,
        local_date,
        started_at,
        ended_at,
        {{ seconds_between('started_at', 'ended_at') }} as duration_seconds,
        schedule_date,
        activity,
        case when state <> '~' then state end as state,
        interval_start_at,
        interval_start,
        activity is not null and activity <> '~' and ended_at is not null as is_piece,
        activity <> 'time_off' as is_scheduled,
        coalesce(is_productive = 1, false) as is_productive_state,
        coalesce(
            (activity = 'work' and is_productive = 1)
            or (activity in ('break', 'lunch', 'training', 'meeting', 'coaching') and state = activity),
            false
        ) as is_state_match,
        _file_seq
    from carried

),

spells as (

    -- consecutive out-of-adherence pieces share the count of other moments before them: that count names the spell
    select
        *,
        coalesce(is_piece and is_scheduled and not is_state_match, false) as is_out_of_adherence,
        sum(case when coalesce(is_piece and is_scheduled and not is_state_match, false) then 0 else 1 end) over (
            partition by agent_id, local_date order by started_at rows between unbounded preceding and current row
        ) as spell_number
    from pieces

),

spell_lengths as (

    select
        *,
        case when is_out_of_adherence
            then sum(duration_seconds) over (partition by agent_id, local_date, spell_number, is_out_of_adherence)
        end as out_of_adherence_spell_seconds
    from spells
    where is_piece

)

select
    agent_id,
    started_at,
    ended_at,
    duration_seconds,
    schedule_date,
    activity,
    state,
    interval_start_at,
    interval_start,
    local_date,
    is_scheduled,
    is_productive_state,
    is_state_match,
    out_of_adherence_spell_seconds,
    is_scheduled and (
        is_state_match or out_of_adherence_spell_seconds < {{ var('adherence_grace_seconds') }}
    ) as is_adherent,
    _file_seq,
    {{ build_stamp() }} as _built_at
from spell_lengths
