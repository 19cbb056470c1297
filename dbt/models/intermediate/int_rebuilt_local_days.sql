{#- The log of local days each incremental build rewrote, per model: written by the `replace_partitions` strategy and
    the pre-hook `prepare_rebuild_scope` (macros/rebuild_scope.sql), never by this select, which only creates the
    table (empty after a full refresh, which rebuilds everything anyway). Models incremental by local day read it to
    find the days to rebuild. -#}
{{ config(materialized='incremental', incremental_strategy='append') }}

select
    cast(null as {{ dbt.type_string() }}) as model_name,
    cast(null as date) as local_date,
    cast(null as timestamp) as _built_at
where 1 = 0
