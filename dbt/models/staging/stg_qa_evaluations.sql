with source as (

    select * from {{ source('raw', 'qa_evaluations') }}

),

ranked as (

    select
        source.*,
        {{ latest_file_wins_rank(['evaluation_id']) }} as _row_rank
    from source

),

deduplicated as (

    select
        evaluation_id,
        contact_id,
        agent_id,
        evaluator_id,
        evaluated_at,
        form,
        score,
        max_score,
        critical_fail,
        comments,
        _file_seq,
        _source_file,
        _source_line
    from ranked
    where _row_rank = 1

)

select * from deduplicated
