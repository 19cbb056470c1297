{#- kpi_people_<grain>: one row per period and team, rolled up from int_people_team_daily (METRICS.md "People").
    Rows of a team with no headcount, hire or termination in the period are left out. -#}
{% macro kpi_people_rollup(grain) -%}
{%- set method = var('headcount_method') -%}
{%- if method not in ['start_end_mean', 'daily_mean'] -%}
    {{ exceptions.raise_compiler_error("var headcount_method must be 'start_end_mean' or 'daily_mean', got '" ~ method ~ "'") }}
{%- endif -%}
with rolled as (

    {{ rollup_by_period(ref('int_people_team_daily'), grain, 'local_date', ['team'],
        sums={'headcount_day_sum': 'headcount', 'covered_days': '1', 'hires': 'hires',
              'terminations': 'terminations', 'voluntary_terminations': 'voluntary_terminations',
              'involuntary_terminations': 'involuntary_terminations',
              'unspecified_terminations': 'unspecified_terminations',
              'early_terminations': 'early_terminations', 'early_window_closed_hires': 'early_window_closed_hires'},
        firsts={'headcount_start': 'headcount'},
        lasts={'headcount_end': 'headcount', 'tenure_days_sum_end': 'tenure_days_sum'}) }}

),

measured as (

    select
        rolled.*,
        {%- if method == 'daily_mean' %}
        {{ safe_divide('headcount_day_sum', 'covered_days') }} as average_headcount
        {%- else %}
        (headcount_start + headcount_end) / 2.0 as average_headcount
        {%- endif %}
    from rolled
    where headcount_day_sum > 0 or hires > 0 or terminations > 0

),

rated as (

    select
        measured.*,
        {{ safe_divide('terminations', 'average_headcount') }} as attrition_rate,
        {{ safe_divide('early_terminations', 'hires') }} as early_attrition_rate,
        {{ safe_divide('tenure_days_sum_end', 'headcount_end') }} as average_tenure_days_end
    from measured

),

{%- if grain == 'month' %}

-- The monthly attrition rates of the 12 months up to and including this one.
annualised as (

    select
        rated.period_start,
        rated.team,
        sum(window_month.attrition_rate) as attrition_rate_12m_sum,
        count(window_month.attrition_rate) as attrition_rate_12m_months
    from rated
    left join rated as window_month
        on window_month.team = rated.team
        and window_month.period_start <= rated.period_start
        and window_month.period_start > {{ dbt.dateadd('month', -12, 'rated.period_start') }}
    group by rated.period_start, rated.team

),

{%- else %}

-- A quarter's or year's annualised attrition is the monthly figure at its last covered month.
annualised as (

    select
        rated.period_start,
        rated.team,
        monthly.attrition_rate_12m_sum,
        monthly.attrition_rate_12m_months
    from rated
    inner join {{ ref('kpi_people_monthly') }} as monthly
        on monthly.team = rated.team
        and monthly.period_start = {{ period_start('month', 'rated.covered_to') }}

),

{%- endif %}

final as (

    select
        rated.*,
        annualised.attrition_rate_12m_sum,
        annualised.attrition_rate_12m_months,
        -- Sum of the last 12 monthly rates; with fewer months of history, their mean x 12 (the same when 12).
        {{ safe_divide('annualised.attrition_rate_12m_sum', 'annualised.attrition_rate_12m_months') }} * 12
            as annualised_attrition_rate
    from rated
    left join annualised
        on annualised.period_start = rated.period_start and annualised.team = rated.team

)

select
    {{ period_columns(grain) }}
    final.team,
    final.covered_from,
    final.covered_to,
    final.headcount_start,
    final.headcount_end,
    final.headcount_day_sum,
    final.covered_days,
    final.average_headcount,
    final.tenure_days_sum_end,
    final.average_tenure_days_end,
    final.hires,
    final.terminations,
    final.voluntary_terminations,
    final.involuntary_terminations,
    final.unspecified_terminations,
    final.attrition_rate,
    final.attrition_rate_12m_sum,
    final.attrition_rate_12m_months,
    final.annualised_attrition_rate,
    {{ kpi_target_columns('annualised_attrition_rate', 'final.annualised_attrition_rate', [['team', 'final.team']]) }},
    final.early_terminations,
    final.early_window_closed_hires,
    final.early_attrition_rate,
    {{ kpi_target_columns('early_attrition_rate', 'final.early_attrition_rate', [['team', 'final.team']]) }}
from final
{%- endmacro %}
