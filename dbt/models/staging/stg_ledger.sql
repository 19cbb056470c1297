with source as (

    select * from {{ source('raw', 'ledger') }}

),

ranked as (

    select
        source.*,
        {{ latest_file_wins_rank(['line_id'], prefer=['posted_on']) }} as _row_rank
    from source

),

deduplicated as (

    select
        line_id,
        period,
        scenario,
        cost_center,
        account,
        category,
        amount,
        currency,
        posted_on,
        _file_seq,
        _source_file,
        _source_line
    from ranked
    where _row_rank = 1

)

select * from deduplicated
