{#- Incremental build of int_contacts_rolled_up (FCR), by contact; the general scheme is in macros/incremental.sql and
    macros/rebuild_scope.sql. A contact's next_contact_started_at is its customer's next contact only if that starts
    within var('fcr_window_days'), so a contact starting at t changes only when a contact of the same customer
    appears, disappears or moves at a moment c with t <= c <= t + window. A run rebuilds:
    * the touched contacts: those with legs int_contact_legs_enriched wrote since this model's newest `_built_at`
      (it rebuilds whole contacts, and the contact a leg moved away from, so those legs are all a touched contact
      has), and those whose first offered leg it rewrote (a contact whose legs all moved away is found only so; it
      is deleted);
    * the other contacts of their customers, before and after the change, that start in [c - window, c] for an old
      or new start c of a touched contact: kept as built, with their next contact recomputed from the customer's
      contacts up to c + window.
    Rows are in started_at order (the full build sorts them, a run appends its rows), so these time ranges let
    DuckDB skip most row groups; the partitions are (contact_id, started_at) so that the delete can skip them too. -#}

{#- rebuild_scope of int_contacts_rolled_up, run once per build into rebuild_scopes.int_contacts_rolled_up: the rows
    to delete as (contact_id, started_at), with customer_id and `is_touched`. The touched contacts come twice, as
    built (from `this`; absent when new) and as rebuilt (from the rewritten legs; absent when gone), and give the
    model its customers' change windows. -#}
{% macro changed_rolled_up_contacts() -%}
    with rewritten_legs as (
        select leg_id, contact_id, customer_id, started_at, is_offered
        from {{ ref('int_contact_legs_enriched') }}
        where _built_at > {{ built_at_watermark() }}
    ),
    built_first_legs as (
        -- the one look-up over the whole table, on two columns; the others are read where started_at matches
        select first_leg_id, started_at
        from {{ this }}
        where first_leg_id in (select leg_id from rewritten_legs)
    ),
    touched as (
        select contact_id, max(customer_id) as customer_id, min(started_at) as started_at
        from rewritten_legs
        where is_offered
        group by contact_id
        union all
        select built.contact_id, built.customer_id, built.started_at
        from {{ this }} as built
        inner join built_first_legs
            on built_first_legs.first_leg_id = built.first_leg_id
            and built_first_legs.started_at = built.started_at
    )
    select contact_id, started_at, customer_id, true as is_touched
    from touched
    union all
    select contact_id, started_at, customer_id, false as is_touched
    from ({{ rolled_up_neighbours('touched') }}) as neighbours
    where is_written
{%- endmacro %}

{#- The built contacts of the touched customers (in `touched`: contact_id, customer_id, started_at) that are not
    touched themselves and whose next contact can change (`is_written`: they start at most a window before a
    change) or that can be that next contact (up to a window after the last change). -#}
{% macro rolled_up_neighbours(touched) -%}
    {%- set window_days = var('fcr_window_days') -%}
    select
        built.*,
        built.started_at <= changes.changed_to as is_written
    from {{ this }} as built
    inner join (
        select customer_id, min(started_at) as changed_from, max(started_at) as changed_to
        from {{ touched }}
        where customer_id is not null
        group by customer_id
    ) as changes
        on changes.customer_id = built.customer_id
    where built.started_at >= {{ dbt.dateadd('day', -window_days, 'changes.changed_from') }}
        and built.started_at <= {{ dbt.dateadd('day', window_days, 'changes.changed_to') }}
        -- the same range over all customers, which the scan can use to skip row groups
        and built.started_at >= (
            select {{ dbt.dateadd('day', -window_days, 'min(started_at)') }} from {{ touched }}
            where customer_id is not null
        )
        and built.started_at <= (
            select {{ dbt.dateadd('day', window_days, 'max(started_at)') }} from {{ touched }}
            where customer_id is not null
        )
        and not exists (
            select 1 from {{ touched }} as touched_contact where touched_contact.contact_id = built.contact_id
        )
{%- endmacro %}
