-- Integrity: the service mart counts every offered leg exactly once, so queue figures add up to the center's.
with mart as (

    select sum(offered) as offered, sum(handled_legs) as handled from {{ ref('kpi_service_daily') }}

),

legs as (

    select
        sum(case when is_offered then 1 else 0 end) as offered,
        sum(case when is_offered and is_handled then 1 else 0 end) as handled
    from {{ ref('fct_contact_legs') }}

)

select mart.offered as mart_offered, legs.offered as leg_offered
from mart
cross join legs
where coalesce(mart.offered, 0) <> coalesce(legs.offered, 0) or coalesce(mart.handled, 0) <> coalesce(legs.handled, 0)
