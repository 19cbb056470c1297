{#- The agent's team on a local day: a left join of dim_agent's roster versions (valid_from included, valid_to
    excluded, an open valid_to still valid), as `alias`. -#}
{% macro left_join_team_on_day(alias, agent_id, local_date) -%}
left join {{ ref('dim_agent') }} as {{ alias }}
    on {{ alias }}.agent_id = {{ agent_id }}
    and {{ alias }}.valid_from <= {{ local_date }}
    and ({{ alias }}.valid_to is null or {{ alias }}.valid_to > {{ local_date }})
{%- endmacro %}
