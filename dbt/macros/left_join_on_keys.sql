{#- Relations joined to a spine on the spine's grain (agent and day, team and day, agent and month): for each relation,
    `left join <relation> on <relation>.<key> = <spine>.<key> and ...` over every key. The spine keeps its rows; a
    relation with no row for one leaves its columns NULL (zero_if_missing turns counts and sums into 0). -#}
{% macro left_join_on_keys(spine, relations, keys) -%}
    {%- for relation in relations %}
left join {{ relation }}
    on {% for key in keys -%}
        {{ relation }}.{{ key }} = {{ spine }}.{{ key }}{{ ' and ' if not loop.last }}
    {%- endfor %}
    {%- endfor %}
{%- endmacro %}
