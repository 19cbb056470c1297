with kpis as (

    {{ reaggregate_daily_kpi(
        'kpi_agent_daily', 'quarter', keys=['agent_id'],
        sum_columns=['logged_in_seconds', 'ready_seconds', 'talk_seconds', 'hold_seconds', 'acw_seconds', 'handle_seconds',
                     'scheduled_seconds', 'adherent_seconds', 'paid_scheduled_seconds', 'productive_seconds',
                     'planned_shrinkage_seconds', 'unplanned_shrinkage_seconds', 'handled_legs', 'leg_handle_seconds'],
        latest_columns=['team'],
        ratios=agent_kpi_ratios()
    ) }}

)

select
    kpis.*,
    {{ agent_kpi_targets('kpis') }}
from kpis
