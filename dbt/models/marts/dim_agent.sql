{#- Agents with history (SCD type 2) from the HR roster snapshots: a new version starts at the first snapshot in which
    any tracked attribute (team, site, role, supervisor, employment type, FTE, dates) differs from the previous
    snapshot. The first version is taken to hold from the hire date (or the first snapshot, if earlier), so activity
    before the first snapshot still finds a team. -#}
{%- set tracked_columns = ['employee_id', 'role', 'team', 'site', 'supervisor_employee_id', 'employment_type', 'fte',
                           'hire_date', 'termination_date', 'termination_type'] %}
with roster_agents as (

    select
        *,
        -- a login listed twice in one snapshot (reused for a new hire while the leaver is still listed): the
        -- employee active on that day, else the latest hire
        row_number() over (
            partition by agent_id, as_of
            order by case when termination_date is null or termination_date > as_of then 0 else 1 end asc,
                hire_date desc, employee_id asc
        ) as _login_rank
    from {{ ref('stg_roster') }}
    where agent_id is not null and agent_id <> ''

),

snapshots as (

    select
        agent_id,
        as_of,
        {{ tracked_columns | join(',\n        ') }}
    from roster_agents
    where _login_rank = 1

),

compared as (

    select
        *,
        case
            when lag(as_of) over (partition by agent_id order by as_of) is null then 1
            {%- for column in tracked_columns %}
            {#- in parentheses: sqlfluff's DuckDB grammar reads `when x is distinct from y` only so #}
            when ({{ column }} is distinct from lag({{ column }}) over (partition by agent_id order by as_of)) then 1
            {%- endfor %}
            else 0
        end as is_new_version
    from snapshots

),

versions as (

    select
        *,
        row_number() over (partition by agent_id order by as_of) as version_number,
        lead(as_of) over (partition by agent_id order by as_of) as next_version_as_of
    from compared
    where is_new_version = 1

)

select
    agent_id,
    version_number,
    case
        when version_number = 1 and hire_date < as_of then hire_date
        else as_of
    end as valid_from,
    next_version_as_of as valid_to,
    next_version_as_of is null as is_current,
    as_of as first_snapshot_as_of,
    {{ tracked_columns | join(',\n    ') }}
from versions
