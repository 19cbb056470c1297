-- Today's inbound service per queue up to the cutoff: legs offered on $day that ended at or before $cutoff_at
-- (naive UTC). Calls are exported when they end, so a call still queued or talking at the cutoff is not counted
-- yet (and a contact still queued is not an abandon).
select
    queue,
    count(*) as offered,
    count_if(is_answered_within_threshold) as answered_within_threshold,
    count_if(is_in_service_level_denominator) as service_level_denominator,
    count_if(is_abandoned) as abandoned,
    count_if(is_short_abandon) as short_abandoned,
    max(wait_seconds) as max_wait_seconds
from marts.fct_contact_legs
where is_offered and local_date = $day and ended_at <= $cutoff_at
group by queue
order by queue
