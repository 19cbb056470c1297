-- What the staffing plan knows of each queue: its patience (Erlang A; NULL: Erlang C) and the unplanned shrinkage it
-- grosses required agents up by (ops.staffing_plan_interval, rewritten by every run).
select queue, max(patience_seconds) as patience_seconds, max(unplanned_shrinkage) as unplanned_shrinkage
from ops.staffing_plan_interval
group by queue
order by queue
