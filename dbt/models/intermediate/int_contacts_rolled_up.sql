{#- One row per inbound contact that reached a queue (a transferred call is one contact however many legs), with its
    first-contact-resolution flags. A contact belongs to the queue, interval and day of its first offered leg. -#}
with offered_legs as (

    select * from {{ ref('int_contact_legs_enriched') }}
    where is_offered

),

first_legs as (

    select
        contact_id,
        queue,
        local_date,
        customer_id,
        started_at,
        row_number() over (partition by contact_id order by leg_number) as _leg_rank
    from offered_legs

),

contact_flags as (

    select
        contact_id,
        max(case when is_answered then 1 else 0 end) = 1 as is_answered,
        max(case when is_handled then 1 else 0 end) = 1 as is_handled,
        max(customer_id) as customer_id
    from offered_legs
    group by contact_id

),

contacts as (

    select
        first_legs.contact_id,
        first_legs.queue,
        first_legs.local_date,
        first_legs.started_at,
        contact_flags.customer_id,
        contact_flags.is_answered,
        contact_flags.is_handled
    from first_legs
    inner join contact_flags on contact_flags.contact_id = first_legs.contact_id
    where first_legs._leg_rank = 1

),

followed as (

    select
        *,
        -- the customer's next inbound contact, handled or not
        lead(started_at) over (partition by customer_id order by started_at, contact_id) as next_contact_started_at
    from contacts

)

select
    contact_id,
    queue,
    local_date,
    started_at,
    is_answered,
    is_handled,
    next_contact_started_at,
    -- FCR (METRICS.md): handled contacts with a customer id are eligible; a repeat is another inbound contact of the
    -- same customer within var('fcr_window_days') after this one started
    is_handled and customer_id is not null as is_fcr_eligible,
    is_handled and customer_id is not null
        and coalesce(next_contact_started_at <= {{ dbt.dateadd('day', var('fcr_window_days'), 'started_at') }}, false)
        as is_repeat_contact
from followed
