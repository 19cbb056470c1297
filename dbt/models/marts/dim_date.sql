{#- Local calendar days from the first to the last day with any activity (calls, states, schedules, roster
    snapshots), with ISO week, month, quarter, year and fiscal year (var fiscal_year_start_month). A fiscal year is
    named after the calendar year in which it ends (with the default start month 1, the calendar year). -#}
{%- set fiscal_start_month = var('fiscal_year_start_month') | int %}
{%- if fiscal_start_month < 1 or fiscal_start_month > 12 %}
    {{ exceptions.raise_compiler_error("var fiscal_year_start_month must be 1-12, not '" ~ var('fiscal_year_start_month') ~ "'") }}
{%- endif %}
with bounds as (

    select
        cast(min(local_date) as timestamp) as first_day_at,
        cast({{ dbt.dateadd('day', 1, 'max(local_date)') }} as timestamp) as end_day_at
    from (
        select local_date from {{ ref('int_intervals') }}
        union all
        select as_of from {{ ref('stg_roster') }}
    ) as activity_days

),

days as (

    select cast(slot_start_at as date) as local_date
    from ({{ timestamp_series('bounds', 'first_day_at', 'end_day_at', 1440) }}) as series

),

fiscal as (

    select
        local_date,
        cast({{ dbt.dateadd('month', fiscal_start_month - 1,
            dbt.date_trunc('year', dbt.dateadd('month', 1 - fiscal_start_month, 'local_date'))) }} as date)
            as fiscal_year_start
    from days

)

select
    local_date,
    {{ iso_date_part('isodow', 'local_date') }} as iso_day_of_week,
    {{ iso_date_part('isodow', 'local_date') }} >= 6 as is_weekend,
    {{ period_start('week', 'local_date') }} as week_start,
    {{ iso_date_part('isoyear', 'local_date') }} as iso_year,
    {{ iso_date_part('week', 'local_date') }} as iso_week,
    {{ period_start('month', 'local_date') }} as month_start,
    extract(month from local_date) as month_of_year,
    {{ period_start('quarter', 'local_date') }} as quarter_start,
    extract(quarter from local_date) as quarter_of_year,
    {{ period_start('year', 'local_date') }} as year_start,
    extract(year from local_date) as calendar_year,
    fiscal_year_start,
    extract(year from fiscal_year_start) {% if fiscal_start_month > 1 %}+ 1 {% endif %}as fiscal_year
from fiscal
