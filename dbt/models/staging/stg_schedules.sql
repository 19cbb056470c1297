with source as (

    select * from {{ source('raw', 'schedules') }}

),

ranked as (

    select
        source.*,
        {{ latest_file_wins_rank(['agent_id', 'schedule_date', 'starts_at', 'published_at']) }} as _row_rank
    from source

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
    from ranked
    where _row_rank = 1

)

select * from deduplicated
