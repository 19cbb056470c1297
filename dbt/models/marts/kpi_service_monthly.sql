with kpis as (

    {{ reaggregate_daily_kpi(
        'kpi_service_daily', 'month', keys=['queue'],
        sum_columns=['offered', 'answered', 'abandoned', 'short_abandoned', 'answered_within_threshold',
                     'service_level_denominator', 'answered_wait_seconds', 'handled_legs', 'handle_seconds',
                     'transferred_legs', 'held_legs'],
        max_columns=['max_wait_seconds'],
        ratios=service_kpi_ratios()
    ) }}

)

select
    kpis.*,
    {{ service_kpi_targets('kpis') }}
from kpis
