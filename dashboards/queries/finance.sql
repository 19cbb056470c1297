-- Center-wide budget, actual and variance per period of a grain (all cost centers and categories), over the months
-- that have actual costs: a year or quarter in progress compares its budget to date with its actual to date, not
-- the whole period's budget. Periods are those of kpi_finance_{grain} (so fiscal years line up); months are summed
-- from kpi_finance_monthly. Placeholders: grain, months (1, 3 or 12 months per period).
with actualised_months as (
    select period_start as month, sum(budget_amount) as budget_amount, sum(actual_amount) as actual_amount
    from marts.kpi_finance_monthly
    group by period_start
    having sum(actual_amount) <> 0
),

periods as (
    select distinct period_start from marts.kpi_finance_{grain}
)

select
    periods.period_start,
    sum(budget_amount) as budget_amount,
    sum(actual_amount) as actual_amount,
    sum(actual_amount) - sum(budget_amount) as variance_amount,
    (sum(actual_amount) - sum(budget_amount)) / nullif(sum(budget_amount), 0) as variance_pct
from periods
join actualised_months
    on actualised_months.month >= periods.period_start
    and actualised_months.month < periods.period_start + interval {months} month
group by periods.period_start
order by periods.period_start
