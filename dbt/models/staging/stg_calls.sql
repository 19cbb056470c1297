with source as (

    select * from {{ source('raw', 'calls') }}

),

ranked as (

    select
        source.*,
        {{ latest_file_wins_rank(['leg_id']) }} as _row_rank
    from source

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
    from ranked
    where _row_rank = 1

)

select * from deduplicated
