-- QA score sums over the periods of kpi_quality_{grain} from $first to $last (inclusive), one segment (the mart has
-- no team). Placeholder: grain.
select
    'all agents' as segment,
    sum(score_sum) as score_sum,
    sum(max_score_sum) as max_score_sum,
    sum(evaluations) as evaluations
from marts.kpi_quality_{grain}
where period_start between $first and $last
having count(*) > 0
