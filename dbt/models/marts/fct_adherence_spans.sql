{#- Schedule adherence (METRICS.md): the agent's scheduled time (latest publication, split at intervals) cut at every
    state change, each piece with the scheduled activity and the actual state. Scheduled `work` matches any productive
    state; break, lunch, training, meeting and coaching match the same state; time without a state (not logged in)
    matches nothing. Consecutive out-of-adherence pieces form a spell; spells shorter than
    var('adherence_grace_seconds') count as in adherence. `time_off` pieces are paid but not scheduled. -#}
with marks as (

    -- every moment at which the agent's state or scheduled activity changes; '~' marks the end of a span
    select agent_id, started_at as mark_at, state, is_productive, cast(null as {{ dbt.type_string() }}) as activity,
        cast(null as date) as schedule_date, cast(null as timestamp) as interval_start_at,
        cast(null as timestamp) as interval_start, cast(null as date) as local_date
    from {{ ref('int_agent_states_spanned') }}
    union all
    select agent_id, ended_at, '~', false, null, null, null, null, null
    from {{ ref('int_agent_states_spanned') }}
    union all
    select agent_id, started_at, null, null, activity, schedule_date, interval_start_at, interval_start, local_date
    from {{ ref('fct_schedule_segments') }}
    union all
    select agent_id, ended_at, null, null, '~', null, null, null, null
    from {{ ref('fct_schedule_segments') }}

),

changes as (

    -- a start wins over an end at the same moment
    select
        agent_id,
        mark_at,
        coalesce(max(case when state <> '~' then state end), max(state)) as state,
        max(case when state <> '~' and is_productive then 1 else 0 end) as is_productive,
        coalesce(max(case when activity <> '~' then activity end), max(activity)) as activity,
        max(schedule_date) as schedule_date,
        max(interval_start_at) as interval_start_at,
        max(interval_start) as interval_start,
        max(local_date) as local_date
    from marks
    group by agent_id, mark_at

),

grouped as (

    select
        *,
        count(state) over (partition by agent_id order by mark_at rows between unbounded preceding and current row)
            as state_group,
        count(activity) over (partition by agent_id order by mark_at rows between unbounded preceding and current row)
            as activity_group,
        lead(mark_at) over (partition by agent_id order by mark_at) as next_mark_at
    from changes

),

carried as (

    select
        agent_id,
        mark_at as started_at,
        next_mark_at as ended_at,
        max(state) over (partition by agent_id, state_group) as state,
        max(is_productive) over (partition by agent_id, state_group) as is_productive,
        max(activity) over (partition by agent_id, activity_group) as activity,
        max(schedule_date) over (partition by agent_id, activity_group) as schedule_date,
        max(interval_start_at) over (partition by agent_id, activity_group) as interval_start_at,
        max(interval_start) over (partition by agent_id, activity_group) as interval_start,
        max(local_date) over (partition by agent_id, activity_group) as local_date
    from grouped

),

pieces as (

    select
        agent_id,
        started_at,
        ended_at,
        {{ seconds_between('started_at', 'ended_at') }} as duration_seconds,
        schedule_date,
        activity,
        case when state <> '~' then state end as state,
        interval_start_at,
        interval_start,
        local_date,
        activity <> 'time_off' as is_scheduled,
        is_productive = 1 as is_productive_state,
        coalesce(
            (activity = 'work' and is_productive = 1)
            or (activity in ('break', 'lunch', 'training', 'meeting', 'coaching') and state = activity),
            false
        ) as is_state_match
    from carried
    where activity is not null
        and activity <> '~'
        and ended_at is not null

),

spell_starts as (

    select
        *,
        is_scheduled and not is_state_match as is_out_of_adherence,
        case
            when is_scheduled and not is_state_match
                and lag(is_scheduled and not is_state_match) over (partition by agent_id order by started_at)
                and lag(ended_at) over (partition by agent_id order by started_at) = started_at
            then 0
            else 1
        end as is_spell_start
    from pieces

),

spells as (

    select
        *,
        sum(is_spell_start) over (partition by agent_id order by started_at
            rows between unbounded preceding and current row) as spell_number
    from spell_starts

),

spell_lengths as (

    select
        *,
        case when is_out_of_adherence
            then sum(duration_seconds) over (partition by agent_id, spell_number)
        end as out_of_adherence_spell_seconds
    from spells

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
    ) as is_adherent
from spell_lengths
