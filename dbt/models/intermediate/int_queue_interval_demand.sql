{#- Offered contacts and handle seconds per queue and reporting interval: the demand Erlang C staffs for. -#}
select
    legs.queue,
    legs.interval_start_at,
    intervals.interval_start,
    intervals.local_date,
    intervals.interval_seconds,
    count(*) as offered,
    sum(case when legs.is_handled then 1 else 0 end) as handled_legs,
    sum(legs.handle_seconds) as handle_seconds
from {{ ref('fct_contact_legs') }} as legs
inner join {{ ref('int_intervals') }} as intervals
    on intervals.interval_start_at = legs.interval_start_at
where legs.is_offered
group by legs.queue, legs.interval_start_at, intervals.interval_start, intervals.local_date, intervals.interval_seconds
