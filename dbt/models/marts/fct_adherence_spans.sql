{#- Schedule adherence (METRICS.md): the agent's scheduled time (latest publication, split at intervals) cut at every
    state change, each piece with the scheduled activity and the actual state. Scheduled `work` matches any productive
    state; break, lunch, training, meeting and coaching match the same state; time without a state (not logged in)
    matches nothing. Consecutive out-of-adherence pieces of one local day form a spell; spells shorter than
    var('adherence_grace_seconds') count as in adherence. `time_off` pieces are paid but not scheduled.
    Everything is computed per agent-day (agent_id, local_date): both inputs are already split at local midnight, a
    spell is counted within its day (DECISIONLOG), and so an agent-day can be rebuilt alone. Incremental by agent-day
    (macros/incremental.sql): new or corrected state events or schedules rebuild the agent-days they touch.
    Schedule time counts only before the data's last loaded moment (int_loaded_until, macros/loaded_until.sql): a
    schedule published ahead is not an absence yet. When that moment moves, the scheduled agent-days it passed over
    are rebuilt, agents without any state event included. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_partitions',
    partition_columns=['agent_id', 'local_date'],
    rebuild_scope='changed_adherence_days',
) }}
-- depends_on: {{ ref('int_rebuilt_local_days') }}
{#- No group by of the marks: one window sorts them and the last mark of a moment stands for it. A hash group by
    of 135 M marks into ~100 M moments (1,000 agents x 365 days) ran out of memory with two DuckDB threads and needed
    a one-thread hook (DECISIONLOG "Adherence without a group by"). -#}
-- depends_on: {{ ref('int_intervals') }}
-- depends_on: {{ ref('stg_agent_states') }}
-- depends_on: {{ ref('int_loaded_until') }}
-- depends_on: {{ ref('int_source_day_cutoffs') }}

with
{%- if is_incremental() %}
state_pieces as (

    {{ rows_in_rebuild_scope(ref('int_agent_states_spanned'), ['agent_id', 'local_date']) }}

),

scheduled_in_scope as (

    {{ rows_in_rebuild_scope(ref('fct_schedule_segments'), ['agent_id', 'local_date']) }}

),

schedule_pieces as (

    {{ schedule_segments_until_loaded('scheduled_in_scope') }}

),
{%- else %}
state_pieces as (

    select * from {{ ref('int_agent_states_spanned') }}

),

schedule_pieces as (

    {{ schedule_segments_until_loaded(ref('fct_schedule_segments')) }}

),
{%- endif %}

marks as (

    -- every moment at which the agent's state or scheduled activity changes; '~' marks the end of a span.
    -- `mark_rank` orders the marks of one moment: ends (0) before starts (1), so that a start wins over an end.
    select agent_id, local_date, started_at as mark_at, 1 as mark_rank, state,
        case when is_productive then 1 else 0 end as is_productive,
        cast(null as {{ dbt.type_string() }}) as activity, cast(null as date) as schedule_date,
        cast(null as timestamp) as interval_start_at, cast(null as timestamp) as interval_start, _file_seq
    from state_pieces
    union all
    select agent_id, local_date, ended_at, 0, '~', 0, null, null, null, null, _file_seq
    from state_pieces
    union all
    select agent_id, local_date, started_at, 1, null, null, activity, schedule_date, interval_start_at, interval_start,
        _file_seq
    from schedule_pieces
    union all
    select agent_id, local_date, ended_at, 0, null, null, '~', null, null, null, _file_seq
    from schedule_pieces

),

carried as (

    -- one sort of the agent-day's marks and no group by: each mark carries the last state and the last schedule seen
    -- so far (state columns are NULL on schedule marks and the other way round); the last mark of a moment, a start
    -- where there is one, holds until the next moment. A moment has at most one state start and one schedule start
    -- (both inputs are unique by agent and start), and they fill different columns, so ties need no other order.
    select
        agent_id,
        local_date,
        mark_at as started_at,
        lead(mark_at) over (partition by agent_id, local_date order by mark_at, mark_rank)
            as ended_at,
        {%- for column in ['state', 'is_productive', 'activity', 'schedule_date', 'interval_start_at', 'interval_start'] %}
        last_value({{ column }} ignore nulls) over (partition by agent_id, local_date
            order by mark_at, mark_rank
            rows between unbounded preceding and current row) as {{ column }},
        {%- endfor %}
        max(_file_seq) over (partition by agent_id, local_date order by mark_at, mark_rank
            rows between unbounded preceding and unbounded following) as _file_seq
    from marks

),

moments as (

    -- the last mark of each moment (the others end where they start), except the day's last (it has no end)
    select * from carried
    where ended_at > started_at

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
    from moments

),

out_of_adherence as (

    select
        *,
        coalesce(is_piece and is_scheduled and not is_state_match, false) as is_out_of_adherence
    from pieces

),

spells as (

    -- consecutive out-of-adherence pieces form a spell. The agent-day's moments follow each other without gaps, so
    -- a spell runs from the end of the last other moment before it (or the day's first moment) to the start of the
    -- first other moment after it (or the day's last end): one ordered window, no partition per spell
    select
        *,
        case when is_out_of_adherence then {{ seconds_between(
            'coalesce(max(case when not is_out_of_adherence then ended_at end) over (partition by agent_id, local_date
                order by started_at rows between unbounded preceding and current row),
                min(started_at) over (partition by agent_id, local_date
                order by started_at rows between unbounded preceding and unbounded following))',
            'coalesce(min(case when not is_out_of_adherence then started_at end) over (partition by agent_id, local_date
                order by started_at rows between current row and unbounded following),
                max(ended_at) over (partition by agent_id, local_date
                order by started_at rows between unbounded preceding and unbounded following))'
        ) }} end as out_of_adherence_spell_seconds
    from out_of_adherence

),

spell_pieces as (

    select * from spells
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
    -- a piece of a day whose agent states are not all in yet (issue 21)
    local_date in (select open_days.local_date from ({{ open_days(['agent_states']) }}) as open_days) as is_provisional,
    _file_seq,
    {{ build_stamp() }} as _built_at
from spell_pieces
