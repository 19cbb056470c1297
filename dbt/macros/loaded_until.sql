{#- Schedule segments as the agent-time marts count them: only the time before the data's last loaded moment
    (int_loaded_until). Pieces starting at or after it are dropped; a piece straddling it ends there, its
    duration_seconds cut to match. `segments` is a relation or CTE with fct_schedule_segments' columns. -#}
{% macro schedule_segments_until_loaded(segments) -%}
    select
        segments.agent_id,
        segments.local_date,
        segments.schedule_date,
        segments.activity,
        segments.started_at,
        case when segments.ended_at > loaded.loaded_until_at then loaded.loaded_until_at
            else segments.ended_at end as ended_at,
        case when segments.ended_at > loaded.loaded_until_at
            then {{ seconds_between('segments.started_at', 'loaded.loaded_until_at') }}
            else segments.duration_seconds end as duration_seconds,
        segments.interval_start_at,
        segments.interval_start,
        segments.is_scheduled,
        segments.is_work,
        segments.is_planned_shrinkage,
        segments._file_seq
    from {{ segments }} as segments
    inner join {{ ref('int_loaded_until') }} as loaded
        on segments.started_at < loaded.loaded_until_at
{%- endmacro %}

{#- Agent-days of a model counting schedules up to the last loaded moment to rebuild when that moment moved: every
    scheduled agent-day with schedule time between the moment the model last counted up to and the moment now (either
    way round), including agents with no state events at all (an absence counts once its day is loaded). The model's
    own latest `ended_at` stands for the old moment: its rows end at or before it, so the window only grows (a
    superset is rebuilt to the same rows). -#}
{% macro loaded_until_moved_days() -%}
    {#- scalar subqueries, not a join: DuckDB then prunes the segments' row groups by their min/max times -#}
    {%- set counted_until -%}
        (select coalesce(max(ended_at), cast('1900-01-01' as timestamp)) from {{ this }})
    {%- endset -%}
    {%- set loaded_until -%}
        (select max(loaded_until_at) from {{ ref('int_loaded_until') }})
    {%- endset -%}
    select distinct agent_id, local_date
    from {{ ref('fct_schedule_segments') }}
    where ended_at > least({{ counted_until }}, {{ loaded_until }})
        and started_at < greatest({{ counted_until }}, {{ loaded_until }})
{%- endmacro %}
