{#- The completeness record of the time-sliced sources (issue 21), as the models read it: per source (calls,
    agent_states) and local day, the moment the day's data is complete up to (naive UTC) and whether the day is
    closed. Ingest writes the record (ops.source_day_completeness, ingest/load.py) from each file's name or latest
    timestamp. A pipeline database without that table (made before the record, or a test fixture of raw rows) has no
    record: every day counts as closed, as before slices. -#}
{%- set completeness = adapter.get_relation(database=this.database, schema='ops', identifier='source_day_completeness') if execute else none %}
{%- if completeness is not none %}
select
    completeness.source,
    completeness.local_date,
    {{ to_naive_utc('completeness.cutoff_at') }} as cutoff_at,
    completeness.cutoff_from,
    completeness.is_closed,
    {{ to_utc_timestamp('cast(completeness.local_date as timestamp)') }} as day_start_at,
    {{ to_utc_timestamp('cast(' ~ dbt.dateadd('day', 1, 'completeness.local_date') ~ ' as timestamp)') }} as day_end_at,
    {{ to_naive_utc('completeness.recorded_at') }} as recorded_at
from {{ completeness }} as completeness
{%- else %}
select
    cast(null as varchar) as source,
    cast(null as date) as local_date,
    cast(null as timestamp) as cutoff_at,
    cast(null as varchar) as cutoff_from,
    cast(null as boolean) as is_closed,
    cast(null as timestamp) as day_start_at,
    cast(null as timestamp) as day_end_at,
    cast(null as timestamp) as recorded_at
where 1 = 0
{%- endif %}
