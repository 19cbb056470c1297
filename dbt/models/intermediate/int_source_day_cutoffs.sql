{#- The completeness record of the time-sliced sources (issue 21), as the models read it: per source (calls,
    agent_states) and local day, the moment the day's data is complete up to (naive UTC) and whether the day is
    closed. Ingest writes the record (ops.source_day_completeness, ingest/load.py) from each file's name or latest
    timestamp. A pipeline database without that table (made before the record, or a test fixture of raw rows) has no
    record: every day counts as closed, as before slices. -#}
{{ ops_table_or_empty('source_day_completeness', [
    ['source', 'varchar'],
    ['local_date', 'date'],
    ['cutoff_at', 'timestamp', to_naive_utc('ops_table.cutoff_at')],
    ['cutoff_from', 'varchar'],
    ['is_closed', 'boolean'],
    ['day_start_at', 'timestamp', to_utc_timestamp('cast(ops_table.local_date as timestamp)')],
    ['day_end_at', 'timestamp',
        to_utc_timestamp('cast(' ~ dbt.dateadd('day', 1, 'ops_table.local_date') ~ ' as timestamp)')],
    ['recorded_at', 'timestamp', to_naive_utc('ops_table.recorded_at')],
]) }}
