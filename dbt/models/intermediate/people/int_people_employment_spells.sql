{#- One row per employment spell: an employee_id with a hire_date. A re-hire under the same employee_id has a new
    hire_date and so a second spell. Each spell's facts (team, role, termination) come from its latest roster
    snapshot; hire and termination dates are used as given, so a missing monthly snapshot changes nothing.
    A hire date corrected by HR is not a re-hire: a hire_date that was already listed while the employee was still
    listed under another, unterminated hire_date replaces that one (the version seen last is kept).
    A snapshot with a quarantined line (ops.quarantined_rows, not superseded) is incomplete: an employee missing from
    it may be that line, so absence from it infers no termination; the spell keeps its previous snapshot's facts until a
    complete snapshot lists or omits the employee (docs/fault-catalogue.md, "quarantined roster row"). -#}
{#- the spell's key and the facts taken from its latest snapshot -#}
{%- set spell_columns = ['employee_id', 'hire_date', 'agent_id', 'role', 'team', 'site', 'employment_type', 'fte'] %}
with roster as (

    select * from {{ ref('stg_roster') }}

),

snapshot_dates as (

    select distinct as_of from roster

),

incomplete_snapshot_dates as (

    select distinct as_of from roster where _file_seq in ({{ quarantined_file_seqs('roster') }})

),

ranked as (

    select
        roster.*,
        row_number() over (
            partition by employee_id, hire_date
            order by as_of desc, _file_seq desc, _source_line desc
        ) as snapshot_rank,
        min(as_of) over (partition by employee_id, hire_date) as first_seen_as_of,
        as_of as last_seen_as_of
    from roster

),

latest_versions as (

    select * from ranked where snapshot_rank = 1

),

-- Hire-date corrections: drop a version without a reported termination when a version seen later started on or
-- before this one's last snapshot (both listed as employed at the same time: one employment, not two).
corrected as (

    select latest_versions.*
    from latest_versions
    where not exists (
        select 1
        from latest_versions as later_version
        where later_version.employee_id = latest_versions.employee_id
          and later_version.last_seen_as_of > latest_versions.last_seen_as_of
          and later_version.hire_date <= latest_versions.last_seen_as_of
          and latest_versions.termination_date is null
    )

),

latest as (

    select
        {{ spell_columns | join(',\n        ') }},
        termination_date as reported_termination_date,
        termination_type,
        first_seen_as_of,
        last_seen_as_of,
        lead(hire_date) over (partition by employee_id order by hire_date) as next_hire_date
    from corrected

),

with_next_snapshot as (

    select
        latest.*,
        -- The first complete roster snapshot the spell is absent from: it ended by then.
        (
            select min(snapshot_dates.as_of)
            from snapshot_dates
            where snapshot_dates.as_of > latest.last_seen_as_of
              and snapshot_dates.as_of not in (select incomplete_snapshot_dates.as_of from incomplete_snapshot_dates)
        ) as first_missing_as_of
    from latest

),

spells as (

    select
        {{ spell_columns | join(',\n        ') }},
        case
            when reported_termination_date is not null and next_hire_date is not null
                then least(reported_termination_date, next_hire_date)
            when reported_termination_date is not null then reported_termination_date
            -- Not terminated in its latest snapshot, yet a later spell or a later snapshot exists without it.
            when next_hire_date is not null and first_missing_as_of is not null
                then least(next_hire_date, first_missing_as_of)
            else coalesce(next_hire_date, first_missing_as_of)
        end as termination_date,
        case when reported_termination_date is not null then termination_type end as termination_type,
        reported_termination_date is null
            and coalesce(next_hire_date, first_missing_as_of) is not null as is_termination_inferred,
        role in ({% for role in var('headcount_roles') %}'{{ role }}'{% if not loop.last %}, {% endif %}{% endfor %})
            as is_headcount_role,
        first_seen_as_of,
        last_seen_as_of
    from with_next_snapshot

)

select
    {{ spell_columns | join(',\n    ') }},
    termination_date,
    termination_type,
    is_termination_inferred,
    {{ dbt.datediff('hire_date', 'termination_date', 'day') }} as tenure_days_at_termination,
    termination_date is not null
        and {{ dbt.datediff('hire_date', 'termination_date', 'day') }} <= {{ var('early_tenure_days') }}
        as is_early_termination,
    is_headcount_role,
    first_seen_as_of,
    last_seen_as_of
from spells
