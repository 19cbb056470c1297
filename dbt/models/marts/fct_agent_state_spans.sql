{#- Agent state spans per interval for analysts (int_agent_states_spanned). The agent's team is not copied here: it
    changes with roster snapshots, so a copied team would go stale in rows already built; join dim_agent on agent_id
    and local_date in [valid_from, valid_to) for the team on the day. Incremental by agent-day, like its source. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_partitions',
    partition_columns=['agent_id', 'local_date'],
    rebuild_scope='changed_agent_state_days',
) }}
-- depends_on: {{ ref('int_rebuilt_local_days') }}
-- depends_on: {{ ref('int_intervals') }}
-- depends_on: {{ ref('stg_agent_states') }}
-- depends_on: {{ ref('int_source_day_cutoffs') }}

select
    spans.agent_id,
    spans.started_at,
    spans.ended_at,
    spans.duration_seconds,
    spans.state,
    spans.reason,
    spans.state_started_at,
    spans.state_ended_at,
    spans.interval_start_at,
    spans.interval_start,
    spans.local_date,
    spans.is_productive,
    spans.is_handling,
    spans.is_provisional,
    spans._file_seq,
    {{ build_stamp() }} as _built_at
from {{ ref('int_agent_states_spanned') }} as spans
{%- if is_incremental() %}
inner join {{ rebuild_scope_relation() }} as scope
    on scope.agent_id = spans.agent_id
    and scope.local_date = spans.local_date
{%- endif %}
