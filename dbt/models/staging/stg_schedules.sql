{#- Incremental: "latest file wins" means a row of a newer file replaces the row with its key, so a run only needs
    the rows of files loaded since the last build (macros/incremental.sql). -#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['agent_id', 'schedule_date', 'starts_at', 'published_at'],
) }}

with source as (

    select * from {{ source('raw', 'schedules') }}
    {%- if is_incremental() %}
    where _file_seq > {{ file_seq_watermark() }}
    {%- endif %}

),

latest as (

    {{ latest_file_rows('source', ['agent_id', 'schedule_date', 'starts_at', 'published_at']) }}

),

deduplicated as (

    select
        agent_id,
        schedule_date,
        activity,
        starts_at,
        ends_at,
        published_at,
        _file_seq,
        _source_file,
        _source_line
    from latest

)

select *, {{ build_stamp() }} as _built_at from deduplicated
