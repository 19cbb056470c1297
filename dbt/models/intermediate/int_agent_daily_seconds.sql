{#- Agent time per local day and agent, summed from the facts (METRICS.md "Agent time"): state seconds from
    int_agent_states_spanned, schedule seconds from fct_schedule_segments, adherence from fct_adherence_spans, handled
    legs from fct_contact_legs. The additive base of kpi_agent_daily, which adds the team, ratios and targets.
    Incremental by local day (macros/rebuild_scope.sql): rebuilds the days whose rows any of the four inputs rewrote;
    a year of state spans is ~100 M rows, one day's ~0.3 M. Schedule seconds count only before the data's last loaded
    moment (int_loaded_until): a schedule published ahead makes no agent-day yet. When that moment moves,
    fct_adherence_spans rebuilds (and logs) the scheduled days it passed over, so this model rebuilds them too. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_partitions',
    partition_columns=['local_date'],
    rebuild_scope='rebuilt_upstream_days',
    rebuilt_from=['int_agent_states_spanned', 'fct_schedule_segments', 'fct_adherence_spans', 'fct_contact_legs'],
) }}
-- depends_on: {{ ref('int_rebuilt_local_days') }}
-- depends_on: {{ ref('int_intervals') }}
-- depends_on: {{ ref('int_loaded_until') }}

with state_seconds as (

    select
        agent_id,
        local_date,
        sum(duration_seconds) as logged_in_seconds,
        sum(case when state = 'ready' then duration_seconds else 0 end) as ready_seconds,
        sum(case when state = 'talk' then duration_seconds else 0 end) as talk_seconds,
        sum(case when state = 'hold' then duration_seconds else 0 end) as hold_seconds,
        sum(case when state = 'acw' then duration_seconds else 0 end) as acw_seconds,
        sum(case when is_handling then duration_seconds else 0 end) as handle_seconds
    from {{ ref('int_agent_states_spanned') }}
    {%- if is_incremental() %}
    where local_date in (select local_date from {{ rebuild_scope_relation() }})
    {%- endif %}
    group by agent_id, local_date

),

schedule_seconds as (

    select
        agent_id,
        local_date,
        sum(case when is_scheduled then duration_seconds else 0 end) as scheduled_seconds,
        sum(duration_seconds) as paid_scheduled_seconds,
        sum(case when is_planned_shrinkage then duration_seconds else 0 end) as planned_shrinkage_seconds
    from ({{ schedule_segments_until_loaded(ref('fct_schedule_segments')) }}) as segments
    {%- if is_incremental() %}
    where local_date in (select local_date from {{ rebuild_scope_relation() }})
    {%- endif %}
    group by agent_id, local_date

),

adherence_seconds as (

    select
        agent_id,
        local_date,
        sum(case when is_adherent then duration_seconds else 0 end) as adherent_seconds,
        sum(case when is_productive_state then duration_seconds else 0 end) as productive_seconds
    from {{ ref('fct_adherence_spans') }}
    {%- if is_incremental() %}
    where local_date in (select local_date from {{ rebuild_scope_relation() }})
    {%- endif %}
    group by agent_id, local_date

),

handled as (

    select
        agent_id,
        local_date,
        count(*) as handled_legs,
        sum(handle_seconds) as leg_handle_seconds
    from {{ ref('fct_contact_legs') }}
    where is_handled
    {%- if is_incremental() %}
        and local_date in (select local_date from {{ rebuild_scope_relation() }})
    {%- endif %}
    group by agent_id, local_date

),

agent_days as (

    select agent_id, local_date from state_seconds
    union
    select agent_id, local_date from schedule_seconds
    union
    select agent_id, local_date from handled

),

summed as (

    select
        agent_days.agent_id,
        agent_days.local_date,
        {{ zero_if_missing('state_seconds', ['logged_in_seconds', 'ready_seconds', 'talk_seconds', 'hold_seconds', 'acw_seconds', 'handle_seconds']) }},
        coalesce(schedule_seconds.scheduled_seconds, 0) as scheduled_seconds,
        coalesce(adherence_seconds.adherent_seconds, 0) as adherent_seconds,
        coalesce(schedule_seconds.paid_scheduled_seconds, 0) as paid_scheduled_seconds,
        coalesce(adherence_seconds.productive_seconds, 0) as productive_seconds,
        coalesce(schedule_seconds.planned_shrinkage_seconds, 0) as planned_shrinkage_seconds,
        -- "the rest" of shrinkage (METRICS.md), so planned + unplanned = paid scheduled - productive; negative when
        -- the agent was productive during planned time (e.g. worked through a break)
        coalesce(schedule_seconds.paid_scheduled_seconds, 0) - coalesce(adherence_seconds.productive_seconds, 0)
            - coalesce(schedule_seconds.planned_shrinkage_seconds, 0) as unplanned_shrinkage_seconds,
        {{ zero_if_missing('handled', ['handled_legs', 'leg_handle_seconds']) }}
    from agent_days
    {{ left_join_on_keys('agent_days', ['state_seconds', 'schedule_seconds', 'adherence_seconds', 'handled'],
        ['agent_id', 'local_date']) }}

)

select
    *,
    {{ build_stamp() }} as _built_at
from summed
