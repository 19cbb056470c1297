{#- One row per inbound contact that reached a queue (a transferred call is one contact however many legs), with its
    first-contact-resolution flags. A contact belongs to the queue, interval and day of its first offered leg.
    Incremental by contact (macros/incremental_contacts.sql): a run rebuilds the contacts whose legs the latest builds
    rewrote, and recomputes the next contact of their customers' contacts that start within the FCR window before
    one of those changes. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_partitions',
    partition_columns=['contact_id', 'started_at'],
    rebuild_scope='changed_rolled_up_contacts',
) }}
{#- a contact's columns, as `contacts` builds them and the rebuilt neighbours are read back -#}
{%- set contact_columns = ['contact_id', 'first_leg_id', 'customer_id', 'queue', 'local_date', 'started_at',
                           'is_answered', 'is_handled'] %}

with offered_legs as (

    select * from {{ ref('int_contact_legs_enriched') }}
    where is_offered
    {%- if is_incremental() %}
        -- the touched contacts: every leg of one was rewritten with it
        and _built_at > {{ built_at_watermark() }}
    {%- endif %}

),

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
        contact_flags.customer_id,
        first_legs.queue,
        first_legs.local_date,
        first_legs.started_at,
        contact_flags.is_answered,
        contact_flags.is_handled
    from first_legs
    inner join contact_flags on contact_flags.contact_id = first_legs.contact_id
    where first_legs._leg_rank = 1

),
{%- if is_incremental() %}

touched as (

    select contact_id, customer_id, started_at
    from {{ rebuild_scope_relation() }}
    where is_touched

),

contacts_in_reach as (

    -- the rebuilt contacts, and their customers' built contacts around the changes (macros/incremental_contacts.sql)
    select *, true as is_written from contacts
    union all
    select
        {{ contact_columns | join(',\n        ') }},
        is_written
    from ({{ rolled_up_neighbours('touched') }}) as neighbours

),
{%- endif %}

followed as (

    select
        *,
        -- the customer's next inbound contact, handled or not (none known without a customer id)
        case when customer_id is not null
            then lead(started_at) over (partition by customer_id order by started_at, contact_id)
        end as following_started_at
    from {% if is_incremental() %}contacts_in_reach{% else %}contacts{% endif %}

),

windowed as (

    select
        *,
        -- only a next contact within the FCR window counts: one later than that cannot make this a repeat, and
        -- keeping it would tie this row to contacts an incremental run does not look at
        case when following_started_at <= {{ dbt.dateadd('day', var('fcr_window_days'), 'started_at') }}
            then following_started_at
        end as next_contact_started_at
    from followed

)

select
    {{ contact_columns | join(',\n    ') }},
    next_contact_started_at,
    -- FCR (METRICS.md): handled contacts with a customer id are eligible; a repeat is another inbound contact of the
    -- same customer within var('fcr_window_days') after this one started
    is_handled and customer_id is not null as is_fcr_eligible,
    is_handled and customer_id is not null and next_contact_started_at is not null as is_repeat_contact,
    {{ build_stamp() }} as _built_at
from windowed
{%- if is_incremental() %}
where is_written
{%- else %}
-- rows in start order: the incremental runs look contacts up by time ranges, which lets DuckDB skip row groups
order by started_at
{%- endif %}
