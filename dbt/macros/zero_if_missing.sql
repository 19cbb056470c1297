{#- Counts and sums taken from a left-joined relation: a spine row (agent-day, team-day, month, interval) that the
    relation has no row for counted none, so each column is 0 there, not NULL. Renders
    `coalesce(<relation>.<column>, 0) as <column>` for each column, in the order given, comma-separated (no trailing
    comma). Ratios and averages are not for this macro: a missing one stays NULL. -#}
{% macro zero_if_missing(relation, columns) -%}
    {%- for column in columns %}
    coalesce({{ relation }}.{{ column }}, 0) as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
