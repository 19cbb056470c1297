-- First-contact resolution sums per queue over the periods of kpi_fcr_{grain} from $first to $last (inclusive).
-- Placeholder: grain.
select
    queue as segment,
    sum(repeat_contacts) as repeat_contacts,
    sum(fcr_eligible_contacts) as fcr_eligible_contacts
from marts.kpi_fcr_{grain}
where period_start between $first and $last
group by queue
order by queue
