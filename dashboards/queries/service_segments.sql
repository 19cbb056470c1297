-- Service sums per queue over the periods of kpi_service_{grain} from $first to $last (inclusive): the numerators and
-- denominators the center's ratios are rebuilt from, and the why-it-moved decomposition splits. Placeholder: grain.
select
    queue as segment,
    sum(offered) as offered,
    sum(answered_within_threshold) as answered_within_threshold,
    sum(service_level_denominator) as service_level_denominator,
    sum(abandoned) - sum(short_abandoned) as abandoned_counted,
    sum(offered) - sum(short_abandoned) as abandonment_denominator,
    sum(answered_wait_seconds) as answered_wait_seconds,
    sum(answered) as answered,
    sum(handle_seconds) as handle_seconds,
    sum(handled_legs) as handled_legs
from marts.kpi_service_{grain}
where period_start between $first and $last
group by queue
order by queue
