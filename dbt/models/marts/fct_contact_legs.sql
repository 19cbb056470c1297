{#- The contact-leg fact for analysts: int_contact_legs_enriched without the pseudonymised customer id (MARTS.md: no
    customer ids in the analyst warehouse). Incremental by contact, like its source. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_partitions',
    partition_columns=['contact_id'],
    rebuild_scope='changed_contacts',
) }}
-- depends_on: {{ ref('int_rebuilt_local_days') }}
-- depends_on: {{ ref('stg_calls') }}

select
    leg_id,
    contact_id,
    leg_number,
    direction,
    queue,
    campaign,
    agent_id,
    queued_at,
    dialed_at,
    answered_at,
    ended_at,
    started_at,
    local_started_at,
    local_date,
    interval_start,
    interval_start_at,
    end_reason,
    outcome,
    talk_seconds,
    hold_seconds,
    acw_seconds,
    wait_seconds,
    handle_seconds,
    is_offered,
    is_answered,
    is_abandoned,
    is_short_abandon,
    is_answered_within_threshold,
    is_late_abandon,
    is_in_service_level_denominator,
    is_handled,
    is_transferred,
    is_held,
    is_transfer_leg,
    _file_seq,
    {{ build_stamp() }} as _built_at
from {{ ref('int_contact_legs_enriched') }}
{%- if is_incremental() %}
where contact_id in (select contact_id from {{ rebuild_scope_relation() }})
{%- endif %}
