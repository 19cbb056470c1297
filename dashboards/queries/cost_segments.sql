-- Cost and answered contacts over the months of kpi_cost_per_call_monthly from $first to $last (inclusive): cost per
-- call rebuilt from its sums (cost_per_call x answered_contacts gives back the mart's numerator, as cost_per_call.sql).
select
    'center' as segment,
    sum(cost_per_call * answered_contacts) as cost,
    sum(answered_contacts) as answered_contacts
from marts.kpi_cost_per_call_monthly
where period_start between $first and $last
having sum(answered_contacts) > 0
