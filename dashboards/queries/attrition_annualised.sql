-- Center-wide annualised attrition per month (METRICS.md): the mean of the center's monthly attrition rates over the
-- 12 months up to and including the month, times 12 (= their sum when all 12 months are present).
with monthly as (
    select period_start, sum(terminations) / nullif(sum(average_headcount), 0) as attrition_rate
    from marts.kpi_people_monthly
    group by period_start
)
select
    month.period_start,
    avg(earlier.attrition_rate) * 12 as annualised_attrition_rate
from monthly as month
join monthly as earlier
    on earlier.period_start <= month.period_start
    and earlier.period_start > month.period_start - interval 12 month
group by month.period_start
order by month.period_start
