{#- First-contact resolution per local day and queue of the contact's first offered leg (METRICS.md "FCR"); ratio and
    target (seed kpi_targets, per queue then center) from macros/kpi.sql. -#}
with summed as (

    select
        local_date,
        queue,
        sum(case when is_fcr_eligible then 1 else 0 end) as fcr_eligible_contacts,
        sum(case when is_repeat_contact then 1 else 0 end) as repeat_contacts
    from {{ ref('int_contacts_rolled_up') }}
    group by local_date, queue

),

kpis as (

    select
        local_date,
        {{ period_start('day', 'local_date') }} as period_start,
        queue,
        fcr_eligible_contacts,
        repeat_contacts,
        {{ fcr_kpi_ratios() }}
    from summed

)

select
    kpis.*,
    {{ fcr_kpi_targets('kpis') }}
from kpis
