{#- Early attrition by hire cohort (METRICS.md "People"): one row per hire month and team, over every hire month
    of the roster (including those before the first snapshot, whose cohorts only show the people still employed
    then: `is_before_roster_coverage`). -#}
with spells as (

    select * from {{ ref('int_people_employment_spells') }}
    where is_headcount_role

),

roster_bounds as (

    select min(as_of) as first_as_of, max(as_of) as last_as_of from {{ ref('stg_roster') }}

),

cohorts as (

    select
        {{ period_start('month', 'spells.hire_date') }} as cohort_month,
        spells.team,
        count(*) as hires,
        sum(case when spells.is_early_termination then 1 else 0 end) as early_terminations,
        sum(case when {{ dbt.dateadd('day', var('early_tenure_days'), 'spells.hire_date') }}
                      <= roster_bounds.last_as_of then 1 else 0 end) as early_window_closed_hires,
        sum(case when spells.termination_date <= roster_bounds.last_as_of then 1 else 0 end)
            as terminations_to_date,
        max(roster_bounds.first_as_of) as first_as_of,
        max(roster_bounds.last_as_of) as last_as_of
    from spells
    cross join roster_bounds
    group by 1, 2

),

rated as (

    select
        cohorts.*,
        {{ safe_divide('early_terminations', 'hires') }} as early_attrition_rate,
        1 - {{ safe_divide('terminations_to_date', 'hires') }} as retention_rate_to_date,
        early_window_closed_hires = hires as is_early_window_complete,
        cohort_month < {{ period_start('month', 'first_as_of') }} as is_before_roster_coverage
    from cohorts

)

select
    rated.cohort_month,
    rated.team,
    rated.hires,
    rated.early_terminations,
    rated.early_attrition_rate,
    {{ kpi_target_columns('early_attrition_rate', 'rated.early_attrition_rate', [['team', 'rated.team']],
                               date='rated.cohort_month') }},
    rated.early_window_closed_hires,
    rated.is_early_window_complete,
    rated.terminations_to_date,
    rated.retention_rate_to_date,
    rated.is_before_roster_coverage,
    rated.last_as_of as observed_through
from rated
