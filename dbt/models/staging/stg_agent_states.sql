{#- Incremental: "latest file wins" means a row of a newer file replaces the row with its key, so a run only needs
    the rows of files loaded since the last build (macros/incremental.sql). -#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['agent_id', 'event_at'],
) }}

with source as (

    select * from {{ source('raw', 'agent_states') }}
    {%- if is_incremental() %}
    where _file_seq > {{ file_seq_watermark() }}
    {%- endif %}

),

latest as (

    {{ latest_file_rows('source', ['agent_id', 'event_at']) }}

),

deduplicated as (

    select
        agent_id,
        event_at,
        state,
        reason,
        _file_seq,
        _source_file,
        _source_line
    from latest

)

select *, {{ build_stamp() }} as _built_at from deduplicated
