-- Budget and actual per cost category over the months from $first to $last (inclusive) that have actual costs (as
-- finance.sql: budget lines of months not yet booked are left out), all cost centers.
with actualised_months as (
    select period_start as month
    from marts.kpi_finance_monthly
    group by period_start
    having sum(actual_amount) <> 0
)

select
    category as segment,
    sum(actual_amount) as actual_amount,
    sum(budget_amount) as budget_amount
from marts.kpi_finance_monthly
where period_start between $first and $last and period_start in (select month from actualised_months)
group by category
order by category
