-- Center-wide first-contact resolution per period (all queues), rebuilt from its counts. Placeholder: grain.
select
    period_start,
    1 - sum(repeat_contacts) / nullif(sum(fcr_eligible_contacts), 0) as fcr_rate,
    sum(repeat_contacts) as repeat_contacts,
    sum(fcr_eligible_contacts) as fcr_eligible_contacts
from marts.kpi_fcr_{grain}
group by period_start
order by period_start
