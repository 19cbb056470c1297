{#- First-contact resolution per local day and queue of the contact's first offered leg (METRICS.md "FCR"). -#}
with summed as (

    select
        local_date,
        queue,
        sum(case when is_fcr_eligible then 1 else 0 end) as fcr_eligible_contacts,
        sum(case when is_repeat_contact then 1 else 0 end) as repeat_contacts
    from {{ ref('int_contacts_rolled_up') }}
    group by local_date, queue

)

select
    local_date,
    {{ period_start('day', 'local_date') }} as period_start,
    queue,
    fcr_eligible_contacts,
    repeat_contacts,
    {{ fcr_kpi_ratios() }}
from summed
