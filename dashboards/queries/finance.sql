-- Center-wide budget, actual and variance per period (all cost centers and categories). Placeholder: grain.
select
    period_start,
    sum(budget_amount) as budget_amount,
    sum(actual_amount) as actual_amount,
    sum(actual_amount) - sum(budget_amount) as variance_amount,
    (sum(actual_amount) - sum(budget_amount)) / nullif(sum(budget_amount), 0) as variance_pct
from marts.kpi_finance_{grain}
group by period_start
order by period_start
