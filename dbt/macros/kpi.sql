{#- Ratio helpers and the ratio definitions of every KPI mart family. Each ratio of METRICS.md is written here once;
    the daily marts and their re-aggregations to weeks, months, quarters and years both call these macros, so a ratio
    is always rebuilt from summed numerators and denominators, never averaged. -#}

{#- numerator / denominator as a float; an empty (0 or NULL) denominator gives NULL. -#}
{% macro safe_divide(numerator, denominator) -%}
    cast({{ numerator }} as double precision) / nullif({{ denominator }}, 0)
{%- endmacro %}

{#- kpi_service_*: from offered, answered, abandoned, short_abandoned, answered_within_threshold,
    service_level_denominator, answered_wait_seconds, handled_legs, handle_seconds, transferred_legs, held_legs,
    hold_seconds (talk_only_handled_legs is summed beside them: it qualifies aht_seconds, it is not a ratio's
    term). -#}
{% macro service_kpi_ratios() -%}
    {{ safe_divide('answered_within_threshold', 'service_level_denominator') }} as service_level,
    {{ safe_divide('abandoned - short_abandoned', 'offered - short_abandoned') }} as abandonment_rate,
    {{ safe_divide('answered_wait_seconds', 'answered') }} as asa_seconds,
    {{ safe_divide('handle_seconds', 'handled_legs') }} as aht_seconds,
    {{ safe_divide('transferred_legs', 'handled_legs') }} as transfer_rate,
    {{ safe_divide('held_legs', 'handled_legs') }} as hold_rate,
    {{ safe_divide('hold_seconds', 'held_legs') }} as avg_hold_seconds
{%- endmacro %}

{#- kpi_agent_*: from the agent's state seconds, schedule seconds and handled legs. -#}
{% macro agent_kpi_ratios() -%}
    {{ safe_divide('handle_seconds', 'handle_seconds + ready_seconds') }} as occupancy,
    {{ safe_divide('handle_seconds', 'logged_in_seconds') }} as utilization,
    {{ safe_divide('adherent_seconds', 'scheduled_seconds') }} as adherence,
    {{ safe_divide('logged_in_seconds', 'scheduled_seconds') }} as conformance,
    1 - {{ safe_divide('productive_seconds', 'paid_scheduled_seconds') }} as shrinkage,
    {{ safe_divide('leg_handle_seconds', 'handled_legs') }} as aht_seconds
{%- endmacro %}

{#- kpi_fcr_*: from fcr_eligible_contacts and repeat_contacts. -#}
{% macro fcr_kpi_ratios() -%}
    1 - {{ safe_divide('repeat_contacts', 'fcr_eligible_contacts') }} as fcr_rate
{%- endmacro %}

{#- Targets of each family (seed kpi_targets, macro kpi_target_columns): `<kpi>_target` and
    `meets_<kpi>_target` for a row of `relation` (a CTE holding the mart's columns), looked up on its period_start.
    Service and FCR targets are per queue, then center; agent targets per team, then center. -#}
{% macro service_kpi_targets(relation) -%}
    {%- for kpi in ['service_level', 'abandonment_rate', 'asa_seconds', 'aht_seconds'] %}
    {{ kpi_target_columns(kpi, relation ~ '.' ~ kpi, [['queue', relation ~ '.queue']],
                               relation ~ '.period_start') }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro agent_kpi_targets(relation) -%}
    {%- for kpi in ['adherence', 'occupancy', 'aht_seconds'] %}
    {{ kpi_target_columns(kpi, relation ~ '.' ~ kpi, [['team', relation ~ '.team']],
                               relation ~ '.period_start') }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro fcr_kpi_targets(relation) -%}
    {{ kpi_target_columns('fcr_rate', relation ~ '.fcr_rate', [['queue', relation ~ '.queue']],
                               relation ~ '.period_start') }}
{%- endmacro %}

{#- Re-aggregate a daily KPI mart to `grain` (week, month, quarter, year) with the shared roll-up (macro
    rollup_by_period): sums of the additive columns and maxima of the max columns per period_start and `keys`, then the
    family's ratios rebuilt from those sums. `latest_columns` are attributes taken from the latest day of the period
    (e.g. an agent's team after a team move). -#}
{% macro reaggregate_daily_kpi(daily_model, grain, keys, sum_columns, ratios, max_columns=[], latest_columns=[]) -%}
with summed as (

    {{ rollup_by_period(ref(daily_model), grain, 'local_date', keys, sums=sum_columns, maxes=max_columns,
                       lasts=latest_columns) }}

)

select
    period_start,
    {{ (keys + latest_columns + sum_columns + max_columns) | join(',\n    ') }},
    base_rows as days_with_activity,
    {{ ratios }}
from summed
{%- endmacro %}

{#- One grain (week, month, quarter, year) of the service, agent and FCR mart families: the daily mart's numerators and
    denominators summed to the grain, ratios rebuilt from those sums, then the targets. Each grain model is one line,
    e.g. `{{ kpi_service_rollup('month') }}`, so the families cannot drift apart between grains. -#}
{% macro kpi_service_rollup(grain) -%}
with kpis as (

    {{ reaggregate_daily_kpi(
        'kpi_service_daily', grain, keys=['queue'],
        sum_columns=['offered', 'answered', 'abandoned', 'short_abandoned', 'answered_within_threshold',
                     'service_level_denominator', 'answered_wait_seconds', 'handled_legs', 'handle_seconds',
                     'transferred_legs', 'held_legs', 'hold_seconds', 'talk_only_handled_legs'],
        max_columns=['max_wait_seconds'],
        ratios=service_kpi_ratios()
    ) }}

)

select
    kpis.*,
    {{ service_kpi_targets('kpis') }}
from kpis
{%- endmacro %}

{% macro kpi_agent_rollup(grain) -%}
with kpis as (

    {{ reaggregate_daily_kpi(
        'kpi_agent_daily', grain, keys=['agent_id'],
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
{%- endmacro %}

{% macro kpi_fcr_rollup(grain) -%}
with kpis as (

    {{ reaggregate_daily_kpi(
        'kpi_fcr_daily', grain, keys=['queue'],
        sum_columns=['fcr_eligible_contacts', 'repeat_contacts'],
        ratios=fcr_kpi_ratios()
    ) }}

)

select
    kpis.*,
    {{ fcr_kpi_targets('kpis') }}
from kpis
{%- endmacro %}

{#- Forecast accuracy of offered contacts (METRICS.md) over a group of fct_interval_forecast_accuracy rows: whether
    the group holds the chosen method, the summed forecast, actual and errors, WAPE and bias from those sums (a
    re-aggregation sums them again, never averages the ratios) and the intervals counted. -#}
{% macro forecast_accuracy_measures() -%}
    bool_or(is_chosen) as is_chosen,
    sum(offered_forecast) as offered_forecast,
    sum(offered_actual) as offered_actual,
    sum(offered_absolute_error) as offered_absolute_error,
    sum(offered_error) as offered_error,
    sum(offered_absolute_error) / nullif(sum(offered_actual), 0) as wape,
    sum(offered_error) / nullif(sum(offered_actual), 0) as bias,
    count(*) as intervals
{%- endmacro %}
