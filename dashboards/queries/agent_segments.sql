-- Agent time per team over the periods of kpi_agent_{grain} from $first to $last (inclusive): occupancy's and
-- adherence's numerators and denominators. Agent-days without a roster team form one 'no team' segment (MARTS.md: a
-- period's teams add up to the center). Placeholder: grain.
select
    coalesce(team, 'no team') as segment,
    sum(handle_seconds) as handle_seconds,
    sum(handle_seconds) + sum(ready_seconds) as handle_and_ready_seconds,
    sum(adherent_seconds) as adherent_seconds,
    sum(scheduled_seconds) as scheduled_seconds
from marts.kpi_agent_{grain}
where period_start between $first and $last
group by all
order by segment
