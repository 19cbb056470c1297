{#- Incremental: "latest file wins" means a row of a newer file replaces the row with its key, so a run only needs
    the rows of files loaded since the last build (macros/incremental.sql). -#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='leg_id',
) }}

with source as (

    select * from {{ source('raw', 'calls') }}
    {%- if is_incremental() %}
    where _file_seq > {{ file_seq_watermark() }}
    {%- endif %}

),

latest as (

    {{ latest_file_rows('source', ['leg_id']) }}

),

deduplicated as (

    select
        leg_id,
        contact_id,
        direction,
        queue,
        campaign,
        caller_number,
        customer_id,
        queued_at,
        dialed_at,
        answered_at,
        ended_at,
        agent_id,
        talk_seconds,
        hold_seconds,
        acw_seconds,
        end_reason,
        outcome,
        notes,
        _file_seq,
        _source_file,
        _source_line
    from latest

)

select *, {{ build_stamp() }} as _built_at from deduplicated
