-- Per source of today's numbers (calls, agent_states): its latest local day, its latest cutoff (naive UTC) and
-- whether that day is closed (ops.source_day_completeness, written by ingest: one row per source and local day).
-- "Today" is the latest of those days; its cutoff the earliest of the sources' cutoffs.
select
    source,
    max(local_date) as latest_date,
    max(timezone('UTC', cutoff_at)) as cutoff_at,
    bool_or(is_closed) filter (where local_date = latest_local_date) as is_latest_day_closed
from (
    select *, max(local_date) over (partition by source) as latest_local_date
    from ops.source_day_completeness
    where source in ('calls', 'agent_states')
) as completeness
group by source
order by source
