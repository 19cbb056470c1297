-- Budget and actual per cost category for one period ($period_start), all cost centers. The year-to-date and
-- projection columns (annual budget, actual to date, projected year end) are taken when the mart has them.
-- Placeholder: grain (monthly and up).
select
    category,
    sum(COLUMNS('^(budget_amount|actual_amount|annual_budget_amount|actual_to_date_amount|projected_year_end_amount)$'))
from marts.kpi_finance_{grain}
where period_start = $period_start
group by category
order by category
