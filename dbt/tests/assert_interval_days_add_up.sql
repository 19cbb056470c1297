-- Every local day's intervals tile it exactly: they add up to the day's length in UTC (23, 24 or 25 hours on DST
-- days), with no gap or overlap between consecutive intervals.
with days as (

    select
        local_date,
        sum(interval_seconds) as interval_seconds,
        min(interval_start_at) as first_start_at,
        max(interval_end_at) as last_end_at
    from {{ ref('int_intervals') }}
    group by local_date

),

gaps as (

    select interval_start_at,
        lead(interval_start_at) over (order by interval_start_at) as next_start_at,
        interval_end_at
    from {{ ref('int_intervals') }}

)

select 'day' as problem, local_date as at_day, cast(null as timestamp) as at_interval
from days
where interval_seconds <> {{ seconds_between('first_start_at', 'last_end_at') }}
union all
select 'gap', cast(null as date), interval_start_at
from gaps
where next_start_at is not null and next_start_at <> interval_end_at
