-- Center-wide headcount, hires and terminations per period (all teams); attrition rebuilt from its sums.
-- Placeholder: grain (monthly and up).
select
    period_start,
    sum(headcount_start) as headcount_start,
    sum(headcount_end) as headcount_end,
    sum(average_headcount) as average_headcount,
    sum(hires) as hires,
    sum(terminations) as terminations,
    sum(terminations) / nullif(sum(average_headcount), 0) as attrition_rate
from marts.kpi_people_{grain}
group by period_start
order by period_start
