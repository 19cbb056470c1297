{#- Each queue's mean patience for Erlang A (METRICS.md "Planning"): the exponential-patience estimate, abandons
    divided by the seconds all offered contacts waited (answered ones until answered, abandoned ones until they gave
    up), over the last var('shrinkage_history_weeks') weeks of local days up to the last day with offered contacts.
    Every abandon counts, short ones too: they are impatience as well, and leaving them out would make a queue look
    more patient than its callers are. A queue without abandons in the window has no estimate (Erlang C for it). -#}
with offered_legs as (

    select queue, local_date, wait_seconds, is_abandoned
    from {{ ref('fct_contact_legs') }}
    where is_offered

),

window_end as (

    select max(local_date) as last_local_date from offered_legs

),

in_window as (

    select offered_legs.*
    from offered_legs
    cross join window_end
    where offered_legs.local_date > {{ dbt.dateadd('day', '-7 * ' ~ var('shrinkage_history_weeks'),
                                                   'window_end.last_local_date') }}

),

per_queue as (

    select
        queue,
        min(local_date) as history_first_date,
        max(local_date) as history_last_date,
        count(*) as offered,
        count_if(is_abandoned) as abandoned,
        sum(wait_seconds) as wait_seconds
    from in_window
    group by queue

)

select
    queue,
    history_first_date,
    history_last_date,
    offered,
    abandoned,
    wait_seconds,
    case when abandoned > 0 then {{ safe_divide('wait_seconds', 'abandoned') }} end as patience_seconds
from per_queue
