{#- Queues that were offered contacts, with the first and last local day they were. -#}
select
    queue,
    min(local_date) as first_local_date,
    max(local_date) as last_local_date,
    count(*) as offered_legs
from {{ ref('fct_contact_legs') }}
where is_offered
group by queue
