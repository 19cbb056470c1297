{#- Partial days (issue 21, METRICS.md "Intraday"): a local day whose time-sliced exports have not all arrived is
    open (int_source_day_cutoffs.is_closed false). These macros give the models one reading of it. -#}

{#- The open local days of the given sources, one row each: `local_date`, `cutoff_at` (the earliest of the sources'
    cutoffs that day: data of every source named is complete up to it), `day_start_at`, `day_end_at` (naive UTC). -#}
{% macro open_days(sources) -%}
    select
        local_date,
        min(cutoff_at) as cutoff_at,
        min(day_start_at) as day_start_at,
        max(day_end_at) as day_end_at
    from {{ ref('int_source_day_cutoffs') }}
    where not is_closed
        and source in ({% for source in sources %}'{{ source }}'{{ ', ' if not loop.last }}{% endfor %})
    group by local_date
{%- endmacro %}

{#- Agent-days to rebuild in a model incremental by agent-day that carries `is_provisional`: the agent-days it holds
    as provisional (their day was open when built: it may have closed or its cutoff moved since), and every agent with
    an event on a day open now (an open state lasts until the cutoff, which moved with the latest slice even when
    the agent had no new event). -#}
{% macro provisional_agent_days() -%}
    select agent_id, local_date from {{ this }} where is_provisional
    union
    select distinct events.agent_id, open_days.local_date
    from {{ ref('stg_agent_states') }} as events
    inner join ({{ open_days(['agent_states']) }}) as open_days
        on events.event_at >= open_days.day_start_at
        and events.event_at < open_days.day_end_at
    -- the same bounds as single values: DuckDB skips the row groups of other days (none at all when no day is open)
    where events.event_at >= (
        select min(cutoffs.day_start_at) from {{ ref('int_source_day_cutoffs') }} as cutoffs
        where cutoffs.source = 'agent_states' and not cutoffs.is_closed
    )
{%- endmacro %}
