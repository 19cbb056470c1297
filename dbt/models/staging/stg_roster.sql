with source as (

    select * from {{ source('raw', 'roster') }}

),

ranked as (

    select
        source.*,
        {{ latest_file_wins_rank(['as_of', 'employee_id']) }} as _row_rank
    from source

),

deduplicated as (

    select
        as_of,
        employee_id,
        agent_id,
        role,
        team,
        site,
        supervisor_employee_id,
        employment_type,
        fte,
        hire_date,
        termination_date,
        termination_type,
        _file_seq,
        _source_file,
        _source_line
    from ranked
    where _row_rank = 1

)

select * from deduplicated
