{#- kpi_finance_<grain> (monthly and up): one row per period, cost center and category, rolled up from
    int_finance_ledger_monthly (METRICS.md "Money"). Flows (budget, actual, forecast) are summed over the period;
    year-to-date and year-end figures are those of the period's last month.
    A month whose actuals are not booked yet has no actual, not an actual of 0: the variance compares the actuals
    with the budget of the booked months only (booked_budget_amount; NULL when none is booked), and the
    year-to-date variance is NULL when the period's last month is not booked. -#}
{% macro kpi_finance_rollup(grain) -%}
with rolled as (

    {{ rollup_by_period(ref('int_finance_ledger_monthly'), grain, 'period_month', ['cost_center', 'category'],
        sums={'budget_amount': 'budget_amount', 'actual_amount': 'actual_amount',
              'forecast_amount': 'forecast_amount', 'budget_lines': 'budget_lines', 'actual_lines': 'actual_lines',
              'forecast_lines': 'forecast_lines', 'months': '1',
              'actualised_months': 'case when is_actualised then 1 else 0 end',
              'booked_budget_amount': 'case when is_actualised then budget_amount else 0 end'},
        lasts={'currency': 'currency', 'fiscal_year_start': 'fiscal_year_start',
               'last_month_booked': 'case when is_actualised then 1 else 0 end',
               'ytd_budget_amount': 'ytd_budget_amount', 'ytd_actual_amount': 'ytd_actual_amount',
               'ytd_forecast_amount': 'ytd_forecast_amount', 'annual_budget_amount': 'annual_budget_amount',
               'projection_as_of_month': 'projection_as_of_month', 'actual_to_date_amount': 'actual_to_date_amount',
               'actualised_months_to_date': 'actualised_months_to_date',
               'remaining_budget_amount': 'remaining_budget_amount',
               'remaining_forecast_amount': 'remaining_forecast_amount'}) }}

),

measured as (

    select
        rolled.*,
        case when actualised_months > 0 then actual_amount - booked_budget_amount end as variance_amount,
        case when actualised_months > 0
             then {{ safe_divide('actual_amount - booked_budget_amount', 'booked_budget_amount') }} end as variance_pct,
        case when last_month_booked = 1 then ytd_actual_amount - ytd_budget_amount end as ytd_variance_amount,
        case when last_month_booked = 1
             then {{ safe_divide('ytd_actual_amount - ytd_budget_amount', 'ytd_budget_amount') }} end as ytd_variance_pct,
        actual_to_date_amount + remaining_budget_amount as projected_year_end_amount,
        actual_to_date_amount + remaining_forecast_amount as forecast_year_end_amount,
        {{ safe_divide('actual_to_date_amount', 'actualised_months_to_date') }} * 12 as run_rate_year_end_amount
    from rolled

),

projected as (

    select
        measured.*,
        projected_year_end_amount - annual_budget_amount as projected_year_end_variance_amount,
        {{ safe_divide('projected_year_end_amount - annual_budget_amount', 'annual_budget_amount') }}
            as projected_year_end_variance_pct,
        run_rate_year_end_amount - annual_budget_amount as run_rate_year_end_variance_amount,
        {{ safe_divide('run_rate_year_end_amount - annual_budget_amount', 'annual_budget_amount') }}
            as run_rate_year_end_variance_pct,
        projected_year_end_amount <= annual_budget_amount as is_projected_within_budget,
        run_rate_year_end_amount <= annual_budget_amount as is_run_rate_within_budget
    from measured

)

select
    {{ period_columns(grain) }}
    projected.cost_center,
    projected.category,
    projected.currency,
    projected.fiscal_year_start,
    projected.months,
    projected.actualised_months,
    projected.budget_amount,
    projected.booked_budget_amount,
    projected.actual_amount,
    projected.forecast_amount,
    projected.budget_lines,
    projected.actual_lines,
    projected.forecast_lines,
    projected.variance_amount,
    projected.variance_pct,
    {{ kpi_target_columns('variance_pct', 'projected.variance_pct', [['cost_center', 'projected.cost_center']]) }},
    projected.ytd_budget_amount,
    projected.ytd_actual_amount,
    projected.ytd_forecast_amount,
    projected.ytd_variance_amount,
    projected.ytd_variance_pct,
    projected.annual_budget_amount,
    projected.projection_as_of_month,
    projected.actualised_months_to_date,
    projected.actual_to_date_amount,
    projected.remaining_budget_amount,
    projected.remaining_forecast_amount,
    projected.projected_year_end_amount,
    projected.projected_year_end_variance_amount,
    projected.projected_year_end_variance_pct,
    {{ kpi_target_columns('projected_year_end_variance_pct', 'projected.projected_year_end_variance_pct',
                               [['cost_center', 'projected.cost_center']]) }},
    projected.is_projected_within_budget,
    projected.forecast_year_end_amount,
    projected.run_rate_year_end_amount,
    projected.run_rate_year_end_variance_amount,
    projected.run_rate_year_end_variance_pct,
    projected.is_run_rate_within_budget
from projected
{%- endmacro %}
