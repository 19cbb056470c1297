{#- Schedule segments of the latest publication of each agent and schedule_date (a republished day replaces the
    earlier one as a whole), split at interval boundaries. The latest publication is the highest `published_at`; on
    a tie (a WFM re-export of the day with the same `published_at` and other segments), the later file
    (`_file_seq`) wins the whole day (SOURCES.md: "on an equal published_at, the later file, then the later line";
    the later line already won within a file in stg_schedules, whose key holds `starts_at`). Which activities count as scheduled, paid and planned
    shrinkage is defined here, once (METRICS.md "Agent time").
    Incremental by agent and schedule_date (macros/incremental.sql, `changed_schedule_days`): a new or corrected
    publication replaces the agent's whole schedule day. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_partitions',
    partition_columns=['agent_id', 'schedule_date'],
    rebuild_scope='changed_schedule_days',
) }}
-- depends_on: {{ ref('int_rebuilt_local_days') }}

with source_rows as (

    {%- if is_incremental() %}
    {{ rows_in_rebuild_scope(ref('stg_schedules'), ['agent_id', 'schedule_date']) }}
    {%- else %}
    select * from {{ ref('stg_schedules') }}
    {%- endif %}

),

published as (

    select
        *,
        max(published_at) over (partition by agent_id, schedule_date) as latest_published_at
    from source_rows

),

-- a tie on published_at between files: the later file's publication of the day wins as a whole
latest_publication as (

    select
        *,
        max(_file_seq) over (partition by agent_id, schedule_date) as latest_file_seq
    from published
    where published_at = latest_published_at

),

segments as (

    select
        agent_id,
        schedule_date,
        activity,
        published_at,
        starts_at as segment_started_at,
        ends_at as segment_ended_at,
        _file_seq
    from latest_publication
    where _file_seq = latest_file_seq
        and ends_at > starts_at

),

pieces as (

    {{ split_at_intervals('segments', 'segment_started_at', 'segment_ended_at') }}

)

select
    agent_id,
    started_at,
    ended_at,
    duration_seconds,
    schedule_date,
    activity,
    published_at,
    segment_started_at,
    segment_ended_at,
    interval_start_at,
    interval_start,
    local_date,
    activity <> 'time_off' as is_scheduled,
    activity = 'work' as is_work,
    activity in ('break', 'lunch', 'training', 'meeting', 'coaching', 'time_off') as is_planned_shrinkage,
    _file_seq,
    {{ build_stamp() }} as _built_at
from pieces
