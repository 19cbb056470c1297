{#- Ratio helpers and the ratio definitions of every KPI mart family. Each ratio of METRICS.md is written here once;
    the daily marts and their re-aggregations to weeks, months, quarters and years both call these macros, so a ratio
    is always rebuilt from summed numerators and denominators, never averaged. -#}

{#- numerator / denominator as a float; an empty (0 or NULL) denominator gives NULL. -#}
{% macro safe_divide(numerator, denominator) -%}
    cast({{ numerator }} as double precision) / nullif({{ denominator }}, 0)
{%- endmacro %}

{#- kpi_service_*: from offered, answered, abandoned, short_abandoned, answered_within_threshold,
    service_level_denominator, answered_wait_seconds, handled_legs, handle_seconds, transferred_legs, held_legs. -#}
{% macro service_kpi_ratios() -%}
    {{ safe_divide('answered_within_threshold', 'service_level_denominator') }} as service_level,
    {{ safe_divide('abandoned - short_abandoned', 'offered - short_abandoned') }} as abandonment_rate,
    {{ safe_divide('answered_wait_seconds', 'answered') }} as asa_seconds,
    {{ safe_divide('handle_seconds', 'handled_legs') }} as aht_seconds,
    {{ safe_divide('transferred_legs', 'handled_legs') }} as transfer_rate,
    {{ safe_divide('held_legs', 'handled_legs') }} as hold_rate
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

{#- Targets of each family (seed kpi_targets, macro marts_ii_target_columns): `<kpi>_target` and
    `meets_<kpi>_target` for a row of `relation` (a CTE holding the mart's columns), looked up on its period_start.
    Service and FCR targets are per queue, then center; agent targets per team, then center. -#}
{% macro service_kpi_targets(relation) -%}
    {%- for kpi in ['service_level', 'abandonment_rate', 'asa_seconds', 'aht_seconds'] %}
    {{ marts_ii_target_columns(kpi, relation ~ '.' ~ kpi, [['queue', relation ~ '.queue']],
                               relation ~ '.period_start') }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro agent_kpi_targets(relation) -%}
    {%- for kpi in ['adherence', 'occupancy', 'aht_seconds'] %}
    {{ marts_ii_target_columns(kpi, relation ~ '.' ~ kpi, [['team', relation ~ '.team']],
                               relation ~ '.period_start') }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro fcr_kpi_targets(relation) -%}
    {{ marts_ii_target_columns('fcr_rate', relation ~ '.fcr_rate', [['queue', relation ~ '.queue']],
                               relation ~ '.period_start') }}
{%- endmacro %}

{#- Re-aggregate a daily KPI mart to `grain` (week, month, quarter, year): sums of the additive columns and maxima of
    the max columns per period_start and `keys`, then the family's ratios rebuilt from those sums. `latest_columns`
    are attributes taken from the latest day of the period (e.g. an agent's team after a team move). -#}
{% macro reaggregate_daily_kpi(daily_model, grain, keys, sum_columns, ratios, max_columns=[], latest_columns=[]) -%}
with daily as (

    select
        {{ period_start(grain, 'local_date') }} as period_start,
        local_date,
        {{ (keys + latest_columns + sum_columns + max_columns) | join(',\n        ') }}
    from {{ ref(daily_model) }}

),
{%- if latest_columns %}

latest_attributes as (

    select
        period_start,
        {{ keys | join(', ') }},
        {{ latest_columns | join(', ') }},
        row_number() over (partition by period_start, {{ keys | join(', ') }} order by local_date desc) as _day_rank
    from daily

),
{%- endif %}

summed as (

    select
        period_start,
        {%- for key in keys %}
        {{ key }},
        {%- endfor %}
        {%- for column in sum_columns %}
        sum({{ column }}) as {{ column }},
        {%- endfor %}
        {%- for column in max_columns %}
        max({{ column }}) as {{ column }},
        {%- endfor %}
        count(*) as days_with_activity
    from daily
    group by period_start, {{ keys | join(', ') }}

)

select
    summed.period_start,
    {%- for key in keys %}
    summed.{{ key }},
    {%- endfor %}
    {%- for column in latest_columns %}
    latest_attributes.{{ column }},
    {%- endfor %}
    {%- for column in sum_columns + max_columns %}
    summed.{{ column }},
    {%- endfor %}
    summed.days_with_activity,
    {{ ratios }}
from summed
{%- if latest_columns %}
left join latest_attributes
    on latest_attributes._day_rank = 1
    and latest_attributes.period_start = summed.period_start
    {%- for key in keys %}
    and latest_attributes.{{ key }} = summed.{{ key }}
    {%- endfor %}
{%- endif %}
{%- endmacro %}
