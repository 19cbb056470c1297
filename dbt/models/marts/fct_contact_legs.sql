{#- The contact-leg fact for analysts: int_contact_legs_enriched without the pseudonymised customer id (MARTS.md: no
    customer ids in the analyst warehouse). Incremental by contact, like its source. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_partitions',
    partition_columns=['contact_id'],
    rebuild_scope='contacts_rewritten_in_enriched_legs',
) }}
-- depends_on: {{ ref('int_rebuilt_local_days') }}

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
    has_hold_and_wrap_data,
    is_transfer_leg,
    _file_seq,
    {{ build_stamp() }} as _built_at
from {{ ref('int_contact_legs_enriched') }} as legs
{%- if is_incremental() %}
-- the rows of every contact in scope (rebuild_scopes.fct_contact_legs); they sit in the newest row groups
where legs._built_at > {{ built_at_watermark() }}
{%- endif %}
