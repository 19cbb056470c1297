{#- One row per local day and team over the roster's coverage (first day of the month of the first snapshot up to
    the latest snapshot): headcount on the day and the day's hires and terminations. The additive base of
    kpi_people_<grain>; only spells whose role is in var('headcount_roles') count. -#}
with spells as (

    select * from {{ ref('int_people_employment_spells') }}
    where is_headcount_role

),

bounds as (

    select
        {{ period_start('month', 'min(as_of)') }} as first_date,
        max(as_of) as last_date
    from {{ ref('stg_roster') }}

),

days as (

    {{ date_spine_between('day', 'bounds', 'first_date', 'last_date') }}

),

teams as (

    select distinct team from spells

),

grid as (

    select days.spine_date as local_date, teams.team
    from days
    cross join teams

),

headcount as (

    select
        grid.local_date,
        grid.team,
        count(spells.employee_id) as headcount,
        -- tenure (METRICS.md): days from hire to the day, summed over the people employed on the day
        coalesce(sum({{ dbt.datediff('spells.hire_date', 'grid.local_date', 'day') }}), 0) as tenure_days_sum
    from grid
    left join spells
        on spells.team = grid.team
        and spells.hire_date <= grid.local_date
        and (spells.termination_date is null or spells.termination_date > grid.local_date)
    group by grid.local_date, grid.team

),

hires as (

    select
        hire_date as local_date,
        team,
        count(*) as hires,
        -- Hire cohort: of the day's hires, those who left within early_tenure_days.
        sum(case when is_early_termination then 1 else 0 end) as early_terminations,
        -- Hires whose early-tenure window has closed by the latest snapshot (their cohort figure is final).
        sum(case when {{ dbt.dateadd('day', var('early_tenure_days'), 'hire_date') }}
                      <= (select last_date from bounds) then 1 else 0 end) as early_window_closed_hires
    from spells
    group by hire_date, team

),

terminations as (

    select
        termination_date as local_date,
        team,
        count(*) as terminations,
        sum(case when termination_type = 'voluntary' then 1 else 0 end) as voluntary_terminations,
        sum(case when termination_type = 'involuntary' then 1 else 0 end) as involuntary_terminations,
        sum(case when termination_type is null then 1 else 0 end) as unspecified_terminations
    from spells
    where termination_date is not null
    group by termination_date, team

)

select
    headcount.local_date,
    headcount.team,
    headcount.headcount,
    headcount.tenure_days_sum,
    {{ zero_if_missing('hires', ['hires']) }},
    {{ zero_if_missing('terminations', ['terminations', 'voluntary_terminations', 'involuntary_terminations',
        'unspecified_terminations']) }},
    {{ zero_if_missing('hires', ['early_terminations', 'early_window_closed_hires']) }}
from headcount
{{ left_join_on_keys('headcount', ['hires', 'terminations'], ['local_date', 'team']) }}
