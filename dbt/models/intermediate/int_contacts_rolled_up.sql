{#- One row per inbound contact that reached a queue (a transferred call is one contact however many legs), with its
    first-contact-resolution flags. A contact belongs to the queue, interval and day of its first offered leg.
    Incremental by contact (macros/incremental.sql, `changed_rolled_up_contacts`): a run rebuilds the contacts whose
    legs the latest builds rewrote and every contact of their customers, since a contact's repeat flag depends on
    the customer's next contact. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_partitions',
    partition_columns=['contact_id'],
    rebuild_scope='changed_rolled_up_contacts',
) }}

with
{%- if is_incremental() %}
scope as (

    {{ changed_rolled_up_contacts() }}

),

offered_legs as (

    select legs.*
    from {{ ref('int_contact_legs_enriched') }} as legs
    inner join scope on scope.contact_id = legs.contact_id
    where legs.is_offered

),
{%- else %}
offered_legs as (

    select * from {{ ref('int_contact_legs_enriched') }}
    where is_offered

),
{%- endif %}

first_legs as (

    select
        contact_id,
        leg_id,
        queue,
        local_date,
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
        first_legs.leg_id as first_leg_id,
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
        -- the customer's next inbound contact, handled or not (none known without a customer id)
        case when customer_id is not null
            then lead(started_at) over (partition by customer_id order by started_at, contact_id)
        end as next_contact_started_at
    from contacts

)

select
    contact_id,
    first_leg_id,
    customer_id,
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
        as is_repeat_contact,
    {{ build_stamp() }} as _built_at
from followed
