with source as (

    select * from {{ source('raw', 'agent_states') }}

),

ranked as (

    select
        source.*,
        {{ latest_file_wins_rank(['agent_id', 'event_at']) }} as _row_rank
    from source

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
    from ranked
    where _row_rank = 1

)

select * from deduplicated
