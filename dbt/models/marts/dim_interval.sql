{#- Reporting intervals (int_intervals) with time-of-day attributes for slicing by interval across days. -#}
select
    interval_start_at,
    interval_end_at,
    interval_start,
    local_date,
    utc_offset_minutes,
    interval_seconds,
    cast(interval_start as time) as interval_time_of_day,
    {{ dbt.datediff(dbt.date_trunc('day', 'interval_start'), 'interval_start', 'minute') }} as minutes_after_midnight
from {{ ref('int_intervals') }}
