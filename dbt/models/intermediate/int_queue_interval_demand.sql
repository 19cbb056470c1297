{#- Offered contacts and handle seconds per queue and reporting interval: the demand Erlang C staffs for.
    Incremental by local day (macros/rebuild_scope.sql): rebuilds the days whose contact legs a build rewrote. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_partitions',
    partition_columns=['local_date'],
    rebuild_scope='rebuilt_upstream_days',
    rebuilt_from=['fct_contact_legs'],
) }}
-- depends_on: {{ ref('int_rebuilt_local_days') }}

select
    legs.queue,
    legs.interval_start_at,
    intervals.interval_start,
    intervals.local_date,
    intervals.interval_seconds,
    count(*) as offered,
    sum(case when legs.is_handled then 1 else 0 end) as handled_legs,
    sum(legs.handle_seconds) as handle_seconds,
    {{ build_stamp() }} as _built_at
from {{ ref('fct_contact_legs') }} as legs
inner join {{ ref('int_intervals') }} as intervals
    on intervals.interval_start_at = legs.interval_start_at
where legs.is_offered
{%- if is_incremental() %}
    and legs.local_date in (select local_date from {{ rebuild_scope_relation() }})
{%- endif %}
group by legs.queue, legs.interval_start_at, intervals.interval_start, intervals.local_date, intervals.interval_seconds
