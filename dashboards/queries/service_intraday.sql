-- Inbound service per interval (local interval_start) between $start (inclusive) and $end (exclusive), all queues,
-- from the contact-leg facts: offered (the calls that waited in a queue), abandoned and service level.
select
    interval_start,
    count(*) as offered,
    count(*) filter (where is_abandoned) as abandoned,
    count(*) filter (where is_answered_within_threshold)
        / nullif(count(*) filter (where is_in_service_level_denominator), 0) as service_level
from marts.fct_contact_legs
where is_offered and interval_start >= $start and interval_start < $end
group by interval_start
order by interval_start
