{#- An agent's scheduled work and productive seconds per reporting interval: the supply side of kpi_staffing_interval
    before it is allocated to queues. Work seconds from the schedule segments counted up to the data's last loaded
    moment (int_loaded_until, macros/loaded_until.sql), productive seconds from the state pieces
    (int_agent_states_spanned). kpi_staffing_interval is a table over the whole history (the queue shares it
    allocates by change with every handled leg); summing here, incrementally, lets it read one row per agent and
    interval instead of every state piece and schedule segment of the year (issue 21: a slice run rebuilds it).
    Incremental by local day (macros/rebuild_scope.sql), as int_agent_daily_seconds: rebuilds the days whose rows
    its inputs rewrote; fct_adherence_spans logs the scheduled days the last loaded moment moved over. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_partitions',
    partition_columns=['local_date'],
    rebuild_scope='rebuilt_upstream_days',
    rebuilt_from=['int_agent_states_spanned', 'fct_schedule_segments', 'fct_adherence_spans'],
) }}
-- depends_on: {{ ref('int_rebuilt_local_days') }}
-- depends_on: {{ ref('int_intervals') }}
-- depends_on: {{ ref('int_loaded_until') }}
-- depends_on: {{ ref('fct_adherence_spans') }}

with work_seconds as (

    select agent_id, local_date, interval_start_at, duration_seconds as work_seconds, 0 as productive_seconds
    from ({{ schedule_segments_until_loaded(ref('fct_schedule_segments')) }}) as segments
    where is_work
    {%- if is_incremental() %}
        and local_date in (select local_date from {{ rebuild_scope_relation() }})
    {%- endif %}

),

productive_seconds as (

    select agent_id, local_date, interval_start_at, 0 as work_seconds, duration_seconds as productive_seconds
    from {{ ref('int_agent_states_spanned') }}
    where is_productive
    {%- if is_incremental() %}
        and local_date in (select local_date from {{ rebuild_scope_relation() }})
    {%- endif %}

)

select
    agent_id,
    local_date,
    interval_start_at,
    sum(work_seconds) as work_seconds,
    sum(productive_seconds) as productive_seconds,
    {{ build_stamp() }} as _built_at
from (
    select * from work_seconds
    union all
    select * from productive_seconds
) as agent_seconds
group by agent_id, local_date, interval_start_at
