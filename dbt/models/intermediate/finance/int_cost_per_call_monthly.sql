{#- One row per local month: the center's actual cost (all cost centers; fully loaded and staff only), answered
    contacts and handled inbound seconds. The additive base of kpi_cost_per_call_<grain>.
    Answered contacts: distinct contact_id with at least one answered inbound leg (a transferred call is one
    contact), in the local month in which the contact's first leg entered a queue. Handle seconds: talk + hold +
    acw of the handled inbound legs, in the local month in which each leg entered its queue (as kpi_service). Both
    come from the contact models that define them (int_contacts_rolled_up, int_contact_legs_enriched). A center
    that sends no ledger at all gets no rows (empty cost-per-call marts); months without booked costs otherwise
    keep their volumes with is_actualised false. -#}
with answered as (

    -- int_contacts_rolled_up: one row per inbound contact, on the local day of its first offered leg
    select
        {{ period_start('month', 'local_date') }} as period_month,
        count(*) as answered_contacts
    from {{ ref('int_contacts_rolled_up') }}
    where is_answered
    group by 1

),

handled as (

    select
        {{ period_start('month', 'local_date') }} as period_month,
        count(*) as handled_legs,
        sum(handle_seconds) as handle_seconds
    from {{ ref('int_contact_legs_enriched') }}
    where is_handled
    group by 1

),

cost as (

    select
        period_month,
        sum(actual_amount) as actual_cost,
        sum(case when category = 'staff' then actual_amount else 0 end) as staff_cost,
        sum(budget_amount) as budget_cost,
        max(currency) as currency,
        max(case when is_actualised then 1 else 0 end) as is_actualised
    from {{ ref('int_finance_ledger_monthly') }}
    group by 1

),

months as (

    select period_month from answered
    union
    select period_month from handled
    union
    select period_month from cost where is_actualised = 1

)

select
    months.period_month,
    -- a month without ledger lines: the center's currency (the ledger's own when none is configured or recorded)
    coalesce(cost.currency, {{ center_currency() }}, (select max(any_month.currency) from cost as any_month)) as currency,
    coalesce(cost.actual_cost, 0) as actual_cost,
    coalesce(cost.staff_cost, 0) as staff_cost,
    coalesce(cost.budget_cost, 0) as budget_cost,
    coalesce(cost.is_actualised, 0) = 1 as is_actualised,
    coalesce(answered.answered_contacts, 0) as answered_contacts,
    coalesce(handled.handled_legs, 0) as handled_legs,
    coalesce(handled.handle_seconds, 0) as handle_seconds
from months
left join cost on cost.period_month = months.period_month
left join answered on answered.period_month = months.period_month
left join handled on handled.period_month = months.period_month
where exists (select 1 from {{ ref('int_finance_ledger_monthly') }})
