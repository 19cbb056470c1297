{#- Incremental builds of the big facts (issue 9). A run rebuilds only what new export files touched:

    * Every incremental model carries `_file_seq`, the load sequence (ops.loaded_files.file_seq) of the newest export
      file its row was built from. `max(_file_seq)` of the model's own table is its watermark: staging rows with a
      higher `_file_seq` arrived since the model was last built. Files get increasing numbers as they are loaded, so
      everything at or below the watermark was built before, and nothing is missed after a failed run.
    * The changed rows name what to rebuild ("partitions"): contacts for contact legs, agent-days (agent_id,
      local_date) for agent state spans and adherence. The var `rebuild_local_dates` (a list of 'YYYY-MM-DD') adds
      whole local days, for a re-run or backfill of chosen days.
    * Agent-day models use the `replace_partitions` strategy below: delete every row of the partitions in scope, then
      insert the rebuilt rows. Deleting by scope rather than by the rebuilt rows' keys matters when a partition ends
      up with no rows at all (a corrected file turned a state into logged_out).
    * A full refresh (`dbt build --full-refresh`, and what the pipeline runs when metric settings or dbt code change)
      builds everything; `tests/e2e/test_incremental_equals_full.py` proves both paths give the same marts. -#}

{#- `_built_at` of every row an incremental model writes: when the dbt invocation that wrote it started (UTC). Rows
    a run did not rebuild keep their stamp, so "rows with the newest stamp" = what the latest build wrote. Data tests
    of incremental models check those rows (macros/where_subquery.sql); publish rewrites the months whose rows are
    newer than the published ones (dagster_project/publish.py). -#}
{% macro build_stamp() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}

{#- The model's own watermark; 0 on an empty table. -#}
{% macro file_seq_watermark() -%}
    (select coalesce(max(_file_seq), 0) from {{ this }})
{%- endmacro %}

{#- var('rebuild_local_dates') as a SQL list of date literals, for `local_date in (...)`. -#}
{% macro rebuild_local_dates_list() -%}
    {%- set dates = var('rebuild_local_dates', []) -%}
    {%- if dates is string -%}{%- set dates = dates.split(',') if dates else [] -%}{%- endif -%}
    {%- if dates | length == 0 -%}
        cast(null as date)
    {%- else -%}
        {%- for day in dates -%}
            {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', day | string | trim) -%}
                {{ exceptions.raise_compiler_error("var rebuild_local_dates must list dates as 'YYYY-MM-DD', not '" ~ day ~ "'") }}
            {%- endif -%}
            cast('{{ day | string | trim }}' as date){{ ', ' if not loop.last }}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{#- Contacts whose legs must be rebuilt since `this` was built: contacts with a new or corrected leg, the contact a
    corrected leg moved away from (its leg numbers change too), and the contacts of var('rebuild_local_dates'). -#}
{% macro changed_contacts() -%}
    select contact_id from {{ ref('stg_calls') }}
    where _file_seq > {{ file_seq_watermark() }}
    union
    select built.contact_id
    from {{ this }} as built
    inner join {{ ref('stg_calls') }} as changed
        on changed.leg_id = built.leg_id
    where changed._file_seq > {{ file_seq_watermark() }}
    union
    select contact_id from {{ this }}
    where local_date in ({{ rebuild_local_dates_list() }})
{%- endmacro %}

{#- Contacts of fct_contact_legs to rebuild: those int_contact_legs_enriched rewrote since `this` was built (it rebuilds
    whole contacts, with the scope of `changed_contacts`), and the contact a rewritten leg moved away from. Their rows
    are the enriched rows with a newer `_built_at`, which sit in the newest row groups. -#}
{% macro contacts_rewritten_in_enriched_legs() -%}
    with rewritten as (
        select leg_id, contact_id
        from {{ ref('int_contact_legs_enriched') }}
        where _built_at > {{ built_at_watermark() }}
    )
    select contact_id from rewritten
    union
    select built.contact_id
    from {{ this }} as built
    inner join rewritten
        on rewritten.leg_id = built.leg_id
{%- endmacro %}

{#- The newest `_built_at` of the model's own table; 1900 on an empty table. -#}
{% macro built_at_watermark() -%}
    (select coalesce(max(_built_at), cast('1900-01-01' as timestamp)) from {{ this }})
{%- endmacro %}

{#- Local days with their UTC bounds [day_start_at, day_end_at), DST included, from the interval spine. -#}
{% macro local_days_utc() -%}
    select local_date, min(interval_start_at) as day_start_at, max(interval_end_at) as day_end_at
    from {{ ref('int_intervals') }}
    group by local_date
{%- endmacro %}

{#- Agent-days whose state timeline changed since `this` was built: for each agent with new or corrected events,
    the timeline from the event before the first change to the event after the last change (a state lasts until the
    next event), as the local days it overlaps; plus every agent on var('rebuild_local_dates'). -#}
{% macro changed_agent_state_days() -%}
    with changed as (
        select agent_id, min(event_at) as changed_from, max(event_at) as changed_to
        from {{ ref('stg_agent_states') }}
        where _file_seq > {{ file_seq_watermark() }}
        group by agent_id
    ),
    -- events from 14 days before the earliest change on: events arrive in day files, so DuckDB skips the row groups
    -- of older days instead of aggregating a year of events per agent
    near_events as (
        select agent_id, event_at
        from {{ ref('stg_agent_states') }}
        where event_at >= (select {{ dbt.dateadd('day', -14, 'min(changed_from)') }} from changed)
    ),
    near_bounds as (
        select
            changed.agent_id,
            changed.changed_from,
            changed.changed_to,
            max(case when near_events.event_at < changed.changed_from then near_events.event_at end) as event_before,
            min(case when near_events.event_at > changed.changed_to then near_events.event_at end) as event_after
        from changed
        left join near_events
            on near_events.agent_id = changed.agent_id
        group by changed.agent_id, changed.changed_from, changed.changed_to
    ),
    -- an agent without any event in those 14 days (new, or back from a long absence) is looked up over all events;
    -- with no such agent the join has nothing to probe for and DuckDB does not scan
    far_before as (
        select events.agent_id, max(events.event_at) as event_before
        from {{ ref('stg_agent_states') }} as events
        inner join near_bounds
            on near_bounds.agent_id = events.agent_id
            and near_bounds.event_before is null
            and events.event_at < near_bounds.changed_from
        group by events.agent_id
    ),
    timelines as (
        select
            near_bounds.agent_id,
            coalesce(near_bounds.event_before, far_before.event_before, near_bounds.changed_from) as timeline_from,
            coalesce(near_bounds.event_after, near_bounds.changed_to) as timeline_to
        from near_bounds
        left join far_before
            on far_before.agent_id = near_bounds.agent_id
    )
    select distinct timelines.agent_id, days.local_date
    from timelines
    inner join ({{ local_days_utc() }}) as days
        on days.day_start_at < timelines.timeline_to
        and days.day_end_at > timelines.timeline_from
    union
    select distinct events.agent_id, requested.local_date
    from {{ ref('stg_agent_states') }} as events
    cross join ({{ local_days_utc() }}) as requested
    where requested.local_date in ({{ rebuild_local_dates_list() }})
    union
    {{ provisional_agent_days() }}
{%- endmacro %}

{#- (agent_id, schedule_date) of fct_schedule_segments to rebuild: those with a new or corrected schedule row (a
    republished day is replaced whole by its latest publication), and every agent's schedule on
    var('rebuild_local_dates'). -#}
{% macro changed_schedule_days() -%}
    select distinct agent_id, schedule_date
    from {{ ref('stg_schedules') }}
    where _file_seq > {{ file_seq_watermark() }}
        or schedule_date in ({{ rebuild_local_dates_list() }})
{%- endmacro %}

{#- Agent-days of fct_adherence_spans to rebuild: those whose state timeline changed, the days around a schedule_date
    with a new or corrected publication (a night shift reaches the next local day; a republished one may no longer),
    the scheduled agent-days the data's last loaded moment moved over (macros/loaded_until.sql), and every scheduled
    agent on var('rebuild_local_dates'). -#}
{% macro changed_adherence_days() -%}
    {{ changed_agent_state_days() }}
    union
    select distinct changed.agent_id, days.local_date
    from {{ ref('fct_schedule_segments') }} as changed
    inner join ({{ local_days_utc() }}) as days
        on days.local_date >= cast({{ dbt.dateadd('day', -1, 'changed.schedule_date') }} as date)
        and days.local_date <= cast({{ dbt.dateadd('day', 1, 'changed.schedule_date') }} as date)
    where changed._file_seq > {{ file_seq_watermark() }}
    union
    {{ loaded_until_moved_days() }}
    union
    select distinct agent_id, local_date
    from {{ ref('fct_schedule_segments') }}
    where local_date in ({{ rebuild_local_dates_list() }})
{%- endmacro %}

{#- Incremental strategy `replace_partitions`: delete the rows of every partition in scope, insert the rebuilt rows.
    Config: `partition_columns` (e.g. ['agent_id', 'local_date']) and `rebuild_scope` (the name of a macro returning
    the partitions in scope as a select of those columns). The pre-hook `prepare_rebuild_scope` (macros/
    rebuild_scope.sql) has run that macro into `rebuild_scopes.<model>` before anything was deleted, as the model's
    select saw it. A model with a `local_date` column logs the days it deletes from and inserts into in
    `int_rebuilt_local_days` (it must `-- depends_on:` that model). -#}
{% macro get_incremental_replace_partitions_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set partition_columns = config.require('partition_columns') -%}
    {%- set scope = rebuild_scope_relation() -%}
    {%- set column_names = arg_dict['dest_columns'] | map(attribute='name') | map('lower') | list -%}
    {%- set columns_csv = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {%- set in_scope -%}
        exists (
            select 1
            from {{ scope }} as scope
            where {% for column in partition_columns -%}
                scope.{{ column }} = {{ target }}.{{ column }}{{ ' and ' if not loop.last }}
            {%- endfor %}
        )
    {%- endset -%}
    {%- if 'local_date' in column_names and logs_rebuilt_days() %}
    insert into {{ rebuilt_local_days_relation() }} (model_name, local_date, _built_at)
    select '{{ this.identifier }}', local_date, {{ build_stamp() }}
    from (
        {#- partitions by day name their days already: no second pass over the target besides the delete's -#}
        {%- if 'local_date' in partition_columns %}
        select local_date from {{ scope }}
        {%- else %}
        select local_date from {{ target }} where {{ in_scope }}
        {%- endif %}
        union
        select local_date from {{ source }}
    ) as rewritten_days;
    {%- endif %}
    delete from {{ target }}
    where {{ in_scope }};
    insert into {{ target }} ({{ columns_csv }})
    select {{ columns_csv }} from {{ source }}
{%- endmacro %}
