-- Center-wide annualised attrition per month (METRICS.md): the mean of the center's monthly attrition rates over the
-- 12 months up to and including the month, times 12 (= their sum when all 12 months are present). With it, what it
-- stands on: the months of history and the leavers in its window (few of either and the rate is no headline).
with monthly as (
    select
        period_start,
        sum(terminations) as terminations,
        sum(average_headcount) as average_headcount,
        sum(terminations) / nullif(sum(average_headcount), 0) as attrition_rate
    from marts.kpi_people_monthly
    group by period_start
)
select
    month.period_start,
    avg(earlier.attrition_rate) * 12 as annualised_attrition_rate,
    count(*) as months_of_history,
    sum(earlier.terminations) as leavers_in_window,
    avg(earlier.average_headcount) as average_headcount_in_window
from monthly as month
join monthly as earlier
    on earlier.period_start <= month.period_start
    and earlier.period_start > month.period_start - interval 12 month
group by month.period_start
order by month.period_start
