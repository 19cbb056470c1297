{#- The team of each ACD agent over time, from the roster snapshots: one row per agent_id and snapshot with the
    team valid from that snapshot (from the beginning of time for the agent's first snapshot) until the agent's
    next snapshot (exclusive; open-ended for the latest). Used to put per-agent KPIs (quality, outbound) on the team
    the agent was in on the day. -#}
with agent_snapshots as (

    select
        agent_id,
        as_of,
        team,
        -- an agent_id listed twice in one snapshot (data error): keep the row of the latest file, then line
        row_number() over (
            partition by agent_id, as_of order by _file_seq desc, _source_line desc
        ) as duplicate_rank
    from {{ ref('stg_roster') }}
    where agent_id is not null

)

select
    agent_id,
    as_of,
    team,
    case
        when lag(as_of) over (partition by agent_id order by as_of) is null then cast('1900-01-01' as date)
        else as_of
    end as valid_from,
    lead(as_of) over (partition by agent_id order by as_of) as valid_to
from agent_snapshots
where duplicate_rank = 1
