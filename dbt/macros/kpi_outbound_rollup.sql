{#- kpi_outbound_<grain> (by='agent': one row per period, campaign and agent, with the agent's team on the last
    dial day of the period) and kpi_outbound_campaign_<grain> (by='campaign': one row per period and campaign),
    rolled up from int_outbound_agent_campaign_daily (METRICS.md "Outbound campaigns"). -#}
{% macro kpi_outbound_rollup(grain, by='agent') -%}
{%- set dimensions = ['campaign', 'agent_id'] if by == 'agent' else ['campaign'] -%}
{%- set lasts = {'team': 'team'} if by == 'agent' else {} -%}
with rolled as (

    {{ rollup_by_period(ref('int_outbound_agent_campaign_daily'), grain, 'local_date', dimensions,
        sums=['attempts', 'connected_attempts', 'successful_attempts', 'logged_in_seconds'],
        lasts=lasts) }}

),

rated as (

    select
        rolled.*,
        logged_in_seconds / 3600.0 as logged_in_hours,
        {{ safe_divide('connected_attempts', 'attempts') }} as contact_rate,
        {{ safe_divide('successful_attempts', 'connected_attempts') }} as conversion_rate,
        {{ safe_divide('attempts', 'logged_in_seconds / 3600.0') }} as attempts_per_agent_hour
    from rolled

)

select
    {{ period_columns(grain) }}
    rated.campaign,
    {%- if by == 'agent' %}
    rated.agent_id,
    rated.team,
    {%- endif %}
    rated.attempts,
    rated.connected_attempts,
    rated.successful_attempts,
    rated.logged_in_seconds,
    rated.logged_in_hours,
    rated.contact_rate,
    {{ kpi_target_columns('contact_rate', 'rated.contact_rate', [['campaign', 'rated.campaign']]) }},
    rated.conversion_rate,
    rated.attempts_per_agent_hour,
    {{ kpi_target_columns('attempts_per_agent_hour', 'rated.attempts_per_agent_hour',
                               [['campaign', 'rated.campaign']]) }}
from rated
{%- endmacro %}
