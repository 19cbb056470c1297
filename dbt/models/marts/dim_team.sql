{#- Teams of the HR roster, with the site and size in the latest snapshot that lists the team. -#}
with team_snapshots as (

    select
        team,
        as_of,
        max(site) as site,
        sum(case when role = 'agent' then 1 else 0 end) as agents
    from {{ ref('stg_roster') }}
    group by team, as_of

),

ranked as (

    select
        *,
        min(as_of) over (partition by team) as first_as_of,
        row_number() over (partition by team order by as_of desc) as _snapshot_rank
    from team_snapshots

)

select
    team,
    site,
    agents as agents_in_latest_snapshot,
    first_as_of as first_seen_on,
    as_of as last_seen_on
from ranked
where _snapshot_rank = 1
