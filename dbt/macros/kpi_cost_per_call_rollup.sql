{#- kpi_cost_per_call_<grain> (monthly and up): one row per period, rolled up from int_cost_per_call_monthly
    (METRICS.md "Money"). var('cost_per_call_scope') picks the numerator of `cost_per_call` and
    `cost_per_handled_minute`: `fully_loaded` (actual cost of all categories) or `staff_only`.
    The ratios count only the months whose actuals are booked (booked_answered_contacts, booked_handle_seconds):
    a month whose costs are not in yet would otherwise show a cost per call of 0. -#}
{% macro kpi_cost_per_call_rollup(grain) -%}
{%- set scope = var('cost_per_call_scope') -%}
{%- if scope not in ['fully_loaded', 'staff_only'] -%}
    {{ exceptions.raise_compiler_error("var cost_per_call_scope must be 'fully_loaded' or 'staff_only', got '" ~ scope ~ "'") }}
{%- endif -%}
{%- set cost_numerator = 'actual_cost' if scope == 'fully_loaded' else 'staff_cost' -%}
with rolled as (

    {{ rollup_by_period(ref('int_cost_per_call_monthly'), grain, 'period_month', [],
        sums={'actual_cost': 'actual_cost', 'staff_cost': 'staff_cost', 'budget_cost': 'budget_cost',
              'answered_contacts': 'answered_contacts', 'handled_legs': 'handled_legs',
              'handle_seconds': 'handle_seconds', 'months': '1',
              'actualised_months': 'case when is_actualised then 1 else 0 end',
              'booked_answered_contacts': 'case when is_actualised then answered_contacts else 0 end',
              'booked_handle_seconds': 'case when is_actualised then handle_seconds else 0 end'},
        lasts=['currency']) }}

)

select
    {{ period_columns(grain) }}
    months,
    actualised_months,
    currency,
    actual_cost,
    staff_cost,
    budget_cost,
    answered_contacts,
    handled_legs,
    handle_seconds,
    booked_answered_contacts,
    booked_handle_seconds,
    '{{ scope }}' as cost_per_call_scope,
    {{ safe_divide(cost_numerator, 'booked_answered_contacts') }} as cost_per_call,
    {{ safe_divide('actual_cost', 'booked_answered_contacts') }} as fully_loaded_cost_per_call,
    {{ safe_divide('staff_cost', 'booked_answered_contacts') }} as staff_cost_per_call,
    {{ safe_divide(cost_numerator, 'booked_handle_seconds / 60.0') }} as cost_per_handled_minute
from rolled
{%- endmacro %}
