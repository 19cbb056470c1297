-- Today's offered legs per queue and interval (local interval_start) up to the cutoff, as in today_queues.sql.
select queue, interval_start, count(*) as offered
from marts.fct_contact_legs
where is_offered and local_date = $day and ended_at <= $cutoff_at
group by queue, interval_start
order by queue, interval_start
