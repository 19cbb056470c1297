{#- One row per month, cost center and category over every month of each fiscal year the ledger touches: budget,
    actual and forecast sums of the ledger lines (credits are negative lines and simply reduce the sum; a reposted
    line_id was already replaced in stg_ledger), year-to-date figures and year-end projections. The additive base
    of kpi_finance_<grain> and the cost side of kpi_cost_per_call_<grain>.

    Projections are "as of" the month: the month itself when its actuals are booked, otherwise the last month
    with any actual line in the ledger (`actuals_closed_through`, one date for the whole center). -#}
with ledger as (

    select
        cast(period || '-01' as date) as period_month,
        scenario,
        cost_center,
        category,
        currency,
        amount
    from {{ ref('stg_ledger') }}

),

monthly as (

    select
        period_month,
        cost_center,
        category,
        -- one currency per center (SOURCES.md): a second one would split the row and fail the key test
        currency,
        sum(case when scenario = 'budget' then amount else 0 end) as budget_amount,
        sum(case when scenario = 'actual' then amount else 0 end) as actual_amount,
        sum(case when scenario = 'forecast' then amount else 0 end) as forecast_amount,
        sum(case when scenario = 'budget' then 1 else 0 end) as budget_lines,
        sum(case when scenario = 'actual' then 1 else 0 end) as actual_lines,
        sum(case when scenario = 'forecast' then 1 else 0 end) as forecast_lines
    from ledger
    group by period_month, cost_center, category, currency

),

fiscal_years as (

    select distinct
        cast({{ dbt.dateadd('month',
            '-1 * mod(extract(month from period_month) - ' ~ var('fiscal_year_start_month') ~ ' + 12, 12)',
            'period_month') }} as date) as fiscal_year_start,
        cost_center,
        category,
        currency
    from monthly

),

fiscal_months as (

    {{ dbt.generate_series(12) }}

),

spine as (

    select
        fiscal_years.fiscal_year_start,
        fiscal_years.cost_center,
        fiscal_years.category,
        fiscal_years.currency,
        cast({{ dbt.dateadd('month', 'fiscal_month.generated_number - 1', 'fiscal_years.fiscal_year_start') }} as date)
            as period_month
    from fiscal_years
    cross join fiscal_months as fiscal_month

),

closed as (

    select max(period_month) as actuals_closed_through from monthly where actual_lines > 0

),

filled as (

    select
        spine.period_month,
        spine.fiscal_year_start,
        spine.cost_center,
        spine.category,
        spine.currency,
        {{ zero_if_missing('monthly', ['budget_amount', 'actual_amount', 'forecast_amount', 'budget_lines', 'actual_lines', 'forecast_lines']) }},
        -- The plan for a month: its forecast where one is posted, else its budget.
        case when coalesce(monthly.forecast_lines, 0) > 0 then monthly.forecast_amount
             else coalesce(monthly.budget_amount, 0) end as plan_amount,
        closed.actuals_closed_through,
        coalesce(spine.period_month <= closed.actuals_closed_through, false) as is_actualised
    from spine
    cross join closed
    left join monthly
        on monthly.period_month = spine.period_month
        and monthly.cost_center = spine.cost_center
        and monthly.category = spine.category
        and monthly.currency = spine.currency

),

{%- set fiscal_year_to_date -%}
    over (partition by fiscal_year_start, cost_center, category order by period_month
          rows between unbounded preceding and current row)
{%- endset %}

cumulative as (

    select
        filled.*,
        sum(budget_amount) {{ fiscal_year_to_date }} as ytd_budget_amount,
        sum(actual_amount) {{ fiscal_year_to_date }} as ytd_actual_amount,
        sum(forecast_amount) {{ fiscal_year_to_date }} as ytd_forecast_amount,
        sum(plan_amount) {{ fiscal_year_to_date }} as ytd_plan_amount,
        sum(budget_amount) over (partition by fiscal_year_start, cost_center, category) as annual_budget_amount,
        sum(plan_amount) over (partition by fiscal_year_start, cost_center, category) as annual_plan_amount,
        case
            when actuals_closed_through is null then null
            when actuals_closed_through < period_month then actuals_closed_through
            else period_month
        end as projection_as_of_month
    from filled

)

select
    cumulative.period_month,
    cumulative.fiscal_year_start,
    cumulative.cost_center,
    cumulative.category,
    cumulative.currency,
    cumulative.budget_amount,
    cumulative.actual_amount,
    cumulative.forecast_amount,
    cumulative.budget_lines,
    cumulative.actual_lines,
    cumulative.forecast_lines,
    cumulative.is_actualised,
    cumulative.actuals_closed_through,
    cumulative.ytd_budget_amount,
    cumulative.ytd_actual_amount,
    cumulative.ytd_forecast_amount,
    cumulative.annual_budget_amount,
    cumulative.projection_as_of_month,
    -- Actuals of the fiscal year up to the projection month (0 when none of the year is booked yet).
    coalesce(as_of.ytd_actual_amount, 0) as actual_to_date_amount,
    case when as_of.period_month is null then 0
         else {{ dbt.datediff('cumulative.fiscal_year_start', 'as_of.period_month', 'month') }} + 1
    end as actualised_months_to_date,
    cumulative.annual_budget_amount - coalesce(as_of.ytd_budget_amount, 0) as remaining_budget_amount,
    cumulative.annual_plan_amount - coalesce(as_of.ytd_plan_amount, 0) as remaining_forecast_amount
from cumulative
left join cumulative as as_of
    on as_of.fiscal_year_start = cumulative.fiscal_year_start
    and as_of.cost_center = cumulative.cost_center
    and as_of.category = cumulative.category
    and as_of.currency = cumulative.currency
    and as_of.period_month = cumulative.projection_as_of_month
