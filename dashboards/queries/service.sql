-- Service KPIs per period and {series} (a queue column, or a constant for all queues), ratios rebuilt from their sums
-- (METRICS.md: never the mean of ratios). Placeholders: grain, period (period column), series; parameters $start, $end (inclusive).
select
    {period} as period_start,
    {series} as series,
    sum(offered) as offered,
    sum(answered) as answered,
    sum(answered_within_threshold) as answered_within_threshold,
    sum(service_level_denominator) as service_level_denominator,
    sum(abandoned) - sum(short_abandoned) as abandoned_counted,
    sum(offered) - sum(short_abandoned) as abandonment_denominator,
    sum(answered_within_threshold) / nullif(sum(service_level_denominator), 0) as service_level,
    sum(answered_wait_seconds) / nullif(sum(answered), 0) as asa_seconds,
    (sum(abandoned) - sum(short_abandoned)) / nullif(sum(offered) - sum(short_abandoned), 0) as abandonment_rate,
    sum(handle_seconds) / nullif(sum(handled_legs), 0) as aht_seconds,
    sum(hold_seconds) / nullif(sum(held_legs), 0) as avg_hold_seconds
from marts.kpi_service_{grain}
where {period} between $start and $end
group by all
order by period_start, series
