{#- Required agents per queue and interval (METRICS.md "Staffing"): the smallest N for which Erlang C, with the
    interval's offered contacts and AHT, answers at least var('service_level_target') of contacts within
    var('service_level_seconds') and keeps occupancy A/N <= var('max_occupancy').

    Traffic A = offered x AHT / interval seconds (Erlangs). AHT is the interval's handle seconds / handled legs (the
    queue's day when the interval has no handled leg). For N > A:
        P(wait) = C(N, A) = X_N / (sum_{k<N} p_k + X_N),  p_k = A^k e^-A / k!,  X_N = p_N x N / (N - A)
        service level = 1 - P(wait) x exp(-(N - A) x threshold / AHT)
    The terms are Poisson probabilities (scaled by e^-A) computed through logarithms, so large A cannot overflow.
    Incremental by local day (macros/rebuild_scope.sql): rebuilds the days whose demand a build rewrote. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_partitions',
    partition_columns=['local_date'],
    rebuild_scope='rebuilt_upstream_days',
    rebuilt_from=['int_queue_interval_demand'],
) }}
-- depends_on: {{ ref('int_rebuilt_local_days') }}
-- depends_on: {{ ref('int_intervals') }}
with demand_with_aht as (

    select
        *,
        -- an interval whose offered contacts were all abandoned takes the AHT of its queue and day
        coalesce(
            {{ safe_divide('handle_seconds', 'handled_legs') }},
            {{ safe_divide('sum(handle_seconds) over (partition by queue, local_date)',
                           'sum(handled_legs) over (partition by queue, local_date)') }}
        ) as aht_seconds
    from {{ ref('int_queue_interval_demand') }}
    {%- if is_incremental() %}
    where local_date in (select local_date from {{ rebuild_scope_relation() }})
    {%- endif %}

),

demand as (

    select
        *,
        offered * aht_seconds / interval_seconds as traffic_erlangs
    from demand_with_aht

),

searchable as (

    -- N never needs to exceed A / max occupancy by more than a few standard deviations of the traffic
    select
        queue,
        interval_start_at,
        aht_seconds,
        traffic_erlangs,
        cast(ceil(traffic_erlangs / {{ var('max_occupancy') }} + 10 * sqrt(traffic_erlangs) + 20) as integer)
            as searched_agents
    from demand
    where traffic_erlangs > 0

),

candidates as (

    {{ number_series('searchable', 'searched_agents') }}

),

log_factorials as (

    select
        *,
        sum(ln(case when n > 1 then n else 1 end)) over (
            partition by queue, interval_start_at order by n rows between unbounded preceding and current row
        ) as ln_n_factorial
    from candidates

),

poisson_terms as (

    select
        *,
        exp(n * ln(traffic_erlangs) - traffic_erlangs - ln_n_factorial) as poisson_term
    from log_factorials

),

cumulated as (

    select
        *,
        coalesce(sum(poisson_term) over (
            partition by queue, interval_start_at order by n rows between unbounded preceding and 1 preceding
        ), 0) as poisson_terms_below
    from poisson_terms

),

erlang_c as (

    select
        queue,
        interval_start_at,
        n as agents,
        traffic_erlangs / n as occupancy,
        (poisson_term * n / (n - traffic_erlangs))
            / (poisson_terms_below + poisson_term * n / (n - traffic_erlangs)) as probability_of_waiting,
        traffic_erlangs,
        aht_seconds
    from cumulated
    where n > traffic_erlangs

),

meeting_target as (

    select
        queue,
        interval_start_at,
        min(agents) as required_agents
    from erlang_c
    where 1 - probability_of_waiting
            * exp(-1 * (agents - traffic_erlangs) * {{ var('service_level_seconds') }} / aht_seconds)
            >= {{ var('service_level_target') }}
        and occupancy <= {{ var('max_occupancy') }}
    group by queue, interval_start_at

)

select
    demand.queue,
    demand.interval_start_at,
    demand.interval_start,
    demand.local_date,
    demand.interval_seconds,
    demand.offered,
    demand.handled_legs,
    demand.handle_seconds,
    demand.aht_seconds,
    demand.traffic_erlangs,
    -- no traffic needs no agents; without any handled leg in the queue that day AHT, and so N, is unknown
    case
        when demand.offered = 0 or demand.traffic_erlangs = 0 then 0
        else meeting_target.required_agents
    end as required_agents,
    {{ build_stamp() }} as _built_at
from demand
left join meeting_target
    on meeting_target.queue = demand.queue
    and meeting_target.interval_start_at = demand.interval_start_at
