with kpis as (

    {{ reaggregate_daily_kpi(
        'kpi_fcr_daily', 'week', keys=['queue'],
        sum_columns=['fcr_eligible_contacts', 'repeat_contacts'],
        ratios=fcr_kpi_ratios()
    ) }}

)

select
    kpis.*,
    {{ fcr_kpi_targets('kpis') }}
from kpis
