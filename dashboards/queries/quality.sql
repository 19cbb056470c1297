-- Center-wide QA score and critical fails per period (all agents), rebuilt from score sums. Placeholder: grain.
select
    period_start,
    sum(score_sum) / nullif(sum(max_score_sum), 0) as qa_score,
    sum(evaluations) as evaluations,
    sum(critical_fails) as critical_fails
from marts.kpi_quality_{grain}
group by period_start
order by period_start
