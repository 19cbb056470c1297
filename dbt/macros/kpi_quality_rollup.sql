{#- kpi_quality_<grain> (by='agent': one row per period and agent, with the agent's team on the last day of the
    period with activity) and kpi_quality_team_<grain> (by='team': one row per period and team, each day counted
    in the team the agent was in that day), rolled up from int_quality_agent_daily (METRICS.md "Quality"). -#}
{% macro kpi_quality_rollup(grain, by='agent') -%}
{%- set dimensions = ['agent_id'] if by == 'agent' else ['team'] -%}
{%- set lasts = {'team': 'team'} if by == 'agent' else {} -%}
with rolled as (

    {{ rollup_by_period(ref('int_quality_agent_daily'), grain, 'local_date', dimensions,
        sums=['evaluations', 'score_sum', 'max_score_sum', 'critical_fails', 'handled_contacts',
              'evaluated_handled_contacts'],
        lasts=lasts) }}

),

rated as (

    select
        rolled.*,
        {{ safe_divide('score_sum', 'max_score_sum') }} as qa_score,
        {{ safe_divide('critical_fails', 'evaluations') }} as critical_fail_rate,
        {{ safe_divide('evaluated_handled_contacts', 'handled_contacts') }} as evaluation_coverage
    from rolled

)

select
    {{ period_columns(grain) }}
    {%- if by == 'agent' %}
    rated.agent_id,
    {%- endif %}
    rated.team,
    rated.evaluations,
    rated.score_sum,
    rated.max_score_sum,
    rated.qa_score,
    {{ kpi_target_columns('qa_score', 'rated.qa_score', [['team', 'rated.team']]) }},
    rated.critical_fails,
    rated.critical_fail_rate,
    {{ kpi_target_columns('critical_fail_rate', 'rated.critical_fail_rate', [['team', 'rated.team']]) }},
    rated.handled_contacts,
    rated.evaluated_handled_contacts,
    rated.evaluation_coverage
from rated
{%- endmacro %}
