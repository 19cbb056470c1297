-- Cost per call per period (one row per period in the mart; summed anyway so the ratio is rebuilt from its sums).
-- The mart's cost_per_call follows `cost_per_call_scope`; cost_per_call x answered_contacts gives back its numerator.
-- Placeholder: grain (monthly and up).
select
    period_start,
    sum(cost_per_call * answered_contacts) / nullif(sum(answered_contacts), 0) as cost_per_call,
    sum(actual_cost) as actual_cost,
    sum(answered_contacts) as answered_contacts
from marts.kpi_cost_per_call_{grain}
group by period_start
order by period_start
