{#- KPI targets (seed `kpi_targets`, documented in dbt/seeds/kpi_targets.yml) looked up for a mart row.

    `kpi_target_columns(kpi, value, scopes, date)` emits two columns, `<kpi>_target` and `meets_<kpi>_target`:
    - kpi:    the seed's `kpi` value, named after the mart column it applies to (`qa_score`, `aht_seconds`, ...);
    - value:  the row's KPI expression, e.g. `rolled.qa_score`;
    - scopes: the row's scopes, most specific first, as [scope_type, expression] pairs,
              e.g. [['team', 'rolled.team']] or [['queue', 'rolled.queue']];
    - date:   the date the target must be valid on (default `period_start`; valid_from/valid_to are inclusive,
              an empty valid_to is open-ended).
    The most specific matching seed row wins: the first scope with the exact value, then that scope with '*', then
    the next scope, ..., and last the `center` rows; among equally specific rows, the latest valid_from.
    `meets_<kpi>_target` is `value >= target` (direction at_least) or `value <= target` (at_most), NULL when the
    value or the target is NULL. Expressions must be qualified (`rolled.team`) because the lookup is a correlated
    subquery over the seed, and the row's relation must not be aliased like a seed column (`kpi`, `direction`, ...):
    inside the subquery that name would resolve to the seed's column. -#}
{% macro kpi_target_columns(kpi, value, scopes=[], date='period_start') -%}
    {{ kpi_target_lookup(kpi, 'kpi_target_row.target_value', scopes, date) }} as {{ kpi }}_target,
    {{ kpi_target_lookup(
        kpi,
        "case kpi_target_row.direction when 'at_least' then " ~ value ~ " >= kpi_target_row.target_value"
        ~ " when 'at_most' then " ~ value ~ " <= kpi_target_row.target_value end",
        scopes, date) }} as meets_{{ kpi }}_target
{%- endmacro %}

{#- One correlated lookup of `select_expression` over the best-matching target row (see above). -#}
{% macro kpi_target_lookup(kpi, select_expression, scopes, date) -%}
    (
        select {{ select_expression }}
        from {{ ref('kpi_targets') }} as kpi_target_row
        where kpi_target_row.kpi = '{{ kpi }}'
          and kpi_target_row.valid_from <= {{ date }}
          and (kpi_target_row.valid_to is null or kpi_target_row.valid_to >= {{ date }})
          and (
            {%- for scope_type, expression in scopes %}
            (kpi_target_row.scope_type = '{{ scope_type }}'
             and (kpi_target_row.scope_value = {{ expression }} or kpi_target_row.scope_value = '*')) or
            {%- endfor %}
            kpi_target_row.scope_type = 'center'
          )
        order by
            case
                {%- for scope_type, expression in scopes %}
                when kpi_target_row.scope_type = '{{ scope_type }}'
                     and kpi_target_row.scope_value = {{ expression }} then {{ loop.index0 * 2 }}
                when kpi_target_row.scope_type = '{{ scope_type }}' then {{ loop.index0 * 2 + 1 }}
                {%- endfor %}
                else {{ scopes | length * 2 }}
            end,
            kpi_target_row.valid_from desc
        limit 1
    )
{%- endmacro %}
