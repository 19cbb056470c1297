{#- The supervisor's coaching view: one row per agent and month with the agent's time and handling figures
    (kpi_agent_monthly), quality (kpi_quality_monthly) and outbound work (kpi_outbound_monthly summed over the
    agent's campaigns), their targets, the agent's rank and percentile within the team, and `needs_coaching`.

    Ranks: 1 = best in the team that month (highest QA score, lowest AHT, highest adherence, most attempts per
    hour); agents without the figure are not ranked. Percentiles are cume_dist ordered from worst to best: the
    share of the team's ranked agents doing no better than this one, so 1.0 is the best and the worst of n agents
    has 1/n.

    needs_coaching is true when any of these flags holds (each is published, and coaching_flags counts them):
    - is_critical_fail_rate_above_target: critical_fail_rate above its target (a compliance matter: absolute);
    - is_low_qa_score_outlier:   QA score below its target and in the team's bottom `coaching_bottom_percentile`
                                 (var, default 0.2);
    - is_low_adherence_outlier:  adherence below its target and in the team's bottom coaching_bottom_percentile;
    - is_slow_aht_outlier:       AHT above its target and in the team's slowest coaching_bottom_percentile.
    A performance flag needs both: below the standard and behind the peers, so an agent is not flagged while
    meeting the target, and a team that misses a target as a whole shows up in the team marts, not as every
    agent needing coaching. In a team of fewer than 1 / coaching_bottom_percentile ranked agents (5 by default)
    nobody is in the bottom share, so only the critical-fail flag can fire there.
    has_critical_fail, is_below_qa_target and is_below_adherence_target are published as plain facts (reasons a
    page can show), not as triggers.
-#}
{%- set bottom = var('coaching_bottom_percentile', 0.2) -%}
with agent_time as (

    select * from {{ ref('kpi_agent_monthly') }}

),

quality as (

    select * from {{ ref('kpi_quality_monthly') }}

),

outbound as (

    select
        period_start,
        agent_id,
        max(team) as team,
        sum(attempts) as outbound_attempts,
        sum(connected_attempts) as connected_attempts,
        sum(successful_attempts) as successful_attempts,
        sum(logged_in_seconds) as outbound_logged_in_seconds
    from {{ ref('kpi_outbound_monthly') }}
    where agent_id is not null
    group by period_start, agent_id

),

agent_months as (

    select period_start, agent_id from agent_time
    union
    select period_start, agent_id from quality
    union
    select period_start, agent_id from outbound

),

joined as (

    select
        agent_months.period_start,
        agent_months.agent_id,
        coalesce(agent_time.team, quality.team, outbound.team) as team,
        agent_time.logged_in_seconds,
        agent_time.handle_seconds,
        agent_time.handled_legs,
        agent_time.leg_handle_seconds,
        agent_time.aht_seconds,
        agent_time.occupancy,
        agent_time.utilization,
        agent_time.scheduled_seconds,
        agent_time.adherent_seconds,
        agent_time.adherence,
        coalesce(quality.evaluations, 0) as evaluations,
        quality.score_sum,
        quality.max_score_sum,
        quality.qa_score,
        coalesce(quality.critical_fails, 0) as critical_fails,
        quality.critical_fail_rate,
        quality.handled_contacts,
        quality.evaluated_handled_contacts,
        quality.evaluation_coverage,
        {{ zero_if_missing('outbound', ['outbound_attempts', 'connected_attempts', 'successful_attempts']) }},
        outbound.outbound_logged_in_seconds,
        {{ safe_divide('outbound.connected_attempts', 'outbound.outbound_attempts') }} as contact_rate,
        {{ safe_divide('outbound.successful_attempts', 'outbound.connected_attempts') }} as conversion_rate,
        {{ safe_divide('outbound.outbound_attempts', 'outbound.outbound_logged_in_seconds / 3600.0') }}
            as attempts_per_agent_hour
    from agent_months
    {{ left_join_on_keys('agent_months', ['agent_time', 'quality', 'outbound'], ['period_start', 'agent_id']) }}

),

targeted as (

    select
        joined.*,
        {{ kpi_target_columns('aht_seconds', 'joined.aht_seconds', [['team', 'joined.team']]) }},
        {{ kpi_target_columns('adherence', 'joined.adherence', [['team', 'joined.team']]) }},
        {{ kpi_target_columns('qa_score', 'joined.qa_score', [['team', 'joined.team']]) }},
        {{ kpi_target_columns('critical_fail_rate', 'joined.critical_fail_rate', [['team', 'joined.team']]) }},
        {{ kpi_target_columns('attempts_per_agent_hour', 'joined.attempts_per_agent_hour',
                                   [['campaign', "'*'"]]) }}
    from joined

),

{%- set ranked_kpis = [('qa_score', 'desc'), ('aht_seconds', 'asc'), ('adherence', 'desc'),
                       ('attempts_per_agent_hour', 'desc')] %}

ranked as (

    select
        targeted.*,
        count(*) over (partition by period_start, team) as team_agents,
        {%- for kpi, best_first in ranked_kpis %}
        {%- set worst_first = 'asc' if best_first == 'desc' else 'desc' %}
        case when {{ kpi }} is not null then
            rank() over (partition by period_start, team, {{ kpi }} is null order by {{ kpi }} {{ best_first }})
        end as {{ kpi }}_team_rank,
        case when {{ kpi }} is not null then
            cume_dist() over (partition by period_start, team, {{ kpi }} is null order by {{ kpi }} {{ worst_first }})
        end as {{ kpi }}_team_percentile{% if not loop.last %},{% endif %}
        {%- endfor %}
    from targeted

),

flagged as (

    select
        ranked.*,
        -- plain facts, shown as reasons beside the flags
        critical_fails > 0 as has_critical_fail,
        coalesce(not meets_qa_score_target, false) as is_below_qa_target,
        coalesce(not meets_adherence_target, false) as is_below_adherence_target,
        -- the coaching flags
        coalesce(not meets_critical_fail_rate_target, false) as is_critical_fail_rate_above_target,
        coalesce(not meets_qa_score_target and qa_score_team_percentile <= {{ bottom }}, false)
            as is_low_qa_score_outlier,
        coalesce(not meets_adherence_target and adherence_team_percentile <= {{ bottom }}, false)
            as is_low_adherence_outlier,
        coalesce(not meets_aht_seconds_target and aht_seconds_team_percentile <= {{ bottom }}, false)
            as is_slow_aht_outlier
    from ranked

)

select
    period_start,
    agent_id,
    team,
    team_agents,
    logged_in_seconds,
    handle_seconds,
    handled_legs,
    leg_handle_seconds,
    aht_seconds,
    aht_seconds_target,
    meets_aht_seconds_target,
    aht_seconds_team_rank,
    aht_seconds_team_percentile,
    occupancy,
    utilization,
    scheduled_seconds,
    adherent_seconds,
    adherence,
    adherence_target,
    meets_adherence_target,
    adherence_team_rank,
    adherence_team_percentile,
    evaluations,
    score_sum,
    max_score_sum,
    qa_score,
    qa_score_target,
    meets_qa_score_target,
    qa_score_team_rank,
    qa_score_team_percentile,
    critical_fails,
    critical_fail_rate,
    critical_fail_rate_target,
    meets_critical_fail_rate_target,
    handled_contacts,
    evaluated_handled_contacts,
    evaluation_coverage,
    outbound_attempts,
    connected_attempts,
    successful_attempts,
    outbound_logged_in_seconds,
    contact_rate,
    conversion_rate,
    attempts_per_agent_hour,
    attempts_per_agent_hour_target,
    meets_attempts_per_agent_hour_target,
    attempts_per_agent_hour_team_rank,
    attempts_per_agent_hour_team_percentile,
    has_critical_fail,
    is_below_qa_target,
    is_below_adherence_target,
    is_critical_fail_rate_above_target,
    is_low_qa_score_outlier,
    is_low_adherence_outlier,
    is_slow_aht_outlier,
    {%- set flags = ['is_critical_fail_rate_above_target', 'is_low_qa_score_outlier', 'is_low_adherence_outlier',
                     'is_slow_aht_outlier'] %}
    {% for flag in flags %}case when {{ flag }} then 1 else 0 end{% if not loop.last %} + {% endif %}{% endfor %}
        as coaching_flags,
    {{ flags | join(' or ') }} as needs_coaching
from flagged
